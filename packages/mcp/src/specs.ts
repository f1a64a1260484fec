// Tool arguments (catalog field names) → core's JobSpec. Pure; mistakes throw core's input error
// naming the tool's field, before anything is queued.
import { inputError, type JobMedia, type JobSpec, type PrivacyLevel } from '@tokpipe/core';

export type PostArgs = Record<string, unknown>;

/** Catalog fields that travel in JobSpec.options (the rest have their own JobSpec slot). */
const OPTION_FIELDS = [
  'disableComment',
  'disableDuet',
  'disableStitch',
  'videoCoverTimestampMs',
  'brandContentToggle',
  'brandOrganicToggle',
  'isAigc',
  'autoAddMusic',
] as const;

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Which media the arguments name; `allowed` is what the tool posts. */
function mediaFrom(args: PostArgs, allowed: 'video' | 'photos' | 'either'): JobMedia {
  const hasPhotos = present(args.photoUrls);
  const hasUrl = present(args.videoUrl);
  const hasFile = present(args.videoFile);
  if (hasPhotos && (hasUrl || hasFile)) throw inputError('photoUrls', 'give photos or a video, not both');
  if (hasPhotos && allowed !== 'video') {
    const urls = args.photoUrls as string[];
    return present(args.coverIndex)
      ? { type: 'photo_urls', urls, coverIndex: args.coverIndex as number }
      : { type: 'photo_urls', urls };
  }
  if (allowed === 'photos') throw inputError('photoUrls', 'is required');
  if (hasUrl && hasFile) throw inputError('videoUrl', 'give a video URL or a video file, not both');
  if (hasFile) return { type: 'video_file', path: String(args.videoFile) };
  if (hasUrl) return { type: 'video_url', url: String(args.videoUrl).trim() };
  throw inputError(
    'videoUrl',
    allowed === 'either' ? 'is required (or give videoFile or photoUrls)' : 'is required (or give videoFile)',
  );
}

export function specFrom(args: PostArgs, mode: 'direct' | 'draft', allowed: 'video' | 'photos' | 'either'): JobSpec {
  const spec: JobSpec = { mode, media: mediaFrom(args, allowed) };
  if (present(args.account)) spec.account = String(args.account);
  if (present(args.region)) spec.region = String(args.region);
  if (present(args.title)) spec.title = String(args.title);
  if (present(args.description)) spec.description = String(args.description);
  if (present(args.privacyLevel)) spec.privacyLevel = args.privacyLevel as PrivacyLevel;
  if (present(args.publishAt)) spec.publishAt = String(args.publishAt);
  if (present(args.idempotencyKey)) spec.idempotencyKey = String(args.idempotencyKey);
  const options: NonNullable<JobSpec['options']> = {};
  for (const name of OPTION_FIELDS)
    if (args[name] !== undefined) (options as Record<string, unknown>)[name] = args[name];
  if (Object.keys(options).length) spec.options = options;
  return spec;
}
