import type { INodeProperties } from 'n8n-workflow';

import * as post from './post.operation';
import * as uploadDraft from './uploadDraft.operation';

export { post, uploadDraft };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['photo'] } },
		options: [
			{ name: 'Post', value: 'post', action: 'Post photos', description: 'Publish a photo carousel to the creator\'s profile (Direct Post)' },
			{
				name: 'Upload as Draft',
				value: 'uploadDraft',
				action: 'Upload photos as draft',
				description: 'Send photos to the creator\'s TikTok inbox',
			},
		],
		default: 'post',
	},
	...post.description,
	...uploadDraft.description,
];
