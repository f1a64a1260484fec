// A token file whose tokens moved into tokpipe's state (`tokpipe accounts add --token-file`). TikTok
// rotates the refresh token on every refresh and the old one dies, so two copies of one account's
// tokens cannot both stay usable: the state keeps the only copy and the file becomes a pointer that
// names the account and the state, and holds no token (mode 0600 all the same).
import { promises as fs } from 'node:fs';
import {
  POINTER_FIELD,
  readTokenFile,
  TokenFileError,
  TokenFileMovedError,
  writeFileAtomic,
  type TokenFileData,
} from './token-file';

/** Where the state is, as the CLI opens it again: a file store, the embedded engine's directory, or a
 * PostgreSQL database (its URL without password: the password comes from DATABASE_URL / --database). */
export type StateLocation = { store: string } | { embedded: string } | { database: string };

export interface TokenPointer {
  account: string;
  openId?: string;
  state: StateLocation;
  movedAt: number;
}

export type TokenSource = { tokens: TokenFileData } | { pointer: TokenPointer };

function locationFrom(raw: unknown, file: string): StateLocation {
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  for (const key of ['store', 'embedded', 'database'] as const)
    if (typeof obj[key] === 'string' && obj[key] !== '') return { [key]: obj[key] } as StateLocation;
  throw new TokenFileError(`token file ${file}: field "state" must name a store, embedded or database`, file, 'state');
}

/** The token file's tokens, or the pointer it became. Errors name the file and field, never a token. */
export async function readTokenSource(file: string): Promise<TokenSource> {
  try {
    return { tokens: await readTokenFile(file) };
  } catch (error) {
    if (!(error instanceof TokenFileMovedError)) throw error;
    const raw = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    const movedAt = typeof raw.moved_at === 'string' ? Date.parse(raw.moved_at) : NaN;
    const pointer: TokenPointer = {
      account: error.account,
      state: locationFrom(raw.state, file),
      movedAt: Number.isNaN(movedAt) ? 0 : movedAt,
    };
    if (typeof raw.open_id === 'string') pointer.openId = raw.open_id;
    return { pointer };
  }
}

/** A database URL as a pointer keeps it: no password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(a database URL)';
  }
}

/** What a person reads for a state location. */
export function describeLocation(location: StateLocation): string {
  if ('store' in location) return `the store ${location.store}`;
  if ('embedded' in location) return `the embedded database under ${location.embedded}`;
  return `the database ${location.database}`;
}

/** Rewrites `file` as a pointer (atomic, 0600): after this the file holds no token. */
export async function writeTokenPointer(file: string, pointer: TokenPointer): Promise<void> {
  const body = {
    [POINTER_FIELD]: pointer.account,
    ...(pointer.openId ? { open_id: pointer.openId } : {}),
    state: pointer.state,
    moved_at: new Date(pointer.movedAt).toISOString(),
    note:
      "This account's tokens live in tokpipe's state (named above), the only copy: TikTok rotates the refresh " +
      'token on every refresh, so a second copy would die. tokpipe commands given this file use that account.',
  };
  await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n');
}
