// `tokpipe demo --console`: after the campaign, the web console on the demo's own state (its pipeline,
// recorded timelines and the sandbox's posts) until Ctrl-C. The one-time admin key is printed once;
// only its sha256 is kept for the login check.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  pipelineResolve,
  sandboxViewOf,
  startConsole,
  type DeliveriesSource,
  type DeliveryRow,
} from '@tokpipe/console';
import {
  type Clock,
  type WebhookEvent,
  pipelineService,
  rememberSecret,
  TokenManager,
  type AccountRecord,
  type Pipeline,
  type TimelineSource,
} from '@tokpipe/core';
import type { Sandbox } from '@tokpipe/sandbox';
import { makePoster, refresherFor, type Runtime } from './context';
import type { CliIO } from './io';
import type { PipelineSession } from './pipeline-session';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export interface DemoConsoleInput {
  rt: Runtime;
  session: PipelineSession;
  sandbox: Sandbox;
  timelines: TimelineSource;
  /** tokpipe account id of each sandbox user. */
  accountOfOpenId: (openId: string) => string | undefined;
  /** The demo's webhook intake (events in). */
  deliveries: DeliveriesSource;
}

/** The demo's webhook receiver as the console's "events in": each delivery accepted or refused, newest
 * first, the last `max` kept. */
export function webhookLog(
  clock: Pick<Clock, 'now'>,
  accountOfOpenId: (openId: string) => string | undefined,
  max = 500,
): { source: DeliveriesSource; accepted(event: WebhookEvent): void; refused(problem: string): void } {
  const rows: DeliveryRow[] = [];
  let seq = 0;
  const add = (row: Omit<DeliveryRow, 'id' | 'direction' | 'at' | 'target'>): void => {
    rows.unshift({ id: `in-${++seq}`, direction: 'in', at: clock.now(), target: 'sandbox TikTok', ...row });
    rows.length = Math.min(rows.length, max);
  };
  return {
    source: { list: async ({ limit } = {}) => rows.slice(0, limit ?? rows.length) },
    accepted: (event) => add({ event: event.rawEvent, state: 'ok', account: accountOfOpenId(event.openId) }),
    refused: (problem) => add({ event: 'problem', state: 'failed', error: problem }),
  };
}

/** Serves the console until the user interrupts; resolves when it is closed. */
export async function runDemoConsole(io: CliIO, input: DemoConsoleInput, port = 0): Promise<void> {
  const { rt, session, sandbox } = input;
  const pipeline: Pipeline = session.pipeline;
  const service = pipelineService({
    pipeline,
    clock: rt.clock,
    timelines: input.timelines,
    posterFor: (account: AccountRecord) =>
      makePoster(
        rt,
        new TokenManager({
          store: pipeline.accounts.tokenStore(account.id),
          clock: rt.clock,
          refresh: refresherFor(rt),
        }),
        session.store,
      ),
  });
  const key = `tpk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('hex')}`;
  const keyHash = sha256(key);
  const running = await startConsole({
    service,
    clock: rt.clock,
    port,
    verifyApiKey: (presented) => (timingSafeEqual(sha256(presented), keyHash) ? { scope: 'admin' } : undefined),
    sandbox: sandboxViewOf(sandbox.admin, input.accountOfOpenId),
    resolve: pipelineResolve(pipeline),
    deliveries: input.deliveries,
  });
  // Replays from the console need the pipeline running (the campaign run stopped waiting, not the pipeline).
  await pipeline.start();
  io.stdout.write(
    `\nconsole: ${running.url}\n` +
      `  log in with this one-time admin key (for this local demo only; it ends with the demo):\n  ${key}\n` +
      '  Ctrl-C stops the demo.\n',
  );
  rememberSecret(key); // printed once above, scrubbed from everything else from now on
  try {
    await io.interrupted;
  } finally {
    await running.close();
  }
}
