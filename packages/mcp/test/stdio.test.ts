// `tokpipe mcp --sandbox` over stdio, driven by the SDK's own Client: the tools an agent sees, a
// dry run that sends nothing, a post followed to PUBLISH_COMPLETE, the same call twice (one TikTok
// post), errors explained, a dead letter replayed, and no secret in anything that came out.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore } from '@tokpipe/core/node';
import { catalog } from '@tokpipe/core';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { admin, apiRequests, failedPostOf, leaks, ok, posts, startStdio, toolErrorOf, type McpRun } from './helpers';

interface PostOut {
  jobId: string;
  idempotencyKey: string;
  reused: boolean;
  state: string;
  status: string | null;
  publishId: string | null;
  error: { class: string; code: string; action: string; failReason?: string; logId?: string } | null;
}

let run: McpRun;
let dir: string;
let storeFile: string;
let clientSecret: string;
const knownSecrets: string[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-mcp-stdio-'));
  storeFile = path.join(dir, 'state.db');
  run = await startStdio(['--sandbox', '--store', storeFile]);
  const demo = await admin<{ clientSecret: string; accounts: Array<{ accessToken: string; refreshToken: string }> }>(
    run.sandboxUrl,
    'demo',
  );
  clientSecret = demo.clientSecret;
  knownSecrets.push(clientSecret, ...demo.accounts.flatMap((a) => [a.accessToken, a.refreshToken]));
});

afterAll(async () => {
  await run?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const video = (title: string) => ({ videoUrl: `${run.sandboxUrl}/media/sample.mp4`, title, privacyLevel: 'SELF_ONLY' });

test('lists every tool with its input and output schema and truthful annotations', async () => {
  const { tools } = await run.client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  expect([...byName.keys()].sort()).toEqual(
    [
      'creator_info',
      'dlq_list',
      'dlq_replay',
      'explain_error',
      'get_post_status',
      'list_accounts',
      'list_posts',
      'post_photos',
      'post_to_inbox',
      'post_video',
      'reconcile',
      'validate_post',
    ].sort(),
  );
  for (const tool of tools) {
    expect(tool.outputSchema?.type).toBe('object');
    expect(tool.annotations).toEqual(
      expect.objectContaining({
        readOnlyHint: expect.any(Boolean),
        destructiveHint: false,
        idempotentHint: expect.any(Boolean),
        openWorldHint: expect.any(Boolean),
      }),
    );
  }
  // Generated from core's catalog: field names, descriptions, the privacy options, required per mode.
  const postVideo = byName.get('post_video')!;
  const props = postVideo.inputSchema.properties as Record<string, { description?: string; enum?: string[] }>;
  expect(Object.keys(props)).toEqual(
    expect.arrayContaining([
      'videoUrl',
      'videoFile',
      'title',
      'privacyLevel',
      'disableComment',
      'isAigc',
      'idempotencyKey',
      'wait',
    ]),
  );
  expect(props.privacyLevel!.enum).toEqual([...catalog.privacyLevels]);
  expect(props.title!.description).toContain(catalog.fields.find((f) => f.name === 'title')!.description);
  expect(postVideo.inputSchema.required).toEqual(['privacyLevel']);
  expect(Object.keys(byName.get('post_to_inbox')!.inputSchema.properties!)).not.toContain('privacyLevel'); // drafts take none
  expect(postVideo.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true, openWorldHint: true });
  expect(byName.get('dlq_replay')!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
  for (const name of ['list_accounts', 'list_posts', 'explain_error', 'dlq_list'])
    expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  for (const name of ['creator_info', 'validate_post', 'get_post_status'])
    expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: true });
});

test('validate_post on a bad post names every wrong field and sends nothing to TikTok', async () => {
  const before = (await apiRequests(run.sandboxUrl)).length;
  const report = ok<{
    valid: boolean;
    issues: Array<{ field: string; message: string }>;
    checks: Array<{ check: string; ok: boolean }>;
  }>(
    await run.call('validate_post', {
      videoUrl: 'ftp://media.example.com/clip.mp4',
      title: 'x'.repeat(2300),
      privacyLevel: undefined,
    }),
  );
  expect(report.valid).toBe(false);
  expect(report.issues.map((i) => i.field).sort()).toEqual(['privacyLevel', 'title', 'videoUrl']);
  expect(report.issues.find((i) => i.field === 'title')!.message).toMatch(/2200/);
  expect(report.checks.find((c) => c.check === 'creator_info')).toEqual(expect.objectContaining({ ok: false }));
  expect((await apiRequests(run.sandboxUrl)).length - before).toBe(0);
  expect(before).toBe(0); // nothing at all has reached TikTok in this run yet
});

test('validate_post on a good post asks creator_info only, and posts nothing', async () => {
  const report = ok<{ valid: boolean; account: string; creatorInfo: { privacyLevelOptions: string[] } }>(
    await run.call('validate_post', video('dry run')),
  );
  expect(report).toMatchObject({ valid: true, account: 'demo' });
  expect(report.creatorInfo.privacyLevelOptions).toContain('SELF_ONLY');
  expect((await apiRequests(run.sandboxUrl)).map((r) => r.endpoint)).toEqual(['creator_info']);
  expect(await posts(run.sandboxUrl)).toEqual([]);
});

