import type { INodeProperties } from 'n8n-workflow';

import { catalogFieldProperty, catalogProperties } from './catalog-fields';

export const CREDENTIAL_TYPE = 'tikTokTokenApi';

const RESOURCES: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Creator', value: 'creator' },
		{ name: 'Photo', value: 'photo' },
		{ name: 'Post', value: 'post' },
		{ name: 'Video', value: 'video' },
	],
	default: 'video',
};

function operations(resource: string, options: INodeProperties['options'], def: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: def,
	};
}

const OPERATIONS: INodeProperties[] = [
	operations(
		'video',
		[
			{ name: 'Post', value: 'post', action: 'Post a video', description: 'Publish a video to the creator\'s profile (Direct Post)' },
			{ name: 'Upload as Draft', value: 'uploadDraft', action: 'Upload a video as draft', description: 'Send a video to the creator\'s TikTok inbox to finish and post' },
		],
		'post',
	),
	operations(
		'photo',
		[
			{ name: 'Post', value: 'post', action: 'Post photos', description: 'Publish a photo carousel to the creator\'s profile (Direct Post)' },
			{ name: 'Upload as Draft', value: 'uploadDraft', action: 'Upload photos as draft', description: 'Send photos to the creator\'s TikTok inbox' },
		],
		'post',
	),
	operations(
		'post',
		[
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a post', description: 'Cancel a post while TikTok is still downloading it' },
			{ name: 'Get Status', value: 'getStatus', action: 'Get the status of a post', description: 'One status check, no waiting' },
			{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a post to complete', description: 'Poll until published, failed or in the inbox' },
		],
		'getStatus',
	),
	operations('creator', [{ name: 'Get Info', value: 'getInfo', action: 'Get creator info', description: 'Privacy options, limits and whether the creator can post now' }], 'getInfo'),
];

const MEDIA: INodeProperties[] = [
	{
		displayName: 'Video Source',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'URL', value: 'url', description: 'TikTok downloads the video from a URL on a domain verified for your app' },
			{ name: 'Binary Data', value: 'binary', description: 'Upload the video from the item\'s binary data, in chunks' },
		],
		default: 'url',
		displayOptions: { show: { resource: ['video'] } },
	},
	catalogFieldProperty('videoUrl', { show: { resource: ['video'], source: ['url'] } }, { required: true }),
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property holding the video (MP4, MOV or WebM)',
		displayOptions: { show: { resource: ['video'], source: ['binary'] } },
	},
	catalogFieldProperty('publishId', { show: { resource: ['post'] } }),
];

const OPTIONS: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { resource: ['video', 'photo', 'post'] } },
	options: [
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
			displayName: 'Max Backoff (Seconds)',
			name: 'maxBackoffSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 64,
			description: 'Longest wait between two attempts',
		},
		{
			displayName: 'Max Wait in Node (Seconds)',
			name: 'maxWaitInNodeSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 300,
			description: 'How long to poll inside the node before reporting UNCONFIRMED (the post is not lost: check it later)',
			displayOptions: { show: { '/resource': ['post'], '/operation': ['waitForCompletion'] } },
		},
		{
			displayName: 'Park Execution When Pending',
			name: 'parkWhenPending',
			type: 'boolean',
			default: false,
			description:
				'Whether to put the execution to wait (freeing the worker) when the post is still processing after the in-node wait; loop back to this node with an IF on "done"',
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
		{
			displayName: 'Retry Attempts',
			name: 'retryAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 5,
			description: 'Attempts in all for transient failures (rate limits, 5xx, network). Leave n8n\'s own Retry On Fail off: it re-runs every item.',
		},
	],
};

export const properties: INodeProperties[] = [RESOURCES, ...OPERATIONS, ...MEDIA, ...catalogProperties(), OPTIONS];
