import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../helpers/interfaces';
import { outcomeJson, settled } from '../../helpers/outcome';
import { publishIdParameter } from '../../helpers/parameters';
import { itemOptions } from '../../helpers/posters';
import { publishIdProperty } from '../common.descriptions';

export const description: INodeProperties[] = [publishIdProperty('waitForCompletion')];

/** Polls on core's schedule up to the wait limit (Options); past it, parks the execution with n8n's Wait mechanism. */
export async function execute(
	this: IExecuteFunctions,
	{ itemIndex, poster, clock }: ItemContext,
): Promise<IDataObject> {
	const publishId = publishIdParameter(this, itemIndex);
	const options = itemOptions(this, itemIndex);
	const outcome = await poster.waitForCompletion(publishId);
	if (outcome.status === 'UNCONFIRMED' && options.parkWhenPending) {
		const minutes = Number(options.parkMinutes ?? 30);
		const resumeAt = new Date(clock.now() + minutes * 60_000);
		// Frees the worker: n8n resumes the workflow after the next node; loop back here with an IF on `done`.
		await this.putExecutionToWait(resumeAt);
		return { ...outcomeJson(outcome), parkedUntil: resumeAt.toISOString() };
	}
	return settled(outcome);
}
