// The console as a Fastify plugin, mounted under /console: login with an API key (a server-side session
// in an httpOnly SameSite=Strict cookie), the pages, their live fragments, the actions (POST with the
// session's CSRF token and a same-origin check; scope checked again), and the package's own CSS and JS.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redactText, rememberSecret } from '@tokpipe/core';
import { allowed, canAdmin, canPost, type PageContext } from './context';
import { BASE, errorPage, liveHash, loginPage, page, type PageParts } from './layout';
import { accountsPage } from './pages/accounts';
import { deliveriesPage } from './pages/deliveries';
import { needsHumanPage } from './pages/needs-human';
import { postsPage } from './pages/posts';
import { sandboxPage } from './pages/sandbox';
import { timelinePage } from './pages/timeline';
import { scopeOf, type ConsoleOptions } from './ports';
import { clearedCookie, COOKIE, cookieValue, csrfMatches, Sessions, sessionCookie, type Session } from './sessions';

const ASSETS_DIR = path.join(__dirname, '..', 'assets');
const ASSETS: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
const DEFAULT_TTL_MS = 8 * 3_600_000;

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

type Page = (ctx: PageContext) => Promise<PageParts>;
const PAGES: Record<string, Page> = {
  accounts: accountsPage,
  posts: postsPage,
  'needs-human': needsHumanPage,
  deliveries: deliveriesPage,
  sandbox: sandboxPage,
};

type Query = Record<string, string | undefined>;
type Form = Record<string, string | undefined>;

const safeMessage = (err: unknown): string => redactText(err instanceof Error ? err.message : String(err));

const isHttps = (request: FastifyRequest): boolean => request.protocol === 'https';

/** A POST must come from a page of this console: Origin (or, without it, Referer) names this host. */
function sameOrigin(request: FastifyRequest): boolean {
  const expected = `${request.protocol}://${request.headers.host ?? ''}`;
  const origin = request.headers.origin;
  if (origin) return origin === expected;
  const referer = request.headers.referer;
  return referer !== undefined && (referer === expected || referer.startsWith(`${expected}/`));
}

export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  await app.register(async (scope) => routes(scope, options), { prefix: BASE });
}

