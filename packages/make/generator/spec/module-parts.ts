// Pieces several modules share: the status output and its interface, the status wait that follows a
// post request, the catalog's fields as parameters, and what every module file set looks like.
import {
  catalog,
  catalogField,
  ENDPOINTS,
  ERROR_FIELDS,
  FINAL_STATUSES,
  POST_OUTCOME_FIELDS,
  type PostKind,
  type ReplyField,
} from '@tokpipe/core';
import { MAKE_TYPES, postFields, toMakeParam, type MakeParam } from './params';
import { failedBranches, PROCESSING_CONDITION, responseErrorDirectives, statusIsOneOf } from './responses';
import { pollPlanSeconds, REPEAT, type PollPlan } from './timing';
import { CONNECTION } from './connection';

/** One module: its manifest entry and its code files (communication, parameters, interface…). */
export interface ModuleFiles {
  meta: Record<string, unknown>;
  files: Record<string, unknown>;
}

/** Core's post-outcome fields a Make module can fill from TikTok's status reply, in core's words. */
const STATUS_FIELDS = ['publishId', 'status', 'done', 'published', 'postIds'].map(
  (name) => POST_OUTCOME_FIELDS.find((f) => f.name === name)!,
);
const FAIL_REASON = ERROR_FIELDS.find((f) => f.name === 'failReason')!;

export const statusOutput = {
  publishId: '{{temp.publishId}}',
  status: '{{body.data.status}}',
  done: `{{${statusIsOneOf(FINAL_STATUSES)}}}`,
  published: `{{${statusIsOneOf(['PUBLISH_COMPLETE'])}}}`,
  postIds: '{{ifempty(body.data.publicaly_available_post_id, emptyarray)}}',
  failReason: '{{body.data.fail_reason}}',
  uploadedBytes: '{{body.data.uploaded_bytes}}',
  downloadedBytes: '{{body.data.downloaded_bytes}}',
};

export const statusInterface: MakeParam[] = [
  ...replyInterface([...STATUS_FIELDS, FAIL_REASON], { help: true }),
  // TikTok's progress counters for a file upload or a URL download.
  { name: 'uploadedBytes', type: 'number', label: 'Uploaded Bytes' },
  { name: 'downloadedBytes', type: 'number', label: 'Downloaded Bytes' },
];

export const RETRY_DOC =
  'Errors are typed for Make: rate limits and temporary TikTok failures are retried by Make when "Allow storing of incomplete executions" is on; a post whose outcome is unknown is never retried automatically (a Break handler with automatic retry would retry it: do not add one to Post modules).';

/** TikTok's status fetch for one publish_id (IML). */
export const statusFetch = (publishId: string) => ({
  url: ENDPOINTS.status_fetch.path,
  method: 'POST',
  body: { publish_id: publishId },
});

/** An action module on the TikTok connection: its manifest entry and its code files. */
export interface ActionSpec {
  label: string;
  description: string;
  actionCrud: 'create' | 'read' | 'update' | 'delete';
  communication: unknown;
  params: MakeParam[];
  interface: MakeParam[];
  scope: readonly string[];
}

/** A module whose first request creates a post at `path` (core's endpoint). */
export type InitModuleSpec = Pick<ActionSpec, 'label' | 'description' | 'params' | 'scope'> & { path: string };

export function actionModule(spec: ActionSpec): ModuleFiles {
  const { label, description, actionCrud, communication, params, interface: iface, scope } = spec;
  return {
    meta: { label, description, moduleType: 'action', actionCrud, connection: CONNECTION },
    files: { communication, 'mappable-params': params, interface: iface, scope: [...scope] },
  };
}

/** Label, description and scopes of one of core's operations. */
export const fromOperation = (id: string) => {
  const { label, description, scopes } = catalog.operations.find((o) => o.id === id)!;
  return { label, description, scope: scopes };
};

/** Wait for TikTok on a module that posts: core waits up to its 5-minute budget, a Make module cannot, so
 * the help says what this one does. */
export function waitParam(repeat: PollPlan, whenOff: string): MakeParam {
  return toMakeParam(catalogField('waitForCompletion'), undefined, {
    help: `Poll TikTok every ${repeat.delay / 1000} s until the post is published (or delivered to the inbox), for up to ${pollPlanSeconds(repeat)} s inside this module (Make's module time limit); follow a post that takes longer with Wait for Post. Off: ${whenOff}.`,
  });
}

/** Status fetch inside a post module: `repeat` on core's schedule. Still processing afterwards is not an
 * error here (re-running a post module would post again): the bundle says so and Wait for Post continues.
 * `rerunPostsAgain`: false for Send Video File, whose re-run resumes the same upload, so Make may retry a
 * failed read and a FAILED post is reported, not re-posted. */
export function waitRequest(repeat: PollPlan = REPEAT, rerunPostsAgain = true): Record<string, unknown> {
  return {
    condition: {
      condition: '{{parameters.waitForCompletion}}',
      default: { publishId: '{{temp.publishId}}', status: 'ACCEPTED', done: false, published: false, postIds: [] },
    },
    ...statusFetch('{{temp.publishId}}'),
    repeat: { condition: `{{${PROCESSING_CONDITION}}}`, delay: repeat.delay, limit: repeat.limit },
    response: {
      ...responseErrorDirectives({
        init: false,
        afterInit: rerunPostsAgain,
        okFailure: {
          when: "body.data.status == 'FAILED'",
          branches: failedBranches(rerunPostsAgain ? 'repost_on_rerun' : 'report_only'),
        },
      }),
      output: statusOutput,
    },
  };
}

/** The catalog's fields for a kind of post as Make parameters; privacy options come from the creator (RPC). */
export function catalogParams(kind: PostKind, skip: string[] = []): MakeParam[] {
  return postFields(kind)
    .filter((f) => !skip.includes(f.name))
    .map((f) => toMakeParam(f, kind, f.name === 'privacyLevel' ? { options: 'rpc://listPrivacyOptions' } : {}));
}

export const publishIdParam = toMakeParam(catalogField('publishId'));

/** Core's reply fields as a module's interface (what Make shows for its output), with core's descriptions as help. */
export function replyInterface(
  fields: readonly Omit<ReplyField, 'source'>[],
  opts: { help?: boolean } = {},
): MakeParam[] {
  return fields.map((f) => ({
    name: f.name,
    type: MAKE_TYPES[f.type],
    label: f.label,
    ...(f.type === 'string_list' ? { spec: { type: 'text' } } : {}),
    ...(opts.help ? { help: f.description } : {}),
  }));
}

/** Core's reply fields read from TikTok's reply at `from` (body.data, or item for an iterated list). */
export function replyOutput(fields: readonly ReplyField[], from: string): Record<string, string> {
  return Object.fromEntries(
    fields.map((f) => [
      f.name,
      f.type === 'datetime' ? `{{parseDate(${from}.${f.source}, 'X')}}` : `{{${from}.${f.source}}}`,
    ]),
  );
}
