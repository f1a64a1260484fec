export type { Db, QueryResult, CountingDb } from './db/db';
export { countRoundTrips } from './db/db';
export { openPglite } from './db/pglite';
export { openPostgres } from './db/postgres';
export { migrate, currentVersion, type MigrationResult } from './db/migrate';
export { migrations, latestVersion, type Migration } from './db/migrations';
export { openDb, databaseUrlFrom, type OpenDbOptions } from './db/open';
