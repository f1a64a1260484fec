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
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{ name: 'Post', value: 'post', action: 'Post a video', description: 'Publish a video to the creator\'s profile (Direct Post)' },
			{
				name: 'Upload as Draft',
				value: 'uploadDraft',
				action: 'Upload a video as draft',
				description: 'Send a video to the creator\'s TikTok inbox to finish and post',
			},
		],
		default: 'post',
	},
	...post.description,
	...uploadDraft.description,
];
