// The console's test world: a real sandbox TikTok and core's real Pipeline on one VirtualClock, the
// posting service with recorded timelines, a campaign with one post TikTok refuses (a scripted
// privacy_level_option_mismatch, with its log_id), and the console on 127.0.0.1 with three keys.
import { randomBytes } from 'node:crypto';
import {
  createPoster,
  Ledger,
  MemoryStore,
  oauthRefresher,
  Pipeline,
  pipelineService,
  recordTimelines,
  TikTokOAuth,
  TokenManager,
  VirtualClock,
  type JobSpec,
  type PostingService,
} from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { pipelineResolve, sandboxViewOf, startConsole, type KeyIdentity, type RunningConsole } from '@tokpipe/console';

export const ACCOUNTS = ['north-studio', 'south-studio', 'us-brand'];

export interface World {
  clock: VirtualClock;
  sb: Sandbox;
  pipeline: Pipeline;
  service: PostingService;
  console: RunningConsole;
  keys: { admin: string; read: string; post: string };
  /** Every secret the world holds (tokens, client secret, API keys), for the leak scan. */
  secrets: string[];
  /** The job TikTok refused. */
  failedJobId: string;
  /** Runs the clock until `cond` holds (real I/O turns only, never a real sleep of seconds). */
  settle(cond: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

const key = (): string => `tpk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('hex')}`;

export async function startWorld(): Promise<World> {
  const clock = new VirtualClock({ autoAdvance: true });
  const sb = await startSandbox({
    clock,
    faults: 'calm',
    seed: 7,
    workIntervalMs: 0,
    config: { moderationDelayMs: 0 },
  });
  const transport = clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 }));
  const store = new MemoryStore();
  const demo = sb.admin.demo();
  const oauth = new TikTokOAuth({
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    transport,
    baseUrl: sb.url,
    clock,
  });
  const posterOf = (auth: TokenManager) =>
    createPoster({
      baseUrl: sb.url,
      transport,
      clock,
      store,
      auth,
      requestTimeoutMs: 1_000,
      random: () => 0.5,
      retry: { maxAttempts: 1 },
    });
  const pipeline = await Pipeline.open({
    store,
    clock,
    random: () => 0.5,
    ledger: new Ledger(store, clock),
    posterFor: (_account, { tokens, limiter }) =>
      createPoster({
        baseUrl: sb.url,
        transport,
        clock,
        store,
        limiter,
        requestTimeoutMs: 1_000,
        random: () => 0.5,
        retry: { maxAttempts: 1 },
        auth: new TokenManager({ store: tokens, clock, refresh: oauthRefresher(oauth) }),
      }),
  });
  const timelines = recordTimelines(pipeline);
  const secrets: string[] = [demo.clientSecret];
  const openIds = new Map<string, string>();
  for (const id of ACCOUNTS) {
    const user = sb.admin.createUser({ username: id.replace(/-/g, '_') });
    const token = sb.admin.issueToken(user.openId);
    openIds.set(user.openId, id);
    secrets.push(token.accessToken, token.refreshToken);
    await pipeline.accounts.add({
      id,
      token: {
        access_token: token.accessToken,
        refresh_token: token.refreshToken,
        expires_at: clock.now() + token.expiresIn * 1000,
        // us-brand's authorization runs out in two days: the accounts page warns.
        refresh_expires_at: clock.now() + (id === 'us-brand' ? 2 * 86_400_000 : token.refreshExpiresIn * 1000),
        scope: token.scope,
        open_id: user.openId,
      },
    });
  }
  const service = pipelineService({
    pipeline,
    clock,
    timelines,
    posterFor: (record) =>
      posterOf(
        new TokenManager({ store: pipeline.accounts.tokenStore(record.id), clock, refresh: oauthRefresher(oauth) }),
      ),
  });

  const settle = async (cond: () => boolean, what: string): Promise<void> => {
    clock.setAutoAdvance(true);
    try {
      const giveUpAt = Date.now() + 20_000;
      while (!cond()) {
        if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      clock.setAutoAdvance(false);
    }
  };
  const done = (ids: string[]) => () =>
    ids.every((id) => ['published', 'delivered', 'dead'].includes(pipeline.getJob(id)?.state ?? ''));

  // The refused post first, alone: TikTok's scripted answer is for the next video init.
  const spec = (n: number, account: string, extra: Partial<JobSpec> = {}): JobSpec => ({
    account,
    mode: 'direct',
    media: { type: 'video_url', url: `${sb.url}/media/sample.mp4` },
    title: `Console demo ${n} #tokpipe`,
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    idempotencyKey: `console-${String(n).padStart(2, '0')}`,
    label: `campaign.csv:${n + 1}`,
    ...extra,
  });
  sb.admin.script('video.init', [
    { kind: 'error', status: 403, code: 'privacy_level_option_mismatch', message: 'privacy level not allowed' },
  ]);
  const failed = await pipeline.submit(spec(1, 'north-studio'));
  await settle(done([failed.job.id]), 'the refused post');
  const rest = await pipeline.submitMany(ACCOUNTS.flatMap((a, i) => [spec(2 + i * 2, a), spec(3 + i * 2, a)]));
  await settle(done(rest.map((r) => r.job.id)), 'the campaign');

  const keys = { admin: key(), read: key(), post: key() };
  secrets.push(keys.admin, keys.read, keys.post);
  const identities: Record<string, KeyIdentity> = {
    [keys.admin]: { scope: 'admin' },
    [keys.read]: { scopes: ['read'] },
    [keys.post]: { scope: 'post' },
  };
  const running = await startConsole({
    service,
    clock,
    verifyApiKey: (presented) => identities[presented],
    sandbox: sandboxViewOf(sb.admin, (openId) => openIds.get(openId)),
    resolve: pipelineResolve(pipeline),
    pollMs: 250, // real ms in the browser: the live test waits for the refresh
    // The auto-advancing clock jumps to the pipeline's next timer whenever nothing is in flight, so a slow
    // browser step can pass hours of virtual time: sessions here outlive the run (expiry: http.test.ts).
    sessionTtlMs: 365 * 24 * 3_600_000,
  });
  return {
    clock,
    sb,
    pipeline,
    service,
    console: running,
    keys,
    secrets,
    failedJobId: failed.job.id,
    settle,
    close: async () => {
      await running.close();
      timelines.stop();
      pipeline.stop();
      await sb.close();
    },
  };
}
