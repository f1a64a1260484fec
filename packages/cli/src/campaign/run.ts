// Runs a set of pipeline jobs to the end (finished or parked) with live progress, then renders the
// report. Shared by `campaign run`, `dlq replay` and `demo`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { validatePostRequest, type Job, type JobSpec, type Pipeline, type PostRequest } from '@tokpipe/core';
import { isTokpipeError } from '../errors';
import type { CliIO } from '../io';
import { EXIT, type ExitCode } from '../outcome';
import { ProgressDisplay } from '../progress';
import { renderMarkdownReport, renderReportTable, statsFromJobs, UNASSIGNED } from '../report';
import { trackEventFor } from '../pipeline-session';
import { terminalSafe } from '../terminal';
import { checkMediaFile, mediaRoots } from './media';
import { CampaignError, type CampaignEntry, type CampaignProblem } from './parse';

/** PostRequest field (core's validator) → campaign column. */
const COLUMN_BY_FIELD: Array<[string, string]> = [
  ['media.url', 'video_url'],
  ['media.file', 'video_file'],
  ['media.urls', 'photo_urls'],
  ['media', 'video_url'],
  ['privacyLevel', 'privacy'],
  ['publishAt', 'publish_at'],
  ['idempotencyKey', 'idempotency_key'],
  ['title', 'title'],
  ['description', 'description'],
  ['mode', 'mode'],
];

function columnFor(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const bare = field.replace(/^jobs\[\d+\]\.|^job\./, '');
  return COLUMN_BY_FIELD.find(([f]) => bare === f || bare.startsWith(f + '.') || bare.startsWith(f + '['))?.[1];
}

export function entryToSpec(entry: CampaignEntry): JobSpec {
  const spec: JobSpec = { mode: entry.mode, media: entry.media, label: entry.where };
  if (entry.account) spec.account = entry.account;
  if (entry.region) spec.region = entry.region;
  if (entry.title !== undefined) spec.title = entry.title;
  if (entry.description !== undefined) spec.description = entry.description;
  if (entry.privacyLevel) spec.privacyLevel = entry.privacyLevel;
  if (entry.publishAt) spec.publishAt = entry.publishAt;
  if (entry.idempotencyKey) spec.idempotencyKey = entry.idempotencyKey;
  return spec;
}

/** Core's own validation of every row (title limits, field combinations), and each local file (where
 * it is, what it holds: see media.ts), before anything is queued. `video_file` paths become real paths. */
export async function checkEntries(file: string, entries: CampaignEntry[], pipeline: Pipeline, mediaDirs: readonly string[] = []): Promise<void> {
  const problems: CampaignProblem[] = [];
  const roots = await mediaRoots(file, mediaDirs);
  const known = new Set(pipeline.accounts.list().map((a) => a.id));
  if (known.size === 0) problems.push({ where: 'accounts', message: 'no accounts are registered; add one with `tokpipe accounts add NAME --token-file PATH`' });
  for (const entry of entries) {
    if (entry.account && known.size > 0 && !known.has(entry.account)) {
      problems.push({ where: entry.where, column: 'account', message: `no account "${entry.account}" (registered: ${[...known].join(', ')})` });
    }
    let media: PostRequest['media'];
    if (entry.media.type === 'video_file') {
      const checked = await checkMediaFile(entry.media.path, roots);
      if (!checked.ok) {
        problems.push({ where: entry.where, column: 'video_file', message: checked.message });
        continue;
      }
      entry.media.path = checked.path;
      media = { type: 'video_file', file: checked.source };
    } else media = entry.media;
    const { where: _w, account: _a, region: _r, media: _m, ...fields } = entry;
    try {
      validatePostRequest({ ...fields, media });
    } catch (err) {
      if (!isTokpipeError(err)) throw err;
      const column = columnFor(err.details.field);
      // Core's message starts with the field and ends with advice; the row/column already say where.
      const message = err.details.message.replace(/^[\w.[\]]+: /, '').replace(/ \[invalid_input\].*$/s, '');
      problems.push({ where: entry.where, ...(column ? { column } : {}), message });
    }
  }
  if (problems.length) throw new CampaignError(file, problems);
}

export interface RunOptions {
  live: boolean;
  /** Suppress progress output entirely (--json). */
  quiet: boolean;
}

