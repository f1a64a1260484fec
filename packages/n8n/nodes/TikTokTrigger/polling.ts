import type { Clock, TikTokPoster } from '@tokpipe/core';
import { createPoster, TIKTOK_API_BASE_URL } from '@tokpipe/core';
import type { IPollFunctions } from 'n8n-workflow';

import { n8nTransport } from '../shared/transport';
import { CREDENTIAL_TYPE } from '../TikTok/description';

/** A core poster for reading (video list); n8n signs and refreshes, as in the action node. */
export async function posterForPolling(ctx: IPollFunctions, clock: Clock): Promise<TikTokPoster> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return createPoster({
		baseUrl: String(credentials.baseUrl || TIKTOK_API_BASE_URL).replace(/\/+$/, ''),
		transport: n8nTransport(ctx, CREDENTIAL_TYPE),
		clock,
		auth: { getAccessToken: async () => 'n8n-managed' },
	});
}
