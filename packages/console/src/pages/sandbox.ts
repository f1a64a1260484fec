// Sandbox mode: what the sandbox TikTok holds, row by row beside what tokpipe believes about the same
// publish_id, and the posts on either side the other does not know.
import type { PostRow } from '@tokpipe/core';
import { allowed, type PageContext } from '../context';
import { markup, time } from '../html';
import { BASE, unavailable, type PageParts } from '../layout';
import type { SandboxPostRow } from '../ports';
import { stateBadge } from './posts';

/** Does tokpipe's state say what the sandbox's status says? */
const EXPECTED: Record<string, string[]> = {
  PUBLISH_COMPLETE: ['published', 'unconfirmed', 'unknown'],
  SEND_TO_USER_INBOX: ['delivered', 'unconfirmed', 'unknown'],
  FAILED: ['dead', 'retry_wait', 'queued', 'posting', 'accepted', 'published', 'delivered'],
};
/** No row for a FAILED publish: an earlier attempt tokpipe re-posted. No row for a live one: a lost reply. */
const agrees = (sb: SandboxPostRow, job: PostRow | undefined): boolean =>
  job === undefined
    ? sb.status === 'FAILED'
    : (EXPECTED[sb.status]?.includes(job.state) ?? ['accepted', 'posting'].includes(job.state));

export async function sandboxPage(ctx: PageContext): Promise<PageParts> {
  const { sandbox, service } = ctx.opts;
  if (!sandbox)
    return {
      title: 'Sandbox',
      live: unavailable('The sandbox view', 'This console runs against TikTok itself, not the sandbox.'),
    };
  const held = (await sandbox.posts()).filter((p) => allowed(ctx, p.account));
  const jobs = service.insight ? await service.insight.posts({ limit: 5000 }) : [];
  const byPublishId = new Map(jobs.filter((j) => j.publishId).map((j) => [j.publishId!, j]));
  const live = held.filter((p) => p.status !== 'FAILED').length;
  const believed = jobs.filter(
    (j) => allowed(ctx, j.account) && (j.state === 'published' || j.state === 'delivered'),
  ).length;
  return {
    title: 'Sandbox',
    intro: markup`<p>
      The sandbox TikTok holds <strong id="sandbox-live">${live}</strong> live post${live === 1 ? '' : 's'}
      (${held.length} publish attempts); tokpipe believes <strong id="tokpipe-done">${believed}</strong> are published
      or delivered. A post tokpipe does not know (no row) came from an init whose reply was lost: that row stays open
      and is never sent twice.
    </p>`,
    live: markup`<table class="grid">
      <caption>
        Sandbox TikTok beside tokpipe, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">publish_id</th>
          <th scope="col">Account</th>
          <th scope="col">Sandbox status</th>
          <th scope="col">Post ids</th>
          <th scope="col">tokpipe row</th>
          <th scope="col">tokpipe state</th>
          <th scope="col">Agree?</th>
        </tr>
      </thead>
      <tbody>
        ${[...held]
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((p) => {
            const job = byPublishId.get(p.publishId);
            const ok = agrees(p, job);
            return markup`<tr class="${ok ? '' : 'differs'}">
              <td>${time(p.createdAt)}</td>
              <td><code>${p.publishId}</code></td>
              <td>${p.account ?? '—'}</td>
              <td>${p.status}${p.failReason ? markup` <span class="muted">${p.failReason}</span>` : ''}</td>
              <td>${p.postIds.join(', ') || '—'}</td>
              <td>
                ${
                  job
                    ? markup`<a href="${BASE}/posts/${job.jobId ?? ''}">${job.idempotencyKey ?? job.jobId}</a>`
                    : 'none'
                }
              </td>
              <td>${job ? stateBadge(job.state) : '—'}</td>
              <td>${ok ? 'yes' : markup`<strong>no</strong>`}</td>
            </tr>`;
          })}
      </tbody>
    </table>`,
  };
}
