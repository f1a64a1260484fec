// "Via tokpipe server" mode as an adapter's user sees it: the extra inputs a post through the server takes,
// the fields of a server post and of a delivered event (flat, the error in core's ERROR_FIELDS words), and
// one sample of each, so every platform shows the same names, labels and example.
import type { CatalogField } from '../catalog/fields';
import { ERROR_FIELDS, POST_OUTCOME_FIELDS, type OutputField } from '../catalog/outcome-fields';
import type { ServerEvent } from '../catalog/server-api';
import { SAMPLE_POST_ID, SAMPLE_PUBLISH_ID } from './samples';

/** The credential of server mode: what each platform's connection form asks for. */
export const SERVER_CREDENTIAL_FIELDS: ReadonlyArray<{
  name: 'serverUrl' | 'apiKey';
  label: string;
  secret: boolean;
  placeholder: string;
  description: string;
}> = Object.freeze([
  {
    name: 'serverUrl',
    label: 'Server URL',
    secret: false,
    placeholder: 'https://tokpipe.example.com',
    description: 'The address of your tokpipe server (tokpipe serve), reachable from this platform.',
  },
  {
    name: 'apiKey',
    label: 'API Key',
    secret: true,
    placeholder: 'tpk_...',
    description:
      'An API key of that server (tokpipe keys create --scope post): post scope to post, read scope for triggers.',
  },
]);

/** Inputs of POST /v1/posts that are the server's, not TikTok's (the server's postBodySchema takes them). */
export const SERVER_POST_INPUTS: readonly CatalogField[] = Object.freeze([
  {
    name: 'account',
    label: 'Account',
    type: 'string',
    required: false,
    operations: ['post_video', 'post_photos'],
    description: "The server's account to post from (its id, see tokpipe accounts); empty: the server picks one.",
  },
  {
    name: 'serverUpload',
    label: 'Server Downloads the Video',
    type: 'boolean',
    required: false,
    operations: ['post_video'],
    description:
      'The server downloads the Video URL and uploads the file to TikTok: for URLs on domains not verified with TikTok.',
    advanced: true,
  },
  {
    name: 'label',
    label: 'Label',
    type: 'string',
    required: false,
    operations: ['post_video', 'post_photos'],
    description: 'Free text shown in lists and reports.',
    advanced: true,
  },
] satisfies CatalogField[]);

const SHARED_WITH_OUTCOME = ['publishId', 'postIds', 'attempts', 'idempotencyKey', 'reused'];

/** A post on the server (its PostView), flat. */
export const SERVER_POST_FIELDS: readonly OutputField[] = Object.freeze([
  { name: 'jobId', label: 'Post ID (server)', type: 'string', description: "The server's id for this post." },
  { name: 'account', label: 'Account', type: 'string', description: 'The server account that posts it.' },
  {
    name: 'state',
    label: 'State',
    type: 'string',
    description: 'Where the post is on the server (queued, accepted, published, ...).',
  },
  { name: 'status', label: 'TikTok Status', type: 'string', description: "TikTok's last status for the post." },
  { name: 'final', label: 'Final', type: 'boolean', description: 'Nothing about this post changes any more.' },
  // The outcome's own fields, as the creates of direct mode name them.
  ...POST_OUTCOME_FIELDS.filter((f) => SHARED_WITH_OUTCOME.includes(f.name)),
  { name: 'label', label: 'Label', type: 'string', description: 'Your free-text label.' },
  { name: 'submittedAt', label: 'Submitted At', type: 'string', description: 'When the server took the post.' },
  ...ERROR_FIELDS,
] satisfies OutputField[]);

/** A delivered event: which, when, then the post (or, for token_expiring, the account) beside it. */
export const SERVER_EVENT_FIELDS: readonly OutputField[] = Object.freeze([
  { name: 'eventId', label: 'Event ID', type: 'string', description: "The event's stable id (one per happening)." },
  { name: 'event', label: 'Event', type: 'string', description: 'published, failed, inbox, unconfirmed, dlq, ...' },
  { name: 'createdAt', label: 'Happened At', type: 'string', description: 'When it happened (ISO 8601).' },
  ...SERVER_POST_FIELDS,
  {
    name: 'reason',
    label: 'Reason',
    type: 'string',
    description: 'token_expiring: why the account needs reconnecting.',
  },
] satisfies OutputField[]);

