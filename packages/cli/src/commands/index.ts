// Every `tokpipe` command, as a table (main.ts picks the longest matching path).
import type { Command } from '../main';
import { accountsAdd, accountsHealth, accountsList } from './accounts';
import { authLogin } from './auth';
import { campaignRun } from './campaign';
import { demo } from './demo';
import { dlqList, dlqReplay, dlqShow, reconcile } from './dlq';
import { mcp } from './mcp';
import { post, status } from './post';
import { resolve } from './resolve';
import { sandbox } from './sandbox';
import { keysCreate, keysList, keysRevoke, serve } from './serve';
import { webhooksListen } from './webhooks';
import { campaignSubmit, worker } from './worker';

export const commands: Command[] = [
  post,
  status,
  webhooksListen,
  authLogin,
  campaignRun,
  campaignSubmit,
  worker,
  accountsAdd,
  accountsList,
  accountsHealth,
  dlqList,
  dlqShow,
  dlqReplay,
  reconcile,
  resolve,
  demo,
  sandbox,
  mcp,
  serve,
  keysCreate,
  keysList,
  keysRevoke,
];
