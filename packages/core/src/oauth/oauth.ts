// TikTok OAuth v2 (reference §4): authorize URL (state, optional PKCE with TikTok's HEX sha256
// challenge), code exchange, refresh (rotated refresh tokens) and revoke. Form-encoded; errors are the
// flat {error, error_description} shape, even with HTTP 200.
import { createHash, randomBytes } from 'node:crypto';
import { classifyResponse, classifyTransportError, errorFromTable, TokpipeError } from '../errors/classify';
import { ENDPOINTS, type Endpoint } from '../errors/table';
import { tryParseJson } from '../json';
import type { Clock, HttpResponse, Transport } from '../ports';
import { rememberSecret } from '../redact';
import { parseInput } from '../schemas/format';
import {
  accessTokenSchema,
  authorizeParamsSchema,
  exchangeCodeSchema,
  oauthClientOptionsSchema,
  refreshTokenSchema,
} from '../schemas/options';
import { DEFAULT_USER_AGENT } from '../client/client';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  TIKTOK_API_BASE_URL as DEFAULT_BASE_URL,
  TIKTOK_AUTHORIZE_URL,
} from '../catalog/tiktok';

/** Kept for callers of the earlier name; the value lives in catalog/tiktok.ts. */
export const DEFAULT_AUTHORIZE_URL = TIKTOK_AUTHORIZE_URL;

export interface AuthorizeParams {
  clientKey: string;
  scopes: readonly string[];
  redirectUri: string;
  state: string;
  /** Desktop/mobile PKCE: the verifier you keep; the URL carries its HEX sha256 (TikTok's variant). */
  codeVerifier?: string;
  /** Default https://www.tiktok.com/v2/auth/authorize/ (the sandbox serves its own). */
  authorizeUrl?: string;
}

/** TikTok's code_challenge: sha256(verifier) as lowercase HEX (not RFC 7636's base64url). */
export function codeChallengeFor(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'utf8').digest('hex');
}

const VERIFIER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** A random PKCE verifier (64 unreserved characters). */
export function createCodeVerifier(length = 64): string {
  const bytes = randomBytes(length);
  let out = '';
  // Only the first 64 symbols: 256 is a multiple of 64, so every symbol is equally likely.
  for (const b of bytes) out += VERIFIER_ALPHABET[b & 63];
  return out;
}

/** A random state value (hex, 32 chars) to bind the redirect to this login. */
export function createState(): string {
  return randomBytes(16).toString('hex');
}

