// Streamable HTTP: a Node request handler a server mounts at /mcp (tokpipe serve, or `tokpipe mcp
// --http`). Every request needs `Authorization: Bearer <API key>`; the key is compared in constant
// time against a stored hash, never logged. Stateless: each request gets its own server over the
// shared backend, so any number of clients and restarts need no session bookkeeping.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { redactText } from '@tokpipe/core';
import type { PostingService } from '@tokpipe/core';
import { createMcpServer, type McpServerOptions } from './server';

const HASH_PREFIX = 'sha256:';

/** What a key store keeps: `sha256:<hex>` of the key (API keys are long random strings, so a fast
 * hash is enough; the key itself is never stored). */
export function hashApiKey(key: string): string {
  return HASH_PREFIX + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A verifier against stored hashes; constant time over the digests (equal length always). */
export function apiKeyVerifier(storedHashes: string | readonly string[]): (presented: string) => boolean {
  const digests = (typeof storedHashes === 'string' ? [storedHashes] : storedHashes).map((h) => {
    if (!h.startsWith(HASH_PREFIX) || !/^[0-9a-f]{64}$/.test(h.slice(HASH_PREFIX.length)))
      throw new Error('API key hash must be sha256:<64 hex digits>');
    return Buffer.from(h.slice(HASH_PREFIX.length), 'hex');
  });
  return (presented) => {
    const candidate = createHash('sha256').update(presented, 'utf8').digest();
    let ok = false;
    for (const digest of digests) ok = timingSafeEqual(candidate, digest) || ok;
    return ok;
  };
}

export interface McpHttpHandlerOptions extends Omit<McpServerOptions, 'backend'> {
  backend: PostingService;
  verifyApiKey: (presented: string) => boolean | Promise<boolean>;
}

export type McpHttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="tokpipe"' } : {}),
  });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null }));
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  return async (req, res) => {
    const key = bearer(req);
    if (!key) return refuse(res, 401, 'API key required: send Authorization: Bearer <key>');
    if (!(await options.verifyApiKey(key))) return refuse(res, 401, 'API key not accepted');
    const server = createMcpServer(options);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      options.log?.(
        redactText(
          `mcp http: request failed: ${error instanceof Error ? error.message : String(error)}`,
          options.secrets,
        ),
      );
      if (!res.headersSent) refuse(res, 500, 'internal error');
    }
  };
}
