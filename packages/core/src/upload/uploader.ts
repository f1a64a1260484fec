// Sequential chunk uploader. Memory is bounded by two chunks: while one chunk is PUT, the next is read
// from the ByteSource (so disk and network overlap, as in a piped stream). Sources with readInto fill
// two reused buffers instead of allocating a fresh one per chunk. A chunk that fails with 5xx or a
// network error is re-sent (bounded, with backoff on the injected clock); a 416 or an unexpected server
// range resumes from the progress TikTok reports in Content-Range.
import { DEFAULT_VIDEO_CONTENT_TYPE } from '../catalog/media';
import type { ByteRange, UploadChunkResult } from '../client/types';
import { UploadChunkError, type TikTokClient } from '../client/client';
import { errorFromTable, inputError, isTokpipeError, type TokpipeError } from '../errors/classify';
import { redactText } from '../redact';
import type { Clock, Random } from '../ports';
import { retry, type RetryPolicy } from '../retry';
import type { ByteSource } from '../types';
import type { ChunkPlan } from './plan';

export interface UploadOptions {
  client: Pick<TikTokClient, 'uploadChunk'>;
  /** Exactly as the init call returned it. */
  uploadUrl: string;
  source: ByteSource;
  plan: ChunkPlan;
  clock: Clock;
  random?: Random;
  contentType?: string;
  /** Per chunk: attempts in all and backoff (default 4 attempts, 1 s base, 64 s cap). */
  chunkRetry?: Partial<RetryPolicy>;
  /** How many times the uploader may jump to the server's reported progress (default 3). */
  maxResumes?: number;
  /** Resume an interrupted upload from this byte (a chunk boundary, e.g. TikTok's uploaded_bytes). */
  startAt?: number;
  onChunk?: (event: { index: number; range: ByteRange; attempt: number; result: UploadChunkResult }) => void;
}

export interface UploadReport {
  /** PUT requests that TikTok accepted (201/206). */
  chunksAccepted: number;
  /** Times the uploader followed the server's Content-Range instead of the plan. */
  resumes: number;
}

const DEFAULT_CHUNK_RETRY: Partial<RetryPolicy> = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 64_000,
  budgetMs: 10 * 60_000,
};

/** Bytes TikTok holds, from `bytes 0-N/TOTAL`. The doc writes N as "uploaded bytes", HTTP would make it
 * the inclusive last index: chunks always end on plan boundaries, so whichever of N and N+1 is a
 * boundary is the answer. `bytes *\/TOTAL` means nothing yet. */
export function uploadedBytesFromContentRange(contentRange: string | undefined, plan: ChunkPlan): number | undefined {
  if (!contentRange) return undefined;
  if (/^bytes\s+\*\/\d+$/i.test(contentRange.trim())) return 0;
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange.trim());
  if (!match) return undefined;
  const end = Number(match[2]);
  const boundaries = new Set([...plan.chunks.map((c) => c.first), plan.videoSize]);
  return [end, end + 1].find((candidate) => boundaries.has(candidate));
}

function chunkIndexAt(plan: ChunkPlan, offset: number): number | undefined {
  if (offset === plan.videoSize) return plan.totalChunkCount;
  const index = plan.chunks.findIndex((c) => c.first === offset);
  return index >= 0 ? index : undefined;
}

function uploadFailure(code: string, what: string): TokpipeError {
  return errorFromTable('application', code, { detail: what });
}

/** Reads chunk i+1 while chunk i is sent. With readInto, two buffers alternate: the one being filled
 * is never the one in flight (that chunk's PUT has finished before its buffer is reused two chunks on). */
