import type { AccessTokenProvider, ByteSource, Clock, ErrorDetails, OperationId, PostMode, PostOutcome, Random, RateLimiter, TikTokPoster } from '@tokpipe/core';
import { createPoster, postOutcomeRecord, sharedRateLimiter, TIKTOK_API_BASE_URL, toPostRequest, TokpipeError, validatePostRequest } from '@tokpipe/core';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { binaryByteSource } from '../shared/binary-source';
import { classificationFields, errorFromDetails } from '../shared/errors';
import { staticDataStore } from '../shared/store';
import { n8nTransport } from '../shared/transport';
import { ADDITIONAL_FIELDS, catalogFieldNames } from './catalog-fields';
import { CREDENTIAL_TYPE } from './description';

/** What the node gets from its host: n8n's sleep in production, a virtual clock in unit tests. */
export interface NodeEnvironment {
	clock: Clock;
	random?: Random;
}

/** Key under which the idempotency ledger lives in the workflow's static data. */
export const LEDGER_FIELD = 'tokpipeLedger';

/** A post that core reported as failed; carries the outcome so Continue On Fail can emit it. */
class FailedOutcome extends Error {
	constructor(readonly details: ErrorDetails, readonly outcome: IDataObject) {
		super(details.message);
	}
}

interface ItemContext {
	ctx: IExecuteFunctions;
	itemIndex: number;
	poster: TikTokPoster;
	clock: Clock;
}

type Operation = (item: ItemContext) => Promise<IDataObject>;

/** resource:operation → what it does. */
const OPERATIONS: Record<string, Operation> = {
	'video:post': (item) => postMedia(item, 'direct', 'video'),
	'video:uploadDraft': (item) => postMedia(item, 'draft', 'video'),
	'photo:post': (item) => postMedia(item, 'direct', 'photo'),
	'photo:uploadDraft': (item) => postMedia(item, 'draft', 'photo'),
	'post:getStatus': async ({ ctx, itemIndex, poster }) => outcomeJson(await poster.status(publishIdParam(ctx, itemIndex))),
	'post:waitForCompletion': waitForCompletion,
	'post:cancel': async ({ ctx, itemIndex, poster }) => {
		const publishId = publishIdParam(ctx, itemIndex);
		await poster.cancel(publishId);
		return { publishId, cancelled: true };
	},
	'creator:getInfo': async ({ poster }) => (await poster.creatorInfo()) as unknown as IDataObject,
};

/** The TikTok node's execute(): one core poster per retry setting, items processed in order. */
export async function executeTikTok(ctx: IExecuteFunctions, env: NodeEnvironment): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const posters = new Map<string, TikTokPoster>();
	// One limiter per clock, i.e. for every execution in this n8n process: concurrent executions posting
	// with the same token share TikTok's per-token windows instead of each getting its own.
	const limiter = sharedRateLimiter(env.clock);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const key = `${ctx.getNodeParameter('resource', itemIndex)}:${ctx.getNodeParameter('operation', itemIndex)}`;
			const operation = OPERATIONS[key];
			if (!operation) throw new NodeOperationError(ctx.getNode(), `Unknown operation "${key}"`, { itemIndex });
			const poster = await posterFor(ctx, itemIndex, env, posters, limiter);
			out.push({ json: await operation({ ctx, itemIndex, poster, clock: env.clock }), pairedItem: { item: itemIndex } });
		} catch (error) {
			const details = detailsOf(error);
			if (ctx.continueOnFail()) {
				const outcome = error instanceof FailedOutcome ? error.outcome : {};
				const json = details ? { ...outcome, ...classificationFields(details) } : { error: (error as Error).message };
				out.push({ json: json as IDataObject, pairedItem: { item: itemIndex } });
				continue;
			}
			if (details) throw errorFromDetails(ctx.getNode(), details, itemIndex);
			// Both constructors hand back an error that already is of their class.
			if (error instanceof NodeApiError) throw new NodeApiError(ctx.getNode(), error as unknown as JsonObject, { itemIndex });
			throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		}
	}
	return [out];
}

function detailsOf(error: unknown): ErrorDetails | undefined {
	if (error instanceof FailedOutcome) return error.details;
	if (error instanceof TokpipeError) return error.details;
	return undefined;
}

