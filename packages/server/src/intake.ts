// TikTok's webhooks in: the signature is checked on WALL time (a replay window must not stretch with a
// scaled clock), the event is stored under its unique key BEFORE the 200 (so a crash after answering
// loses nothing, and a redelivery finds it and is acknowledged only), then applied to its job.
// Events stored but not applied (a crash in between) are applied at start.
import {
  DEFAULT_REPLAY_WINDOW_SEC,
  parseWebhookEvent,
  redactText,
  verifyTikTokSignature,
  WebhookPayloadError,
  type Clock,
  type KeyValueStore,
  type Logger,
  type Pipeline,
  type WebhookEvent,
} from '@tokpipe/core';
import { HttpProblem } from './problem';
import { createOnce, PREFIXES, readJson } from './state';

export interface StoredWebhookEvent {
  raw: string;
  receivedAt: number;
  processedAt?: number;
  /** False when no job of this server holds the publish_id. */
  matched?: boolean;
}

export interface IntakeOptions {
  store: KeyValueStore;
  pipeline: Pipeline;
  wallClock: Pick<Clock, 'now'>;
  clock: Pick<Clock, 'now'>;
  clientSecret?: string;
  toleranceSec?: number;
  log: Logger;
}

export class Intake {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IntakeOptions) {}

  /** Verifies and stores one delivery; resolves `stored: false` for a redelivery. Throws the refusal. */
  async receive(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string | undefined,
  ): Promise<{ stored: boolean; event: WebhookEvent }> {
    const { options } = this;
    if (!options.clientSecret)
      throw new HttpProblem(
        503,
        'webhooks_not_configured',
        'this server has no TikTok client secret to verify webhooks with',
      );
    const check = verifyTikTokSignature({
      header: headers,
      rawBody: rawBody ?? '',
      secret: options.clientSecret,
      now: options.wallClock.now(),
      toleranceSec: options.toleranceSec ?? DEFAULT_REPLAY_WINDOW_SEC,
    });
    if (!check.ok) {
      options.log('warn', `webhook refused: ${check.reason}`);
      throw new HttpProblem(401, 'invalid_signature', check.reason);
    }
    let event: WebhookEvent;
    try {
      event = parseWebhookEvent(rawBody ?? '');
    } catch (error) {
      if (!(error instanceof WebhookPayloadError)) throw error;
      throw new HttpProblem(400, 'invalid_webhook', error.message);
    }
    const record: StoredWebhookEvent = { raw: rawBody ?? '', receivedAt: options.clock.now() };
    const stored = await createOnce(options.store, PREFIXES.webhookEvents + event.dedupeKey, record);
    return { stored, event };
  }

  /** Applies a stored event to its job, after the reply; one at a time, in arrival order. */
  apply(event: WebhookEvent): Promise<void> {
    const run = this.chain.then(async () => {
      const key = PREFIXES.webhookEvents + event.dedupeKey;
      const record = await readJson<StoredWebhookEvent>(this.options.store, key);
      if (!record || record.processedAt !== undefined) return;
      const matched = await this.options.pipeline.handleWebhook(event);
      await this.options.store.set(key, JSON.stringify({ ...record, processedAt: this.options.clock.now(), matched }));
    });
    this.chain = run.catch((error: unknown) =>
      this.options.log(
        'error',
        redactText(`webhook ${event.rawEvent} not applied: ${(error as Error).message}`, [this.options.clientSecret]),
      ),
    );
    return this.chain as Promise<void>;
  }

  /** Applies every stored event not applied yet (a crash between the 200 and the job update). */
  async processPending(): Promise<number> {
    let count = 0;
    for (const [, value] of await this.options.store.list(PREFIXES.webhookEvents)) {
      const record = JSON.parse(value) as StoredWebhookEvent;
      if (record.processedAt !== undefined) continue;
      await this.apply(parseWebhookEvent(record.raw));
      count++;
    }
    return count;
  }

  /** Waits for the events being applied. */
  idle(): Promise<unknown> {
    return this.chain;
  }
}
