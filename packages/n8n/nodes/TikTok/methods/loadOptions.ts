import type { Clock } from '@tokpipe/core';
import { catalog, privacyChoices } from '@tokpipe/core';
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { posterFromCredentials } from '../../transport';
import { CONNECTION, serverCall } from '../../transport/server';

/** The creator's privacy levels: from TikTok directly, or from the server for the chosen account. */
async function creatorPrivacyLevels(ctx: ILoadOptionsFunctions, clock: Clock): Promise<readonly string[]> {
	if (ctx.getCurrentNodeParameter(CONNECTION.parameter) !== CONNECTION.server) {
		const poster = await posterFromCredentials(ctx, { clock, tuning: { retry: { maxAttempts: 2 } } });
		return (await poster.creatorInfo()).privacyLevelOptions;
	}
	const account = String(ctx.getCurrentNodeParameter('account') ?? '');
	// No account chosen: the server picks one at posting time, so every level TikTok knows is offered.
	if (!account) return catalog.privacyLevels;
	const info = await serverCall<{ privacyLevelOptions: string[] }>(ctx, 'creatorInfo', { params: { id: account } });
	return info.privacyLevelOptions;
}

/** Privacy levels from creator info, as TikTok's UX guidelines require (no preselected default). */
export async function privacyLevelOptions(ctx: ILoadOptionsFunctions, clock: Clock): Promise<INodePropertyOptions[]> {
	let levels: readonly string[];
	try {
		levels = await creatorPrivacyLevels(ctx, clock);
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Could not load the creator's privacy levels: ${(error as Error).message}`,
		);
	}
	return privacyChoices([...levels]).map(({ label, value, description }) => ({ name: label, value, description }));
}

/** The accounts the server's API key may post from. */
export async function serverAccountOptions(ctx: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { accounts } = await serverCall<{ accounts: Array<{ id: string; status: string }> }>(ctx, 'listAccounts');
	return accounts.map(({ id, status }) => ({ name: id, value: id, description: status }));
}
