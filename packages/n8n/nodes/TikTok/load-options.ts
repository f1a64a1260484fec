import type { Clock } from '@tokpipe/core';
import { createPoster } from '@tokpipe/core';
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { n8nTransport } from '../shared/transport';
import { CREDENTIAL_TYPE } from './description';

const PRIVACY_LABELS: Record<string, string> = {
	PUBLIC_TO_EVERYONE: 'Everyone',
	MUTUAL_FOLLOW_FRIENDS: 'Friends (Mutual Followers)',
	FOLLOWER_OF_CREATOR: 'Followers',
	SELF_ONLY: 'Only Me',
};

/** Privacy levels from creator info, as TikTok's UX guidelines require (no preselected default). */
export async function privacyLevelOptions(ctx: ILoadOptionsFunctions, clock: Clock): Promise<INodePropertyOptions[]> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const poster = createPoster({
		baseUrl: String(credentials.baseUrl || 'https://open.tiktokapis.com').replace(/\/+$/, ''),
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
	return levels.map((level) => ({ name: PRIVACY_LABELS[level] ?? level, value: level }));
}
