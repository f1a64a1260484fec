// OAuth2 with TikTok. TikTok says `client_key` where OAuth says `client_id`, so every member is a
// function over core's TikTokOAuth (form-encoded, flat {error} replies even with HTTP 200, rotated
// refresh tokens), with z.request underneath.
import { buildAuthorizeUrl, TikTokClient, TikTokOAuth, type TokenSet } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { apiBaseUrl, authorizeUrl as authorizePage, clientCredentials, SCOPES } from './common/config';
import { authDataOf, performTransport, startDeadline, type TikTokAuthData } from './common/connection';
import { translated } from './common/errors';
import { runtime } from './common/runtime';

function oauthClient(z: ZObject): TikTokOAuth {
  const rt = runtime();
  const transport = performTransport(z, startDeadline());
  return new TikTokOAuth({ ...clientCredentials(), transport, baseUrl: apiBaseUrl(), clock: rt.clock });
}

/** Everything Zapier keeps in bundle.authData. The refresh token is always the newest one: TikTok
 * rotates it on every refresh and the previous one stops working. */
function toAuthData(tokens: TokenSet): TikTokAuthData {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    open_id: tokens.openId,
    scope: tokens.scopes.join(','),
    expires_at: runtime().clock.now() + tokens.expiresIn * 1000,
  };
}

const authorizeUrl = async (_z: ZObject, bundle: Bundle): Promise<string> =>
  buildAuthorizeUrl({
    clientKey: clientCredentials().clientKey,
    scopes: SCOPES,
    redirectUri: String(bundle.inputData.redirect_uri ?? ''),
    state: String(bundle.inputData.state ?? ''),
    authorizeUrl: authorizePage(),
  });

const getAccessToken = (z: ZObject, bundle: Bundle): Promise<TikTokAuthData> =>
  translated(z, async () =>
    toAuthData(
      await oauthClient(z).exchangeCode({
        code: String(bundle.inputData.code ?? ''),
        redirectUri: String(bundle.inputData.redirect_uri ?? ''),
      }),
    ),
  );

const refreshAccessToken = (z: ZObject, bundle: Bundle): Promise<TikTokAuthData> =>
  translated(z, async () => {
    const refreshToken = authDataOf(bundle).refresh_token;
    if (!refreshToken)
      throw new z.errors.ExpiredAuthError('This TikTok connection has no refresh token: reconnect the account.');
    return toAuthData(await oauthClient(z).refreshToken(refreshToken));
  });

/** The connection test: who is this? Its result names the connection. */
const test = (z: ZObject, bundle: Bundle) =>
  translated(z, async () => {
    const token = authDataOf(bundle).access_token ?? '';
    const rt = runtime();
    const transport = performTransport(z, startDeadline());
    const user = await new TikTokClient({ transport, baseUrl: apiBaseUrl(), clock: rt.clock }).userInfo(token);
    return {
      open_id: user.openId ?? authDataOf(bundle).open_id,
      display_name: user.displayName ?? '',
      avatar_url: user.avatarUrl ?? '',
    };
  });

export const authentication = {
  type: 'oauth2' as const,
  test,
  // autoRefresh: on a 401 Zapier refreshes (the refresh sends client_key and keeps TikTok's rotated
  // refresh token) and re-runs the step. The transport hands core that 401 as access_token_invalid, so
  // an init refused with 401 is recorded as refused (nothing posted) and the re-run posts once.
  oauth2Config: {
    authorizeUrl,
    getAccessToken,
    refreshAccessToken,
    autoRefresh: true,
  },
  fields: [{ key: 'open_id', label: 'TikTok open_id', type: 'string' as const, required: false, computed: true }],
  connectionLabel: '{{display_name}}',
};
