// ByteSources an adapter builds from what its platform hands over: bytes already in memory, or a stream
// the platform can open again from the start (n8n's binary data kept on disk or in S3).
import type { ByteSource } from '../types';

/** Bytes in memory, sliced per chunk. */
export function bufferByteSource(bytes: Uint8Array, contentType?: ByteSource['contentType']): ByteSource {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)),
    ...(contentType ? { contentType } : {}),
  };
}

/** Sequential reads over a stream that `open()` starts from the first byte; a read behind the current
 * position reopens it (a chunk sent again). Memory stays at about one chunk. */
export function reopeningByteSource(
  size: number,
  open: () => Promise<AsyncIterable<Uint8Array>>,
  contentType?: ByteSource['contentType'],
): ByteSource {
  let pieces: AsyncIterator<Uint8Array> | undefined;
  let bufferStart = 0; // stream offset of buffered[0]
  let buffered: Uint8Array = new Uint8Array(0);
  const append = (piece: Uint8Array) => {
    const joined = new Uint8Array(buffered.byteLength + piece.byteLength);
    joined.set(buffered);
    joined.set(piece, buffered.byteLength);
    buffered = joined;
  };
  return {
    size,
    ...(contentType ? { contentType } : {}),
    read: async (offset, length) => {
      if (!pieces || offset < bufferStart) {
        pieces = (await open())[Symbol.asyncIterator]();
        bufferStart = 0;
        buffered = new Uint8Array(0);
      }
      const end = Math.min(size, offset + length);
      while (bufferStart + buffered.byteLength < end) {
        const next = await pieces.next();
        if (next.done) break;
        append(next.value);
        if (bufferStart + buffered.byteLength <= offset) {
          // Entirely before the requested range: dropped, so memory stays bounded.
          bufferStart += buffered.byteLength;
          buffered = new Uint8Array(0);
        }
      }
      const slice = buffered.slice(offset - bufferStart, end - bufferStart);
      buffered = buffered.subarray(end - bufferStart);
      bufferStart = end;
      return slice;
    },
  };
}
