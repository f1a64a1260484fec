// `tokpipe demo` (what `npm start` runs): a sandbox TikTok in this process on a fast clock with the
// flaky fault profile, a handful of demo accounts, the example campaign through the real pipeline,
// live progress, a reconciliation pass, and the report. Nothing to configure.
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recordTimelines } from '@tokpipe/core';
import { startSandbox } from '@tokpipe/sandbox';
import { UsageError } from '../args';
import { runDemoConsole, webhookLog } from '../demo-console';
import { checkEntries, displayPath, entryToSpec, watchJobs, writeReports } from '../campaign/run';
import { runtime } from '../context';
import { fileState } from '../state';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import { openPipeline } from '../pipeline-session';
import { startReceiver, type Receiver } from '../webhook-receiver';
import type { Command } from '../main';
import { campaignUsageError, loadCampaign } from './campaign';

/** Real ms per virtual ms: a virtual minute of rate-limit window or backoff takes 6 s. */
const DEMO_TIME_SCALE = 0.1;

/** Reconciliation passes after the campaign, a virtual minute apart. */
const RECONCILE_PASSES = 2;
const RECONCILE_PAUSE_MS = 60_000;

const DEMO_ACCOUNTS: Array<{ id: string; region: string; nickname: string }> = [
  { id: 'north-studio', region: 'EU', nickname: 'North Studio' },
  { id: 'south-studio', region: 'EU', nickname: 'South Studio' },
  { id: 'eu-brand', region: 'EU', nickname: 'EU Brand' },
  { id: 'us-brand', region: 'US', nickname: 'US Brand' },
];

/** examples/campaign.csv at the repository root, found from wherever the build output lives. */
function findExampleCampaign(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'examples', 'campaign.csv');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The closing word on rows still open. The demo's sandbox TikTok and its store are gone once it ends,
 * so it must not send the user to `tokpipe reconcile` for them: that advice is for real runs. */
export function openJobsNote(stillOpen: number): string {
  return (
    `${stillOpen} row(s) are still open: TikTok may or may not have the post, so tokpipe does not post them again ` +
    "(each is listed above with why). The demo's sandbox TikTok and its state end with the demo, so nothing is left " +
    'to check here; in a real run `tokpipe reconcile` (same folder or --store) keeps checking such rows and ' +
    '`tokpipe resolve` settles a row by hand.'
  );
}

