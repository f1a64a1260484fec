// /v1/posts: create (Idempotency-Key: same key and body → the same post, 200; other body → 409),
// get with its timeline, list with filters. A key limited to accounts sees and posts only those.
import { createHash } from 'node:crypto';
import {
  isTokpipeError,
  jobIdFor,
  jobSpecFromFields,
  postFingerprint,
  TokpipeError,
  type Job,
  type JobSpec,
} from '@tokpipe/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app';
import { accountAllowed } from '../keys';
import { requireAccount } from '../auth';
import { HttpProblem } from '../problem';
import { pulledPath, pullVideo, type PullOptions } from '../pull';
import { listPostsQuerySchema, postBodySchema } from '../schemas';
import { createOnce, KeyedQueue, PREFIXES, readJson } from '../state';
import { postView } from '../views';

interface IdempotencyRecord {
  bodyHash: string;
  jobId?: string;
  at: number;
}

const MAX_KEY_LENGTH = 255;

/** Core names a job's fields by their path in the JobSpec (`job.media.url`); the API names the body's. */
const BODY_FIELD_BY_PATH: ReadonlyArray<[string, string]> = [
  ['job.media.url', 'videoUrl'],
  ['job.media.urls', 'photoUrls'],
  ['job.media.coverIndex', 'coverIndex'],
  ['job.media', 'videoUrl'],
  ['job.options.', ''],
  ['job.', ''],
];

/** A core input error about the spec, renamed to the body field the caller sent. */
function inBodyTerms(error: unknown): unknown {
  if (!isTokpipeError(error) || error.details.layer !== 'input' || !error.details.field) return error;
  const path = error.details.field;
  const hit = BODY_FIELD_BY_PATH.find(([prefix]) => path === prefix || path.startsWith(prefix));
  if (!hit) return error;
  const field = hit[1] + path.slice(hit[0].length);
  const rename = (text: string | undefined) => text?.split(`${path}:`).join(`${field}:`);
  return new TokpipeError({
    ...error.details,
    field,
    message: rename(error.details.message)!,
    problem: rename(error.details.problem),
  });
}

/** serverUpload needs a video URL and a server that pulls files. */
function pullable(spec: JobSpec, pull: PullOptions | undefined): void {
  if (!pull)
    throw new HttpProblem(400, 'invalid_input', 'serverUpload: this server does not download files', {
      field: 'serverUpload',
    });
  if (spec.media.type !== 'video_url')
    throw new HttpProblem(400, 'invalid_input', 'serverUpload: needs a videoUrl (photos are always pulled by TikTok)', {
      field: 'serverUpload',
    });
}

/** The spec with the server's copy of the video; downloaded only when no job holds it yet (a repeat of a
 * published post does not fetch it again). */
