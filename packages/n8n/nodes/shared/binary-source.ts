import type { ByteSource } from '@tokpipe/core';
import { bufferByteSource, reopeningByteSource, VIDEO_FORMATS_TEXT, videoContentTypeOf } from '@tokpipe/core';
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
export async function binaryByteSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
): Promise<ByteSource> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	const contentType = videoContentTypeOf(binary.mimeType);
	if (!contentType) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Binary property "${property}" is ${binary.mimeType || 'of unknown type'}; TikTok accepts ${VIDEO_FORMATS_TEXT} video`,
			{ itemIndex },
		);
	}
	if (!binary.id) return bufferByteSource(Buffer.from(binary.data, BINARY_ENCODING), contentType);
	const { id } = binary;
	const { fileSize } = await ctx.helpers.getBinaryMetadata(id);
	const open = async () => (await ctx.helpers.getBinaryStream(id, READ_SLICE)) as AsyncIterable<Buffer>;
	return reopeningByteSource(fileSize, open, contentType);
}