test('posts a video, waits for PUBLISH_COMPLETE with progress notifications, and the same call twice is one TikTok post', async () => {
  const progress: Progress[] = [];
  const first = ok<PostOut>(
    await run.call('post_video', { ...video('hello from an agent #tokpipe'), wait: true }, (p) => progress.push(p)),
  );
  expect(first).toMatchObject({ state: 'published', status: 'PUBLISH_COMPLETE', reused: false, error: null });
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));

  const again = ok<PostOut>(await run.call('post_video', { ...video('hello from an agent #tokpipe'), wait: true }));
  expect(again).toMatchObject({ jobId: first.jobId, publishId: first.publishId, reused: true, state: 'published' });
  const mine = (await posts(run.sandboxUrl)).filter((p) => p.title === 'hello from an agent #tokpipe');
  expect(mine).toHaveLength(1);
  expect((await apiRequests(run.sandboxUrl)).filter((r) => r.endpoint === 'video.init')).toHaveLength(1);

  const status = ok<PostOut>(await run.call('get_post_status', { publishId: first.publishId }));
  expect(status).toMatchObject({ jobId: first.jobId, status: 'PUBLISH_COMPLETE' });
  const listed = ok<{ posts: PostOut[] }>(await run.call('list_posts', {}));
  expect(listed.posts.map((p) => p.jobId)).toContain(first.jobId);
});

test('an explicit idempotencyKey holds across different captions: the second call returns the first post', async () => {
  const first = ok<PostOut>(
    await run.call('post_video', { ...video('keyed one'), idempotencyKey: 'campaign-7-row-1', wait: true }),
  );
  const second = ok<PostOut>(
    await run.call('post_video', { ...video('keyed one, edited'), idempotencyKey: 'campaign-7-row-1' }),
  );
  expect(second).toMatchObject({ jobId: first.jobId, idempotencyKey: 'campaign-7-row-1', reused: true });
  expect((await posts(run.sandboxUrl)).filter((p) => p.title?.startsWith('keyed one'))).toHaveLength(1);
});

test('posts a video file (chunked upload) and the dry run names a missing file', async () => {
  const file = path.join(dir, 'clip.mp4');
  await fs.writeFile(file, Buffer.from(await (await fetch(`${run.sandboxUrl}/media/sample.mp4`)).arrayBuffer()));
  const missing = ok<{ valid: boolean; issues: Array<{ field: string; message: string }> }>(
    await run.call('validate_post', {
      videoFile: path.join(dir, 'nope.mp4'),
      title: 'file',
      privacyLevel: 'SELF_ONLY',
    }),
  );
  expect(missing.valid).toBe(false);
  expect(missing.issues).toEqual([
    expect.objectContaining({ field: 'videoFile', message: expect.stringMatching(/does not exist/) }),
  ]);

  const posted = ok<PostOut>(
    await run.call('post_video', { videoFile: file, title: 'from a file', privacyLevel: 'SELF_ONLY', wait: true }),
  );
  expect(posted).toMatchObject({ state: 'published', status: 'PUBLISH_COMPLETE' });
  const tiktok = (await posts(run.sandboxUrl)).filter((p) => p.title === 'from a file');
  expect(tiktok).toEqual([expect.objectContaining({ source: 'FILE_UPLOAD', status: 'PUBLISH_COMPLETE' })]);
});

test("explain_error reads core's table: meaning, retry or not, what to do", async () => {
  const out = ok<{
    known: boolean;
    explanations: Array<{ layer: string; class: string; retryable: boolean; action: string; meaning: string }>;
  }>(await run.call('explain_error', { code: 'url_ownership_unverified' }));
  expect(out.known).toBe(true);
  expect(out.explanations[0]).toMatchObject({ layer: 'application', class: 'needs_human', retryable: false });
  expect(out.explanations[0]!.action).toMatch(/Verify the media domain/);
  const timeout = ok<{ explanations: Array<{ when?: string; disposition: string }> }>(
    await run.call('explain_error', { code: 'timeout', layer: 'transport' }),
  );
  expect(timeout.explanations.map((e) => e.disposition)).toEqual(expect.arrayContaining(['retry', 'unknown_outcome']));
  expect(ok<{ known: boolean }>(await run.call('explain_error', { code: 'no_such_code_anywhere' })).known).toBe(false);
});

