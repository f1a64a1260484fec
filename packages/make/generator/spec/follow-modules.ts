// The modules that follow a post after it was created (Get Post Status, Wait for Post, Cancel a Post),
// Get Creator Info, and the RPC behind the privacy dropdown.
import { CREATOR_INFO_FIELDS, ENDPOINTS, PRIVACY_OPTIONS } from '@tokpipe/core';
import { chooseIml } from './errors';
import {
  actionMeta,
  op,
  publishIdModule,
  replyInterface,
  replyOutput,
  RETRY_DOC,
  statusFetch,
  statusInterface,
  statusOutput,
  type ModuleFiles,
} from './module-parts';
import { failedBranches, failVerdict, PROCESSING_CONDITION, responseErrorDirectives } from './responses';
import { REPEAT, REPEAT_WAIT_S, STATUS_LIMIT_TEXT } from './timing';

/** Get Post Status reports FAILED as data, with core's verdict on the fail_reason. */
const verdict = failVerdict('report_only');
export const getPostStatus = publishIdModule(
  { label: 'Get Post Status', description: op('get_status').description, actionCrud: 'read' },
  {
    ...statusFetch('{{parameters.publishId}}'),
    response: {
      ...responseErrorDirectives({ init: false }),
      output: {
        ...statusOutput,
        publishId: '{{parameters.publishId}}',
        failAction: `{{if(body.data.status == 'FAILED', ${chooseIml(verdict.branches, verdict.fallback, 'action')}, '')}}`,
      },
    },
  },
  [
    ...statusInterface,
    {
      name: 'failAction',
      type: 'text',
      label: 'What To Do',
      help: 'For FAILED posts: what the fail reason means and what to do.',
    },
  ],
);

const incomplete = {
  type: 'IncompleteDataError' as const,
  code: '=body.data.status',
  action: `TikTok is still processing the post after ${REPEAT_WAIT_S} s of polling. Make runs this module again later (it only reads the status, it never posts again).`,
};
export const waitForPost = publishIdModule(
  {
    label: 'Wait for Post',
    description: `Polls a post's status (every ${REPEAT.delay / 1000} s, within TikTok's ${STATUS_LIMIT_TEXT} status limit) until it is published, delivered to the inbox or failed. Still processing after ${REPEAT_WAIT_S} s: an incomplete-data error that Make re-runs later. ${RETRY_DOC}`,
    actionCrud: 'read',
  },
  {
    ...statusFetch('{{parameters.publishId}}'),
    repeat: { condition: `{{${PROCESSING_CONDITION}}}`, delay: REPEAT.delay, limit: REPEAT.limit },
    response: {
      ...responseErrorDirectives({
        init: false,
        okFailure: {
          when: `body.data.status == 'FAILED' || ${PROCESSING_CONDITION}`,
          branches: [...failedBranches('report_only'), [PROCESSING_CONDITION, incomplete]],
        },
      }),
      output: { ...statusOutput, publishId: '{{parameters.publishId}}' },
    },
  },
  statusInterface,
);

export const getCreatorInfo: ModuleFiles = {
  meta: actionMeta('Get Creator Info', op('get_creator_info').description, 'read'),
  files: {
    communication: {
      url: ENDPOINTS.creator_info.path,
      method: 'POST',
      body: {},
      response: {
        ...responseErrorDirectives({ init: false }),
        output: replyOutput(CREATOR_INFO_FIELDS, 'body.data'),
      },
    },
    'mappable-params': [],
    interface: replyInterface(CREATOR_INFO_FIELDS),
    scope: ['video.publish'],
  },
};

export const cancelPost = publishIdModule(
  { label: 'Cancel a Post', description: op('cancel_post').description, actionCrud: 'delete' },
  {
    url: ENDPOINTS.cancel.path,
    method: 'POST',
    body: { publish_id: '{{parameters.publishId}}' },
    response: {
      ...responseErrorDirectives({ init: false }),
      output: { publishId: '{{parameters.publishId}}', cancelled: true },
    },
  },
  [
    { name: 'publishId', type: 'text', label: 'Publish ID' },
    { name: 'cancelled', type: 'boolean', label: 'Cancelled' },
  ],
);

export const listPrivacyOptions = {
  url: ENDPOINTS.creator_info.path,
  method: 'POST',
  body: {},
  response: {
    ...responseErrorDirectives({ init: false }),
    iterate: '{{body.data.privacy_level_options}}',
    output: {
      label: `{{${PRIVACY_OPTIONS.reduceRight((acc, o) => `if(item == '${o.value}', '${o.label}', ${acc})`, 'item')}}}`,
      value: '{{item}}',
    },
  },
};
