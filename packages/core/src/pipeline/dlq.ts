// Dead-letter queue: every job that will not succeed by retrying, with its classification and the
// raw error (redacted again on the way in, in case anything upstream missed a secret).
import { inputError, type TokpipeError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import type { KeyValueStore } from '../ports';
import { redact } from '../redact';
import type { JobSpec } from './types';

export const DLQ_PREFIX = 'tokpipe/pipeline/dlq/';

export interface DeadLetter {
  jobId: string;
  account?: string;
  spec: JobSpec;
  /** The classification (disposition, category, code, fail_reason, log_id, raw). */
  error: ErrorDetails;
  at: number;
  attempts: number;
  publishId?: string;
  /** Earlier publish_ids of this job (re-posts), for support tickets. */
  label?: string;
}

/** The port through which dead letters reach durable storage (a SQL table can implement it). */
export interface DeadLetterStore {
  put(entry: DeadLetter): Promise<void>;
  /** Oldest first. */
  list(): Promise<DeadLetter[]>;
  get(jobId: string): Promise<DeadLetter | undefined>;
  remove(jobId: string): Promise<void>;
}

/** The default DeadLetterStore: one JSON record per job under DLQ_PREFIX in the KeyValueStore. */
export class DeadLetterQueue implements DeadLetterStore {
  constructor(private readonly store: KeyValueStore) {}

  async put(entry: DeadLetter): Promise<void> {
    await this.store.set(DLQ_PREFIX + entry.jobId, JSON.stringify(redact(entry)));
  }

  async list(): Promise<DeadLetter[]> {
    return (await this.store.list(DLQ_PREFIX))
      .map(([, raw]) => JSON.parse(raw) as DeadLetter)
      .sort((a, b) => a.at - b.at);
  }

  async get(jobId: string): Promise<DeadLetter | undefined> {
    const raw = await this.store.get(DLQ_PREFIX + jobId);
    return raw === undefined ? undefined : (JSON.parse(raw) as DeadLetter);
  }

  async remove(jobId: string): Promise<void> {
    await this.store.delete(DLQ_PREFIX + jobId);
  }
}

/** Why a dead letter may not be replayed now (undefined: it may). An unknown outcome may already be on
 * TikTok: it is replayed only with `force` (after a person checked the account). Every DLQ's replay (the
 * pipeline's, the shared queue's) asks this. */
export function replayRefusal(entry: Pick<DeadLetter, 'jobId' | 'error'>, force = false): TokpipeError | undefined {
  if (entry.error.disposition !== 'unknown_outcome' || force) return undefined;
  return inputError(
    'force',
    `job ${entry.jobId} has an unknown outcome: it may already be posted. Check the account, then replay with force`,
  );
}
