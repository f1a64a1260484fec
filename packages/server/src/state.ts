// Where the server keeps its own records in the KeyValueStore (the engine's SqlStore shares them
// across processes; a FileStore keeps them in one). One prefix, so nothing collides with core's.
export const STATE_PREFIX = 'tokpipe/server/';

export const PREFIXES = {
  idempotency: `${STATE_PREFIX}idem/`,
  timeline: `${STATE_PREFIX}timeline/`,
  webhookEvents: `${STATE_PREFIX}webhook-events/`,
  subscriptions: `${STATE_PREFIX}subscriptions/`,
  outbox: `${STATE_PREFIX}outbox/`,
  deliveries: `${STATE_PREFIX}deliveries/`,
  oauthStates: `${STATE_PREFIX}oauth-state/`,
} as const;

/** JSON record helpers over a KeyValueStore. */
export async function readJson<T>(
  store: { get(key: string): Promise<string | undefined> },
  key: string,
): Promise<T | undefined> {
  const raw = await store.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

/** Writes `value` only where nothing is stored yet; false when another writer was first. Uses the store's
 * compare-and-set when it has one (SQL: across processes), else a read and a write (one process). */
export async function createOnce(
  store: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
    compareAndSet?(key: string, expected: string | undefined, value: string): Promise<boolean>;
  },
  key: string,
  value: unknown,
): Promise<boolean> {
  const text = JSON.stringify(value);
  if (store.compareAndSet) return store.compareAndSet(key, undefined, text);
  // No compare-and-set (memory, file): the read and the write for one key never interleave in this process.
  return creating.run(key, async () => {
    if ((await store.get(key)) !== undefined) return false;
    await store.set(key, text);
    return true;
  });
}

/** Runs `work` after every earlier call with the same key has finished (in this process). */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

const creating = new KeyedQueue();
