// HTTP plumbing: routing table, fault injection around each handler, and the request log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import {
  contentInit,
  creatorInfo,
  cancel,
  inboxInit,
  statusFetch,
  uploadProgressHeader,
  uploadPut,
  videoInit,
} from './posting';
import { userInfo, videoList } from './display';
import type { Ctx, Engine, Reply, SandboxRequest } from './engine';
import type { EndpointName, Fault } from './faults';
import { mediaFile } from './media';
import { authorize, oauthError, revoke, token } from './oauth';
import { redactFields } from './util';

export type Handler = (engine: Engine, req: SandboxRequest, ctx: Ctx) => Reply;

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** Exact path (trailing slash optional), or a prefix when `prefix` is set. */
  path: string;
  prefix?: boolean;
  endpoint: EndpointName;
  handler: Handler;
}

/** Bytes of an upload body kept in memory (format sniffing); the rest is only counted. */
const UPLOAD_HEAD_BYTES = 64;
/** Largest JSON/form body accepted. */
const MAX_BODY_BYTES = 1_000_000;

export function routes(onRemoved: (openId: string, clientKey: string, reason: number) => void): Route[] {
  return [
    { method: 'GET', path: '/v2/auth/authorize/', endpoint: 'oauth.authorize', handler: authorize },
    { method: 'POST', path: '/v2/oauth/token/', endpoint: 'oauth.token', handler: token },
    {
      method: 'POST',
      path: '/v2/oauth/revoke/',
      endpoint: 'oauth.revoke',
      handler: (e, r, c) => revoke(e, r, c, onRemoved),
    },
    { method: 'POST', path: '/v2/post/publish/creator_info/query/', endpoint: 'creator_info', handler: creatorInfo },
    { method: 'POST', path: '/v2/post/publish/video/init/', endpoint: 'video.init', handler: videoInit },
    { method: 'POST', path: '/v2/post/publish/inbox/video/init/', endpoint: 'inbox.init', handler: inboxInit },
    { method: 'POST', path: '/v2/post/publish/content/init/', endpoint: 'content.init', handler: contentInit },
    { method: 'POST', path: '/v2/post/publish/status/fetch/', endpoint: 'status', handler: statusFetch },
    { method: 'POST', path: '/v2/post/publish/cancel/', endpoint: 'cancel', handler: cancel },
    { method: 'GET', path: '/v2/user/info/', endpoint: 'user.info', handler: userInfo },
    { method: 'POST', path: '/v2/video/list/', endpoint: 'video.list', handler: videoList },
    { method: 'PUT', path: '/upload/video/', endpoint: 'upload', handler: uploadPut },
    { method: 'GET', path: '/media/', prefix: true, endpoint: 'media', handler: serveMedia },
  ];
}

/** GET /media/<name>: the generated sample files. */
function serveMedia(_engine: Engine, req: SandboxRequest): Reply {
  const file = mediaFile(req.path.slice('/media/'.length).replace(/\/$/, ''));
  if (!file)
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no such media', errorCode: 'not_found' };
  return { status: 200, headers: { 'content-type': file.contentType }, body: file.bytes, errorCode: null };
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}

export interface ReadBody {
  head: Buffer;
  length: number;
  tooLarge: boolean;
  /** Bodies not kept whole (uploads): their sha256, so what arrived can still be checked. */
  sha256?: string;
}

