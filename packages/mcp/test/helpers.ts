// Drives the real `tokpipe mcp` (built CLI) with the SDK's own Client, and reads the embedded
// sandbox through its HTTP admin API (/__sandbox/...). Every tool result and stderr line is kept
// for the secrets scan.
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = path.resolve(__dirname, '../../..');
export const BIN = path.join(ROOT, 'packages/cli/bin/tokpipe.js');

/** Env for the child: nothing inherited that could point it at real TikTok; a fast clock. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TOKPIPE_TIME_SCALE: '0.001', ...extra };
}

export interface Recorder {
  /** Everything a client saw or the server logged, for the secrets scan. */
  seen: string[];
  stderr(): string;
}

export interface McpRun extends Recorder {
  client: Client;
  sandboxUrl: string;
  call(name: string, args?: Record<string, unknown>, onProgress?: (p: Progress) => void): Promise<CallToolResult>;
  close(): Promise<void>;
}

export function recordingCall(client: Client, seen: string[]): McpRun['call'] {
  return async (name, args = {}, onProgress) => {
    const result = (await client.callTool(
      { name, arguments: args },
      undefined,
      // Progress messages are output too: they join the secrets scan.
      { onprogress: (p: Progress) => (seen.push(JSON.stringify(p)), onProgress?.(p)), resetTimeoutOnProgress: true },
    )) as CallToolResult;
    seen.push(JSON.stringify(result));
    return result;
  };
}

/** Resolves once `pattern` shows in the text `read()` returns. */
export async function waitForText(read: () => string, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  for (let i = 0; i < 1000; i++) {
    const m = pattern.exec(read());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; stderr so far:\n${read()}`);
}

export async function startStdio(args: string[], env = childEnv()): Promise<McpRun> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    env,
    cwd: ROOT,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'tokpipe-test', version: '1.0.0' });
  await client.connect(transport);
  const sandboxUrl = (await waitForText(() => err, /sandbox TikTok at (\S+);/, 'the sandbox line'))[1]!;
  const seen: string[] = [];
  return {
    client,
    sandboxUrl,
    seen,
    stderr: () => err,
    call: recordingCall(client, seen),
    close: () => client.close(),
  };
}

export interface SandboxRequest {
  seq: number;
  endpoint: string;
  method: string;
  path: string;
  body: unknown;
}

export interface SandboxPost {
  publishId: string;
  status: string;
  title: string | null;
  failReason: string | null;
  source: string;
}

export async function admin<T>(sandboxUrl: string, op: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${sandboxUrl}/__sandbox/${op}`,
    body === undefined
      ? {}
      : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
  if (!res.ok) throw new Error(`sandbox admin ${op}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Requests that reached TikTok's API (the admin API itself not counted). */
export async function apiRequests(sandboxUrl: string): Promise<SandboxRequest[]> {
  return (await admin<SandboxRequest[]>(sandboxUrl, 'requests')).filter((r) => r.endpoint !== 'admin');
}

export const posts = (sandboxUrl: string): Promise<SandboxPost[]> => admin<SandboxPost[]>(sandboxUrl, 'posts');

/** The structured output of a successful tool call (fails the test with the error text otherwise). */
export function ok<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** A post that failed: a tool error (isError) that still carries the post as structured output,
 * its text opening with "class: code (fail_reason) log_id ...". */
export function failedPostOf<T = Record<string, unknown>>(result: CallToolResult): T & { text: string } {
  expect(result.isError).toBe(true);
  const text = (result.content[0] as { text: string }).text;
  return { ...(result.structuredContent as T), text };
}

/** The error JSON of a tool error (its last text line). */
export function toolErrorOf(result: CallToolResult): {
  class: string;
  code: string;
  action: string;
  message: string;
  logId?: string;
  field?: string;
} {
  expect(result.isError).toBe(true);
  const text = (result.content[0] as { text: string }).text;
  return (JSON.parse(text.split('\n').pop()!) as { error: ReturnType<typeof toolErrorOf> }).error;
}

/** The secrets (or a 16-character piece of one) that occur in `text`. */
export function leaks(text: string, secrets: Iterable<string | undefined>): string[] {
  const found: string[] = [];
  for (const secret of new Set(secrets)) {
    if (!secret || secret.length < 8) continue;
    const start = Math.max(0, secret.indexOf('.') + 1);
    const piece = secret.slice(start, start + 16);
    if (text.includes(secret) || (piece.length === 16 && text.includes(piece)))
      found.push(`${secret.slice(0, 4)}… (${secret.length} chars)`);
  }
  return found;
}
