// Upgrading from the file store: a `tokpipe.db` an older tokpipe wrote is imported into the embedded
// database at the first command, once, with nothing lost and the user told; the file is kept renamed.
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountRegistry } from '@tokpipe/core';
import { FileStore, systemClock } from '@tokpipe/core/node';
import { cliEnv, runCli } from './helpers';

let dir: string;
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

it('an existing tokpipe.db is imported at the first command, once, and the user is told', async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-import-'));
  const file = path.join(dir, 'tokpipe.db');
  const old = FileStore.open(file);
  const registry = new AccountRegistry(old, systemClock());
  await registry.load();
  await registry.add({
    id: 'legacy',
    openId: 'open-legacy',
    scopes: ['video.publish'],
    caps: { directPerDay: 7 },
    token: {
      access_token: 'act.old',
      refresh_token: 'rft.old',
      expires_at: 4102444800,
      scope: 'video.publish',
      open_id: 'open-legacy',
    },
  });
  await old.set('tokpipe/ledger/some-key', JSON.stringify({ state: 'posted', publishId: 'v_pub_1' }));
  old.close();

  const env = cliEnv({ TIKTOK_API_BASE_URL: 'http://127.0.0.1:9' });
  const first = await runCli(['accounts', 'list', '--json'], env, dir);
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(
    /^imported \d+ entries from the file store .*tokpipe\.db into the embedded database \(the file is kept as .*tokpipe\.db\.imported\)\n$/,
  );
  expect(JSON.parse(first.stdout)).toMatchObject([{ id: 'legacy', openId: 'open-legacy', caps: { directPerDay: 7 } }]);
  expect(existsSync(file)).toBe(false);
  expect(existsSync(`${file}.imported`)).toBe(true);

  const second = await runCli(['accounts', 'list', '--json'], env, dir);
  expect([second.code, second.stderr]).toEqual([0, '']);
  expect(JSON.parse(second.stdout)).toMatchObject([{ id: 'legacy' }]);
}, 120_000);
