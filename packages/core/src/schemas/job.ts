// A post as its flat fields (catalog names: videoUrl, photoUrls, privacyLevel, ...), as zod shapes
// generated from core's field catalog, and the JobSpec they make. Shared by every front end that takes
// a post as JSON (the MCP tools, the server's REST API) so there is one schema, not one per front end.
// Limits are not enforced here: postRequestSchema checks them and names the field (one source of truth).
import { z, type ZodTypeAny } from 'zod';
import { fieldsFor, type CatalogField, type FieldType, type PostMode } from '../catalog';
import { inputError } from '../errors/classify';
import type { JobMedia, JobSpec } from '../pipeline/types';
import type { PrivacyLevel } from '../types';
import { FIELDS_BY_KIND } from './post';

export type JobFieldShape = Record<string, ZodTypeAny>;
/** A post's flat fields as received (catalog names). */
export type JobFields = Record<string, unknown>;

const zodByType: Readonly<Record<FieldType, (field: CatalogField) => ZodTypeAny>> = {
  string: () => z.string(),
  text: () => z.string(),
  url: () => z.string(),
  datetime: () => z.string(),
  url_list: () => z.array(z.string()),
  boolean: () => z.boolean(),
  number: () => z.number(),
  options: (field) => z.enum((field.options ?? []).map((o) => o.value) as [string, ...string[]]),
  file: () => z.string(),
};

export interface JobFieldShapeOptions {
  /** Posts made in this mode only (fields of other modes left out, mode-required fields required). */
  mode?: PostMode;
  /** Every field optional, option fields any string (a dry run reports wrong values with the rest). */
  allOptional?: boolean;
  /** Fields the front end replaces or does not take (e.g. `waitForCompletion`, `videoFile` over HTTP). */
  omit?: ReadonlySet<string>;
  /** Extra words per field, appended to the catalog's description. */
  notes?: Readonly<Record<string, string>>;
}

function fieldSchema(field: CatalogField, options: JobFieldShapeOptions): ZodTypeAny {
  const { mode, allOptional = false } = options;
  const choices = field.options?.map((o) => `${o.value} (${o.label}${o.description ? `: ${o.description}` : ''})`);
  const words = [field.description, options.notes?.[field.name], choices ? `One of: ${choices.join('; ')}.` : '']
    .filter(Boolean)
    .join(' ');
  const type = allOptional && field.type === 'options' ? 'string' : field.type;
  let schema = zodByType[type](field).describe(words);
  const required = field.required || (mode !== undefined && field.requiredInModes?.includes(mode));
  if (allOptional || !required || field.name === 'videoUrl' || field.name === 'videoFile') schema = schema.optional();
  return schema;
}

/** The catalog's fields of these operations that mean something in `mode` (all modes when undefined). */
export function jobFieldShape(
  operations: Array<'post_video' | 'post_photos'>,
  options: JobFieldShapeOptions = {},
): JobFieldShape {
  const shape: JobFieldShape = {};
  for (const operation of operations) {
    for (const field of fieldsFor(operation)) {
      if (options.omit?.has(field.name) || shape[field.name]) continue;
      if (options.mode && field.modes && !field.modes.includes(options.mode)) continue;
      shape[field.name] = fieldSchema(field, options);
    }
  }
  return shape;
}

/** Post fields that travel in JobSpec.options: the kind-specific ones (post.ts FIELDS_BY_KIND) other than those
 * with a JobSpec slot of their own. */
const OWN_SLOT: ReadonlySet<string> = new Set(['title', 'description', 'privacyLevel']);
const OPTION_FIELDS = Object.keys(FIELDS_BY_KIND).filter((name) => !OWN_SLOT.has(name));

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Which media the fields name; `allowed` is what the caller posts. */
function mediaFrom(fields: JobFields, allowed: 'video' | 'photos' | 'either'): JobMedia {
  const hasPhotos = present(fields.photoUrls);
  const hasUrl = present(fields.videoUrl);
  const hasFile = present(fields.videoFile);
  if (hasPhotos && (hasUrl || hasFile)) throw inputError('photoUrls', 'give photos or a video, not both');
  if (hasPhotos && allowed !== 'video') {
    const urls = fields.photoUrls as string[];
    return present(fields.coverIndex)
      ? { type: 'photo_urls', urls, coverIndex: fields.coverIndex as number }
      : { type: 'photo_urls', urls };
  }
  if (allowed === 'photos') throw inputError('photoUrls', 'is required');
  if (hasUrl && hasFile) throw inputError('videoUrl', 'give a video URL or a video file, not both');
  if (hasFile) return { type: 'video_file', path: String(fields.videoFile) };
  if (hasUrl) return { type: 'video_url', url: String(fields.videoUrl).trim() };
  throw inputError(
    'videoUrl',
    allowed === 'either' ? 'is required (or give videoFile or photoUrls)' : 'is required (or give videoFile)',
  );
}

/** Flat fields → core's JobSpec. Pure; mistakes throw core's input error naming the field. */
export function jobSpecFromFields(
  fields: JobFields,
  mode: 'direct' | 'draft',
  allowed: 'video' | 'photos' | 'either',
): JobSpec {
  const spec: JobSpec = { mode, media: mediaFrom(fields, allowed) };
  if (present(fields.account)) spec.account = String(fields.account);
  if (present(fields.region)) spec.region = String(fields.region);
  if (present(fields.title)) spec.title = String(fields.title);
  if (present(fields.description)) spec.description = String(fields.description);
  if (present(fields.privacyLevel)) spec.privacyLevel = fields.privacyLevel as PrivacyLevel;
  if (present(fields.publishAt)) spec.publishAt = String(fields.publishAt);
  if (present(fields.idempotencyKey)) spec.idempotencyKey = String(fields.idempotencyKey);
  if (present(fields.label)) spec.label = String(fields.label);
  const options: NonNullable<JobSpec['options']> = {};
  for (const name of OPTION_FIELDS)
    if (fields[name] !== undefined) (options as Record<string, unknown>)[name] = fields[name];
  if (Object.keys(options).length) spec.options = options;
  return spec;
}
