// `tokpipe mcp`: the MCP server for AI agents on the CLI's own state (the store, its accounts and
// jobs). stdio by default (Claude Desktop, Cursor, VS Code); `--http` serves Streamable HTTP at /mcp
// with an API key; `--sandbox` runs it all on an embedded sandbox TikTok with a demo account.
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { pipelineService, type PostingService } from '@tokpipe/core';
import { videoFileSource } from '@tokpipe/core/node';
import { apiKeyVerifier, createMcpHttpHandler, createMcpServer, hashApiKey } from '@tokpipe/mcp';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { UsageError } from '../args';
import { stateLocation } from '@tokpipe/engine';
import { runtime, type Runtime } from '../context';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import { accountPosters, openPipeline, type PipelineSession } from '../pipeline-session';
import { databaseFlag, STORE_HELP, fileState, openState, type StateStore } from '../state';
import type { CliIO } from '../io';
import type { Command } from '../main';

/** The demo account `--sandbox` connects. */
export const SANDBOX_ACCOUNT = 'demo';
/** Real ms per virtual ms under --sandbox (the demo's pace). */
const SANDBOX_TIME_SCALE = 0.1;
/** API keys shorter than this are refused: a key is a long random string, not a password. */
const MIN_API_KEY_LENGTH = 24;

function backendOn(rt: Runtime, session: PipelineSession, state: StateStore): PostingService {
  const { pipeline } = session;
  const posterFor = accountPosters(rt, state, pipeline);
  return pipelineService({
    pipeline,
    clock: rt.clock,
    posterFor,
    openFile: (file) => videoFileSource(file),
    onClose: () => session.close(),
  });
}

/** The key the HTTP server accepts, as a hash: TOKPIPE_API_KEY_HASH (sha256:<hex>) or TOKPIPE_API_KEY (hashed at once). */
function apiKeyHashes(env: Record<string, string | undefined>): string {
  const hash = env.TOKPIPE_API_KEY_HASH?.trim();
  if (hash) {
    if (!/^sha256:[0-9a-f]{64}$/.test(hash))
      throw new UsageError('TOKPIPE_API_KEY_HASH must be sha256:<64 hex digits>', 'TOKPIPE_API_KEY_HASH');
    return hash;
  }
  const key = env.TOKPIPE_API_KEY?.trim();
  if (!key)
    throw new UsageError('--http needs an API key: set TOKPIPE_API_KEY (or TOKPIPE_API_KEY_HASH)', 'TOKPIPE_API_KEY');
  if (key.length < MIN_API_KEY_LENGTH)
    throw new UsageError(
      `TOKPIPE_API_KEY must be at least ${MIN_API_KEY_LENGTH} characters (e.g. openssl rand -hex 24)`,
      'TOKPIPE_API_KEY',
    );
  return hashApiKey(key);
}

async function connectSandboxAccount(sandbox: Sandbox, session: PipelineSession, rt: Runtime): Promise<void> {
  const [first] = sandbox.admin.demo().accounts;
  const token = sandbox.admin.issueToken(first!.openId);
  await session.pipeline.accounts.add({
    id: SANDBOX_ACCOUNT,
    region: 'EU',
    token: {
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_at: rt.clock.now() + token.expiresIn * 1000,
      scope: token.scope,
      open_id: token.openId,
    },
  });
}

