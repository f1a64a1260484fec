import type { Clock } from '@tokpipe/core';
import { createPoster, privacyLabel, TIKTOK_API_BASE_URL } from '@tokpipe/core';
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { n8nTransport } from '../shared/transport';
import { CREDENTIAL_TYPE } from './description';

/** Privacy levels from creator info, as TikTok's UX guidelines require (no preselected default). */
export async function privacyLevelOptions(ctx: ILoadOptionsFunctions, clock: Clock): Promise<INodePropertyOptions[]> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const poster = createPoster({
		baseUrl: String(credentials.baseUrl || TIKTOK_API_BASE_URL).replace(/\/+$/, ''),
		transport: n8nTransport(ctx, CREDENTIAL_TYPE),
		clock,
		auth: { getAccessToken: async () => 'n8n-managed' },
		retry: { maxAttempts: 2 },
	});
	let levels: string[];
	try {
		levels = (await poster.creatorInfo()).privacyLevelOptions;
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Could not load the creator's privacy levels: ${(error as Error).message}`);
	}
	return levels.map((level) => ({ name: privacyLabel(level), value: level }));
}
