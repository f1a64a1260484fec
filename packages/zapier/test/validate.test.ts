// Zapier's own validation of both app definitions (direct: index.js; via tokpipe server: server-app/), both
// ways CI can run it: the CLI-free definition check on this Node (20), and `zapier-platform validate
// --without-style` with the real CLI on Node 22 under .tools/zapier.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = path.resolve(__dirname, '..');
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = PKG) =>
  execFileSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

beforeAll(() => {
  run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', PKG]);
}, 120_000);

it.each(['dist/index.js', 'dist/server.js'])(
  '%s passes the schema check on Node 20 (scripts/validate.js)',
  (app) => {
    expect(run(process.execPath, ['scripts/validate.js', app], { NODE_ENV: 'test' })).toMatch(
      /^definition ok \(platformVersion 19\.1\.0\)/,
    );
  },
  60_000,
);

it('zapier-platform validate --without-style passes for both apps with CLI 19.1.0 on Node 22', () => {
  run('bash', [path.join(ROOT, 'scripts', 'tools', 'zapier.sh')]); // installs once, skips when present
  const bin = path.join(ROOT, '.tools', 'zapier', 'node_modules', '.bin');
  const env = { PATH: `${bin}:${process.env.PATH}` };
  expect(run('node', ['--version'], env).trim()).toMatch(/^v22\./);
  for (const dir of [PKG, path.join(PKG, 'server-app')]) {
    const out = run(path.join(bin, 'zapier-platform'), ['validate', '--without-style'], env, dir);
    expect(out).toContain('This project is structurally sound!');
  }
  // server-app/ is the server-mode app, not a copy of the direct one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require(path.join(PKG, 'server-app')).authentication.type).toBe('custom');
}, 900_000);