async function serveHttp(
  io: CliIO,
  backend: PostingService,
  host: string,
  port: number,
  secrets: Array<string | undefined>,
): Promise<void> {
  const verifyApiKey = apiKeyVerifier(apiKeyHashes(io.env));
  const log = (line: string) => io.stderr.write(line + '\n');
  const handler = createMcpHttpHandler({ backend, verifyApiKey, log, secrets });
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the MCP endpoint is /mcp\n');
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  io.stderr.write(
    `tokpipe mcp: Streamable HTTP on http://${host}:${address.port}/mcp (Authorization: Bearer <TOKPIPE_API_KEY>)\n`,
  );
  await io.interrupted;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function serveStdio(io: CliIO, backend: PostingService, secrets: Array<string | undefined>): Promise<void> {
  // stdout belongs to the protocol: every human line goes to stderr.
  const server = createMcpServer({ backend, log: (line) => io.stderr.write(line + '\n'), secrets });
  const transport = new StdioServerTransport(process.stdin, process.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  io.stderr.write('tokpipe mcp: serving on stdio\n');
  await Promise.race([closed, io.interrupted]);
  await server.close();
}

export const mcp: Command = {
  path: ['mcp'],
  spec: {
    usage: 'tokpipe mcp [--sandbox] [--http [--port N] [--host ADDR]] [--store PATH]',
    flags: {
      sandbox: {
        kind: 'boolean',
        description: 'run on an embedded sandbox TikTok with a demo account (no TikTok account needed)',
      },
      http: {
        kind: 'boolean',
        description: 'serve Streamable HTTP at /mcp instead of stdio (API key: TOKPIPE_API_KEY)',
      },
      port: { kind: 'integer', min: 0, max: 65535, description: 'HTTP port (default 8787; 0 = any free port)' },
      host: { kind: 'string', description: 'HTTP address to bind (default 127.0.0.1)' },
      store: { kind: 'string', description: `${STORE_HELP} (with --sandbox: a scratch file)` },
      ...databaseFlag,
    },
  },
  async run(args, io) {
    if (!args.flags.http && (args.flags.port !== undefined || args.flags.host !== undefined))
      throw new UsageError('--port and --host need --http', '--port');
    // The sandbox runs on the demo's fast clock unless TOKPIPE_TIME_SCALE says otherwise: a post is
    // published in seconds, and every wait, poll and backoff keeps its proportions.
    const timeScale =
      args.flags.sandbox === true && !io.env.TOKPIPE_TIME_SCALE
        ? String(SANDBOX_TIME_SCALE)
        : io.env.TOKPIPE_TIME_SCALE;
    const env = readEnv({ ...io.env, TOKPIPE_TIME_SCALE: timeScale });
    let sandbox: Sandbox | undefined;
    let scratch: string | undefined;
    let rt = runtime(env);
    if (args.flags.http === true) apiKeyHashes(io.env); // a missing key is refused before anything starts
    try {
      let file = stateLocation({ store: args.flags.store, env: io.env, cwd: io.cwd }).storeFile;
      if (args.flags.sandbox === true) {
        const clock = rt.clock;
        sandbox = await startSandbox({
          clock: { now: () => clock.now() },
          config: { verifiedDomains: ['tokpipe.example'] },
        });
        const creds = sandbox.admin.demo();
        rt = {
          ...runtime({ ...env, baseUrl: sandbox.url, clientKey: creds.clientKey, clientSecret: creds.clientSecret }),
          clock,
        };
        if (typeof args.flags.store !== 'string') {
          scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-mcp-'));
          file = path.join(scratch, 'sandbox.db');
        }
      }
      const state = sandbox ? fileState(file) : await openState(rt, args.flags, io);
      const session = await openPipeline(rt, state);
      const backend = backendOn(rt, session, state);
      try {
        if (sandbox) {
          await connectSandboxAccount(sandbox, session, rt);
          io.stderr.write(
            `tokpipe mcp: sandbox TikTok at ${sandbox.url}; account "${SANDBOX_ACCOUNT}" connected;` +
              ` sample video ${sandbox.url}/media/sample.mp4\n`,
          );
        }
        await session.pipeline.start();
        session.pipeline.startReconciliation();
        const secrets = [rt.env.clientSecret, io.env.TOKPIPE_API_KEY];
        if (args.flags.http === true) {
          await serveHttp(
            io,
            backend,
            typeof args.flags.host === 'string' ? args.flags.host : '127.0.0.1',
            (args.flags.port as number | undefined) ?? 8787,
            secrets,
          );
        } else {
          await serveStdio(io, backend, secrets);
        }
        return EXIT.ok;
      } finally {
        await backend.close();
      }
    } finally {
      await sandbox?.close();
      if (scratch) await fs.rm(scratch, { recursive: true, force: true });
    }
  },
};
