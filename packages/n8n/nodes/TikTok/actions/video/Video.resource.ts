import type { INodeProperties } from 'n8n-workflow';

import { postingOperationProperty } from '../common.descriptions';
import * as post from './post.operation';
import * as uploadDraft from './uploadDraft.operation';

export { post, uploadDraft };

export const description: INodeProperties[] = [
	postingOperationProperty(
		'video',
		{ action: 'Post a video', description: "Publish a video to the creator's profile (Direct Post)" },
		{ action: 'Upload a video as draft', description: "Send a video to the creator's TikTok inbox to finish and post" },
	),
	...post.description,
	...uploadDraft.description,
];
