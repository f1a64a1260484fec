// One post: its summary, the final post id with a link to TikTok, what was sent (redacted), and every
// step: attempts, TikTok's code, message and log_id, our class and action, and the raw reply on demand.
import type { ErrorView, PostDetail, TimelineStep } from '@tokpipe/core';
import { allowed, type PageContext } from '../context';
import { duration, markup, time, timeOfDay, type Html } from '../html';
import { BASE, unavailable, type PageParts } from '../layout';
import { actionsFor } from './actions';
import { stateBadge } from './posts';

export const tiktokPostUrl = (postId: string): string => `https://www.tiktok.com/@/video/${encodeURIComponent(postId)}`;

const errorCells = (e: ErrorView | undefined): Html =>
  e
    ? markup`<td><code>${e.code}</code>${e.httpStatus ? markup` <span class="muted">HTTP ${e.httpStatus}</span>` : ''}</td>
        <td>${e.message}</td>
        <td>${e.logId ? markup`<code class="log-id">${e.logId}</code>` : '—'}</td>
        <td>${e.class}</td>
        <td>${e.action}</td>`
    : markup`<td>—</td>
        <td>—</td>
        <td>—</td>
        <td>—</td>
        <td>—</td>`;

function stepLabel(s: TimelineStep): Html {
  const bits = [
    s.attempt !== undefined ? `attempt ${s.attempt}` : '',
    s.publishId ? `publish_id ${s.publishId}` : '',
    s.status ?? '',
    s.delayMs !== undefined ? `wait ${duration(s.delayMs)}` : '',
    s.note ?? '',
  ].filter(Boolean);
  return markup`<strong>${s.step.replace(/_/g, ' ')}</strong>${
    bits.length ? markup`<div class="muted">${bits.join(' · ')}</div>` : ''
  }`;
}

function timelineTable(steps: TimelineStep[]): Html {
  return markup`<table class="grid timeline">
    <caption>
      ${steps.length} step${steps.length === 1 ? '' : 's'}${steps[0] ? markup`, from ${time(steps[0].at)}` : ''} (times
      UTC)
    </caption>
    <thead>
      <tr>
        <th scope="col">Time</th>
        <th scope="col">Step</th>
        <th scope="col">Account</th>
        <th scope="col">TikTok code</th>
        <th scope="col">Message</th>
        <th scope="col">log_id</th>
        <th scope="col">Class</th>
        <th scope="col">Action</th>
        <th scope="col">Raw reply</th>
      </tr>
    </thead>
    <tbody>
      ${steps.map(
        (s) =>
          markup`<tr class="${s.error ? 'failed' : ''}">
            <td>${timeOfDay(s.at)}</td>
            <td>${stepLabel(s)}</td>
            <td>${s.account ?? '—'}</td>
            ${errorCells(s.error)}
            <td>
              ${
                s.raw !== undefined
                  ? markup`<details>
                    <summary>Show (redacted)</summary>
                    <pre>${JSON.stringify(s.raw, null, 2)}</pre>
                  </details>`
                  : '—'
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export async function timelinePage(ctx: PageContext, jobId: string): Promise<PageParts | undefined> {
  const { service } = ctx.opts;
  if (!service.insight) {
    const post = await service.status({ jobId });
    if (!allowed(ctx, post.account)) return undefined;
    return {
      title: `Post ${jobId}`,
      live: unavailable('The timeline', 'The posting service behind this console does not record attempts.'),
    };
  }
  const detail: PostDetail | null = await service.insight.post(jobId);
  if (!detail || !allowed(ctx, detail.post.account)) return undefined;
  const p = detail.post;
  const steps = detail.timeline ?? (ctx.opts.timelines ? await ctx.opts.timelines.timeline(jobId) : null);
  const dlq = (await service.dlq.list()).some((d) => d.jobId === jobId);
  const postLinks = p.postIds.map(
    (id) => markup`<a href="${ctx.opts.postUrl?.(id, p.account) ?? tiktokPostUrl(id)}" rel="noreferrer">${id}</a> `,
  );
  return {
    title: `Post ${p.idempotencyKey ?? jobId}`,
    live: markup`<dl class="summary">
        <dt>State</dt>
        <dd>${stateBadge(p.state)}${p.final ? ' (final)' : ''}</dd>
        <dt>TikTok status</dt>
        <dd>${p.status ?? '—'}</dd>
        <dt>Account</dt>
        <dd>${p.account ?? 'not routed yet'}</dd>
        <dt>Campaign row</dt>
        <dd>${p.campaign ?? '—'}</dd>
        <dt>Submitted</dt>
        <dd>${time(p.submittedAt)}</dd>
        <dt>Finished</dt>
        <dd>${time(p.completedAt)}</dd>
        <dt>publish_id</dt>
        <dd>${p.publishId ? markup`<code>${p.publishId}</code>` : '—'}</dd>
        <dt>TikTok post</dt>
        <dd>${postLinks.length ? postLinks : '—'}</dd>
        <dt>Attempts</dt>
        <dd>${p.attempts}</dd>
        ${
          detail.dueAt
            ? markup`<dt>Next try</dt>
              <dd>${time(detail.dueAt)}${detail.deferredFor ? ` (${detail.deferredFor})` : ''}</dd>`
            : ''
        }
        ${
          detail.reconcileNote
            ? markup`<dt>Reconciliation</dt>
              <dd>${detail.reconcileNote}</dd>`
            : ''
        }
      </dl>
      ${
        p.error
          ? markup`<section aria-labelledby="err-h">
            <h2 id="err-h">Why it failed</h2>
            <p>
              <code>${p.error.code}</code> (${p.error.class})
              ${p.error.message}${p.error.logId ? markup` · log_id <code>${p.error.logId}</code>` : ''}
            </p>
            <p><strong>What to do:</strong> ${p.error.action}</p>
          </section>`
          : ''
      }
      ${actionsFor(ctx, p, dlq)}
      <h2>What was sent</h2>
      <pre class="sent">${JSON.stringify(detail.sent, null, 2)}</pre>
      <h2>Attempts</h2>
      ${
        steps
          ? timelineTable(steps)
          : unavailable('The timeline of this post', 'It was submitted before this console started recording.')
      }
      <p><a href="${BASE}/posts">All posts</a></p>`,
  };
}
