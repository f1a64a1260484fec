// The harness's HTTP: the spec's hosts (open.tiktokapis.com, www.tiktok.com) are rewritten to the
// local sandbox, every exchange is logged (then sanitized per log.sanitize) for the no-secret-leak check.
import { request as httpRequest } from 'node:http';
import { parseJsonLossless } from '@tokpipe/core';

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text (json, urlencoded) or raw bytes (type binary). */
  body?: string | Uint8Array;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** Parsed JSON (19-digit integers kept exact as strings) or the raw text. */
  body: unknown;
  text: string;
}

export class HarnessTransportError extends Error {
  override readonly name = 'HarnessTransportError';
  /** network: the connection failed or no reply came (what a real engine meets); host: a test set-up bug. */
  constructor(
    message: string,
    readonly kind: 'network' | 'host' = 'network',
  ) {
    super(message);
  }
}

export function rewriteHost(url: string, hosts: Record<string, string>): string {
  for (const [from, to] of Object.entries(hosts)) if (url.startsWith(from)) return to + url.slice(from.length);
  return url;
}

export function send(req: WireRequest, timeoutMs = 40_000): Promise<WireResponse> {
  const url = new URL(req.url);
  if (url.hostname !== '127.0.0.1')
    return Promise.reject(
      new HarnessTransportError(`the harness only talks to 127.0.0.1, not ${url.hostname}`, 'host'),
    );
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        method: req.method,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: withLength(req),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          const json =
            /json/i.test(headers['content-type'] ?? '') || /^\s*[{[]/.test(text) ? parseJsonLossless(text) : undefined;
          resolve({ statusCode: res.statusCode ?? 0, headers, body: json?.ok ? json.value : text, text });
        });
        res.on('error', (e) => reject(new HarnessTransportError(e.message)));
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new HarnessTransportError('timeout')));
    r.on('error', (e) => reject(new HarnessTransportError(e.message)));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** Content-Length of the body, unless the spec set it itself (header names are case-insensitive). */
function withLength(req: WireRequest): Record<string, string> {
  if (req.body === undefined || Object.keys(req.headers).some((k) => k.toLowerCase() === 'content-length'))
    return req.headers;
  return {
    ...req.headers,
    'content-length': String(typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength),
  };
}

export interface LogEntry {
  component: string;
  request: { method: string; url: string; headers: Record<string, string>; body: unknown };
  response?: { status: number; headers: Record<string, string>; body: unknown };
}

const MASK = '******';

/** Applies Make's log.sanitize: dotted paths, header names case-insensitive. */
export function sanitizeLog(entry: LogEntry, paths: readonly string[]): LogEntry {
  const copy = JSON.parse(JSON.stringify(entry)) as LogEntry & Record<string, unknown>;
  for (const path of paths) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const [i, part] of parts.entries()) {
      if (!node || typeof node !== 'object') break;
      const obj = node as Record<string, unknown>;
      const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
      if (key === undefined) break;
      if (i === parts.length - 1) obj[key] = MASK;
      else node = obj[key];
    }
  }
  return copy;
}
