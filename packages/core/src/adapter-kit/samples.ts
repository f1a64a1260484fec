// Example values adapters show before a user's first run (Zapier's samples, Make's interface samples):
// one set of plausible TikTok data, so every platform shows the same example.
import type { CreatorInfo } from '../client/types';
import { idempotencyKey } from '../idempotency/key';
import type { PostOutcome } from '../poster';

export const SAMPLE_OPEN_ID = 'afd97af1-b87b-48b9-ac98-410aghda5344';
export const SAMPLE_PUBLISH_ID = 'v_pub_url~v2.123456789';
export const SAMPLE_POST_ID = '7311111111111111111';

/** A post TikTok accepted (not waited for). */
export const SAMPLE_POST_OUTCOME: Readonly<PostOutcome> = Object.freeze<PostOutcome>({
  publishId: SAMPLE_PUBLISH_ID,
  status: 'ACCEPTED',
  postIds: [],
  attempts: 1,
  // Derived as core derives every key (a literal hex string would read as a hard-coded secret).
  idempotencyKey: idempotencyKey({
    openId: SAMPLE_OPEN_ID,
    asset: 'https://media.example.com/videos/clip.mp4',
    caption: '',
  }),
  reused: false,
  error: null,
});

export const SAMPLE_CREATOR_INFO: Readonly<CreatorInfo> = Object.freeze<CreatorInfo>({
  nickname: 'TikTok Official',
  username: 'tiktok',
  avatarUrl: 'https://lf16-tt4d.tiktokcdn.com/obj/avatar.jpeg',
  privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  commentDisabled: false,
  duetDisabled: false,
  stitchDisabled: true,
  maxVideoPostDurationSec: 300,
});

/** One video as TikTok's video list returns it. */
export const SAMPLE_VIDEO_REPLY: Readonly<Record<string, unknown>> = Object.freeze({
  id: SAMPLE_POST_ID,
  create_time: 1_764_093_600,
  title: 'Hello from tokpipe',
  video_description: 'Hello from tokpipe',
  share_url: `https://www.tiktok.com/@tiktok/video/${SAMPLE_POST_ID}`,
  cover_image_url: 'https://p16-sign.tiktokcdn-us.com/obj/cover.jpeg',
  duration: 12,
  embed_link: `https://www.tiktok.com/embed/v2/${SAMPLE_POST_ID}`,
});

/** A post event as an adapter outputs it (core's POST_EVENT_FIELDS names): the post above, published. */
export const SAMPLE_POST_EVENT: Readonly<Record<string, string>> = Object.freeze({
  event: 'post.publish.complete',
  createdAt: '2026-11-25T12:00:00.000Z',
  openId: SAMPLE_OPEN_ID,
  publishId: SAMPLE_PUBLISH_ID,
  publishType: 'DIRECT_PUBLISH',
});
