// The canonical post request and outcome every adapter speaks. Adapters translate their own
// fields into a PostRequest and a PostOutcome back into their platform's output.
import type { VideoContentType } from './catalog/media';
import type { PublishStatus } from './catalog/statuses';

export type PrivacyLevel = 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';

/** TikTok's status strings, plus UNCONFIRMED (no terminal state within the polling budget). */
export type PostStatus = PublishStatus | 'UNCONFIRMED';

/** Random access to media bytes: lets the uploader stream with memory bounded by two chunks (one
 * in flight, the next being read). */
export interface ByteSource {
  size: number;
  /** Bytes [offset, offset + length). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Optional: fill `target` with the bytes from `offset`; resolves with how many were written (fewer
   * only at a short read). Lets readers reuse one buffer instead of allocating one per chunk. */
  readInto?(target: Uint8Array, offset: number): Promise<number>;
  /** Stable identity for idempotency: the hex sha256 of the content, or `scheme:value` when the content
   * cannot be hashed first (e.g. `zapier-file:<url>` for a one-pass download). Computed lazily. */
  identity?: () => Promise<string>;
  contentType?: VideoContentType;
  /** A forward-only source (a stream): its bytes can be read once. It cannot be hashed for the
   * idempotency key and then uploaded, nor uploaded again for a re-post. */
  onePass?: boolean;
}

export type MediaSource =
  | { type: 'video_url'; url: string }
  | { type: 'video_file'; file: ByteSource }
  | { type: 'photo_urls'; urls: string[]; coverIndex?: number };

export interface PostRequest {
  /** 'direct' posts to the profile (video.publish); 'draft' sends to the creator's inbox (video.upload). */
  mode: 'direct' | 'draft';
  media: MediaSource;
  title?: string;
  /** Photo posts only. */
  description?: string;
  privacyLevel?: PrivacyLevel;
  disableComment?: boolean;
  disableDuet?: boolean;
  disableStitch?: boolean;
  videoCoverTimestampMs?: number;
  brandContentToggle?: boolean;
  brandOrganicToggle?: boolean;
  isAigc?: boolean;
  /** Photo direct posts only. */
  autoAddMusic?: boolean;
  /** Intended publish time (ISO-8601); part of the idempotency key. */
  publishAt?: string;
  /** Overrides the computed idempotency key. */
  idempotencyKey?: string;
  /** Things the official API cannot do; present only so we can refuse them with a clear message. */
  unsupported?: { soundUrl?: string; soundId?: string; location?: string; effects?: unknown; overlays?: unknown };
}
