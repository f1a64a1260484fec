// The multi-account pipeline: durable jobs, one shard per account (its own breaker, caps and retry
// timers), a router for jobs without an account, status tracking, reconciliation, webhooks, DLQ and
// alerts. This file is the public face; README.md in this folder draws how a job moves through the
// other files. Pure logic: every wait goes through the injected Clock, every request through the
// per-account poster, every byte of state through the store ports (JobStore, DeadLetterStore).
//
// Crash safety (kill -9 at any moment, then Pipeline.open on the same store):
// - a job is persisted as 'queued' before submit() resolves;
// - 'posting' (the intent) is persisted before the poster is called, the publish_id right after;
// - a job found in 'posting' at open had an init in flight: its outcome is unknown. It is never
//   re-inited: the poster's ledger (when shared) or the account's video list decides.
import { inputError } from '../errors/classify';
import { cryptoRandom } from '../retry/policy';
import type { WebhookEvent } from '../webhooks/events';
import { AccountRegistry } from './accounts';
import { AttemptRunner } from './attempt';
import { defaultCaps } from './caps';
import { PipelineContext, safeMessage } from './context';
import { DeadLettering } from './dead-lettering';
import { DeadLetterQueue, type DeadLetter, type DeadLetterStore } from './dlq';
import { Failures } from './failures';
import { Follower } from './follow';
import { newJob, validateSpec } from './job-spec';
import { KeyValueJobStore } from './job-store';
import { JobTable } from './jobs';
import { resolveSettings, type PipelineOptions } from './options';
import { Reconciler } from './reconcile';
import { explainJob } from './explain';
import { Resolver, type AdoptInput } from './resolve';
import { WebhookInbox } from './webhook-inbox';
import { loadJobs, resumeJob } from './recovery';
import { buildReport, type AccountHealth } from './report';
import { Router } from './router';
import { Scheduler } from './scheduler';
import { StatusTracker } from './tracking';
import { terminalJobStates, type AccountReport, type Job, type JobSpec, type PipelineEvent } from './types';

export { JOB_PREFIX, KeyValueJobStore, type JobStore, type SharedJobRow, type SharedJobRows } from './job-store';
export { attemptKeyFor, jobIdFor, newJob, postFingerprint, toPostRequest as jobPostRequest } from './job-spec';
export type { PipelineOptions, PosterContext } from './options';
export type { AccountHealth } from './report';
export type { AdoptInput } from './resolve';

export class Pipeline {
  readonly accounts: AccountRegistry;
  readonly deadLetters: DeadLetterStore;
  private readonly ctx: PipelineContext;
  /** The store given to open() (the bench reads it back). */
  private readonly store: PipelineOptions['store'];
  private started?: Promise<void>;
  private reconcileLoop?: Promise<void>;

