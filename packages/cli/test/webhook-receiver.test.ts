// Issue 14 item 8: the webhook receiver is bounded. Real sockets on 127.0.0.1 with small injected
// limits: an oversized body gets 413 (not a reset), a slow sender is dropped, slow connections do not
// pile up, and the replay window runs on wall time (never TOKPIPE_TIME_SCALE).
import { createHmac } from 'node:crypto';
import * as net from 'node:net';
import { VirtualClock, type WebhookEvent } from '@tokpipe/core';
import { startReceiver, type Receiver, type ReceiverLimits } from '../src/webhook-receiver';
import { cliEnv, startCli } from '../../../test/cli/helpers';

const SECRET = 'whsec-receiver-limits-0123';
const body = JSON.stringify({
  client_key: 'ck',
  event: 'post.publish.complete',
  create_time: 1764100000,
  user_openid: 'open-1',
  content: '{"publish_id":"v_pub_url~v2.9","publish_type":"DIRECT_PUBLISH"}',
});
const sign = (payload: string | Buffer, tSec: number): string =>
  `t=${tSec},s=${createHmac('sha256', SECRET).update(`${tSec}.`).update(payload).digest('hex')}`;

const SMALL: Partial<ReceiverLimits> = {
  maxBodyBytes: 64 * 1024,
  headersTimeoutMs: 50,
  requestTimeoutMs: 100,
  idleTimeoutMs: 50,
  maxConnections: 20,
};

let receiver: Receiver;
let events: WebhookEvent[];
let problems: string[];
const wall = new VirtualClock({ start: Date.UTC(2026, 11, 7, 12) });

beforeEach(async () => {
  events = [];
  problems = [];
  receiver = await startReceiver({
    port: 0,
    portFlag: '--port',
    secret: SECRET,
    wallClock: wall,
    toleranceSec: 300,
    limits: SMALL,
    onEvent: (e) => void events.push(e),
    onProblem: (m) => void problems.push(m),
  });
});
afterEach(() => receiver.close());

const port = (): number => Number(new URL(receiver.url).port);

/** A raw connection; resolves what the server sent once it closes the connection (or the client ends). */
function connect(): { socket: net.Socket; received: Promise<{ text: string; error?: string }> } {
  const socket = net.connect(port(), '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const received = new Promise<{ text: string; error?: string }>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => resolve({ text, error: e.code }));
    socket.on('close', () => resolve({ text }));
  });
  return { socket, received };
}

describe('oversized bodies', () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
  // Sending 10 MB takes a while on a busy machine: only the body limit is small here.
  beforeEach(async () => {
    await receiver.close();
    receiver = await startReceiver({
      port: 0,
      portFlag: '--port',
      secret: SECRET,
      wallClock: wall,
      toleranceSec: 300,
      limits: { maxBodyBytes: 64 * 1024 },
      onEvent: (e) => void events.push(e),
      onProblem: (m) => void problems.push(m),
    });
  });

  it('a 10 MB body with Content-Length is answered 413, not reset, and reaches nobody', async () => {
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'TikTok-Signature': sign(big, Math.floor(wall.now() / 1000)) },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body too large' });
    expect(events).toEqual([]);
    expect(problems).toEqual([`rejected a delivery: body larger than ${64 * 1024} bytes`]);
  });

  it('a 10 MB chunked body (no Content-Length) is answered 413 too', async () => {
    const { socket, received } = connect();
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let at = 0; at < big.length; at += 1024 * 1024) {
      const chunk = big.subarray(at, at + 1024 * 1024);
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
    }
    socket.end('0\r\n\r\n');
    const { text, error } = await received;
    expect(error).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('slow senders', () => {
  it('a body that stalls is dropped (408 or closed) and never handled', async () => {
    const { socket, received } = connect();
    const payload = Buffer.from(body);
    socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${payload.length}\r\nTikTok-Signature: ${sign(payload, Math.floor(wall.now() / 1000))}\r\n\r\n`,
    );
    socket.write(payload.subarray(0, 10)); // ...and nothing more
    const { text } = await received;
    expect(text === '' || /^HTTP\/1\.1 408 /.test(text)).toBe(true);
    expect(events).toEqual([]);
  });

  it('many connections sending headers slowly are all dropped (beyond maxConnections at once); none is left open', async () => {
    const conns = Array.from({ length: 40 }, () => connect());
    conns.forEach(({ socket }) => socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ')); // headers never finish
    await Promise.all(conns.map((c) => c.received));
    expect(await receiver.openConnections()).toBe(0);
  });

  it('a connection is closed after its delivery (no idle keep-alive sockets held)', async () => {
    const { socket, received } = connect();
    const payload = Buffer.from(body);
    socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${payload.length}\r\nTikTok-Signature: ${sign(payload, Math.floor(wall.now() / 1000))}\r\n\r\n`,
    );
    socket.write(payload);
    const { text } = await received; // the server closes it; the client never does
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(events.map((e) => e.event)).toEqual(['post.publish.complete']);
  });
});

describe('the replay window is wall time', () => {
  it('accepts 299 s old, refuses 301 s old (by the injected wall clock)', async () => {
    const now = Math.floor(wall.now() / 1000);
    const post = (t: number) =>
      fetch(receiver.url, { method: 'POST', headers: { 'TikTok-Signature': sign(body, t) }, body });
    expect((await post(now - 299)).status).toBe(200);
    expect((await post(now - 301)).status).toBe(401);
    await wall.advance(10 * 60_000);
    expect((await post(now)).status).toBe(401);
  });

  it('`webhooks listen` under TOKPIPE_TIME_SCALE=0.01 refuses an hour-old signed event', async () => {
    const cli = startCli(
      ['webhooks', 'listen', '--port', '0', '--json'],
      cliEnv({ TIKTOK_CLIENT_SECRET: SECRET, TOKPIPE_TIME_SCALE: '0.01' }),
    );
    try {
      const url = (await cli.waitFor(/listening for TikTok webhooks on (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
      const send = (t: number) => fetch(url, { method: 'POST', headers: { 'TikTok-Signature': sign(body, t) }, body });
      expect((await send(Math.floor(Date.now() / 1000) - 3600)).status).toBe(401);
      expect((await send(Math.floor(Date.now() / 1000))).status).toBe(200);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
