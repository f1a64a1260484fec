import type { ByteSource } from '@tokpipe/core';
import { toPostRequest, validatePostRequest } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { binaryByteSource } from '../../shared/binary-source';
import { CREDENTIAL_TYPE } from '../../transport';
import { ADDITIONAL_FIELDS, catalogFieldNames, type PostingTarget } from './catalog-fields';
import { postingProperties } from '../actions/common.descriptions';
import type { ItemContext, OperationExecute } from './interfaces';
import { settled } from './outcome';
import { itemOptions } from './posters';

/** Video/Photo → Post or Upload as Draft: the catalog's fields → core's PostRequest → core's poster. */
export async function postMedia(
	ctx: IExecuteFunctions,
	item: ItemContext,
	target: PostingTarget,
): Promise<IDataObject> {
	const { itemIndex, poster } = item;
	const names = catalogFieldNames(target.id, target.mode);
	const additional = ctx.getNodeParameter(ADDITIONAL_FIELDS, itemIndex, {}) as IDataObject;
	const values: Record<string, unknown> = { mode: target.mode };
	for (const name of names.main) values[name] = ctx.getNodeParameter(name, itemIndex, undefined);
	for (const name of names.additional) values[name] = additional[name];
	let videoFile: ByteSource | undefined;
	if (target.resource === 'video') {
		if (ctx.getNodeParameter('source', itemIndex, 'url') === 'binary') {
			const property = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
			videoFile = await binaryByteSource(ctx, itemIndex, property);
			delete values.videoUrl;
		} else {
			values.videoUrl = ctx.getNodeParameter('videoUrl', itemIndex, '');
		}
	}
	// Both throw TokpipeError (layer input or structural, naming the field) before any request.
	const request = validatePostRequest(toPostRequest(target.id, values, videoFile));
	// The open_id is part of the idempotency key; a never-used credential learns it on its first refresh.
	if (itemOptions(ctx, itemIndex).idempotency !== false && !(await ctx.getCredentials(CREDENTIAL_TYPE)).openId) {
		await poster.creatorInfo();
	}
	const outcome = await poster.post(request, { wait: values.waitForCompletion !== false });
	return settled(outcome);
}

/** A Video or Photo operation (Post, Upload as Draft): its fields, and postMedia for its target. */
export function postingOperation(target: PostingTarget): { description: INodeProperties[]; execute: OperationExecute } {
	return {
		description: postingProperties(target),
		async execute(this: IExecuteFunctions, item: ItemContext) {
			return await postMedia(this, item, target);
		},
	};
}
