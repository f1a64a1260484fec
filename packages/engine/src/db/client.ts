// A client process's Db on the embedded database another process owns: each statement goes to the
// owner over its local socket and runs on the owner's PGlite (serve-clients.ts). Transactions are real
// transactions there. This process loads no PGlite at all: a client opens in milliseconds.
import type { Db, QueryResult } from './db';
import type { OwnerLink } from './ownership';
import { fromWireError, send, type Reply, type Request } from './wire';

type Call = Exclude<Request, { op: 'hello' }>;
type Body = Call extends infer C ? (C extends Call ? Omit<C, 'id'> : never) : never;

export function clientDb(link: OwnerLink, command?: string): Db {
  const { socket, owner } = link;
  const pending = new Map<number, { resolve(reply: Reply & { ok: true }): void; reject(error: Error): void }>();
  let nextId = 1;
  let nextTx = 1;
  let gone: Error | undefined;
  // The socket keeps this process alive only while a statement is on its way.
  socket.unref();
  link.listen((raw) => {
    const reply = raw as Reply;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (pending.size === 0) socket.unref();
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(fromWireError(reply.error));
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    gone ??= new Error(
      `the tokpipe process that owns the embedded database (${owner.pid ? `pid ${owner.pid}` : 'its owner'}) ` +
        'ended while this one was using it; run the command again (or share one PostgreSQL: DATABASE_URL)',
    );
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
  });
  send(socket, { op: 'hello', pid: process.pid, ...(command ? { command } : {}) });

  const call = (body: Body): Promise<Reply & { ok: true }> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.ref();
      send(socket, { ...body, id } as Call);
    });
  };

  const adapter = (tx: number | undefined, transaction: Db['transaction'], close: Db['close']): Db => ({
    kind: 'pglite',
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const reply = await call({ op: 'query', sql, params: [...params], ...(tx !== undefined ? { tx } : {}) });
      return { rows: (reply.rows ?? []) as R[], rowCount: reply.rowCount ?? 0 };
    },
    async exec(sql: string) {
      const reply = await call({ op: 'exec', sql, ...(tx !== undefined ? { tx } : {}) });
      return (reply.rows ?? []) as Array<Record<string, unknown>>;
    },
    transaction,
    close,
  });

  return adapter(
    undefined,
    async (fn) => {
      const tx = nextTx++;
      await call({ op: 'begin', tx });
      const inner: Db = adapter(
        tx,
        (nested) => nested(inner),
        async () => undefined,
      );
      let result;
      try {
        result = await fn(inner);
      } catch (error) {
        await call({ op: 'rollback', tx }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'commit', tx });
      return result;
    },
    async () => {
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.ref(); // until the owner has seen this client go
        socket.end();
      });
    },
  );
}
