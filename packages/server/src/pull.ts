// `serverUpload`: the server downloads a video URL itself and posts the file (FILE_UPLOAD), for URLs on
// domains not verified with TikTok (TikTok's pull needs one) and files larger than a platform carries.
// The file is named by the request body, so the same body is the same file and the same job; it is
// written whole (`.part`, then renamed) and removed once its post is published (kept for a DLQ replay).
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import type { Pipeline } from '@tokpipe/core';
import { HttpProblem } from './problem';

export interface PullOptions {
  /** Where pulled files are kept until their post is published. */
  dir: string;
  /** Largest file taken (default TikTok's 4 GB). */
  maxBytes?: number;
  /** Real ms the whole download may take (default 30 min). */
  timeoutMs?: number;
  /** Plain http to 127.0.0.1/localhost (a local sandbox); otherwise https only. */
  allowLoopbackHttp?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkedUrl(raw: string, allowLoopbackHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpProblem(400, 'invalid_input', 'videoUrl: is not a URL', { field: 'videoUrl' });
  }
  const ok = url.protocol === 'https:' || (allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!ok) throw new HttpProblem(400, 'invalid_input', 'videoUrl: must be an https URL', { field: 'videoUrl' });
  return url;
}

/** Where the file for this request body goes (the same body, the same file, so the same job). */
export function pulledPath(options: PullOptions, bodyHash: string): string {
  return path.resolve(options.dir, `${createHash('sha256').update(bodyHash).digest('hex').slice(0, 40)}.video`);
}

/** Downloads the file for this request body, unless it is already there. */
export async function pullVideo(options: PullOptions, rawUrl: string, bodyHash: string): Promise<string> {
  const url = checkedUrl(rawUrl, options.allowLoopbackHttp ?? false);
  const file = pulledPath(options, bodyHash);
  if (
    await fs.stat(file).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return file;
  await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
  const max = options.maxBytes ?? 4 * 1024 ** 3;
  const fail = (why: string) => new HttpProblem(422, 'media_unreachable', `videoUrl: ${why}`, { field: 'videoUrl' });
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 30 * 60_000) });
  } catch (error) {
    throw fail(
      `could not be downloaded (${(error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed'})`,
    );
  }
  if (!res.ok || !res.body) throw fail(`answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw fail(`is ${declared} bytes, more than ${max}`);
  const part = `${file}.${process.pid}.part`;
  let size = 0;
  const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).on(
    'data',
    (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) counted.destroy(fail(`is more than ${max} bytes`));
    },
  );
  try {
    await pipe(counted, createWriteStream(part, { mode: 0o600 }));
    await fs.rename(part, file);
  } catch (error) {
    await fs.rm(part, { force: true });
    throw error instanceof HttpProblem ? error : fail(`download broke off (${(error as Error).message})`);
  }
  return file;
}

/** Removes a pulled file once its post is published or delivered (a dead post keeps it for a replay). */
export function cleanUpPulled(pipeline: Pipeline, dir: string): () => void {
  return pipeline.on((event) => {
    if (event.type !== 'job_published' && event.type !== 'job_delivered') return;
    const media = pipeline.getJob(event.jobId)?.spec.media;
    if (media?.type === 'video_file' && path.dirname(media.path) === path.resolve(dir))
      void fs.rm(media.path, { force: true });
  });
}
