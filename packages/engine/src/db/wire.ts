// The messages between the embedded database's owner and its client processes: one JSON object per
// line over the ownership socket. Values JSON cannot carry (Date, bigint, bytes) travel tagged, so a
// client reads the same rows the owner's PGlite returns.
import type { Socket } from 'node:net';

const TAG = '__tokpipe_wire';

export type Request =
  | { op: 'hello'; pid: number; command?: string }
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'commit' | 'rollback'; tx: number };

export interface WireError {
  message: string;
  name?: string;
  /** PostgreSQL's fields (SQLSTATE code, constraint, ...), kept so callers can tell errors apart. */
  fields?: Record<string, unknown>;
}

export type Reply =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number }
  | { id: number; ok: false; error: WireError };

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { [TAG]: 'date', v: raw.toISOString() };
  if (typeof raw === 'bigint') return { [TAG]: 'bigint', v: raw.toString() };
  if (raw instanceof Uint8Array) return { [TAG]: 'bytes', v: Buffer.from(raw).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || !(TAG in value)) return value;
  const { [TAG]: tag, v } = value as { [TAG]: string; v: string };
  if (tag === 'date') return new Date(v);
  if (tag === 'bigint') return BigInt(v);
  if (tag === 'bytes') return new Uint8Array(Buffer.from(v, 'base64'));
  return value;
}

export function send(socket: Socket, message: Request | Reply | Record<string, unknown>): void {
  if (!socket.destroyed) socket.write(JSON.stringify(message, replacer) + '\n');
}

/** Calls `onMessage` with each line's object (the first line, the owner's greeting, included). */
export function readLines(socket: Socket, onMessage: (message: unknown) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line) onMessage(JSON.parse(line, reviver));
    }
  });
}

const PG_FIELDS = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position'];

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = {};
  for (const f of PG_FIELDS) {
    const v = (error as unknown as Record<string, unknown>)[f];
    if (v !== undefined && v !== null) fields[f] = v;
  }
  return { message: error.message, name: error.name, fields };
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  if (wire.name) error.name = wire.name;
  return Object.assign(error, wire.fields ?? {});
}
