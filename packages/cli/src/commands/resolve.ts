// `tokpipe resolve ROW|JOB --posted POST_ID | --not-posted`: a person settles a row whose outcome
// TikTok never told us (reconcile shows which and why). Posted: the row is published with that post
// id. Not posted: the row is forgotten, so the next run of the campaign (or the same `tokpipe post`)
// sends it again, once.
import { isTokpipeError, type Job } from '@tokpipe/core';
import { UsageError } from '../args';
import { runtime } from '../context';
import { databaseFlag, STORE_HELP, openState } from '../state';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import { openPipeline } from '../pipeline-session';
import type { Command } from '../main';

/** How a row that was settled as not posted gets sent again, by where it came from. */
export function howToSendAgain(job: Job): string {
  if (job.adopted) return 'run the same `tokpipe post` command again to post it';
  return 'run its campaign again (`tokpipe campaign run FILE`) to post it; rows already posted are not sent twice';
}

/** The two ways to settle an open row, as a person types them. */
export function resolveHint(ref: string): string {
  return (
    `if you see it in the TikTok app: \`tokpipe resolve ${ref} --posted POST_ID\`; ` +
    `if it is not there: \`tokpipe resolve ${ref} --not-posted\` (then it may be sent again)`
  );
}

export const resolve: Command = {
  path: ['resolve'],
  spec: {
    usage: 'tokpipe resolve ROW|JOB_ID (--posted POST_ID | --not-posted) [--json] [--store PATH | --database URL]',
    flags: {
      posted: { kind: 'string', description: 'the post is on TikTok: its post id (the number in the post URL)' },
      'not-posted': {
        kind: 'boolean',
        description: 'the post is not on TikTok: forget the row so it may be sent again',
      },
      json: { kind: 'boolean', description: 'print JSON' },
      store: { kind: 'string', description: STORE_HELP },
      ...databaseFlag,
    },
    positionals: [{ name: 'ROW', required: true }],
  },
  async run(args, io) {
    const postId = args.flags.posted as string | undefined;
    const notPosted = args.flags['not-posted'] === true;
    if ((postId === undefined) === !notPosted)
      throw new UsageError('give exactly one of --posted POST_ID or --not-posted', '--posted');
    const ref = args.positionals.ROW!;
    const rt = runtime(readEnv(io.env));
    const session = await openPipeline(rt, await openState(rt, args.flags, io));
    try {
      const { pipeline } = session;
      const found = (() => {
        try {
          return pipeline.findJob(ref);
        } catch (err) {
          if (!isTokpipeError(err)) throw err;
          throw new UsageError(`ROW ${err.details.message.replace(/^job: /, '').replace(/ \[.*$/s, '')}`, 'ROW');
        }
      })();
      if (!found)
        throw new UsageError(`ROW ${ref} is no job in this store (see \`tokpipe reconcile\` for the open ones)`, 'ROW');
      const name = found.spec.idempotencyKey ?? found.spec.label ?? found.id;
      let job: Job;
      try {
        job = await pipeline.resolve(found.id, postId !== undefined ? { postId } : { notPosted: true });
      } catch (err) {
        if (!isTokpipeError(err) || err.details.layer !== 'input') throw err;
        const flag = err.details.field === 'postId' ? '--posted' : 'ROW';
        throw new UsageError(`${flag}: ${err.details.message.replace(/^\w+: /, '').replace(/ \[.*$/s, '')}`, flag);
      }
      if (args.flags.json === true) {
        io.stdout.write(
          JSON.stringify({ id: job.id, label: name, posted: postId !== undefined, postIds: postId ? [postId] : [] }) +
            '\n',
        );
      } else if (postId !== undefined) {
        io.stdout.write(`${name} (job ${job.id}): settled as posted, post ${postId}\n`);
      } else {
        io.stdout.write(`${name} (job ${job.id}): settled as not posted; ${howToSendAgain(job)}\n`);
      }
      return EXIT.ok;
    } finally {
      session.close();
    }
  },
};
