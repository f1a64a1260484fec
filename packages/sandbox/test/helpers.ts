// Test helpers: a hand-driven clock and thin fetch wrappers. No core code on purpose.
import { startSandbox, type Sandbox, type SandboxOptions } from '../src';

export class ManualClock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  sb: Sandbox;
  clock: ManualClock;
  token: string;
  token2: string;
  openId: string;
  openId2: string;
}

export async function start(options: SandboxOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const sb = await startSandbox({ clock, workIntervalMs: 0, ...options });
  const demo = sb.admin.demo();
  return {
    sb,
    clock,
    token: demo.accounts[0].accessToken,
    token2: demo.accounts[1].accessToken,
    openId: demo.accounts[0].openId,
    openId2: demo.accounts[1].openId,
  };
}

export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function wrap(res: Response): Promise<ApiReply> {
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function post(sb: Sandbox, path: string, token: string | null, body?: unknown): Promise<ApiReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (token) headers.authorization = `Bearer ${token}`;
  return wrap(
    await fetch(sb.url + path, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

export async function get(sb: Sandbox, path: string, token: string | null = null): Promise<ApiReply> {
  return wrap(
    await fetch(sb.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: 'manual' }),
  );
}

export async function form(sb: Sandbox, path: string, fields: Record<string, string>): Promise<ApiReply> {
  return wrap(
    await fetch(sb.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-cache' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

export async function put(url: string, bytes: Buffer, range: string, contentType = 'video/mp4'): Promise<ApiReply> {
  return wrap(
    await fetch(url, { method: 'PUT', headers: { 'content-type': contentType, 'content-range': range }, body: bytes }),
  );
}

export const PATHS = {
  creatorInfo: '/v2/post/publish/creator_info/query/',
  videoInit: '/v2/post/publish/video/init/',
  inboxInit: '/v2/post/publish/inbox/video/init/',
  contentInit: '/v2/post/publish/content/init/',
  status: '/v2/post/publish/status/fetch/',
  cancel: '/v2/post/publish/cancel/',
  token: '/v2/oauth/token/',
  revoke: '/v2/oauth/revoke/',
  authorize: '/v2/auth/authorize/',
  userInfo: '/v2/user/info/',
  videoList: '/v2/video/list/',
} as const;

export function urlInit(sb: Sandbox, privacy = 'PUBLIC_TO_EVERYONE', title = 'hello #sandbox') {
  return {
    post_info: { privacy_level: privacy, title },
    source_info: { source: 'PULL_FROM_URL', video_url: `${sb.url}/media/sample.mp4` },
  };
}

export function fileInit(size: number, chunk = size, count = 1, privacy = 'SELF_ONLY') {
  return {
    post_info: { privacy_level: privacy, title: 'file post' },
    source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: chunk, total_chunk_count: count },
  };
}
