import type { HttpRequest, HttpResponse, Transport } from '@tokpipe/core';
import { TransportError, transportFailureOf } from '@tokpipe/core';
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { REFRESH_REFUSED } from '../../credentials/TikTokTokenApi.credentials';

/** The part of n8n's helpers the transport needs (IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions all have it). */
export interface N8nHttpContext {
	helpers: {
		httpRequest(options: IHttpRequestOptions): Promise<unknown>;
		httpRequestWithAuthentication(
			this: unknown,
			credentialsType: string,
			options: IHttpRequestOptions,
		): Promise<unknown>;
	};
}

interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body?: unknown;
}

/**
 * core's Transport over n8n's HTTP helpers.
 * - Requests core signs with a bearer token go through httpRequestWithAuthentication: n8n adds the
 *   credential's access token (core's placeholder header is dropped) and refreshes it via preAuthentication.
 * - Unsigned requests (chunk PUTs to TikTok's upload URL) use plain httpRequest: the token never leaves for them.
 * - Every status comes back as a response (returnFullResponse + ignoreHttpStatusErrors) so core classifies 429/5xx.
 * - n8n only refreshes when a request *throws* a 401, so a 401 response is repeated once without
 *   ignoreHttpStatusErrors (a 401 means TikTok did nothing, so repeating is safe).
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
		const send = async (o: IHttpRequestOptions) =>
			(signed
				? await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, o)
				: await ctx.helpers.httpRequest(o)) as FullResponse;
		try {
			const first = await send(options);
			if (!(signed && first.statusCode === 401)) return toResponse(first);
			try {
				return toResponse(await send({ ...options, ignoreHttpStatusErrors: false }));
			} catch (error) {
				const refused = refreshRefusal(error);
				if (refused) return refused;
				// Still refused after n8n's refresh: hand core the original 401 so it classifies it (re-authorize).
				if (httpStatusOf(error) !== undefined) return toResponse(first);
				throw toTransportError(error);
			}
		} catch (error) {
			const refused = refreshRefusal(error);
			if (refused) return refused;
			throw toTransportError(error);
		}
	};
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

function httpStatusOf(error: unknown): number | undefined {
	for (const e of causes(error)) {
		const status = Number(e.httpCode ?? (e.response as { status?: unknown } | undefined)?.status);
		if (Number.isInteger(status) && status >= 100) return status;
	}
	return undefined;
}

function toTransportError(error: unknown): TransportError {
	if (error instanceof TransportError) return error;
	for (const e of causes(error)) {
		const failure = typeof e.code === 'string' ? transportFailureOf(e.code) : undefined;
		// n8n does not show us its socket: a code that may come after sending counts as sent.
		if (failure) return new TransportError(failure.kind, `network error: ${e.code}`, failure.requestSent ?? true);
	}
	// Unknown failure: assume it may have been sent, so core never repeats an init blindly.
	return new TransportError('other', 'network error', true);
}
