// @tokpipe/sandbox: a faithful TikTok Content Posting API v2 + OAuth v2 + webhooks on 127.0.0.1.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { adminHttp, makeAdmin, type DemoCredentials, type SandboxAdmin } from './admin';
import type { SandboxConfig } from './config';
import { Engine, type Clockish } from './engine';
import type { FaultTable, ProfileName } from './faults';
import { makeHandler } from './server';
import { Webhooks } from './webhooks';

export type { SandboxConfig } from './config';
export type { Fault, FaultTable, ProfileName, EndpointName } from './faults';
export { ENDPOINTS, PROFILES } from './faults';
export type { SandboxAdmin, DemoCredentials, DemoAccount, PostSummary, RequestFilter, IssuedToken } from './admin';
export type { RequestRecord } from './engine';
export type { Delivery, DeliveryAttempt } from './webhooks';
export { solidJpeg, sampleMp4, mediaNames } from './media';

export interface SandboxOptions {
  /** 0 (default) = an ephemeral port. Always bound to 127.0.0.1. */
  port?: number;
  /** Virtual time source (ms). When given, every window, delay and expiry reads it. */
  clock?: { now(): number };
  /** Without a clock: virtual elapsed = real elapsed / timeScale (default env TOKPIPE_TIME_SCALE, else 1). */
  timeScale?: number;
  /** Seeds ids, tokens and fault dice (default 1). */
  seed?: number;
  faults?: ProfileName | FaultTable;
  config?: Partial<SandboxConfig>;
  /** Real ms between background passes over due webhook work (default 50; 0 = only runDueWork()). */
  workIntervalMs?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  admin: SandboxAdmin;
  close(): Promise<void>;
}

const DEMO_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.list',
  'video.publish',
  'video.upload',
];

function resolveScale(option: number | undefined): number {
  const raw = option ?? (process.env.TOKPIPE_TIME_SCALE !== undefined ? Number(process.env.TOKPIPE_TIME_SCALE) : 1);
  if (!(typeof raw === 'number' && Number.isFinite(raw) && raw > 0))
    throw new Error('timeScale: must be a positive number (TOKPIPE_TIME_SCALE too)');
  return raw;
}

/** Real time scaled, plus admin.advance() jumps. */
function scaledClock(scale: number): Clockish & { advance(ms: number): void } {
  const origin = Date.now();
  let offset = 0;
  return {
    now: () => Math.floor(origin + (Date.now() - origin) / scale + offset),
    advance: (ms: number) => {
      if (!(ms >= 0)) throw new Error('ms: must be a non-negative number');
      offset += ms;
    },
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const own = options.clock ? null : scaledClock(resolveScale(options.timeScale));
  const clock: Clockish = options.clock ?? (own as Clockish);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new Error('seed: must be an integer');
  const engine = new Engine(clock, seed, options.config ?? {});
  const webhooks = new Webhooks(engine, own ? () => Date.now() : () => engine.now());
  let demo: DemoCredentials;
  let url = '';

  const onRemoved = (openId: string, clientKey: string, reason: number) => {
    const now = engine.now();
    engine.world.revokeUser(openId, clientKey);
    // Uploads/downloads still running fail with auth_removed.
    for (const p of engine.world.posts.values())
      if (p.openId === openId && p.clientKey === clientKey && !p.failure)
        p.failure = { reason: 'auth_removed', at: now };
    webhooks.enqueue('authorization.removed', openId, clientKey, { reason }, now);
  };

  const seedWorld = () => {
    const app = engine.world.createApp();
    const users = [
      engine.world.createUser({ username: 'sandbox_creator', nickname: 'Sandbox Creator' }),
      engine.world.createUser({ username: 'sandbox_private', nickname: 'Sandbox Private', privateAccount: true }),
    ];
    const now = engine.now();
    const cfg = engine.config;
    demo = {
      url,
      clientKey: app.clientKey,
      clientSecret: app.clientSecret,
      accounts: users.map((u) => {
        const g = engine.world.issueGrant(
          u.openId,
          app.clientKey,
          DEMO_SCOPES,
          now,
          cfg.accessTokenTtlSec,
          cfg.refreshTokenTtlSec,
        );
        return {
          openId: u.openId,
          accessToken: g.accessToken,
          refreshToken: g.refreshToken,
          scope: DEMO_SCOPES.join(','),
        };
      }),
    };
    if (options.faults) engine.faults.setProfile(options.faults);
  };

  const admin = makeAdmin({
    engine,
    webhooks,
    demo: () => ({ ...demo, url, accounts: demo.accounts.map((a) => ({ ...a })) }),
    advance: (ms) => {
      if (!own) throw new Error('advance: the sandbox runs on an injected clock; advance that clock instead');
      own.advance(ms);
    },
    onRemoved,
    reset: () => {
      engine.resetState();
      webhooks.reset();
      seedWorld();
    },
  });

  const handler = makeHandler(engine, { onRemoved, admin: (req) => adminHttp(admin, req) });
  const server = createServer((req, res) => {
    handler(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sandbox error: ${err.message}`);
    });
  });
  // Idle keep-alive sockets outlive any client pool's idle timeout (undici: 4 s), so a client never picks a
  // socket the server is closing: that race shows up as ECONNRESET on a loaded machine.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  engine.baseUrl = url;
  seedWorld();

  const interval = options.workIntervalMs ?? 50;
  const timer =
    interval > 0
      ? setInterval(() => {
          if (!webhooks.busy) webhooks.runDue().catch(() => undefined); // the next pass retries
        }, interval)
      : null;
  timer?.unref();

  return {
    url,
    port,
    admin,
    close: async () => {
      if (timer) clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { sandboxCommand, type SandboxCommandIO } from './cli';
