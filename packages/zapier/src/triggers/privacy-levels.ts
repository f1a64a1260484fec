// Hidden trigger behind the privacy dropdown: the levels THIS creator may use, live from creator
// info (TikTok's audit rules: no default, only the creator's own options).
import { fieldsFor } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../connection';
import { translated } from '../errors';

const LABELS = new Map((fieldsFor('post_video').find((f) => f.name === 'privacyLevel')?.options ?? []).map((o) => [o.value, o.label]));

async function perform(z: ZObject, bundle: Bundle) {
  const { poster } = connect(z, bundle);
  return translated(z, async () => (await poster.creatorInfo()).privacyLevelOptions.map((level) => ({ id: level, label: LABELS.get(level) ?? level })));
}

export const privacyLevelOptions = {
  key: 'privacy_level_options',
  noun: 'Privacy Level',
  display: {
    label: 'Privacy Levels',
    description: 'The privacy levels the connected creator may post with (used by the Who Can View dropdown).',
    hidden: true,
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: [
      { key: 'id', label: 'Privacy Level', type: 'string', primary: true },
      { key: 'label', label: 'Label', type: 'string' },
    ],
    sample: { id: 'SELF_ONLY', label: 'Only me' },
  },
};
