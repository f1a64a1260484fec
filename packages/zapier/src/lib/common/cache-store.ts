// Core's KeyValueStore over z.cache, scoped to the connection: the idempotency ledger lives here, so a
// replayed step finds it (the trigger's recent posts use the same cache, see recent-posts.ts).
// z.cache is Zapier's own store: `scope: ['auth']` keeps one connection's keys from another's, and the
// key prefix carries the TikTok open_id too (the local test harness ignores scopes).
import type { KeyValueStore } from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';
import { runtime } from './runtime';

/** How long z.cache keeps what we write: 72 h, well past Zapier's replay and reschedule windows. */
export const CACHE_TTL_SECONDS = 72 * 60 * 60;

export const SCOPE = ['auth'];

/** z.cache as Zapier runs it: `nx` = set only if absent (answers true when it set). The .d.ts omits
 * `scope` on get/delete; zapier-platform-core accepts it (src/tools/create-cache.js). */
export type ZapierCache = {
  get(key: string, scope?: string[] | null): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number | null, scope?: string[] | null, nx?: boolean | null): Promise<unknown>;
  delete(key: string, scope?: string[] | null): Promise<unknown>;
};

/** The connection's cache: z.cache, or the runtime's (tests: one that honours nx, which the appTester's does not). */
export const cacheOf = (z: ZObject): ZapierCache => runtime().cache ?? (z.cache as unknown as ZapierCache);

/** A KeyValueStore for one connection (`namespace` = its open_id). z.cache cannot enumerate keys, so
 * list() reads an index of the keys written through this store (best effort: concurrent writers may
 * drop an index entry, never a value). */
export function zapierStore(cache: ZapierCache, namespace: string): KeyValueStore {
  const prefix = `tokpipe:${namespace}:`;
  const indexKey = `${prefix}__index__`;
  const readIndex = async (): Promise<string[]> => {
    const raw = await cache.get(indexKey, SCOPE);
    return Array.isArray(raw) ? raw.filter((k): k is string => typeof k === 'string') : [];
  };
  return {
    async get(key) {
      const value = await cache.get(prefix + key, SCOPE);
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value) {
      await cache.set(prefix + key, value, CACHE_TTL_SECONDS, SCOPE);
      const index = await readIndex();
      if (!index.includes(key)) await cache.set(indexKey, [...index, key], CACHE_TTL_SECONDS, SCOPE);
    },
    async delete(key) {
      await cache.delete(prefix + key, SCOPE);
      const index = await readIndex();
      if (index.includes(key))
        await cache.set(
          indexKey,
          index.filter((k) => k !== key),
          CACHE_TTL_SECONDS,
          SCOPE,
        );
    },
    async list(keyPrefix) {
      const rows: Array<[string, string]> = [];
      for (const key of (await readIndex()).filter((k) => k.startsWith(keyPrefix)).sort()) {
        const value = await cache.get(prefix + key, SCOPE);
        if (typeof value === 'string') rows.push([key, value]);
      }
      return rows;
    },
  };
}

/** Seen-marks (a hook's event ids) in z.cache: no key index (marks are never listed, and one per event
 * would grow it), and a first mark is set-if-absent (nx), so two copies of one event at once fire once. */
export function zapierMarks(cache: ZapierCache, namespace: string): KeyValueStore {
  const prefix = `tokpipe:${namespace}:`;
  const put = (key: string, value: string, nx: boolean) => cache.set(prefix + key, value, CACHE_TTL_SECONDS, SCOPE, nx);
  return {
    get: async (key) => {
      const value = await cache.get(prefix + key, SCOPE);
      return typeof value === 'string' ? value : undefined;
    },
    set: async (key, value) => void (await put(key, value, false)),
    delete: async (key) => void (await cache.delete(prefix + key, SCOPE)),
    list: async () => [],
    // Zapier answers an nx set with true only when it set (anything else: already there).
    compareAndSet: async (key, expected, value) => (await put(key, value, expected === undefined)) === true,
  };
}
