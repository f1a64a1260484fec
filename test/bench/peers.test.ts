// The baselines of the peers bench are honest: each one, on a one-post campaign with a scripted
// fault, does what its source does (counted in the sandbox's request log and posts), so none of them
// can quietly become tokpipe, or a strawman.
import { checkClaims } from '../../bench/peers/bench';
import { startPeerWorld, type PeerWorld } from '../../bench/peers/campaign';
import { peersChart } from '../../bench/peers/chart';
import { COMMUNITY_NODE, runCommunityNode } from '../../bench/peers/community-node';
import { runPeers } from '../../bench/peers/index';
import { measure, type PeerRow } from '../../bench/peers/metrics';
import { N8N_RETRY, runN8nRetry } from '../../bench/peers/n8n-retry';
import { NAIVE_LOOP, runNaiveLoop } from '../../bench/peers/naive-loop';
import { POSTIZ, runPostiz, type PostizTrace } from '../../bench/peers/postiz';
import { STRATEGIES } from '../../bench/peers/strategies';
import { peersTable } from '../../bench/peers/table';
import { runTokpipe } from '../../bench/peers/tokpipe';
import type { SandboxConfig } from '@tokpipe/sandbox';

let world: PeerWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function onePost(config: Partial<SandboxConfig> = {}): Promise<PeerWorld> {
  world = await startPeerWorld({
    posts: 1,
    accounts: 1,
    seed: 3,
    requestTimeoutMs: 3_000,
    slowMs: 0,
    faults: 'calm',
    config,
  });
  return world;
}

const sent = (w: PeerWorld, endpoint: string) => w.sb.admin.requests({ endpoint });
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('n8n Retry On Fail', () => {
  it('re-sends an init whose reply was lost (the whole node runs again 5 s later): two posts go live', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    const verdicts = await runN8nRetry(w);

    const inits = sent(w, 'video.init');
    expect(inits.map((r) => r.status)).toEqual([null, 200]);
    expect(gaps(inits.map((r) => r.time))).toEqual([N8N_RETRY.waitBetweenTriesMs]);
    expect(measure('n8n', w, verdicts)).toMatchObject({ published: 1, duplicates: 1 });
    expect(sent(w, 'status')).toHaveLength(1); // one status fetch, after the Wait node
  });

  it('gives up after 5 tries, 5 s apart, and the execution shows an error', async () => {
    const w = await onePost();
    w.sb.admin.script(
      'video.init',
      Array.from({ length: 5 }, () => ({ kind: 'server_error', status: 500, body: 'json' })),
    );
    const verdicts = await runN8nRetry(w);

    expect(gaps(sent(w, 'video.init').map((r) => r.time))).toEqual([5_000, 5_000, 5_000, 5_000]);
    expect(verdicts.get(0)?.verdict).toBe('failed');
  });
});

describe('community node', () => {
  it('reports an async FAILED as a success: one init, one status fetch, no pre-flight, no retry', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'internal' }]);
    const verdicts = await runCommunityNode(w);

    expect(verdicts.get(0)?.verdict).toBe('published');
    expect(w.sb.admin.posts().map((p) => p.status)).toEqual(['FAILED']);
    expect(measure('community', w, verdicts)).toMatchObject({ published: 0, wronglyPublished: 1 });
    const status = sent(w, 'status');
    expect(status).toHaveLength(1);
    expect(status[0]!.time - sent(w, 'video.init')[0]!.time).toBe(COMMUNITY_NODE.waitNodeMs);
    expect(sent(w, 'creator_info')).toHaveLength(0);
  });

  it('does not retry: a 5xx on the init is the end of it', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'server_error', status: 503, body: 'json' }]);
    expect((await runCommunityNode(w)).get(0)?.verdict).toBe('failed');
    expect(sent(w, 'video.init')).toHaveLength(1);
  });
});

