// Opens core's Pipeline for a CLI run: the durable store (tokpipe.db), one poster per account whose
// tokens live in that store, the shared idempotency ledger, and a translation of pipeline events
// into the progress display's vocabulary.
import {
  kvTokenStore,
  Ledger,
  TOKEN_PREFIX,
  Pipeline,
  TokenManager,
  type AccountRecord,
  type KeyValueStore,
  type RateLimiter,
  type TokenStore,
  type PipelineEvent,
  type PipelineOptions,
} from '@tokpipe/core';
import { videoFileSource } from '@tokpipe/core/node';
import { SqlJobStore } from '@tokpipe/engine';
import { makePoster, refresherFor, type Runtime } from './context';
import type { StateStore } from './state';
import { followingTokenFile } from './token-source';
import type { TrackEvent } from './report';

export interface PipelineSession {
  pipeline: Pipeline;
  store: KeyValueStore;
  close(): Promise<void>;
}

/** An account's poster on `state`: its tokens (a single `tokpipe post`'s account keeps them in that post's token
 * file; on the SQL engine, the account's row, refreshed under its lock; else `tokens`, the store's), the
 * engine's shared limiter when there is one, else `limiter`. */
function posterOn(rt: Runtime, state: StateStore, account: AccountRecord, tokens: TokenStore, limiter?: RateLimiter) {
  const { engine } = state;
  const own = (id: string): TokenStore =>
    engine ? engine.tokens(id) : id === account.id ? tokens : kvTokenStore(state.store, id, TOKEN_PREFIX);
  // A single post's account follows its token file, and the account the file points at once it moved.
  const tokenStore = account.tokenLocation
    ? followingTokenFile(account.tokenLocation, own)
    : engine
      ? engine.tokens(account.id)
      : tokens;
  const auth = new TokenManager({ store: tokenStore, clock: rt.clock, refresh: refresherFor(rt) });
  return makePoster(rt, auth, state.store, engine?.limiter ?? limiter);
}

/** Posters for calls outside the pipeline's jobs (creator info, status of any publish_id), on the same tokens
 * and limiter the pipeline's own posters use. */
export function accountPosters(rt: Runtime, state: StateStore, pipeline: Pipeline) {
  return (account: AccountRecord) => posterOn(rt, state, account, pipeline.accounts.tokenStore(account.id));
}

/** The pipeline over `state` (its store; on the SQL engine also its job table, token rows and shared
 * limiter). close() must run: on PostgreSQL the job table's owner lock holds a connection. */
export async function openPipeline(
  rt: Runtime,
  state: StateStore,
  extra: Partial<PipelineOptions> = {},
): Promise<PipelineSession> {
  const { store } = state;
  const ledger = new Ledger(store, rt.clock);
  let jobStore: SqlJobStore | undefined;
  try {
    // On the SQL engine jobs have their own table; on PostgreSQL a job another process submitted
    // first is followed (its outcome reported here), never posted again.
    if (state.engine) jobStore = await SqlJobStore.open(state.engine.db);
    const pipeline = await Pipeline.open({
      ...(jobStore ? { jobStore } : {}),
      store,
      clock: rt.clock,
      ledger,
      openFile: (path) => videoFileSource(path), // checked again when posting: the file may have changed since
      // The pipeline's limiter sees each init leave (attempts = inits sent) and counts its waits; on the SQL
      // engine the shared limiter decides instead, so every process spends one budget per token.
      posterFor: (account, { tokens, limiter }) => posterOn(rt, state, account, tokens, limiter),
      ...extra,
    });
    return {
      pipeline,
      store,
      close: async () => {
        pipeline.stop();
        await jobStore?.close();
        await state.close();
      },
    };
  } catch (err) {
    await jobStore?.close();
    await state.close();
    throw err;
  }
}

/** Pipeline event → what the progress display and tracker show (null: not shown). */
export function trackEventFor(
  event: PipelineEvent,
  jobAccount: (jobId: string) => string,
  label: (jobId: string) => string,
): TrackEvent | null {
  const account = (e: { account?: string; jobId: string }): string => e.account ?? jobAccount(e.jobId);
  switch (event.type) {
    case 'job_queued':
      return { kind: 'queued', account: event.job.account ?? '(router)', job: label(event.job.id) };
    case 'attempt_started':
      return { kind: 'started', account: event.account, job: label(event.jobId) };
    case 'job_published':
      return {
        kind: 'published',
        account: account(event),
        job: label(event.jobId),
        elapsedMs: event.timeToPublishMs,
        ...(event.postIds.length ? { detail: `post ${event.postIds.join(', ')}` } : {}),
      };
    case 'job_delivered':
      return { kind: 'inbox', account: account(event), job: label(event.jobId), elapsedMs: event.timeToPublishMs };
    case 'retry_scheduled':
      return {
        kind: 'retry',
        account: account(event),
        job: label(event.jobId),
        detail: event.reason === 'repost' ? `${event.code}, re-posting` : event.code,
      };
    case 'rate_limit_wait':
      return { kind: 'rate_wait', account: account(event), job: label(event.jobId), detail: event.code };
    case 'job_deferred':
      return {
        kind: 'deferred',
        account: event.account,
        job: label(event.jobId),
        detail: `daily cap used up; can post from ${isoMinute(event.until)}`,
      };
    case 'job_unconfirmed':
    case 'job_unknown_outcome':
      return {
        kind: 'unconfirmed',
        account: account(event),
        job: label(event.jobId),
        detail: unconfirmedDetail(event),
      };
    case 'job_dead_lettered':
      return {
        kind: 'dead_lettered',
        account: account(event),
        job: label(event.jobId),
        detail: `${event.error.code}${event.error.failReason ? ` (${event.error.failReason})` : ''}`,
      };
    default:
      return null;
  }
}

/** An instant as a person reads it in a log: UTC, to the minute. */
export function isoMinute(ms: number): string {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

/** Why a job is open: an unknown init, TikTok's status not final yet, or its replies unreadable (said so). */
function unconfirmedDetail(event: Extract<PipelineEvent, { type: 'job_unconfirmed' | 'job_unknown_outcome' }>): string {
  if (event.type === 'job_unknown_outcome') return 'init outcome unknown';
  return event.error ? `no readable status (${event.error.code})` : 'no final status yet';
}
