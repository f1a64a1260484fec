// Debian's Chromium driven by playwright-core: a new empty profile per run, headless, no network
// beyond 127.0.0.1. Every HTML/JS/CSS reply and every console error the page shows is kept for the checks.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Bodies of every HTML, JS and CSS reply the browser got. */
  bodies: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** On a machine that has never run the tests, `npm test` installs Chromium the way CI does. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync('bash', [path.join(__dirname, '../../../scripts/tools/chromium.sh')], { stdio: 'inherit' });
}

export async function openBrowser(viewport = { width: 1360, height: 900 }): Promise<Browser> {
  ensureChromium();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const bodies: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (/text\/(html|css|javascript)/.test(r.headers()['content-type'] ?? ''))
      void r.text().then(
        (t) => bodies.push(t),
        () => undefined,
      );
  });
  return {
    context,
    page,
    bodies,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function logIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}login`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/console\/accounts$/);
}

/** The element's visible text (waits for it to exist). */
export const textOf = async (locator: Locator): Promise<string> => (await locator.innerText()).trim();
