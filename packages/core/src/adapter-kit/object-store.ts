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