async function routes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const ttl = options.sessionTtlMs ?? DEFAULT_TTL_MS;
  const sessions = new Sessions(options.clock, ttl);
  const pollMs = options.pollMs ?? 3_000;
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(path.join(ASSETS_DIR, name))]));

  // Forms post urlencoded bodies; this parser lives only inside the console's scope.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setErrorHandler(async (error, request, reply) => {
    request.log.warn(`console: ${safeMessage(error)}`);
    // Core's input errors (a post id it refuses, a job it cannot settle) are the user's to fix: 400.
    const input = (error as { details?: { layer?: string } }).details?.layer === 'input';
    const status = input ? 400 : ((error as { statusCode?: number }).statusCode ?? 500);
    return reply
      .code(status >= 400 ? status : 500)
      .type('text/html')
      .send(errorPage(input ? 'Not done' : 'Something went wrong', safeMessage(error)));
  });

  const sessionOf = (request: FastifyRequest): Session | undefined =>
    sessions.get(cookieValue(request.headers.cookie, COOKIE));
  const contextOf = (request: FastifyRequest, session: Session): PageContext => ({
    opts: options,
    session,
    now: options.clock.now(),
    query: request.query as Query,
  });
  const refuse = (reply: FastifyReply, status: number, message: string) =>
    reply
      .code(status)
      .type('text/html')
      .send(errorPage(status === 403 ? 'Not allowed' : 'Not found', message));

  /** Every POST but login: a live session, its CSRF token and the same origin. */
  const guardPost = (request: FastifyRequest, reply: FastifyReply): Session | undefined => {
    const session = sessionOf(request);
    const form = (request.body ?? {}) as Form;
    if (!session) {
      void reply.code(401).type('text/html').send(errorPage('Not logged in', 'Your session ended: log in again.'));
      return undefined;
    }
    if (!sameOrigin(request) || !csrfMatches(session, form._csrf)) {
      void refuse(
        reply,
        403,
        'This form did not come from this console (CSRF check failed): reload the page and try again.',
      );
      return undefined;
    }
    return session;
  };

  app.get('/assets/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    const body = assets.get(name);
    if (!body) return refuse(reply, 404, 'No such file.');
    return reply.type(ASSETS[name]!).header('cache-control', 'no-cache').send(body);
  });

  app.get('/', async (request, reply) =>
    reply.redirect(sessionOf(request) ? `${BASE}/accounts` : `${BASE}/login`, 303),
  );
  app.get('/login', async (_request, reply) => reply.type('text/html').send(loginPage()));

  app.post('/login', async (request, reply) => {
    const key = ((request.body ?? {}) as Form).key?.trim() ?? '';
    if (!sameOrigin(request)) return refuse(reply, 403, 'Log in from the console itself.');
    const identity = key ? await options.verifyApiKey(key) : undefined;
    const scope = identity ? scopeOf(identity) : undefined;
    // The form again with the reason (200: a page for a person, not an API answer).
    if (!identity || !scope) return reply.type('text/html').send(loginPage('That key is not valid (or was revoked).'));
    rememberSecret(key); // a live key: scrubbed from every text from now on, even if echoed somewhere
    const session = sessions.create(scope, identity.accounts);
    return reply.header('set-cookie', sessionCookie(session, isHttps(request), ttl)).redirect(`${BASE}/accounts`, 303);
  });

  app.post('/logout', async (request, reply) => {
    const session = guardPost(request, reply);
    if (!session) return reply;
    sessions.end(session.id);
    return reply.header('set-cookie', clearedCookie(isHttps(request))).redirect(`${BASE}/login`, 303);
  });

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    section: string,
    build: (ctx: PageContext) => Promise<PageParts | undefined>,
  ) => {
    const session = sessionOf(request);
    // A live refresh after the session ended: the page's script goes to the login page (no error status
    // for the browser to log on every poll).
    if (!session)
      return (request.query as Query).fragment
        ? reply.code(204).header('x-console-session', 'ended').send()
        : reply.redirect(`${BASE}/login`, 303);
    const parts = await build(contextOf(request, session));
    if (!parts) return refuse(reply, 404, 'No such post (or not one of your key’s accounts).');
    if ((request.query as Query).fragment)
      return reply.type('text/html').header('x-live-hash', liveHash(parts.live)).send(parts.live.value);
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('fragment', '1');
    return reply.type('text/html').send(page(parts, { section, session, liveSrc: url.pathname + url.search, pollMs }));
  };

  for (const [section, build] of Object.entries(PAGES))
    app.get(`/${section}`, (request, reply) => render(request, reply, section, build));
  app.get('/posts/:jobId', (request, reply) =>
    render(request, reply, 'posts', (ctx) => timelinePage(ctx, (request.params as { jobId: string }).jobId)),
  );

  /** The job an action names, if this session may act on it. */
  const actionTarget = async (session: Session, jobId: string | undefined) => {
    if (!jobId) return undefined;
    const post = await options.service.status({ jobId }).catch(() => undefined);
    return post && allowed({ session }, post.account) ? post : undefined;
  };

  app.post('/actions/replay', async (request, reply) => {
    const session = guardPost(request, reply);
    if (!session) return reply;
    if (!canPost({ session })) return refuse(reply, 403, 'Replay needs a post or admin key; this key is read-only.');
    const form = request.body as Form;
    const post = await actionTarget(session, form.jobId);
    if (!post) return refuse(reply, 404, 'No such post in the dead-letter queue.');
    await options.service.dlq.replay(post.jobId!, form.force === '1' ? { force: true } : {});
    return reply.redirect(`${BASE}/posts/${encodeURIComponent(post.jobId!)}`, 303);
  });

  app.post('/actions/resolve', async (request, reply) => {
    const session = guardPost(request, reply);
    if (!session) return reply;
    if (!canPost({ session }))
      return refuse(reply, 403, 'Marking a post needs a post or admin key; this key is read-only.');
    if (!options.resolve) return refuse(reply, 404, 'Mark as posted is not available in this console.');
    const form = request.body as Form;
    const post = await actionTarget(session, form.jobId);
    if (!post) return refuse(reply, 404, 'No such post.');
    const postId = form.postId?.trim() ?? '';
    if (form.posted === '1' && !postId)
      return reply
        .code(400)
        .type('text/html')
        .send(errorPage('Post id needed', 'postId: give the TikTok post id you found on the account.'));
    await options.resolve(post.jobId!, form.posted === '1' ? { posted: true, postId } : { posted: false });
    return reply.redirect(`${BASE}/posts/${encodeURIComponent(post.jobId!)}`, 303);
  });

  app.post('/actions/redeliver', async (request, reply) => {
    const session = guardPost(request, reply);
    if (!session) return reply;
    if (!canAdmin({ session })) return refuse(reply, 403, 'Redeliver needs an admin key.');
    const id = (request.body as Form).id;
    if (!options.deliveries?.redeliver || !id) return refuse(reply, 404, 'Redeliver is not available here.');
    await options.deliveries.redeliver(id);
    return reply.redirect(`${BASE}/deliveries`, 303);
  });
}
