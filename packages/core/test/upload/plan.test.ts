import { planChunks, CHUNK_RULES } from '../../src/upload/plan';
import { uploadedBytesFromContentRange } from '../../src/upload/uploader';
import { TokpipeError } from '../../src/errors/classify';

const MiB = 1024 * 1024;

describe('planChunks', () => {
  it("reproduces the doc's worked example: 50,000,123 bytes in 5 chunks, the last absorbing 123 bytes", () => {
    const plan = planChunks(50_000_123, { chunkSize: 10_000_000 });
    expect([plan.chunkSize, plan.totalChunkCount]).toEqual([10_000_000, 5]);
    expect(plan.chunks.map((c) => `${c.first}-${c.last}`)).toEqual([
      '0-9999999',
      '10000000-19999999',
      '20000000-29999999',
      '30000000-39999999',
      '40000000-50000122',
    ]);
  });

  it("sends a file under 5 MB whole (the doc's 4,194,304-byte example)", () => {
    expect(planChunks(4_194_304)).toMatchObject({
      chunkSize: 4_194_304,
      totalChunkCount: 1,
      chunks: [{ first: 0, last: 4_194_303, total: 4_194_304 }],
    });
    expect(planChunks(1)).toMatchObject({ chunkSize: 1, totalChunkCount: 1 });
  });

  it('splits anything over 64 MB, and keeps every plan inside the rules for both meanings of MB', () => {
    const sizes = [
      5 * MiB - 1,
      5 * MiB,
      9_999_999,
      10_000_000,
      10_000_001,
      19_999_999,
      64_000_000,
      64 * MiB + 1,
      129_000_000,
      1_000_000_007,
      4 * 1024 * MiB,
    ];
    const strict = {
      min: Math.max(CHUNK_RULES.decimal.minChunk, CHUNK_RULES.binary.minChunk),
      max: CHUNK_RULES.decimal.maxChunk,
      finalMax: CHUNK_RULES.decimal.maxFinalChunk,
    };
    for (const size of sizes) {
      const plan = planChunks(size);
      expect(plan.totalChunkCount).toBe(Math.floor(size / plan.chunkSize));
      expect(plan.totalChunkCount).toBeGreaterThanOrEqual(1);
      expect(plan.totalChunkCount).toBeLessThanOrEqual(1000);
      const lengths = plan.chunks.map((c) => c.last - c.first + 1);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(size);
      if (size < strict.min) expect(plan.totalChunkCount).toBe(1);
      if (size > strict.max) expect(plan.totalChunkCount).toBeGreaterThan(1);
      lengths.slice(0, -1).forEach((l) => expect(l).toBe(plan.chunkSize));
      if (plan.totalChunkCount > 1) {
        expect(plan.chunkSize).toBeGreaterThanOrEqual(strict.min);
        expect(plan.chunkSize).toBeLessThanOrEqual(strict.max);
        expect(lengths[lengths.length - 1]).toBeLessThanOrEqual(strict.finalMax);
      } else if (size >= strict.min) {
        expect(size).toBeLessThanOrEqual(strict.max);
      }
      // Contiguous, in order.
      plan.chunks.forEach((c, i) => expect(c.first).toBe(i === 0 ? 0 : plan.chunks[i - 1]!.last + 1));
    }
  });

  it('grows the chunk so a 4 GB file stays within 1000 chunks', () => {
    const plan = planChunks(4 * 1024 * MiB, { chunkSize: 5 * MiB });
    expect(plan.totalChunkCount).toBeLessThanOrEqual(1000);
  });

  it('refuses bad sizes and chunk sizes with the field named', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as TokpipeError).details.field;
      }
      return undefined;
    };
    expect(field(() => planChunks(0))).toBe('video_size');
    expect(field(() => planChunks(4 * 1024 * MiB + 1))).toBe('video_size');
    expect(field(() => planChunks(100_000_000, { chunkSize: 4 * MiB }))).toBe('chunk_size');
    expect(field(() => planChunks(100_000_000, { chunkSize: 65_000_000 }))).toBe('chunk_size');
    expect(field(() => planChunks(100_000_000, { chunkSize: 65_000_000, unit: 'binary' }))).toBeUndefined();
  });
});

describe('uploadedBytesFromContentRange', () => {
  const plan = planChunks(50_000_123, { chunkSize: 10_000_000 });
  it('reads both the doc\'s "uploaded bytes" form and the HTTP inclusive-last-index form', () => {
    expect(uploadedBytesFromContentRange('bytes 0-10000000/50000123', plan)).toBe(10_000_000);
    expect(uploadedBytesFromContentRange('bytes 0-9999999/50000123', plan)).toBe(10_000_000);
    expect(uploadedBytesFromContentRange('bytes 0-50000122/50000123', plan)).toBe(50_000_123);
    expect(uploadedBytesFromContentRange('bytes */50000123', plan)).toBe(0);
    expect(uploadedBytesFromContentRange('bytes 0-12345/50000123', plan)).toBeUndefined();
    expect(uploadedBytesFromContentRange(undefined, plan)).toBeUndefined();
  });
});
