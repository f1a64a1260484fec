// The "via tokpipe server" scenarios (server-mode.ts) in a real n8n 1.123.50 on the system Node 20.
import { N8N_1 } from './harness';
import { describeServerModeE2e } from './server-mode';

jest.setTimeout(20 * 60_000); // the first run on a new machine installs n8n (minutes)

describeServerModeE2e(N8N_1);
