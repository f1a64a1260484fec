// One account's tokens live in one place. `tokpipe accounts add --token-file F` MOVES F's tokens into
// the state (F becomes a pointer naming the account and the state, with no token in it); every command
// given F afterwards (post, status, auth login) works on the account's stored row. TikTok rotates the
// refresh token on every refresh and the old one dies, so a copy left in F would be dead (or would
// kill the stored one) after the next refresh.
import * as path from 'node:path';
import { AccountRegistry, TokenManager, type AccountRecord, type TokenRecord, type TokenStore } from '@tokpipe/core';
import {
  describeLocation,
  fileTokenStore,
  readTokenFile,
  readTokenSource,
  TokenFileMovedError,
  withoutPassword,
  type StateLocation,
  type TokenPointer,
} from '@tokpipe/core/node';
import { databaseUrlFrom, stateLocation as engineLocation } from '@tokpipe/engine';
import { UsageError } from './args';
import { refresherFor, type Runtime } from './context';
import { openState, openStateAt, type StateIo, type StateStore } from './state';

type StateFlags = { store?: unknown; database?: unknown };

/** Where openState puts this run's state (state.ts decides; this names its choice for a pointer). */
export function stateLocation(flags: StateFlags, io: StateIo): StateLocation {
  const where = engineLocation({ store: flags.store, database: flags.database, env: io.env, cwd: io.cwd });
  return where.databaseUrl ? { database: withoutPassword(where.databaseUrl) } : { embedded: where.dataDir };
}

export function sameLocation(a: StateLocation, b: StateLocation): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Opens the state a pointer names: its store file, its embedded directory, or its PostgreSQL database
 * (the password comes from --database / DATABASE_URL, which must name the same database). */
export async function openPointedState(
  rt: Runtime,
  file: string,
  pointer: TokenPointer,
  flags: StateFlags,
  io: StateIo,
): Promise<StateStore> {
  const where = pointer.state;
  const env = { ...io.env, DATABASE_URL: undefined, TOKPIPE_STORE: undefined };
  if ('store' in where) return openState(rt, { store: where.store }, { ...io, env });
  // The embedded database's own directory; nothing to import there (storeFile names no file).
  if ('embedded' in where)
    return openStateAt(rt, { dataDir: where.embedded, storeFile: path.join(where.embedded, 'no-file-store') }, io);
  const url = databaseUrlFrom(typeof flags.database === 'string' ? flags.database : undefined, io.env);
  if (!url || withoutPassword(url) !== where.database)
    throw new UsageError(
      `token file ${file} points at account "${pointer.account}" in ${describeLocation(where)}: ` +
        `set DATABASE_URL (or --database) to that database${url ? ` (it names ${withoutPassword(url)})` : ''}`,
      '--database',
    );
  return openState(rt, { database: url }, io);
}

/** The account's one token store in `state`: the engine's row (refreshed under its lock) or the store's key. */
export function accountTokens(rt: Runtime, state: StateStore, account: string): TokenStore {
  return state.engine ? state.engine.tokens(account) : new AccountRegistry(state.store, rt.clock).tokenStore(account);
}

/** The account a pointer names, read from `state`; a clear error when the state has no such account. */
export async function pointedAccount(
  rt: Runtime,
  state: StateStore,
  file: string,
  pointer: TokenPointer,
): Promise<AccountRecord> {
  const registry = new AccountRegistry(state.store, rt.clock);
  await registry.load();
  const account = registry.get(pointer.account);
  if (!account || !(await accountTokens(rt, state, account.id).load()))
    throw new UsageError(
      `token file ${file} points at account "${pointer.account}" in ${describeLocation(pointer.state)}, ` +
        'which holds no such account (removed?): run `tokpipe auth login --token-file ' +
        `${file}\` for new tokens, then \`tokpipe accounts add ${pointer.account} --token-file ${file}\``,
      '--token-file',
    );
  return account;
}

/** A TokenManager over the account's stored row. */
export function accountTokenManager(rt: Runtime, state: StateStore, account: string): TokenManager {
  return new TokenManager({ store: accountTokens(rt, state, account), clock: rt.clock, refresh: refresherFor(rt) });
}

/** What a command given a token file posts with: the file itself, or (a pointer) the account it names in
 * the state it names, opened here (the caller closes it). */
export type TokenFileUse =
  | { kind: 'file'; openId: string; scopes: string[] }
  | {
      kind: 'account';
      openId: string;
      scopes: string[];
      account: AccountRecord;
      state: StateStore;
      auth: TokenManager;
    };

export async function useTokenFile(rt: Runtime, file: string, flags: StateFlags, io: StateIo): Promise<TokenFileUse> {
  const source = await readTokenSource(file); // a missing or malformed file is reported before anything else
  if ('tokens' in source) return { kind: 'file', openId: source.tokens.open_id, scopes: source.tokens.scopes };
  const state = await openPointedState(rt, file, source.pointer, flags, io);
  try {
    const account = await pointedAccount(rt, state, file, source.pointer);
    const auth = accountTokenManager(rt, state, account.id);
    return { kind: 'account', openId: account.openId ?? '', scopes: account.scopes, account, state, auth };
  } catch (error) {
    await state.close();
    throw error;
  }
}

/** A token file's store for an account bound to that file (a single post's account): once the file became
 * a pointer, the account it names in this state (`tokensOf`) is used instead. */
export function followingTokenFile(file: string, tokensOf: (account: string) => TokenStore): TokenStore {
  const own = fileTokenStore(file);
  const target = async (): Promise<TokenStore> => {
    try {
      await readTokenFile(file);
      return own;
    } catch (error) {
      if (error instanceof TokenFileMovedError) return tokensOf(error.account);
      throw error;
    }
  };
  return {
    identity: own.identity,
    load: async () => (await target()).load(),
    save: async (record: TokenRecord) => (await target()).save(record),
    async exclusive<T>(
      section: (current: TokenRecord | undefined, save: (record: TokenRecord) => Promise<void>) => Promise<T>,
    ): Promise<T> {
      const store = await target();
      if (store.exclusive) return store.exclusive(section);
      return section(await store.load(), (record) => store.save(record));
    },
  };
}
