// Two servers on one real PostgreSQL posting through the shared queue (queuePosts), and a pg-boss worker
// that posts on the sandbox: server A holds the account (its sandbox, its clock), server B only shares
// the database. The rig of the queue tests.
import { pipelineService, type PostingService } from '@tokpipe/core';
import { axiosTransport, systemClock } from '@tokpipe/core/node';
import {
  openState,
  startBoss,
  startWorker,
  type BossOptions,
  type EngineState,
  type RunningWorker,
} from '@tokpipe/engine';
import type PgBoss from 'pg-boss';
import { createPostgresDatabase, type TestDatabase } from '../../engine/test/databases';
import { trackDb } from '../../engine/test/world';
import { queuePosts } from '../src';
import { startRig, type Rig } from './helpers';

export interface QueueRig {
  /** Server A (holds the account), server B (shares the database only). */
  servers: [Rig, Rig];
  /** Every state the rig opened; the first is server A's. */
  states: EngineState[];
  close(): Promise<void>;
}

export async function startQueueRig(bossOptions: BossOptions = {}): Promise<QueueRig> {
  const database: TestDatabase = await createPostgresDatabase();
  const states: EngineState[] = [];
  const rigs: Rig[] = [];
  let boss: PgBoss | undefined;
  let worker: RunningWorker | undefined;
  const open = async () => {
    const state = await openState({
      databaseUrl: database.url,
      dataDir: '/nonexistent',
      storeFile: '/nonexistent',
      clock: systemClock(),
    });
    states.push(state);
    return state;
  };
  const close = async () => {
    await worker?.stop();
    await boss?.stop({ graceful: false, close: false });
    for (const rig of rigs) await rig.close();
    for (const state of states) await state.close();
    await database.drop();
  };
  try {
    const [a, b] = [await open(), await open()];
    const started = await startBoss(a.db, { ...bossOptions, supervise: false });
    boss = started;
    for (const [state, accounts] of [
      [a, [{ id: 'brand' }]],
      [b, []],
    ] as const)
      rigs.push(
        await startRig({
          store: state.store,
          accounts: [...accounts],
          server: (h) => ({
            posts: queuePosts({
              db: trackDb(state.db, h.clock),
              boss: started,
              clock: h.clock,
              pipeline: h.pipeline,
              // The rig's worker's sweep (started below), as `tokpipe serve` gives its own.
              reconcile: () => worker!.reconcile(),
            }),
          }),
        }),
      );
    const h = rigs[0]!.h;
    const demo = h.sb.admin.demo();
    worker = await startWorker({
      db: trackDb((await open()).db, h.clock),
      clock: h.clock,
      transport: h.clock.trackTransport(axiosTransport()),
      baseUrl: h.sb.url,
      clientKey: demo.clientKey,
      clientSecret: demo.clientSecret,
      requestTimeoutMs: 3_000,
      boss: bossOptions,
    });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { servers: rigs as [Rig, Rig], states, close };
}

/** The service MCP and the console use on `tokpipe serve`, as serve.ts builds it (on the server's post backend). */
export const serviceOf = (rig: Rig): PostingService =>
  pipelineService({
    pipeline: rig.h.pipeline,
    clock: rig.h.clock,
    jobs: rig.server.context.jobs,
    timelines: rig.server.context.timelines,
    posterFor: () => {
      throw new Error('not used here');
    },
  });
