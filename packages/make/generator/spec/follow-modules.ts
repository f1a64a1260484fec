// The modules that follow a post after it was created (Get Post Status, Wait for Post, Cancel a Post),
// Get Creator Info, and the RPC behind the privacy dropdown.
import { CREATOR_INFO_FIELDS, ENDPOINTS, PRIVACY_OPTIONS } from '@tokpipe/core';
import { chooseIml } from './errors';
import {
  actionModule,
  fromOperation,
  publishIdParam,
  replyInterface,
  replyOutput,
  RETRY_DOC,
  statusFetch,
  statusInterface,
  statusOutput,
} from './module-parts';
import { failedBranches, failVerdict, PROCESSING_CONDITION, responseErrorDirectives } from './responses';
import { REPEAT, REPEAT_WAIT_S, STATUS_LIMIT_TEXT } from './timing';

/** A read answered by TikTok's usual error handling, then `output` (of each item when `more` iterates). */
const reading = (request: object, output: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  ...request,
  response: { ...responseErrorDirectives({ init: false }), ...more, output },
});
const creatorInfo = { url: ENDPOINTS.creator_info.path, method: 'POST', body: {} };

/** Get Post Status reports FAILED as data, with core's verdict on the fail_reason. */
const verdict = failVerdict('report_only');
export const getPostStatus = actionModule({
  ...fromOperation('get_status'),
  actionCrud: 'read',
  communication: reading(statusFetch('{{parameters.publishId}}'), {
    ...statusOutput,
    publishId: '{{parameters.publishId}}',
    failAction: `{{if(body.data.status == 'FAILED', ${chooseIml(verdict.branches, verdict.fallback, 'action')}, '')}}`,
  }),
  params: [publishIdParam],
  interface: [
    ...statusInterface,
    {
      name: 'failAction',
      type: 'text',
      label: 'What To Do',
      help: 'For FAILED posts: what the fail reason means and what to do.',
    },
  ],
});

const incomplete = {
  type: 'IncompleteDataError' as const,
  code: '=body.data.status',
  action: `TikTok is still processing the post after ${REPEAT_WAIT_S} s of polling. Make runs this module again later (it only reads the status, it never posts again).`,
};
export const waitForPost = actionModule({
  ...fromOperation('get_status'),
  label: 'Wait for Post',
  description: `Polls a post's status (every ${REPEAT.delay / 1000} s, within TikTok's ${STATUS_LIMIT_TEXT} status limit) until it is published, delivered to the inbox or failed. Still processing after ${REPEAT_WAIT_S} s: an incomplete-data error that Make re-runs later. ${RETRY_DOC}`,
  actionCrud: 'read',
  communication: {
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
  params: [publishIdParam],
  interface: statusInterface,
});

export const getCreatorInfo = actionModule({
  ...fromOperation('get_creator_info'),
  actionCrud: 'read',
  communication: reading(creatorInfo, replyOutput(CREATOR_INFO_FIELDS, 'body.data')),
  params: [],
  interface: replyInterface(CREATOR_INFO_FIELDS),
});

export const cancelPost = actionModule({
  ...fromOperation('cancel_post'),
  actionCrud: 'delete',
  communication: reading(
    { url: ENDPOINTS.cancel.path, method: 'POST', body: { publish_id: '{{parameters.publishId}}' } },
    { publishId: '{{parameters.publishId}}', cancelled: true },
  ),
  params: [publishIdParam],
  interface: [
    { name: 'publishId', type: 'text', label: 'Publish ID' },
    { name: 'cancelled', type: 'boolean', label: 'Cancelled' },
  ],
});

export const listPrivacyOptions = reading(
  creatorInfo,
  {
    label: `{{${PRIVACY_OPTIONS.reduceRight((acc, o) => `if(item == '${o.value}', '${o.label}', ${acc})`, 'item')}}}`,
    value: '{{item}}',
  },
  { iterate: '{{body.data.privacy_level_options}}' },
);
