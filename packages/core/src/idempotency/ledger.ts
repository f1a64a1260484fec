// The idempotency ledger: what we are about to post (BEFORE init), the publish_id we got (right
// after init), and the final status. A repeat of a key returns the existing post instead of posting
// again. An intent with no publish_id means init may or may not have reached TikTok (crash, timeout
// after send, gateway 5xx): it is never re-inited automatically, only reported for reconciliation.
import { randomUUID } from 'node:crypto';
import { isFinalStatus } from '../catalog/statuses';
import type { ErrorDetails } from '../errors/types';
import type { Clock, KeyValueStore } from '../ports';
import type { PostStatus } from '../types';

export type LedgerState =
  | 'reserved' //        being prepared (pre-flight, rate-limit wait, token refresh): nothing sent yet, so a
  //                     crash here lets the same key post again
  | 'intent' //          init is about to be sent / was in flight: outcome unknown until a publish_id is recorded
  | 'initiated' //       TikTok answered init with a publish_id
  | 'final' //           a terminal status (or UNCONFIRMED handed to reconciliation) was recorded
  | 'unknown_outcome' // init may have reached TikTok; we know it went wrong but not whether a post exists
  | 'rejected'; //       TikTok refused init (nothing was created); the key may be posted again

export interface LedgerEntry {
  key: string;
  state: LedgerState;
  openId?: string;
  mode: 'direct' | 'draft';
  /** What is being posted, for people and reconciliation (a URL or file hash, never a token). */
  asset?: string;
  title?: string;
  createdAt: number;
  updatedAt: number;
  /** The current attempt's publish_id. */
  publishId?: string;
  /** Every publish_id ever obtained for this key (re-posts after a retryable FAILED). */
  publishIds: string[];
  /** Init attempts made (re-posts included). */
  attempts: number;
  status?: PostStatus | 'ACCEPTED';
  postIds: string[];
  error: ErrorDetails | null;
  /** FILE_UPLOAD whose chunks are not all confirmed yet: the upload_url to resume with after a crash.
   * It carries TikTok's upload_token (valid 1 h): never show it; redact() scrubs it from text. */
  pendingUploadUrl?: string;
  /** Which begin() holds the reservation: only that caller may turn it into an intent (several
   * processes can share one store; a second reservation of the key takes it over). */
  reservation?: string;
}

export interface BeginInfo {
  openId?: string;
  mode: 'direct' | 'draft';
  asset?: string;
  title?: string;
}

export type BeginResult = { created: true; entry: LedgerEntry } | { created: false; entry: LedgerEntry };

/** An existing entry means "this post exists or may exist": report it, do not post again. Only a
 * refused init or a post that FAILED (nothing public) lets the same key post again. */
export function blocksRepost(entry: LedgerEntry): boolean {
  if (entry.state === 'rejected' || entry.state === 'reserved') return false;
  if (entry.state === 'final' && entry.status === 'FAILED') return false;
  return true;
}

/** markSending() by a caller whose reservation was taken over (another process is posting the key):
 * nothing was sent and nothing may be sent or written by this caller. */
export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
  constructor(readonly key: string) {
    super(`Another process is posting idempotency key ${key}; it is not posted twice.`);
  }
}

// Per store, per key: read-modify-write sections never interleave within this process. Across
// processes, a store with compareAndSet makes every write conditional on what was read.
const locksByStore = new WeakMap<KeyValueStore, Map<string, Promise<unknown>>>();

