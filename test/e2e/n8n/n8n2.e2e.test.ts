// The e2e scenarios (scenarios.ts) in a real n8n 2.41.1 on Node 24 (npm `node@24` under .tools/n8n/node24).
import { N8N_2 } from './harness';
import { describeN8nE2e } from './scenarios';

jest.setTimeout(20 * 60_000); // the first run on a new machine installs Node 24 and n8n 2.x (minutes)

describeN8nE2e(N8N_2);
