// One TikTok API call as the poster makes it: a token, the shared rate limiter, retries with backoff,
// and one token refresh after access_token_invalid. Every call of the poster goes through here.
import { createHash } from 'node:crypto';
import { TIKTOK_API_BASE_URL } from '../catalog/tiktok';
import type { Endpoint } from '../errors/table';
import type { RateLimiter } from '../limiter';
import type { Clock, Logger, Random } from '../ports';
import { errorDetails, retry, type RetryPolicy } from '../retry';
import type { AccessTokenProvider } from '../tokens';

export interface ApiCallerOptions {
  auth: AccessTokenProvider;
  limiter: RateLimiter;
  clock: Clock;
  random: Random;
  retryPolicy: RetryPolicy;
  baseUrl?: string;
  log: (level: Parameters<Logger>[0], message: string, fields?: Record<string, unknown>) => void;
}

const isRateLimit = (code: string | undefined) => code === 'rate_limit_exceeded' || code === 'rate_limited';

export class ApiCaller {
  /** Errors after which the same call is repeated at once, because the token was just refreshed. */
  private readonly refreshedAfter = new WeakSet<object>();

  constructor(private readonly o: ApiCallerOptions) {}

  /** `send` with a token, inside the limiter's windows, retried until it succeeds or the retry policy
   * (or `deadline`) says stop; the last error is thrown. */
  async call<T>(endpoint: Endpoint, send: (token: string) => Promise<T>, deadline: number): Promise<T> {
    const { auth, limiter } = this.o;
    let refreshed = false;
    let subject = '';
    return retry(
      async () => {
        const token = await auth.getAccessToken();
        subject = await this.limiterSubject(token);
        await limiter.acquire(subject, endpoint);
        try {
          return await send(token);
        } catch (error) {
          const details = errorDetails(error);
          if (isRateLimit(details?.code)) limiter.onRateLimited(subject, endpoint, details?.retryAfterMs);
          if (details?.disposition === 'retry_after_refresh' && !refreshed && auth.onUnauthorized) {
            refreshed = true;
            await auth.onUnauthorized();
            this.refreshedAfter.add(error as object);
          }
          throw error;
        }
      },
      {
        clock: this.o.clock,
        random: this.o.random,
        policy: this.o.retryPolicy,
        deadline,
        decide: (error) => {
          if (typeof error === 'object' && error !== null && this.refreshedAfter.has(error))
            return { retry: true, delayMs: 0 };
          const details = errorDetails(error);
          // The limiter holds the endpoint for the window; the retry waits exactly that long.
          if (details?.disposition === 'wait_for_quota' && isRateLimit(details.code)) {
            const wait = limiter.waitTime(subject, endpoint);
            if (wait > this.o.retryPolicy.maxServerWaitMs)
              return { retry: false, reason: `rate limit window of ${wait} ms is too long to wait` };
            return { retry: true, delayMs: wait };
          }
          return undefined;
        },
        onRetry: ({ attempt, delayMs, error }) =>
          this.o.log('debug', 'retrying', { endpoint, attempt, delayMs, code: errorDetails(error)?.code }),
      },
    );
  }

  /** The limiter's key: the account when known (tokens rotate), else a hash of the token (never the token). */
  private async limiterSubject(token: string): Promise<string> {
    const openId = await this.o.auth.openId?.();
    // The limiter may be shared across posters: windows belong to one API host's account or token.
    const host = this.o.baseUrl ?? TIKTOK_API_BASE_URL;
    return openId
      ? `${host} open_id:${openId}`
      : `${host} token:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
  }
}
