import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { SERVER_API_KEY_PREFIX, SERVER_ROUTES } from '@tokpipe/core';

/** A tokpipe server (`tokpipe serve`): its URL and an API key. The TikTok tokens stay on the server. */
export class TokpipeServerApi implements ICredentialType {
	name = 'tokpipeServerApi';

	displayName = 'Tokpipe Server API';

	documentationUrl = 'https://github.com/tokpipe/tokpipe/tree/main/packages/n8n#via-a-tokpipe-server';

	icon: Icon = { light: 'file:../nodes/TikTok/tiktok.svg', dark: 'file:../nodes/TikTok/tiktok.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'serverUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://tokpipe.example.com',
			description: 'Address of your tokpipe server (`tokpipe serve`), as n8n reaches it',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: `${SERVER_API_KEY_PREFIX}...`,
			description:
				'A key from `tokpipe keys create --scope post` on the server (the scope "post" can post and subscribe)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey.trim()}}' } },
	};

	// The route every key may read: a wrong URL or key fails here, before any workflow runs.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.serverUrl.trim().replace(/\\/+$/, "")}}',
			url: SERVER_ROUTES.listAccounts.path,
			method: SERVER_ROUTES.listAccounts.method,
		},
	};
}
