// Find Post Status: where a post is now, optionally waiting (within Zapier's 30 s) for a final answer.
import { currentStatus, SAMPLE_POST_ID } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { catalogFields } from '../common/props';
import { postOutput, postOutputFields, postSample } from '../output-schemas';

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, deadline } = connect(z, bundle);
  const publishId = String(bundle.inputData.publishId ?? '').trim();
  const wait = bundle.inputData.wait === true || String(bundle.inputData.wait).toLowerCase() === 'true';
  return translated(z, async () => {
    const outcome = await currentStatus(poster, publishId, wait ? () => deadline.remainingMs() : undefined);
    return outcome ? [postOutput(outcome)] : [];
  });
}

export const findPostStatus = {
  key: 'find_post_status',
  noun: 'Post Status',
  display: {
    label: 'Find Post Status',
    description:
      'Finds where a post is: processing, in the inbox, published (with post IDs) or failed (with the reason and what to do).',
  },
  operation: {
    inputFields: [
      ...catalogFields('get_status'),
      {
        key: 'wait',
        label: 'Wait for a Final Status',
        type: 'boolean' as const,
        required: false,
        helpText:
          "Poll TikTok (on tokpipe's schedule) until the post is published, delivered or failed, for as long as this Zapier step allows (about 20 seconds).",
      },
    ],
    perform,
    outputFields: [...postOutputFields],
    sample: {
      ...postSample,
      status: 'PUBLISH_COMPLETE',
      done: true,
      published: true,
      post_ids: [SAMPLE_POST_ID],
      idempotency_key: null,
    },
  },
};
