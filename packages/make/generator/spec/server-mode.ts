// "Via tokpipe server" mode: a connection (server URL + API key), a dedicated webhook that subscribes
// itself to the server's events (attach/detach) with the instant trigger it feeds, and post modules that
// send POST /v1/posts with an Idempotency-Key. Routes, headers, event types, fields and the meaning of the
// server's problem+json all come from core (catalog/server-api.ts, adapter-kit/server-client.ts).
import {
  catalogField,
  CONFIGURATION_CODES,
  DELIVERY_TOLERANCE_SEC,
  DISPOSITION_CATEGORY,
  formFields,
  platformReaction,
  SERVER_ACTION_BY_STATUS,
  SERVER_CREDENTIAL_FIELDS,
  SERVER_EVENT_FIELDS,
  SERVER_EVENT_OPTIONS,
  SERVER_HEADERS,
  SERVER_ACTION_BY_RANGE,
  SERVER_OTHER_ACTION,
  SERVER_OTHER_STATUS_DISPOSITION,
  SERVER_POST_FIELDS,
  SERVER_POST_INPUTS,
  serverEventFieldSources,
  serverPostFieldPath,
  SERVER_STATUS_DISPOSITIONS,
  serverPostBody,
  serverRequest,
  type Disposition,
  type ServerRoute,
  type StatusTest,
} from '@tokpipe/core';
import { chooseIml, makeTypeOfReaction, type Branch, type MakeErrorType, type Outcome } from './errors';
import type { ModuleFiles } from './module-parts';
import { replyInterface } from './module-parts';
import { MAKE_TYPES, toMakeParam, type MakeParam } from './params';
import { redactedIml } from './responses';

export const SERVER_CONNECTION = 'tokpipeServer';
export const SERVER_WEBHOOK = 'tokpipeServerEvents';

type Source = 'parameters' | 'connection';
/** Where the connection's values are: `parameters` while the connection is checked, `connection` after. */
const conn = (from: Source) => ({ serverUrl: `{{${from}.serverUrl}}`, apiKey: `{{${from}.apiKey}}` });
const log = { sanitize: ['request.headers.authorization', 'response.body.secret'] };

// ---------------------------------------------------------------- problem+json → Make error types
/** Core's disposition → Make type, through core's platform reaction (as for TikTok's own table); retryable
 * as readServerReply reads it (the disposition's category). */
function typeOf(disposition: Disposition): MakeErrorType {
  const reaction = platformReaction({ disposition, retryable: DISPOSITION_CATEGORY[disposition] === 'retryable' });
  return reaction === 'retry_later' && disposition === 'wait_for_quota'
    ? 'RateLimitError'
    : makeTypeOfReaction(reaction);
}
const quote = (s: string) => `'${s}'`;
const statusIml = (t: StatusTest) => ('is' in t ? `statusCode == ${t.is}` : `statusCode >= ${t.from}`);
const outcome = (type: MakeErrorType, action = ''): Outcome => ({ type, action, code: '' });

const PROBLEM_BRANCHES: Branch[] = [
  // The credential itself (a wrong key, a missing scope): fixed in the connection, not by a re-run.
  ['statusCode == 401 || statusCode == 403', outcome('InvalidConfigurationError')],
  [[...CONFIGURATION_CODES].map((c) => `body.code == ${quote(c)}`).join(' || '), outcome('InvalidConfigurationError')],
  ...(Object.keys(DISPOSITION_CATEGORY) as Disposition[]).map(
    (d): Branch => [`body.disposition == ${quote(d)}`, outcome(typeOf(d))],
  ),
  // No disposition (a proxy's page, the server's own refusals): core's reading of the status.
  ...SERVER_STATUS_DISPOSITIONS.map(([tests, d]): Branch => [tests.map(statusIml).join(' || '), outcome(typeOf(d))]),
];
const PROBLEM_FALLBACK = outcome(typeOf(SERVER_OTHER_STATUS_DISPOSITION));
const ACTION_BRANCHES: Branch[] = [
  ...Object.entries(SERVER_ACTION_BY_STATUS).map(
    ([s, a]): Branch => [`statusCode == ${s}`, outcome('RuntimeError', a)],
  ),
  ...SERVER_ACTION_BY_RANGE.map(([t, a]): Branch => [statusIml(t), outcome('RuntimeError', a)]),
];

/** Response directives for a server reply: 2xx is the answer; a problem becomes its Make type and a message
 * with the server's detail, code, action and TikTok's log_id. */
