// Needs a human: the dead-letter queue and the posts whose outcome is not known (unconfirmed, unknown),
// each with what to do and the replay / mark-as-posted buttons the key may use.
import { allowed, type PageContext } from '../context';
import { markup, time } from '../html';
import { BASE, type PageParts } from '../layout';
import { actionsFor, OPEN_OUTCOME_STATES } from './actions';
import { stateBadge } from './posts';

const OPEN_ADVICE: Record<string, string> = {
  unconfirmed:
    'TikTok accepted the post but never said it finished. Check the account: mark it posted (with its id) or not posted.',
  unknown:
    'The init may or may not have reached TikTok, so tokpipe never sends it again by itself. ' +
    'Check the account, then mark it, or replay it if it is not there.',
};

export async function needsHumanPage(ctx: PageContext): Promise<PageParts> {
  const { service } = ctx.opts;
  const dead = (await service.dlq.list()).filter((d) => allowed(ctx, d.account));
  const deadIds = new Set(dead.map((d) => d.jobId));
  const open = (await Promise.all(OPEN_OUTCOME_STATES.map((state) => service.list({ state, limit: 500 }))))
    .flat()
    .filter((p) => allowed(ctx, p.account) && !deadIds.has(p.jobId ?? ''));
  return {
    title: 'Needs a human',
    live: markup`<section aria-labelledby="dlq-h">
        <h2 id="dlq-h">Dead-letter queue (${dead.length})</h2>
        ${
          dead.length
            ? markup`<ul class="cards">
              ${dead.map(
                (d) =>
                  markup`<li class="card" data-job="${d.jobId}">
                    <h3>
                      <a href="${BASE}/posts/${d.jobId}">${d.label ?? d.jobId}</a>
                      <span class="muted">${d.account ?? 'no account'}</span>
                    </h3>
                    <p>
                      <code>${d.error.code}</code> (${d.error.class}) ${d.error.message}
                      ${d.error.logId ? markup`<span class="muted">log_id <code>${d.error.logId}</code></span>` : ''}
                    </p>
                    <p><strong>What to do:</strong> ${d.error.action}</p>
                    <p class="muted">
                      ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, dead-lettered ${time(d.at)}
                    </p>
                    ${actionsFor(
                      ctx,
                      { jobId: d.jobId, state: d.error.disposition === 'unknown_outcome' ? 'unknown' : 'dead' },
                      true,
                    )}
                  </li>`,
              )}
            </ul>`
            : markup`<p>Nothing in the dead-letter queue.</p>`
        }
      </section>
      <section aria-labelledby="open-h">
        <h2 id="open-h">Outcome not known (${open.length})</h2>
        ${
          open.length
            ? markup`<ul class="cards">
              ${open.map(
                (p) =>
                  markup`<li class="card" data-job="${p.jobId ?? ''}">
                    <h3>
                      <a href="${BASE}/posts/${p.jobId ?? ''}">${p.idempotencyKey ?? p.label ?? p.jobId}</a>
                      <span class="muted">${p.account ?? ''}</span>
                    </h3>
                    <p>${stateBadge(p.state)} ${p.publishId ? markup`publish_id <code>${p.publishId}</code>` : ''}</p>
                    <p><strong>What to do:</strong> ${OPEN_ADVICE[p.state] ?? ''}</p>
                    ${actionsFor(ctx, p, false)}
                  </li>`,
              )}
            </ul>`
            : markup`<p>Every post's outcome is known.</p>`
        }
      </section>`,
  };
}
