// Webhook deliveries: events in (TikTok → tokpipe) and out (tokpipe → subscribers), failures first in
// mind, with redeliver for admin keys when the source can redeliver.
import type { DeliveryRow } from '../ports';
import { allowed, canAdmin, type PageContext } from '../context';
import { markup, time, type Html } from '../html';
import { BASE, csrfField, unavailable, type PageParts } from '../layout';

function table(ctx: PageContext, rows: DeliveryRow[], direction: 'in' | 'out'): Html {
  const canRedeliver = direction === 'out' && ctx.opts.deliveries?.redeliver !== undefined && canAdmin(ctx);
  const failed = rows.filter((r) => r.state === 'failed').length;
  return markup`<table class="grid">
    <caption>
      ${direction === 'in' ? 'Events in' : 'Deliveries out'}: ${rows.length}${failed ? `, ${failed} failed` : ''}
    </caption>
    <thead>
      <tr>
        <th scope="col">Time</th>
        <th scope="col">Event</th>
        <th scope="col">${direction === 'in' ? 'From' : 'To'}</th>
        <th scope="col">Account</th>
        <th scope="col">State</th>
        <th scope="col">Attempts</th>
        <th scope="col">Error</th>
        ${direction === 'out' ? markup`<th scope="col">Redeliver</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${
        rows.length
          ? rows.map(
              (r) =>
                markup`<tr class="${r.state === 'failed' ? 'failed' : ''}">
                <td>${time(r.at)}</td>
                <td><code>${r.event}</code></td>
                <td>${r.target ?? '—'}</td>
                <td>${r.account ?? '—'}</td>
                <td><span class="state state-${r.state}">${r.state}</span></td>
                <td>${r.attempts ?? '—'}</td>
                <td>${r.httpStatus ? `HTTP ${r.httpStatus} ` : ''}${r.error ?? ''}</td>
                ${
                  direction === 'out'
                    ? markup`<td>
                      ${
                        canRedeliver
                          ? markup`<form method="post" action="${BASE}/actions/redeliver" class="inline">
                            ${csrfField(ctx.session)} <input type="hidden" name="id" value="${r.id}" /><button
                              type="submit"
                            >
                              Redeliver
                            </button>
                          </form>`
                          : '—'
                      }
                    </td>`
                    : ''
                }
              </tr>`,
            )
          : markup`<tr>
            <td colspan="${direction === 'out' ? 8 : 7}">None yet.</td>
          </tr>`
      }
    </tbody>
  </table>`;
}

export async function deliveriesPage(ctx: PageContext): Promise<PageParts> {
  const source = ctx.opts.deliveries;
  if (!source)
    return {
      title: 'Webhook deliveries',
      live: unavailable(
        'Webhook deliveries',
        'They are recorded by tokpipe serve (webhook intake and subscriptions); this console was started without them.',
      ),
    };
  const rows = (await source.list({ limit: 200 })).filter((r) => !r.account || allowed(ctx, r.account));
  return {
    title: 'Webhook deliveries',
    intro: source.redeliver && !canAdmin(ctx) ? markup`<p class="muted">Redeliver needs an admin key.</p>` : undefined,
    live: markup`${table(
      ctx,
      rows.filter((r) => r.direction === 'in'),
      'in',
    )}${table(
      ctx,
      rows.filter((r) => r.direction === 'out'),
      'out',
    )}`,
  };
}
