// The creates' and searches' input fields (props), generated from core's catalog: labels, help, limits
// and option lists are core's; only the mapping to Zapier's field vocabulary lives here.
import {
  fieldHelp,
  formFields,
  isRequiredIn,
  type CatalogField,
  type FieldType,
  type OperationId,
  type PostMode,
} from '@tokpipe/core';

export interface ZapierField {
  key: string;
  label: string;
  type: 'string' | 'text' | 'integer' | 'number' | 'boolean' | 'datetime' | 'file';
  required: boolean;
  helpText: string;
  list?: boolean;
  choices?: Array<{ value: string; label: string; sample: string }>;
  default?: string;
  placeholder?: string;
  dynamic?: string;
  altersDynamicFields?: boolean;
}

/** Catalog type → Zapier type (+ list for URL lists: one photo URL per line item). */
const ZAPIER_TYPE: Readonly<Record<FieldType, { type: ZapierField['type']; list?: boolean }>> = {
  string: { type: 'string' },
  text: { type: 'text' },
  url: { type: 'string' },
  url_list: { type: 'string', list: true },
  boolean: { type: 'boolean' },
  number: { type: 'integer' },
  options: { type: 'string' },
  file: { type: 'file' },
  datetime: { type: 'datetime' },
};

/** Fields a Zapier step never shows: the mode is fixed by the video actions, and waiting for TikTok
 * does not fit Zapier's 30 s (status comes from Find Post Status and the Post Status Changed trigger). */
const NOT_IN_ZAPIER = new Set(['waitForCompletion']);

/** The privacy dropdown lists what this creator may choose, live from creator info (TikTok's rule). */
const PRIVACY_DROPDOWN = 'privacy_level_options.id.label';

/** `liveChoices: false` (server mode): no TikTok token here, so privacy offers core's static list. */
export function toZapierField(field: CatalogField, mode?: PostMode, liveChoices = true): ZapierField {
  const mapped = ZAPIER_TYPE[field.type];
  const out: ZapierField = {
    key: field.name,
    label: field.label,
    type: mapped.type,
    required: isRequiredIn(field, mode),
    helpText: fieldHelp(field),
  };
  if (mapped.list) out.list = true;
  if (field.placeholder) out.placeholder = field.placeholder;
  if (field.name === 'privacyLevel' && liveChoices) out.dynamic = PRIVACY_DROPDOWN;
  else if (field.options) out.choices = field.options.map((o) => ({ value: o.value, label: o.label, sample: o.value }));
  // Booleans start empty (= off: TikTok's audit rules want toggles unchecked); other defaults show.
  if (field.default !== undefined && field.type !== 'boolean') out.default = String(field.default);
  return out;
}

/** The fields of `operation` that mean something in `mode` (all modes when undefined). */
export function catalogFields(
  operation: OperationId,
  mode?: PostMode,
  omit: readonly string[] = [],
  liveChoices = true,
): ZapierField[] {
  return formFields(operation, mode)
    .filter((f) => !NOT_IN_ZAPIER.has(f.name) && !omit.includes(f.name))
    .map((f) => toZapierField(f, mode, liveChoices));
}

/** The mode choice of a create whose other fields depend on it (Post Photos: drafts take no privacy). */
export const modeSwitch = (operation: OperationId): ZapierField => ({
  ...catalogFields(operation).find((f) => f.key === 'mode')!,
  altersDynamicFields: true,
});
