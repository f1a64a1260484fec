import type { INodeProperties } from 'n8n-workflow';

import { operationProperty } from '../common.descriptions';
import * as cancel from './cancel.operation';
import * as getStatus from './getStatus.operation';
import * as waitForCompletion from './waitForCompletion.operation';

export { cancel, getStatus, waitForCompletion };

export const description: INodeProperties[] = [
	operationProperty('post', 'getStatus', [
		{
			name: 'Cancel',
			value: 'cancel',
			action: 'Cancel a post',
			description: 'Cancel a post while TikTok is still downloading it',
		},
		{
			name: 'Get Status',
			value: 'getStatus',
			action: 'Get the status of a post',
			description: 'One status check, no waiting',
		},
		{
			name: 'Wait for Completion',
			value: 'waitForCompletion',
			action: 'Wait for a post to complete',
			description: 'Poll until published, failed or in the inbox',
		},
	]),
	...cancel.description,
	...getStatus.description,
	...waitForCompletion.description,
];
