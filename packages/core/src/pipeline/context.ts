// What every part of the pipeline shares: settings, clock, the job table, accounts, caps, the event
// bus, background tasks and "is everything settled", plus the parts themselves, wired once by
// Pipeline. A part reaches another through here (type imports only, so no import cycles at run time).
import type { Clock, Logger, Random } from '../ports';
import { redact } from '../redact';
import type { AccountRegistry } from './accounts';
import { ErrorRateMonitor, type AttemptResult } from './alerts';
import type { AttemptRunner } from './attempt';
import { CapTracker } from './caps';
import type { DeadLettering } from './dead-lettering';
import type { DeadLetterStore } from './dlq';
import type { Failures } from './failures';
import type { Follower } from './follow';
import type { JobTable } from './jobs';
import type { PipelineOptions, PipelineSettings } from './options';
import type { Reconciler } from './reconcile';
import type { Router } from './router';
import type { Scheduler } from './scheduler';
import type { StatusTracker } from './tracking';
import type { Resolver } from './resolve';
import type { WebhookInbox } from './webhook-inbox';
import type { AccountRecord, Alert, PipelineEvent } from './types';

export interface PipelineParts {
  scheduler: Scheduler;
  router: Router;
  attempts: AttemptRunner;
  failures: Failures;
  tracker: StatusTracker;
  reconciler: Reconciler;
  deadLettering: DeadLettering;
  resolver: Resolver;
  webhookInbox: WebhookInbox;
  follower: Follower;
}

export class PipelineContext {
  stopped = false;
  readonly caps = new CapTracker();
  readonly monitor: ErrorRateMonitor;
  /** Limiter waits not tied to a job (status polls, video list), per account. */
  readonly accountWaits = new Map<string, number>();
  /** Set by Pipeline right after construction. */
  parts!: PipelineParts;
  private readonly listeners = new Set<(event: PipelineEvent) => void>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly settleWaiters: Array<() => void> = [];

  constructor(
    readonly options: PipelineOptions,
    readonly settings: PipelineSettings,
    readonly clock: Clock,
    readonly random: Random,
    readonly log: Logger,
    readonly accounts: AccountRegistry,
    readonly jobs: JobTable,
    readonly dlqStore: DeadLetterStore,
  ) {
    this.monitor = new ErrorRateMonitor(settings.alerts);
  }

  // ---------------------------------------------------------------- events

  on(listener: (event: PipelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: PipelineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log('warn', `event listener failed: ${safeMessage(err)}`);
      }
    }
  }

  async setAccountStatus(id: string, status: AccountRecord['status'], reason?: string): Promise<void> {
    const before = this.accounts.get(id);
    if (!before || (before.status === status && before.statusReason === reason)) return;
    await this.accounts.setStatus(id, status, reason);
    this.emit({ type: 'account_status', at: this.clock.now(), account: id, status, reason });
    this.log(status === 'active' ? 'info' : 'warn', `account ${id} is now ${status}${reason ? `: ${reason}` : ''}`);
  }

  recordAlerts(account: string, result: AttemptResult, code: string | undefined): void {
    for (const alert of this.monitor.record(account, result, code, this.clock.now())) this.raise(alert);
  }

  /** An alert: as an event, a log line, and a POST to alerts.webhookUrl when configured. */
  raise(alert: Alert): void {
    this.emit({ type: 'alert', at: this.clock.now(), alert });
    this.log('warn', `alert ${alert.kind}: ${alert.message}`, { ...alert });
    const { webhookUrl, transport } = this.options.alerts ?? {};
    if (!webhookUrl || !transport) return;
    const body = JSON.stringify({ source: 'tokpipe', at: new Date(this.clock.now()).toISOString(), ...alert });
    this.spawn(async () => {
      try {
        const headers = { 'content-type': 'application/json' };
        const res = await transport({ method: 'POST', url: webhookUrl, headers, body, timeoutMs: 10_000 });
        if (res.status >= 300) this.log('warn', `alert webhook answered HTTP ${res.status}`);
      } catch (err) {
        this.log('warn', `alert webhook failed: ${safeMessage(err)}`);
      }
    });
  }

  // ---------------------------------------------------------------- background work and settling

  /** Runs work in the background; drain() waits for it. */
  spawn(work: () => Promise<void>): void {
    const task: Promise<void> = work()
      .catch((err: unknown) => this.log('error', `pipeline task failed: ${safeMessage(err)}`))
      .finally(() => {
        this.tasks.delete(task);
        this.checkSettled();
      });
    this.tasks.add(task);
  }

  /** Waits until no background task is left (shutdown). */
  async tasksDone(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  isSettled(): boolean {
    return this.tasks.size === 0 && this.jobs.unsettledCount === 0;
  }

  waitSettled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise<void>((resolve) => this.settleWaiters.push(resolve));
  }

  checkSettled(): void {
    if (this.settleWaiters.length === 0 || !this.isSettled()) return;
    for (const resolve of this.settleWaiters.splice(0)) resolve();
  }
}

export function safeMessage(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}
