// The video content types TikTok takes for a file upload, and how a file name or MIME type maps to one.
// A leaf: types.ts and the adapters import it.

/** MP4 (recommended), QuickTime (MOV) and WebM: TikTok's video formats. */
export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
export type VideoContentType = (typeof VIDEO_CONTENT_TYPES)[number];

/** JPEG and WebP: TikTok's photo formats. */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/webp'] as const;
export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

/** What an upload is sent as when the source does not say. */
export const DEFAULT_VIDEO_CONTENT_TYPE: VideoContentType = 'video/mp4';

const CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, VideoContentType>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.qt': 'video/quicktime',
  '.webm': 'video/webm',
};

/** The video content type for a MIME type (parameters and case ignored), or undefined if TikTok takes no such video. */
export function videoContentTypeOf(mimeType: string | undefined): VideoContentType | undefined {
  const bare = (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  return (VIDEO_CONTENT_TYPES as readonly string[]).includes(bare) ? (bare as VideoContentType) : undefined;
}

/** The video content type for a file name by its extension, or undefined. */
export function videoContentTypeForFileName(name: string): VideoContentType | undefined {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? undefined : CONTENT_TYPE_BY_EXTENSION[base.slice(dot).toLowerCase()];
}

/** How a refusal names the accepted formats. */
export const VIDEO_FORMATS_TEXT = 'MP4, MOV (QuickTime) or WebM';
