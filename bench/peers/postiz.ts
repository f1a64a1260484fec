// Postiz's TikTok provider and post workflow as of gitroomhq/postiz-app@74b01ad (2026-08-21):
// - postPending: FILE_UPLOAD init (one chunk up to 64 MiB), then the bytes PUT to upload_url; a
//   network error on the PUT is ignored ("pending"), any other non-2xx fails the post.
// - SocialAbstract.fetch: a 429 / rate_limit_exceeded body / a 500 whose body matches none of the
//   provider's substrings waits 5 s and sends again, at most 3 more times; a 401 or
//   access_token_invalid is RefreshToken; anything else is BadBody (a failed post).
// - the workflow (post.workflow.v1.0.9): up to 5 passes over the publish; RefreshToken refreshes and
//   publishes again; BadBody fails the post; any other error (a reset, no reply) publishes again.
// - resolvePending: one status check, then 20 s, up to 90 checks; an error inside a check counts as
//   "pending"; PUBLISH_COMPLETE or SEND_TO_USER_INBOX = published, FAILED = failed, none in 90 =
//   "could not confirm" (reported, not published).
// - tokens: every access token is taken to last 23 h from when it was obtained.
import {
  COMPLETE,
  FAILED,
  IN_INBOX,
  PUBLIC,
  apiUrl,
  perAccountInOrder,
  type CampaignPost,
  type PeerWorld,
  type Verdict,
} from './campaign';
import { WireError, parseJson, type WireRequest } from './wire';

export const POSTIZ = {
  pollEveryMs: 20_000,
  maxPendingChecks: 90,
  publishPasses: 5,
  fetchRetries: 3,
  fetchRetryWaitMs: 5_000,
  tokenLifetimeGuessMs: 23 * 3_600_000,
  maxSingleChunk: 64 * 1024 * 1024,
  chunkSize: 10 * 1024 * 1024,
} as const;

/** handleErrors: the provider matches substrings of the raw body, in this order (first hit wins). */
const BODY_MATCHES: Array<[string, 'refresh-token' | 'bad-body' | 'disconnect']> = [
  ['access_token_invalid', 'refresh-token'],
  ['scope_not_authorized', 'bad-body'],
  ['rate_limit_exceeded', 'bad-body'],
  ['video_pull_failed', 'bad-body'],
  ['spam_risk', 'bad-body'],
  ['reached_active_user_cap', 'disconnect'],
  ['url_ownership_unverified', 'bad-body'],
  ['privacy_level_option_mismatch', 'bad-body'],
  ['invalid_params', 'bad-body'],
  ['internal', 'bad-body'],
];

class BadBody extends Error {}
class RefreshToken extends Error {}

interface PostizToken {
  access: string;
  refresh: string;
  expiresAt: number;
}

export interface PostizTrace {
  /** Virtual times of each post's status checks, by post index (for the honesty test). */
  statusChecks: Map<number, number[]>;
  refreshes: number;
}

function handleErrors(body: string): 'refresh-token' | 'bad-body' | 'disconnect' | undefined {
  return BODY_MATCHES.find(([needle]) => body.includes(needle))?.[1];
}

/** SocialAbstract.fetch: 200/201 pass; the rest as the header says. A reply that never comes throws WireError. */
async function postizFetch(world: PeerWorld, request: WireRequest): Promise<Record<string, unknown>> {
  for (let retries = 0; ; retries++) {
    const reply = await world.wire(request);
    if (reply.status === 200 || reply.status === 201) return parseJson(reply.text) ?? {};
    if (retries > 2) throw new BadBody(reply.text);
    const kind = handleErrors(reply.text);
    const again = reply.status === 429 || (reply.status === 500 && !kind) || reply.text.includes('rate_limit_exceeded');
    if (again) {
      await world.clock.sleep(POSTIZ.fetchRetryWaitMs);
      continue;
    }
    if ((reply.status === 401 && (kind === 'refresh-token' || !kind)) || kind === 'refresh-token')
      throw new RefreshToken(reply.text);
    throw new BadBody(reply.text);
  }
}

function headers(token: PostizToken): Record<string, string> {
  return { Authorization: `Bearer ${token.access}`, 'Content-Type': 'application/json; charset=UTF-8' };
}

