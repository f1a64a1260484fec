// Core's field catalog → Make parameters, and the TikTok body path each field is sent as.
import { catalog, FIELDS_BY_KIND, type CatalogField, type OperationId, type PostKind } from '@tokpipe/core';

export type MakeParam = Record<string, unknown>;

/** Where each post field goes in TikTok's init body (reference §1.2–§1.4). */
export const BODY_PATHS: Readonly<Record<string, string>> = {
  title: 'post_info.title',
  description: 'post_info.description',
  privacyLevel: 'post_info.privacy_level',
  disableComment: 'post_info.disable_comment',
  disableDuet: 'post_info.disable_duet',
  disableStitch: 'post_info.disable_stitch',
  videoCoverTimestampMs: 'post_info.video_cover_timestamp_ms',
  brandContentToggle: 'post_info.brand_content_toggle',
  brandOrganicToggle: 'post_info.brand_organic_toggle',
  isAigc: 'post_info.is_aigc',
  autoAddMusic: 'post_info.auto_add_music',
  videoUrl: 'source_info.video_url',
  photoUrls: 'source_info.photo_images',
  coverIndex: 'source_info.photo_cover_index',
};

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

const TYPES: Readonly<Record<CatalogField['type'], string>> = {
  string: 'text',
  text: 'text',
  url: 'url',
  url_list: 'array',
  boolean: 'boolean',
  number: 'uinteger',
  options: 'select',
  file: 'buffer',
  datetime: 'date',
};

export function fieldOf(name: string): CatalogField {
  const field = catalog.fields.find((f) => f.name === name);
  if (!field) throw new Error(`core's catalog has no field ${name}`);
  return field;
}

/** One catalog field as a Make parameter. `required` follows the post kind the module makes. */
export function toMakeParam(field: CatalogField, kind?: PostKind, overrides: MakeParam = {}): MakeParam {
  const mode = kind?.startsWith('draft') ? 'draft' : 'direct';
  const param: MakeParam = {
    name: field.name,
    type: TYPES[field.type],
    label: field.label,
    help: field.hint ? `${field.hint}. ${field.description}` : field.description,
    required: field.required || (field.requiredInModes?.includes(mode) ?? false),
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

/** The catalog fields a post of `kind` takes (FIELDS_BY_KIND), in catalog order, minus NOT_IN_MAKE. */
export function postFields(operation: OperationId, kind: PostKind): CatalogField[] {
  return catalog.fields.filter(
    (f) =>
      f.operations.includes(operation) && !(f.name in NOT_IN_MAKE) && (FIELDS_BY_KIND[f.name]?.includes(kind) ?? true),
  );
}

/** A nested object for the body: { post_info: { title: "{{parameters.title}}" }, … }. */
export function bodyFor(
  fields: CatalogField[],
  valueOf: (f: CatalogField) => unknown = (f) => `{{parameters.${f.name}}}`,
): Record<string, Record<string, unknown>> {
  const body: Record<string, Record<string, unknown>> = {};
  for (const f of fields) {
    const path = BODY_PATHS[f.name];
    if (!path) throw new Error(`no TikTok body path for catalog field ${f.name}`);
    const [section, key] = path.split('.') as [string, string];
    (body[section] ??= {})[key] = valueOf(f);
  }
  return body;
}
