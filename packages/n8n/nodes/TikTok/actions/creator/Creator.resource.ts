import type { INodeProperties } from 'n8n-workflow';

import { operationProperty } from '../common.descriptions';
import * as getInfo from './getInfo.operation';

export { getInfo };

export const description: INodeProperties[] = [
	operationProperty('creator', 'getInfo', [
		{
			name: 'Get Info',
			value: 'getInfo',
			action: 'Get creator info',
			description: 'Privacy options, limits and whether the creator can post now',
		},
	]),
	...getInfo.description,
];
