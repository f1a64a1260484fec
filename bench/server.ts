// tokpipe serve figures on loopback: TikTok webhook → server → subscriber delivery latency at 200 events/s
// (p50/p99), events/s through the intake with 10 subscribers, and API create-post requests/s. The pipeline
// and sandbox are the benches' world; the webhooks are signed like TikTok's and complete real accepted jobs.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore, signWebhookPayload, type Job } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { buildServer, type TokpipeServer } from '@tokpipe/server';
import type { Figure } from './figures';
import { round } from './pipeline-benches';
import { pinnedSpecs, startWorld, type BenchWorld } from './world';

const LATENCY_EVENTS = 600;
const RATE_PER_SECOND = 200;
const FANOUT_EVENTS = 600;
const SUBSCRIBERS = 10;
const CREATE_REQUESTS = 600;
const CONCURRENCY = 16;

interface Sink {
  url: string;
  /** jobId → real time (ms) the delivery arrived. */
  arrived: Map<string, number>;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const arrived = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { post: { jobId: string } } };
      arrived.set(body.data.post.jobId, at);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrived,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** A signed post.publish.complete for an accepted job, as TikTok sends it. */
function completeEvent(world: BenchWorld, job: Job): { body: string; signature: string } {
  const demo = world.sb.admin.demo();
  const openId = world.accounts.find((a) => a.id === job.account)!.openId;
  const body = JSON.stringify({
    client_key: demo.clientKey,
    event: 'post.publish.complete',
    create_time: Math.floor(Date.now() / 1000),
    user_openid: openId,
    content: JSON.stringify({ publish_id: job.publishId, publish_type: 'DIRECT_PUBLISH' }),
  });
  return { body, signature: signWebhookPayload(demo.clientSecret, Math.floor(Date.now() / 1000), body) };
}

async function send(url: string, event: { body: string; signature: string }): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tiktok-signature': event.signature },
    body: event.body,
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

async function waitUntil(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`server bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function serverBench(log: (line: string) => void): Promise<Figure[]> {
  // Accepted jobs that only a webhook will finish: TikTok takes an hour here, and time then stands still.
  const world = await startWorld({ accounts: 100, webhooks: false, config: { processingDelayMs: 3_600_000 } });
  const sinks: Sink[] = [];
  let server: TokpipeServer | undefined;
  try {
    await world.pipeline.submitMany(pinnedSpecs(world, LATENCY_EVENTS + FANOUT_EVENTS, 'serve'));
    await waitUntil(() => world.pipeline.listJobs().every((j) => j.state === 'accepted'), 'accepted jobs', 300_000);
    world.clock.setAutoAdvance(false);
    server = buildServer({
      pipeline: world.pipeline,
      store: new MemoryStore(),
      clock: world.clock,
      clientSecret: world.sb.admin.demo().clientSecret,
      transport: axiosTransport(),
      creatorInfo: () => Promise.reject(new Error('not in this bench')),
      rateLimit: { max: 1_000_000, windowMs: 60_000 },
    });
    await server.start();
    const base = await server.listen({ port: 0 });
    const hookUrl = `${base}/webhooks/tiktok`;
    const jobs = world.pipeline.listJobs();
    const subscribe = async (sink: Sink) =>
      server!.context.hooks.subscribe({ targetUrl: sink.url, events: ['published'], keyId: 'bench' });

    // 1. Latency at 200 events/s, one subscriber.
    const one = await startSink();
    sinks.push(one);
    const sub = await subscribe(one);
    const sentAt = new Map<string, number>();
    const latencyJobs = jobs.slice(0, LATENCY_EVENTS);
    const events = latencyJobs.map((j) => completeEvent(world, j));
    const started = performance.now();
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < events.length; i++) {
      const due = started + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sentAt.set(latencyJobs[i]!.id, performance.now());
      sends.push(send(hookUrl, events[i]!));
    }
    await Promise.all(sends);
    await waitUntil(() => one.arrived.size === LATENCY_EVENTS, 'latency deliveries');
    const latencies = latencyJobs.map((j) => one.arrived.get(j.id)! - sentAt.get(j.id)!);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    await server.context.hooks.unsubscribe(sub.id);
    log(
      `serve: webhook → subscriber at ${RATE_PER_SECOND}/s: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms ` +
        `over ${LATENCY_EVENTS} events`,
    );

    // 2. Events/s with 10 subscribers: intake as fast as it takes them, until every delivery arrived.
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const sink = await startSink();
      sinks.push(sink);
      await subscribe(sink);
    }
    const fanJobs = jobs.slice(LATENCY_EVENTS, LATENCY_EVENTS + FANOUT_EVENTS);
    const fanEvents = fanJobs.map((j) => completeEvent(world, j));
    const fanStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < fanEvents.length) await send(hookUrl, fanEvents[next++]!);
      }),
    );
    await waitUntil(() => sinks.slice(1).every((s) => s.arrived.size === FANOUT_EVENTS), 'fan-out deliveries');
    const eventsPerSecond = FANOUT_EVENTS / ((performance.now() - fanStart) / 1000);
    log(
      `serve: ${FANOUT_EVENTS} events × ${SUBSCRIBERS} subscribers: ${eventsPerSecond.toFixed(0)} events/s ` +
        `(${(eventsPerSecond * SUBSCRIBERS).toFixed(0)} deliveries/s)`,
    );

    // 3. API create-post requests/s (distinct posts, each with an Idempotency-Key; the pipeline queues them).
    const key = (await server.context.keys.create({ scope: 'post' })).key;
    const createStart = performance.now();
    let made = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (made < CREATE_REQUESTS) {
          const i = made++;
          const res = await fetch(`${base}/v1/posts`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'idempotency-key': `bench-${i}`,
            },
            body: JSON.stringify({
              account: world.accounts[i % world.accounts.length]!.id,
              videoUrl: `${world.sb.url}/media/sample.mp4`,
              title: `api ${i}`,
              privacyLevel: 'SELF_ONLY',
            }),
          });
          if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const createsPerSecond = CREATE_REQUESTS / ((performance.now() - createStart) / 1000);
    log(
      `serve: ${CREATE_REQUESTS} POST /v1/posts, ${CONCURRENCY} at a time: ${createsPerSecond.toFixed(0)} requests/s`,
    );

    return [
      {
        name: 'serve_webhook_delivery_p50_ms',
        value: round(p50, 1),
        target: 25,
        unit: 'ms at 200 events/s (<)',
        pass: p50 < 25,
      },
      {
        name: 'serve_webhook_delivery_p99_ms',
        value: round(p99, 1),
        target: 50,
        unit: 'ms at 200 events/s (<)',
        pass: p99 < 50,
      },
      {
        name: 'serve_events_per_second_10_subscribers',
        value: round(eventsPerSecond, 0),
        target: 200,
        unit: 'events/s (≥)',
        pass: eventsPerSecond >= 200,
      },
      {
        name: 'serve_create_post_requests_per_second',
        value: round(createsPerSecond, 0),
        target: 200,
        unit: 'requests/s (≥)',
        pass: createsPerSecond >= 200,
      },
    ];
  } finally {
    await server?.close();
    for (const s of sinks) await s.close();
    await world.close();
  }
}
