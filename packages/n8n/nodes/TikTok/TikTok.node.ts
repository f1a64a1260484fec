import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { connectionCredentials, connectionProperty } from '../shared/connection';
import { n8nClock } from '../transport';
import { optionsProperty } from './actions/common.descriptions';
import * as creator from './actions/creator/Creator.resource';
import * as photo from './actions/photo/Photo.resource';
import * as post from './actions/post/Post.resource';
import { router } from './actions/router';
import * as video from './actions/video/Video.resource';
import { privacyLevelOptions, serverAccountOptions } from './methods/loadOptions';

// The description lives here, not in actions/versionDescription.ts as in n8n's Airtable v2: the community
// linter wants a node's description in its .node.ts file.
export class TikTok implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok',
		name: 'tikTok',
		icon: { light: 'file:tiktok.svg', dark: 'file:tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Post videos and photos to TikTok with built-in retry, idempotency and publish tracking',
		defaults: { name: 'TikTok' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: connectionCredentials,
		properties: [
			connectionProperty,
			{
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
			},
			...video.description,
			...photo.description,
			...post.description,
			...creator.description,
			optionsProperty,
		],
	};

	methods = {
		loadOptions: {
			/** The privacy levels this creator may use right now (TikTok's audit rules forbid a default). */
			async getPrivacyLevels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return await privacyLevelOptions(this, n8nClock);
			},
			/** Via a tokpipe server: the accounts its API key may post from. */
			async getServerAccounts(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return await serverAccountOptions(this);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this, { clock: n8nClock });
	}
}
