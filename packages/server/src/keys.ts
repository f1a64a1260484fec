// API keys: `tpk_<id>_<secret>`, the secret 256 random bits. Only sha256(secret) is stored (under the
// key id, for lookup), compared in constant time; the key itself is shown once, at creation.
// Scopes are ordered (admin ⊃ post ⊃ read); a key may be limited to some accounts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, KeyValueStore } from '@tokpipe/core';
import { STATE_PREFIX } from './state';

export const API_KEY_SCOPES = ['read', 'post', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const RANK: Readonly<Record<ApiKeyScope, number>> = { read: 0, post: 1, admin: 2 };
const PREFIX = `${STATE_PREFIX}keys/`;
const KEY_SHAPE = /^tpk_([0-9a-f]{12})_([0-9a-f]{64})$/;
/** Compared against when the id is unknown, so a miss costs what a hit costs. */
const DUMMY_HASH = Buffer.alloc(32);

export interface ApiKeyRecord {
  id: string;
  /** hex sha256 of the secret part. */
  hash: string;
  scope: ApiKeyScope;
  /** Accounts this key may act on; absent = all. */
  accounts?: string[];
  label?: string;
  createdAt: number;
  revokedAt?: number;
}

/** What may be shown about a key (never its hash). */
export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;

export const scopeAllows = (have: ApiKeyScope, need: ApiKeyScope): boolean => RANK[have] >= RANK[need];
export const accountAllowed = (key: Pick<ApiKeyRecord, 'accounts'>, account: string | undefined): boolean =>
  !key.accounts || (account !== undefined && key.accounts.includes(account));

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const view = ({ hash: _hash, ...rest }: ApiKeyRecord): ApiKeyView => rest;

export class ApiKeys {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async create(input: {
    scope: ApiKeyScope;
    accounts?: string[];
    label?: string;
  }): Promise<{ key: string; record: ApiKeyView }> {
    if (!API_KEY_SCOPES.includes(input.scope)) throw new Error(`scope must be one of ${API_KEY_SCOPES.join(', ')}`);
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('hex');
    const record: ApiKeyRecord = {
      id,
      hash: sha256(secret).toString('hex'),
      scope: input.scope,
      ...(input.accounts?.length ? { accounts: [...input.accounts] } : {}),
      ...(input.label ? { label: input.label } : {}),
      createdAt: this.clock.now(),
    };
    await this.store.set(PREFIX + id, JSON.stringify(record));
    return { key: `tpk_${id}_${secret}`, record: view(record) };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.store.list(PREFIX)).map(([, value]) => view(JSON.parse(value) as ApiKeyRecord));
  }

  async revoke(id: string): Promise<boolean> {
    const raw = await this.store.get(PREFIX + id);
    if (!raw) return false;
    const record = JSON.parse(raw) as ApiKeyRecord;
    if (!record.revokedAt)
      await this.store.set(PREFIX + id, JSON.stringify({ ...record, revokedAt: this.clock.now() }));
    return true;
  }

  /** The key's record when `presented` is a live key, else undefined. Constant time over the hash. */
  async verify(presented: string): Promise<ApiKeyRecord | undefined> {
    const match = KEY_SHAPE.exec(presented);
    const raw = match ? await this.store.get(PREFIX + match[1]) : undefined;
    const record = raw ? (JSON.parse(raw) as ApiKeyRecord) : undefined;
    const expected = record ? Buffer.from(record.hash, 'hex') : DUMMY_HASH;
    const ok = timingSafeEqual(sha256(match?.[2] ?? presented), expected) && record !== undefined;
    return ok && !record.revokedAt ? record : undefined;
  }
}
