import type { ByteSource } from '@tokpipe/core';
import { serverPostBody, toPostRequest, validatePostRequest } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { binaryByteSource } from '../../shared/binary-source';
import { CREDENTIAL_TYPE } from '../../transport';
import { serverCall } from '../../transport/server';
import { ADDITIONAL_FIELDS, catalogFieldNames, type PostingTarget } from './catalog-fields';
import { postingProperties } from '../actions/common.descriptions';
import type { ItemContext, OperationExecute, ServerExecute } from './interfaces';
import { settled } from './outcome';
import { itemOptions } from './posters';

/** The item's catalog fields by core's names, and the binary property when the video comes from binary data. */
function postValues(ctx: IExecuteFunctions, itemIndex: number, target: PostingTarget) {
	const names = catalogFieldNames(target.id, target.mode);
	const additional = ctx.getNodeParameter(ADDITIONAL_FIELDS, itemIndex, {}) as IDataObject;
	const values: Record<string, unknown> = { mode: target.mode };
	// null, not undefined (n8n's "no fallback"): a field hidden for the connection (Wait for TikTok) reads as unset.
	for (const name of names.main) values[name] = ctx.getNodeParameter(name, itemIndex, null);
	for (const name of names.additional) values[name] = additional[name];
	let binaryProperty: string | undefined;
	if (target.resource === 'video') {
		if (ctx.getNodeParameter('source', itemIndex, 'url') === 'binary')
			binaryProperty = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
		else values.videoUrl = ctx.getNodeParameter('videoUrl', itemIndex, '');
	}
	return { values, binaryProperty };
}

/** Video/Photo → Post or Upload as Draft: the catalog's fields → core's PostRequest → core's poster. */
export async function postMedia(
	ctx: IExecuteFunctions,
	item: ItemContext,
	target: PostingTarget,
): Promise<IDataObject> {
	const { itemIndex, poster } = item;
	const { values, binaryProperty } = postValues(ctx, itemIndex, target);
	let videoFile: ByteSource | undefined;
	if (binaryProperty) videoFile = await binaryByteSource(ctx, itemIndex, binaryProperty);
	// Both throw TokpipeError (layer input or structural, naming the field) before any request.
	const request = validatePostRequest(toPostRequest(target.id, values, videoFile));
	// The open_id is part of the idempotency key; a never-used credential learns it on its first refresh.
	if (itemOptions(ctx, itemIndex).idempotency !== false && !(await ctx.getCredentials(CREDENTIAL_TYPE)).openId) {
		await poster.creatorInfo();
	}
	const outcome = await poster.post(request, { wait: values.waitForCompletion !== false });
	return settled(outcome);
}

/**
 * The same post through a tokpipe server (POST /v1/posts); the item is the server's view of the post.
 * Idempotency-Key: the user's key, the same on every retry of the item (Retry On Fail, a re-run execution).
 * Without one, the server derives the post's id from account, media, caption and publish time: just as stable.
 */
export async function postMediaViaServer(
	ctx: IExecuteFunctions,
	itemIndex: number,
	target: PostingTarget,
): Promise<IDataObject> {
	const { values, binaryProperty } = postValues(ctx, itemIndex, target);
	// A file cannot travel to the server: core refuses it, naming the field.
	if (binaryProperty) serverPostBody({ videoFile: binaryProperty }, target.mode);
	// Checked here as in direct mode, so bad input is refused before any request.
	validatePostRequest(toPostRequest(target.id, values));
	const { idempotencyKey, ...fields } = values;
	const upload = target.resource === 'video' && ctx.getNodeParameter('serverUpload', itemIndex, false) === true;
	const body = serverPostBody(
		{ ...fields, account: ctx.getNodeParameter('account', itemIndex, ''), serverUpload: upload || undefined },
		target.mode,
	);
	const key = typeof idempotencyKey === 'string' ? idempotencyKey.trim() : '';
	return await serverCall(ctx, 'createPost', { body, idempotencyKey: key || undefined });
}

/** A Video or Photo operation (Post, Upload as Draft): its fields, and how it runs on each connection. */
export function postingOperation(target: PostingTarget): {
	description: INodeProperties[];
	execute: OperationExecute;
	viaServer: ServerExecute;
} {
	return {
		description: postingProperties(target),
		async execute(this: IExecuteFunctions, item: ItemContext) {
			return await postMedia(this, item, target);
		},
		async viaServer(this: IExecuteFunctions, itemIndex: number) {
			return await postMediaViaServer(this, itemIndex, target);
		},
	};
}
