// core's JobStore on tokpipe.pipeline_jobs (migration 4). On PostgreSQL several processes write the
// same table, so each row has an owner: the process whose INSERT created it. The owner is a random
// number whose session-level advisory lock this store holds on a connection of its own while it is
// open; a row whose owner holds no such lock (stopped, crashed) is orphaned, and may be taken over.
// A store only writes rows it owns or that are orphaned (taking them), so a process that lost the
// race for a job never overwrites the winner's row. On PGlite (one process) rows have no owner.
import { randomInt } from 'node:crypto';
import type { Job, JobStore, SharedJobRow, SharedJobRows } from '@tokpipe/core';
import { lockSession, type Db } from '../db/db';
import { jobColumns } from './sql-store';

/** Names "tokpipe pipeline job owners" among advisory locks (the first key of the two-key form). */
const OWNER_LOCK = 71_701_502;

/** True when `column` names no process that is alive (its advisory lock is not held). */
const orphaned = (column: string) => `(${column} IS NULL OR NOT EXISTS (
  SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${OWNER_LOCK}::oid
    AND l.objid = ${column}::oid AND l.objsubid = 2
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))`;

const COLUMNS = 'id, seq, state, account, publish_id, owner, record';

export class SqlJobStore implements JobStore {
  readonly shared?: SharedJobRows;

  /** On PostgreSQL, takes its owner lock on a reserved connection first (see close()). */
  static async open(db: Db): Promise<SqlJobStore> {
    if (db.kind === 'pglite' && !db.reserve) return new SqlJobStore(db, null, undefined);
    const { session } = await lockSession(db);
    try {
      for (;;) {
        const owner = randomInt(1, 2 ** 31 - 1);
        const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
          OWNER_LOCK,
          owner,
        ]);
        if (rows[0]?.locked) return new SqlJobStore(db, owner, session);
      }
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private constructor(
    private readonly db: Db,
    /** This process's owner number (null on PGlite). */
    readonly owner: number | null,
    private readonly session: Db | undefined,
  ) {
    if (owner !== null) this.shared = this.sharedRows(owner);
  }

  async loadAll(): Promise<Job[]> {
    const { rows } = await this.db.query<{ record: string }>('SELECT record FROM tokpipe.pipeline_jobs');
    return rows.map((r) => JSON.parse(r.record) as Job);
  }

  /** Upsert of the whole record; on a shared store only over a row this process owns or an orphaned one. */
  async save(job: Job): Promise<void> {
    const guard =
      this.owner === null ? '' : ` WHERE pipeline_jobs.owner = EXCLUDED.owner OR ${orphaned('pipeline_jobs.owner')}`;
    await this.db.query(
      `INSERT INTO tokpipe.pipeline_jobs (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, account = EXCLUDED.account,
         publish_id = EXCLUDED.publish_id, owner = EXCLUDED.owner, record = EXCLUDED.record${guard}`,
      this.params(job),
    );
  }

  async delete(jobId: string): Promise<void> {
    const guard = this.owner === null ? '' : ` AND (owner = $2 OR ${orphaned('owner')})`;
    await this.db.query(
      `DELETE FROM tokpipe.pipeline_jobs WHERE id = $1${guard}`,
      this.owner === null ? [jobId] : [jobId, this.owner],
    );
  }

  /** Releases the owner lock (rows still open become orphaned: the next process resumes them). */
  async close(): Promise<void> {
    await this.session?.close();
  }

  private params(job: Job): unknown[] {
    const record = JSON.stringify(job);
    const c = jobColumns(record);
    return [job.id, c.seq, c.state, c.account, c.publish_id, this.owner, record];
  }

  private sharedRows(owner: number): SharedJobRows {
    return {
      create: async (job) => {
        const inserted = await this.db.query(
          `INSERT INTO tokpipe.pipeline_jobs (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
          this.params(job),
        );
        return inserted.rowCount === 1;
      },
      read: async (jobIds) => {
        const { rows } = await this.db.query<{ id: string; record: string; orphaned: boolean }>(
          `SELECT id, record, ${orphaned('owner')} AS orphaned FROM tokpipe.pipeline_jobs WHERE id = ANY($1::text[])`,
          [[...jobIds]],
        );
        return new Map<string, SharedJobRow>(
          rows.map((r) => [r.id, { job: JSON.parse(r.record) as Job, orphaned: r.orphaned }]),
        );
      },
      takeOver: async (jobId) => {
        const updated = await this.db.query(
          `UPDATE tokpipe.pipeline_jobs SET owner = $2 WHERE id = $1 AND ${orphaned('owner')}`,
          [jobId, owner],
        );
        return updated.rowCount === 1;
      },
    };
  }
}
