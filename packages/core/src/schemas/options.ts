// Schemas for the options and OAuth inputs callers hand to core; messages name the field.
import { z } from 'zod';
import { TIKTOK_API_BASE_URL } from '../catalog/tiktok';

const httpUrl = (what: string) =>
  z.string({ invalid_type_error: `must be ${what}` }).refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, `must be ${what}`);

const nonEmpty = (what: string) =>
  z
    .string({ invalid_type_error: `must be ${what}` })
    .trim()
    .min(1, 'must not be empty');

export const clientOptionsSchema = z
  .object({
    baseUrl: httpUrl(`an http(s) URL such as ${TIKTOK_API_BASE_URL}`).optional(),
    transport: z.custom<unknown>(
      (v) => typeof v === 'function',
      'must be a Transport function (request) => Promise<response>',
    ),
    requestTimeoutMs: z
      .number({ invalid_type_error: 'must be a number of milliseconds' })
      .int('must be whole milliseconds')
      .positive('must be more than 0')
      .optional(),
    userAgent: z.string({ invalid_type_error: 'must be text' }).optional(),
    minUploadBytesPerSec: z
      .number({ invalid_type_error: 'must be a number of bytes per second' })
      .positive('must be more than 0')
      .optional(),
    clock: z
      .object({ now: z.custom<unknown>((v) => typeof v === 'function', 'must be a function') })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const oauthClientOptionsSchema = clientOptionsSchema.extend({
  clientKey: nonEmpty("the app's client key"),
  clientSecret: nonEmpty("the app's client secret"),
});

/** TikTok scopes are comma-separated on the wire, so a scope may not contain a comma. */
const scopeName = z
  .string({ invalid_type_error: 'must be a scope name' })
  .regex(/^[a-z0-9_.]+$/i, 'must be a scope name such as video.publish (no commas or spaces)');

export const authorizeParamsSchema = z.object({
  clientKey: nonEmpty("the app's client key"),
  scopes: z.array(scopeName, { invalid_type_error: 'must be a list of scopes' }).min(1, 'must list at least one scope'),
  redirectUri: httpUrl('an absolute http(s) redirect URI registered for the app').refine(
    (v) => !v.includes('#'),
    'must not contain a #fragment',
  ),
  state: nonEmpty('a random state string'),
  codeVerifier: z
    .string({ invalid_type_error: 'must be text' })
    .regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)')
    .optional(),
  authorizeUrl: httpUrl('an http(s) URL').optional(),
});

export const exchangeCodeSchema = z.object({
  code: nonEmpty('the authorization code from the redirect'),
  redirectUri: httpUrl('the same redirect URI used to authorize'),
  codeVerifier: z.string({ invalid_type_error: 'must be text' }).min(1, 'must not be empty').optional(),
});

export const refreshTokenSchema = nonEmpty('a refresh token');
export const accessTokenSchema = nonEmpty('an access token');
export const publishIdSchema = nonEmpty('a publish_id').pipe(
  z.string().max(64, 'must be at most 64 characters (TikTok publish ids are short)'),
);
