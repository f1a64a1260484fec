import type { TuningOption } from '@tokpipe/core';
import { SERVER_POST_INPUTS, TUNING_OPTIONS, VIDEO_FORMATS_TEXT } from '@tokpipe/core';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DIRECT_ONLY } from '../../shared/connection';
import { CONNECTION } from '../../transport/server';

import { catalogFieldProperty, catalogProperties, type PostingTarget } from '../helpers/catalog-fields';

/** A resource's Operation selector. */
export function operationProperty(
	resource: string,
	defaultOperation: string,
	options: INodePropertyOptions[],
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}

type OperationWords = Pick<INodePropertyOptions, 'action' | 'description'>;

/** Video's and Photo's Operation selector: Post (Direct Post) and Upload as Draft, in the resource's words. */
export function postingOperationProperty(
	resource: 'video' | 'photo',
	post: OperationWords,
	draft: OperationWords,
): INodeProperties {
	return operationProperty(resource, 'post', [
		{ name: 'Post', value: 'post', ...post },
		{ name: 'Upload as Draft', value: 'uploadDraft', ...draft },
	]);
}

/** Where a video comes from: a URL TikTok downloads, or the item's binary data uploaded in chunks. */
function videoSourceProperties(operation: string): INodeProperties[] {
	const show = (extra: Record<string, string[]> = {}) => ({
		show: { resource: ['video'], operation: [operation], ...extra },
	});
	return [
		{
			displayName: 'Video Source',
			name: 'source',
			type: 'options',
			options: [
				{
					name: 'URL',
					value: 'url',
					description: 'TikTok downloads the video from a URL on a domain verified for your app',
				},
				{
					name: 'Binary Data',
					value: 'binary',
					description: "Upload the video from the item's binary data, in chunks",
				},
			],
			default: 'url',
			displayOptions: show(),
		},
		catalogFieldProperty('videoUrl', show({ source: ['url'] }), { required: true }),
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			description: `Name of the binary property holding the video (${VIDEO_FORMATS_TEXT})`,
			displayOptions: show({ source: ['binary'] }),
		},
	];
}

/** Via a tokpipe server: which of its accounts posts, and (videos from a URL) whether the server downloads it. */
function serverPostProperties({ resource, operation }: PostingTarget): INodeProperties[] {
	const show = (extra: Record<string, string[]> = {}) => ({
		show: { resource: [resource], operation: [operation], [CONNECTION.parameter]: [CONNECTION.server], ...extra },
	});
	const input = (name: string) => SERVER_POST_INPUTS.find((f) => f.name === name)!;
	const [account, serverUpload] = [input('account'), input('serverUpload')];
	// n8n's wording rules: no closing period before more text; a boolean says "Whether".
	const sentence = (text: string) => text.replace(/\.$/, '');
	const whether = (text: string) => `Whether ${text[0]!.toLowerCase()}${sentence(text).slice(1)}`;
	return [
		{
			displayName: account.label,
			name: 'account',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getServerAccounts' },
			default: '',
			description: `${sentence(account.description)}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
			displayOptions: show(),
		},
		...(resource === 'video'
			? [
					{
						displayName: serverUpload.label,
						name: 'serverUpload',
						type: 'boolean' as const,
						default: false,
						description: whether(serverUpload.description),
						displayOptions: show({ source: ['url'] }),
					},
				]
			: []),
	];
}

/** A posting operation's fields: the media source (videos), the server's choices, then core's catalog fields. */
export function postingProperties(target: PostingTarget): INodeProperties[] {
	return [
		...(target.resource === 'video' ? videoSourceProperties(target.operation) : []),
		...serverPostProperties(target),
		...catalogProperties(target),
	];
}

/** The Publish ID a Post operation acts on. */
export function publishIdProperty(operation: string): INodeProperties {
	return catalogFieldProperty('publishId', { show: { resource: ['post'], operation: [operation] } });
}

/** Operations that wait for TikTok's final answer (posting with Wait for TikTok, and Wait for Completion). */
const WAITING_OPERATIONS = ['post', 'uploadDraft', 'waitForCompletion'];

function tuningProperty(option: TuningOption): INodeProperties {
	// A plain name: n8n's lint does not read `option.default` as a default.
	const coreDefault = option.default;
	return {
		displayName: option.label,
		name: option.name,
		type: 'number',
		typeOptions: { minValue: option.min, ...(option.max !== undefined ? { maxValue: option.max } : {}) },
		default: coreDefault,
		description: option.description,
		...(option.polling ? { displayOptions: { show: { '/operation': WAITING_OPERATIONS } } } : {}),
	};
}

const NODE_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Idempotency',
		name: 'idempotency',
		type: 'boolean',
		default: true,
		description:
			'Whether a re-run of the same item (same account, media, caption and publish time) returns the existing post instead of posting again',
		displayOptions: { show: { '/resource': ['video', 'photo'] } },
	},
	{
		displayName: 'Park Execution When Pending',
		name: 'parkWhenPending',
		type: 'boolean',
		default: false,
		description:
			'Whether to put the execution to wait (freeing the worker) when the post is still processing after the wait limit; ' +
			'loop back to this node with an IF on "done"',
		displayOptions: { show: { '/resource': ['post'], '/operation': ['waitForCompletion'] } },
	},
	{
		displayName: 'Park For (Minutes)',
		name: 'parkMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		displayOptions: { show: { '/resource': ['post'], '/operation': ['waitForCompletion'] } },
	},
];

/** The Options collection: the node's own switches plus core's tuning knobs (their defaults are core's), by name. */
export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	// A tokpipe server applies its own retry, limits and idempotency.
	displayOptions: DIRECT_ONLY,
	options: [...NODE_OPTIONS, ...TUNING_OPTIONS.map(tuningProperty)].sort((a, b) =>
		a.displayName.localeCompare(b.displayName),
	),
};
