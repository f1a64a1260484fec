// The PostRequest rules: what TikTok accepts, checked before any request so bad input never reaches it.
import { z } from 'zod';
import { STRUCTURAL_CODE_BY_FIELD, structuralError } from '../errors/classify';
import type { PostRequest, PrivacyLevel } from '../types';
import { zodToInputError } from './format';

export const PRIVACY_LEVELS: readonly PrivacyLevel[] = [
  'PUBLIC_TO_EVERYONE',
  'MUTUAL_FOLLOW_FRIENDS',
  'FOLLOWER_OF_CREATOR',
  'SELF_ONLY',
];

export interface PostLimits {
  /** Video caption, UTF-16 units (current doc 2200; an older doc said 150). */
  maxVideoTitleLength: number;
  /** Photo title, UTF-16 units. */
  maxPhotoTitleLength: number;
  /** Photo description, UTF-16 units. */
  maxDescriptionLength: number;
  maxPhotos: number;
  /** Largest video file TikTok accepts (4 GB). */
  maxVideoBytes: number;
  /** Accept plain http media URLs on 127.0.0.1/localhost (the sandbox serves its media there). TikTok
   * itself can never fetch a loopback URL, so this cannot let a bad URL through to production. */
  allowLoopbackHttp: boolean;
}

export const defaultPostLimits: Readonly<PostLimits> = Object.freeze({
  maxVideoTitleLength: 2200,
  maxPhotoTitleLength: 90,
  maxDescriptionLength: 4000,
  maxPhotos: 35,
  maxVideoBytes: 4 * 1024 * 1024 * 1024,
  allowLoopbackHttp: true,
});

/** The four kinds of post TikTok distinguishes; each takes a different set of fields. */
export type PostKind = 'direct_video' | 'draft_video' | 'direct_photo' | 'draft_photo';

const KIND_LABEL: Record<PostKind, string> = {
  direct_video: 'direct video posts',
  draft_video:
    "draft (inbox) videos: TikTok's inbox upload takes no post details, the creator adds them in the TikTok app",
  direct_photo: 'direct photo posts',
  draft_photo: 'draft (inbox) photo posts: TikTok honours only title and description there',
};

/** Which optional PostRequest fields each kind of post accepts (reference §1.2-§1.4). */
export const FIELDS_BY_KIND: Readonly<Record<string, readonly PostKind[]>> = Object.freeze({
  title: ['direct_video', 'direct_photo', 'draft_photo'],
  description: ['direct_photo', 'draft_photo'],
  privacyLevel: ['direct_video', 'direct_photo'],
  disableComment: ['direct_video', 'direct_photo'],
  disableDuet: ['direct_video'],
  disableStitch: ['direct_video'],
  videoCoverTimestampMs: ['direct_video'],
  brandContentToggle: ['direct_video', 'direct_photo'],
  brandOrganicToggle: ['direct_video', 'direct_photo'],
  isAigc: ['direct_video'],
  autoAddMusic: ['direct_photo'],
});

/** Fields a kind of post cannot go without. */
const REQUIRED_BY_KIND: Readonly<Record<PostKind, readonly string[]>> = {
  direct_video: ['privacyLevel'],
  direct_photo: ['privacyLevel'],
  draft_video: [],
  draft_photo: [],
};

export function postKind(req: Pick<PostRequest, 'mode' | 'media'>): PostKind {
  const photo = req.media.type === 'photo_urls';
  // Adapters ask before validation: a junk mode (e.g. an object with no toString) must not throw
  // here; validation refuses it naming the field.
  const mode = typeof req.mode === 'string' ? req.mode : 'direct';
  return `${mode}_${photo ? 'photo' : 'video'}` as PostKind;
}

function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

function mediaUrl(limits: PostLimits) {
  return z.string({ invalid_type_error: 'must be a URL string' }).superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an absolute https URL, got "${value.slice(0, 100)}"` });
      return;
    }
    const loopbackHttp = limits.allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname);
    if (url.protocol !== 'https:' && !loopbackHttp) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an https URL (TikTok only pulls media over https), got ${url.protocol}`,
      });
    }
  });
}

