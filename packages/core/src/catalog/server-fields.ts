// What the tokpipe server returns to an adapter, as field lists an adapter shows its users: a post (the
// server's post view) and a delivered event (serverEventRecord: the event's envelope, then the post's fields
// flat beside it). Written once here; the adapters' output definitions are generated from them.
import type { OutputField } from './outcome-fields';
import { SERVER_API_KEY_PREFIX, SERVER_EVENTS } from './server-api';

/** A post as POST/GET /v1/posts return it (core's PostView plus submittedAt), `error` aside (an object). */
export const SERVER_POST_FIELDS: readonly OutputField[] = Object.freeze([
  { name: 'jobId', label: 'Post ID', type: 'string', description: "The server's id for this post." },
  {
    name: 'idempotencyKey',
    label: 'Duplicate-Protection Key',
    type: 'string',
    description: 'The same key is never posted twice.',
  },
  {
    name: 'reused',
    label: 'Answered From an Earlier Identical Post',
    type: 'boolean',
    description: 'Nothing new was posted: an earlier request with this key made this post.',
  },
  { name: 'account', label: 'Account', type: 'string', description: 'The account that posts it.' },
  {
    name: 'state',
    label: 'State',
    type: 'string',
    description: 'Where the post is on the server: queued, posting, published, delivered, dead…',
  },
  { name: 'status', label: 'TikTok Status', type: 'string', description: "TikTok's last publish status." },
  { name: 'final', label: 'Final', type: 'boolean', description: 'Nothing more will happen to this post.' },
  { name: 'publishId', label: 'Publish ID', type: 'string', description: "TikTok's id for this post." },
  {
    name: 'postIds',
    label: 'Public Post IDs',
    type: 'string_list',
    description: 'The public post ids as exact strings (filled after moderation).',
  },
  { name: 'attempts', label: 'Post Attempts', type: 'number', description: 'Post requests sent to TikTok.' },
  { name: 'label', label: 'Label', type: 'string', description: 'Your label for this post.' },
  { name: 'submittedAt', label: 'Submitted At', type: 'string', description: 'When the server took it (ISO 8601).' },
] satisfies OutputField[]);

/** A delivered event's own fields; the post's (SERVER_POST_FIELDS) follow them in the record. */
export const SERVER_EVENT_FIELDS: readonly OutputField[] = Object.freeze([
  {
    name: 'eventId',
    label: 'Event ID',
    type: 'string',
    description: 'The same happening has the same id, however often it is delivered.',
  },
  { name: 'event', label: 'Event', type: 'string', description: `One of ${SERVER_EVENTS.join(', ')}.` },
  { name: 'account', label: 'Account', type: 'string', description: 'The account it is about.' },
  { name: 'createdAt', label: 'Happened At', type: 'string', description: 'ISO 8601.' },
] satisfies OutputField[]);

/** What a post body may carry besides core's post fields (the server's own options). */
export const SERVER_POST_OPTIONS: ReadonlyArray<OutputField & { advanced?: true }> = Object.freeze([
  {
    name: 'account',
    label: 'Account',
    type: 'string',
    description: 'The account to post from (its id on the server); empty: the server picks one.',
  },
  {
    name: 'serverUpload',
    label: 'Server Downloads the Video',
    type: 'boolean',
    description:
      'The server downloads the video URL and uploads the file to TikTok: for URLs on domains not verified with TikTok.',
    advanced: true,
  },
  {
    name: 'label',
    label: 'Label',
    type: 'string',
    description: 'Free text shown in lists and reports.',
    advanced: true,
  },
]);

/** The credential an adapter asks for in server mode (what serverConnection checks). */
export const SERVER_CONNECTION_FIELDS: ReadonlyArray<{
  name: 'serverUrl' | 'apiKey';
  label: string;
  secret: boolean;
  description: string;
}> = Object.freeze([
  {
    name: 'serverUrl',
    label: 'Server URL',
    secret: false,
    description: 'The address of your tokpipe server, e.g. https://tokpipe.example.com.',
  },
  {
    name: 'apiKey',
    label: 'API Key',
    secret: true,
    description: `A key from \`tokpipe keys create --scope post\` on the server (it starts with ${SERVER_API_KEY_PREFIX}).`,
  },
]);