  /** Loads accounts, jobs and the DLQ from the store. Nothing runs until start() (or the first
   * submit/drain/reconcileOnce), so listeners attached right after open() see every event. */
  static async open(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options);
    await pipeline.accounts.load();
    await loadJobs(pipeline.ctx);
    const { ctx } = pipeline;
    await ctx.parts.webhookInbox.load(ctx.clock.now() - ctx.settings.reconcileWindowMs);
    return pipeline;
  }

  private constructor(options: PipelineOptions) {
    const settings = resolveSettings(options);
    this.store = options.store;
    this.accounts = new AccountRegistry(options.store, options.clock, { ...defaultCaps, ...options.defaultCaps });
    this.deadLetters = options.deadLetterStore ?? new DeadLetterQueue(options.store);
    const jobs = new JobTable(options.jobStore ?? new KeyValueJobStore(options.store));
    const log = options.logger ?? (() => undefined);
    const random = options.random ?? cryptoRandom;
    const ctx = new PipelineContext(
      options,
      settings,
      options.clock,
      random,
      log,
      this.accounts,
      jobs,
      this.deadLetters,
    );
    ctx.parts = {
      scheduler: new Scheduler(ctx),
      router: new Router(ctx),
      attempts: new AttemptRunner(ctx),
      failures: new Failures(ctx),
      tracker: new StatusTracker(ctx),
      reconciler: new Reconciler(ctx),
      deadLettering: new DeadLettering(ctx),
      resolver: new Resolver(ctx),
      webhookInbox: new WebhookInbox(options.store),
      follower: new Follower(ctx),
    };
    this.ctx = ctx;
  }

  /** Resumes every unfinished job found in the store (idempotent). In a shared store an unfinished job
   * may be another live process's: it is followed (and taken over only if that process is gone). */
  start(): Promise<void> {
    if (!this.started) {
      this.started = (async () => {
        const { ctx } = this;
        for (const job of [...ctx.jobs.values()]) {
          if (ctx.jobs.shared && !terminalJobStates.has(job.state)) ctx.parts.follower.follow(job);
          else await resumeJob(ctx, job);
        }
        this.ctx.parts.scheduler.dispatch();
      })();
    }
    return this.started;
  }

  /** Subscribes to pipeline events (live display, reports). Returns the unsubscribe function. */
  on(listener: (event: PipelineEvent) => void): () => void {
    return this.ctx.on(listener);
  }

  /** Validates every spec first (nothing is queued if one is bad), then queues them all. */
  async submitMany(specs: JobSpec[]): Promise<Array<{ job: Job; created: boolean }>> {
    specs.forEach((spec, i) => this.validate(spec, `jobs[${i}]`));
    const out: Array<{ job: Job; created: boolean }> = [];
    // Each spec object was just checked against the post schema (same limits): submit re-checks
    // only what can change in the meantime (the account), not the schema again.
    for (const spec of specs) out.push(await this.submitChecked(spec, true));
    return out;
  }

  /** Queues one post. The same spec (or the same idempotencyKey) submitted again is the same job. */
  async submit(spec: JobSpec): Promise<{ job: Job; created: boolean }> {
    return this.submitChecked(spec, false);
  }

  private async submitChecked(spec: JobSpec, schemaChecked: boolean): Promise<{ job: Job; created: boolean }> {
    const { ctx } = this;
    this.validate(spec, 'job', schemaChecked);
    await this.start();
    const job = newJob(spec, 0, ctx.clock.now());
    const existing = ctx.jobs.get(job.id);
    if (existing) return { job: existing, created: false };
    job.seq = ctx.jobs.takeSeq();
    ctx.jobs.add(job);
    const owned = await ctx.jobs.create(job);
    ctx.emit({ type: 'job_queued', at: ctx.clock.now(), job: { ...job } });
    if (!owned) {
      // Another process submitted this post first and posts it: this one reports what it does.
      ctx.parts.follower.follow(job);
      return { job, created: false };
    }
    const publishAt = spec.publishAt ? Date.parse(spec.publishAt) : undefined;
    if (publishAt !== undefined && publishAt > ctx.clock.now()) {
      // TikTok has no scheduling: the job waits (parked, persisted) until its publish time.
      job.state = 'deferred';
      job.dueAt = publishAt;
      job.deferredFor = 'publish_at';
      await ctx.jobs.save(job);
      ctx.emit({ type: 'job_scheduled', at: ctx.clock.now(), jobId: job.id, account: spec.account, until: publishAt });
      ctx.parts.scheduler.scheduleDue(job);
      return { job, created: true };
    }
    ctx.parts.scheduler.enqueue(job);
    ctx.parts.scheduler.dispatch();
    return { job, created: true };
  }

  /** Throws the input error submit() would (naming the field), without queueing anything: for a post
   * queued elsewhere (the engine's shared queue) on this pipeline's accounts. */
  check(spec: JobSpec, where = 'job'): void {
    this.validate(spec, where);
  }

  private validate(spec: JobSpec, where: string, schemaChecked = false): void {
    const context = {
      hasAccount: (id: string) => this.accounts.get(id) !== undefined,
      openFile: this.ctx.options.openFile,
    };
    validateSpec(spec, where, context, schemaChecked);
  }

  getJob(id: string): Job | undefined {
    return this.ctx.jobs.get(id);
  }

  listJobs(): Job[] {
    return [...this.ctx.jobs.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Resolves when every job is finished (published, delivered, dead) or parked (deferred by a cap,
   * unconfirmed, unknown outcome): what a campaign run waits for before printing its report. */
  async drain(): Promise<void> {
    await this.start();
    await this.ctx.waitSettled();
  }

  /** Runs reconciliation every `reconcile.everyMs` until stop(). */
  startReconciliation(): void {
    if (this.reconcileLoop) return;
    const { ctx } = this;
    this.reconcileLoop = (async () => {
      await this.start();
      while (!ctx.stopped) {
        await ctx.clock.sleep(ctx.settings.reconcileEveryMs);
        if (ctx.stopped) break;
        await this.reconcileOnce().catch((err: unknown) =>
          ctx.log('error', `reconciliation failed: ${safeMessage(err)}`),
        );
      }
    })();
  }

  /** Stops starting new work. In-flight requests finish; their results are persisted. */
  stop(): void {
    this.ctx.stopped = true;
  }

  /** stop(), then waits until every in-flight attempt has finished and been written (a graceful
   * Ctrl-C: no job is left in 'posting', so a restart has no unknown outcome to reconcile). */
  async shutdown(): Promise<void> {
    this.stop();
    await this.ctx.tasksDone();
  }

  /** Re-checks every job that is not terminal and younger than the window (72 h): publish_ids by
   * status, unknown-outcome inits by the ledger and the account's video list. */
  async reconcileOnce(): Promise<{ checked: number; resolved: number }> {
    await this.start();
    return this.ctx.parts.reconciler.once();
  }

  /** Applies a verified, parsed webhook event (see verifyTikTokSignature / parseWebhookEvent).
   * Returns true when it changed a job or an account. */
  async handleWebhook(event: WebhookEvent): Promise<boolean> {
    return this.ctx.parts.tracker.handleWebhook(event);
  }

  /** Per-account health for `tokpipe accounts health` and the router's view of the world. */
  health(): AccountHealth[] {
    const { ctx } = this;
    const now = ctx.clock.now();
    return this.accounts.list().map((a) => {
      const shard = ctx.parts.scheduler.shard(a.id);
      return {
        account: a.id,
        status: a.status,
        statusReason: a.statusReason,
        region: a.region,
        breaker: shard.breaker.state(now),
        ...(shard.breaker.state(now) === 'open' ? { breakerOpenUntil: shard.breaker.openUntil() } : {}),
        score: ctx.parts.router.score(a, now),
        remaining: { direct: ctx.caps.remaining(a, 'direct', now), draft: ctx.caps.remaining(a, 'draft', now) },
        queued: shard.ready.length,
      };
    });
  }

  /** Marks an account usable again (after re-authorizing it and saving the new token, for example). */
  async reactivateAccount(id: string): Promise<void> {
    if (!this.accounts.get(id)) throw inputError('account', `no account ${id}`);
    // The next post builds a new poster, so a token saved since is read afresh.
    this.ctx.parts.attempts.forgetPoster(id);
    await this.ctx.setAccountStatus(id, 'active');
    this.ctx.parts.scheduler.dispatch();
  }

  /** The final report, per account (from the persisted jobs, so it covers resumed runs too). */
  report(): AccountReport[] {
    return buildReport(this.accounts.list(), this.ctx.jobs.values(), this.ctx.accountWaits);
  }

  /** A job by its id, a unique prefix of it (8+ characters), its idempotency key or its label (e.g. "row 3"). */
  findJob(ref: string): Job | undefined {
    const exact = this.ctx.jobs.get(ref);
    if (exact) return exact;
    const matches = [...this.ctx.jobs.values()].filter(
      (j) => (ref.length >= 8 && j.id.startsWith(ref)) || j.spec.idempotencyKey === ref || j.spec.label === ref,
    );
    if (matches.length > 1) {
      const ids = matches.map((j) => j.id).join(', ');
      throw inputError('job', `${JSON.stringify(ref)} matches ${matches.length} jobs (${ids}): give the job id`);
    }
    return matches[0];
  }

  /** Where the job stands, in plain words (what is known, what happens next). */
  explain(job: Job): string {
    return explainJob(job, { now: this.ctx.clock.now(), reconcileWindowMs: this.ctx.settings.reconcileWindowMs });
  }

  /** Settles a job by hand: `{ postId }` when a person saw the post on TikTok, `{ notPosted: true }`
   * when they made sure it is not there (the job is forgotten, so it may be sent again). */
  async resolve(jobId: string, verdict: { postId: string } | { notPosted: true }): Promise<Job> {
    return 'postId' in verdict
      ? this.ctx.parts.resolver.posted(jobId, verdict.postId)
      : this.ctx.parts.resolver.notPosted(jobId);
  }

  /** Records a post sent outside the pipeline whose outcome is open (a single `tokpipe post`), so
   * reconcileOnce and resolve can settle it. The same post adopted again is the same job. */
  adopt(input: AdoptInput): Promise<Job> {
    return this.ctx.parts.resolver.adopt(input);
  }

  /** The DLQ API the CLI's `tokpipe dlq list|show|replay` uses. */
  readonly dlq = {
    list: (): Promise<DeadLetter[]> => this.deadLetters.list(),
    show: (jobId: string): Promise<DeadLetter | undefined> => this.deadLetters.get(jobId),
    /** Puts a dead job back in its queue as a new post attempt. An unknown outcome may already be
     * on TikTok: it is replayed only with `force` (after a person checked the account). */
    replay: (jobId: string, options: { account?: string; force?: boolean } = {}): Promise<Job> =>
      this.ctx.parts.deadLettering.replay(jobId, options),
  };
}
