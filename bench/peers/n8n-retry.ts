// n8n's own "Retry On Fail" around plain HTTP Request nodes: the workflow a user builds without a
// TikTok node. One execution per post: HTTP Request (init) → Wait → HTTP Request (status) → IF
// status is PUBLISH_COMPLETE. Each HTTP node has Retry On Fail at n8n's maximum: 5 tries, 5 s apart.
// Sources (bench/peers/README.md): n8n WorkflowExecute.processRunExecutionData / getRetryParams;
// the HTTP Request node throws on a reply outside 2xx and on no reply.
import {
  COMPLETE,
  apiUrl,
  bearer,
  perAccountInOrder,
  pullFromUrlBody,
  type CampaignPost,
  type PeerWorld,
  type Verdict,
} from './campaign';
import { parseJson, type WireRequest } from './wire';

export const N8N_RETRY = {
  /** n8n caps Retry On Fail at 5 tries and 5000 ms between them; users who turn it on for TikTok max both. */
  maxTries: 5,
  waitBetweenTriesMs: 5_000,
  /** The Wait node between the init and the one status fetch. */
  waitNodeMs: 30_000,
} as const;

/** One HTTP Request node run by n8n's engine: any failure re-runs the whole node, request included. */
async function httpRequestNode(world: PeerWorld, request: WireRequest): Promise<Record<string, unknown>> {
  for (let tryIndex = 0; ; tryIndex++) {
    try {
      const reply = await world.wire(request);
      if (reply.status < 200 || reply.status > 299) throw new Error(`Request failed with status code ${reply.status}`);
      return parseJson(reply.text) ?? {};
    } catch (err) {
      if (tryIndex + 1 >= N8N_RETRY.maxTries) throw err;
      await world.clock.sleep(N8N_RETRY.waitBetweenTriesMs);
    }
  }
}

async function postOne(world: PeerWorld, post: CampaignPost): Promise<Verdict> {
  const failed = (): Verdict => ({ verdict: 'failed', at: world.clock.now() }); // the execution shows an error
  const headers = bearer(post.account.accessToken);
  let publishId: unknown;
  try {
    const init = await httpRequestNode(world, {
      method: 'POST',
      url: apiUrl(world, 'video_init'),
      headers,
      body: pullFromUrlBody(post),
    });
    publishId = (init.data as Record<string, unknown> | undefined)?.publish_id;
  } catch {
    return failed();
  }
  if (typeof publishId !== 'string') return failed(); // the next node's expression has nothing to read
  await world.clock.sleep(N8N_RETRY.waitNodeMs);
  try {
    const body = JSON.stringify({ publish_id: publishId });
    const status = await httpRequestNode(world, { method: 'POST', url: apiUrl(world, 'status_fetch'), headers, body });
    const data = status.data as Record<string, unknown> | undefined;
    return data?.status === COMPLETE ? { verdict: 'published', at: world.clock.now() } : failed(); // IF node, false branch
  } catch {
    return failed();
  }
}

export function runN8nRetry(world: PeerWorld): Promise<Map<number, Verdict>> {
  return perAccountInOrder(world, (post) => postOne(world, post));
}
