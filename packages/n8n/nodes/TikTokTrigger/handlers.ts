import type { Clock, WebhookEvent } from '@tokpipe/core';
import { classifyFailReason, parseWebhookEvent, verifyTikTokSignature, WebhookDeduper } from '@tokpipe/core';
import type { IDataObject, INodeExecutionData, IPollFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { staticDataStore } from '../shared/store';
import { CREDENTIAL_TYPE, posterFromCredentials } from '../transport';

export { CREDENTIAL_TYPE };

/** Static-data fields (per node) the trigger keeps between runs. */
export const SEEN_WEBHOOKS_FIELD = 'tokpipeSeenWebhooks';
export const SEEN_VIDEOS_FIELD = 'tokpipeSeenVideos';

/** How many video ids the poller remembers (TikTok lists newest first, 20 per page). */
const SEEN_VIDEOS_KEPT = 500;

/** Canonical event name → the `event` option the user filters on. */
export const EVENT_OPTIONS: Array<{ name: string; value: string; description: string }> = [
	{ name: 'Publish Complete', value: 'post.publish.complete', description: 'The post is published (or the user posted the draft)' },
	{ name: 'Publish Failed', value: 'post.publish.failed', description: 'TikTok gave up on the post; carries the reason and its classification' },
	{ name: 'Inbox Delivered', value: 'post.publish.inbox_delivered', description: 'A draft reached the creator\'s TikTok inbox' },
	{ name: 'Publicly Available', value: 'post.publish.publicly_available', description: 'The post became publicly viewable' },
	{ name: 'No Longer Public', value: 'post.publish.no_longer_publicly_available', description: 'The post stopped being public (both TikTok spellings)' },
	{ name: 'Authorization Removed', value: 'authorization.removed', description: 'The user disconnected the app; the token is already revoked' },
];

const AUTHORIZATION_REMOVED_REASONS: Record<number, string> = {
	0: 'unknown',
	1: 'user_disconnected',
	2: 'account_deleted',
	3: 'age_changed',
	4: 'account_banned',
	5: 'developer_revoked',
};

/** The item a workflow receives for one event: flat, typed, with the classification of a failure. */
export function eventJson(event: WebhookEvent): IDataObject {
	const json: IDataObject = {
		event: event.event,
		rawEvent: event.rawEvent,
		// Same for every redelivery of this event: what to deduplicate on downstream (n8n 2.x, see README).
		eventKey: event.dedupeKey,
		openId: event.openId,
		createTime: event.createTime,
		...(event.content as IDataObject),
	};
	if (event.event === 'post.publish.failed') {
		const c = classifyFailReason(event.content.reason);
		Object.assign(json, {
			failReason: event.content.reason,
			layer: c.layer,
			code: c.code,
			disposition: c.disposition,
			category: c.category,
			retryable: c.retryable,
			action: c.action,
		});
	}
	if (event.event === 'authorization.removed') {
		json.reasonName = AUTHORIZATION_REMOVED_REASONS[event.content.reason] ?? 'unknown';
	}
	return json;
}

/** Verifies TikTok-Signature over the raw body (401 otherwise), answers redeliveries without re-running, filters. */
export async function handleWebhook(ctx: IWebhookFunctions, clock: Clock): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const response = ctx.getResponseObject();
	const rawBody: Buffer = (request as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.from('');
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const check = verifyTikTokSignature({
		header: request.headers as Record<string, string | string[] | undefined>,
		rawBody,
		secret: String(credentials.clientSecret ?? ''),
		now: clock.now(),
		toleranceSec: Number(ctx.getNodeParameter('toleranceSeconds', 300)),
	});
	if (!check.ok) {
		response.status(401).json({ error: 'invalid TikTok-Signature', reason: check.reason });
		return { noWebhookResponse: true };
	}
	let event: WebhookEvent;
	try {
		event = parseWebhookEvent(rawBody);
	} catch (error) {
		// Signed but unreadable: answer 200 so TikTok stops redelivering something we can never process.
		response.status(200).json({ ok: false, ignored: (error as Error).message });
		return { noWebhookResponse: true };
	}
	const deduper = new WebhookDeduper({ clock, store: staticDataStore(ctx.getWorkflowStaticData('node'), SEEN_WEBHOOKS_FIELD) });
	const wanted = ctx.getNodeParameter('events', []) as string[];
	const selected = wanted.length === 0 || wanted.includes(event.event);
	if (!selected || !(await deduper.firstSighting(event.dedupeKey))) {
		response.status(200).json({ ok: true, skipped: selected ? 'duplicate' : 'event not selected' });
		return { noWebhookResponse: true };
	}
	await deduper.prune();
	// Answered here: left to n8n, a trigger without responseData answers with the literal body "firstEntryJson".
	response.status(200).json({ ok: true, event: event.event });
	return { noWebhookResponse: true, workflowData: [[{ json: eventJson(event) }]] };
}

interface ListedVideo {
	id: string;
	create_time?: number;
	[key: string]: unknown;
}

/**
 * Polling mode: newly published videos from /v2/video/list/, deduplicated across polls by id.
 * The first poll of an active workflow only records what is already there; a manual test run shows the newest.
 */
export async function pollVideos(ctx: IPollFunctions, clock: Clock): Promise<INodeExecutionData[][] | null> {
	const poster = await posterFromCredentials(ctx, { clock });
	const page = await poster.listVideos({ maxCount: 20 });
	const videos: ListedVideo[] = page.videos.map((v: Record<string, unknown>) => ({ ...v, id: String(v.id) }));
	if (ctx.getMode() === 'manual') {
		return videos.length ? [[{ json: videos[0] as unknown as IDataObject }]] : null;
	}
	const data = ctx.getWorkflowStaticData('node');
	const firstPoll = !Array.isArray(data[SEEN_VIDEOS_FIELD]);
	const seen = new Set<string>(firstPoll ? [] : (data[SEEN_VIDEOS_FIELD] as string[]));
	const fresh = videos.filter((v) => !seen.has(v.id));
	data[SEEN_VIDEOS_FIELD] = [...fresh.map((v) => v.id), ...seen].slice(0, SEEN_VIDEOS_KEPT);
	if (firstPoll || fresh.length === 0) return null;
	// Oldest first, the order they were published.
	return [fresh.reverse().map((v) => ({ json: v as unknown as IDataObject }))];
}
