// Core's field catalog → Make parameters, and the TikTok body each module sends (core's templates).
import {
  fieldHelp,
  formFields,
  isRequiredIn,
  postInfoTemplate,
  urlInitBodyTemplate,
  type CatalogField,
  type PostKind,
  type ReplyField,
} from '@tokpipe/core';

export type MakeParam = Record<string, unknown>;

/** Catalog fields the Make app does not offer, and why (a test fails when core adds one not listed). */
export const NOT_IN_MAKE: Readonly<Record<string, string>> = {
  videoFile:
    "Offered as Make's file pair (fileName + data) by Start Video File Post/Draft + Send Video File: one chunk of at most core's maximum chunk size, since a Make module cannot loop a variable number of PUTs.",
  mode: 'Each Make module is one mode (Post Video = direct, Upload Video as Draft = draft); Post Photos offers it as a select.',
  waitForCompletion: 'Offered as a Make parameter on the post modules (see postModule), not sent to TikTok.',
  publishAt:
    "Part of core's idempotency ledger; a Make spec has no durable store, so duplicates are prevented by never auto-retrying an unknown outcome.",
  idempotencyKey: 'Same reason as publishAt.',
  publishId: 'Read by the status modules directly.',
  cursor: 'Paging is done by the polling trigger itself.',
  maxCount: 'Paging is done by the polling trigger itself.',
};

/** Core's catalog field and reply field types as Make's parameter types. */
export const MAKE_TYPES: Readonly<Record<CatalogField['type'] | ReplyField['type'], string>> = {
  string: 'text',
  text: 'text',
  url: 'url',
  url_list: 'array',
  string_list: 'array',
  boolean: 'boolean',
  number: 'uinteger',
  options: 'select',
  file: 'buffer',
  datetime: 'date',
};

/** One catalog field as a Make parameter. `required` follows the post kind the module makes. */
export function toMakeParam(field: CatalogField, kind?: PostKind, overrides: MakeParam = {}): MakeParam {
  const param: MakeParam = {
    name: field.name,
    type: MAKE_TYPES[field.type],
    label: field.label,
    help: fieldHelp(field),
    required: isRequiredIn(field, kind?.startsWith('draft') ? 'draft' : 'direct'),
  };
  if (field.type === 'text') param.multiline = true;
  if (field.type === 'url_list') param.spec = { type: 'url', label: field.label.replace(/s$/, '') };
  if (field.type === 'number' && (field.limits?.min ?? 0) < 0) param.type = 'integer';
  if (field.options) param.options = field.options.map((o) => ({ label: o.label, value: o.value }));
  if (field.default !== undefined) param.default = field.default;
  if (field.advanced) param.advanced = true;
  const validate: Record<string, number> = {};
  if (field.limits?.maxLength !== undefined) validate.max = field.limits.maxLength;
  if (field.limits?.maxItems !== undefined) Object.assign(validate, { maxItems: field.limits.maxItems, minItems: 1 });
  if (field.type === 'number' && field.limits?.max !== undefined) validate.max = field.limits.max;
  if (field.type === 'number' && field.limits?.min !== undefined) validate.min = field.limits.min;
  if (Object.keys(validate).length) param.validate = validate;
  return { ...param, ...overrides };
}

/** The catalog fields a post of `kind` takes, in catalog order, minus NOT_IN_MAKE. */
export function postFields(kind: PostKind): CatalogField[] {
  const [mode, media] = kind.split('_') as ['direct' | 'draft', 'video' | 'photo'];
  return formFields(media === 'video' ? 'post_video' : 'post_photos', mode).filter((f) => !(f.name in NOT_IN_MAKE));
}

/** Each field's value is the module's parameter of the same name. */
const fromParameter = (name: string) => `{{parameters.${name}}}`;
const namesOf = (fields: CatalogField[]) => fields.map((f) => f.name);

/** TikTok's post_info for `fields`, read from the module's parameters. */
export const postInfoOf = (media: 'video' | 'photo', fields: CatalogField[]) =>
  postInfoTemplate(media, namesOf(fields), fromParameter);

/** A URL post's init body for `kind` (and `fields`: default, the ones the kind takes). */
export function urlBodyOf(kind: PostKind, fields = postFields(kind), valueOf = fromParameter): Record<string, unknown> {
  return urlInitBodyTemplate(kind, namesOf(fields), valueOf);
}
