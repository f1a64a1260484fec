import type { ErrorDetails } from '@tokpipe/core';
import { errorRecord, failureSummary } from '@tokpipe/core';
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** The classification fields a workflow routes on (e.g. an IF node on `disposition`). Flat, no secrets. */
export function classificationFields(details: ErrorDetails) {
	return { ...errorRecord(details), attempts: details.attempts };
}

/** Layers where nothing reached TikTok: shown as n8n operation errors (fix the node's parameters). */
const OPERATION_LAYERS = new Set<ErrorDetails['layer']>(['input', 'structural']);

/** A NodeApiError (or NodeOperationError for input/structural) whose description carries core's classification. */
export function errorFromDetails(node: INode, details: ErrorDetails, itemIndex: number) {
	const fields = classificationFields(details);
	const description = failureSummary(details);
	if (OPERATION_LAYERS.has(details.layer)) {
		return new NodeOperationError(node, details.message, { itemIndex, description });
	}
	const error = new NodeApiError(node, fields as unknown as JsonObject, {
		itemIndex,
		message: details.message,
		description,
		httpCode: details.httpStatus ? String(details.httpStatus) : undefined,
	});
	// NodeApiError swaps a message mentioning a socket code (ECONNABORTED, ETIMEDOUT...) for n8n's generic
	// line, some advising Retry On Fail, which would re-run posts: keep ours, which says what it means for the post.
	error.message = details.message;
	return error;
}
