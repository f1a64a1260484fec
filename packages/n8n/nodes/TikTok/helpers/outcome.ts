import type { ErrorDetails, PostOutcome } from '@tokpipe/core';
import { postOutcomeRecord, TokpipeError } from '@tokpipe/core';
import type { IDataObject } from 'n8n-workflow';

/** A post that core reported as failed; carries the outcome so Continue On Fail can emit it. */
export class FailedOutcome extends TokpipeError {
	constructor(
		details: ErrorDetails,
		readonly outcome: IDataObject,
	) {
		super(details);
	}
}

/** The outcome as the item's JSON (core's POST_OUTCOME_FIELDS). */
export function outcomeJson(outcome: PostOutcome): IDataObject {
	return { ...postOutcomeRecord(outcome) };
}

/** A failed outcome becomes an error (or, with Continue On Fail, an item carrying its classification). */
export function settled(outcome: PostOutcome): IDataObject {
	const json = outcomeJson(outcome);
	if (outcome.error) throw new FailedOutcome(outcome.error, json);
	return json;
}
