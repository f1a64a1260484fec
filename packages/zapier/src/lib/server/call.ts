// One call of the tokpipe server's API through core's callServer (the credential checked, the request
// built, the reply or its absence read into core's errors); z.request sends it, so Zapier logs it and
// scrubs the API key. A refusal becomes the Zapier error core's disposition calls for.
import { callServer as coreCallServer, type ServerCall, type ServerRoute } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { translated } from '../common/errors';
import { runtime } from '../common/runtime';

const json = (content: string): unknown => {
  try {
    return content ? JSON.parse(content) : {};
  } catch {
    return content; // not JSON (a proxy's page): readServerReply quotes it, redacted
  }
};

/** `goneOk`: a 404 means the thing is already gone, which is what was asked (unsubscribe). */
export function callServer<T = Record<string, unknown>>(
  z: ZObject,
  bundle: Bundle,
  route: ServerRoute,
  call: ServerCall = {},
  options: { goneOk?: boolean } = {},
): Promise<T> {
  return translated(z, () =>
    coreCallServer<T>(bundle.authData ?? {}, route, call, async (request) => {
      const response = await z.request({
        url: request.url,
        method: request.method,
        headers: request.headers,
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
        timeout: runtime().performBudgetMs,
        // core reads every status itself; the URL and body are data, never {{templates}}.
        skipThrowForStatus: true,
        throwForThrottlingEarly: false,
        merge: false,
        removeMissingValuesFrom: { params: false, body: false },
      } as Parameters<ZObject['request']>[0]);
      if (options.goneOk && response.status === 404) return { status: 200, body: {} };
      return { status: response.status, body: json(response.content) };
    }),
  );
}
