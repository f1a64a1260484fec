// `tokpipe post` and `tokpipe status`: one post through core's poster, reported as the documented
// JSON object and exit code.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  PRIVACY_LEVELS,
  validatePostRequest,
  type MediaSource,
  type PostRequest,
  type PrivacyLevel,
} from '@tokpipe/core';
import { videoFileSource } from '@tokpipe/core/node';
import { UsageError, type CommandSpec } from '../args';
import { readEnv } from '../env';
import { isTokpipeError } from '../errors';
import { describeOutcome, EXIT, exitCodeForOutcome, toJsonResult, type OutcomeLike } from '../outcome';
import { adoptSinglePost, openPostAdvice } from '../single-post';
import { fileTokenManager, makePoster, runtime, tokenFilePath } from '../context';
import { databaseFlag, STORE_HELP, openState } from '../state';
import { useTokenFile } from '../token-source';
import type { Command } from '../main';
import type { CliIO } from '../io';

/** PostRequest field (as core's validator names it) → the flag the user typed. */
const FLAG_BY_FIELD: Record<string, string> = {
  mode: '--mode',
  title: '--title',
  privacyLevel: '--privacy',
  'media.url': '--video-url',
  'media.file': '--video-file',
  'media.urls': '--photo-url',
  idempotencyKey: '--idempotency-key',
};

function flagFor(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const exact = FLAG_BY_FIELD[field];
  if (exact) return exact;
  const prefix = Object.keys(FLAG_BY_FIELD).find((f) => field.startsWith(f + '[') || field.startsWith(f + '.'));
  return prefix ? FLAG_BY_FIELD[prefix] : undefined;
}

const postSpec: CommandSpec = {
  usage:
    'tokpipe post [--video-url URL | --video-file PATH | --photo-url URL ...] [--mode direct|draft] [--title TEXT] [--privacy LEVEL] [--wait] [--json] [--token-file PATH]',
  flags: {
    'video-url': { kind: 'string', description: 'video TikTok pulls from a verified https URL' },
    'video-file': { kind: 'string', description: 'local video file, uploaded in chunks' },
    'photo-url': { kind: 'list', description: 'photo URL (up to 35)' },
    mode: {
      kind: 'string',
      choices: ['direct', 'draft'],
      description: 'direct to the profile, or draft to the inbox (default direct)',
    },
    title: { kind: 'string', description: 'caption (#hashtags and @mentions work)' },
    privacy: { kind: 'string', choices: PRIVACY_LEVELS, description: 'privacy level (required for direct posts)' },
    'idempotency-key': { kind: 'string', description: 'override the computed idempotency key' },
    wait: { kind: 'boolean', description: 'wait until TikTok reports a final status' },
    json: { kind: 'boolean', description: 'print one JSON object' },
    'token-file': { kind: 'string', description: 'token file (default .tokpipe/token.json)' },
    store: { kind: 'string', description: STORE_HELP },
    ...databaseFlag,
  },
};

async function mediaFrom(flags: Record<string, unknown>, cwd: string): Promise<MediaSource> {
  const given = (['video-url', 'video-file', 'photo-url'] as const).filter((f) => flags[f] !== undefined);
  if (given.length === 0)
    throw new UsageError('give the media: --video-url URL, --video-file PATH or --photo-url URL', '--video-url');
  if (given.length > 1)
    throw new UsageError(
      `give only one kind of media, not ${given.map((f) => `--${f}`).join(' and ')}`,
      `--${given[1]}`,
    );
  if (flags['video-url'] !== undefined) return { type: 'video_url', url: flags['video-url'] as string };
  if (flags['photo-url'] !== undefined) return { type: 'photo_urls', urls: flags['photo-url'] as string[] };
  const file = path.resolve(cwd, flags['video-file'] as string);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat || !stat.isFile())
    throw new UsageError(`--video-file ${file} does not exist or is not a file`, '--video-file');
  // The bytes must be a video TikTok takes (the extension is not trusted); nothing is sent otherwise.
  const source = await videoFileSource(file).catch((err: unknown) => {
    if (!isTokpipeError(err)) throw err;
    throw new UsageError(
      `--video-file ${err.details.message.replace(/^[\w.[\]]+: /, '').replace(/ \[invalid_input\].*$/s, '')}`,
      '--video-file',
    );
  });
  return { type: 'video_file', file: source };
}

/** Re-raises core's input errors with the flag named, so the user knows what to change. */
function withFlag(err: unknown): never {
  if (isTokpipeError(err) && (err.details.layer === 'input' || err.details.layer === 'structural')) {
    const flag = flagFor(err.details.field);
    if (flag && !err.details.message.includes(flag)) err.details.message = `${flag}: ${err.details.message}`;
  }
  throw err;
}

function print(io: CliIO, json: boolean, outcome: OutcomeLike): void {
  if (json) io.stdout.write(JSON.stringify(toJsonResult(outcome)) + '\n');
  else io.stdout.write(describeOutcome(outcome));
}

/** Without --wait the poster says ACCEPTED; the documented output is TikTok's own status string, so
 * ask once. If that fails, the state TikTok is in right after a successful init is known anyway. */
