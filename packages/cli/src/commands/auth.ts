// `tokpipe auth login`: TikTok's desktop OAuth flow. A one-shot callback server on 127.0.0.1, the
// authorize URL printed (and opened in the browser on a terminal), the code exchanged with PKCE,
// and the token file written atomically with mode 0600. No token is ever printed.
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import { buildAuthorizeUrl, createCodeVerifier, createState, TIKTOK_AUTHORIZE_URL } from '@tokpipe/core';
import { AccountRegistry } from '@tokpipe/core';
import {
  describeLocation,
  readTokenSource,
  systemClock,
  tokenFileFromOAuth,
  tokenRecordFromFile,
  writeTokenFile,
  type TokenFileData,
  type TokenPointer,
} from '@tokpipe/core/node';
import { UsageError } from '../args';
import { DEFAULT_API_BASE_URL, readEnv, requireClientCredentials, type CliEnv } from '../env';
import { EXIT } from '../outcome';
import { oauthClient, runtime, tokenFilePath, type Runtime } from '../context';
import { openPointedState } from '../token-source';
import type { CliIO } from '../io';
import type { Command } from '../main';
const DEFAULT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];
/** How long the user has to finish in the browser. Real time: a person in a browser is not on the
 * virtual clock, so TOKPIPE_TIME_SCALE does not shorten it. */
const LOGIN_TIMEOUT_MS = 5 * 60_000;

/** TikTok serves the authorize page from www.tiktok.com; a sandbox or proxy serves it itself. */
export function authorizeEndpoint(env: CliEnv, vars: Record<string, string | undefined>): string {
  if (vars.TIKTOK_AUTHORIZE_URL) return vars.TIKTOK_AUTHORIZE_URL;
  return env.baseUrl === DEFAULT_API_BASE_URL ? TIKTOK_AUTHORIZE_URL : `${env.baseUrl}/v2/auth/authorize/`;
}

interface CallbackResult {
  code?: string;
  error?: string;
  errorDescription?: string;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>tokpipe</title><h1>${title}</h1><p>${text}</p>`;

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no browser: the printed URL is enough
    child.unref();
  } catch {
    /* the URL is printed anyway */
  }
}

/** A new login for the account a token file points at: stored in its row (active again), the file untouched.
 * Returns where, for the message. A login as another TikTok user is refused (the file names this account). */
async function loginToAccount(
  rt: Runtime,
  file: string,
  pointer: TokenPointer,
  data: TokenFileData,
  io: CliIO,
): Promise<string> {
  const state = await openPointedState(rt, file, pointer, {}, io);
  try {
    const registry = new AccountRegistry(state.store, rt.clock);
    await registry.load();
    const known = registry.get(pointer.account)?.openId ?? pointer.openId;
    if (known && known !== data.open_id)
      throw new UsageError(
        `this login is open_id ${data.open_id}, but ${file} points at account ${pointer.account} (open_id ${known}): ` +
          'log in as that TikTok user, or use another --token-file for a new account',
        '--token-file',
      );
    await registry.add({ id: pointer.account, token: tokenRecordFromFile(data) });
    return describeLocation(pointer.state);
  } finally {
    await state.close();
  }
}

export const authLogin: Command = {
  path: ['auth', 'login'],
  spec: {
    usage: 'tokpipe auth login [--token-file PATH] [--port N] [--scopes LIST] [--no-browser]',
    flags: {
      'token-file': { kind: 'string', description: 'where to save the tokens (default .tokpipe/token.json)' },
      port: { kind: 'integer', min: 0, max: 65535, description: 'callback port on 127.0.0.1 (default: any free port)' },
      scopes: { kind: 'string', description: `comma-separated scopes (default ${DEFAULT_SCOPES.join(',')})` },
      'no-browser': { kind: 'boolean', description: 'only print the URL' },
    },
  },
  async run(args, io) {
    const env = readEnv(io.env);
    const creds = requireClientCredentials(env, 'to log in'); // checked before the browser opens
    const scopes =
      typeof args.flags.scopes === 'string'
        ? args.flags.scopes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : DEFAULT_SCOPES;
    if (scopes.length === 0) throw new UsageError('--scopes must name at least one scope', '--scopes');
    const tokenFile = tokenFilePath(args.flags['token-file'], io.cwd);
    const rt = runtime(env);
    // A file whose tokens moved into the state: the new login goes to that account (no second copy).
    const pointer = await readTokenSource(tokenFile).then(
      (source) => ('pointer' in source ? source.pointer : undefined),
      () => undefined, // missing or unreadable: the login writes a fresh file
    );
    const state = createState();
    const codeVerifier = createCodeVerifier();

    let settle!: (r: CallbackResult) => void;
    const callback = new Promise<CallbackResult>((resolve) => (settle = resolve));
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback/') {
        res.writeHead(404).end();
        return;
      }
      // A callback without our state is someone else's (or a forged) redirect: ignore it.
      if (url.searchParams.get('state') !== state) {
        res
          .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            PAGE('Login failed', 'The state parameter does not match this login. Start again with tokpipe auth login.'),
          );
        return;
      }
      const error = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      res.writeHead(error ? 400 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        error
          ? PAGE('Login failed', `TikTok said: ${error}. You can close this tab.`)
          : PAGE('Logged in', 'tokpipe received the authorization. You can close this tab.'),
      );
      settle(
        error ? { error, errorDescription: url.searchParams.get('error_description') ?? '' } : { code: code ?? '' },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new UsageError(`--port ${String(args.flags.port)} is already in use`, '--port')
            : err,
        ),
      );
      server.listen((args.flags.port as number | undefined) ?? 0, '127.0.0.1', () => resolve());
    });
    try {
      const { port } = server.address() as { port: number };
      const redirectUri = `http://127.0.0.1:${port}/callback/`;
      const url = buildAuthorizeUrl({
        authorizeUrl: authorizeEndpoint(env, io.env),
        clientKey: creds.clientKey,
        redirectUri,
        scopes,
        state,
        codeVerifier,
      });
      io.stderr.write(`Open this URL to authorize tokpipe (register ${redirectUri} as a redirect URI of your app):\n`);
      io.stdout.write(url + '\n');
      if (args.flags['no-browser'] !== true && io.stdout.isTTY) openBrowser(url);

