// `tokpipe campaign run FILE`: every row becomes a durable pipeline job (same row = same job, so a
// re-run after a crash resumes instead of re-posting), progress is shown live, and a report closes it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_REPLAY_WINDOW_SEC, outcomeOpen, type WebhookEvent } from '@tokpipe/core';
import { recordWebhookEvent } from '@tokpipe/engine';
import { UsageError } from '../args';
import { CampaignError, parseCampaign } from '../campaign/parse';
import {
  checkEntries,
  displayPath,
  entryToSpec,
  exitCodeForJobs,
  jobSummary,
  watchJobs,
  writeReports,
} from '../campaign/run';
import { runtime } from '../context';
import { databaseFlag, STORE_HELP, openState } from '../state';
import { readEnv } from '../env';
import { openPipeline } from '../pipeline-session';
import { startReceiver, type Receiver } from '../webhook-receiver';
import type { Command } from '../main';

export const DEFAULT_REPORT_FILE = '.tokpipe/report.md';

export async function loadCampaign(file: string): Promise<ReturnType<typeof parseCampaign>> {
  const content = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      `FILE ${file} cannot be read (${err.code === 'ENOENT' ? 'no such file' : (err.code ?? 'error')})`,
      'FILE',
    );
  });
  return parseCampaign(content, file);
}

export function campaignUsageError(err: unknown): never {
  if (err instanceof CampaignError) throw new UsageError(err.message + '\nNothing was posted.', 'FILE');
  throw err;
}

export const campaignRun: Command = {
  path: ['campaign', 'run'],
  spec: {
    usage:
      'tokpipe campaign run FILE [--store PATH | --database URL] [--report PATH] [--media-dir DIR ...] [--webhook-port N] [--json]',
    flags: {
      store: { kind: 'string', description: STORE_HELP },
      ...databaseFlag,
      report: { kind: 'string', description: `markdown report file (default ${DEFAULT_REPORT_FILE})` },
      json: { kind: 'boolean', description: 'print one JSON object with every job instead of progress' },
      'media-dir': {
        kind: 'list',
        description: "a folder video_file rows may use besides the campaign file's own (links resolved)",
      },
      'webhook-port': {
        kind: 'integer',
        min: 0,
        max: 65535,
        description: 'receive TikTok webhooks on 127.0.0.1:N while running: jobs finish on events instead of polling',
      },
    },
    positionals: [{ name: 'FILE', required: true }],
  },
  async run(args, io) {
    const env = readEnv(io.env);
    const file = path.resolve(io.cwd, args.positionals.FILE!);
    const json = args.flags.json === true;
    const entries = await loadCampaign(file).catch(campaignUsageError);
    const webhookPort = args.flags['webhook-port'] as number | undefined;
    if (webhookPort !== undefined && !env.clientSecret)
      throw new UsageError(
        'TIKTOK_CLIENT_SECRET is not set (needed to verify webhooks on --webhook-port)',
        'TIKTOK_CLIENT_SECRET',
      );
    const rt = runtime(env);
    const state = await openState(rt, args.flags, io);
    const session = await openPipeline(rt, state, webhookPort !== undefined ? { webhooks: true } : {});
    // On the shared engine a (re)delivery is handled once across every receiving process.
    const firstSighting = async (event: WebhookEvent) =>
      !state.engine || (await recordWebhookEvent(state.engine.db, event, rt.clock.now()));
    let receiver: Receiver | undefined;
    try {
      const { pipeline } = session;
      if (webhookPort !== undefined) {
        receiver = await startReceiver({
          port: webhookPort,
          portFlag: '--webhook-port',
          secret: env.clientSecret!,
          toleranceSec: DEFAULT_REPLAY_WINDOW_SEC,
          onEvent: async (event) => {
            if (await firstSighting(event)) await pipeline.handleWebhook(event);
          },
          onProblem: (message) => io.stderr.write(message + '\n'),
        });
        io.stderr.write(`receiving TikTok webhooks on ${receiver.url}\n`);
      }
      const mediaDirs = ((args.flags['media-dir'] as string[] | undefined) ?? []).map((d) => path.resolve(io.cwd, d));
      await checkEntries(file, entries, pipeline, mediaDirs).catch(campaignUsageError);
      const startedAt = new Date();
      const started = rt.clock.now();
      const submitted = await pipeline.submitMany(entries.map(entryToSpec));
      const resumed = submitted.filter((s) => !s.created).length;
      if (!json && resumed)
        io.stdout.write(
          `${resumed} of ${submitted.length} rows were already known (resuming them, never posting twice)\n`,
        );
      const ids = new Set(submitted.map((s) => s.job.id));
      const jobs = await watchJobs(pipeline, ids, io, { live: io.stdout.isTTY === true, quiet: json });
      await writeReports(
        jobs,
        io,
        {
          title: `tokpipe campaign ${path.basename(file)}`,
          campaignFile: displayPath(file, io.cwd),
          reportFile: path.resolve(
            io.cwd,
            typeof args.flags.report === 'string' ? args.flags.report : DEFAULT_REPORT_FILE,
          ),
          startedAt,
          durationMs: rt.clock.now() - started,
          explain: (job) => pipeline.explain(job),
        },
        json,
      );
      // An open row says why (what is known, what happens next), for agents and workflows reading it.
      const rows = jobs.map((j) => ({ ...jobSummary(j), ...(outcomeOpen(j) ? { why: pipeline.explain(j) } : {}) }));
      if (json) io.stdout.write(JSON.stringify({ file, jobs: rows }) + '\n');
      return exitCodeForJobs(jobs);
    } finally {
      await receiver?.close();
      await session.close();
    }
  },
};
