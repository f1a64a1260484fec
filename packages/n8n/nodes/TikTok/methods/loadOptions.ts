import type { Clock } from '@tokpipe/core';
import { privacyChoices } from '@tokpipe/core';
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { posterFromCredentials } from '../../transport';

/** Privacy levels from creator info, as TikTok's UX guidelines require (no preselected default). */
export async function privacyLevelOptions(ctx: ILoadOptionsFunctions, clock: Clock): Promise<INodePropertyOptions[]> {
	const poster = await posterFromCredentials(ctx, { clock, tuning: { retry: { maxAttempts: 2 } } });
	let levels: string[];
	try {
		levels = (await poster.creatorInfo()).privacyLevelOptions;
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Could not load the creator's privacy levels: ${(error as Error).message}`,
		);
	}
	return privacyChoices(levels).map(({ label, value, description }) => ({ name: label, value, description }));
}
