// The app's Base (what every module request shares) and its OAuth 2 connection: TikTok says
// `client_key` where OAuth says `client_id`, answers errors flat ({error, error_description}, even
// with HTTP 200) and rotates the refresh token on every refresh.
import { ENDPOINTS, oauthReplyCases, TIKTOK_API_BASE_URL, TIKTOK_AUTHORIZE_URL, TIKTOK_SCOPES } from '@tokpipe/core';
import { branchesOf, chooseIml } from './errors';
import { redactedIml, responseErrorDirectives } from './responses';

export const API_BASE = TIKTOK_API_BASE_URL;
export const AUTHORIZE_URL = TIKTOK_AUTHORIZE_URL;
export const CONNECTION = 'tiktok';
export const WEBHOOK = 'tiktokEvents';

// TikTok's error.message is free text and may quote the request's token: the log hides it (the
// module's error message shows it through redactSecrets).
const SANITIZE_API = ['request.headers.authorization', 'response.body.error.message'];

// ---------------------------------------------------------------- base
export const base = {
  baseUrl: API_BASE,
  headers: { Authorization: 'Bearer {{connection.accessToken}}' },
  response: responseErrorDirectives({ init: false }),
  log: { sanitize: SANITIZE_API },
};

// ---------------------------------------------------------------- connection
const { branches: oauthBranches, fallback: oauthFallback } = branchesOf(oauthReplyCases(), 'body.error');
// The token endpoint's reply may quote what it was sent: the client secret, the code, the refresh token.
const OAUTH_DESCRIPTION = redactedIml('body.error_description', [
  'common.clientSecret',
  'temp.code',
  'data.refreshToken',
]);
const oauthMessage = (code: string) =>
  `[{{statusCode}}] TikTok OAuth error {{${code}}}: {{${OAUTH_DESCRIPTION}}} (log_id {{ifempty(body.log_id, 'none')}}). {{temp.oauthError.action}}`;
const oauthResponseErrors = {
  temp: {
    oauthError: {
      type: `{{${chooseIml(oauthBranches, oauthFallback, 'type')}}}`,
      action: `{{${chooseIml(oauthBranches, oauthFallback, 'action')}}}`,
    },
  },
  // TikTok's OAuth errors are flat {error, error_description} and can come with HTTP 200.
  valid: { condition: '{{!body.error}}', type: '{{temp.oauthError.type}}', message: oauthMessage('body.error') },
  error: {
    type: "{{if(body.error, temp.oauthError.type, if(statusCode >= 500, 'ConnectionError', 'RuntimeError'))}}",
    message: oauthMessage("ifempty(body.error, 'unknown')"),
  },
};
const tokenData = {
  accessToken: '{{body.access_token}}',
  refreshToken: '{{body.refresh_token}}',
  expires: '{{addSeconds(now, body.expires_in)}}',
  openId: '{{body.open_id}}',
  scope: "{{split(body.scope, ',')}}",
};
const TOKEN_SANITIZE = [
  'request.body.client_secret',
  'request.body.code',
  'request.body.refresh_token',
  'response.body.access_token',
  'response.body.refresh_token',
  'response.body.error_description',
];

/** Who the app is to TikTok's OAuth endpoints (TikTok says client_key where OAuth says client_id). */
const CLIENT = { client_key: '{{common.clientKey}}', client_secret: '{{common.clientSecret}}' };

/** The token endpoint (code exchange and refresh): form-encoded, its reply saved as the connection's data. */
const tokenRequest = (body: Record<string, string>) => ({
  url: `${API_BASE}${ENDPOINTS.oauth_token.path}`,
  method: 'POST',
  type: 'urlencoded',
  body: { ...CLIENT, ...body },
  response: { ...oauthResponseErrors, data: tokenData, expires: '{{addSeconds(now, body.refresh_expires_in)}}' },
  log: { sanitize: TOKEN_SANITIZE },
});

export const oauthCommunication = {
  authorize: {
    url: AUTHORIZE_URL,
    qs: {
      client_key: '{{common.clientKey}}',
      response_type: 'code',
      scope: "{{join(oauth.scope, ',')}}",
      redirect_uri: '{{oauth.localRedirectUri}}',
    },
    response: { temp: { code: '{{query.code}}' } },
  },
  token: tokenRequest({
    code: '{{temp.code}}',
    grant_type: 'authorization_code',
    redirect_uri: '{{oauth.localRedirectUri}}',
  }),
  info: {
    url: `${API_BASE}${ENDPOINTS.user_info.path}`,
    qs: { fields: 'open_id,display_name' },
    headers: { Authorization: 'Bearer {{connection.accessToken}}' },
    response: {
      ...responseErrorDirectives({ init: false }),
      uid: '{{body.data.user.open_id}}',
      metadata: { type: 'text', value: '{{body.data.user.display_name}}' },
    },
    log: { sanitize: SANITIZE_API },
  },
  // TikTok rotates the refresh token on every refresh and the old one stops working: store the new one.
  refresh: {
    condition: '{{data.expires < addMinutes(now, 15)}}',
    ...tokenRequest({ grant_type: 'refresh_token', refresh_token: '{{data.refreshToken}}' }),
  },
  invalidate: {
    url: `${API_BASE}${ENDPOINTS.oauth_revoke.path}`,
    method: 'POST',
    type: 'urlencoded',
    body: { ...CLIENT, token: '{{connection.accessToken}}' },
    log: { sanitize: ['request.body.client_secret', 'request.body.token', 'response.body.error_description'] },
  },
};

/** The connection's scopes and what each grants (core's list). */
export const SCOPE_LABELS: Record<string, string> = Object.fromEntries(TIKTOK_SCOPES.map((s) => [s.name, s.label]));
