import type { HttpRequest, HttpResponse, Transport } from '@tokpipe/core';
import { errorChain, refreshRefusedReply, toHttpResponse, transportErrorOf } from '@tokpipe/core';
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { REFRESH_REFUSED } from '../../credentials/TikTokTokenApi.credentials';

/** The part of n8n a transport needs (IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions all have it). */
export interface N8nHttpContext {
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
	helpers: {
		httpRequest(options: IHttpRequestOptions): Promise<unknown>;
		httpRequestWithAuthentication(
			this: unknown,
			credentialsType: string,
			options: IHttpRequestOptions,
			additionalCredentialOptions?: IAdditionalCredentialOptions,
		): Promise<unknown>;
	};
}

interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body?: unknown;
}

/**
 * core's Transport over n8n's HTTP helpers (the one place the nodes make HTTP requests).
 * - Requests core signs with a bearer token go through httpRequestWithAuthentication: n8n adds the
 *   credential's access token (core's placeholder header is dropped) and refreshes it via preAuthentication.
 * - Unsigned requests (chunk PUTs to TikTok's upload URL) use plain httpRequest: the token never leaves for them.
 * - Every status comes back as a response (returnFullResponse + ignoreHttpStatusErrors) so core classifies 429/5xx.
 * - A 401 (TikTok did nothing, so sending again is safe) is sent once more with the credential's access token
 *   blanked: n8n then runs preAuthentication first (refresh, rotated token saved) and signs with the new token.
 *   One 401, one refresh, then the answer.
 */
export function n8nTransport(ctx: N8nHttpContext, credentialType: string): Transport {
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const { headers, signed } = withoutAuthorization(request.headers);
		const options: IHttpRequestOptions = {
			method: request.method as IHttpRequestMethods,
			url: request.url,
			headers: headers as IDataObject,
			body: toBody(request.body),
			json: false,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs,
		};
		const send = async (additional?: IAdditionalCredentialOptions) =>
			(signed
				? await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options, additional)
				: await ctx.helpers.httpRequest(options)) as FullResponse;
		try {
			const first = await send();
			if (!(signed && first.statusCode === 401)) return toHttpResponse(first.statusCode, first.headers, first.body);
			// Still 401 after the refresh: core classifies it (re-authorize).
			const second = await send(await withAccessTokenBlanked(ctx, credentialType));
			return toHttpResponse(second.statusCode, second.headers, second.body);
		} catch (error) {
			const refused = refreshRefusal(error);
			if (refused) return refused;
			// n8n does not show us its socket: core counts a failure that may come after sending as sent.
			throw transportErrorOf(error);
		}
	};
}

/** The credential as n8n would load it, but with no access token: n8n's preAuthentication then refreshes. */
async function withAccessTokenBlanked(
	ctx: N8nHttpContext,
	credentialType: string,
): Promise<IAdditionalCredentialOptions> {
	const data = await ctx.getCredentials(credentialType);
	return {
		credentialsDecrypted: { id: '', name: credentialType, type: credentialType, data: { ...data, accessToken: '' } },
	};
}

/**
 * The credential's preAuthentication failed (TikTok refused the refresh token): n8n wraps that in a
 * NodeApiError. Hand core TikTok's flat OAuth error instead, so it is classified (invalid_grant → re-authorize).
 */
function refreshRefusal(error: unknown): HttpResponse | undefined {
	for (const e of errorChain(error)) {
		const match = typeof e.message === 'string' ? new RegExp(`${REFRESH_REFUSED} \\((\\w+)\\)`).exec(e.message) : null;
		if (match) return refreshRefusedReply(match[1]!);
	}
	return undefined;
}

function withoutAuthorization(input: Record<string, string>) {
	const headers: Record<string, string> = {};
	let signed = false;
	for (const [name, value] of Object.entries(input)) {
		if (name.toLowerCase() === 'authorization') signed = true;
		else headers[name] = value;
	}
	return { headers, signed };
}

function toBody(body: HttpRequest['body']): IHttpRequestOptions['body'] {
	if (body === undefined || typeof body === 'string') return body;
	return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
