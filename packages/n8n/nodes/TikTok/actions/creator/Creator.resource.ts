import type { INodeProperties } from 'n8n-workflow';

import * as getInfo from './getInfo.operation';

export { getInfo };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['creator'] } },
		options: [
			{
				name: 'Get Info',
				value: 'getInfo',
				action: 'Get creator info',
				description: 'Privacy options, limits and whether the creator can post now',
			},
		],
		default: 'getInfo',
	},
	...getInfo.description,
];
