// Migrations, numbered. Append only: a released migration is never edited (databases already ran it).
import { sql as initial } from './0001-initial';
import { sql as sharedLimits } from './0002-shared-limits';
import { sql as leanJobs } from './0003-lean-jobs';
import { sql as pipelineJobs } from './0004-pipeline-jobs';
import { sql as jobChanges } from './0005-job-changes';
import { sql as jobSteps } from './0006-job-steps';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'shared-limits', sql: sharedLimits },
  { version: 3, name: 'lean-jobs', sql: leanJobs },
  { version: 4, name: 'pipeline-jobs', sql: pipelineJobs },
  { version: 5, name: 'job-changes', sql: jobChanges },
  { version: 6, name: 'job-steps', sql: jobSteps },
];

export const latestVersion = migrations[migrations.length - 1]!.version;
