// `tokpipe campaign submit FILE` queues a campaign on the shared engine; `tokpipe worker` posts what is
// queued. N workers (processes, machines) on one DATABASE_URL share the work: each account is posted
// by one worker at a time, every worker sees the same rate-limit budget and token row.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { attemptKeyFor, jobPostRequest, newJob } from '@tokpipe/core';
import { openDb, runWorkerProcess, startBoss, stateLocation, submitPosts, type PostJob } from '@tokpipe/engine';
import { UsageError } from '../args';
import { requireClientCredentials, readEnv } from '../env';
import { EXIT } from '../outcome';
import { runtime } from '../context';
import { databaseFlag } from '../state';
import { campaignUsageError, loadCampaign } from './campaign';
import type { Command } from '../main';
import type { CampaignEntry } from '../campaign/parse';
import { entryToSpec } from '../campaign/run';

const concurrencyFlag = {
  concurrency: {
    kind: 'integer' as const,
    min: 1,
    max: 64,
    description: 'accounts posted in parallel by this worker (default 4)',
  },
};

/** PostgreSQL when given, else the embedded database every other command uses (a `tokpipe worker` there
 * serves the others as their owner, or runs as a client of the process that owns it). */
function engineTarget(
  flags: { database?: unknown; store?: unknown },
  env: Record<string, string | undefined>,
  cwd: string,
): { databaseUrl?: string; dataDir?: string } {
  const where = stateLocation({ ...flags, env, cwd });
  return where.databaseUrl ? { databaseUrl: where.databaseUrl } : { dataDir: where.dataDir };
}

/** A queued row: URL media only (a worker on another machine cannot read this machine's files). Its id
 * and ledger key are core's, the ones `campaign run` gives the same row: a row sent both ways meets one
 * ledger entry and is posted once. */
async function toJob(entry: CampaignEntry, now: number): Promise<PostJob> {
  if (!entry.account)
    throw new UsageError(`${entry.where}: account is required for a queued campaign (workers do not route)`, 'account');
  if (entry.media.type === 'video_file')
    throw new UsageError(`${entry.where}: video_file cannot be queued for workers; use video_url`, 'video_file');
  const spec = entryToSpec(entry);
  const job = newJob(spec, 0, now);
  job.attemptKey = attemptKeyFor(job.id, entry.account);
  return { id: job.id, account: entry.account, request: await jobPostRequest(job, undefined), spec };
}

/** The id a row was queued under before ids came from core (file name, account and request, in this
 * order): such a row is already queued, with its own ledger key, and is not queued again. */
function legacyJobId(entry: CampaignEntry, file: string): string {
  const request = {
    mode: entry.mode,
    media:
      entry.media.type === 'video_url'
        ? { type: 'video_url', url: entry.media.url }
        : { type: 'photo_urls', urls: (entry.media as { urls: string[] }).urls },
    ...(entry.title !== undefined ? { title: entry.title } : {}),
    ...(entry.description !== undefined ? { description: entry.description } : {}),
    ...(entry.privacyLevel ? { privacyLevel: entry.privacyLevel } : {}),
    ...(entry.idempotencyKey ? { idempotencyKey: entry.idempotencyKey } : {}),
  };
  const basis = entry.idempotencyKey
    ? `key:${entry.idempotencyKey}`
    : JSON.stringify([path.basename(file), entry.account, request]);
  return `job_${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

export const campaignSubmit: Command = {
  path: ['campaign', 'submit'],
  spec: {
    usage: 'tokpipe campaign submit FILE [--database URL] [--json]',
    flags: { ...databaseFlag, json: { kind: 'boolean', description: 'print one JSON object' } },
    positionals: [{ name: 'FILE', required: true }],
  },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    const file = path.resolve(io.cwd, args.positionals.FILE!);
    const entries = await loadCampaign(file).catch(campaignUsageError);
    const now = rt.clock.now();
    const built = await Promise.all(entries.map((e) => toJob(e, now))); // every row checked before anything is queued
    const db = await openDb({ ...engineTarget(args.flags, io.env, io.cwd), max: 2 });
    try {
      const legacy = entries.map((e) => legacyJobId(e, file));
      const { rows } = await db.query<{ id: string }>('SELECT id FROM tokpipe.jobs WHERE id = ANY($1)', [legacy]);
      const queuedBefore = new Set(rows.map((r) => r.id));
      const jobs = built.filter((_, i) => !queuedBefore.has(legacy[i]!));
      const boss = await startBoss(db, { supervise: false });
      const submitted = await submitPosts(db, boss, jobs, now);
      const result = { created: submitted.created, existing: built.length - submitted.created };
      await boss.stop({ graceful: false, close: false });
      if (args.flags.json === true)
        io.stdout.write(JSON.stringify({ file, ...result, jobs: built.map((j) => j.id) }) + '\n');
      else
        io.stdout.write(
          `${result.created} row(s) queued, ${result.existing} already known; start workers with \`tokpipe worker\`\n`,
        );
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
};

export const worker: Command = {
  path: ['worker'],
  spec: { usage: 'tokpipe worker [--database URL] [--concurrency N]', flags: { ...databaseFlag, ...concurrencyFlag } },
  async run(args, io) {
    const env = readEnv(io.env);
    const creds = requireClientCredentials(env, 'to refresh access tokens');
    const rt = runtime(env);
    await runWorkerProcess(
      {
        ...engineTarget(args.flags, io.env, io.cwd),
        baseUrl: env.baseUrl,
        ...creds,
        concurrency: args.flags.concurrency as number | undefined,
        requestTimeoutMs: env.requestTimeoutMs,
      },
      { log: (line) => io.stderr.write(line + '\n'), transport: rt.transport, clock: rt.clock },
    );
    return EXIT.ok;
  },
};
