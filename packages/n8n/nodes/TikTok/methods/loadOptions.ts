import type { Clock } from '@tokpipe/core';
import { privacyLabel, PRIVACY_OPTIONS } from '@tokpipe/core';
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
		throw new NodeOperationError(ctx.getNode(), `Could not load the creator's privacy levels: ${(error as Error).message}`);
	}
	const descriptions = new Map(PRIVACY_OPTIONS.map((o) => [o.value as string, o.description]));
	// TikTok's own value, then what it means: the label alone hides which level TikTok receives.
	return levels.map((level) => {
		const meaning = descriptions.get(level);
		return { name: privacyLabel(level), value: level, description: meaning ? `${level} · ${meaning}` : level };
	});
}
