// The token file users get from `tokpipe auth login` and hand to the CLI, n8n/Zapier tests and the
// pipeline: JSON {access_token, refresh_token, expires_at, scope, open_id}. Rewritten atomically
// (temp file + fsync + rename, mode 0600) so a crash mid-refresh never loses the rotated refresh token.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TokenFileData {
  access_token: string;
  refresh_token: string;
  /** Epoch milliseconds (the file itself may hold ISO-8601 or epoch seconds). */
  expiresAt: number;
  /** Granted scopes (the file holds TikTok's comma-separated string). */
  scopes: string[];
  open_id: string;
  /** When the refresh token stops working (epoch ms), if known. */
  refreshExpiresAt?: number;
}

/** A token file that is missing, unreadable or malformed. The message names the file and field,
 * never a token value. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
  constructor(
    message: string,
    readonly file: string,
    readonly field?: string,
    /** The file does not exist: the user has not authorized yet. */
    readonly missing = false,
  ) {
    super(message);
  }
}

/** Accepts ISO-8601 strings, epoch seconds and (tolerantly) epoch milliseconds. */
export function parseExpiry(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // Epoch seconds stay below 1e11 until the year 5138; anything larger is milliseconds.
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return parseExpiry(Number(trimmed));
    // Only full ISO-8601 timestamps: Date.parse accepts too much ("1", "May 3").
    if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) return undefined;
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function requireString(raw: Record<string, unknown>, field: string, file: string): string {
  const value = raw[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TokenFileError(`token file ${file}: field "${field}" is missing or not a non-empty string`, file, field);
  }
  return value;
}

/** The field that marks a token file whose tokens moved into tokpipe's state (see token-pointer.ts). */
export const POINTER_FIELD = 'tokpipe_moved_to_account';

/** A token file that became a pointer: it holds no token, and says where the account's tokens are. */
export class TokenFileMovedError extends TokenFileError {
  constructor(
    message: string,
    file: string,
    readonly account: string,
  ) {
    super(message, file, 'refresh_token');
  }
}

function movedError(obj: Record<string, unknown>, file: string): TokenFileMovedError {
  const account = typeof obj[POINTER_FIELD] === 'string' ? obj[POINTER_FIELD] : '?';
  return new TokenFileMovedError(
    `token file ${file} holds no tokens any more: they moved into tokpipe's state as account "${account}" ` +
      '(one copy, so a refresh never leaves a dead refresh token behind). tokpipe commands given this file use ' +
      'that account; anything else needs its own login (`tokpipe auth login --token-file NEW_FILE`)',
    file,
    account,
  );
}

export function parseTokenFile(text: string, file: string): TokenFileData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TokenFileError(`token file ${file} is not valid JSON`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TokenFileError(`token file ${file} must hold a JSON object`, file);
  }
  const obj = raw as Record<string, unknown>;
  if (obj[POINTER_FIELD] !== undefined) throw movedError(obj, file);
  const expiresAt = parseExpiry(obj.expires_at);
  if (expiresAt === undefined) {
    throw new TokenFileError(
      `token file ${file}: field "expires_at" must be an ISO-8601 time or epoch seconds`,
      file,
      'expires_at',
    );
  }
  const scopeValue = obj.scope ?? '';
  if (typeof scopeValue !== 'string' && !Array.isArray(scopeValue)) {
    throw new TokenFileError(`token file ${file}: field "scope" must be a comma-separated string`, file, 'scope');
  }
  const scopes = (Array.isArray(scopeValue) ? scopeValue.map(String) : scopeValue.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const data: TokenFileData = {
    access_token: requireString(obj, 'access_token', file),
    refresh_token: requireString(obj, 'refresh_token', file),
    expiresAt,
    scopes,
    open_id: requireString(obj, 'open_id', file),
  };
  const refreshExpiresAt = parseExpiry(obj.refresh_expires_at);
  if (refreshExpiresAt !== undefined) data.refreshExpiresAt = refreshExpiresAt;
  return data;
}

export async function readTokenFile(file: string): Promise<TokenFileData> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist (run `tokpipe auth login` to create it)'
        : `cannot be read (${code ?? 'error'})`;
    throw new TokenFileError(`token file ${file} ${why}`, file, undefined, code === 'ENOENT');
  }
  return parseTokenFile(text, file);
}

/** The on-disk form: expires_at as ISO-8601, scope comma-separated (TikTok's own format). */
export function serializeTokenFile(data: TokenFileData): string {
  const out: Record<string, unknown> = {
    access_token: data.access_token,
    refresh_token: data.refresh_token,
    expires_at: new Date(data.expiresAt).toISOString(),
    scope: data.scopes.join(','),
    open_id: data.open_id,
  };
  if (data.refreshExpiresAt !== undefined) out.refresh_expires_at = new Date(data.refreshExpiresAt).toISOString();
  return JSON.stringify(out, null, 2) + '\n';
}

/** Atomic replace: a reader sees the old file or the new one, never a torn one; mode 0600. */
export async function writeTokenFile(file: string, data: TokenFileData): Promise<void> {
  await writeFileAtomic(file, serializeTokenFile(data));
}

/** `text` replaces `file` atomically (temp file + fsync + rename), mode 0600. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  // Make the rename itself durable (best effort: some file systems refuse to fsync a directory).
  try {
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    /* the data is already in place; only durability across power loss is weaker */
  }
}

/** Builds the file contents from a TikTok token reply (`expires_in` seconds from `now`). */
export function tokenFileFromOAuth(
  reply: {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    scope?: string;
    open_id: string;
    refresh_expires_in?: number;
  },
  now: number,
): TokenFileData {
  const data: TokenFileData = {
    access_token: reply.access_token,
    refresh_token: reply.refresh_token,
    expiresAt: now + reply.expires_in * 1000,
    scopes: (reply.scope ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    open_id: reply.open_id,
  };
  if (reply.refresh_expires_in !== undefined) data.refreshExpiresAt = now + reply.refresh_expires_in * 1000;
  return data;
}
