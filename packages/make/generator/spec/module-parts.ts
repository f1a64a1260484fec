// Pieces several modules share: the status output and its interface, the status wait that follows a
// post request, the catalog's fields as parameters, and what every module file set looks like.
import { catalog, type PostKind } from '@tokpipe/core';
import { fieldOf, postFields, toMakeParam, type MakeParam } from './params';
import { failedBranches, PROCESSING_CONDITION, responseErrorDirectives } from './responses';
import { REPEAT, type Repeat } from './timing';

/** One module: its manifest entry and its code files (communication, parameters, interface…). */
export interface ModuleFiles {
  meta: Record<string, unknown>;
  files: Record<string, unknown>;
}

export const statusOutput = {
  publishId: '{{temp.publishId}}',
  status: '{{body.data.status}}',
  postIds: '{{ifempty(body.data.publicaly_available_post_id, emptyarray)}}',
  failReason: '{{body.data.fail_reason}}',
  uploadedBytes: '{{body.data.uploaded_bytes}}',
  downloadedBytes: '{{body.data.downloaded_bytes}}',
};

export const statusInterface: MakeParam[] = [
  { name: 'publishId', type: 'text', label: 'Publish ID' },
  { name: 'status', type: 'text', label: 'Status', help: 'PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE or FAILED; ACCEPTED when not waiting.' },
  { name: 'postIds', type: 'array', label: 'Post IDs', spec: { type: 'text' }, help: 'Filled once the post is public and moderated.' },
  { name: 'failReason', type: 'text', label: 'Fail Reason' },
  { name: 'uploadedBytes', type: 'number', label: 'Uploaded Bytes' },
  { name: 'downloadedBytes', type: 'number', label: 'Downloaded Bytes' },
];

export const RETRY_DOC =
  'Errors are typed for Make: rate limits and temporary TikTok failures are retried by Make when "Allow storing of incomplete executions" is on; a post whose outcome is unknown is never retried automatically (a Break handler with automatic retry would retry it: do not add one to Post modules).';

/** Status fetch inside a post module: `repeat` on core's schedule. Still processing afterwards is not an
 * error here (re-running a post module would post again): the bundle says so and Wait for Post continues. */
export function waitRequest(repeat: Repeat = REPEAT): Record<string, unknown> {
  return {
    condition: { condition: '{{parameters.waitForCompletion}}', default: { publishId: '{{temp.publishId}}', status: 'ACCEPTED', postIds: [] } },
    url: '/v2/post/publish/status/fetch/',
    method: 'POST',
    body: { publish_id: '{{temp.publishId}}' },
    repeat: { condition: `{{${PROCESSING_CONDITION}}}`, delay: repeat.delay, limit: repeat.limit },
    response: {
      ...responseErrorDirectives({ init: false, afterInit: true, okFailure: { when: "body.data.status == 'FAILED'", branches: failedBranches('repost_on_rerun') } }),
      output: statusOutput,
    },
  };
}

/** The catalog's fields for a kind of post as Make parameters; privacy options come from the creator (RPC). */
export function catalogParams(operation: 'post_video' | 'post_photos', kind: PostKind, skip: string[] = []): MakeParam[] {
  return postFields(operation, kind)
    .filter((f) => !skip.includes(f.name))
    .map((f) => toMakeParam(f, kind, f.name === 'privacyLevel' ? { options: 'rpc://listPrivacyOptions' } : {}));
}

export const op = (id: string) => catalog.operations.find((o) => o.id === id)!;
export const publishIdParam = toMakeParam(fieldOf('publishId'));
