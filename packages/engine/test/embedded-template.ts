// Tests open many fresh embedded databases (one per working directory). A fresh one costs an initdb
// (~4 s, much more on a busy machine); a copy of one migrated template costs a file copy. The template
// is built once per migration set and PGlite version, shared by every test file and run.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../src/db/migrations';
import { openEmbedded } from '../src/db/open';

// The pinned PGlite version (its own package.json is not exported): a new PGlite gets a new template.
const pgliteVersion = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies['@electric-sql/pglite']!;
const id = createHash('sha256').update(JSON.stringify(migrations)).update(pgliteVersion).digest('hex').slice(0, 16);
export const TEMPLATE_DIR = path.join(os.tmpdir(), `tokpipe-test-pgdata-${id}`);

let building: Promise<string> | undefined;

/** The template's directory, built (initdb + migrations) if no run built it before. */
export function embeddedTemplate(): Promise<string> {
  return (building ??= (async () => {
    if (existsSync(TEMPLATE_DIR)) return TEMPLATE_DIR;
    const scratch = `${TEMPLATE_DIR}.${process.pid}.tmp`;
    const db = await openEmbedded(scratch, { share: false });
    await db.close();
    try {
      renameSync(scratch, TEMPLATE_DIR); // atomic: a reader sees a whole template or none
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another test file built it first
    }
    return TEMPLATE_DIR;
  })());
}

/** Gives `dataDir` a migrated embedded database unless it has one (a copy of the template). */
export async function seedEmbedded(dataDir: string): Promise<void> {
  if (!existsSync(dataDir)) cpSync(await embeddedTemplate(), dataDir, { recursive: true });
}

/** The same, only if the template exists already (for callers that cannot wait). */
export function seedEmbeddedSync(dataDir: string): void {
  if (!existsSync(dataDir) && existsSync(TEMPLATE_DIR)) cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
}