async function currentStatus(
  accepted: OutcomeLike,
  request: PostRequest,
  fetch: (publishId: string) => Promise<OutcomeLike>,
): Promise<OutcomeLike> {
  try {
    const now = await fetch(accepted.publishId!);
    return { ...accepted, status: now.status, postIds: now.postIds, error: now.error };
  } catch {
    return { ...accepted, status: request.media.type === 'video_file' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD' };
  }
}

export const post: Command = {
  path: ['post'],
  spec: postSpec,
  async run(args, io) {
    const env = readEnv(io.env);
    const flags = args.flags;
    const request: PostRequest = {
      mode: (flags.mode as 'direct' | 'draft' | undefined) ?? 'direct',
      media: await mediaFrom(flags, io.cwd),
    };
    if (flags.title !== undefined) request.title = flags.title as string;
    if (flags.privacy !== undefined) request.privacyLevel = flags.privacy as PrivacyLevel;
    if (flags['idempotency-key'] !== undefined) request.idempotencyKey = flags['idempotency-key'] as string;
    try {
      validatePostRequest(request);
    } catch (err) {
      withFlag(err);
    }
    const tokenFile = tokenFilePath(flags['token-file'], io.cwd);
    const rt = runtime(env);
    // The file's tokens, or (moved by `accounts add`) the account it points at, in the state it names.
    const use = await useTokenFile(rt, tokenFile, flags, io);
    const auth = use.kind === 'account' ? use.auth : fileTokenManager(rt, tokenFile, (line) => io.stderr.write(line));
    const state = use.kind === 'account' ? use.state : await openState(rt, flags, io);
    const { store } = state;
    try {
      const poster = makePoster(rt, auth, store, state.engine?.limiter);
      const wait = flags.wait === true;
      const startedAt = rt.clock.now();
      const posted = await poster.post(request, { wait }).catch(withFlag);
      let outcome: OutcomeLike = posted;
      if (outcome.status === 'ACCEPTED' && outcome.publishId)
        outcome = await currentStatus(outcome, request, (id) => poster.status(id));
      const code = exitCodeForOutcome(outcome, wait);
      if (code !== EXIT.unconfirmed || !posted.idempotencyKey) {
        print(io, flags.json === true, outcome);
        return code;
      }
      // TikTok may have it: recorded where `tokpipe reconcile` and `tokpipe resolve` find it.
      const media =
        flags['video-file'] !== undefined
          ? { type: 'video_file' as const, path: path.resolve(io.cwd, flags['video-file'] as string) }
          : (request.media as { type: 'video_url'; url: string } | { type: 'photo_urls'; urls: string[] });
      const open = { ...outcome, idempotencyKey: posted.idempotencyKey };
      const token = { open_id: use.openId, scopes: use.scopes };
      const account = use.kind === 'account' ? use.account.id : undefined;
      const job = await adoptSinglePost(rt, state, {
        tokenFile,
        token,
        account,
        request,
        media,
        outcome: open,
        startedAt,
      });
      if (job.state === 'published' || job.state === 'delivered') {
        // Settled since by `tokpipe reconcile` or `tokpipe resolve --posted`: that is the answer.
        const status = job.state === 'published' ? 'PUBLISH_COMPLETE' : 'SEND_TO_USER_INBOX';
        const publishId = job.publishId ?? outcome.publishId;
        const settled: OutcomeLike = { ...outcome, publishId, status, postIds: job.postIds, error: null };
        print(io, flags.json === true, settled);
        return EXIT.ok;
      }
      if (flags.json === true) io.stdout.write(JSON.stringify({ ...toJsonResult(outcome), jobId: job.id }) + '\n');
      else
        io.stdout.write(
          describeOutcome(outcome) + openPostAdvice(job, typeof flags.store === 'string' ? flags.store : '') + '\n',
        );
      return code;
    } finally {
      await state.close();
    }
  },
};

export const status: Command = {
  path: ['status'],
  spec: {
    usage: 'tokpipe status PUBLISH_ID [--json] [--token-file PATH]',
    flags: {
      json: { kind: 'boolean', description: 'print one JSON object' },
      wait: { kind: 'boolean', description: 'keep polling until a final status' },
      'token-file': { kind: 'string', description: 'token file (default .tokpipe/token.json)' },
    },
    positionals: [{ name: 'PUBLISH_ID', required: true }],
  },
  async run(args, io) {
    const env = readEnv(io.env);
    const publishId = args.positionals.PUBLISH_ID!;
    if (publishId.length > 64)
      throw new UsageError('PUBLISH_ID is longer than 64 characters; TikTok publish ids are short', 'PUBLISH_ID');
    const tokenFile = tokenFilePath(args.flags['token-file'], io.cwd);
    const rt = runtime(env);
    const use = await useTokenFile(rt, tokenFile, {}, io);
    try {
      const auth = use.kind === 'account' ? use.auth : fileTokenManager(rt, tokenFile, (line) => io.stderr.write(line));
      const poster = makePoster(rt, auth, undefined, use.kind === 'account' ? use.state.engine?.limiter : undefined);
      const wait = args.flags.wait === true;
      const outcome = wait ? await poster.waitForCompletion(publishId) : await poster.status(publishId);
      print(io, args.flags.json === true, outcome);
      return exitCodeForOutcome(outcome, wait);
    } finally {
      if (use.kind === 'account') await use.state.close();
    }
  },
};
