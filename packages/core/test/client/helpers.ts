// Shared by the client/upload/oauth sandbox tests: a hand-moved clock whose sleep() just moves time
// (no real waiting), the real axios transport, and the sandbox's demo account.
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { TikTokClient } from '../../src/client/client';
import { axiosTransport } from '../../src/node/transport';
import type { Clock } from '../../src/ports';

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

export async function world(options: { requestTimeoutMs?: number; config?: Parameters<typeof startSandbox>[0] extends infer O ? O extends { config?: infer C } ? C : never : never } = {}): Promise<World> {
  const clock = new StepClock();
  const sb = await startSandbox({ clock, workIntervalMs: 0, config: options.config });
  const demo = sb.admin.demo();
  const client = new TikTokClient({ baseUrl: sb.url, transport: axiosTransport(), requestTimeoutMs: options.requestTimeoutMs ?? 5_000, clock });
  return { sb, clock, client, token: demo.accounts[0]!.accessToken, openId: demo.accounts[0]!.openId, media: (name) => `${sb.url}/media/${name}` };
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

/** An in-memory ByteSource that counts reads (to check memory stays bounded by one chunk). */
export function memorySource(size: number, contentType: 'video/mp4' = 'video/mp4') {
  const reads: Array<[number, number]> = [];
  return {
    reads,
    source: {
      size,
      contentType,
      async read(offset: number, length: number): Promise<Uint8Array> {
        reads.push([offset, length]);
        const bytes = new Uint8Array(length);
        for (let i = 0; i < length; i++) bytes[i] = (offset + i) % 251;
        return bytes;
      },
    },
  };
}