      const timeout = systemClock({ scale: 1 })
        .sleep(LOGIN_TIMEOUT_MS)
        .then(() => 'timeout' as const);
      const first = await Promise.race([callback, timeout, io.interrupted.then(() => 'interrupted' as const)]);
      if (first === 'timeout' || first === 'interrupted') {
        io.stderr.write(
          first === 'timeout'
            ? 'tokpipe: no authorization arrived within 5 minutes; run tokpipe auth login again\n'
            : 'tokpipe: login cancelled\n',
        );
        return EXIT.other;
      }
      if (first.error) {
        io.stderr.write(
          `tokpipe: TikTok refused the authorization: ${first.error}${first.errorDescription ? ` (${first.errorDescription})` : ''}\n`,
        );
        return EXIT.reauthorize;
      }
      if (!first.code) {
        io.stderr.write('tokpipe: the callback carried no code; run tokpipe auth login again\n');
        return EXIT.other;
      }
      const tokens = await oauthClient(rt, 'to log in').exchangeCode({ code: first.code, redirectUri, codeVerifier });
      const reply = {
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_in: tokens.expiresIn,
        scope: tokens.scopes.join(','),
        open_id: tokens.openId,
      };
      const data = tokenFileFromOAuth(
        tokens.refreshExpiresIn !== undefined ? { ...reply, refresh_expires_in: tokens.refreshExpiresIn } : reply,
        rt.clock.now(),
      );
      if (pointer) {
        const where = await loginToAccount(rt, tokenFile, pointer, data, io);
        io.stderr.write(
          `Saved the tokens for open_id ${data.open_id} (scopes: ${data.scopes.join(', ') || 'none'}) to account ${pointer.account} in ${where} (${tokenFile} points at it)\n`,
        );
      } else {
        await writeTokenFile(tokenFile, data);
        io.stderr.write(
          `Saved the tokens for open_id ${data.open_id} (scopes: ${data.scopes.join(', ') || 'none'}) to ${tokenFile}\n`,
        );
      }
      const missing = scopes.filter((s) => !data.scopes.includes(s));
      if (missing.length)
        io.stderr.write(
          `Note: the user did not grant ${missing.join(', ')}; posts that need it will ask to re-authorize.\n`,
        );
      return EXIT.ok;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  },
};
