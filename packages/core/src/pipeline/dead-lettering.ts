// Putting a job in the dead-letter queue, and taking it out again (replay) as a new post attempt.
import { inputError } from '../errors/classify';
import { replayRefusal } from './dlq';
import type { ErrorDetails } from '../errors/types';
import type { PipelineContext } from './context';
import type { Job } from './types';

export class DeadLettering {
  constructor(private readonly ctx: PipelineContext) {}

  async put(job: Job, error: ErrorDetails): Promise<void> {
    const { ctx } = this;
    ctx.parts.scheduler.unqueue(job);
    job.state = 'dead';
    job.lastError = error;
    job.completedAt = ctx.clock.now();
    await ctx.dlqStore.put({
      jobId: job.id,
      account: job.account,
      spec: job.spec,
      error,
      at: ctx.clock.now(),
      attempts: job.attempts,
      publishId: job.publishId,
      label: job.spec.label,
    });
    await ctx.jobs.save(job);
    ctx.emit({ type: 'job_dead_lettered', at: ctx.clock.now(), jobId: job.id, account: job.account, error });
    ctx.log(
      'error',
      `job ${job.id}${job.account ? ` on ${job.account}` : ''} dead-lettered: ${error.code} (${error.disposition}): ${error.message}`,
      { jobId: job.id, code: error.code, logId: error.logId },
    );
    ctx.checkSettled();
  }

  /** Puts a dead job back in its queue as a new post attempt. An unknown outcome may already be
   * on TikTok: it is replayed only with `force` (after a person checked the account). */
  async replay(jobId: string, options: { account?: string; force?: boolean } = {}): Promise<Job> {
    const { ctx } = this;
    const entry = await ctx.dlqStore.get(jobId);
    const job = ctx.jobs.get(jobId);
    if (!entry || !job || job.state !== 'dead') throw inputError('jobId', `no dead-lettered job ${jobId}`);
    const refused = replayRefusal(entry, options.force);
    if (refused) throw refused;
    if (options.account !== undefined && !ctx.accounts.get(options.account)) {
      throw inputError('account', `no account ${options.account}`);
    }
    job.spec = options.account !== undefined ? { ...job.spec, account: options.account } : job.spec;
    job.account = job.spec.account;
    job.state = 'queued';
    job.generation++;
    job.retries = 0;
    job.refusedBy = [];
    job.publishId = undefined;
    job.status = undefined;
    job.lastError = undefined;
    job.reconcileNote = undefined;
    await ctx.jobs.save(job);
    await ctx.dlqStore.remove(jobId);
    ctx.emit({ type: 'job_requeued', at: ctx.clock.now(), jobId, reason: 'replayed from the dead-letter queue' });
    ctx.parts.scheduler.enqueue(job);
    ctx.parts.scheduler.dispatch();
    return job;
  }
}
