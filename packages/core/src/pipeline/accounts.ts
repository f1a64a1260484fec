// Accounts registry: who can post, with which scopes, in which region, under which caps, and
// whether the account is usable at all. Persisted in the KeyValueStore (records and tokens under
// separate keys so listing accounts never touches a token).
import { inputError } from '../errors/classify';
import type { Clock, KeyValueStore } from '../ports';
import { defaultCaps } from './caps';
import { kvTokenStore } from '../tokens/stores';
import type { TokenRecord, TokenStore } from '../tokens/types';
import type { AccountCaps, AccountRecord, AccountStatus } from './types';

export const ACCOUNT_PREFIX = 'tokpipe/pipeline/account/';
/** The same place TokenManager's kvTokenStore keeps tokens: one account id, one token record. */
export const TOKEN_PREFIX = 'tokpipe/tokens/';

export interface AddAccountInput {
  id: string;
  openId?: string;
  region?: string;
  scopes?: string[];
  caps?: Partial<AccountCaps>;
  token?: TokenRecord;
  /** The account's tokens live outside the store (see AccountRecord.tokenLocation). */
  tokenLocation?: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function validCaps(caps: Partial<AccountCaps> | undefined, base: AccountCaps): AccountCaps {
  const merged = {
    ...base,
    ...Object.fromEntries(Object.entries(caps ?? {}).filter(([, v]) => v !== undefined)),
  } as AccountCaps;
  for (const field of ['directPerDay', 'draftsPer24h'] as const) {
    const value = merged[field];
    if (!Number.isInteger(value) || value < 0)
      throw inputError(`caps.${field}`, `must be a whole number ≥ 0, got ${String(value)}`);
  }
  return merged;
}

export class AccountRegistry {
  private readonly records = new Map<string, AccountRecord>();
  /** list()'s order, kept until the records change (the router asks for it on every routed job). */
  private sorted?: AccountRecord[];

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly baseCaps: AccountCaps = defaultCaps,
  ) {}

  async load(): Promise<void> {
    this.records.clear();
    this.sorted = undefined;
    for (const [, raw] of await this.store.list(ACCOUNT_PREFIX)) {
      const record = JSON.parse(raw) as AccountRecord;
      this.records.set(record.id, record);
      this.sorted = undefined;
    }
  }

  /** Adds or replaces an account (its token too, when given). */
  async add(input: AddAccountInput): Promise<AccountRecord> {
    if (typeof input.id !== 'string' || !ACCOUNT_ID.test(input.id)) {
      throw inputError(
        'account.id',
        'must be 1-64 characters: letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
      );
    }
    if (input.region !== undefined && (typeof input.region !== 'string' || input.region.trim() === '')) {
      throw inputError('account.region', 'must be a non-empty string');
    }
    if (
      input.scopes !== undefined &&
      (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string'))
    ) {
      throw inputError('account.scopes', 'must be a list of scope names');
    }
    if (
      input.token !== undefined &&
      (typeof input.token.access_token !== 'string' || input.token.access_token === '')
    ) {
      throw inputError('account.token.access_token', 'must be a non-empty string');
    }
    const previous = this.records.get(input.id);
    const record: AccountRecord = {
      id: input.id,
      openId: input.openId ?? (input.token?.open_id || undefined) ?? previous?.openId,
      region: input.region?.trim() ?? previous?.region,
      scopes:
        input.scopes ??
        (input.token ? input.token.scope.split(/[,\s]+/).filter(Boolean) : undefined) ??
        previous?.scopes ??
        [],
      caps: validCaps(input.caps, previous?.caps ?? this.baseCaps),
      status: 'active',
      // TikTok's own cap refusal still stands after the account is re-added (e.g. with a new token).
      capBlockedUntil: previous?.capBlockedUntil,
      addedAt: previous?.addedAt ?? this.clock.now(),
      ...((input.tokenLocation ?? previous?.tokenLocation)
        ? { tokenLocation: input.tokenLocation ?? previous?.tokenLocation }
        : {}),
    };
    if (input.token) await this.setToken(input.id, input.token);
    await this.save(record);
    return record;
  }

  get(id: string): AccountRecord | undefined {
    return this.records.get(id);
  }

  list(): AccountRecord[] {
    this.sorted ??= [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.sorted.slice();
  }

  byOpenId(openId: string): AccountRecord | undefined {
    return [...this.records.values()].find((r) => r.openId === openId);
  }

  async setStatus(id: string, status: AccountStatus, reason?: string): Promise<AccountRecord | undefined> {
    return this.update(id, (r) => ({ ...r, status, statusReason: status === 'active' ? undefined : reason }));
  }

  async blockCap(id: string, mode: 'direct' | 'draft', until: number): Promise<AccountRecord | undefined> {
    return this.update(id, (r) => ({ ...r, capBlockedUntil: { ...r.capBlockedUntil, [mode]: until } }));
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    this.sorted = undefined;
    await this.store.delete(ACCOUNT_PREFIX + id);
    await this.store.delete(TOKEN_PREFIX + id);
  }

  /** The account's token storage, ready for `new TokenManager({ store: registry.tokenStore(id), ... })`. */
  tokenStore(id: string): TokenStore {
    return kvTokenStore(this.store, id, TOKEN_PREFIX);
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    return this.tokenStore(id).load();
  }

  async setToken(id: string, token: TokenRecord): Promise<void> {
    await this.tokenStore(id).save(token);
  }

  private async update(id: string, change: (r: AccountRecord) => AccountRecord): Promise<AccountRecord | undefined> {
    const record = this.records.get(id);
    if (!record) return undefined;
    const next = change(record);
    await this.save(next);
    return next;
  }

  private async save(record: AccountRecord): Promise<void> {
    this.records.set(record.id, record);
    this.sorted = undefined;
    await this.store.set(ACCOUNT_PREFIX + record.id, JSON.stringify(record));
  }
}
