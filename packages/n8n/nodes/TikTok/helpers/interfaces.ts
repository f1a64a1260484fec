import type { Clock, Random, TikTokPoster } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** What the node gets from its host: n8n's sleep in production, a virtual clock in unit tests. */
export interface NodeEnvironment {
	clock: Clock;
	random?: Random;
}

/** One input item as an operation sees it. */
export interface ItemContext {
	itemIndex: number;
	poster: TikTokPoster;
	clock: Clock;
}

/** An operation's execute(): one item in, one output item's JSON out (or a thrown error). */
export type OperationExecute = (this: IExecuteFunctions, item: ItemContext) => Promise<IDataObject>;

/** An operation via a tokpipe server: one item in, the server's reply out (core errors thrown). */
export type ServerExecute = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject>;
