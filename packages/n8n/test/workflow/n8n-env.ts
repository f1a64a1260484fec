// Imported first by the host: n8n-core keeps its instance settings (an encryption key) under N8N_USER_FOLDER,
// so each test file gets a throwaway folder instead of the user's ~/.n8n.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const folder = mkdtempSync(join(tmpdir(), 'tokpipe-n8n-home-'));
process.env.N8N_USER_FOLDER = folder;
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'true';

export function removeUserFolder(): void {
	rmSync(folder, { recursive: true, force: true });
}
