// A community TikTok node for n8n, as published: "Video Post → Upload" (PULL_FROM_URL init), a Wait
// node, then "Post Status → Get". No retry of its own and no creator_info pre-flight; whatever the
// status fetch returns is output as a normal item, so the execution is green even when TikTok says
// FAILED (or is still processing). Source: umairabubakkar/n8n-nodes-tiktok (bench/peers/README.md).
import {
  apiUrl,
  bearer,
  perAccountInOrder,
  pullFromUrlBody,
  type CampaignPost,
  type PeerWorld,
  type Verdict,
} from './campaign';
import { parseJson, type WireRequest } from './wire';

export const COMMUNITY_NODE = {
  /** The Wait node a user puts between the two operations (the node has no wait of its own). */
  waitNodeMs: 30_000,
} as const;

/** tiktokApiRequest: one request; anything outside 2xx (or no reply) becomes a NodeApiError; returns `data`. */
async function tiktokApiRequest(world: PeerWorld, request: WireRequest): Promise<Record<string, unknown>> {
  const reply = await world.wire(request);
  if (reply.status < 200 || reply.status > 299) throw new Error(`NodeApiError: ${reply.status}`);
  return (parseJson(reply.text)?.data as Record<string, unknown> | undefined) ?? {};
}

async function postOne(world: PeerWorld, post: CampaignPost): Promise<Verdict> {
  const headers = bearer(post.account.accessToken);
  try {
    const init = await tiktokApiRequest(world, {
      method: 'POST',
      url: apiUrl(world, 'video_init'),
      headers,
      body: pullFromUrlBody(post),
    });
    await world.clock.sleep(COMMUNITY_NODE.waitNodeMs);
    await tiktokApiRequest(world, {
      method: 'POST',
      url: apiUrl(world, 'status_fetch'),
      headers,
      body: JSON.stringify({ publish_id: init.publish_id }),
    });
    // The status item comes out of the node like any success, whatever data.status says.
    return { verdict: 'published', at: world.clock.now() };
  } catch {
    return { verdict: 'failed', at: world.clock.now() };
  }
}

export function runCommunityNode(world: PeerWorld): Promise<Map<number, Verdict>> {
  return perAccountInOrder(world, (post) => postOne(world, post));
}
