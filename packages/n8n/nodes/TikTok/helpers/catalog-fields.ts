import type { CatalogField, FieldOption, OperationId, PostMode } from '@tokpipe/core';
import { catalog, catalogField, formFields, isRequiredIn } from '@tokpipe/core';
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions, NodePropertyTypes } from 'n8n-workflow';

import { DIRECT_ONLY } from '../../shared/connection';

/** A posting operation: the n8n resource/operation, with core's operation and mode behind it. */
export interface PostingTarget {
	resource: 'video' | 'photo';
	operation: 'post' | 'uploadDraft';
	id: Extract<OperationId, 'post_video' | 'post_photos'>;
	mode: PostMode;
}

/** Catalog fields the node presents its own way: mode is the n8n operation, the media source is a selector. */
const PRESENTED_BY_NODE = new Set(['mode', 'videoUrl', 'videoFile']);

/** Fields a tokpipe server does not take: it posts in the background (the trigger reports the outcome). */
const DIRECT_ONLY_FIELDS = new Set(['waitForCompletion']);

/** Parameter holding the catalog's advanced fields (publish time, idempotency key, cover frame). */
export const ADDITIONAL_FIELDS = 'additionalFields';

const N8N_TYPE: Record<CatalogField['type'], NodePropertyTypes | undefined> = {
	string: 'string',
	text: 'string',
	url: 'string',
	url_list: 'string',
	boolean: 'boolean',
	number: 'number',
	options: 'options',
	datetime: 'dateTime',
	file: undefined, // binary data: the node's "Input Binary Field"
};

/** Fields whose options come from the account at edit time instead of a static list. */
const LOAD_OPTIONS_METHOD: Record<string, string> = { privacyLevel: 'getPrivacyLevels' };

/** The fields a posting operation shows: core's form for that kind of post, minus what the node presents itself. */
function formFieldsOf(id: OperationId, mode: PostMode): CatalogField[] {
	return formFields(id, mode).filter((f) => !PRESENTED_BY_NODE.has(f.name));
}

function emptyDefault(field: CatalogField): string | number | boolean {
	if (field.default !== undefined) return field.default;
	return field.type === 'boolean' ? false : field.type === 'number' ? 0 : '';
}

function toProperty(field: CatalogField, mode: PostMode): INodeProperties {
	const type = N8N_TYPE[field.type]!;
	const property: INodeProperties = {
		displayName: field.label,
		name: field.name,
		type,
		default: emptyDefault(field),
		description: field.description,
	};
	if (isRequiredIn(field, mode)) property.required = true;
	if (field.placeholder) property.placeholder = field.placeholder;
	if (field.hint) property.hint = field.hint;
	if (field.type === 'text' || field.type === 'url_list')
		property.typeOptions = { rows: field.type === 'text' ? 4 : 3 };
	if (field.type === 'number' && field.limits) {
		property.typeOptions = {
			...(field.limits.min !== undefined ? { minValue: field.limits.min } : {}),
			...(field.limits.max !== undefined ? { maxValue: field.limits.max } : {}),
		};
	}
	if (field.type === 'options') {
		const method = LOAD_OPTIONS_METHOD[field.name];
		if (method) {
			// No default: TikTok requires the user to pick one of the creator's current options.
			property.typeOptions = { loadOptionsMethod: method };
			property.default = '';
			const levels = catalog.privacyLevels.join(', ');
			property.description = `${field.description} Choose from the list, or specify a value using an expression (one of ${levels}).`;
		} else {
			const option = (o: FieldOption): INodePropertyOptions => ({
				name: o.label,
				value: o.value,
				description: o.description,
			});
			property.options = (field.options ?? []).map(option);
		}
	}
	return property;
}

/** n8n properties for one posting operation, generated from core's catalog: the plain fields, then
 * the advanced ones under Additional Fields. */
export function catalogProperties({ resource, operation, id, mode }: PostingTarget): INodeProperties[] {
	const show = { show: { resource: [resource], operation: [operation] } };
	const applicable = formFieldsOf(id, mode);
	const out: INodeProperties[] = applicable
		.filter((f) => !f.advanced)
		.map((f) => ({
			...toProperty(f, mode),
			displayOptions: DIRECT_ONLY_FIELDS.has(f.name) ? { ...show, ...DIRECT_ONLY } : show,
		}));
	const advanced = applicable.filter((f) => f.advanced);
	if (advanced.length) {
		out.push({
			displayName: 'Additional Fields',
			name: ADDITIONAL_FIELDS,
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: show,
			options: advanced.map((f) => toProperty(f, mode) as INodePropertyCollection & INodeProperties),
		});
	}
	return out;
}

/** The catalog field names a posting operation reads, split into top-level parameters and additional fields. */
export function catalogFieldNames(id: OperationId, mode: PostMode): { main: string[]; additional: string[] } {
	const applicable = formFieldsOf(id, mode);
	return {
		main: applicable.filter((f) => !f.advanced).map((f) => f.name),
		additional: applicable.filter((f) => f.advanced).map((f) => f.name),
	};
}

/** One catalog field as a parameter the node places itself (publish id, video URL). */
export function catalogFieldProperty(
	name: string,
	displayOptions: INodeProperties['displayOptions'],
	overrides: Partial<INodeProperties> = {},
): INodeProperties {
	return { ...toProperty(catalogField(name), 'direct'), ...overrides, displayOptions };
}
