import type { TikTokPoster } from '@tokpipe/core';
import { objectFieldStore, posterTuning, sharedRateLimiter } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { posterFromCredentials } from '../../transport';
import type { NodeEnvironment } from './interfaces';

/** Key under which the idempotency ledger lives in the workflow's static data. */
export const LEDGER_FIELD = 'tokpipeLedger';

/** The node's Options of one item (idempotency, tuning, parking). */
export function itemOptions(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

/** One core poster per distinct Options setting within an execution, items processed in order. */
export class PostersByOptions {
	private readonly posters = new Map<string, TikTokPoster>();
	// One limiter per clock, i.e. for every execution in this n8n process: concurrent executions posting
	// with the same token share TikTok's per-token windows instead of each getting its own.
	private readonly limiter;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly env: NodeEnvironment,
	) {
		this.limiter = sharedRateLimiter(env.clock);
	}

	async forItem(itemIndex: number): Promise<TikTokPoster> {
		const options = itemOptions(this.ctx, itemIndex);
		const tuning = posterTuning(options);
		const idempotent = options.idempotency !== false;
		const cacheKey = JSON.stringify(tuning);
		const existing = idempotent ? this.posters.get(cacheKey) : undefined;
		if (existing) return existing;
		const poster = await posterFromCredentials(this.ctx, {
			clock: this.env.clock,
			random: this.env.random,
			// Idempotency off: a fresh in-memory ledger per item (core's default), so nothing is ever deduplicated.
			store: idempotent ? objectFieldStore(this.ctx.getWorkflowStaticData('node'), LEDGER_FIELD) : undefined,
			tuning,
			limiter: this.limiter,
		});
		if (idempotent) this.posters.set(cacheKey, poster);
		return poster;
	}
}
