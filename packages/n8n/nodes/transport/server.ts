import type { ServerCall, ServerRoute } from '@tokpipe/core';
import { callServer } from '@tokpipe/core';
import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { N8nHttpContext } from './http';

export const SERVER_CREDENTIAL_TYPE = 'tokpipeServerApi';

/** The node's Connection parameter: a TikTok token used directly (the default), or a tokpipe server. */
export const CONNECTION = { parameter: 'authentication', direct: 'tikTokToken', server: 'tokpipeServer' } as const;

/** One tokpipe server API call (core checks the credential, builds the request and reads the reply), sent with
 * n8n's HTTP helper. */
export async function serverCall<T = IDataObject>(
	ctx: Pick<N8nHttpContext, 'getCredentials' | 'helpers'>,
	route: ServerRoute,
	call: ServerCall = {},
): Promise<T> {
	return await callServer<T>(await ctx.getCredentials(SERVER_CREDENTIAL_TYPE), route, call, async (request) => {
		const reply = (await ctx.helpers.httpRequest({
			...request,
			method: request.method as IHttpRequestMethods,
			body: request.body as IDataObject | undefined,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body?: unknown };
		return { status: reply.statusCode, body: reply.body };
	});
}
