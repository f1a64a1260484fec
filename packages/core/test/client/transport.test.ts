import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { axiosTransport, toTransportError } from '../../src/node/transport';
import { TransportError } from '../../src/ports';
import { rejectionOf } from './helpers';

const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends Server | TcpServer>(server: T): Promise<string> {
  servers.push(server);
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('axiosTransport', () => {
  const transport = axiosTransport();

  it('resolves any HTTP status with the raw text body and lower-cased headers', async () => {
    const url = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '3' });
        res.end('<html>Service Unavailable</html>');
      }),
    );
    const reply = await transport({ method: 'POST', url, headers: {}, body: '{}' });
    expect(reply).toMatchObject({ status: 503, body: '<html>Service Unavailable</html>' });
    expect(reply.headers['retry-after']).toBe('3');
    expect(reply.headers['content-type']).toBe('text/html');
  });

  it('never parses JSON itself, so 19-digit ids reach the lossless parser intact', async () => {
    const body = '{"data":{"publicaly_available_post_id":[7321654987321654987]}}';
    const url = await listen(
      createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)),
    );
    expect((await transport({ method: 'GET', url, headers: {} })).body).toBe(body);
  });

  it("sends binary bodies byte-exact, with the caller's headers", async () => {
    let seen: { hash: string; range?: string; length?: string } | undefined;
    const url = await listen(
      createHttpServer((req, res) => {
        const hash = createHash('sha256');
        req
          .on('data', (c) => hash.update(c))
          .on('end', () => {
            seen = {
              hash: hash.digest('hex'),
              range: req.headers['content-range'],
              length: req.headers['content-length'],
            };
            res.writeHead(206).end();
          });
      }),
    );
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    const sub = bytes.subarray(10, 90_010); // a view with an offset: only its bytes must go
    const reply = await transport({
      method: 'PUT',
      url: `${url}/video/?upload_id=1&upload_token=t`,
      headers: { 'Content-Range': 'bytes 10-90009/100000', 'Content-Length': '90000' },
      body: sub,
    });
    expect(reply.status).toBe(206);
    expect(seen).toEqual({
      hash: createHash('sha256').update(sub).digest('hex'),
      range: 'bytes 10-90009/100000',
      length: '90000',
    });
  });

  it('maps a refused connection to kind refused, not sent', async () => {
    const url = await listen(createHttpServer());
    await new Promise((r) => servers.pop()!.close(r));
    const error = await rejectionOf(transport({ method: 'POST', url, headers: {}, body: '{}' }));
    expect(error).toBeInstanceOf(TransportError);
    expect([error.kind, error.requestSent]).toEqual(['refused', false]);
  });

  it('maps a connection reset after the request went out to kind reset, sent', async () => {
    const url = await listen(createTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const error = await rejectionOf(transport({ method: 'POST', url, headers: {}, body: '{"a":1}' }));
    expect([error.kind, error.requestSent]).toEqual(['reset', true]);
  });

  it('maps a silent server to kind timeout after timeoutMs, sent', async () => {
    const url = await listen(createTcpServer(() => undefined));
    const error = await rejectionOf(transport({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 150 }));
    expect([error.kind, error.requestSent]).toEqual(['timeout', true]);
  });

  it('classifies node error codes it cannot provoke locally', () => {
    const cases: Array<[string, string, boolean]> = [
      ['ENOTFOUND', 'dns', false],
      ['EAI_AGAIN', 'dns', false],
      ['CERT_HAS_EXPIRED', 'tls', false],
      ['ERR_SOMETHING_NEW', 'other', true],
    ];
    for (const [code, kind, sent] of cases) {
      const error = toTransportError(
        Object.assign(new Error(`getaddrinfo ${code} https://x/?upload_token=SECRET`), { code }),
      );
      expect([error.kind, error.requestSent]).toEqual([kind, sent]);
      expect(error.message).not.toContain('SECRET');
    }
    // A reset while the socket was still connecting: nothing left.
    const early = toTransportError(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', request: { socket: { connecting: true } } }),
    );
    expect([early.kind, early.requestSent]).toEqual(['reset', false]);
  });
});
