// The chunk plan for FILE_UPLOAD (reference §1.5): chunks of 5-64 MB, total_chunk_count =
// floor(size / chunk_size), the last chunk absorbs the remainder (up to 128 MB), files under 5 MB go
// up whole, 1-1000 chunks, sequential.
//
// "MB" is UNCONFIRMED (10^6 or 2^20 bytes). Default 'safe' uses the tighter bound of each rule
// (min 5 MiB, max 64 MB, last chunk max 128 MB), so a plan is valid whichever unit TikTok means.
// The doc's example chunk size, 10 000 000 bytes, is the default.
import { inputError } from '../errors/classify';
import type { ByteRange } from '../client/types';

export type MegabyteUnit = 'safe' | 'decimal' | 'binary';

export interface ChunkRules {
  minChunk: number;
  maxChunk: number;
  maxFinalChunk: number;
  maxChunks: number;
  maxFileBytes: number;
}

const MB = 1_000_000;
const MiB = 1024 * 1024;

export const CHUNK_RULES: Readonly<Record<MegabyteUnit, Readonly<ChunkRules>>> = Object.freeze({
  safe: {
    minChunk: 5 * MiB,
    maxChunk: 64 * MB,
    maxFinalChunk: 128 * MB,
    maxChunks: 1000,
    maxFileBytes: 4 * 1024 * MiB,
  },
  decimal: {
    minChunk: 5 * MB,
    maxChunk: 64 * MB,
    maxFinalChunk: 128 * MB,
    maxChunks: 1000,
    maxFileBytes: 4 * 1024 * MiB,
  },
  binary: {
    minChunk: 5 * MiB,
    maxChunk: 64 * MiB,
    maxFinalChunk: 128 * MiB,
    maxChunks: 1000,
    maxFileBytes: 4 * 1024 * MiB,
  },
});

export const DEFAULT_CHUNK_SIZE = 10_000_000;

export interface ChunkPlanOptions {
  /** Preferred chunk size in bytes (default 10 000 000); must fit the rules. */
  chunkSize?: number;
  unit?: MegabyteUnit;
}

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  chunks: ByteRange[];
}

/** The `source_info` fields for a FILE_UPLOAD init. */
export function sourceInfoFor(plan: ChunkPlan): {
  source: 'FILE_UPLOAD';
  video_size: number;
  chunk_size: number;
  total_chunk_count: number;
} {
  return {
    source: 'FILE_UPLOAD',
    video_size: plan.videoSize,
    chunk_size: plan.chunkSize,
    total_chunk_count: plan.totalChunkCount,
  };
}

export function planChunks(videoSize: number, options: ChunkPlanOptions = {}): ChunkPlan {
  const rules = CHUNK_RULES[options.unit ?? 'safe'];
  if (!Number.isSafeInteger(videoSize) || videoSize <= 0)
    throw inputError('video_size', `must be a positive whole number of bytes, got ${videoSize}`);
  if (videoSize > rules.maxFileBytes)
    throw inputError(
      'video_size',
      `is ${videoSize} bytes; TikTok accepts videos up to 4 GB (${rules.maxFileBytes} bytes)`,
    );
  const preferred = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(preferred) || preferred < rules.minChunk || preferred > rules.maxChunk) {
    throw inputError('chunk_size', `must be between ${rules.minChunk} and ${rules.maxChunk} bytes, got ${preferred}`);
  }

  let chunkSize: number;
  if (videoSize <= preferred) {
    // Under 5 MB TikTok wants the whole file; up to the preferred size one chunk is simplest.
    chunkSize = videoSize;
  } else {
    // Grow the chunk until the count fits 1000 and the last chunk (chunk + remainder < 2 chunks) fits.
    chunkSize = Math.max(preferred, Math.ceil(videoSize / rules.maxChunks));
    if (chunkSize > rules.maxChunk)
      throw inputError(
        'video_size',
        `is too large to split into ${rules.maxChunks} chunks of at most ${rules.maxChunk} bytes`,
      );
  }
  const totalChunkCount = Math.floor(videoSize / chunkSize);
  const finalSize = videoSize - (totalChunkCount - 1) * chunkSize;
  if (totalChunkCount > 1 && finalSize > rules.maxFinalChunk) {
    throw inputError('chunk_size', `leaves a final chunk of ${finalSize} bytes, above TikTok's ${rules.maxFinalChunk}`);
  }
  const chunks: ByteRange[] = [];
  for (let i = 0; i < totalChunkCount; i++) {
    const first = i * chunkSize;
    const last = i === totalChunkCount - 1 ? videoSize - 1 : first + chunkSize - 1;
    chunks.push({ first, last, total: videoSize });
  }
  return { videoSize, chunkSize, totalChunkCount, chunks };
}
