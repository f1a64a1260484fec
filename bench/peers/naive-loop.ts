// The loop people write first: post, poll until done, and on any error wait 5 s and do it all again,
// 3 times. Every error looks the same to it: a 429, a reset after TikTok took the init, a FAILED.
import { COMPLETE, FAILED, apiUrl, bearer, perAccountInOrder, pullFromUrlBody } from './campaign';
import type { CampaignPost, PeerWorld, Verdict } from './campaign';
import { parseJson, type WireRequest } from './wire';

export const NAIVE_LOOP = { retries: 3, waitMs: 5_000, pollEveryMs: 5_000, maxPolls: 60 } as const;

async function call(world: PeerWorld, request: WireRequest): Promise<Record<string, unknown>> {
  const reply = await world.wire(request);
  const body = parseJson(reply.text);
  if (reply.status !== 200 || !body) throw new Error(`HTTP ${reply.status}`);
  return (body.data as Record<string, unknown> | undefined) ?? {};
}

async function postAndWait(world: PeerWorld, post: CampaignPost): Promise<void> {
  const headers = bearer(post.account.accessToken);
  const init = await call(world, {
    method: 'POST',
    url: apiUrl(world, 'video_init'),
    headers,
    body: pullFromUrlBody(post),
  });
  if (typeof init.publish_id !== 'string') throw new Error('no publish_id');
  for (let poll = 0; poll < NAIVE_LOOP.maxPolls; poll++) {
    await world.clock.sleep(NAIVE_LOOP.pollEveryMs);
    const body = JSON.stringify({ publish_id: init.publish_id });
    const status = await call(world, { method: 'POST', url: apiUrl(world, 'status_fetch'), headers, body });
    if (status.status === COMPLETE) return;
    if (status.status === FAILED) throw new Error(`FAILED ${String(status.fail_reason)}`);
  }
  throw new Error('still processing');
}

async function postOne(world: PeerWorld, post: CampaignPost): Promise<Verdict> {
  for (let attempt = 0; ; attempt++) {
    try {
      await postAndWait(world, post);
      return { verdict: 'published', at: world.clock.now() };
    } catch {
      if (attempt >= NAIVE_LOOP.retries) return { verdict: 'failed', at: world.clock.now() };
      await world.clock.sleep(NAIVE_LOOP.waitMs);
    }
  }
}

export function runNaiveLoop(world: PeerWorld): Promise<Map<number, Verdict>> {
  return perAccountInOrder(world, (post) => postOne(world, post));
}
