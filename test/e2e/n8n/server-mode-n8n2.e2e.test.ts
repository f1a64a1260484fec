// The "via tokpipe server" scenarios (server-mode.ts) in a real n8n 2.41.1 on Node 24 (.tools/n8n/node24).
import { N8N_2 } from './harness';
import { describeServerModeE2e } from './server-mode';

jest.setTimeout(20 * 60_000); // the first run on a new machine installs Node 24 and n8n 2.x (minutes)

describeServerModeE2e(N8N_2);
