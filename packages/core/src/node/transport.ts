// The Node Transport: axios over node:http(s). Never throws for an HTTP status; failures below HTTP
// become TransportError with `requestSent` telling whether the request may have reached the server
// (that decides whether a lost init reply is an unknown outcome).
import axios, { AxiosError, type AxiosResponse } from 'axios';
import type { ClientRequest } from 'node:http';
import {
  TransportError,
  type HttpRequest,
  type HttpResponse,
  type Transport,
  type TransportFailureKind,
} from '../ports';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../catalog/tiktok';
import { transportFailureOf } from '../errors/transport-codes';
import { redactText } from '../redact';

export interface AxiosTransportOptions {
  /** Used when a request has no timeoutMs (default 30 000 ms). */
  defaultTimeoutMs?: number;
}

/** Whether any byte of the request may have been written to a connected socket. Unknown → true (the safe side). */
function bytesMayHaveLeft(request: unknown): boolean {
  const req = request as (ClientRequest & { _headerSent?: boolean }) | undefined;
  if (!req || typeof req !== 'object') return true;
  const socket = req.socket as (ClientRequest['socket'] & { connecting?: boolean }) | null | undefined;
  if (socket && socket.connecting) return false;
  if (socket && typeof socket.bytesWritten === 'number') return socket.bytesWritten > 0 || req._headerSent === true;
  return req._headerSent !== false;
}

function headersOf(response: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export function axiosTransport(options: AxiosTransportOptions = {}): Transport {
  const instance = axios.create();
  return async (request: HttpRequest): Promise<HttpResponse> => {
    try {
      const response = await instance.request({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data:
          request.body instanceof Uint8Array
            ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
            : request.body,
        timeout: request.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        maxBodyLength: Number.POSITIVE_INFINITY,
        maxContentLength: Number.POSITIVE_INFINITY,
        transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
        proxy: false,
      });
      const body =
        typeof response.data === 'string' ? response.data : response.data == null ? '' : String(response.data);
      return { status: response.status, headers: headersOf(response), body };
    } catch (error) {
      throw toTransportError(error);
    }
  };
}

/** axios/node error → TransportError (exported for tests). */
export function toTransportError(error: unknown): TransportError {
  const err = error as AxiosError & { cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const known = transportFailureOf(code);
  const kind: TransportFailureKind = known?.kind ?? 'other';
  // The table says when a code can only happen before sending; otherwise the socket tells.
  const sent = known?.requestSent ?? bytesMayHaveLeft(err?.request);
  // axios messages can include the URL (with an upload_token): scrub before anyone sees it.
  const message = redactText(`${code || 'error'}: ${err?.message ?? String(error)}`);
  return new TransportError(kind, message, sent);
}