/** The server's ErrorView → core's ERROR_FIELDS names (the words every adapter shows for a failure). */
const ERROR_FROM_VIEW: ReadonlyMap<string, string> = new Map([
  ['error', 'message'],
  ['category', 'class'],
]);
const ERROR_NAMES: ReadonlySet<string> = new Set(ERROR_FIELDS.map((f) => f.name));

/** Where a SERVER_POST_FIELDS value is in a PostView (keys from the top): the post's own fields by name,
 * a failure's in its ErrorView. serverPostRecord reads with it; Make's generator writes it as IML. */
export function serverPostFieldPath(name: string): string[] {
  return ERROR_NAMES.has(name) ? ['error', ERROR_FROM_VIEW.get(name) ?? name] : [name];
}

const ENVELOPE: Readonly<Record<string, string>> = { eventId: 'id', event: 'type', createdAt: 'createdAt' };

/** Where a SERVER_EVENT_FIELDS value is in a delivery's body, as paths tried in order (the first with a value
 * wins): the envelope's own keys, then the post (data.post), else an account event's data. */
export function serverEventFieldSources(name: string): string[][] {
  if (ENVELOPE[name]) return [[ENVELOPE[name]!]];
  const fromPost = ['data', 'post', ...serverPostFieldPath(name)];
  return name === 'account' ? [['account'], fromPost, ['data', 'account']] : [fromPost, ['data', name]];
}

const at = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
const emptyOf = (f: OutputField): unknown => (f.type === 'string_list' ? [] : null);

/** A PostView (reply of POST/GET /v1/posts, or an event's data.post) as SERVER_POST_FIELDS' flat record. */
export function serverPostRecord(view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    SERVER_POST_FIELDS.map((f) => {
      const v = at(view, serverPostFieldPath(f.name));
      return [f.name, given(v) ? v : emptyOf(f)];
    }),
  );
}

/** A delivery as a trigger outputs it: every SERVER_EVENT_FIELDS key whatever the event (absent: null), the
 * post's fields flat (its error in core's ERROR_FIELDS words), or an account event's (token_expiring). */
export function serverEventRecord(event: ServerEventPayload): Record<string, unknown> {
  return Object.fromEntries(
    SERVER_EVENT_FIELDS.map((f) => {
      const hit = serverEventFieldSources(f.name)
        .map((path) => at(event, path))
        .find(given);
      return [f.name, hit ?? emptyOf(f)];
    }),
  );
}

/** What a delivery carries (the server's OutgoingEvent). */
export interface ServerEventPayload {
  id: string;
  type: ServerEvent;
  account: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

export const SAMPLE_SERVER_POST: Readonly<Record<string, unknown>> = Object.freeze({
  jobId: 'job_3f9a1c2b7d4e5f60',
  idempotencyKey: 'zapier-4f1c2a9b',
  reused: false,
  account: 'brand',
  state: 'published',
  status: 'PUBLISH_COMPLETE',
  final: true,
  publishId: SAMPLE_PUBLISH_ID,
  postIds: [SAMPLE_POST_ID],
  attempts: 1,
  label: null,
  error: null,
  submittedAt: '2026-11-25T12:00:00.000Z',
});

/** A delivery's body (the server's OutgoingEvent). */
export const SAMPLE_SERVER_EVENT: Readonly<{
  id: string;
  type: ServerEvent;
  account: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}> = Object.freeze({
  id: 'evt_5b0c8f5e2a7d4c1b9e3f6a8d0c2b4e6f',
  type: 'published',
  account: 'brand',
  createdAt: '2026-11-25T12:01:00.000Z',
  data: { post: SAMPLE_SERVER_POST },
});