export const demo: Command = {
  path: ['demo'],
  spec: {
    usage: 'tokpipe demo [--campaign FILE] [--report PATH] [--seed N] [--console]',
    flags: {
      campaign: { kind: 'string', description: 'campaign to run (default examples/campaign.csv)' },
      report: { kind: 'string', description: 'markdown report (default .tokpipe/demo-report.md)' },
      seed: { kind: 'integer', min: 0, description: 'sandbox fault dice seed (default 7)' },
      console: {
        kind: 'boolean',
        description: "then keep a web console open on the demo's data (prints its URL and a one-time key)",
      },
    },
  },
  async run(args, io) {
    // TOKPIPE_TIME_SCALE still wins (tests run the demo faster); otherwise the demo's own pace.
    const env = readEnv({ ...io.env, TOKPIPE_TIME_SCALE: io.env.TOKPIPE_TIME_SCALE || String(DEMO_TIME_SCALE) });
    const campaignFile =
      typeof args.flags.campaign === 'string'
        ? path.resolve(io.cwd, args.flags.campaign)
        : (findExampleCampaign(io.cwd) ?? findExampleCampaign(__dirname));
    if (!campaignFile) throw new UsageError('cannot find examples/campaign.csv; pass --campaign FILE', '--campaign');
    const entries = await loadCampaign(campaignFile).catch(campaignUsageError);
    const reportFile = path.resolve(
      io.cwd,
      typeof args.flags.report === 'string' ? args.flags.report : '.tokpipe/demo-report.md',
    );

    const rtBase = runtime(env);
    // One clock for both sides: the sandbox's virtual time is the pipeline's virtual time.
    const sandbox = await startSandbox({
      clock: { now: () => rtBase.clock.now() },
      faults: 'flaky',
      seed: (args.flags.seed as number | undefined) ?? 7,
      config: { verifiedDomains: ['tokpipe.example'] },
    });
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-demo-'));
    try {
      const creds = sandbox.admin.demo();
      const rt = runtime({
        ...env,
        baseUrl: sandbox.url,
        clientKey: creds.clientKey,
        clientSecret: creds.clientSecret,
      });
      rt.clock = rtBase.clock;
      // Scratch state of its own: never the user's store or database.
      const session = await openPipeline(rt, fileState(path.join(scratch, 'demo.db')));
      let receiver: Receiver | undefined;
      try {
        const { pipeline } = session;
        // The console's post timelines are recorded from the first event on.
        const timelines = args.flags.console === true ? recordTimelines(pipeline) : undefined;
        const openIds = new Map<string, string>();
        const webhooks = timelines ? webhookLog(rt.clock, (openId) => openIds.get(openId)) : undefined;
        // TikTok's webhooks reach the pipeline too: they settle posts whose init reply was lost, which
        // the public video list cannot show (photo posts, drafts, non-public posts).
        receiver = await startReceiver({
          port: 0,
          portFlag: '--webhook-port',
          secret: creds.clientSecret,
          // The demo's sandbox signs with the demo's fast clock (both live in this process), so its
          // replay window is measured on that clock; a real receiver uses wall time.
          wallClock: rt.clock,
          toleranceSec: 300,
          onEvent: async (event) => {
            webhooks?.accepted(event);
            await pipeline.handleWebhook(event);
          },
          onProblem: (problem) => webhooks?.refused(problem),
        });
        sandbox.admin.setConfig({ webhookUrl: receiver.url });
        io.stdout.write(
          `tokpipe demo: a sandbox TikTok at ${sandbox.url} (flaky: 5xx, resets, 429s, failed publishes), time x${Math.round(1 / env.timeScale)}\n`,
        );
        for (const account of DEMO_ACCOUNTS) {
          const user = sandbox.admin.createUser({
            username: account.id.replace(/-/g, '_'),
            nickname: account.nickname,
          });
          const token = sandbox.admin.issueToken(user.openId);
          openIds.set(user.openId, account.id);
          await pipeline.accounts.add({
            id: account.id,
            region: account.region,
            token: {
              access_token: token.accessToken,
              refresh_token: token.refreshToken,
              expires_at: rt.clock.now() + token.expiresIn * 1000,
              refresh_expires_at: rt.clock.now() + token.refreshExpiresIn * 1000,
              scope: token.scope,
              open_id: token.openId,
            },
          });
        }
        io.stdout.write(
          `${DEMO_ACCOUNTS.length} accounts: ${DEMO_ACCOUNTS.map((a) => `${a.id} (${a.region})`).join(', ')}\n`,
        );
        io.stdout.write(`campaign: ${displayPath(campaignFile, io.cwd)}, ${entries.length} posts\n\n`);
        await checkEntries(campaignFile, entries, pipeline).catch(campaignUsageError);

        const startedAt = new Date();
        const started = rt.clock.now();
        const submitted = await pipeline.submitMany(entries.map(entryToSpec));
        const ids = new Set(submitted.map((s) => s.job.id));
        const live = io.stdout.isTTY === true;
        await watchJobs(pipeline, ids, io, { live, quiet: false });
        // Jobs whose outcome is not known yet (a reset after init, no final status in time) are what
        // reconciliation is for: a couple of passes now instead of waiting for the 15-minute timer.
        const parkedNow = () =>
          pipeline.listJobs().filter((j) => ids.has(j.id) && (j.state === 'unconfirmed' || j.state === 'unknown'));
        for (let pass = 1; pass <= RECONCILE_PASSES && parkedNow().length > 0; pass++) {
          const count = parkedNow().length;
          io.stdout.write(`\nreconciliation pass ${pass}: ${count} job(s) whose outcome is not known yet\n`);
          await watchJobs(pipeline, ids, io, { live, quiet: false }, async (note) => {
            if (pass > 1) await rt.clock.sleep(RECONCILE_PAUSE_MS); // give TikTok time to finish moderation
            const result = await pipeline.reconcileOnce();
            note(`reconciliation checked ${result.checked}, settled ${result.resolved}`);
          });
        }
        const jobs = pipeline.listJobs().filter((j) => ids.has(j.id));
        const stillOpen = jobs.filter((j) => j.state === 'unknown' || j.state === 'unconfirmed').length;
        const deferred = jobs.filter((j) => j.state === 'deferred').length;
        // What the flaky sandbox threw at the pipeline, and what it holds now: the proof of "never twice".
        const faults = new Map<string, number>();
        for (const r of sandbox.admin.requests())
          if (r.fault && r.fault !== 'none') faults.set(r.fault, (faults.get(r.fault) ?? 0) + 1);
        const faultText = [...faults].map(([kind, n]) => `${kind} ×${n}`).join(', ') || 'none this time';
        const livePosts = sandbox.admin.posts().filter((p) => p.status !== 'FAILED').length;
        const done = jobs.filter((j) => j.state === 'published' || j.state === 'delivered').length;
        io.stdout.write(`\nfaults injected by the sandbox: ${faultText}\n`);
        const fromLostReplies = livePosts - done;
        const tally =
          `TikTok now holds ${livePosts} live posts for ${jobs.length} rows: ${done} confirmed` +
          (fromLostReplies > 0
            ? `, ${fromLostReplies} made by an init whose reply was lost (that row stays unconfirmed and is never sent again)`
            : '');
        io.stdout.write(tally + '\n');
        if (fromLostReplies > stillOpen)
          io.stdout.write('WARNING: more live posts than rows can explain: something was posted twice\n');
        await writeReports(
          jobs,
          io,
          {
            title: 'tokpipe demo',
            campaignFile: displayPath(campaignFile, io.cwd),
            reportFile,
            startedAt,
            durationMs: rt.clock.now() - started,
            explain: (job) => pipeline.explain(job),
            settleHint: false,
            notes: [
              `Sandbox TikTok with the flaky fault profile: ${sandbox.admin.requests().length} requests; faults injected: ${faultText}.`,
              `${tally}.`,
              ...(stillOpen
                ? [openJobsNote(stillOpen)]
                : [
                    `Every row is settled: ${done} confirmed on TikTok, the others in the dead-letter queue with the reason.`,
                  ]),
              ...(deferred
                ? [`${deferred} row(s) wait for a daily cap or their publish time: nothing was sent for them.`]
                : []),
              'Durations are virtual (the demo runs on a fast clock).',
            ],
          },
          false,
        );
        if (timelines && webhooks) {
          const accountOfOpenId = (openId: string) => openIds.get(openId);
          await runDemoConsole(io, { rt, session, sandbox, timelines, accountOfOpenId, deliveries: webhooks.source });
          timelines.stop();
        }
        return EXIT.ok;
      } finally {
        await receiver?.close();
        await session.close();
      }
    } finally {
      await sandbox.close();
      await fs.rm(scratch, { recursive: true, force: true });
    }
  },
};