function problemDirectives(from: Source): Record<string, unknown> {
  const detail = redactedIml("ifempty(body.detail, ifempty(toString(body), 'no reply body'))", [`${from}.apiKey`]);
  const action = `ifempty(body.action, ${chooseIml(ACTION_BRANCHES, outcome('RuntimeError', SERVER_OTHER_ACTION), 'action')})`;
  const message = `[{{statusCode}}] tokpipe server: {{${detail}}} [{{ifempty(body.code, 'http_' + statusCode)}}] {{${action}}} (log_id {{ifempty(body.logId, 'none')}})`;
  const type = '{{temp.serverError.type}}';
  return {
    temp: { serverError: { type: `{{${chooseIml(PROBLEM_BRANCHES, PROBLEM_FALLBACK, 'type')}}}` } },
    valid: true,
    error: { type, message },
  };
}

/** One of core's routes as a Make request (core's headers; Make sets Content-Type itself for JSON), with
 * `response` keys added to the problem handling. */
function route(
  name: ServerRoute,
  from: Source,
  call: { id?: string; body?: Record<string, unknown>; idempotencyKey?: string } = {},
  response: Record<string, unknown> = {},
): Record<string, unknown> {
  const ID = '__id__'; // core URL-encodes the id: the IML goes in afterwards
  const req = serverRequest(conn(from), name, { ...call, params: { id: call.id && ID } });
  const { ['Content-Type']: _json, ...headers } = req.headers;
  const body = req.body ? { body: req.body } : {};
  const url = req.url.replace(ID, call.id ?? '');
  return { url, method: req.method, headers, ...body, response: { ...problemDirectives(from), ...response }, log };
}

// ---------------------------------------------------------------- connection
const serverConnectionParams: MakeParam[] = SERVER_CREDENTIAL_FIELDS.map((f) => ({
  name: f.name,
  type: f.secret ? 'password' : 'text', // Make applies `pattern` to text
  label: f.label,
  help: f.secret ? f.description : `${f.description} No trailing slash.`,
  required: true,
  ...(f.secret ? {} : { validate: { pattern: '^https?://[^\\s/]+(/[^\\s]*[^\\s/])?$' } }),
}));

// The validation call: any key that may read the accounts is a working credential.
const metadata = { type: 'text', value: '{{parameters.serverUrl}} ({{length(body.accounts)}} accounts)' };
const serverConnectionCommunication = route('listAccounts', 'parameters', {}, { metadata });

// ---------------------------------------------------------------- webhook + instant trigger
const header = (name: string) => `headers.\`${name}\``;
const SIGNATURE = header(SERVER_HEADERS.signature);
const SIGNED_AT = `replace(first(split(${SIGNATURE}, ',')), 't=', '')`;
/** Core's delivery signature (webhooks/server-delivery.ts) in IML: HMAC-SHA256 under the secret attach
 * received, over `t.eventId.body`, within core's replay window. */
const SIGNED = [
  `replace(last(split(${SIGNATURE}, ',')), 's=', '') == sha256(${SIGNED_AT} + '.' + ${header(SERVER_HEADERS.eventId)} + '.' + createJSON(body), 'hex', webhook.secret)`,
  `${header(SERVER_HEADERS.eventId)} == body.id`,
  `parseNumber(${SIGNED_AT}) >= timestamp - ${DELIVERY_TOLERANCE_SEC}`,
  `parseNumber(${SIGNED_AT}) <= timestamp + ${DELIVERY_TOLERANCE_SEC}`,
].join(' && ');

/** A value found at the first of core's paths that has one (nested ifempty). */
const firstOf = (paths: string[][]): string =>
  paths.map((p) => `body.${p.join('.')}`).reduceRight((rest, path) => `ifempty(${path}, ${rest})`);

const serverWebhook = {
  params: [
    {
      name: 'events',
      type: 'select',
      multiple: true,
      label: 'Events',
      help: 'What starts the scenario.',
      required: true,
      options: SERVER_EVENT_OPTIONS.map((o) => ({ label: o.label, value: o.value })),
    },
  ],
  // A forged or replayed delivery gets 401 (the server logs it) and starts nothing.
  communication: {
    respond: { status: `{{if(${SIGNED}, 200, 401)}}`, type: 'json', body: { received: `{{${SIGNED}}}` } },
    condition: `{{${SIGNED}}}`,
    // Core's serverEventRecord, field by field: the envelope, the post's fields flat, or the account's.
    output: Object.fromEntries(
      SERVER_EVENT_FIELDS.map((f) => [f.name, `{{${firstOf(serverEventFieldSources(f.name))}}}`]),
    ),
  },
  // The id for detach, the secret for the signature check (shown once by the server).
  attach: route(
    'subscribe',
    'connection',
    { body: { targetUrl: '{{webhook.url}}', events: '{{parameters.events}}', label: 'Make' } },
    { data: { externalHookId: '{{body.id}}', secret: '{{body.secret}}' } },
  ),
  detach: route('unsubscribe', 'connection', { id: '{{webhook.externalHookId}}' }),
};

