import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** The Publish ID parameter, trimmed; empty is an error naming the field (nothing is sent). */
export function publishIdParameter(ctx: IExecuteFunctions, itemIndex: number): string {
	const publishId = String(ctx.getNodeParameter('publishId', itemIndex) ?? '').trim();
	if (!publishId) throw new NodeOperationError(ctx.getNode(), 'Publish ID is required', { itemIndex });
	return publishId;
}
