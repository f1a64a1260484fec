// Who can view a post: TikTok's privacy_level values, each with the label TikTok's app shows and
// what it means. Adapters show these; the values go to TikTok unchanged.
import { PRIVACY_LEVELS } from '../schemas/post';
import type { PrivacyLevel } from '../types';

export interface PrivacyOption {
  value: PrivacyLevel;
  label: string;
  description?: string;
}

// A Record over the type: adding a privacy level without its label does not compile.
const PRIVACY: Readonly<Record<PrivacyLevel, { label: string; description?: string }>> = {
  PUBLIC_TO_EVERYONE: { label: 'Everyone', description: 'Public accounts only' },
  MUTUAL_FOLLOW_FRIENDS: { label: 'Friends (mutual followers)' },
  FOLLOWER_OF_CREATOR: { label: 'Followers', description: 'Private accounts only' },
  SELF_ONLY: { label: 'Only me', description: 'Unaudited apps can only post this' },
};

/** In TikTok's order. */
export const PRIVACY_OPTIONS: readonly PrivacyOption[] = Object.freeze(
  PRIVACY_LEVELS.map((value) => ({ value, ...PRIVACY[value] })),
);

/** The label for a privacy level; an unknown level (TikTok added one) is shown as TikTok sent it. */
export function privacyLabel(level: string): string {
  return PRIVACY[level as PrivacyLevel]?.label ?? level;
}

/** A creator's allowed levels as choices: TikTok's value, its label, and the value with what it
 * means (the label alone hides which level TikTok receives). */
export function privacyChoices(
  levels: readonly string[],
): Array<{ value: string; label: string; description: string }> {
  return levels.map((level) => {
    const meaning = PRIVACY[level as PrivacyLevel]?.description;
    return { value: level, label: privacyLabel(level), description: meaning ? `${level} · ${meaning}` : level };
  });
}