const byteSource = (limits: PostLimits) =>
  z
    .object(
      {
        size: z
          .number({ invalid_type_error: 'must be a number of bytes' })
          .int('must be a whole number of bytes')
          .positive('must be more than 0 bytes (the file is empty)')
          .max(limits.maxVideoBytes, `must be at most ${limits.maxVideoBytes} bytes (TikTok's 4 GB limit)`),
        read: z.custom<unknown>((v) => typeof v === 'function', 'must be a function (offset, length) => bytes'),
      },
      { invalid_type_error: 'must be a ByteSource ({size, read})' },
    )
    .passthrough();

const boolField = z.boolean({ invalid_type_error: 'must be true or false' }).optional();

export function postRequestSchema(overrides: Partial<PostLimits> = {}) {
  const limits: PostLimits = { ...defaultPostLimits, ...overrides };
  const media = z.discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('video_url'), url: mediaUrl(limits) }).strict(),
      z.object({ type: z.literal('video_file'), file: byteSource(limits) }).strict(),
      z
        .object({
          type: z.literal('photo_urls'),
          urls: z
            .array(mediaUrl(limits), { invalid_type_error: 'must be a list of photo URLs' })
            .min(1, 'must contain at least one photo URL')
            .max(limits.maxPhotos, `must contain at most ${limits.maxPhotos} photos (TikTok's limit)`),
          coverIndex: z
            .number({ invalid_type_error: 'must be a number' })
            .int('must be a whole number')
            .min(0, 'must be 0 or more')
            .optional(),
        })
        .strict(),
    ],
    { errorMap: () => ({ message: 'must be one of video_url, video_file, photo_urls' }) },
  );

  return z
    .object(
      {
        mode: z.enum(['direct', 'draft'], { errorMap: () => ({ message: 'must be "direct" or "draft"' }) }),
        media,
        title: z.string({ invalid_type_error: 'must be text' }).optional(),
        description: z.string({ invalid_type_error: 'must be text' }).optional(),
        privacyLevel: z
          .enum(PRIVACY_LEVELS as [PrivacyLevel, ...PrivacyLevel[]], {
            errorMap: () => ({ message: `must be one of ${PRIVACY_LEVELS.join(', ')}` }),
          })
          .optional(),
        disableComment: boolField,
        disableDuet: boolField,
        disableStitch: boolField,
        videoCoverTimestampMs: z
          .number({ invalid_type_error: 'must be a number' })
          .int('must be whole milliseconds')
          .min(0, 'must be 0 or more')
          .max(2_147_483_647, 'must fit in int32')
          .optional(),
        brandContentToggle: boolField,
        brandOrganicToggle: boolField,
        isAigc: boolField,
        autoAddMusic: boolField,
        publishAt: z
          .string({ invalid_type_error: 'must be an ISO-8601 date-time' })
          .datetime({ offset: true, message: 'must be an ISO-8601 date-time such as 2026-05-01T09:00:00Z' })
          .optional(),
        idempotencyKey: z
          .string({ invalid_type_error: 'must be text' })
          .min(1, 'must not be empty')
          .max(256, 'must be at most 256 characters')
          .optional(),
        unsupported: z
          .object({
            soundUrl: z.unknown(),
            soundId: z.unknown(),
            location: z.unknown(),
            effects: z.unknown(),
            overlays: z.unknown(),
          })
          .partial()
          .strict()
          .optional(),
      },
      { invalid_type_error: 'must be an object' },
    )
    .strict()
    .superRefine((req, ctx) => {
      const kind = postKind(req as PostRequest);
      const values = req as Record<string, unknown>;
      for (const [field, kinds] of Object.entries(FIELDS_BY_KIND)) {
        if (values[field] !== undefined && !kinds.includes(kind)) {
          ctx.addIssue({ code: 'custom', path: [field], message: `does not apply to ${KIND_LABEL[kind]}` });
        }
      }
      for (const field of REQUIRED_BY_KIND[kind]) {
        if (values[field] === undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${KIND_LABEL[kind]}` });
      }
      const photo = req.media.type === 'photo_urls';
      const maxTitle = photo ? limits.maxPhotoTitleLength : limits.maxVideoTitleLength;
      // String length counts UTF-16 code units, which is how TikTok counts ("UTF-16 runes").
      if (req.title !== undefined && req.title.length > maxTitle) {
        ctx.addIssue({
          code: 'custom',
          path: ['title'],
          message: `is ${req.title.length} UTF-16 characters; TikTok allows at most ${maxTitle} for ${photo ? 'photo' : 'video'} posts`,
        });
      }
      if (req.description !== undefined && req.description.length > limits.maxDescriptionLength) {
        ctx.addIssue({
          code: 'custom',
          path: ['description'],
          message: `is ${req.description.length} UTF-16 characters; TikTok allows at most ${limits.maxDescriptionLength}`,
        });
      }
      if (
        req.media.type === 'photo_urls' &&
        req.media.coverIndex !== undefined &&
        req.media.coverIndex >= req.media.urls.length
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['media', 'coverIndex'],
          message: `is ${req.media.coverIndex} but there are only ${req.media.urls.length} photos (0-based, at most ${req.media.urls.length - 1})`,
        });
      }
    });
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

/** Checks a PostRequest before anything is sent. Throws TokpipeError layer 'structural' for things
 * the API cannot do (req.unsupported), layer 'input' naming the field for everything else.
 * Returns the same request object (ByteSources keep their identity). */
// Building the zod schema costs far more than running it (it dominated core's posts/s benchmark), and
// every poster validates with the same few limit sets: keep one schema per distinct set of limits.
const schemaByLimits = new Map<string, ReturnType<typeof postRequestSchema>>();
const MAX_CACHED_SCHEMAS = 32;

let defaultSchema: ReturnType<typeof postRequestSchema> | undefined;

function cachedPostRequestSchema(overrides: Partial<PostLimits>): ReturnType<typeof postRequestSchema> {
  if (Object.keys(overrides).length === 0) return (defaultSchema ??= postRequestSchema());
  const limits: PostLimits = { ...defaultPostLimits, ...overrides };
  const key = JSON.stringify(
    Object.keys(limits)
      .sort()
      .map((name) => [name, limits[name as keyof PostLimits]]),
  );
  let schema = schemaByLimits.get(key);
  if (!schema) {
    if (schemaByLimits.size >= MAX_CACHED_SCHEMAS) schemaByLimits.clear();
    schema = postRequestSchema(limits);
    schemaByLimits.set(key, schema);
  }
  return schema;
}

export function validatePostRequest(req: unknown, limits: Partial<PostLimits> = {}): PostRequest {
  const unsupported = (req as PostRequest | null)?.unsupported;
  if (unsupported && typeof unsupported === 'object') {
    for (const [field, code] of Object.entries(STRUCTURAL_CODE_BY_FIELD)) {
      if (hasValue((unsupported as Record<string, unknown>)[field]))
        throw structuralError(code, `unsupported.${field}`);
    }
  }
  if (Object.keys(limits).length === 0 && plainlyValid(req)) return req as PostRequest;
  const result = cachedPostRequestSchema(limits).safeParse(req);
  if (!result.success) throw zodToInputError(result.error);
  return req as PostRequest;
}

// Zod dominated core's per-post cost (a request is checked at submit, by the poster and when its init
// body is built). The common request, with the default limits, is checked here by hand first. This
// only ever says "valid" for what the schema accepts; anything else, or anything less common
// (files, publishAt, unsupported, unusual objects), goes to the schema, which decides and words the error.
const topLevelKeys: ReadonlySet<string> = new Set([
  'mode',
  'media',
  'title',
  'description',
  'privacyLevel',
  'disableComment',
  'disableDuet',
  'disableStitch',
  'videoCoverTimestampMs',
  'brandContentToggle',
  'brandOrganicToggle',
  'isAigc',
  'autoAddMusic',
  'publishAt',
  'idempotencyKey',
  'unsupported',
]);
const booleanKeys = [
  'disableComment',
  'disableDuet',
  'disableStitch',
  'brandContentToggle',
  'brandOrganicToggle',
  'isAigc',
  'autoAddMusic',
] as const;
const privacyLevels: ReadonlySet<unknown> = new Set(PRIVACY_LEVELS);
const fieldsByKindEntries = Object.entries(FIELDS_BY_KIND); // FIELDS_BY_KIND is frozen

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
  return true;
}

/** mediaUrl's rule with the default limits. */
function plainlyValidUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' ||
    (defaultPostLimits.allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname))
  );
}

const videoUrlKeys: ReadonlySet<string> = new Set(['type', 'url']);
const photoUrlsKeys: ReadonlySet<string> = new Set(['type', 'urls', 'coverIndex']);

function plainlyValidMedia(media: unknown): boolean {
  if (!isPlainObject(media)) return false;
  if (media.type === 'video_url') return onlyKeys(media, videoUrlKeys) && plainlyValidUrl(media.url);
  if (media.type !== 'photo_urls' || !onlyKeys(media, photoUrlsKeys)) return false;
  const { urls, coverIndex } = media;
  if (!Array.isArray(urls) || urls.length < 1 || urls.length > defaultPostLimits.maxPhotos) return false;
  for (let i = 0; i < urls.length; i++) if (!plainlyValidUrl(urls[i])) return false;
  return (
    coverIndex === undefined ||
    (typeof coverIndex === 'number' && Number.isInteger(coverIndex) && coverIndex >= 0 && coverIndex < urls.length)
  );
}

function plainlyValid(req: unknown): boolean {
  if (!isPlainObject(req) || !onlyKeys(req, topLevelKeys)) return false;
  if (req.publishAt !== undefined || req.unsupported !== undefined) return false;
  if (req.mode !== 'direct' && req.mode !== 'draft') return false;
  if (!plainlyValidMedia(req.media)) return false;
  const { title, description, privacyLevel, videoCoverTimestampMs, idempotencyKey } = req;
  if (title !== undefined && typeof title !== 'string') return false;
  if (description !== undefined && typeof description !== 'string') return false;
  if (privacyLevel !== undefined && !privacyLevels.has(privacyLevel)) return false;
  for (const key of booleanKeys) if (req[key] !== undefined && typeof req[key] !== 'boolean') return false;
  if (
    videoCoverTimestampMs !== undefined &&
    !(
      typeof videoCoverTimestampMs === 'number' &&
      Number.isInteger(videoCoverTimestampMs) &&
      videoCoverTimestampMs >= 0 &&
      videoCoverTimestampMs <= 2_147_483_647
    )
  )
    return false;
  if (
    idempotencyKey !== undefined &&
    !(typeof idempotencyKey === 'string' && idempotencyKey.length >= 1 && idempotencyKey.length <= 256)
  )
    return false;
  // The schema's cross-field rules (its superRefine).
  const kind = postKind(req as unknown as PostRequest);
  for (const [field, kinds] of fieldsByKindEntries) if (req[field] !== undefined && !kinds.includes(kind)) return false;
  for (const field of REQUIRED_BY_KIND[kind]) if (req[field] === undefined) return false;
  const photo = (req.media as { type: string }).type === 'photo_urls';
  if (
    title !== undefined &&
    (title as string).length > (photo ? defaultPostLimits.maxPhotoTitleLength : defaultPostLimits.maxVideoTitleLength)
  )
    return false;
  return description === undefined || (description as string).length <= defaultPostLimits.maxDescriptionLength;
}