async function refresh(world: PeerWorld, token: PostizToken, trace: PostizTrace): Promise<void> {
  trace.refreshes++;
  const form = new URLSearchParams({
    client_key: world.clientKey,
    client_secret: world.clientSecret,
    grant_type: 'refresh_token',
    refresh_token: token.refresh,
  });
  const reply = await world.wire({
    method: 'POST',
    url: apiUrl(world, 'oauth_token'),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = parseJson(reply.text) ?? {};
  if (typeof body.access_token !== 'string') throw new BadBody(reply.text); // the channel needs a re-connect
  token.access = body.access_token;
  token.refresh = typeof body.refresh_token === 'string' ? body.refresh_token : token.refresh;
  token.expiresAt = world.clock.now() + POSTIZ.tokenLifetimeGuessMs;
  const fields = 'open_id,avatar_url,display_name,union_id,username';
  await world.wire({ method: 'GET', url: `${apiUrl(world, 'user_info')}?fields=${fields}`, headers: headers(token) });
}

/** postPending: init FILE_UPLOAD, PUT the bytes; returns the publish_id. */
async function postPending(world: PeerWorld, post: CampaignPost, token: PostizToken, video: Buffer): Promise<string> {
  const chunk =
    video.length <= POSTIZ.maxSingleChunk
      ? { chunk_size: video.length, total_chunk_count: 1 }
      : { chunk_size: POSTIZ.chunkSize, total_chunk_count: Math.floor(video.length / POSTIZ.chunkSize) };
  const body = JSON.stringify({
    post_info: {
      title: post.caption,
      privacy_level: PUBLIC,
      disable_duet: false,
      disable_comment: false,
      disable_stitch: false,
      is_aigc: false,
      brand_content_toggle: false,
      brand_organic_toggle: false,
    },
    source_info: { source: 'FILE_UPLOAD', video_size: video.length, ...chunk },
  });
  const init = await postizFetch(world, {
    method: 'POST',
    url: apiUrl(world, 'video_init'),
    headers: headers(token),
    body,
  });
  const data = (init.data ?? {}) as { publish_id?: string; upload_url?: string };
  if (data.upload_url) {
    try {
      const range = `bytes 0-${video.length - 1}/${video.length}`;
      const putHeaders = { 'Content-Type': 'video/mp4', 'Content-Range': range };
      const put = await world.wire({ method: 'PUT', url: data.upload_url, headers: putHeaders, body: video });
      if (put.status !== 200 && put.status !== 201 && put.status !== 206) throw new BadBody(put.text);
    } catch (err) {
      if (!(err instanceof WireError)) throw err; // a network error on the PUT is ambiguous: left to the status checks
    }
  }
  return String(data.publish_id);
}

/** checkPostStatus: one status call; its own errors mean "pending". */
async function checkPostStatus(
  world: PeerWorld,
  token: PostizToken,
  publishId: string,
): Promise<'published' | 'failed' | 'pending'> {
  let status: unknown;
  try {
    const body = JSON.stringify({ publish_id: publishId });
    const reply = await postizFetch(world, {
      method: 'POST',
      url: apiUrl(world, 'status_fetch'),
      headers: headers(token),
      body,
    });
    status = (reply.data as Record<string, unknown> | undefined)?.status;
  } catch (err) {
    if (err instanceof RefreshToken) throw err;
    return 'pending';
  }
  if (status === IN_INBOX || status === COMPLETE) return 'published';
  return status === FAILED ? 'failed' : 'pending';
}

async function resolvePending(
  world: PeerWorld,
  post: CampaignPost,
  token: PostizToken,
  publishId: string,
  trace: PostizTrace,
): Promise<Verdict> {
  const checks = trace.statusChecks.get(post.index) ?? [];
  trace.statusChecks.set(post.index, checks);
  for (let check = 0; check < POSTIZ.maxPendingChecks; check++) {
    checks.push(world.clock.now());
    let result: 'published' | 'failed' | 'pending';
    try {
      result = await checkPostStatus(world, token, publishId);
    } catch {
      await refresh(world, token, trace); // RefreshToken: refreshed, check again at once
      continue;
    }
    if (result !== 'pending') return { verdict: result, at: world.clock.now() };
    await world.clock.sleep(POSTIZ.pollEveryMs);
  }
  return { verdict: 'unknown', at: world.clock.now() }; // "We couldn't confirm your post"
}

async function postOne(
  world: PeerWorld,
  post: CampaignPost,
  token: PostizToken,
  video: Buffer,
  trace: PostizTrace,
): Promise<Verdict> {
  if (world.clock.now() >= token.expiresAt) await refresh(world, token, trace);
  for (let pass = 0; pass < POSTIZ.publishPasses; pass++) {
    let publishId: string;
    try {
      publishId = await postPending(world, post, token, video);
    } catch (err) {
      if (err instanceof RefreshToken) {
        await refresh(world, token, trace);
        continue;
      }
      if (err instanceof BadBody) return { verdict: 'failed', at: world.clock.now() };
      continue; // "unknown" (a reset, no reply): the post is marked ERROR and the loop publishes again
    }
    return resolvePending(world, post, token, publishId, trace);
  }
  return { verdict: 'failed', at: world.clock.now() };
}

export async function runPostiz(
  world: PeerWorld,
  trace: PostizTrace = { statusChecks: new Map(), refreshes: 0 },
): Promise<Map<number, Verdict>> {
  // Postiz streams the video from its own storage: fetched once here, outside the counted requests.
  const video = (await world.wire({ method: 'GET', url: world.posts[0]!.videoUrl })).bytes;
  const expiresAt = world.startedAt + POSTIZ.tokenLifetimeGuessMs;
  const tokens = new Map(
    world.accounts.map((a) => [a.id, { access: a.accessToken, refresh: a.refreshToken, expiresAt }]),
  );
  return perAccountInOrder(world, (post) => postOne(world, post, tokens.get(post.account.id)!, video, trace));
}
