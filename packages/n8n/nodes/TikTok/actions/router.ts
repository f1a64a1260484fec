import { TokpipeError } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { classificationFields, errorFromDetails } from '../../shared/errors';
import { CONNECTION } from '../../transport/server';
import type { NodeEnvironment, OperationExecute, ServerExecute } from '../helpers/interfaces';
import { FailedOutcome } from '../helpers/outcome';
import { PostersByOptions } from '../helpers/posters';
import * as creator from './creator/Creator.resource';
import type { TikTokType } from './node.type';
import * as photo from './photo/Photo.resource';
import * as post from './post/Post.resource';
import * as video from './video/Video.resource';

interface Operation {
	execute: OperationExecute;
	/** Absent: the operation needs a direct TikTok connection. */
	viaServer?: ServerExecute;
}
type Operations = { [T in TikTokType as T['resource']]: Record<T['operation'], Operation> };

/** Every resource/operation pair and the module that runs it. */
const OPERATIONS: Operations = {
	video: { post: video.post, uploadDraft: video.uploadDraft },
	photo: { post: photo.post, uploadDraft: photo.uploadDraft },
	post: { getStatus: post.getStatus, waitForCompletion: post.waitForCompletion, cancel: post.cancel },
	creator: { getInfo: creator.getInfo },
};

/** resource/operation → the operation's execute(), item by item; failures become n8n errors (or items with Continue On Fail). */
export async function router(this: IExecuteFunctions, env: NodeEnvironment): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const posters = new PostersByOptions(this, env);
	const viaServer = this.getNodeParameter(CONNECTION.parameter, 0, CONNECTION.direct) === CONNECTION.server;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as TikTokType['resource'];
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const handler = (OPERATIONS[resource] as Record<string, Operation> | undefined)?.[operation];
			if (!handler)
				throw new NodeOperationError(this.getNode(), `The operation "${resource}:${operation}" is not supported`, {
					itemIndex,
				});
			if (viaServer) {
				if (!handler.viaServer)
					throw new NodeOperationError(
						this.getNode(),
						`The operation "${resource}:${operation}" needs the TikTok Token (Direct) connection`,
						{ itemIndex },
					);
				out.push({ json: await handler.viaServer.call(this, itemIndex), pairedItem: { item: itemIndex } });
				continue;
			}
			const poster = await posters.forItem(itemIndex);
			const json = await handler.execute.call(this, { itemIndex, poster, clock: env.clock });
			out.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const details = error instanceof TokpipeError ? error.details : undefined;
			if (this.continueOnFail()) {
				const outcome = error instanceof FailedOutcome ? error.outcome : {};
				const json = details ? { ...classificationFields(details), ...outcome } : { error: (error as Error).message };
				out.push({ json: json as IDataObject, pairedItem: { item: itemIndex } });
				continue;
			}
			if (details) throw errorFromDetails(this.getNode(), details, itemIndex);
			// Both constructors hand back an error that already is of their class.
			if (error instanceof NodeApiError)
				throw new NodeApiError(this.getNode(), error as unknown as JsonObject, { itemIndex });
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [out];
}