/** Core's serverPostRecord, field by field: the post flat, its failure in core's error words. */
const postOutput = Object.fromEntries(
  SERVER_POST_FIELDS.map((f) => {
    const path = serverPostFieldPath(f.name);
    const value = `body.${path.join('.')}`;
    // The failure's words may quote TikTok: redacted like every TikTok text the app shows.
    return [f.name, `{{${path[0] === 'error' ? redactedIml(value, ['connection.apiKey']) : value}}}`];
  }),
);

const watchServerEvents: ModuleFiles = {
  meta: {
    label: 'Watch Server Events',
    description:
      'Triggers when your tokpipe server reports a post published, failed, in the inbox, unconfirmed, set aside, or an account to reconnect. Subscribes itself to the server; each delivery is checked against its signature.',
    moduleType: 'instant_trigger',
    connection: SERVER_CONNECTION,
    webhook: SERVER_WEBHOOK,
  },
  files: {
    interface: replyInterface(SERVER_EVENT_FIELDS),
  },
};

// ---------------------------------------------------------------- posting through the server
const NOT_SENT = new Set(['mode', 'videoFile', 'waitForCompletion']);
const media = { post_video: 'video', post_photos: 'photo' } as const;

/** A post module: the mode select nests the fields only one mode takes; the Idempotency-Key is the user's,
 * else derived from the whole input, so a retry or re-run with the same input returns the same post. */
function serverPostModule(op: 'post_video' | 'post_photos', label: string, description: string): ModuleFiles {
  const fieldsOf = (mode: 'direct' | 'draft') => formFields(op, mode).filter((f) => !NOT_SENT.has(f.name));
  const inDraft = new Set(fieldsOf('draft').map((f) => f.name));
  const shared = fieldsOf('direct').filter((f) => inDraft.has(f.name));
  const kind = (mode: 'direct' | 'draft') => `${mode}_${media[op]}` as const;
  const param = (f: ReturnType<typeof fieldsOf>[number], mode: 'direct' | 'draft') =>
    toMakeParam(f, kind(mode), f.name === 'videoUrl' ? { required: true } : {});
  const modeField = catalogField('mode');
  const modeParam = toMakeParam(modeField, kind('direct'), {
    options: modeField.options!.map((o) => {
      const mode = o.value as 'direct' | 'draft';
      const only = fieldsOf(mode).filter((f) => !shared.includes(f));
      return { label: o.label, value: o.value, nested: only.map((f) => param(f, mode)) };
    }),
  });
  const options = SERVER_POST_INPUTS.filter((f) => f.operations.includes(op)).map((f) => ({
    name: f.name,
    label: f.label,
    type: MAKE_TYPES[f.type],
    help: f.description,
    ...(f.advanced ? { advanced: true } : {}),
  }));
  const sent = [...new Set([...fieldsOf('direct'), ...fieldsOf('draft'), ...options].map((f) => f.name))];
  const values = Object.fromEntries(sent.filter((n) => n !== 'idempotencyKey').map((n) => [n, `{{parameters.${n}}}`]));
  const communication = route(
    'createPost',
    'connection',
    {
      // Core's body shape; the mode is the module's select, read in IML when the module runs.
      body: serverPostBody(values, "{{ifempty(parameters.mode, 'direct')}}" as 'direct', { templates: true }),
      idempotencyKey: "{{ifempty(parameters.idempotencyKey, 'make-' + sha256(createJSON(parameters), 'hex'))}}",
    },
    { output: postOutput },
  );
  return {
    meta: { label, description, moduleType: 'action', actionCrud: 'create', connection: SERVER_CONNECTION },
    files: {
      communication,
      'mappable-params': [modeParam, ...shared.map((f) => param(f, 'direct')), ...options],
      interface: replyInterface(SERVER_POST_FIELDS),
    },
  };
}

const SAFE_RERUN =
  'Posts through your tokpipe server with an Idempotency-Key: when a reply is lost and Make runs the module again with the same input, the server returns the same post, never a second one.';
const postVideoViaServer = serverPostModule(
  'post_video',
  'Post Video via Server',
  `Posts a video from a URL (direct or as a draft) through your tokpipe server, which queues it, retries it and reports it. ${SAFE_RERUN}`,
);
const postPhotosViaServer = serverPostModule(
  'post_photos',
  'Post Photos via Server',
  `Posts a photo carousel (direct or as a draft) through your tokpipe server. ${SAFE_RERUN}`,
);

export const SERVER_MODULES = { watchServerEvents, postVideoViaServer, postPhotosViaServer };
/** The connection and the webhook as the manifest lists them: type, id, entry, code files. */
export const SERVER_COMPONENTS: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'connection',
    SERVER_CONNECTION,
    { label: 'tokpipe server', connectionType: 'basic' },
    { communication: serverConnectionCommunication, params: serverConnectionParams },
  ],
  [
    'webhook',
    SERVER_WEBHOOK,
    { label: 'tokpipe Server Events', webhookType: 'web', connection: SERVER_CONNECTION },
    serverWebhook,
  ],
];