export function readBody(req: IncomingMessage, keepAll: boolean): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptLen = 0;
    let length = 0;
    const hash = keepAll ? undefined : createHash('sha256');
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      hash?.update(chunk);
      const limit = keepAll ? MAX_BODY_BYTES : UPLOAD_HEAD_BYTES;
      if (keptLen < limit) {
        const part = chunk.subarray(0, limit - keptLen);
        kept.push(part);
        keptLen += part.length;
      }
    });
    req.on('end', () =>
      resolve({
        head: Buffer.concat(kept),
        length,
        tooLarge: keepAll && length > MAX_BODY_BYTES,
        ...(hash ? { sha256: hash.digest('hex') } : {}),
      }),
    );
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, uploadRange?: () => string, head = false): void {
  // Upload replies always carry the progress header, whatever answered (handler or fault).
  if (uploadRange && !reply.headers?.['content-range'])
    reply = { ...reply, headers: { ...reply.headers, 'content-range': uploadRange() } };
  const body = reply.body ?? '';
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function serverErrorReply(
  engine: Engine,
  fault: Extract<Fault, { kind: 'server_error' }>,
  endpoint: EndpointName,
): Reply {
  const status = fault.status ?? 500;
  if (fault.body === 'html')
    return {
      status,
      headers: { 'content-type': 'text/html' },
      body: `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`,
      errorCode: `http_${status}_html`,
    };
  if (endpoint.startsWith('oauth.')) return { ...oauthError(engine, 'server_error', 'Internal server error.'), status };
  return engine.fail(status, 'internal_error', 'Internal error. Try again later.');
}

function loggedBody(req: SandboxRequest, endpoint: EndpointName): unknown {
  if (endpoint === 'upload' || req.body.length === 0) return null;
  const ct = String(req.headers['content-type'] ?? '');
  try {
    if (/json/i.test(ct)) return redactFields(JSON.parse(req.body.toString('utf8')));
    if (/x-www-form-urlencoded/i.test(ct))
      return redactFields(Object.fromEntries(new URLSearchParams(req.body.toString('utf8'))));
  } catch {
    return { unparsed: req.body.length };
  }
  return { unparsed: req.body.length };
}

export interface ServerHooks {
  onRemoved(openId: string, clientKey: string, reason: number): void;
  admin(req: SandboxRequest): Promise<Reply>;
}

export function makeHandler(engine: Engine, hooks: ServerHooks) {
  const table = routes(hooks.onRemoved);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = withSlash(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    const isUpload = path === '/upload/video/';
    const raw = await readBody(req, !isUpload);
    const sreq: SandboxRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body: raw.head,
      bodyLength: raw.length,
      ...(raw.sha256 ? { bodySha256: raw.sha256 } : {}),
    };

    if (path.startsWith('/__sandbox/')) return send(res, await hooks.admin(sreq));
    const route = table.find((r) => (r.prefix ? path.startsWith(r.path) : r.path === path));
    if (!route) {
      return send(res, {
        status: 404,
        headers: { 'content-type': 'text/plain' },
        body: `No such endpoint: ${method} ${url.pathname}`,
      });
    }
    const ctx: Ctx = { endpoint: route.endpoint, openId: null, asyncFailReason: null };
    const uploadRange = route.endpoint === 'upload' ? () => uploadProgressHeader(engine, url.searchParams) : undefined;
    const isHead = method === 'HEAD' && route.method === 'GET';
    const methodOk = route.method === method || isHead;
    const fault: Fault = methodOk ? engine.faults.next(route.endpoint) : { kind: 'none' };
    // Who sent it, even when a fault answered before the handler looked at the token.
    const bearerOpenId = () =>
      engine.world.grants.get(String(req.headers['authorization'] ?? '').replace(/^Bearer /i, ''))?.openId ?? null;
    const log = (status: number | null, errorCode: string | null) =>
      engine.record({
        time: engine.now(),
        method,
        path: url.pathname,
        endpoint: route.endpoint,
        openId: ctx.openId ?? bearerOpenId(),
        query: redactFields(Object.fromEntries(url.searchParams)) as Record<string, string>,
        body: loggedBody(sreq, route.endpoint),
        bytes: raw.length,
        contentRange: typeof req.headers['content-range'] === 'string' ? req.headers['content-range'] : null,
        status,
        errorCode,
        fault: fault.kind === 'none' ? null : fault.kind,
      });
    const run = (): Reply => {
      if (!methodOk)
        return {
          status: 405,
          headers: { allow: route.method, 'content-type': 'text/plain' },
          body: `Use ${route.method}.`,
          errorCode: 'method_not_allowed',
        };
      if (raw.tooLarge) return engine.fail(413, 'invalid_param', 'The request body is too large.');
      return route.handler(engine, sreq, ctx);
    };

    switch (fault.kind) {
      case 'server_error': {
        const reply = serverErrorReply(engine, fault, route.endpoint);
        log(reply.status, reply.errorCode ?? null);
        return send(res, reply, uploadRange);
      }
      case 'garbled': {
        const reply: Reply = {
          status: fault.status ?? 200,
          headers: { 'content-type': fault.contentType ?? 'application/json' },
          body: fault.body,
          errorCode: 'garbled',
        };
        log(reply.status, 'garbled');
        return send(res, reply, uploadRange);
      }
      case 'rate_limit': {
        const reply = engine.fail(429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Try again later.');
        if (fault.retryAfterSec !== undefined)
          reply.headers = { ...reply.headers, 'retry-after': String(fault.retryAfterSec) };
        log(429, 'rate_limit_exceeded');
        return send(res, reply, uploadRange);
      }
      case 'error': {
        const reply = route.endpoint.startsWith('oauth.')
          ? { ...oauthError(engine, fault.code, fault.message ?? fault.code), status: fault.status }
          : engine.fail(fault.status, fault.code, fault.message ?? `Injected ${fault.code}.`);
        log(reply.status, fault.code);
        return send(res, reply, uploadRange);
      }
      case 'reset':
      case 'timeout': {
        let errorCode: string | null = null;
        if (fault.processed) {
          const reply = run();
          errorCode = reply.errorCode ?? null;
        }
        log(null, errorCode);
        // timeout: simply never answer; close() destroys the socket if the client has not given up.
        if (fault.kind === 'reset') req.socket.destroy();
        return;
      }
      case 'token_revoked': {
        const auth = String(req.headers['authorization'] ?? '').replace(/^Bearer /i, '');
        const grant = engine.world.grants.get(auth);
        if (grant && !grant.revoked) hooks.onRemoved(grant.openId, grant.clientKey, 1);
        break;
      }
      case 'async_fail':
        ctx.asyncFailReason = fault.failReason;
        break;
      default:
        break;
    }
    const reply = run();
    log(reply.status, reply.errorCode ?? null);
    if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    send(res, reply, uploadRange, isHead);
  };
}
