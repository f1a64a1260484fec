import type { INodeProperties } from 'n8n-workflow';

import { operationProperty } from '../common.descriptions';
import * as post from './post.operation';
import * as uploadDraft from './uploadDraft.operation';

export { post, uploadDraft };

export const description: INodeProperties[] = [
	operationProperty('video', 'post', [
		{ name: 'Post', value: 'post', action: 'Post a video', description: 'Publish a video to the creator\'s profile (Direct Post)' },
		{
			name: 'Upload as Draft',
			value: 'uploadDraft',
			action: 'Upload a video as draft',
			description: 'Send a video to the creator\'s TikTok inbox to finish and post',
		},
	]),
	...post.description,
	...uploadDraft.description,
];
