// Get Creator Info: what TikTok says this creator may post right now (TikTok asks apps to read it
// before every post).
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { creatorOutput, creatorOutputFields, creatorSample } from '../output-schemas';

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, openId } = connect(z, bundle);
  return translated(z, async () => [creatorOutput(await poster.creatorInfo(), openId)]);
}

export const getCreatorInfo = {
  key: 'get_creator_info',
  noun: 'Creator',
  display: {
    label: 'Get Creator Info',
    description:
      "Gets the creator's nickname, allowed privacy levels, disabled interactions and longest allowed video.",
  },
  operation: { inputFields: [], perform, outputFields: creatorOutputFields, sample: creatorSample },
};
