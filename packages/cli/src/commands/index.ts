// Every `tokpipe` command, as a table (main.ts picks the longest matching path).
import type { Command } from '../main';
import { webhooksListen } from './webhooks';

export const commands: Command[] = [webhooksListen];