export function buildAuthorizeUrl(params: AuthorizeParams): string {
  const p = parseInput(authorizeParamsSchema, params, 'authorize');
  const url = new URL(p.authorizeUrl ?? DEFAULT_AUTHORIZE_URL);
  url.searchParams.set('client_key', p.clientKey);
  url.searchParams.set('scope', p.scopes.join(','));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('state', p.state);
  if (p.codeVerifier) {
    url.searchParams.set('code_challenge', codeChallengeFor(p.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds from issue (24 h in the old doc, 2 h in the newer one: always trust this). */
  expiresIn: number;
  refreshExpiresIn?: number;
  openId: string;
  /** Granted scopes (the user may grant fewer than requested). */
  scopes: string[];
  tokenType: string;
}

/** TikTok's reply to a token grant: flat, even for errors (often with HTTP 200). */
export interface TokenReply {
  access_token?: string;
  refresh_token?: string;
  open_id?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** A reply body read tolerantly: anything but an object is an empty reply. */
export const tokenReplyOf = (body: unknown): TokenReply =>
  typeof body === 'object' && body !== null ? (body as TokenReply) : {};

/** The refresh_token grant's form: TikTok says client_key where OAuth says client_id. */
export function refreshTokenForm(
  clientKey: string,
  clientSecret: string,
  refreshToken: string,
): Record<string, string> {
  return {
    client_key: clientKey,
    client_secret: clientSecret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  };
}

export interface TikTokOAuthOptions {
  clientKey: string;
  clientSecret: string;
  transport: Transport;
  /** Default https://open.tiktokapis.com. */
  baseUrl?: string;
  requestTimeoutMs?: number;
  userAgent?: string;
  clock?: Pick<Clock, 'now'>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function decodeCode(code: string): string {
  // The doc asks for the URL-decoded code; a code copied from the address bar may still be encoded.
  if (!/%[0-9A-Fa-f]{2}/.test(code)) return code;
  try {
    return decodeURIComponent(code);
  } catch {
    return code;
  }
}

export class TikTokOAuth {
  private readonly baseUrl: string;
  private readonly options: TikTokOAuthOptions;

  constructor(options: TikTokOAuthOptions) {
    parseInput(oauthClientOptionsSchema, options, 'options');
    this.options = options;
    rememberSecret(options.clientSecret); // scrubbed wherever TikTok or a proxy echoes it
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  /** grant_type=authorization_code. `redirectUri` must match the authorize request exactly. */
  async exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    const p = parseInput(exchangeCodeSchema, input, 'exchange');
    const code = decodeCode(p.code);
    const form: Record<string, string> = {
      client_key: this.options.clientKey,
      client_secret: this.options.clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: p.redirectUri,
    };
    if (p.codeVerifier) form.code_verifier = p.codeVerifier;
    return this.tokenSet(await this.post('oauth_token', form, [code, p.codeVerifier]));
  }

  /** grant_type=refresh_token. The reply's refresh token replaces the old one (rotation): store it
   * before using the new access token. */
  async refreshToken(refreshToken: string): Promise<TokenSet> {
    parseInput(refreshTokenSchema, refreshToken, 'refreshToken');
    const form = refreshTokenForm(this.options.clientKey, this.options.clientSecret, refreshToken);
    return this.tokenSet(await this.post('oauth_token', form, [refreshToken]));
  }

  /** Revokes the access token (and the app's access). Success is an empty body. */
  async revokeToken(accessToken: string): Promise<void> {
    parseInput(accessTokenSchema, accessToken, 'accessToken');
    const form = { client_key: this.options.clientKey, client_secret: this.options.clientSecret, token: accessToken };
    await this.post('oauth_revoke', form, [accessToken]);
  }

  private async post(
    endpoint: Endpoint,
    form: Record<string, string>,
    extraSecrets: Array<string | undefined>,
  ): Promise<{ body: Record<string, unknown>; response: HttpResponse }> {
    const secrets = [this.options.clientSecret, ...extraSecrets];
    const ctx = { endpoint, secrets, now: this.options.clock?.now() };
    let response: HttpResponse;
    try {
      response = await this.options.transport({
        method: 'POST',
        url: `${this.baseUrl}${ENDPOINTS[endpoint].path}`,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Cache-Control': 'no-cache',
          'User-Agent': this.options.userAgent ?? DEFAULT_USER_AGENT,
        },
        body: new URLSearchParams(form).toString(),
        timeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw new TokpipeError(classifyTransportError(error, ctx));
    }
    // Revoke answers success with an empty body.
    const emptySuccess =
      endpoint === 'oauth_revoke' && response.status >= 200 && response.status < 300 && response.body.trim() === '';
    if (emptySuccess) return { body: {}, response };
    const failure = classifyResponse(response, ctx);
    if (failure) throw new TokpipeError(failure);
    const parsed = tryParseJson(response.body);
    const body =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    return { body, response };
  }

  private tokenSet({ body, response }: { body: Record<string, unknown>; response: HttpResponse }): TokenSet {
    // Some deployments wrap the token in `data`; TikTok's documented reply is flat.
    const t =
      body.access_token === undefined && body.data && typeof body.data === 'object'
        ? (body.data as Record<string, unknown>)
        : body;
    const accessToken = str(t.access_token);
    const refreshToken = str(t.refresh_token);
    const openId = str(t.open_id);
    const expiresIn = typeof t.expires_in === 'number' ? t.expires_in : Number(t.expires_in);
    if (!accessToken || !refreshToken || !openId || !(expiresIn > 0)) {
      const missing = [
        !accessToken && 'access_token',
        !refreshToken && 'refresh_token',
        !openId && 'open_id',
        !(expiresIn > 0) && 'expires_in',
      ]
        .filter(Boolean)
        .join(', ');
      throw errorFromTable('transport', 'malformed_reply', {
        httpStatus: response.status,
        detail: `the token reply lacks ${missing}`,
      });
    }
    const refreshExpiresIn = typeof t.refresh_expires_in === 'number' ? t.refresh_expires_in : undefined;
    return {
      accessToken,
      refreshToken,
      expiresIn,
      ...(refreshExpiresIn !== undefined ? { refreshExpiresIn } : {}),
      openId,
      scopes: (str(t.scope) ?? '').split(/[,\s]+/).filter(Boolean),
      tokenType: str(t.token_type) ?? 'Bearer',
    };
  }
}
