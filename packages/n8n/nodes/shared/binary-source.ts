import type { ByteSource } from '@tokpipe/core';
import { VIDEO_FORMATS_TEXT, videoContentTypeOf } from '@tokpipe/core';
import type { IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

/** Slice size for reading n8n's binary stream. */
const READ_SLICE = 8 * 1024 * 1024;

/**
 * A ByteSource over an item's binary property, so core uploads it in chunks.
 * Binary data kept by n8n's filesystem/S3 mode is streamed (memory bounded by one chunk);
 * in-memory binary data is sliced from the buffer n8n already holds. Core hashes the content for
 * the idempotency key (a second pass over the stream) the same way it does for every source.
 */
export async function binaryByteSource(ctx: IExecuteFunctions, itemIndex: number, property: string): Promise<ByteSource> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	const contentType = videoContentTypeOf(binary.mimeType);
	if (!contentType) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Binary property "${property}" is ${binary.mimeType || 'of unknown type'}; TikTok accepts ${VIDEO_FORMATS_TEXT} video`,
			{ itemIndex },
		);
	}
	const source = binary.id
		? await streamedSource(ctx, binary.id)
		: bufferSource(Buffer.from(binary.data, BINARY_ENCODING));
	return { ...source, contentType };
}

function bufferSource(buffer: Buffer): Pick<ByteSource, 'size' | 'read'> {
	return {
		size: buffer.length,
		read: async (offset, length) => buffer.subarray(offset, Math.min(buffer.length, offset + length)),
	};
}

/** Sequential reads over n8n's binary stream; a read behind the current position reopens it (chunk re-send). */
async function streamedSource(ctx: IExecuteFunctions, binaryId: string): Promise<Pick<ByteSource, 'size' | 'read'>> {
	const { fileSize } = await ctx.helpers.getBinaryMetadata(binaryId);
	let chunks: AsyncIterator<Buffer> | undefined;
	let bufferStart = 0; // stream offset of `buffered[0]`
	let buffered = Buffer.alloc(0);

	const open = async () => {
		const stream = await ctx.helpers.getBinaryStream(binaryId, READ_SLICE);
		chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
		bufferStart = 0;
		buffered = Buffer.alloc(0);
	};
	const pull = async (): Promise<boolean> => {
		const next = await chunks!.next();
		if (next.done) return false;
		buffered = Buffer.concat([buffered, Buffer.from(next.value)]);
		return true;
	};

	return {
		size: fileSize,
		read: async (offset, length) => {
			if (!chunks || offset < bufferStart) await open();
			const end = Math.min(fileSize, offset + length);
			while (bufferStart + buffered.length < end) {
				if (!(await pull())) break;
				if (bufferStart + buffered.length <= offset) {
					// Entirely before the requested range: drop it so memory stays bounded.
					bufferStart += buffered.length;
					buffered = Buffer.alloc(0);
				}
			}
			const slice = Buffer.from(buffered.subarray(offset - bufferStart, end - bufferStart));
			buffered = buffered.subarray(end - bufferStart);
			bufferStart = end;
			return slice;
		},
	};
}
