// Hidden trigger behind the privacy dropdown: the levels THIS creator may use, live from creator
// info (TikTok's audit rules: no default, only the creator's own options), labelled by core.
import { privacyLabel } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { privacyLevelFields } from '../output-schemas';

async function perform(z: ZObject, bundle: Bundle) {
  const { poster } = connect(z, bundle);
  return translated(z, async () =>
    (await poster.creatorInfo()).privacyLevelOptions.map((level) => ({ id: level, label: privacyLabel(level) })),
  );
}

export const privacyLevelOptions = {
  key: 'privacy_level_options',
  noun: 'Privacy Level',
  display: {
    label: 'Privacy Levels',
    description: 'The privacy levels the connected creator may post with (used by the Privacy Level dropdown).',
    hidden: true,
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: privacyLevelFields,
    sample: { id: 'SELF_ONLY', label: privacyLabel('SELF_ONLY') },
  },
};
