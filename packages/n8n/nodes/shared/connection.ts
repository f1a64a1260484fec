import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../transport';
import { CONNECTION, SERVER_CREDENTIAL_TYPE } from '../transport/server';

/** How a node reaches TikTok: directly with a TikTok token (the default: workflows saved before keep it), or
 * through a tokpipe server holding the accounts. */
export const connectionProperty: INodeProperties = {
	displayName: 'Connection',
	name: CONNECTION.parameter,
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'TikTok Token (Direct)',
			value: CONNECTION.direct,
			description: "Calls TikTok's API with the account's refresh token, kept in this n8n",
		},
		{
			name: 'Tokpipe Server',
			value: CONNECTION.server,
			description: 'Your tokpipe server posts and sends events; n8n holds only its URL and an API key',
		},
	],
	// A literal for n8n's linter; the same as CONNECTION.direct.
	default: 'tikTokToken',
};

/** Each credential shown for its connection. */
export const connectionCredentials: INodeCredentialDescription[] = [
	{ name: CREDENTIAL_TYPE, required: true, displayOptions: { show: { [CONNECTION.parameter]: [CONNECTION.direct] } } },
	{
		name: SERVER_CREDENTIAL_TYPE,
		required: true,
		displayOptions: { show: { [CONNECTION.parameter]: [CONNECTION.server] } },
	},
];

/** displayOptions part: only on a direct connection. */
export const DIRECT_ONLY = { hide: { [CONNECTION.parameter]: [CONNECTION.server] } };
