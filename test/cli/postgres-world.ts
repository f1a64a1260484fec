// The world of the CLI tests on a real PostgreSQL: a sandbox TikTok at the fast pace, a fresh database
// (dropped afterwards), a scratch folder, and the environment every `tokpipe` process of the test gets.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { createPostgresDatabase, type TestDatabase } from '../../packages/engine/test/databases';
import { cliEnv } from './helpers';

export interface PostgresCliWorld {
  sb: Sandbox;
  database: TestDatabase;
  env: NodeJS.ProcessEnv;
  dir: string;
  close(): Promise<void>;
}

export async function startPostgresCliWorld(prefix: string): Promise<PostgresCliWorld> {
  const sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
  const demo = sb.admin.demo();
  const database = await createPostgresDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
    DATABASE_URL: database.url,
  });
  return {
    sb,
    database,
    env,
    dir,
    async close() {
      await sb.close();
      await database.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