test('a post TikTok fails lands in the DLQ with class, code and action; explained; replayed into one published post', async () => {
  await admin(run.sandboxUrl, 'script', {
    endpoint: 'video.init',
    faults: [{ kind: 'async_fail', failReason: 'spam_risk_text' }],
  });
  const failed = failedPostOf<PostOut>(await run.call('post_video', { ...video('needs a second try'), wait: true }));
  expect(failed.text.split('\n')[0]).toMatch(/^not_retryable: spam_risk_text \(spam_risk_text\) log_id \S+$/);
  expect(failed.state).toBe('dead');
  expect(failed.error).toMatchObject({ class: 'not_retryable', code: 'spam_risk_text', failReason: 'spam_risk_text' });

  const dlq = ok<{ deadLetters: Array<{ jobId: string; error: { code: string; action: string } }> }>(
    await run.call('dlq_list'),
  );
  const entry = dlq.deadLetters.find((d) => d.jobId === failed.jobId)!;
  expect(entry.error.action).toMatch(/Rewrite the caption/);

  const why = ok<{ jobError: { code: string }; explanations: Array<{ meaning: string }> }>(
    await run.call('explain_error', { jobId: failed.jobId }),
  );
  expect(why.jobError.code).toBe('spam_risk_text');
  expect(why.explanations[0]!.meaning).toMatch(/caption/);

  const replayed = ok<PostOut>(await run.call('dlq_replay', { jobId: failed.jobId, wait: true }));
  expect(replayed).toMatchObject({ jobId: failed.jobId, state: 'published', status: 'PUBLISH_COMPLETE' });
  const tiktok = (await posts(run.sandboxUrl)).filter((p) => p.title === 'needs a second try');
  expect(tiktok.map((p) => p.status).sort()).toEqual(['FAILED', 'PUBLISH_COMPLETE']);
  expect(ok<{ deadLetters: unknown[] }>(await run.call('dlq_list')).deadLetters).toHaveLength(0);

  const again = toolErrorOf(await run.call('dlq_replay', { jobId: failed.jobId }));
  expect(again).toMatchObject({ class: 'not_retryable', code: 'invalid_input', field: 'jobId' });
});

test('a post TikTok refuses comes back with class, code, log_id and action; a secret echoed in the reply is scrubbed', async () => {
  await admin(run.sandboxUrl, 'script', {
    endpoint: 'video.init',
    faults: [
      {
        kind: 'error',
        status: 403,
        code: 'url_ownership_unverified',
        message: `not verified (client ${clientSecret})`,
      },
    ],
  });
  const refused = failedPostOf<PostOut>(await run.call('post_video', { ...video('unverified'), wait: true }));
  expect(refused.text).toMatch(
    /^needs_human: url_ownership_unverified log_id \S+\n[^]*What to do: Verify the media domain/,
  );
  expect(refused.state).toBe('dead');
  expect(refused.error).toMatchObject({
    class: 'needs_human',
    code: 'url_ownership_unverified',
    logId: expect.any(String),
  });
  expect(refused.error!.action).toMatch(/Verify the media domain/);

  const missing = toolErrorOf(await run.call('get_post_status', { jobId: 'job_doesnotexist' }));
  expect(missing).toMatchObject({ class: 'not_retryable', code: 'invalid_input', field: 'jobId' });
  expect(missing.action).toMatch(/nothing was sent/);
});

test('accounts: health, caps left and token expiry, as a tool and as a resource; prompts are offered', async () => {
  const { accounts } = ok<{
    accounts: Array<{
      id: string;
      caps: { remainingDirect: number };
      auth: { connected: boolean; accessExpiresAt: number };
    }>;
  }>(await run.call('list_accounts'));
  expect(accounts).toHaveLength(1);
  expect(accounts[0]).toMatchObject({ id: 'demo', auth: { connected: true, accessExpiresAt: expect.any(Number) } });
  expect(accounts[0]!.caps.remainingDirect).toBeLessThan(15);

  const resources = await run.client.listResources();
  expect(resources.resources.map((r) => r.uri).sort()).toEqual(['tokpipe://accounts', 'tokpipe://posts/recent']);
  const read = await run.client.readResource({ uri: 'tokpipe://accounts' });
  run.seen.push(JSON.stringify(read));
  expect(JSON.parse((read.contents[0] as { text: string }).text)[0].id).toBe('demo');
  const recent = await run.client.readResource({ uri: 'tokpipe://posts/recent' });
  run.seen.push(JSON.stringify(recent));
  expect(JSON.parse((recent.contents[0] as { text: string }).text).length).toBeGreaterThan(0);

  const prompts = await run.client.listPrompts();
  expect(prompts.prompts.map((p) => p.name).sort()).toEqual(['post_campaign', 'why_did_this_post_fail']);
  const prompt = await run.client.getPrompt({ name: 'why_did_this_post_fail', arguments: { post: 'job_123' } });
  expect(JSON.stringify(prompt.messages)).toMatch(/explain_error/);
});

test('no token, refresh token or client secret in any tool result or log line of this run', async () => {
  await run.close();
  const store = FileStore.open(storeFile);
  const token = JSON.parse((await store.get('tokpipe/tokens/demo'))!) as {
    access_token: string;
    refresh_token: string;
  };
  store.close();
  const everything = [...run.seen, run.stderr()].join('\n');
  expect(run.seen.length).toBeGreaterThan(20);
  expect(leaks(everything, [...knownSecrets, token.access_token, token.refresh_token])).toEqual([]);
  expect(everything).not.toMatch(/\b(act|rft)\.[A-Za-z0-9]{16,}/);
});