async function posterFor(
	ctx: IExecuteFunctions,
	itemIndex: number,
	env: NodeEnvironment,
	posters: Map<string, TikTokPoster>,
	limiter: RateLimiter,
): Promise<TikTokPoster> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const retry = {
		...(options.retryAttempts !== undefined ? { maxAttempts: Number(options.retryAttempts) } : {}),
		...(options.maxBackoffSeconds !== undefined ? { maxDelayMs: Number(options.maxBackoffSeconds) * 1000 } : {}),
	};
	const idempotent = options.idempotency !== false;
	const cacheKey = JSON.stringify(retry);
	const existing = idempotent ? posters.get(cacheKey) : undefined;
	if (existing) return existing;
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const poster = createPoster({
		baseUrl: String(credentials.baseUrl || TIKTOK_API_BASE_URL).replace(/\/+$/, ''),
		transport: n8nTransport(ctx, CREDENTIAL_TYPE),
		clock: env.clock,
		random: env.random,
		// Idempotency off: a fresh in-memory ledger per item (core's default), so nothing is ever deduplicated.
		store: idempotent ? staticDataStore(ctx.getWorkflowStaticData('node'), LEDGER_FIELD) : undefined,
		auth: n8nAccessTokens(ctx),
		retry,
		limiter,
	});
	if (idempotent) posters.set(cacheKey, poster);
	return poster;
}

/** n8n owns the token (preAuthentication refreshes and stores it); core only needs scopes and open_id. */
function n8nAccessTokens(ctx: IExecuteFunctions): AccessTokenProvider {
	const read = async () => ctx.getCredentials(CREDENTIAL_TYPE);
	return {
		// Placeholder: the transport drops core's Authorization header and n8n signs the request itself.
		getAccessToken: async () => 'n8n-managed',
		scopes: async () => {
			const scope = String((await read()).scope ?? '');
			return scope ? scope.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
		},
		openId: async () => String((await read()).openId ?? '') || undefined,
	};
}

/** The open_id is part of the idempotency key; a never-used credential learns it on its first refresh. */
async function ensureOpenId(ctx: IExecuteFunctions, poster: TikTokPoster) {
	if ((await ctx.getCredentials(CREDENTIAL_TYPE)).openId) return;
	await poster.creatorInfo();
}

async function postMedia(item: ItemContext, mode: PostMode, kind: 'video' | 'photo'): Promise<IDataObject> {
	const { ctx, itemIndex, poster } = item;
	const id: OperationId = kind === 'video' ? 'post_video' : 'post_photos';
	const names = catalogFieldNames(id, mode);
	const additional = ctx.getNodeParameter(ADDITIONAL_FIELDS, itemIndex, {}) as IDataObject;
	const values: Record<string, unknown> = { mode };
	for (const name of names.main) values[name] = ctx.getNodeParameter(name, itemIndex, undefined);
	for (const name of names.additional) values[name] = additional[name];
	let videoFile: ByteSource | undefined;
	if (kind === 'video') {
		if (ctx.getNodeParameter('source', itemIndex, 'url') === 'binary') {
			const property = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
			videoFile = await binaryByteSource(ctx, itemIndex, property);
			delete values.videoUrl;
		} else {
			values.videoUrl = ctx.getNodeParameter('videoUrl', itemIndex, '');
		}
	}
	// Both throw TokpipeError (layer input or structural, naming the field) before any request.
	const request = validatePostRequest(toPostRequest(id, values, videoFile));
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (options.idempotency !== false) await ensureOpenId(ctx, poster);
	const outcome = await poster.post(request, { wait: values.waitForCompletion !== false });
	return settled(outcome);
}

function publishIdParam(ctx: IExecuteFunctions, itemIndex: number): string {
	const publishId = String(ctx.getNodeParameter('publishId', itemIndex) ?? '').trim();
	if (!publishId) throw new NodeOperationError(ctx.getNode(), 'Publish ID is required', { itemIndex });
	return publishId;
}

/** In-node polling on core's schedule; past the in-node budget, park the execution with n8n's Wait mechanism. */
async function waitForCompletion({ ctx, itemIndex, poster, clock }: ItemContext): Promise<IDataObject> {
	const publishId = publishIdParam(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const budgetMs = Number(options.maxWaitInNodeSeconds ?? 300) * 1000;
	const outcome = await poster.waitForCompletion(publishId, { budgetMs });
	if (outcome.status === 'UNCONFIRMED' && options.parkWhenPending) {
		const minutes = Number(options.parkMinutes ?? 30);
		const resumeAt = new Date(clock.now() + minutes * 60_000);
		// Frees the worker: n8n resumes the workflow after the next node; loop back here with an IF on `done`.
		await ctx.putExecutionToWait(resumeAt);
		return { ...outcomeJson(outcome), parkedUntil: resumeAt.toISOString() };
	}
	return settled(outcome);
}

function outcomeJson(outcome: PostOutcome): IDataObject {
	return { ...postOutcomeRecord(outcome) };
}

/** A failed outcome becomes an error (or, with Continue On Fail, an item carrying its classification). */
function settled(outcome: PostOutcome): IDataObject {
	const json = outcomeJson(outcome);
	if (outcome.error) throw new FailedOutcome(outcome.error, json);
	return json;
}
