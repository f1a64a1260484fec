// TikTok's wire shapes (snake_case, as sent) and the camelCase results the client returns.
import type { ErrorDetails } from '../errors/types';
import type { PublishStatus } from '../catalog/statuses';
import type { PrivacyLevel } from '../types';

export interface VideoPostInfo {
  privacy_level: PrivacyLevel;
  title?: string;
  disable_duet?: boolean;
  disable_stitch?: boolean;
  disable_comment?: boolean;
  video_cover_timestamp_ms?: number;
  brand_content_toggle?: boolean;
  brand_organic_toggle?: boolean;
  is_aigc?: boolean;
}

export type VideoSourceInfo =
  | { source: 'PULL_FROM_URL'; video_url: string }
  | { source: 'FILE_UPLOAD'; video_size: number; chunk_size: number; total_chunk_count: number };

export interface DirectVideoInitBody {
  post_info: VideoPostInfo;
  source_info: VideoSourceInfo;
}

/** Inbox (draft) video: TikTok documents no post_info here. */
export interface InboxVideoInitBody {
  source_info: VideoSourceInfo;
}

export interface PhotoPostInfo {
  title?: string;
  description?: string;
  privacy_level?: PrivacyLevel;
  disable_comment?: boolean;
  auto_add_music?: boolean;
  brand_content_toggle?: boolean;
  brand_organic_toggle?: boolean;
}

export interface PhotoInitBody {
  media_type: 'PHOTO';
  post_mode: 'DIRECT_POST' | 'MEDIA_UPLOAD';
  post_info: PhotoPostInfo;
  source_info: { source: 'PULL_FROM_URL'; photo_images: string[]; photo_cover_index: number };
}

export interface InitResult {
  publishId: string;
  /** FILE_UPLOAD only: use exactly as returned (its query string carries the upload authorization). */
  uploadUrl?: string;
  logId?: string;
}

export interface CreatorInfo {
  avatarUrl?: string;
  username?: string;
  nickname?: string;
  privacyLevelOptions: PrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec?: number;
  logId?: string;
}

/** TikTok's publish states (never UNCONFIRMED: that is ours). */

export interface StatusResult {
  status: PublishStatus;
  failReason?: string;
  /** publicaly_available_post_id, as exact decimal strings. */
  postIds: string[];
  uploadedBytes?: number;
  downloadedBytes?: number;
  /** For FAILED: the classified fail_reason. */
  error?: ErrorDetails;
  logId?: string;
}

export interface UserInfo {
  openId?: string;
  unionId?: string;
  avatarUrl?: string;
  displayName?: string;
  username?: string;
  /** Every field TikTok returned, as sent (snake_case). */
  fields: Record<string, unknown>;
  logId?: string;
}

export interface VideoListPage {
  videos: Array<Record<string, unknown>>;
  /** Pass back as `cursor` for the next page. */
  cursor?: number | string;
  hasMore: boolean;
  logId?: string;
}

/** One chunk's byte range, inclusive and 0-based like Content-Range. */
export interface ByteRange {
  first: number;
  last: number;
  total: number;
}

export interface UploadChunkResult {
  /** 201: every chunk is in and processing starts; 206: more chunks expected. */
  complete: boolean;
  httpStatus: number;
  /** The raw Content-Range TikTok answered with (`bytes 0-N/TOTAL`), if any. */
  contentRange?: string;
}
