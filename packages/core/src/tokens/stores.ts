// A TokenStore over any KeyValueStore (memory, FileStore, an adapter's own storage).
import type { KeyValueStore } from '../ports';
import type { TokenRecord, TokenStore } from './types';

export function kvTokenStore(store: KeyValueStore, account: string, prefix = 'tokpipe/tokens/'): TokenStore {
  const key = prefix + account;
  return {
    identity: { scope: store, key },
    async load() {
      const raw = await store.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as TokenRecord);
    },
    async save(record) {
      await store.set(key, JSON.stringify(record));
    },
  };
}

/** A store holding one record in memory (tests, or a platform that persists through callbacks). */
export function memoryTokenStore(
  initial?: TokenRecord,
  onSave?: (record: TokenRecord) => Promise<void> | void,
): TokenStore & { current(): TokenRecord | undefined } {
  let record = initial ? { ...initial } : undefined;
  return {
    async load() {
      return record ? { ...record } : undefined;
    },
    async save(next) {
      await onSave?.({ ...next });
      record = { ...next };
    },
    current: () => (record ? { ...record } : undefined),
  };
}
