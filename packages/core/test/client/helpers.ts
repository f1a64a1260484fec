// Shared by the client/upload/oauth sandbox tests: a hand-moved clock whose sleep() just moves time
// (no real waiting), the real axios transport, and the sandbox's demo account.
import { createHash } from 'node:crypto';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { TikTokClient } from '../../src/client/client';
import { axiosTransport } from '../../src/node/transport';
import type { Clock } from '../../src/ports';
import type { ByteSource } from '../../src/types';

export class StepClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface World {
  sb: Sandbox;
  clock: StepClock;
  client: TikTokClient;
  token: string;
  openId: string;
  media: (name: string) => string;
}

export async function world(
  options: {
    requestTimeoutMs?: number;
    config?: Parameters<typeof startSandbox>[0] extends infer O ? (O extends { config?: infer C } ? C : never) : never;
  } = {},
): Promise<World> {
  const clock = new StepClock();
  const sb = await startSandbox({ clock, workIntervalMs: 0, config: options.config });
  const demo = sb.admin.demo();
  const client = new TikTokClient({
    baseUrl: sb.url,
    transport: axiosTransport(),
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    clock,
  });
  return {
    sb,
    clock,
    client,
    token: demo.accounts[0]!.accessToken,
    openId: demo.accounts[0]!.openId,
    media: (name) => `${sb.url}/media/${name}`,
  };
}

/** Captures the TokpipeError (or anything) a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Byte i of the test media: (i % 251), so a chunk read from the wrong offset is caught. */
const byteAt = (i: number) => i % 251;

/** sha256 of each plan chunk of memorySource's bytes: what the sandbox must report having received. */
export function expectedChunkSha256(chunks: Array<{ first: number; last: number }>): string[] {
  return chunks.map((c) => {
    const bytes = new Uint8Array(c.last - c.first + 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = byteAt(c.first + i);
    return createHash('sha256').update(bytes).digest('hex');
  });
}

/** An in-memory ByteSource. With `readInto`, it also fills callers' buffers and records them. */
export function memorySource(size: number, options: { readInto?: boolean } = {}) {
  const reads: Array<[number, number]> = [];
  const targets: Uint8Array[] = [];
  const fill = (target: Uint8Array, offset: number) => {
    for (let i = 0; i < target.byteLength; i++) target[i] = byteAt(offset + i);
  };
  const source: ByteSource = {
    size,
    contentType: 'video/mp4',
    async read(offset: number, length: number): Promise<Uint8Array> {
      reads.push([offset, length]);
      const bytes = new Uint8Array(length);
      fill(bytes, offset);
      return bytes;
    },
  };
  if (options.readInto) {
    source.readInto = async (target, offset) => {
      reads.push([offset, target.byteLength]);
      targets.push(target);
      fill(target, offset);
      return target.byteLength;
    };
  }
  return { reads, targets, source };
}