/** Waits until every job in `ids` is finished or parked, showing progress. */
export async function watchJobs(pipeline: Pipeline, ids: Set<string>, io: CliIO, options: RunOptions, work?: (note: (text: string) => void) => Promise<unknown>): Promise<Job[]> {
  const jobsNow = (): Job[] => pipeline.listJobs().filter((j) => ids.has(j.id));
  const label = (jobId: string): string => {
    const job = pipeline.getJob(jobId);
    return job?.spec.idempotencyKey ?? job?.spec.label ?? jobId.slice(0, 10);
  };
  const accountOf = (jobId: string): string => pipeline.getJob(jobId)?.account ?? UNASSIGNED;
  const display = new ProgressDisplay(io.stdout, () => statsFromJobs(jobsNow()), options.live);
  const unsubscribe = pipeline.on((event) => {
    if (options.quiet) return;
    if (event.type === 'alert') return display.note(`alert: ${event.alert.message}`);
    if (event.type === 'account_status') return display.note(`account ${event.account} is now ${event.status}${event.reason ? `: ${event.reason}` : ''}`);
    if ('jobId' in event && !ids.has(event.jobId)) return;
    const tracked = trackEventFor(event, accountOf, label);
    if (tracked) display.event(tracked);
  });
  try {
    // Started only once the display listens, so no event of its is missed.
    if (work) await work((text) => (options.quiet ? undefined : display.note(text)));
    await pipeline.drain();
  } finally {
    unsubscribe();
  }
  if (!options.quiet) display.finish();
  return jobsNow();
}

/** 0 all posted; 3 some failed for good; 4 some unconfirmed / unknown / deferred (run again or reconcile). */
export function exitCodeForJobs(jobs: Job[]): ExitCode {
  const permanent = jobs.some((j) => j.state === 'dead' && j.lastError?.disposition !== 'unknown_outcome');
  if (permanent) return EXIT.permanent;
  const open = jobs.some((j) => j.state !== 'published' && j.state !== 'delivered');
  return open ? EXIT.unconfirmed : EXIT.ok;
}

/** A path as the user would type it: relative when under the working directory. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface ReportFiles {
  title: string;
  campaignFile: string;
  reportFile: string;
  startedAt: Date;
  durationMs: number;
  notes?: string[];
}

export async function writeReports(jobs: Job[], io: CliIO, meta: ReportFiles, quiet: boolean): Promise<void> {
  const stats = statsFromJobs(jobs);
  const dlq = jobs
    .filter((j) => j.state === 'dead')
    .map((j) => ({ job: `${j.spec.idempotencyKey ?? j.spec.label ?? ''} (${j.id.slice(0, 12)})`, account: j.account ?? UNASSIGNED, code: j.lastError ? `${j.lastError.code}${j.lastError.failReason ? `/${j.lastError.failReason}` : ''}` : '?', action: j.lastError?.action ?? '' }));
  const markdown = renderMarkdownReport(stats, { title: meta.title, campaignFile: meta.campaignFile, startedAt: meta.startedAt, durationMs: meta.durationMs, dlq, ...(meta.notes ? { notes: meta.notes } : {}) });
  await fs.mkdir(path.dirname(meta.reportFile), { recursive: true });
  await fs.writeFile(meta.reportFile, terminalSafe(markdown), 'utf8'); // people `cat` reports
  if (!quiet) {
    io.stdout.write('\n' + renderReportTable(stats));
    if (dlq.length) io.stdout.write(`\n${dlq.length} job(s) in the dead-letter queue: see \`tokpipe dlq list\`.\n`);
    io.stdout.write(`\nReport written to ${meta.reportFile}\n`);
  }
}

export function jobSummary(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    label: job.spec.label ?? null,
    idempotencyKey: job.spec.idempotencyKey ?? null,
    account: job.account ?? null,
    state: job.state,
    publishId: job.publishId ?? null,
    status: job.status ?? null,
    postIds: job.postIds,
    attempts: job.attempts,
    retries: job.retries,
    error: job.lastError ? { category: job.lastError.category, code: job.lastError.code, failReason: job.lastError.failReason ?? null, retryable: job.lastError.retryable, action: job.lastError.action, logId: job.lastError.logId ?? null, message: job.lastError.message } : null,
  };
}
