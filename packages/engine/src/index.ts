export type { Db, QueryResult, CountingDb } from './db/db';
export { countRoundTrips } from './db/db';
export { openPglite } from './db/pglite';
export { openPostgres } from './db/postgres';
export { migrate, currentVersion, type MigrationResult } from './db/migrate';
export { migrations, latestVersion, type Migration } from './db/migrations';
export { openDb, databaseUrlFrom, type OpenDbOptions } from './db/open';
export { SqlStore, LEDGER_PREFIX, TOKEN_PREFIX } from './state/sql-store';
export { SqlRateLimiter } from './state/sql-limiter';
export { sqlTokenStore, refreshCount } from './state/sql-tokens';
export { readMarker, REFRESH_MARKER_PREFIX, type RefreshMarker } from './state/refresh-marker';
export { startBoss, bossDb, QUEUES, type BossOptions } from './queue/boss';
export { submitPosts, getJob, jobCounts, transition, type PostJob, type JobRow, type JobState } from './worker/jobs';
export { startWorker, type WorkerOptions, type RunningWorker } from './worker/worker';
export { runWorkerProcess, anchoredClock, type WorkerProcessConfig } from './worker/process';
export { acquireOwnership, embeddedOwner, EngineInUseError, type Ownership, type OwnerInfo } from './db/ownership';
export { openEmbedded, type EmbeddedOptions } from './db/open';
export { clientHub, type ClientHub, type ClientInfo } from './db/serve-clients';
export { importFileStore, type ImportResult } from './state/import-file-store';
export { recordWebhookEvent } from './state/webhook-events';
export {
  openState,
  stateLocation,
  withoutPassword,
  DEFAULT_STORE_FILE,
  type EngineState,
  type OpenStateOptions,
  type StateLocation,
} from './state/open-state';
export { SqlJobStore } from './state/sql-jobs';
export { readJobSteps, JOB_STEPS_KEPT } from './worker/steps';
export { listDeadJobs, getDeadJob, replayDeadJob, generationOf, ReplayConflictError } from './worker/dlq';
