// Posts: a filter form (account, state, campaign, submitted between) and the matching rows; without the
// service's insight, the plain list (no times, no campaign filter) and a note saying so.
import type { PostRow, PostSearch } from '@tokpipe/core';
import { allowed, type PageContext } from '../context';
import { markup, time, when, type Html } from '../html';
import { BASE, unavailable, type PageParts } from '../layout';

export const JOB_STATES = [
  'queued',
  'retry_wait',
  'deferred',
  'posting',
  'accepted',
  'unconfirmed',
  'unknown',
  'published',
  'delivered',
  'dead',
];

/** "2026-12-07T13:00" (a datetime-local value, read as UTC) → epoch ms. */
const parseTime = (value: string | undefined): number | undefined => {
  if (!value) return undefined;
  const ms = Date.parse(/Z$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
};
const inputTime = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 16));

export const stateBadge = (state: string): Html => markup`<span class="state state-${state}">${state}</span>`;

function filterForm(search: PostSearch, accounts: string[]): Html {
  const option = (value: string, current: string | undefined, label = value) =>
    markup`<option value="${value}" ${value === (current ?? '') ? markup` selected` : ''}>${label}</option>`;
  return markup`<form method="get" action="${BASE}/posts" class="filters" aria-label="Filter posts">
    <div>
      <label for="f-account">Account</label>
      <select id="f-account" name="account">
        ${option('', search.account, 'all')}${accounts.map((a) => option(a, search.account))}
      </select>
    </div>
    <div>
      <label for="f-status">Status</label>
      <select id="f-status" name="status">
        ${option('', search.state, 'all')}${JOB_STATES.map((s) => option(s, search.state))}
      </select>
    </div>
    <div>
      <label for="f-campaign">Campaign (row label or key contains)</label>
      <input id="f-campaign" name="campaign" value="${search.campaign ?? ''}" />
    </div>
    <div>
      <label for="f-since">Submitted from (UTC)</label>
      <input id="f-since" name="since" type="datetime-local" value="${inputTime(search.since)}" />
    </div>
    <div>
      <label for="f-until">Submitted before (UTC)</label>
      <input id="f-until" name="until" type="datetime-local" value="${inputTime(search.until)}" />
    </div>
    <div class="actions"><button type="submit">Filter</button> <a href="${BASE}/posts">Clear</a></div>
  </form>`;
}

function row(
  p: PostRow | (Omit<PostRow, 'submittedAt' | 'completedAt' | 'campaign' | 'mode'> & Partial<PostRow>),
): Html {
  return markup`<tr>
    <td>${p.submittedAt !== undefined ? time(p.submittedAt) : '—'}</td>
    <th scope="row">
      <a href="${BASE}/posts/${p.jobId ?? ''}">${p.idempotencyKey ?? p.label ?? p.jobId}</a> ${
        p.label && p.label !== p.idempotencyKey ? markup`<div class="muted">${p.label}</div>` : ''
      }
    </th>
    <td>${p.account ?? '—'}</td>
    <td>${stateBadge(p.state)}</td>
    <td>${p.status ?? '—'}</td>
    <td>${p.attempts}</td>
    <td>
      ${
        p.error
          ? markup`<code>${p.error.code}</code>${
              p.error.logId ? markup`<div class="muted">log_id ${p.error.logId}</div>` : ''
            }`
          : '—'
      }
    </td>
  </tr>`;
}

export async function postsPage(ctx: PageContext): Promise<PageParts> {
  const { service } = ctx.opts;
  const q = ctx.query;
  const search: PostSearch = {
    ...(q.account ? { account: q.account } : {}),
    ...(q.status ? { state: q.status } : {}),
    ...(q.campaign ? { campaign: q.campaign } : {}),
    ...(parseTime(q.since) !== undefined ? { since: parseTime(q.since)! } : {}),
    ...(parseTime(q.until) !== undefined ? { until: parseTime(q.until)! } : {}),
    limit: 200,
  };
  const accounts = (await service.accounts.list()).map((a) => a.id).filter((id) => allowed(ctx, id));
  const posts = service.insight
    ? await service.insight.posts(search)
    : await service.list({
        ...(search.account ? { account: search.account } : {}),
        ...(search.state ? { state: search.state } : {}),
        limit: 200,
      });
  const visible = posts.filter((p) => allowed(ctx, p.account));
  const described = [
    search.account,
    search.state,
    search.campaign,
    search.since && `from ${when(search.since)}`,
    search.until && `before ${when(search.until)}`,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    title: 'Posts',
    intro: markup`${filterForm(search, accounts)}${
      service.insight
        ? ''
        : unavailable(
            'Filtering by campaign and time',
            'The posting service behind this console does not report submission times.',
          )
    }`,
    live: markup`<table class="grid">
      <caption>
        ${visible.length} post${visible.length === 1 ? '' : 's'}${described ? ` (${described})` : ''}, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Submitted</th>
          <th scope="col">Post</th>
          <th scope="col">Account</th>
          <th scope="col">State</th>
          <th scope="col">TikTok status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        ${
          visible.length
            ? visible.map(row)
            : markup`<tr>
              <td colspan="7">No post matches.</td>
            </tr>`
        }
      </tbody>
    </table>`,
  };
}
