import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  parseExpiry,
  readTokenFile,
  readTokenSource,
  TokenFileError,
  TokenFileMovedError,
  withoutPassword,
  writeTokenFile,
  writeTokenPointer,
} from '@tokpipe/core/node';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-token-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const base = {
  access_token: 'act.secret-access',
  refresh_token: 'rft.secret-refresh',
  scope: 'user.info.basic,video.publish',
  open_id: 'open-1',
};

describe('token file', () => {
  it('reads expires_at as ISO-8601 or epoch seconds, and scope as a list', async () => {
    const file = path.join(dir, 't.json');
    await fs.writeFile(file, JSON.stringify({ ...base, expires_at: '2026-11-25T20:00:00Z' }));
    expect(await readTokenFile(file)).toEqual({
      access_token: 'act.secret-access',
      refresh_token: 'rft.secret-refresh',
      open_id: 'open-1',
      expiresAt: Date.parse('2026-11-25T20:00:00Z'),
      scopes: ['user.info.basic', 'video.publish'],
    });
    await fs.writeFile(file, JSON.stringify({ ...base, expires_at: 1764100800 }));
    expect((await readTokenFile(file)).expiresAt).toBe(1764100800_000);
    expect(parseExpiry('1764100800')).toBe(1764100800_000);
    expect(parseExpiry('next tuesday')).toBeUndefined();
  });

  it('rewrites atomically with mode 0600, leaving no temp files, and round-trips', async () => {
    const file = path.join(dir, 't.json');
    await fs.writeFile(file, 'old', { mode: 0o644 });
    const data = {
      access_token: 'act.new',
      refresh_token: 'rft.rotated',
      expiresAt: Date.parse('2026-11-26T00:00:00Z'),
      scopes: ['video.publish'],
      open_id: 'open-1',
    };
    await writeTokenFile(file, data);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['t.json']);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      access_token: 'act.new',
      refresh_token: 'rft.rotated',
      expires_at: '2026-11-26T00:00:00.000Z',
      scope: 'video.publish',
      open_id: 'open-1',
    });
    expect(await readTokenFile(file)).toEqual(data);
  });

  it('names the file and field on bad input and never echoes a token', async () => {
    const file = path.join(dir, 't.json');
    await fs.writeFile(file, JSON.stringify({ ...base, expires_at: 'soon' }));
    await expect(readTokenFile(file)).rejects.toMatchObject({
      field: 'expires_at',
      message: expect.stringContaining('"expires_at"'),
    });
    await fs.writeFile(file, JSON.stringify({ ...base, refresh_token: '', expires_at: 1 }));
    const err = await readTokenFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenFileError);
    expect((err as Error).message).toContain('"refresh_token"');
    expect((err as Error).message).not.toContain('secret');
    await expect(readTokenFile(path.join(dir, 'missing.json'))).rejects.toThrow(
      /does not exist \(run `tokpipe auth login`/,
    );
  });
});

describe('token file moved into the state (a pointer)', () => {
  it('is rewritten 0600 with no token; readTokenFile names the account; readTokenSource returns the pointer', async () => {
    const file = path.join(dir, 't.json');
    await fs.writeFile(file, JSON.stringify({ ...base, expires_at: 4102444800 }), { mode: 0o644 });
    const movedAt = Date.UTC(2026, 11, 7);
    await writeTokenPointer(file, { account: 'north', openId: 'open-1', state: { store: '/x/tokpipe.db' }, movedAt });
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain('secret');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const error = await readTokenFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenFileMovedError);
    expect(error).toMatchObject({ account: 'north', file });
    expect((error as Error).message).toContain('moved into tokpipe\'s state as account "north"');
    expect(await readTokenSource(file)).toEqual({
      pointer: { account: 'north', openId: 'open-1', state: { store: '/x/tokpipe.db' }, movedAt },
    });
  });

  it('a pointer without a usable state is refused naming the field; a database URL loses its password', async () => {
    const file = path.join(dir, 't.json');
    await fs.writeFile(file, JSON.stringify({ tokpipe_moved_to_account: 'north', state: {} }));
    await expect(readTokenSource(file)).rejects.toMatchObject({ field: 'state' });
    expect(withoutPassword('postgres://u:secret@127.0.0.1:5432/db')).toBe('postgres://u@127.0.0.1:5432/db');
  });
});
