import type { INodeProperties } from 'n8n-workflow';

import { postingOperationProperty } from '../common.descriptions';
import * as post from './post.operation';
import * as uploadDraft from './uploadDraft.operation';

export { post, uploadDraft };

export const description: INodeProperties[] = [
	postingOperationProperty(
		'photo',
		{ action: 'Post photos', description: "Publish a photo carousel to the creator's profile (Direct Post)" },
		{ action: 'Upload photos as draft', description: "Send photos to the creator's TikTok inbox" },
	),
	...post.description,
	...uploadDraft.description,
];