async function pulled(
  spec: JobSpec,
  bodyHash: string,
  pull: PullOptions,
  known: (id: string) => boolean,
): Promise<JobSpec> {
  if (spec.media.type !== 'video_url') return spec;
  const local: JobSpec = { ...spec, media: { type: 'video_file', path: pulledPath(pull, bodyHash) } };
  if (!known(jobIdFor(local))) await pullVideo(pull, spec.media.url, bodyHash);
  return local;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function registerPostRoutes(app: FastifyInstance, context: ServerContext): void {
  const { posts, store } = context;
  const sameKey = new KeyedQueue();

  app.post('/v1/posts', { config: { scope: 'post' } }, async (request, reply) => {
    const key = request.apiKey!;
    const body: Record<string, unknown> & { mode: 'direct' | 'draft' } = postBodySchema.parse(request.body ?? {});
    const header = request.headers['idempotency-key'];
    const idemKey = typeof header === 'string' ? header.trim() : undefined;
    if (
      idemKey !== undefined &&
      (idemKey === '' || idemKey.length > MAX_KEY_LENGTH || [...idemKey].some((c) => c.charCodeAt(0) < 0x20))
    )
      throw new HttpProblem(400, 'invalid_input', `Idempotency-Key must be 1-${MAX_KEY_LENGTH} printable characters`, {
        field: 'Idempotency-Key',
      });
    if (idemKey && body.idempotencyKey !== undefined && body.idempotencyKey !== idemKey)
      throw new HttpProblem(400, 'invalid_input', 'the Idempotency-Key header and the idempotencyKey field differ', {
        field: 'idempotencyKey',
      });
    const { mode, serverUpload, ...fields } = body;
    const spec = jobSpecFromFields({ ...fields, ...(idemKey ? { idempotencyKey: idemKey } : {}) }, mode, 'either');
    if (key.accounts) {
      if (spec.account === undefined && key.accounts.length === 1) spec.account = key.accounts[0];
      requireAccount(key, spec.account);
    }
    const keyOf = spec.idempotencyKey;
    // The same post however a platform wrote it (an option at its default or left out): Zapier, Make and n8n
    // sending one row with one key must get one post, not a 409.
    const bodyHash = sha256(`${postFingerprint(spec)}:${serverUpload === true ? 'pull' : 'url'}`);
    if (serverUpload === true) pullable(spec, context.options.pull);
    // The server's own download (serverUpload) replaces the URL with the file, once the request is accepted.
    const submit = async (s: JobSpec) => {
      const known = (id: string) => context.pipeline.getJob(id) !== undefined;
      const media = serverUpload === true ? await pulled(s, bodyHash, context.options.pull!, known) : s;
      // context.jobs: the backend, recording a queue post's first step (no pipeline event here does).
      return context.jobs.submit(media).catch((error: unknown) => Promise.reject(inBodyTerms(error)));
    };
    if (!keyOf) {
      const { job, created } = await submit(spec);
      return reply.code(created ? 201 : 200).send(postView(job, { reused: !created }));
    }
    // One key, one body: recorded before the post is queued, so a second body can never become a post.
    const recordKey = PREFIXES.idempotency + sha256(keyOf);
    return sameKey.run(recordKey, async () => {
      const fresh = await createOnce(store, recordKey, {
        bodyHash,
        at: context.clock.now(),
      } satisfies IdempotencyRecord);
      if (!fresh) {
        const existing = await readJson<IdempotencyRecord>(store, recordKey);
        if (existing && existing.bodyHash !== bodyHash)
          throw new HttpProblem(
            409,
            'idempotency_key_reused',
            'this Idempotency-Key was used with another body: use a new key for a new post',
            {
              field: 'Idempotency-Key',
            },
          );
      }
      let submitted: Awaited<ReturnType<typeof context.jobs.submit>>;
      try {
        submitted = await submit(spec);
      } catch (error) {
        if (fresh) await store.delete(recordKey); // refused before queueing: the key stays free
        throw error;
      }
      const { job, created } = submitted;
      if (fresh) await store.set(recordKey, JSON.stringify({ bodyHash, jobId: job.id, at: context.clock.now() }));
      return reply.code(created ? 201 : 200).send(postView(job, { reused: !created }));
    });
  });

  const visible = (job: Job | undefined, accounts: string[] | undefined): job is Job =>
    job !== undefined && (!accounts || accountAllowed({ accounts }, job.account ?? job.spec.account));

  app.get<{ Params: { id: string } }>('/v1/posts/:id', { config: { scope: 'read' } }, async (request) => {
    const job = await posts.get(request.params.id);
    if (!visible(job, request.apiKey!.accounts))
      throw new HttpProblem(404, 'post_not_found', `no post ${request.params.id}`);
    const recorded = await context.timelines.get(job.id);
    return postView(job, { timeline: [...recorded, ...((await posts.steps?.(job)) ?? [])] });
  });

  app.get('/v1/posts', { config: { scope: 'read' } }, async (request) => {
    const query = listPostsQuerySchema.parse(request.query);
    const jobs = await posts.list({
      ...(query.account ? { account: query.account } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.since ? { since: Date.parse(query.since) } : {}),
      ...(request.apiKey!.accounts ? { accounts: request.apiKey!.accounts } : {}),
      limit: query.limit,
    });
    return { posts: jobs.map((j) => postView(j)) };
  });
}
