// `tokpipe demo --console` (the built CLI): the flaky demo campaign, then the console on its data in a
// real Chromium: the four demo accounts, every row, a timeline with TikTok's codes, the sandbox beside
// tokpipe; the one-time key printed once and nowhere in the pages. With TOKPIPE_CONSOLE_SCREENSHOTS=1
// (npm run screenshots -w @tokpipe/console) it also writes docs/console-accounts.png (console.test.ts
// writes docs/console-timeline.png).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, ROOT, startCli, type LiveCli } from '../../../test/cli/helpers';
import { logIn, openBrowser, textOf, type Browser } from './browser';
import { leaksIn } from './leaks';

const SCREENSHOTS = process.env.TOKPIPE_CONSOLE_SCREENSHOTS === '1';
const DEMO_ACCOUNTS = ['north-studio', 'south-studio', 'eu-brand', 'us-brand'];

let cli: LiveCli;
let browser: Browser;
let dir: string;
let url: string;
let key: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-console-demo-'));
  cli = startCli(
    ['demo', '--console', '--campaign', path.join(ROOT, 'examples/campaign.csv')],
    cliEnv({ TOKPIPE_TIME_SCALE: '0.002' }),
    dir,
  );
  url = (await cli.waitFor(/console: (http:\/\/127\.0\.0\.1:\d+\/console\/)/, 'stdout'))[1]!;
  key = (await cli.waitFor(/\n {2}(tpk_[0-9a-f]{12}_[0-9a-f]{64})\n/, 'stdout'))[1]!;
  browser = await openBrowser({ width: 1440, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  cli?.child.kill('SIGINT');
  await cli?.exited;
  await fs.rm(dir, { recursive: true, force: true });
});

test('the key is printed once; the console shows the demo accounts and every campaign row', async () => {
  expect(cli.stdout().split(key)).toHaveLength(2);
  const { page } = browser;
  await logIn(page, url, key);
  for (const id of DEMO_ACCOUNTS) await page.getByRole('rowheader', { name: new RegExp(id) }).waitFor();
  if (SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/console-accounts.png'), fullPage: true });
  await page.goto(`${url}posts`);
  const rows = (await fs.readFile(path.join(ROOT, 'examples/campaign.csv'), 'utf8')).trim().split('\n').length - 1;
  expect(await page.locator('#live tbody tr').count()).toBe(rows);
});

test("a post the flaky sandbox disturbed shows the failed step: TikTok's code, message, our class and action", async () => {
  const { page } = browser;
  await page.goto(`${url}posts`);
  const links = await page.locator('#live tbody th a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  // Prefer a step with TikTok's log_id (an API error) over a transport failure (no reply, no log_id).
  let withFailure: string | undefined;
  let withLogId: string | undefined;
  for (const href of links) {
    await page.goto(new URL(href, url).toString());
    if ((await page.locator('table.timeline tr.failed').count()) === 0) continue;
    withFailure ??= href;
    if ((await page.locator('table.timeline tr.failed code.log-id').count()) > 0) {
      withLogId = href;
      break;
    }
  }
  expect(withFailure).toBeDefined();
  await page.goto(new URL(withLogId ?? withFailure!, url).toString());
  const failed = page.locator('table.timeline tr.failed').first();
  expect(await textOf(failed)).toMatch(/retry scheduled|rate limit wait|unknown outcome|dead lettered|requeued/);
  expect(await textOf(failed)).toMatch(/retryable|needs_human|not_retryable/);
});

test('the sandbox page counts what the sandbox TikTok holds', async () => {
  const { page } = browser;
  await page.goto(`${url}sandbox`);
  const printed = /TikTok now holds (\d+) live posts/.exec(cli.stdout())![1]!;
  expect(await textOf(page.locator('#sandbox-live'))).toBe(printed);
});

test("the deliveries page lists the sandbox TikTok's webhooks the demo received", async () => {
  const { page } = browser;
  await page.goto(`${url}deliveries`);
  const caption = await textOf(page.locator('table.grid caption').first());
  expect(Number(/Events in: (\d+)/.exec(caption)![1])).toBeGreaterThan(0);
  expect(await textOf(page.locator('table.grid').first())).toMatch('post.publish.complete');
});

test('no console errors, and the key appears nowhere the browser received', async () => {
  expect(browser.errors).toEqual([]);
  expect(leaksIn(browser.bodies.join('\n'), [key])).toEqual([]);
});
