// Core's KeyValueStore over one field of a plain object the platform saves for us (n8n's workflow
// static data): the idempotency ledger and webhook dedupe survive between executions that way.
import type { KeyValueStore } from '../ports';

export function objectFieldStore(holder: Record<string, unknown>, field: string): KeyValueStore {
  const entries = (): Record<string, string> => {
    if (typeof holder[field] !== 'object' || holder[field] === null) holder[field] = {};
    return holder[field] as Record<string, string>;
  };
  return {
    get: async (key) => entries()[key],
    set: async (key, value) => {
      entries()[key] = value;
    },
    delete: async (key) => {
      delete entries()[key];
    },
    list: async (prefix) =>
      Object.entries(entries())
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** What this process has written through withProcessMemory, by scope (a workflow's node). */
const processMemory = new Map<string, Map<string, string>>();

/** A store whose writes are also kept in this process's memory under `scope` and read from there first. A
 * platform that saves its store only when a run ends (n8n saves static data after the execution) still sees
 * a copy that arrives before that; compareAndSet decides in memory, synchronously, so two copies in flight
 * at once fire once. Several processes (n8n's webhook processes in queue mode) each keep their own memory. */
export function withProcessMemory(store: KeyValueStore, scope: string, maxEntries = 10_000): KeyValueStore {
  let memory = processMemory.get(scope);
  if (!memory) processMemory.set(scope, (memory = new Map()));
  const mem = memory;
  const remember = (key: string, value: string) => {
    mem.delete(key);
    mem.set(key, value);
    while (mem.size > maxEntries) mem.delete(mem.keys().next().value as string);
  };
  return {
    get: async (key) => mem.get(key) ?? (await store.get(key)),
    set: async (key, value) => {
      remember(key, value);
      await store.set(key, value);
    },
    delete: async (key) => {
      mem.delete(key);
      await store.delete(key);
    },
    list: async (prefix) => {
      const merged = new Map(await store.list(prefix));
      for (const [key, value] of mem) if (key.startsWith(prefix)) merged.set(key, value);
      return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    },
    compareAndSet: async (key, expected, value) => {
      if (mem.has(key) && mem.get(key) !== expected) return false;
      remember(key, value);
      if (store.compareAndSet && !(await store.compareAndSet(key, expected, value))) {
        mem.delete(key);
        return false;
      }
      if (!store.compareAndSet) await store.set(key, value);
      return true;
    },
  };
}
