// The console in a real headless Chromium, on a real sandbox TikTok and core's Pipeline (virtual clock):
// log in, accounts and posts, a refused post's timeline with TikTok's code and log_id, replay from the
// DLQ until the sandbox holds the post, a read-only key that can neither see nor forge a replay, and
// the whole session scanned for console errors and secrets.
import * as path from 'node:path';
import { leaksIn } from './leaks';
import { logIn, openBrowser, textOf, type Browser } from './browser';
import { ACCOUNTS, startWorld, type World } from './world';

let world: World;
let browser: Browser;
let base: string;

const livePosts = (account: string) =>
  world.sb.admin
    .posts()
    .filter(
      (p) =>
        p.status !== 'FAILED' &&
        world.pipeline.listJobs().some((j) => j.account === account && j.publishId === p.publishId),
    );

beforeAll(async () => {
  world = await startWorld();
  base = world.console.url;
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

test('a wrong key is refused; a good one sets an httpOnly, SameSite=Strict session cookie (not the key)', async () => {
  const { page, context } = browser;
  await page.goto(`${base}accounts`);
  await page.waitForURL(/\/console\/login$/);
  await page.getByLabel('API key').fill('tpk_000000000000_' + '0'.repeat(64));
  await page.getByRole('button', { name: 'Log in' }).click();
  expect(await textOf(page.getByRole('alert'))).toMatch(/not valid/);
  await logIn(page, base, world.keys.admin);
  const [cookie] = await context.cookies();
  expect(cookie).toMatchObject({
    name: 'tokpipe_console',
    httpOnly: true,
    sameSite: 'Strict',
    path: '/console',
    secure: false,
  });
  expect(cookie!.value).not.toContain(world.keys.admin.slice(4, 20));
});

test('the accounts page shows every account with health, caps used and token expiry', async () => {
  const { page } = browser;
  await page.goto(`${base}accounts`);
  expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch('Accounts');
  for (const id of ACCOUNTS) await page.getByRole('rowheader', { name: new RegExp(id) }).waitFor({ state: 'visible' });
  const north = page.getByRole('row', { name: /north-studio/ });
  // north-studio: the refused post counts nothing; its two campaign posts count 2 of 15.
  expect(await textOf(north)).toMatch('2 / 15');
  expect(await textOf(north)).toMatch('breaker closed');
  expect(await textOf(north)).toMatch('privacy_level_option_mismatch');
  expect(await textOf(north)).toMatch('refresh:');
  expect(await textOf(north)).not.toMatch('reconnect');
  expect(await textOf(page.getByRole('row', { name: /us-brand/ }))).toMatch(
    /Expires in [12] d \d+ h: reconnect before then/,
  );
});

test('posts: every row, and the filters narrow them', async () => {
  const { page } = browser;
  await page.goto(`${base}posts`);
  expect(await page.locator('#live tbody tr').count()).toBe(7);
  await page.getByLabel('Status').selectOption('dead');
  await page.getByRole('button', { name: 'Filter' }).click();
  expect(await page.locator('#live tbody tr').count()).toBe(1);
  expect(await textOf(page.locator('#live tbody'))).toMatch('console-01');
  await page.goto(`${base}posts?campaign=console-0&account=us-brand`);
  expect(await page.locator('#live tbody tr').count()).toBe(2);
  await page.goto(`${base}posts?since=2099-01-01T00:00`);
  expect(await textOf(page.locator('#live tbody'))).toMatch('No post matches');
});

test("a refused post's timeline shows TikTok's code, message, log_id, our class and action, and the raw reply", async () => {
  const { page } = browser;
  const logId = world.pipeline.getJob(world.failedJobId)!.lastError!.logId!;
  expect(logId).toMatch(/\w{8,}/);
  await page.goto(`${base}posts?status=dead`);
  await page.getByRole('link', { name: 'console-01' }).click();
  expect(await textOf(page.getByRole('heading', { level: 1 }))).toMatch('Post console-01');
  const failedStep = page.locator('table.timeline tr.failed');
  expect(await textOf(failedStep)).toMatch('privacy_level_option_mismatch');
  expect(await textOf(failedStep)).toMatch(logId);
  expect(await textOf(failedStep)).toMatch('not_retryable');
  expect(await textOf(failedStep)).toMatch('Choose a privacy level');
  expect(await textOf(page.locator('table.timeline'))).toMatch('attempt started');
  await failedStep.getByText('Show (redacted)').click();
  expect(await textOf(failedStep.locator('pre'))).toMatch('privacy_level_option_mismatch');
  expect(await textOf(page.locator('pre.sent'))).toMatch('PUBLIC_TO_EVERYONE');
});

test('a published post links to its TikTok post id', async () => {
  const { page } = browser;
  const job = world.pipeline.listJobs().find((j) => j.state === 'published')!;
  await page.goto(`${base}posts/${job.id}`);
  const link = page.getByRole('link', { name: job.postIds[0]! });
  expect(await link.getAttribute('href')).toMatch(new RegExp(`tiktok\\.com/.*${job.postIds[0]}`));
});

test('replaying a DLQ item from "Needs a human" publishes it on the sandbox', async () => {
  const { page } = browser;
  const before = livePosts('north-studio').length;
  await page.goto(`${base}needs-human`);
  const card = page.locator(`li.card[data-job="${world.failedJobId}"]`);
  expect(await textOf(card)).toMatch('Choose a privacy level');
  await card.getByRole('button', { name: 'Replay' }).click();
  await page.waitForURL(new RegExp(`/console/posts/${world.failedJobId}$`));
  await world.settle(() => world.pipeline.getJob(world.failedJobId)?.state === 'published', 'the replayed post');
  expect(livePosts('north-studio')).toHaveLength(before + 1);
  await page.reload();
  expect(await textOf(page.locator('dl.summary'))).toMatch('published');
  expect(await textOf(page.locator('dl.summary'))).toMatch('PUBLISH_COMPLETE');
  // npm run screenshots -w @tokpipe/console: the refused attempt (code, log_id), the replay, the post.
  if (process.env.TOKPIPE_CONSOLE_SCREENSHOTS === '1')
    await page.screenshot({ path: path.resolve(__dirname, '../../../docs/console-timeline.png'), fullPage: true });
  await page.goto(`${base}sandbox`);
  expect(await textOf(page.locator('#sandbox-live'))).toMatch(
    String(world.sb.admin.posts().filter((p) => p.status !== 'FAILED').length),
  );
});

test('an init whose reply was lost: marked as posted from "Needs a human" with the id found on TikTok', async () => {
  const { page } = browser;
  // The sandbox makes the post, then drops the connection: tokpipe cannot know, and never re-sends.
  world.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const { job } = await world.pipeline.submit({
    account: 'us-brand',
    mode: 'direct',
    media: { type: 'video_url', url: `${world.sb.url}/media/sample.mp4` },
    title: 'lost reply #tokpipe',
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    idempotencyKey: 'console-lost',
  });
  await world.settle(() => world.pipeline.getJob(job.id)?.state === 'unknown', 'the unknown outcome');
  const onTikTok = world.sb.admin.posts().find((p) => p.title === 'lost reply #tokpipe')!;
  expect(onTikTok.postIds).toHaveLength(1);
  await page.goto(`${base}needs-human`);
  const card = page.locator(`li.card[data-job="${job.id}"]`);
  expect(await textOf(card)).toMatch('never sends it again by itself');
  await card.getByLabel('TikTok post id').fill(onTikTok.postIds[0]!);
  await card.getByRole('button', { name: 'Mark as posted' }).click();
  await page.waitForURL(new RegExp(`/console/posts/${job.id}$`));
  expect(world.pipeline.getJob(job.id)).toMatchObject({ state: 'published', postIds: onTikTok.postIds });
  expect(await textOf(page.locator('dl.summary'))).toMatch(onTikTok.postIds[0]!);
  expect(await textOf(page.locator('table.timeline'))).toMatch('marked as posted by a person');
  // Nothing was sent again: one init for this post on TikTok.
  expect(world.sb.admin.posts().filter((p) => p.title === 'lost reply #tokpipe')).toHaveLength(1);
});

test('new failures appear on "Needs a human" without a reload (aria-live says so)', async () => {
  const { page } = browser;
  await page.goto(`${base}needs-human`);
  expect(await textOf(page.locator('#dlq-h'))).toMatch('Dead-letter queue (0)');
  world.sb.admin.script('video.init', [{ kind: 'error', status: 403, code: 'privacy_level_option_mismatch' }]);
  const { job } = await world.pipeline.submit({
    account: 'south-studio',
    mode: 'direct',
    media: { type: 'video_url', url: `${world.sb.url}/media/sample.mp4` },
    title: 'late post',
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    idempotencyKey: 'console-late',
  });
  await world.settle(() => world.pipeline.getJob(job.id)?.state === 'dead', 'the late refusal');
  await page.locator(`li.card[data-job="${job.id}"]`).waitFor({ state: 'visible', timeout: 15_000 });
  expect(await textOf(page.locator('#live-status'))).toMatch('Updated');
});

test('a read-only key sees everything but has no replay button, and a forged replay POST gets 403', async () => {
  const { page, context } = browser;
  await context.clearCookies();
  await logIn(page, base, world.keys.read);
  await page.goto(`${base}needs-human`);
  expect(await page.locator('li.card').count()).toBe(1);
  expect(await page.getByRole('button', { name: /Replay/ }).count()).toBe(0);
  expect(await textOf(page.locator('li.card'))).toMatch('Read-only key');
  const csrf = await page.locator('form.logout input[name="_csrf"]').inputValue();
  const jobId = (await page.locator('li.card').getAttribute('data-job'))!;
  const origin = base.replace(/\/console\/$/, '');
  const forged = await page.request.post(`${base}actions/replay`, {
    form: { _csrf: csrf, jobId },
    headers: { origin },
  });
  expect(forged.status()).toBe(403);
  expect(world.pipeline.getJob(jobId)!.state).toBe('dead');
});

test('an admin session without the CSRF token, or from another origin, is refused', async () => {
  const { page, context } = browser;
  await context.clearCookies();
  await logIn(page, base, world.keys.admin);
  const csrf = await page.locator('form.logout input[name="_csrf"]').inputValue();
  const jobId = world.pipeline.listJobs().find((j) => j.state === 'dead')!.id;
  const origin = base.replace(/\/console\/$/, '');
  const noToken = await page.request.post(`${base}actions/replay`, { form: { jobId }, headers: { origin } });
  expect(noToken.status()).toBe(403);
  const otherOrigin = await page.request.post(`${base}actions/replay`, {
    form: { _csrf: csrf, jobId },
    headers: { origin: 'http://evil.example' },
  });
  expect(otherOrigin.status()).toBe(403);
  expect(world.pipeline.getJob(jobId)!.state).toBe('dead');
  const loggedOut = await context.request.post(`${base}logout`, { form: { _csrf: csrf }, headers: { origin } });
  expect(loggedOut.status()).toBe(200); // followed the 303 to the login page
  await page.goto(`${base}accounts`);
  await page.waitForURL(/\/console\/login$/);
});

test('pages without their capability say so instead of showing data', async () => {
  const { page } = browser;
  await logIn(page, base, world.keys.read);
  await page.goto(`${base}deliveries`);
  expect(await textOf(page.locator('.unavailable'))).toMatch('Webhook deliveries is not available');
});

test('keyboard: the first Tab reaches "Skip to content", Enter moves to the main content; filters are labelled', async () => {
  const { page } = browser;
  await logIn(page, base, world.keys.admin);
  await page.goto(`${base}posts`);
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  // After the skip, focus continues inside main: the first filter, found by its label.
  expect(await page.evaluate('document.activeElement.id')).toBe('f-account');
  for (const label of [
    'Account',
    'Status',
    'Campaign (row label or key contains)',
    'Submitted from (UTC)',
    'Submitted before (UTC)',
  ])
    expect(await page.getByLabel(label, { exact: true }).count()).toBe(1);
});

test('no console errors, and no token, client secret or API key anywhere the browser received', async () => {
  expect(browser.errors).toEqual([]);
  expect(browser.bodies.length).toBeGreaterThan(10);
  expect(leaksIn(browser.bodies.join('\n'), world.secrets)).toEqual([]);
});
