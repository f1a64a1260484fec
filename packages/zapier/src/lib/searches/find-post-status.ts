// Find Post Status: where a post is now, optionally waiting (within Zapier's 30 s) for a final answer.
import { isFinalStatus, isTokpipeError, PUBLISH_ID_NOT_FOUND_CODES, type PostOutcome } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { catalogFields } from '../common/props';
import { postOutput, postOutputFields, postSample } from '../output-schemas';

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, deadline } = connect(z, bundle);
  const publishId = String(bundle.inputData.publishId ?? '').trim();
  return translated(z, async () => {
    let outcome: PostOutcome;
    try {
      outcome = await poster.status(publishId);
    } catch (error) {
      if (isTokpipeError(error) && PUBLISH_ID_NOT_FOUND_CODES.has(error.code)) return [];
      throw error;
    }
    const wait = bundle.inputData.wait === true || String(bundle.inputData.wait).toLowerCase() === 'true';
    if (wait && !isFinalStatus(outcome.status)) {
      const waited = await poster.waitForCompletion(publishId, { budgetMs: deadline.remainingMs() });
      // Still processing when the step's time ran out: report the last status, not a failure.
      if (waited.error?.code !== 'unconfirmed') outcome = waited;
    }
    return [postOutput(outcome)];
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
      post_ids: ['7311111111111111111'],
      idempotency_key: null,
    },
  },
};
