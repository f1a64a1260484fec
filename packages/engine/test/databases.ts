// Test databases: a fresh PostgreSQL database with a random name on the machine's server (dropped
// afterwards), or a fresh embedded PGlite directory.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../src';

export const ADMIN_URL = process.env.TOKPIPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `tokpipe_engine_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface EngineUnderTest {
  name: 'postgres' | 'pglite';
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

/** Both engines, for describe.each: `open()` gives a new connection to the same database. */
export function engines(): Array<[string, () => Promise<EngineUnderTest>]> {
  return [
    [
      'postgres',
      async () => {
        const database = await createPostgresDatabase();
        const opened: Db[] = [];
        return {
          name: 'postgres',
          async open() {
            const db = openPostgres(database.url);
            opened.push(db);
            return db;
          },
          async cleanup() {
            for (const db of opened) await db.close().catch(() => undefined);
            await database.drop();
          },
        };
      },
    ],
    [
      'pglite',
      async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-pglite-'));
        let db: Db | undefined;
        return {
          name: 'pglite',
          // One process, one PGlite: every caller shares the instance.
          async open() {
            db ??= await openPglite(dir);
            return db;
          },
          async cleanup() {
            await db?.close().catch(() => undefined);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    ],
  ];
}
