import type { Clock, KeyValueStore } from '@tokpipe/core';
import {
	newSincePoll,
	objectFieldStore,
	receiveWebhook,
	WEBHOOK_EVENT_OPTIONS,
	withProcessMemory,
} from '@tokpipe/core';
import type {
	IDataObject,
	INodeExecutionData,
	IPollFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, posterFromCredentials } from '../transport';

/** Static-data fields (per node) the trigger keeps between runs. */
export const SEEN_WEBHOOKS_FIELD = 'tokpipeSeenWebhooks';
export const SEEN_VIDEOS_FIELD = 'tokpipeSeenVideos';

/** How many video ids the poller remembers (TikTok lists newest first, 20 per page). */
const SEEN_VIDEOS_KEPT = 500;

/** The events a user filters on, by core's canonical name. */
export const EVENT_OPTIONS = WEBHOOK_EVENT_OPTIONS.map(({ value, label, description }) => ({
	name: label,
	value,
	description,
}));

/** Where this node remembers the deliveries it fired for: the workflow's static data, which n8n saves only
 * when the run ends, with this process's memory in front, so a copy that arrives meanwhile is still a copy. */
export function seenDeliveries(ctx: IWebhookFunctions, field: string): KeyValueStore {
	const scope = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id ?? ctx.getNode().name}/${field}`;
	return withProcessMemory(objectFieldStore(ctx.getWorkflowStaticData('node'), field), scope);
}

/** Core decides each delivery (signature, redelivery, event filter); this answers TikTok with its decision.
 * Answered here: left to n8n, a trigger without responseData answers with the literal body "firstEntryJson". */
export async function handleWebhook(ctx: IWebhookFunctions, clock: Clock): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const delivery = await receiveWebhook({
		headers: request.headers as Record<string, string | string[] | undefined>,
		rawBody: (request as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.from(''),
		secret: String(credentials.clientSecret ?? ''),
		clock,
		toleranceSec: Number(ctx.getNodeParameter('toleranceSeconds', 300)),
		store: seenDeliveries(ctx, SEEN_WEBHOOKS_FIELD),
		wanted: ctx.getNodeParameter('events', []) as string[],
	});
	ctx.getResponseObject().status(delivery.status).json(delivery.body);
	if (!delivery.record) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [[{ json: delivery.record as IDataObject }]] };
}

/**
 * Polling mode: newly published videos from /v2/video/list/, deduplicated across polls by id.
 * The first poll of an active workflow only records what is already there; a manual test run shows the newest.
 */
export async function pollVideos(ctx: IPollFunctions, clock: Clock): Promise<INodeExecutionData[][] | null> {
	const poster = await posterFromCredentials(ctx, { clock });
	const page = await poster.listVideos({ maxCount: 20 });
	const videos = page.videos.map((v: Record<string, unknown>) => ({ ...v, id: String(v.id) }));
	if (ctx.getMode() === 'manual') {
		return videos.length ? [[{ json: videos[0] as unknown as IDataObject }]] : null;
	}
	const data = ctx.getWorkflowStaticData('node');
	const before = Array.isArray(data[SEEN_VIDEOS_FIELD]) ? (data[SEEN_VIDEOS_FIELD] as string[]) : undefined;
	const { fresh, remember } = newSincePoll(before, videos, SEEN_VIDEOS_KEPT);
	data[SEEN_VIDEOS_FIELD] = remember;
	// Oldest first, the order they were published.
	return fresh.length ? [fresh.map((v) => ({ json: v as unknown as IDataObject }))] : null;
}
