// Outgoing events for queue posts (PostgreSQL): any worker of any process settles a tokpipe.jobs row,
// and no pipeline event says so. Each server reads the rows changed since its cursor (migration 5 stamps
// every change with its transaction id) and emits what the pipeline path would have emitted, with the
// same stable ids (outgoingFor over the row's job, the view GET /v1/posts/:id shows).
//
// Exactly once per subscription with several servers on one database: every server reads every change
// and emits the same event id; Hooks.emit records the event and each delivery with createOnce (the
// SqlStore's compare-and-set), so only the first server's emit stores deliveries, and only the server
// that stored a delivery sends it. Re-reading a row (a cursor shared by servers, a restart) is harmless.
import type { ErrorDetails, Job, JobState, KeyValueStore, Logger, PipelineEvent } from '@tokpipe/core';
import type { Db } from '@tokpipe/engine';
import { outgoingFor, type OutgoingEvent } from './outgoing';
import { COLUMNS, jobOf, type Row } from './queue-rows';
import { STATE_PREFIX } from './state';

/** Where the servers on one database keep the last horizon read (shared: a restarted server resumes). */
export const QUEUE_EVENTS_CURSOR = `${STATE_PREFIX}queue-events-cursor`;

/** Row states that are an outcome (the ones an outgoing event is about). */
const OUTCOME_ROW_STATES = ['published', 'unconfirmed', 'unknown', 'dead'];

/** A dead row without details (pg-boss gave up on it): a failure nobody can retry by itself. */
const NO_DETAILS = { disposition: 'needs_human' } as ErrorDetails;

/** The pipeline event a settled queue post stands for (what the pipeline path emits for it). */
const eventByState: Partial<Record<JobState, (job: Job, at: number) => PipelineEvent>> = {
  published: (job, at) => ({ type: 'job_published', at, jobId: job.id, postIds: [], timeToPublishMs: 0 }),
  delivered: (job, at) => ({ type: 'job_delivered', at, jobId: job.id, timeToPublishMs: 0 }),
  unconfirmed: (job, at) => ({ type: 'job_unconfirmed', at, jobId: job.id }),
  unknown: (job, at) => ({ type: 'job_unknown_outcome', at, jobId: job.id }),
  dead: (job, at) => ({ type: 'job_dead_lettered', at, jobId: job.id, error: job.lastError ?? NO_DETAILS }),
};

/** A settled row → its outgoing events (none for a row still moving). Pure. */
export function queueRowEvents(row: Row): OutgoingEvent[] {
  const job = jobOf(row);
  const event = eventByState[job.state]?.(job, row.updated_at);
  return event ? outgoingFor(event, (id) => (id === job.id ? job : undefined)) : [];
}

export interface QueueEventsOptions {
  db: Db;
  clock: { now(): number; sleep(ms: number): Promise<void> };
  emit: (event: OutgoingEvent) => Promise<unknown>;
  /** The shared store (the cursor). */
  cursorStore: KeyValueStore;
  log: Logger;
  /** Clock ms between reads. Default 1 s. */
  everyMs?: number;
}

/** Starts the watcher; the returned function stops it (after the read in progress). */
export function watchQueueEvents(options: QueueEventsOptions): () => Promise<void> {
  const { db, clock, emit, cursorStore, log } = options;
  let stopped = false;
  /** Event ids emitted here, with the change they came from (forgotten once the cursor passes it). */
  const emitted = new Map<string, bigint>();
  let cursor: bigint | undefined;

  const read = async (): Promise<void> => {
    const stored = await cursorStore.get(QUEUE_EVENTS_CURSOR);
    if (stored !== undefined && (cursor === undefined || BigInt(stored) > cursor)) cursor = BigInt(stored);
    // One statement, one snapshot: its xmin is the next cursor (every transaction below it has ended, so
    // nothing changed below it can appear later). Rows from cursor on are read again until it passes them.
    const { rows } = await db.query<Row & { horizon: string; changed: string | null }>(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
       SELECT h.horizon::text AS horizon, j.changed_xid::text AS changed, ${COLUMNS.split(', ')
         .map((c) => `j.${c}`)
         .join(', ')}
       FROM h LEFT JOIN tokpipe.jobs j ON $1::xid8 IS NOT NULL AND j.changed_xid >= $1::xid8
         AND j.state = ANY($2::text[])
       ORDER BY j.changed_xid`,
      [cursor?.toString() ?? null, OUTCOME_ROW_STATES],
    );
    const horizon = BigInt(rows[0]!.horizon);
    if (cursor !== undefined)
      for (const row of rows) {
        if (row.changed === null) continue;
        for (const event of queueRowEvents({ ...row, updated_at: Number(row.updated_at) })) {
          if (emitted.has(event.id)) continue;
          await emit(event);
          emitted.set(event.id, BigInt(row.changed));
        }
      }
    // First start on this database: the cursor begins now (earlier outcomes are history, not news).
    cursor = horizon;
    for (const [id, at] of emitted) if (at < horizon) emitted.delete(id);
    const current = await cursorStore.get(QUEUE_EVENTS_CURSOR);
    if (current === undefined || BigInt(current) < horizon) await cursorStore.set(QUEUE_EVENTS_CURSOR, String(horizon));
  };

  let reading: Promise<void> | undefined;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      reading = read().catch((error: unknown) => log('error', `queue events not read: ${(error as Error).message}`));
      await reading;
      reading = undefined;
      if (stopped) return;
      await clock.sleep(options.everyMs ?? 1_000);
    }
  };
  void loop();
  return async () => {
    stopped = true;
    await reading; // the sleep in progress ends on its own and the loop ends with it
  };
}