function chunkReader(source: ByteSource, plan: ChunkPlan) {
  const buffers: Uint8Array[] = [];
  let ahead: { index: number; bytes: Promise<Uint8Array> } | undefined;
  const read = async (index: number): Promise<Uint8Array> => {
    const range = plan.chunks[index]!;
    const length = range.last - range.first + 1;
    let bytes: Uint8Array;
    try {
      if (source.readInto) {
        const slot = index % 2;
        // The last chunk can be longer than the others: that slot grows once.
        if (!buffers[slot] || buffers[slot]!.byteLength < length) buffers[slot] = new Uint8Array(length);
        const target = buffers[slot]!.subarray(0, length);
        bytes = target.subarray(0, await source.readInto(target, range.first));
      } else {
        bytes = await source.read(range.first, length);
      }
    } catch (error) {
      // A disk or download error is the source's, not TikTok's connection: never classify it as one.
      if (isTokpipeError(error)) throw error;
      throw inputError(
        'source',
        `could not be read at byte ${range.first}: ${redactText(error instanceof Error ? error.message : String(error))}`,
      );
    }
    if (bytes.byteLength !== length)
      throw inputError(
        'source',
        `returned ${bytes.byteLength} bytes for ${range.first}-${range.last}; the file changed or was truncated`,
      );
    return bytes;
  };
  return {
    take(index: number): Promise<Uint8Array> {
      const prepared = ahead;
      ahead = undefined;
      if (prepared?.index === index) return prepared.bytes;
      // A resume moved elsewhere: let a read in progress finish before its buffer is used again.
      return (prepared?.bytes.catch(() => undefined) ?? Promise.resolve()).then(() => read(index));
    },
    readAhead(index: number): void {
      if (index >= plan.totalChunkCount) return;
      const bytes = read(index);
      bytes.catch(() => undefined); // surfaced by take(); never an unhandled rejection
      ahead = { index, bytes };
    },
  };
}

export async function uploadChunks(options: UploadOptions): Promise<UploadReport> {
  const { client, uploadUrl, source, plan, clock } = options;
  if (source.size !== plan.videoSize)
    throw inputError('source.size', `is ${source.size} bytes but the chunk plan is for ${plan.videoSize}`);
  const maxResumes = options.maxResumes ?? 3;
  const contentType = options.contentType ?? source.contentType ?? DEFAULT_VIDEO_CONTENT_TYPE;
  let index = chunkIndexAt(plan, options.startAt ?? 0);
  if (index === undefined)
    throw inputError(
      'startAt',
      `must be a chunk boundary of the plan (multiples of ${plan.chunkSize}), got ${options.startAt}`,
    );
  const report: UploadReport = { chunksAccepted: 0, resumes: 0 };
  const resumeAt = (contentRange: string | undefined): number | undefined => {
    const uploaded = uploadedBytesFromContentRange(contentRange, plan);
    return uploaded === undefined ? undefined : chunkIndexAt(plan, uploaded);
  };

  const reader = chunkReader(source, plan);
  while (index < plan.totalChunkCount) {
    const range = plan.chunks[index]!;
    const bytes = await reader.take(index);
    reader.readAhead(index + 1);

    let result: UploadChunkResult;
    let attempts = 0;
    try {
      result = await retry(
        (attempt) => {
          attempts = attempt;
          return client.uploadChunk(uploadUrl, bytes, range, contentType);
        },
        {
          clock,
          random: options.random,
          policy: { ...DEFAULT_CHUNK_RETRY, ...options.chunkRetry },
          // A range mismatch is not fixed by re-sending the same chunk: resume below instead.
          decide: (error) =>
            error instanceof UploadChunkError && error.code === 'upload_range_mismatch'
              ? { retry: false, reason: 'resume from server range' }
              : undefined,
        },
      );
    } catch (error) {
      if (error instanceof UploadChunkError && error.code === 'upload_range_mismatch') {
        const next = resumeAt(error.contentRange);
        if (next === undefined || report.resumes >= maxResumes) throw error;
        report.resumes++;
        // TikTok already holds every byte: the 201 for the last chunk was lost on the way back.
        if (next === plan.totalChunkCount) return report;
        index = next;
        continue;
      }
      throw error;
    }
    report.chunksAccepted++;
    options.onChunk?.({ index, range, attempt: attempts, result });
    if (result.complete) return report;
    const next = resumeAt(result.contentRange);
    if (next !== undefined && next !== index + 1) {
      // TikTok reports other progress than we expected: follow it (bounded).
      if (report.resumes >= maxResumes)
        throw uploadFailure(
          'upload_unexpected_status',
          `TikTok kept reporting progress ${result.contentRange} that does not match the chunks sent`,
        );
      report.resumes++;
      index = next;
      continue;
    }
    index++;
  }
  throw uploadFailure(
    'upload_unexpected_status',
    `TikTok accepted every chunk but never confirmed the upload with HTTP 201`,
  );
}
