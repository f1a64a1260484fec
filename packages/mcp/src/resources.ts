// Resources (accounts, recent posts, one post) and prompts for the two jobs agents are asked most:
// post a campaign, and find out why a post failed.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { redact } from '@tokpipe/core';
import { z } from 'zod';
import type { PostingService } from '@tokpipe/core';

export function registerResources(
  server: McpServer,
  backend: PostingService,
  secrets: ReadonlyArray<string | undefined> = [],
): void {
  const json = (uri: string, value: unknown) => ({
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(redact(value, secrets), null, 2) }],
  });
  server.registerResource(
    'accounts',
    'tokpipe://accounts',
    {
      title: 'TikTok accounts',
      description: 'Connected accounts with health, caps left today and token expiry (never a token).',
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await backend.accounts.list()),
  );
  server.registerResource(
    'recent-posts',
    'tokpipe://posts/recent',
    {
      title: 'Recent posts',
      description: 'The 20 newest posts with state, TikTok status, post ids and last error.',
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await backend.list({ limit: 20 })),
  );
  server.registerResource(
    'post',
    new ResourceTemplate('tokpipe://posts/{jobId}', { list: undefined }),
    { title: 'One post', description: 'A post by its jobId.', mimeType: 'application/json' },
    async (uri, variables) => json(uri.href, await backend.status({ jobId: String(variables.jobId) })),
  );
}

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'post_campaign',
    {
      title: 'Post this campaign',
      description:
        'Post a list of videos or photo sets safely: check each, post once, follow each to its final status.',
      argsSchema: {
        campaign: z
          .string()
          .describe('The posts: one per line or a table (media URL or file, caption, privacy, account, time)'),
      },
    },
    ({ campaign }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              'Post this campaign to TikTok with the tokpipe tools:',
              '',
              campaign,
              '',
              'Steps: 1) list_accounts, and pick accounts with caps left. 2) For each post, validate_post first and fix every issue it',
              'names (ask me when a field needs my decision, e.g. the privacy level: creator_info lists the allowed ones). 3) Post with',
              'post_video, post_photos or post_to_inbox and a stable idempotencyKey per row (e.g. campaign name + row number), so a',
              'retry of yours never posts twice. 4) get_post_status with wait for each post. 5) For any failure, explain_error with its',
              'jobId and tell me what to do. End with a table: row, account, state, post id or error.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    'why_did_this_post_fail',
    {
      title: 'Why did this post fail?',
      description: 'Find out what happened to a post and what to do about it.',
      argsSchema: { post: z.string().describe('The jobId or publish_id of the post') },
    },
    ({ post }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Find out why the TikTok post ${post} failed, using the tokpipe tools.`,
              'Call get_post_status (jobId or publishId), then explain_error with the jobId (or the error code). Check dlq_list for',
              'its dead letter. Tell me in plain words: what happened, whether tokpipe will retry, the TikTok log_id for support, and',
              'the exact next step. If its outcome is unknown, do not replay it with force before I confirm it is not on the account.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
