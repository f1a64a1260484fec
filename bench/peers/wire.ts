// The one raw HTTP primitive the baseline strategies share: node:http, no retry, no parsing, no
// knowledge of TikTok. Each strategy builds its own tiny client (paths, bodies, error handling) on
// top, so none of them can quietly lean on core's client. Requests count as in-flight I/O on the
// VirtualClock, so virtual time never jumps while one is on the wire.
import * as http from 'node:http';
import { urlToHttpOptions } from 'node:url';
import type { VirtualClock } from '@tokpipe/core';

export interface WireReply {
  status: number;
  /** Raw body text: strategies parse it themselves (JSON.parse, as n8n and Postiz do). */
  text: string;
  bytes: Buffer;
}

/** Thrown when no reply came: the connection was reset or nothing arrived before the deadline. */
export class WireError extends Error {
  constructor(readonly kind: 'reset' | 'timeout') {
    super(kind === 'reset' ? 'socket hang up' : 'request timed out');
  }
}

export interface WireRequest {
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Wire = (request: WireRequest) => Promise<WireReply>;

/** A wire over node:http. `timeoutMs` is real time: the sandbox's timeout fault never replies. */
export function rawWire(clock: VirtualClock, timeoutMs: number): Wire {
  const agent = new http.Agent({ keepAlive: false });
  const sendInOrder = inOrder((request: WireRequest) => send(agent, request, timeoutMs));
  return (request) => clock.track(sendInOrder(request));
}

/** One call at a time, in the order they were made. The sandbox draws its faults in the order requests
 * arrive; with one on the wire at a time that order no longer depends on real-time races between
 * replies, so the same seed gives the same run. Virtual time stands still while the queue drains. */
export function inOrder<A, R>(fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const run = tail.then(() => fn(arg));
    tail = run.catch(() => undefined);
    return run;
  };
}

function send(agent: http.Agent, request: WireRequest, timeoutMs: number): Promise<WireReply> {
  return new Promise((resolve, reject) => {
    const body =
      request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
    const headers = { ...request.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
    // One options object (not url + options): zapier-platform-core, loaded by Zapier's tests in the same jest
    // worker, patches http.request with a two-argument wrapper that would drop the method and headers.
    const target = { ...urlToHttpOptions(new URL(request.url)), method: request.method, headers, agent };
    const req = http.request(target, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: bytes.toString('utf8'), bytes });
      });
      res.on('error', () => fail('reset'));
    });
    let done = false;
    const fail = (kind: 'reset' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(new WireError(kind));
    };
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    req.on('error', () => fail('reset'));
    req.end(body);
  });
}

/** JSON.parse that never throws (an HTML gateway page parses to null). */
export function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
