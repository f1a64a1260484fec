// Runs a set of pipeline jobs to the end (finished or parked) with live progress, then renders the
// report. Shared by `campaign run`, `dlq replay` and `demo`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  outcomeOpen,
  validatePostRequest,
  type Job,
  type JobSpec,
  type Pipeline,
  type PostRequest,
} from '@tokpipe/core';
import { isTokpipeError } from '../errors';
import type { CliIO } from '../io';
import { EXIT, type ExitCode } from '../outcome';
import { ProgressDisplay } from '../progress';
import { renderMarkdownReport, renderReportTable, statsFromJobs, UNASSIGNED } from '../report';
import { isoMinute, trackEventFor } from '../pipeline-session';
import { terminalSafe } from '../terminal';
import { checkMediaFile, mediaRoots } from './media';
import { CampaignError, type CampaignEntry, type CampaignProblem } from './parse';
import { resolveHint } from '../commands/resolve';

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
export async function checkEntries(
  file: string,
  entries: CampaignEntry[],
  pipeline: Pipeline,
  mediaDirs: readonly string[] = [],
): Promise<void> {
  const problems: CampaignProblem[] = [];
  const roots = await mediaRoots(file, mediaDirs);
  const known = new Set(pipeline.accounts.list().map((a) => a.id));
  if (known.size === 0)
    problems.push({
      where: 'accounts',
      message: 'no accounts are registered; add one with `tokpipe accounts add NAME --token-file PATH`',
    });
  for (const entry of entries) {
    if (entry.account && known.size > 0 && !known.has(entry.account)) {
      problems.push({
        where: entry.where,
        column: 'account',
        message: `no account "${entry.account}" (registered: ${[...known].join(', ')})`,
      });
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
export async function watchJobs(
  pipeline: Pipeline,
  ids: Set<string>,
  io: CliIO,
  options: RunOptions,
  work?: (note: (text: string) => void) => Promise<unknown>,
): Promise<Job[]> {
  const jobsNow = (): Job[] => pipeline.listJobs().filter((j) => ids.has(j.id));
  const label = (jobId: string): string => {
    const job = pipeline.getJob(jobId);
    return job?.spec.idempotencyKey ?? job?.spec.label ?? jobId.slice(0, 10);
  };
  const accountOf = (jobId: string): string => pipeline.getJob(jobId)?.account ?? UNASSIGNED;
  const display = new ProgressDisplay(io.stdout, () => statsFromJobs(jobsNow()), options.live);
  // A campaign far over the daily caps defers thousands of rows: a few lines, then the report says the rest.
  let deferredShown = 0;
  const unsubscribe = pipeline.on((event) => {
    if (options.quiet) return;
    if (event.type === 'alert') return display.note(`alert: ${event.alert.message}`);
    if (event.type === 'account_status')
      return display.note(`account ${event.account} is now ${event.status}${event.reason ? `: ${event.reason}` : ''}`);
    if ('jobId' in event && !ids.has(event.jobId)) return;
    const tracked = trackEventFor(event, accountOf, label);
    if (tracked?.kind === 'deferred' && ++deferredShown > DEFERRED_LINES) {
      if (deferredShown === DEFERRED_LINES + 1) display.note('(more rows deferred by the daily caps: see the report)');
      return;
    }
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

/** Deferred rows printed one per line before the display stops listing them. */
const DEFERRED_LINES = 20;

/** 0 all posted; 3 some failed for good; 4 some may be on TikTok without confirmation (reconcile or
 * resolve them); 6 the rest only wait for a later cap window or their publish_at (nothing sent: run again then). */
export function exitCodeForJobs(jobs: Job[]): ExitCode {
  const permanent = jobs.some((j) => j.state === 'dead' && j.lastError?.disposition !== 'unknown_outcome');
  if (permanent) return EXIT.permanent;
  const open = jobs.some((j) => j.state !== 'published' && j.state !== 'delivered' && j.state !== 'deferred');
  if (open) return EXIT.unconfirmed;
  return jobs.some((j) => j.state === 'deferred') ? EXIT.deferred : EXIT.ok;
}

/** What the deferred rows wait for, in plain words (null when none is deferred). */
export function deferredNote(jobs: Job[], rerun: string): string | null {
  let first: Job | undefined;
  let last: Job | undefined;
  let count = 0;
  for (const j of jobs) {
    if (j.state !== 'deferred' || j.dueAt === undefined) continue;
    count++;
    if (!first || j.dueAt < first.dueAt!) first = j;
    if (!last || j.dueAt > last.dueAt!) last = j;
  }
  if (!first || !last) return null;
  const from = `from ${isoMinute(first.dueAt!)}`;
  const span = first === last ? from : `${from} (the last from ${isoMinute(last.dueAt!)})`;
  return (
    `${count} row(s) deferred: the accounts' daily caps are used up (or a publish_at is later), so nothing was sent for them. ` +
    `They can post ${span}. Run \`${rerun}\` again then (rows already posted are never posted twice), ` +
    'or keep one run going and it posts each row when its slot frees.'
  );
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
  /** Where a job stands in plain words (Pipeline.explain): open rows are listed with it. */
  explain?: (job: Job) => string;
  /** Show `tokpipe resolve` for open rows (not when the store is thrown away, as the demo's is). */
  settleHint?: boolean;
}

/** Rows listed one by one on the terminal before "and N more" (the markdown report lists them all). */
const OPEN_ROWS_SHOWN = 20;

/** Rows TikTok may have without telling us: each with why it is open and how to settle it. */
function openRows(jobs: Job[], explain: (job: Job) => string): Array<{ job: Job; name: string; why: string }> {
  return jobs
    .filter((j) => outcomeOpen(j))
    .map((job) => ({ job, name: job.spec.idempotencyKey ?? job.spec.label ?? job.id.slice(0, 12), why: explain(job) }));
}

export async function writeReports(jobs: Job[], io: CliIO, meta: ReportFiles, quiet: boolean): Promise<void> {
  const stats = statsFromJobs(jobs);
  const deferred = deferredNote(jobs, `tokpipe campaign run ${meta.campaignFile}`);
  if (deferred) meta = { ...meta, notes: [...(meta.notes ?? []), deferred] };
  const open = meta.explain ? openRows(jobs, meta.explain) : [];
  const dlq = jobs
    .filter((j) => j.state === 'dead')
    .map((j) => ({
      job: `${j.spec.idempotencyKey ?? j.spec.label ?? ''} (${j.id.slice(0, 12)})`,
      account: j.account ?? UNASSIGNED,
      code: j.lastError ? `${j.lastError.code}${j.lastError.failReason ? `/${j.lastError.failReason}` : ''}` : '?',
      action: j.lastError?.action ?? '',
    }));
  const hint = meta.settleHint !== false;
  const stillOpen = open.map((o) => ({
    job: `${o.name} (${o.job.id})`,
    account: o.job.account ?? UNASSIGNED,
    why: o.why,
    settle: hint ? resolveHint(o.job.id) : 'see the TikTok app',
  }));
  const markdown = renderMarkdownReport(stats, {
    title: meta.title,
    campaignFile: meta.campaignFile,
    startedAt: meta.startedAt,
    durationMs: meta.durationMs,
    dlq,
    stillOpen,
    ...(meta.notes ? { notes: meta.notes } : {}),
  });
  await fs.mkdir(path.dirname(meta.reportFile), { recursive: true });
  await fs.writeFile(meta.reportFile, terminalSafe(markdown), 'utf8'); // people `cat` reports
  if (!quiet) {
    io.stdout.write('\n' + renderReportTable(stats));
    if (dlq.length) io.stdout.write(`\n${dlq.length} job(s) in the dead-letter queue: see \`tokpipe dlq list\`.\n`);
    if (open.length) {
      io.stdout.write(
        `\n${open.length} row(s) TikTok may have without having said so (never sent again on their own):\n`,
      );
      for (const o of open.slice(0, OPEN_ROWS_SHOWN)) io.stdout.write(`  ${o.name} (job ${o.job.id}): ${o.why}\n`);
      if (open.length > OPEN_ROWS_SHOWN)
        io.stdout.write(`  ... and ${open.length - OPEN_ROWS_SHOWN} more in the report\n`);
      if (hint) io.stdout.write(`Settle each: \`tokpipe reconcile\` looks again; ${resolveHint('JOB')}.\n`);
    }
    if (deferred) io.stdout.write(`\n${deferred}\n`);
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
    /** Init requests sent to TikTok for this row. */
    attempts: job.attempts,
    retries: job.retries,
    deferredFor: job.state === 'deferred' ? (job.deferredFor ?? 'daily_cap') : null,
    possibleFrom: job.state === 'deferred' && job.dueAt !== undefined ? new Date(job.dueAt).toISOString() : null,
    error: job.lastError
      ? {
          category: job.lastError.category,
          code: job.lastError.code,
          failReason: job.lastError.failReason ?? null,
          retryable: job.lastError.retryable,
          action: job.lastError.action,
          logId: job.lastError.logId ?? null,
          message: job.lastError.message,
        }
      : null,
  };
}