describe('Postiz-style', () => {
  it('publishes once (FILE_UPLOAD) and polls every 20 s until PUBLISH_COMPLETE', async () => {
    const w = await onePost({ processingDelayMs: 100_000 });
    const trace: PostizTrace = { statusChecks: new Map(), refreshes: 0 };
    const verdicts = await runPostiz(w, trace);

    expect(verdicts.get(0)?.verdict).toBe('published');
    expect(sent(w, 'video.init')).toHaveLength(1);
    expect(sent(w, 'upload').map((r) => r.status)).toEqual([201]);
    const checks = trace.statusChecks.get(0)!;
    expect(checks.length).toBeGreaterThan(3);
    expect(new Set(gaps(checks))).toEqual(new Set([POSTIZ.pollEveryMs]));
  });

  it('a 500 on the init fails the post (its body matches "internal"): no second publish', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'server_error', status: 500, body: 'json' }]);
    expect((await runPostiz(w)).get(0)?.verdict).toBe('failed');
    expect(sent(w, 'video.init')).toHaveLength(1);
  });

  it('publishes again after a lost init reply (an "unknown" error), but the orphan never gets its bytes: no duplicate', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    const verdicts = await runPostiz(w);

    expect(sent(w, 'video.init').map((r) => r.status)).toEqual([null, 200]);
    expect(
      w.sb.admin
        .posts()
        .map((p) => p.status)
        .sort(),
    ).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
    expect(measure('postiz', w, verdicts)).toMatchObject({ published: 1, duplicates: 0 });
  });

  it('takes every token to last 23 h: a 2 h token is used after it expired, refused, then refreshed', async () => {
    const w = await onePost({ accessTokenTtlSec: 7_200 });
    await w.clock.advance(3 * 3_600_000);
    const trace: PostizTrace = { statusChecks: new Map(), refreshes: 0 };
    expect((await runPostiz(w, trace)).get(0)?.verdict).toBe('published');

    expect(sent(w, 'video.init').map((r) => [r.status, r.errorCode])).toEqual([
      [401, 'access_token_invalid'],
      [200, null],
    ]);
    expect(trace.refreshes).toBe(1);
  });
});

describe('naive loop', () => {
  it('retries every error 3 times, 5 s apart, then reports a failure', async () => {
    const w = await onePost();
    w.sb.admin.script(
      'video.init',
      Array.from({ length: 4 }, () => ({ kind: 'rate_limit' })),
    );
    const verdicts = await runNaiveLoop(w);

    expect(sent(w, 'video.init')).toHaveLength(1 + NAIVE_LOOP.retries);
    expect(gaps(sent(w, 'video.init').map((r) => r.time))).toEqual([5_000, 5_000, 5_000]);
    expect(verdicts.get(0)?.verdict).toBe('failed');
  });

  it('re-posts after a lost reply, like any other error: a duplicate', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'timeout', processed: true }]);
    const verdicts = await runNaiveLoop(w);
    expect(measure('naive', w, verdicts)).toMatchObject({ published: 1, duplicates: 1 });
  });
});

describe('tokpipe, for contrast', () => {
  it('sends the ambiguous init once and finds the post by reconciliation: one post, reported published', async () => {
    const w = await onePost();
    w.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    const verdicts = await runTokpipe(w);

    expect(sent(w, 'video.init')).toHaveLength(1);
    expect(measure('tokpipe', w, verdicts)).toMatchObject({ published: 1, duplicates: 0, wronglyPublished: 0 });
    expect(verdicts.get(0)?.verdict).toBe('published');
  });
});

describe('the whole bench on a tiny hostile campaign', () => {
  it('runs all five strategies on the same seed; tokpipe is at 0 on the claimed columns; the chart has every row', async () => {
    const rows = await runPeers({ posts: 12, accounts: 3, seed: 5, requestTimeoutMs: 1_000, slowMs: 20 });

    expect(rows.map((r) => r.strategy)).toEqual(STRATEGIES.map((s) => s.name));
    const ours = rows.find((r) => r.strategy === 'tokpipe')!;
    expect(ours).toMatchObject({
      duplicates: 0,
      lost: 0,
      wronglyPublished: 0,
      wronglyFailed: 0,
      rateLimitOverWindow: 0,
    });
    expect(checkClaims(rows).every((c) => c.holds)).toBe(true);
    // Every strategy really talked to its sandbox.
    for (const r of rows) expect(r.requests['video.init'] ?? 0).toBeGreaterThanOrEqual(12);
    const svg = peersChart(rows, 'tiny');
    expect(svg.match(/<rect x=/g)).toHaveLength(6 * rows.length);
    expect(peersTable(rows).split('\n')).toHaveLength(2 + rows.length);
  }, 60_000);

  it('a claim fails when tokpipe is worse than any other row', () => {
    const row = (strategy: string, duplicates: number) => ({ ...base, strategy, duplicates });
    const claims = checkClaims([row('tokpipe', 1), row('naive loop', 0)]);
    expect(claims.find((c) => c.column === 'duplicates')).toMatchObject({ holds: false, tokpipe: 1, bestOther: 0 });
    expect(claims.filter((c) => c.column !== 'duplicates').every((c) => c.holds)).toBe(true);
  });
});

const base: PeerRow = {
  strategy: '',
  posts: 1,
  published: 1,
  duplicates: 0,
  lost: 0,
  wronglyPublished: 0,
  wronglyFailed: 0,
  toldUnsure: 0,
  rateLimitReplies: 0,
  rateLimitOverWindow: 0,
  requestsPerPublished: 1,
  statusCallsPerPost: 0,
  timeToConfirmedP50Ms: 0,
  timeToConfirmedP95Ms: 0,
  confirmed: 1,
  quotaPerPublished: 0.2,
  dailyCapOnDuplicates: 0,
  requests: {},
};
