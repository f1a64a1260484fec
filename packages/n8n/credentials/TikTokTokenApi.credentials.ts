import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { apiBaseUrlOf, ENDPOINTS, refreshTokenForm, TIKTOK_API_BASE_URL, tokenReplyOf } from '@tokpipe/core';

/** Start of the error preAuthentication throws; shared with the node's transport. */
export const REFRESH_REFUSED = 'TikTok refused the refresh token';

/**
 * Client key + secret + refresh token, refreshed through n8n's preAuthentication/expirable mechanism.
 * n8n's own OAuth2 refresh never sends `client_key`, which TikTok requires, so an oAuth2Api credential
 * dies when its first access token expires. This one refreshes on first use and after every 401, and
 * n8n saves what preAuthentication returns: the new access token AND the rotated refresh token.
 */
export class TikTokTokenApi implements ICredentialType {
	name = 'tikTokTokenApi';

	displayName = 'TikTok Token API';

	documentationUrl = 'https://github.com/tokpipe/tokpipe/tree/main/packages/n8n#credentials';

	icon: Icon = { light: 'file:../nodes/TikTok/tiktok.svg', dark: 'file:../nodes/TikTok/tiktok.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Client Key',
			name: 'clientKey',
			type: 'string',
			default: '',
			required: true,
			description: 'Client key of your app in the TikTok developer portal',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Client secret of your app; also used to verify webhook signatures',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A refresh token for the TikTok account, e.g. from `tokpipe auth login`. TikTok rotates it on every refresh; n8n stores the new one automatically.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: TIKTOK_API_BASE_URL,
			description: 'Leave the default for TikTok. Point it at a tokpipe sandbox to rehearse failures.',
		},
		{
			// Hidden + expirable: n8n calls preAuthentication when this is empty or after a 401, then saves the result.
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Open ID',
			name: 'openId',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Granted Scopes',
			name: 'scope',
			type: 'hidden',
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { clientKey, clientSecret, refreshToken } = credentials;
		const form = refreshTokenForm(String(clientKey ?? ''), String(clientSecret ?? ''), String(refreshToken ?? ''));
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${apiBaseUrlOf(credentials.baseUrl)}${ENDPOINTS.oauth_token.path}`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(form).toString(),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		const reply = tokenReplyOf(response.body);
		if (!reply.access_token) {
			// OAuth errors come back flat (often with HTTP 200). Only TikTok's error code is shown, never a token;
			// the node's transport reads the code back from this message to classify it (e.g. invalid_grant → re-authorize).
			throw new Error(
				`${REFRESH_REFUSED} (${reply.error ?? `http_${response.statusCode}`}). Get a new refresh token with \`tokpipe auth login\` and update the credential.`,
			);
		}
		return {
			accessToken: reply.access_token,
			refreshToken: reply.refresh_token ?? credentials.refreshToken,
			openId: reply.open_id ?? credentials.openId ?? '',
			scope: reply.scope ?? credentials.scope ?? '',
		};
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v2/post/publish/creator_info/query/',
			method: 'POST',
			headers: { 'Content-Type': 'application/json; charset=UTF-8' },
		},
	};
}
