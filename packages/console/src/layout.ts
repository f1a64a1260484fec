// The page shell: skip link, navigation, the live region the browser refreshes, and the log-out form.
import { createHash } from 'node:crypto';
import { markup, raw, type Html } from './html';
import type { Session } from './sessions';

export const BASE = '/console';

export interface PageParts {
  title: string;
  /** Above the live region (filters, explanations): not refreshed. */
  intro?: Html;
  /** The part that refreshes itself without a reload. */
  live: Html;
}

const NAV: Array<[string, string]> = [
  ['accounts', 'Accounts'],
  ['posts', 'Posts'],
  ['needs-human', 'Needs a human'],
  ['deliveries', 'Webhook deliveries'],
  ['sandbox', 'Sandbox'],
];

const head = (title: string): Html =>
  markup`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · tokpipe console</title>
        <link rel="icon" href="${BASE}/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="${BASE}/assets/console.css" />
        <script src="${BASE}/assets/console.js" defer></script>
      </head>`;

/** Names one version of a live region (the browser swaps it in only when this changes). */
export const liveHash = (live: Html): string =>
  createHash('sha256').update(live.value).digest('base64url').slice(0, 22);

export function page(
  parts: PageParts,
  options: { section: string; session: Session; liveSrc: string; pollMs: number },
): string {
  const { session } = options;
  return markup`${head(parts.title)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <p class="brand"><a href="${BASE}/accounts">tokpipe console</a></p>
  <nav aria-label="Sections"><ul>
    ${NAV.map(
      ([path, label]) =>
        markup`<li>
          <a href="${BASE}/${path}" ${path === options.section ? raw(' aria-current="page"') : ''}>${label}</a>
        </li>`,
    )}
  </ul></nav>
  <form method="post" action="${BASE}/logout" class="logout">
    <input type="hidden" name="_csrf" value="${session.csrf}">
    <span class="who">${session.scope} key${session.accounts ? ` (${session.accounts.join(', ')})` : ''}</span>
    <button type="submit">Log out</button>
  </form>
</header>
<main id="main" tabindex="-1">
<h1>${parts.title}</h1>
${parts.intro}
<div id="live" data-live="${options.liveSrc}" data-poll-ms="${options.pollMs}" data-hash="${liveHash(parts.live)}">${parts.live}</div>
<p id="live-status" class="live-status" role="status" aria-live="polite"></p>
</main>
</body>
</html>`.value;
}

export function loginPage(message?: string): string {
  return markup`${head('Log in')}
<body>
<main id="main" class="login">
<h1>tokpipe console</h1>
<form method="post" action="${BASE}/login">
  ${message ? markup`<p class="error" role="alert" id="login-error">${message}</p>` : ''}
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="off" required
    ${message ? raw('aria-describedby="login-error" aria-invalid="true"') : ''} autofocus>
  <button type="submit">Log in</button>
  <p class="hint">An API key of <code>tokpipe serve</code> (or the one <code>tokpipe demo --console</code> printed).
  Read keys see everything; post and admin keys may also replay and resolve.</p>
</form>
</main>
</body>
</html>`.value;
}

export function errorPage(title: string, message: string): string {
  return markup`${head(title)}
<body><main id="main"><h1>${title}</h1><p role="alert">${message}</p><p><a href="${BASE}/accounts">Back to the console</a></p></main></body>
</html>`.value;
}

/** A hidden CSRF field for a form. */
export const csrfField = (session: Session): Html =>
  markup`<input type="hidden" name="_csrf" value="${session.csrf}" />`;

/** "Not available here" for a missing capability: said, never faked. */
export const unavailable = (what: string, why: string): Html =>
  markup`<p class="unavailable"><strong>${what} is not available in this console.</strong> ${why}</p>`;
