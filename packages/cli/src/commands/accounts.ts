// `tokpipe accounts add|list|health`: the registry the pipeline posts through (kept in the store).
import * as path from 'node:path';
import { AccountRegistry, CapTracker, JOB_PREFIX, type AccountRecord, type Job, type TokenRecord } from '@tokpipe/core';
import { describeLocation, readTokenSource, tokenRecordFromFile, writeTokenPointer } from '@tokpipe/core/node';
import { UsageError } from '../args';
import { runtime } from '../context';
import { accountTokens, pointedAccount, sameLocation, stateLocation } from '../token-source';
import { databaseFlag, STORE_HELP, openState } from '../state';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import { renderTable } from '../report';
import type { Command } from '../main';

const storeFlag = {
  store: { kind: 'string' as const, description: STORE_HELP },
  ...databaseFlag,
};
const jsonFlag = { json: { kind: 'boolean' as const, description: 'print JSON' } };

export const accountsAdd: Command = {
  path: ['accounts', 'add'],
  spec: {
    usage: 'tokpipe accounts add NAME --token-file PATH [--region TAG] [--direct-cap N] [--draft-cap N] [--store PATH]',
    flags: {
      'token-file': {
        kind: 'string',
        description:
          'token file from `tokpipe auth login` (its tokens move into the state; the file then points at the account)',
      },
      region: { kind: 'string', description: 'country/region tag the router matches' },
      'direct-cap': { kind: 'integer', min: 0, description: 'Direct Post posts per 24 h (default 15)' },
      'draft-cap': { kind: 'integer', min: 0, description: 'pending drafts per 24 h (default 5)' },
      ...storeFlag,
      ...jsonFlag,
    },
    positionals: [{ name: 'NAME', required: true }],
  },
  async run(args, io) {
    const env = readEnv(io.env);
    if (typeof args.flags['token-file'] !== 'string')
      throw new UsageError('--token-file is required (create one with `tokpipe auth login`)', '--token-file');
    const file = path.resolve(io.cwd, args.flags['token-file']);
    const source = await readTokenSource(file);
    const name = args.positionals.NAME!;
    const here = stateLocation(args.flags, io);
    if ('pointer' in source && (source.pointer.account !== name || !sameLocation(source.pointer.state, here)))
      throw new UsageError(
        `token file ${file} holds no tokens: they moved into account "${source.pointer.account}" in ` +
          `${describeLocation(source.pointer.state)}. To add another account, log in for a new file ` +
          '(`tokpipe auth login --token-file NEW_FILE`)',
        '--token-file',
      );
    const rt = runtime(env);
    const state = await openState(rt, args.flags, io);
    const { store } = state;
    try {
      const registry = new AccountRegistry(store, rt.clock);
      await registry.load();
      const caps: { directPerDay?: number; draftsPer24h?: number } = {};
      if (args.flags['direct-cap'] !== undefined) caps.directPerDay = args.flags['direct-cap'] as number;
      if (args.flags['draft-cap'] !== undefined) caps.draftsPer24h = args.flags['draft-cap'] as number;
      const settings = { caps, ...(typeof args.flags.region === 'string' ? { region: args.flags.region } : {}) };
      let moved = '';
      let record: AccountRecord;
      if ('tokens' in source) {
        const token = tokenRecordFromFile(source.tokens);
        await refuseCopy(rt, state, registry, name, token, file);
        record = await registry.add({
          id: name,
          openId: token.open_id,
          scopes: source.tokens.scopes,
          ...settings,
          token,
        });
        // Stored first, then the file loses its tokens: a crash in between leaves two copies, never none.
        await writeTokenPointer(file, {
          account: name,
          openId: token.open_id,
          state: here,
          movedAt: rt.clock.now(),
        }).catch((error: unknown) => {
          throw new Error(
            `account ${name} was added, but ${file} could not be rewritten (${error instanceof Error ? error.message : String(error)}): ` +
              "delete it yourself; its refresh token stops working at the account's next refresh",
          );
        });
        moved = `; its tokens moved from ${file} into the state (the file now only points at the account)`;
      } else {
        // The file already points at this account here: only the settings change.
        const existing = await pointedAccount(rt, state, file, source.pointer);
        if (existing.status === 'needs_reauth')
          throw new UsageError(
            `account ${name} needs a new login (${existing.statusReason ?? 'its authorization is gone'}): ` +
              `run \`tokpipe auth login --token-file ${file}\`; the new tokens go to the account`,
            '--token-file',
          );
        record = await registry.add({ id: name, openId: existing.openId, scopes: existing.scopes, ...settings });
        moved = `; its tokens were already in the state (${file} points at it)`;
      }
      if (args.flags.json === true) io.stdout.write(JSON.stringify(record) + '\n');
      else
        io.stdout.write(
          `account ${record.id} added (open_id ${record.openId ?? '?'}, scopes ${record.scopes.join(',') || 'none'}${record.region ? `, region ${record.region}` : ''})${moved}\n`,
        );
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

/** A refresh token another account already holds (the same file copied before it was added): storing it twice
 * would leave one of them dead after the next refresh. */
async function refuseCopy(
  rt: ReturnType<typeof runtime>,
  state: Awaited<ReturnType<typeof openState>>,
  registry: AccountRegistry,
  name: string,
  token: TokenRecord,
  file: string,
): Promise<void> {
  for (const other of registry.list()) {
    if (other.id === name || other.openId !== token.open_id) continue;
    const stored = await accountTokens(rt, state, other.id).load();
    if (stored?.refresh_token === token.refresh_token)
      throw new UsageError(
        `token file ${file} holds the same refresh token as account "${other.id}" (a copy of its file?): ` +
          'one refresh token can live in one place only; log in again for a new file (`tokpipe auth login`)',
        '--token-file',
      );
  }
}

export const accountsList: Command = {
  path: ['accounts', 'list'],
  spec: { usage: 'tokpipe accounts list [--json] [--store PATH]', flags: { ...storeFlag, ...jsonFlag } },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    // Read-only: the registry alone, so listing never resumes queued jobs.
    const state = await openState(rt, args.flags, io);
    const { store } = state;
    try {
      const registry = new AccountRegistry(store, rt.clock);
      await registry.load();
      const accounts = registry.list();
      if (args.flags.json === true) io.stdout.write(JSON.stringify(accounts) + '\n');
      else if (accounts.length === 0)
        io.stdout.write('no accounts yet: add one with `tokpipe accounts add NAME --token-file PATH`\n');
      else
        io.stdout.write(
          renderTable(
            ['account', 'open_id', 'region', 'status', 'direct/day', 'drafts/24h', 'scopes'],
            accounts.map((a) => [
              a.id,
              a.openId ?? '-',
              a.region ?? '-',
              a.status,
              String(a.caps.directPerDay),
              String(a.caps.draftsPer24h),
              a.scopes.join(','),
            ]),
          ),
        );
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

/** Job states that still count as work for an account. */
const WAITING_STATES = new Set(['queued', 'retry_wait', 'deferred', 'posting', 'accepted']);
const PARKED_STATES = new Set(['unconfirmed', 'unknown']);

export const accountsHealth: Command = {
  path: ['accounts', 'health'],
  spec: { usage: 'tokpipe accounts health [--json] [--store PATH]', flags: { ...storeFlag, ...jsonFlag } },
  async run(args, io) {
    const rt = runtime(readEnv(io.env));
    // Read from the store only: opening the pipeline would resume queued jobs, which a health check
    // must never do. Breaker state and health scores live in a running pipeline, not on disk.
    const state = await openState(rt, args.flags, io);
    const { store } = state;
    try {
      const registry = new AccountRegistry(store, rt.clock);
      await registry.load();
      const jobs = (await store.list(JOB_PREFIX)).map(([, raw]) => JSON.parse(raw) as Job);
      const now = rt.clock.now();
      const caps = new CapTracker();
      for (const job of jobs) caps.recordJob(job, now);
      const health = registry.list().map((a) => {
        const mine = jobs.filter((j) => j.account === a.id);
        return {
          account: a.id,
          status: a.status,
          ...(a.statusReason ? { statusReason: a.statusReason } : {}),
          ...(a.region ? { region: a.region } : {}),
          remaining: { direct: caps.remaining(a, 'direct', now), draft: caps.remaining(a, 'draft', now) },
          waiting: mine.filter((j) => WAITING_STATES.has(j.state)).length,
          unconfirmed: mine.filter((j) => PARKED_STATES.has(j.state)).length,
          dead: mine.filter((j) => j.state === 'dead').length,
        };
      });
      if (args.flags.json === true) io.stdout.write(JSON.stringify(health) + '\n');
      else
        io.stdout.write(
          renderTable(
            ['account', 'status', 'direct left', 'drafts left', 'waiting', 'unconfirmed', 'in DLQ', 'why'],
            health.map((h) => [
              h.account,
              h.status,
              String(h.remaining.direct),
              String(h.remaining.draft),
              String(h.waiting),
              String(h.unconfirmed),
              String(h.dead),
              h.statusReason ?? '',
            ]),
          ),
        );
      // Non-zero when an account needs a person to log in again: scripts can alert on it.
      return health.some((h) => h.status === 'needs_reauth') ? EXIT.reauthorize : EXIT.ok;
    } finally {
      await state.close();
    }
  },
};
