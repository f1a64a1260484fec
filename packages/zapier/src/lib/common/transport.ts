// Core's Transport over z.request: every TikTok call goes through Zapier's HTTP client (its logging,
// secret scrubbing and hostname checks), but reaches core as the raw reply so core alone classifies it.
import {
  accessTokenRefusedReply,
  toHttpResponse,
  TransportError,
  transportErrorOf,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';

/** `deadline`: the perform's remaining time; no request is allowed to run past it. */
export function zapierTransport(z: ZObject, deadline?: { remainingMs(): number }): Transport {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const remaining = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
    // Out of time: fail before sending, so core knows nothing reached TikTok.
    if (remaining <= 0)
      throw new TransportError('timeout', 'no time left in this Zapier step for another request', false);
    const timeoutMs = Math.min(request.timeoutMs ?? Number.POSITIVE_INFINITY, remaining);
    let response;
    try {
      response = await z.request({
        url: request.url,
        method: request.method,
        headers: request.headers,
        // Uploads are bytes; z.request leaves a Buffer alone (a Uint8Array would be JSON-encoded).
        body:
          request.body instanceof Uint8Array
            ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
            : request.body,
        ...(Number.isFinite(timeoutMs) ? { timeout: Math.ceil(timeoutMs) } : {}),
        // Core reads every status itself: no throw for 4xx/5xx, no early ThrottledError on 429.
        skipThrowForStatus: true,
        throwForThrottlingEarly: false,
        // No {{curly}} templating or requestTemplate merge: a caption is data, never a template.
        merge: false,
        // The body is already encoded exactly as TikTok expects.
        removeMissingValuesFrom: { params: false, body: false },
      } as Parameters<ZObject['request']>[0]);
    } catch (error) {
      // With autoRefresh, Zapier turns a 401 into RefreshAuthError before we can read TikTok's body.
      // Hand core the 401 it stands for: an access token TikTok refused (nothing was done), which core
      // classifies as "refresh, then retry" and the app answers with RefreshAuthError.
      if ((error as { name?: string } | null)?.name === 'RefreshAuthError')
        return accessTokenRefusedReply('TikTok refused the access token (HTTP 401); Zapier refreshes it.');
      // z.request cannot tell when a failure happened: core's reading assumes it may have reached TikTok.
      throw transportErrorOf(error);
    }
    return toHttpResponse(response.status, response.headers, response.content);
  };
}
