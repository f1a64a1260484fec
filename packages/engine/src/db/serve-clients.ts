// The owner's side of the shared embedded database: each client process's statements run on the
// owner's PGlite, one at a time with the owner's own (PGlite has one connection). A client's
// transaction is a real transaction here, holding the connection like one of the owner's; it is
// rolled back if the client disconnects (or dies) before committing.
import type { Socket } from 'node:net';
import type { Db } from './db';
import { readLines, send, toWireError, type Request } from './wire';

export interface ClientInfo {
  pid?: number;
  command?: string;
}

export interface ClientHub {
  /** Serves one connection (ownership.ts's onClient). */
  accept(socket: Socket): void;
  /** Connected client processes (those that said hello). */
  clients(): ClientInfo[];
  /** Resolves once no client is connected; `onWait` is told whom it waits for. */
  drained(onWait?: (clients: ClientInfo[]) => void): Promise<void>;
}

const ROLLBACK = Symbol('rollback');

interface OpenTx {
  db: Db;
  finish(commit: boolean, replyTo: number | null): void;
}

export function clientHub(ready: Promise<Db>): ClientHub {
  const connected = new Map<Socket, ClientInfo>();
  const waiters: Array<() => void> = [];
  // Statements before the database is open wait for it; a failed open fails them.
  ready.catch(() => undefined);

  function serve(socket: Socket): void {
    const txs = new Map<number, OpenTx>();
    const reply = (id: number, run: () => Promise<{ rows?: unknown[]; rowCount?: number }>) =>
      run().then(
        (result) => send(socket, { id, ok: true, ...result }),
        (error: unknown) => send(socket, { id, ok: false, error: toWireError(error) }),
      );
    const target = async (tx: number | undefined): Promise<Db> => {
      if (tx === undefined) return ready;
      const open = txs.get(tx);
      if (!open) throw new Error(`transaction ${tx} is not open`);
      return open.db;
    };
    const begin = (id: number, tx: number) => {
      let started = false;
      let replyTo: number | null = null;
      ready
        .then((db) =>
          db.transaction(async (inner) => {
            started = true;
            const commit = await new Promise<boolean>((resolve) => {
              txs.set(tx, {
                db: inner,
                finish: (c, r) => {
                  replyTo = r;
                  resolve(c);
                },
              });
              send(socket, { id, ok: true });
            });
            if (!commit) throw ROLLBACK;
          }),
        )
        .then(
          () => replyTo !== null && send(socket, { id: replyTo, ok: true }),
          (error: unknown) => {
            const to = started ? replyTo : id;
            if (to === null) return;
            if (error === ROLLBACK) send(socket, { id: to, ok: true });
            else send(socket, { id: to, ok: false, error: toWireError(error) });
          },
        )
        .finally(() => txs.delete(tx));
    };
    const finish = (id: number, tx: number, commit: boolean) => {
      const open = txs.get(tx);
      if (!open) return send(socket, { id, ok: false, error: { message: `transaction ${tx} is not open` } });
      txs.delete(tx);
      open.finish(commit, id);
    };
    readLines(socket, (raw) => {
      const message = raw as Request;
      if (message.op === 'hello') {
        connected.set(socket, { pid: message.pid, command: message.command });
        return;
      }
      if (message.op === 'query')
        void reply(message.id, () => target(message.tx).then((db) => db.query(message.sql, message.params)));
      else if (message.op === 'exec')
        void reply(message.id, () =>
          target(message.tx)
            .then((db) => db.exec(message.sql))
            .then((rows) => ({ rows })),
        );
      else if (message.op === 'begin') begin(message.id, message.tx);
      else if (message.op === 'commit' || message.op === 'rollback')
        finish(message.id, message.tx, message.op === 'commit');
    });
    socket.on('close', () => {
      // A client gone mid-transaction: nothing it did there is kept.
      for (const open of txs.values()) open.finish(false, null);
      txs.clear();
      connected.delete(socket);
      if (connected.size === 0) waiters.splice(0).forEach((w) => w());
    });
  }

  return {
    accept: serve,
    clients: () => [...connected.values()],
    drained(onWait) {
      if (connected.size === 0) return Promise.resolve();
      onWait?.(this.clients());
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
