import type { ServerCall, ServerRoute } from '@tokpipe/core';
import {
	classifyTransportError,
	readServerReply,
	serverConnection,
	serverRequest,
	TokpipeError,
	transportErrorOf,
} from '@tokpipe/core';
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import type { N8nHttpContext } from './http';

export const SERVER_CREDENTIAL_TYPE = 'tokpipeServerApi';

/** The node's Connection parameter: a TikTok token used directly (the default), or a tokpipe server. */
export const CONNECTION = { parameter: 'authentication', direct: 'tikTokToken', server: 'tokpipeServer' } as const;

/**
 * One tokpipe server API call through n8n's HTTP helper: core builds the request (route, Bearer key,
 * Idempotency-Key) and reads the reply (problem+json → core's error). A failure without a reply becomes
 * core's transport error (the key is redacted; a POST may have arrived, and the Idempotency-Key makes
 * sending it again safe).
 */
export async function serverCall<T = IDataObject>(
	ctx: Pick<N8nHttpContext, 'getCredentials' | 'helpers'>,
	route: ServerRoute,
	call: ServerCall = {},
): Promise<T> {
	// Checked first: a bad URL or missing key is an input error naming the field, and nothing is sent.
	const connection = serverConnection(await ctx.getCredentials(SERVER_CREDENTIAL_TYPE));
	const request = serverRequest(connection, route, call);
	const options: IHttpRequestOptions = {
		method: request.method as IHttpRequestMethods,
		url: request.url,
		headers: request.headers,
		body: request.body as IDataObject | undefined,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	let reply: { statusCode: number; body?: unknown };
	try {
		reply = (await ctx.helpers.httpRequest(options)) as typeof reply;
	} catch (error) {
		throw new TokpipeError(classifyTransportError(transportErrorOf(error), { secrets: [connection.apiKey] }));
	}
	return readServerReply<T>(reply.statusCode, reply.body);
}
