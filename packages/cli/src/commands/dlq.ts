// `tokpipe dlq list|show|replay` and `tokpipe reconcile`. The dead-letter queue is the pipeline's and,
// on the SQL engine (DATABASE_URL or the embedded database), the shared queue's dead jobs (`campaign
// submit` + `tokpipe worker`, `tokpipe serve` on PostgreSQL): a queue job is replayed on the queue.
import { DeadLetterQueue, type Clock, type DeadLetter } from '@tokpipe/core';
import { getDeadJob, listDeadJobs, replayDeadJob, startBoss } from '@tokpipe/engine';
import { runtime } from '../context';
import { databaseFlag, STORE_HELP, openState, type StateStore } from '../state';
import { readEnv } from '../env';
import { UsageError } from '../args';
import { EXIT } from '../outcome';
import { openPipeline } from '../pipeline-session';
import { renderTable } from '../report';
import { exitCodeForJobs, jobSummary, watchJobs } from '../campaign/run';
import { resolveHint } from './resolve';
import type { Command } from '../main';

const storeFlag = {
  store: { kind: 'string' as const, description: STORE_HELP },
  ...databaseFlag,
};
const jsonFlag = { json: { kind: 'boolean' as const, description: 'print JSON' } };

/** The pipeline's dead letters and the shared queue's dead jobs, oldest first. */
async function deadLetters(state: StateStore, clock: Clock): Promise<DeadLetter[]> {
  const queued = state.engine ? await listDeadJobs(state.engine.db, clock) : [];
  return [...(await new DeadLetterQueue(state.store).list()), ...queued].sort((a, b) => a.at - b.at);
}

async function deadLetter(state: StateStore, clock: Clock, jobId: string): Promise<DeadLetter | undefined> {
  const entry = await new DeadLetterQueue(state.store).get(jobId);
  return entry ?? (state.engine ? getDeadJob(state.engine.db, clock, jobId) : undefined);
}

export const dlqList: Command = {
  path: ['dlq', 'list'],
  spec: { usage: 'tokpipe dlq list [--json] [--store PATH]', flags: { ...storeFlag, ...jsonFlag } },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    // Read-only: the DLQ alone, so looking never resumes queued jobs.
    const state = await openState(rt, args.flags, io);
    try {
      const entries = await deadLetters(state, rt.clock);
      if (args.flags.json === true) io.stdout.write(JSON.stringify(entries) + '\n');
      else if (entries.length === 0) io.stdout.write('the dead-letter queue is empty\n');
      else
        io.stdout.write(
          renderTable(
            ['job', 'label', 'account', 'code', 'category', 'what to do'],
            entries.map((e) => [
              e.jobId,
              e.spec.idempotencyKey ?? e.spec.label ?? '',
              e.account ?? '-',
              `${e.error.code}${e.error.failReason ? `/${e.error.failReason}` : ''}`,
              e.error.category,
              e.error.action,
            ]),
          ),
        );
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

export const dlqShow: Command = {
  path: ['dlq', 'show'],
  spec: {
    usage: 'tokpipe dlq show JOB_ID [--store PATH]',
    flags: { ...storeFlag, ...jsonFlag },
    positionals: [{ name: 'JOB_ID', required: true }],
  },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    const state = await openState(rt, args.flags, io);
    try {
      const entry = await deadLetter(state, rt.clock, args.positionals.JOB_ID!);
      if (!entry)
        throw new UsageError(
          `JOB_ID ${args.positionals.JOB_ID} is not in the dead-letter queue (see tokpipe dlq list)`,
          'JOB_ID',
        );
      // The entry is already redacted by core; pretty JSON is the most useful view for a support ticket.
      io.stdout.write(JSON.stringify(entry, null, args.flags.json === true ? undefined : 2) + '\n');
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

export const dlqReplay: Command = {
  path: ['dlq', 'replay'],
  spec: {
    usage: 'tokpipe dlq replay JOB_ID [--account NAME] [--force] [--json] [--store PATH]',
    flags: {
      account: { kind: 'string', description: 'post through another account' },
      force: { kind: 'boolean', description: 'replay an unknown outcome (only after checking it is not on TikTok)' },
      ...storeFlag,
      ...jsonFlag,
    },
    positionals: [{ name: 'JOB_ID', required: true }],
  },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    const options: { account?: string; force?: boolean } = { force: args.flags.force === true };
    if (typeof args.flags.account === 'string') options.account = args.flags.account;
    const state = await openState(rt, args.flags, io);
    const jobId = args.positionals.JOB_ID!;
    const db = state.engine?.db;
    if (db && !(await new DeadLetterQueue(state.store).get(jobId)) && (await getDeadJob(db, rt.clock, jobId))) {
      // A shared queue's job: queued again for the workers (tokpipe worker, tokpipe serve), not posted here.
      try {
        const boss = await startBoss(db, { supervise: false });
        try {
          const row = await replayDeadJob(db, boss, rt.clock, jobId, options);
          if (args.flags.json === true)
            io.stdout.write(JSON.stringify({ jobId: row.id, account: row.account, state: row.state }) + '\n');
          else io.stdout.write(`job ${row.id}: queued again on ${row.account} for the workers\n`);
          return EXIT.ok;
        } finally {
          await boss.stop({ graceful: false, close: false });
        }
      } finally {
        await state.close();
      }
    }
    const session = await openPipeline(rt, state);
    try {
      const job = await session.pipeline.dlq.replay(jobId, options);
      const json = args.flags.json === true;
      const jobs = await watchJobs(session.pipeline, new Set([job.id]), io, {
        live: io.stdout.isTTY === true,
        quiet: json,
      });
      if (json) io.stdout.write(JSON.stringify(jobSummary(jobs[0]!)) + '\n');
      else io.stdout.write(`job ${job.id}: ${jobs[0]!.state}\n`);
      return exitCodeForJobs(jobs);
    } finally {
      await session.close();
    }
  },
};

export const reconcile: Command = {
  path: ['reconcile'],
  spec: { usage: 'tokpipe reconcile [--json] [--store PATH]', flags: { ...storeFlag, ...jsonFlag } },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    const session = await openPipeline(rt, await openState(rt, args.flags, io));
    try {
      const { pipeline } = session;
      const result = await pipeline.reconcileOnce();
      await pipeline.drain();
      const open = pipeline
        .listJobs()
        .filter((j) => j.state === 'unconfirmed' || j.state === 'unknown' || j.state === 'accepted');
      if (args.flags.json === true) {
        const stillOpen = open.map((j) => ({ ...jobSummary(j), why: pipeline.explain(j) }));
        io.stdout.write(JSON.stringify({ ...result, stillOpen }) + '\n');
      } else {
        io.stdout.write(`checked ${result.checked} job(s), settled ${result.resolved}, ${open.length} still open\n`);
        // Why each one is open, in plain words, and how a person can settle it.
        for (const j of open) {
          const name = j.spec.idempotencyKey ?? j.spec.label ?? '';
          io.stdout.write(`\n${j.id}${name ? ` (${name})` : ''}: ${pipeline.explain(j)}\n  ${resolveHint(j.id)}\n`);
        }
      }
      return open.length ? EXIT.unconfirmed : EXIT.ok;
    } finally {
      await session.close();
    }
  },
};
