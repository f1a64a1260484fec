// z.cache as Zapier's platform runs it, for the tests the appTester cannot serve: its own z.cache mock
// ignores `nx` (set-if-absent) and answers every set with true. This one keeps values as JSON like
// Zapier's, honours nx, and yields to other runs before every operation, so concurrent runs interleave.
import type { ZapierCache } from '../src/lib/common/cache-store';

/** `answers`: what a set returns when it set and when nx refused (Zapier documents neither for nx). */
export function nxCache(
  answers: { set: unknown; refused: unknown } = { set: true, refused: false },
): ZapierCache & { keys(): string[] } {
  const data = new Map<string, string>();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    async get(key) {
      await turn();
      const value = data.get(key);
      return value === undefined ? null : (JSON.parse(value) as unknown);
    },
    async set(key, value, _ttl, _scope, nx) {
      await turn();
      if (nx && data.has(key)) return answers.refused;
      data.set(key, JSON.stringify(value));
      return answers.set;
    },
    async delete(key) {
      await turn();
      return data.delete(key);
    },
    keys: () => [...data.keys()],
  };
}
