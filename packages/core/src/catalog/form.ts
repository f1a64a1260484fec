// A post form as every adapter lays it out: which catalog fields one operation in one mode shows,
// whether each is required there, and the help it carries.
import { FIELDS_BY_KIND, type PostKind } from '../schemas/post';
import { fields, fieldsFor, type CatalogField, type OperationId, type PostMode } from './fields';

/** The kind of post an operation makes in a mode (undefined: not a posting operation). */
export function postKindFor(operation: OperationId, mode: PostMode): PostKind | undefined {
  if (operation === 'post_video') return `${mode}_video`;
  if (operation === 'post_photos') return `${mode}_photo`;
  return undefined;
}

/** The fields `operation` shows in `mode`, in catalog order: only those TikTok takes for that kind of
 * post (no caption on a video draft: the creator writes it in the app). No mode: every field. */
export function formFields(operation: OperationId, mode?: PostMode): CatalogField[] {
  const kind = mode && postKindFor(operation, mode);
  return fieldsFor(operation).filter(
    (f) =>
      !mode || ((!f.modes || f.modes.includes(mode)) && (!kind || (FIELDS_BY_KIND[f.name]?.includes(kind) ?? true))),
  );
}

/** Required in this mode (privacy: direct posts only). */
export function isRequiredIn(field: CatalogField, mode?: PostMode): boolean {
  return field.required || (mode !== undefined && (field.requiredInModes ?? []).includes(mode));
}

/** The help under a field: the plain-words hint first, where the label is TikTok's own term. */
export function fieldHelp(field: CatalogField): string {
  return field.hint ? `${field.hint}. ${field.description}` : field.description;
}

/** One field by name; a name core does not have is a bug in the adapter. */
export function catalogField(name: string): CatalogField {
  const field = fields.find((f) => f.name === name);
  if (!field) throw new Error(`core's catalog has no field ${name}`);
  return field;
}
