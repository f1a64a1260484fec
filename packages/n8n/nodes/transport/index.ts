import type {
	AccessTokenProvider,
	Clock,
	KeyValueStore,
	PosterTuning,
	Random,
	RateLimiter,
	TikTokPoster,
} from '@tokpipe/core';
import { apiBaseUrlOf, createPoster, grantedScopes } from '@tokpipe/core';
import { sleep } from 'n8n-workflow';

import { n8nTransport, type N8nHttpContext } from './http';

export { n8nTransport, type N8nHttpContext };

export const CREDENTIAL_TYPE = 'tikTokTokenApi';

/** Every wait of core (backoff, rate-limit windows, polling) goes through n8n's sleep. */
export const n8nClock: Clock = { now: () => Date.now(), sleep: async (ms: number) => await sleep(ms) };

export interface PosterSetup {
	clock: Clock;
	random?: Random;
	/** The idempotency ledger's storage (absent: in memory, nothing is deduplicated across runs). */
	store?: KeyValueStore;
	tuning?: Partial<PosterTuning>;
	limiter?: RateLimiter;
}

/** The one place a node builds a core poster: TikTok's address from the credential, HTTP through n8n. */
export async function posterFromCredentials(ctx: N8nHttpContext, setup: PosterSetup): Promise<TikTokPoster> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return createPoster({
		baseUrl: apiBaseUrlOf(credentials.baseUrl),
		transport: n8nTransport(ctx, CREDENTIAL_TYPE),
		clock: setup.clock,
		random: setup.random,
		store: setup.store,
		auth: n8nAccessTokens(ctx),
		retry: setup.tuning?.retry,
		polling: setup.tuning?.polling,
		requestTimeoutMs: setup.tuning?.requestTimeoutMs,
		limiter: setup.limiter,
	});
}

/** n8n owns the token (preAuthentication refreshes and stores it); core only needs scopes and open_id. */
function n8nAccessTokens(ctx: N8nHttpContext): AccessTokenProvider {
	const read = async () => await ctx.getCredentials(CREDENTIAL_TYPE);
	return {
		// Placeholder: the transport drops core's Authorization header and n8n signs the request itself.
		getAccessToken: async () => 'n8n-managed',
		scopes: async () => grantedScopes((await read()).scope),
		openId: async () => String((await read()).openId ?? '') || undefined,
	};
}