export class Ledger {
  readonly prefix: string;
  /** publish_id → key, outside `prefix` so list() never sees it: status reads find their post
   * without scanning every entry. */
  private readonly indexPrefix: string;
  /** Reservations this ledger made, by key. */
  private readonly mine = new Map<string, string>();
  /** On a compare-and-set store: the text last read or written per key, used as the expected value
   * of the next write (saves a read; a stale one only makes the write fail and read again). */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    options: { prefix?: string } = {},
  ) {
    this.prefix = options.prefix ?? 'tokpipe/ledger/';
    this.indexPrefix = `${this.prefix.replace(/\/+$/, '')}-by-publish-id/`;
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    const raw = await this.read(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as LedgerEntry);
  }

  /** Reserves `key` for a post, unless the key already stands for a post. Nothing is sent yet:
   * markSending() turns the reservation into an intent right before the init request leaves. */
  begin(key: string, info: BeginInfo): Promise<BeginResult> {
    return this.locked(key, async () => {
      for (let fresh = false; ; fresh = true) {
        const raw = fresh ? await this.read(key) : (this.known.get(key) ?? (await this.read(key)));
        const existing = raw === undefined ? undefined : (JSON.parse(raw) as LedgerEntry);
        if (existing && blocksRepost(existing)) {
          if (!fresh && this.store.compareAndSet) continue; // decided on stored text only
          return { created: false, entry: existing };
        }
        const now = this.clock.now();
        const entry: LedgerEntry = {
          key,
          state: 'reserved',
          openId: info.openId,
          mode: info.mode,
          asset: info.asset,
          title: info.title,
          createdAt: now,
          updatedAt: now,
          publishIds: existing?.publishIds ?? [],
          attempts: 1,
          postIds: [],
          error: null,
          reservation: randomUUID(),
        };
        if (!(await this.put(raw, entry))) continue; // another writer changed the key: look again
        this.mine.set(key, entry.reservation!);
        return { created: true, entry };
      }
    });
  }

  /** A re-post after a retryable FAILED: a new reservation, turned into an intent by markSending(). */
  recordRepost(key: string): Promise<LedgerEntry> {
    return this.update(key, (e) => ({
      ...e,
      state: 'reserved',
      publishId: undefined,
      attempts: e.attempts + 1,
      status: undefined,
      error: null,
    }));
  }

  /** The init request is about to leave: from here on a crash or a lost reply is an unknown outcome. */
  markSending(key: string): Promise<LedgerEntry> {
    return this.update(key, (e) => {
      // Taken over by another begin() (another process): this caller must not send.
      if (e.reservation !== undefined && e.reservation !== this.mine.get(key)) throw new LedgerConflictError(key);
      return e.state === 'reserved' ? { ...e, state: 'intent' } : e;
    });
  }

  /** `pendingUploadUrl`: a FILE_UPLOAD init; kept until recordUploaded so a restart can resume the chunks. */
  async recordPublishId(key: string, publishId: string, pendingUploadUrl?: string): Promise<LedgerEntry> {
    await this.store.set(this.indexPrefix + publishId, key);
    return this.update(key, (e) => ({
      ...e,
      state: 'initiated',
      publishId,
      publishIds: e.publishIds.includes(publishId) ? e.publishIds : [...e.publishIds, publishId],
      pendingUploadUrl,
    }));
  }

  /** Every chunk of the FILE_UPLOAD is confirmed: nothing left to resume. */
  recordUploaded(key: string): Promise<LedgerEntry> {
    return this.update(key, ({ pendingUploadUrl: _done, ...e }) =>
      // What an earlier, interrupted upload left (UNCONFIRMED, or a resumable FAILED) is over now.
      e.status === 'UNCONFIRMED' || (e.status === 'FAILED' && e.state !== 'final')
        ? { ...e, status: 'ACCEPTED', error: null }
        : e,
    );
  }

  /** A status seen while polling (terminal or not). */
  recordStatus(
    key: string,
    status: PostStatus | 'ACCEPTED',
    postIds: string[] = [],
    error: ErrorDetails | null = null,
    final = false,
  ): Promise<LedgerEntry> {
    return this.update(key, ({ pendingUploadUrl, ...e }) => ({
      ...e,
      // A final answer ends the upload for good: drop the URL (it carries an upload_token).
      ...(final || pendingUploadUrl === undefined ? {} : { pendingUploadUrl }),
      state: final ? 'final' : e.state,
      status,
      postIds: postIds.length ? postIds : e.postIds,
      error,
    }));
  }

  /** A status read later (status(), waitForCompletion(), webhooks) for `publishId`: the entry whose
   * current attempt that is takes it, so a repeat of the key returns the latest status. A final answer
   * is never replaced by a non-final one, and an older attempt's publish_id changes nothing.
   * Returns the entry (updated or not), or undefined when no entry holds this publish_id. */
  recordSeen(
    publishId: string,
    status: PostStatus,
    postIds: string[] = [],
    error: ErrorDetails | null = null,
  ): Promise<LedgerEntry | undefined> {
    return this.findByPublishId(publishId).then((found) => {
      if (!found) return undefined;
      return this.locked(found.key, async () => {
        for (;;) {
          const raw = await this.store.get(this.prefix + found.key);
          const e = raw === undefined ? undefined : (JSON.parse(raw) as LedgerEntry);
          if (!e || e.publishId !== publishId) return e;
          const settled = e.state === 'final' && e.status !== undefined && e.status !== 'UNCONFIRMED';
          const terminal = isFinalStatus(status);
          if (settled && !(status === e.status && postIds.length > e.postIds.length)) return e;
          if (!terminal && e.state === 'final') return e; // UNCONFIRMED stays with reconciliation until a final answer
          const next: LedgerEntry = {
            ...e,
            state: terminal || status === 'UNCONFIRMED' ? 'final' : e.state,
            status,
            postIds: postIds.length ? postIds : e.postIds,
            error,
            updatedAt: this.clock.now(),
          };
          if (await this.put(raw, next)) return next;
        }
      });
    });
  }

  recordUnknownOutcome(key: string, error: ErrorDetails): Promise<LedgerEntry> {
    return this.update(key, (e) => ({ ...e, state: 'unknown_outcome', error }));
  }

  recordRejected(key: string, error: ErrorDetails): Promise<LedgerEntry> {
    return this.update(key, (e) => ({ ...e, state: 'rejected', error }));
  }

  async list(): Promise<LedgerEntry[]> {
    const rows = await this.store.list(this.prefix);
    return rows.map(([, raw]) => JSON.parse(raw) as LedgerEntry);
  }

  /** The entry that obtained `publishId` (webhooks and status checks name posts by publish_id). */
  async findByPublishId(publishId: string): Promise<LedgerEntry | undefined> {
    const indexed = await this.store.get(this.indexPrefix + publishId);
    const entry = indexed !== undefined ? await this.get(indexed) : undefined;
    if (entry && (entry.publishId === publishId || entry.publishIds.includes(publishId))) return entry;
    // Entries written before the index existed.
    return (await this.list()).find((e) => e.publishId === publishId || e.publishIds.includes(publishId));
  }

  /** Entries reconciliation must look at: no publish_id yet, unknown outcome, or not terminal. */
  async unresolved(): Promise<LedgerEntry[]> {
    // A reservation sent nothing: there is nothing to reconcile.
    return (await this.list()).filter(
      (e) => e.state !== 'rejected' && e.state !== 'reserved' && (e.state !== 'final' || e.status === 'UNCONFIRMED'),
    );
  }

  private update(key: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<LedgerEntry> {
    return this.locked(key, async () => {
      for (let fresh = false; ; fresh = true) {
        const raw = fresh ? await this.read(key) : (this.known.get(key) ?? (await this.read(key)));
        if (raw === undefined) throw new Error(`idempotency ledger has no entry for key ${key}`);
        const next = { ...change(JSON.parse(raw) as LedgerEntry), updatedAt: this.clock.now() };
        if (await this.put(raw, next)) return next;
      }
    });
  }

  /** Writes `entry` if the stored text is still `expected` (always, on a store without compareAndSet). */
  private async put(expected: string | undefined, entry: LedgerEntry): Promise<boolean> {
    const value = JSON.stringify(entry);
    if (!this.store.compareAndSet) {
      await this.store.set(this.prefix + entry.key, value);
      return true;
    }
    const written = await this.store.compareAndSet(this.prefix + entry.key, expected, value);
    if (written) this.remember(entry.key, value);
    else this.known.delete(entry.key);
    return written;
  }

  private async read(key: string): Promise<string | undefined> {
    const raw = await this.store.get(this.prefix + key);
    if (this.store.compareAndSet && raw !== undefined) this.remember(key, raw);
    return raw;
  }

  private remember(key: string, raw: string): void {
    this.known.delete(key);
    this.known.set(key, raw);
    // Bounded: the oldest keys are forgotten (they are read again if ever needed).
    if (this.known.size > 1_000) this.known.delete(this.known.keys().next().value!);
  }

  private locked<T>(key: string, section: () => Promise<T>): Promise<T> {
    let locks = locksByStore.get(this.store);
    if (!locks) {
      locks = new Map();
      locksByStore.set(this.store, locks);
    }
    const lockKey = this.prefix + key;
    const previous = locks.get(lockKey) ?? Promise.resolve();
    const run = previous.then(section, section);
    const tail = run.catch(() => undefined);
    locks.set(lockKey, tail);
    void tail.then(() => {
      if (locks!.get(lockKey) === tail) locks!.delete(lockKey);
    });
    return run;
  }
}
