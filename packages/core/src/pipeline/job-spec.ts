// A job's spec: checked before anything is queued, turned into a job id (same spec, same job) and,
// at posting time, into the poster's PostRequest.
import { createHash } from 'node:crypto';
import { inputError, isTokpipeError } from '../errors/classify';
import { fields as catalogFields } from '../catalog/fields';
import { validatePostRequest } from '../schemas/post';
import type { ByteSource, MediaSource, PostRequest } from '../types';
import type { Job, JobSpec } from './types';

export type OpenFile = (path: string) => ByteSource | Promise<ByteSource>;

/** A job's id: the user's idempotency key, or the content of the request (so re-submitting the same
 * campaign row after a crash is the same job, never a second post). */
export function jobIdFor(spec: JobSpec): string {
  const basis = spec.idempotencyKey ? `key:${spec.idempotencyKey}` : JSON.stringify(whatAndWhere(spec));
  return `job_${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

/** The ledger key of a job's attempt on an account: the one derivation for every path that posts a job
 * (the pipeline's attempts, `campaign submit`'s queue rows, the server's queue), so the same row sent
 * through two of them meets one ledger entry and is posted once. A new generation (a replay, another
 * account) is a new post on purpose. */
export function attemptKeyFor(jobId: string, account: string, generation = 0): string {
  return `${jobId}.${account}.g${generation}`;
}

/** The account, media, caption and time of a spec: what a job's id is made of when it has no key (stored
 * ids depend on this exact list and order). */
const whatAndWhere = (spec: JobSpec): unknown[] => [
  spec.account ?? null,
  spec.region ?? null,
  spec.mode,
  spec.media,
  spec.title ?? null,
  spec.description ?? null,
  spec.publishAt ?? null,
];

const OPTION_DEFAULTS: ReadonlyMap<string, unknown> = new Map(
  catalogFields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]),
);

/** What a spec would post, as one string: the same post however it was written down (an option left at its
 * default or not sent at all, keys in any order; the idempotency key and our own label aside). The server
 * compares it to answer "the same Idempotency-Key with the same post", whichever platform sent it. */
export function postFingerprint(spec: JobSpec): string {
  const options = Object.entries(spec.options ?? {})
    .filter(([name, value]) => value !== undefined && value !== null && value !== OPTION_DEFAULTS.get(name))
    .sort(([a], [b]) => a.localeCompare(b));
  const basis = JSON.stringify([...whatAndWhere(spec), spec.privacyLevel ?? null, options]);
  return createHash('sha256').update(basis).digest('hex');
}

/** A freshly submitted job, queued. */
export function newJob(spec: JobSpec, seq: number, now: number): Job {
  return {
    id: jobIdFor(spec),
    seq,
    spec,
    account: spec.account,
    state: 'queued',
    attempts: 0,
    generation: 0,
    postIds: [],
    submittedAt: now,
    retries: 0,
    rateLimitWaits: 0,
    refusedBy: [],
  };
}

export interface SpecContext {
  hasAccount(id: string): boolean;
  openFile?: OpenFile;
}

/** Throws an input error naming the field. schemaChecked: this same spec object already passed the
 * post schema (skips that part only). */
export function validateSpec(spec: JobSpec, where: string, context: SpecContext, schemaChecked = false): void {
  if (!spec || typeof spec !== 'object') throw inputError(where, 'must be an object');
  if (spec.mode !== 'direct' && spec.mode !== 'draft') {
    throw inputError(`${where}.mode`, `must be "direct" or "draft", got ${JSON.stringify(spec.mode)}`);
  }
  if (spec.account !== undefined && !context.hasAccount(spec.account)) {
    throw inputError(`${where}.account`, `no account named ${JSON.stringify(spec.account)} (add it first)`);
  }
  if (spec.region !== undefined && (typeof spec.region !== 'string' || spec.region.trim() === '')) {
    throw inputError(`${where}.region`, 'must be a non-empty string');
  }
  if (spec.title !== undefined && typeof spec.title !== 'string')
    throw inputError(`${where}.title`, 'must be a string');
  const media = spec.media as JobSpec['media'] | undefined;
  const mediaTypes = ['video_url', 'video_file', 'photo_urls'];
  if (!media || typeof media !== 'object' || !mediaTypes.includes(media.type)) {
    throw inputError(`${where}.media.type`, 'must be video_url, video_file or photo_urls');
  }
  if (media.type === 'video_file') {
    if (typeof media.path !== 'string' || media.path === '')
      throw inputError(`${where}.media.path`, 'must be a file path');
    if (!context.openFile) {
      throw inputError(
        `${where}.media`,
        'video_file needs the pipeline option openFile (fileByteSource from @tokpipe/core/node)',
      );
    }
  }
  if (schemaChecked) return;
  // The poster's own schema (title length, privacy, URLs, photo count...), so a bad row fails at
  // submit, before any request. A file's bytes are checked when it is opened.
  const mediaForCheck: MediaSource =
    media.type === 'video_file'
      ? { type: 'video_url', url: 'https://media.invalid/placeholder.mp4' }
      : media.type === 'video_url'
        ? { type: 'video_url', url: media.url }
        : { type: 'photo_urls', urls: media.urls, coverIndex: media.coverIndex };
  try {
    validatePostRequest({
      ...spec.options,
      mode: spec.mode,
      media: mediaForCheck,
      title: spec.title,
      description: spec.description,
      privacyLevel: spec.privacyLevel,
      publishAt: spec.publishAt,
    });
  } catch (err) {
    if (!isTokpipeError(err)) throw err;
    const field = err.details.field ?? '';
    // The message ends with "[code] action"; inputError adds those again.
    const bare = err.details.message.replace(` [${err.details.code}] ${err.details.action}`, '');
    const problem = field && bare.startsWith(`${field}: `) ? bare.slice(field.length + 2) : bare;
    throw inputError(field ? `${where}.${field}` : where, problem);
  }
}

/** The poster's request for the job's current attempt (opens a video file). */
export async function toPostRequest(job: Job, openFile: OpenFile | undefined): Promise<PostRequest> {
  const { spec } = job;
  const mediaByType: Record<JobSpec['media']['type'], () => Promise<MediaSource>> = {
    video_url: async () => ({ type: 'video_url', url: (spec.media as { url: string }).url }),
    video_file: async () => ({ type: 'video_file', file: await openFile!((spec.media as { path: string }).path) }),
    photo_urls: async () => {
      const m = spec.media as { urls: string[]; coverIndex?: number };
      return { type: 'photo_urls', urls: m.urls, coverIndex: m.coverIndex };
    },
  };
  return {
    ...spec.options,
    mode: spec.mode,
    media: await mediaByType[spec.media.type](),
    title: spec.title,
    description: spec.description,
    privacyLevel: spec.privacyLevel,
    publishAt: spec.publishAt,
    idempotencyKey: job.attemptKey,
  };
}
