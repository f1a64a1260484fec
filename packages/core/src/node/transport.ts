// The Node Transport: axios over node:http(s). Never throws for an HTTP status; failures below HTTP
// become TransportError with `requestSent` telling whether the request may have reached the server
// (that decides whether a lost init reply is an unknown outcome).
import axios, { AxiosError, type AxiosResponse } from 'axios';
import type { ClientRequest } from 'node:http';
import { TransportError, type HttpRequest, type HttpResponse, type Transport, type TransportFailureKind } from '../ports';
import { redactText } from '../redact';

export interface AxiosTransportOptions {
  /** Used when a request has no timeoutMs (default 30 000 ms). */
  defaultTimeoutMs?: number;
}

/** Error codes from node/axios → kind, and whether the bytes can have left. `undefined` = ask the socket. */
const KIND_BY_CODE: Readonly<Record<string, { kind: TransportFailureKind; sent?: boolean }>> = {
  ENOTFOUND: { kind: 'dns', sent: false },
  EAI_AGAIN: { kind: 'dns', sent: false },
  ECONNREFUSED: { kind: 'refused', sent: false },
  EHOSTUNREACH: { kind: 'refused', sent: false },
  ENETUNREACH: { kind: 'refused', sent: false },
  ECONNRESET: { kind: 'reset' },
  EPIPE: { kind: 'reset' },
  ECONNABORTED: { kind: 'timeout' },
  ETIMEDOUT: { kind: 'timeout' },
  ESOCKETTIMEDOUT: { kind: 'timeout' },
  ERR_CANCELED: { kind: 'aborted' },
  CERT_HAS_EXPIRED: { kind: 'tls', sent: false },
  DEPTH_ZERO_SELF_SIGNED_CERT: { kind: 'tls', sent: false },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { kind: 'tls', sent: false },
  ERR_TLS_CERT_ALTNAME_INVALID: { kind: 'tls', sent: false },
  SELF_SIGNED_CERT_IN_CHAIN: { kind: 'tls', sent: false },
};

/** Whether any byte of the request was written to a connected socket. Unknown → true (the safe side). */
function requestMaySent(request: unknown): boolean {
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
        data: request.body instanceof Uint8Array ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength) : request.body,
        timeout: request.timeoutMs ?? options.defaultTimeoutMs ?? 30_000,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        maxBodyLength: Number.POSITIVE_INFINITY,
        maxContentLength: Number.POSITIVE_INFINITY,
        transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
        proxy: false,
      });
      const body = typeof response.data === 'string' ? response.data : response.data == null ? '' : String(response.data);
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
  const known = KIND_BY_CODE[code];
  const kind: TransportFailureKind = known?.kind ?? (/ssl|tls|cert/i.test(code) ? 'tls' : 'other');
  const sent = known?.sent ?? (kind === 'tls' ? false : requestMaySent(err?.request));
  // axios messages can include the URL (with an upload_token): scrub before anyone sees it.
  const message = redactText(`${code || 'error'}: ${err?.message ?? String(error)}`);
  return new TransportError(kind, message, sent);
}
