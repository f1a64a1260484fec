// A ByteSource over a one-pass stream (an n8n binary stream, a Zapier hydrated file, stdin...).
// The uploader reads each chunk once, in order, and keeps that chunk for its own re-sends, so a
// forward-only reader is enough; memory stays at the uploader's two chunks (one sent, one read ahead)
// plus one incoming piece. Skipping forward (resuming past bytes TikTok already has) discards; going
// back is impossible and says so.
import { inputError } from '../errors/classify';
import type { ByteSource } from '../types';

export interface StreamByteSourceOptions {
  /** Total bytes the stream will deliver (TikTok needs video_size before the first byte). */
  size: number;
  /** The bytes, in order (Node Readable streams and web ReadableStreams are AsyncIterables). */
  stream: AsyncIterable<Uint8Array>;
  contentType?: ByteSource['contentType'];
  /** Known content identity (e.g. a sha256 the platform already computed). */
  identity?: () => Promise<string>;
}

export function streamByteSource(options: StreamByteSourceOptions): ByteSource {
  const iterator = options.stream[Symbol.asyncIterator]();
  let position = 0; // bytes consumed from the stream
  let pending: Uint8Array = new Uint8Array(0); // bytes read from the stream but not handed out yet

  async function take(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (pending.byteLength === 0) {
        const next = await iterator.next();
        if (next.done) break;
        pending = next.value;
        continue;
      }
      const n = Math.min(length - filled, pending.byteLength);
      out.set(pending.subarray(0, n), filled);
      pending = pending.subarray(n);
      filled += n;
    }
    position += filled;
    return filled === length ? out : out.subarray(0, filled);
  }

  async function hasMore(): Promise<boolean> {
    while (pending.byteLength === 0) {
      const next = await iterator.next();
      if (next.done) return false;
      pending = next.value;
    }
    return true;
  }

  return {
    size: options.size,
    contentType: options.contentType,
    identity: options.identity,
    onePass: true,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (offset < position) {
        throw new RangeError(
          `a stream cannot go back: bytes from ${offset} were already read (at ${position}); start the post again`,
        );
      }
      if (offset > position) await take(offset - position); // skip what TikTok already has
      const bytes = await take(length);
      // The declared size ends here: a stream with more to give would be uploaded cut short.
      if (position === options.size && (await hasMore())) {
        throw inputError(
          'size',
          `the stream holds more than the ${options.size} bytes declared; nothing past them would reach TikTok`,
        );
      }
      return bytes;
    },
  };
}
