import type { HttpRequest, HttpResponse, Transport } from '@tokpipe/core';
import { TransportError, transportFailureOf } from '@tokpipe/core';
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
			if (!(signed && first.statusCode === 401)) return toResponse(first);
			// Still 401 after the refresh: core classifies it (re-authorize).
			return toResponse(await send(await withAccessTokenBlanked(ctx, credentialType)));
		} catch (error) {
			const refused = refreshRefusal(error);
			if (refused) return refused;
			throw toTransportError(error);
		}
	};
}

/** The credential as n8n would load it, but with no access token: n8n's preAuthentication then refreshes. */
async function withAccessTokenBlanked(ctx: N8nHttpContext, credentialType: string): Promise<IAdditionalCredentialOptions> {
	const data = await ctx.getCredentials(credentialType);
	return { credentialsDecrypted: { id: '', name: credentialType, type: credentialType, data: { ...data, accessToken: '' } } };
}

/**
 * The credential's preAuthentication failed (TikTok refused the refresh token): n8n wraps that in a
 * NodeApiError. Hand core TikTok's flat OAuth error instead, so it is classified (invalid_grant → re-authorize).
 */
function refreshRefusal(error: unknown): HttpResponse | undefined {
	for (const e of causes(error)) {
		const match = typeof e.message === 'string' ? new RegExp(`${REFRESH_REFUSED} \\((\\w+)\\)`).exec(e.message) : null;
		if (match) {
			return {
				status: 400,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ error: match[1], error_description: 'refresh token refused while refreshing the access token' }),
			};
		}
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

function toResponse(res: FullResponse): HttpResponse {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(res.headers ?? {})) {
		if (value !== undefined && value !== null) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return { status: res.statusCode, headers, body: bodyText(res.body) };
}

/** Always text: core parses it losslessly (19-digit post ids). */
function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
	return JSON.stringify(body);
}

/** n8n wraps axios errors (NodeApiError → cause → ...); find the first Node error code or HTTP status. */
function causes(error: unknown): Array<Record<string, unknown>> {
	const chain: Array<Record<string, unknown>> = [];
	let current: unknown = error;
	while (current && typeof current === 'object' && chain.length < 6) {
		chain.push(current as Record<string, unknown>);
		current = (current as { cause?: unknown }).cause;
	}
	return chain;
}

function toTransportError(error: unknown): TransportError {
	if (error instanceof TransportError) return error;
	for (const e of causes(error)) {
		const code = socketCodeOf(e);
		const failure = transportFailureOf(code);
		// n8n does not show us its socket: a code that may come after sending counts as sent.
		if (failure) return new TransportError(failure.kind, `network error: ${code}`, failure.requestSent ?? true);
	}
	// Unknown failure: assume it may have been sent, so core never repeats an init blindly.
	return new TransportError('other', 'network error', true);
}

/** axios puts the socket code in `code`; n8n's NodeApiError (signed requests) moves it to `httpCode`. */
function socketCodeOf(e: Record<string, unknown>): string | undefined {
	if (typeof e.code === 'string') return e.code;
	return typeof e.httpCode === 'string' && !/^\d+$/.test(e.httpCode) ? e.httpCode : undefined;
}
