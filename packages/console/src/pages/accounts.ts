// Accounts: health and breaker (with cooldown left), posts used of the daily cap, drafts in the last
// 24 h, token expiry (a warning when the account must be reconnected soon) and the last error.
import type { AccountInsight, AccountView } from '@tokpipe/core';
import { allowed, EXPIRY_WARNING_MS, type PageContext } from '../context';
import { duration, markup, time, type Html } from '../html';
import { BASE, unavailable, type PageParts } from '../layout';

function tokenCell(a: AccountView, now: number): Html {
  if (!a.auth.connected) return markup`<span class="bad">not connected</span>`;
  const refresh = a.auth.refreshExpiresAt;
  const soon = refresh !== null && refresh - now < EXPIRY_WARNING_MS;
  const expired = refresh !== null && refresh <= now;
  return markup`<div>
      access:
      ${
        a.auth.accessExpired
          ? markup`<span class="warn">expired (refreshed on next use)</span>`
          : time(a.auth.accessExpiresAt)
      }
    </div>
    <div>refresh: ${time(refresh)}</div>
    ${
      expired
        ? markup`<p class="bad" role="note">Expired: reconnect this account (tokpipe auth login).</p>`
        : soon
          ? markup`<p class="warn" role="note">Expires in ${duration(refresh! - now)}: reconnect before then.</p>`
          : ''
    }`;
}

function healthCell(a: AccountView, insight: AccountInsight | undefined, now: number): Html {
  const cooldown =
    insight?.breakerOpenUntil !== null && insight?.breakerOpenUntil !== undefined
      ? markup`<div class="warn">breaker open: probe in ${duration(insight.breakerOpenUntil - now)}</div>`
      : '';
  const cls = a.health.breaker === 'closed' ? 'ok' : a.health.breaker === 'open' ? 'bad' : 'warn';
  return markup`<div><span class="${cls}">${a.status}</span>${a.statusReason ? markup` — ${a.statusReason}` : ''}</div>
    <div>breaker <span class="${cls}">${a.health.breaker}</span>, score ${a.health.score.toFixed(2)}</div>
    ${cooldown}`;
}

function lastErrorCell(insight: AccountInsight | undefined): Html {
  const e = insight?.lastError;
  if (!insight) return markup`<span class="muted">not available</span>`;
  if (!e) return markup`<span class="muted">none</span>`;
  return markup`<div>
      <a href="${BASE}/posts/${e.jobId}"><code>${e.code}</code></a> ${e.message}
    </div>
    <div class="muted">${time(e.at)}${e.logId ? markup` · log_id <code>${e.logId}</code>` : ''}</div>`;
}

export async function accountsPage(ctx: PageContext): Promise<PageParts> {
  const { service } = ctx.opts;
  const accounts = (await service.accounts.list()).filter((a) => allowed(ctx, a.id));
  const insights = service.insight ? await service.insight.accounts() : undefined;
  const insightOf = (id: string) => insights?.find((i) => i.id === id);
  const rows = accounts.map((a) => {
    const i = insightOf(a.id);
    const used = i ? i.directUsed24h : a.caps.directPerDay - a.caps.remainingDirect;
    const drafts = i ? i.draftsUsed24h : a.caps.draftsPer24h - a.caps.remainingDraft;
    return markup`<tr>
      <th scope="row">
        <a href="${BASE}/posts?account=${encodeURIComponent(a.id)}">${a.id}</a>${
          a.region ? markup` <span class="muted">${a.region}</span>` : ''
        }
      </th>
      <td>${healthCell(a, i, ctx.now)}</td>
      <td>
        <meter
          min="0"
          max="${a.caps.directPerDay}"
          value="${used}"
          aria-label="direct posts used of the daily cap"
        ></meter>
        ${used} / ${a.caps.directPerDay}
      </td>
      <td>${drafts} / ${a.caps.draftsPer24h}</td>
      <td>${a.health.queued}</td>
      <td>${tokenCell(a, ctx.now)}</td>
      <td>${lastErrorCell(i)}</td>
    </tr>`;
  });
  return {
    title: 'Accounts',
    intro: insights
      ? undefined
      : unavailable('Breaker cooldown and last error', 'The posting service behind this console does not report them.'),
    live: markup`<table class="grid">
      <caption>
        ${accounts.length} account${accounts.length === 1 ? '' : 's'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Health</th>
          <th scope="col">Posts (24 h / cap)</th>
          <th scope="col">Drafts (24 h / cap)</th>
          <th scope="col">Queued</th>
          <th scope="col">Token expiry</th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        ${
          rows.length
            ? rows
            : markup`<tr>
              <td colspan="7">No account is connected.</td>
            </tr>`
        }
      </tbody>
    </table>`,
  };
}
