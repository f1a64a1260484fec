import type { Clock } from '@tokpipe/core';
import {
	objectFieldStore,
	receiveServerDelivery,
	SERVER_EVENT_OPTIONS,
	serverSubscriptionBody,
	TokpipeError,
	type ServerDelivery,
} from '@tokpipe/core';
import type { IDataObject, IHookFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { serverCall } from '../transport/server';

/** Static-data fields (per node): this node's subscriptions by target URL, and the event ids already fired. */
export const SUBSCRIPTIONS_FIELD = 'tokpipeSubscriptions';
export const SEEN_SERVER_EVENTS_FIELD = 'tokpipeSeenServerEvents';

/** The server's event types, by core's names. */
export const SERVER_EVENTS_PROPERTY_OPTIONS = SERVER_EVENT_OPTIONS.map(({ value, label, description }) => ({
	name: label,
	value,
	description,
}));

interface StoredSubscription {
	id: string;
	/** Shown once by the server when subscribing; verifies every delivery. */
	secret: string;
}

/** Keyed by target URL: n8n's production and test webhook URLs each get their own subscription. */
function subscriptions(ctx: IHookFunctions | IWebhookFunctions): Record<string, StoredSubscription> {
	const data = ctx.getWorkflowStaticData('node');
	data[SUBSCRIPTIONS_FIELD] ??= {};
	return data[SUBSCRIPTIONS_FIELD] as Record<string, StoredSubscription>;
}

const isNotFound = (error: unknown) => error instanceof TokpipeError && error.details.httpStatus === 404;

/** n8n's webhookMethods for the server connection: a REST-hook subscription per webhook URL. */
export const serverWebhookMethods = {
	/** True while the server still has this URL's subscription; a stale one is forgotten. */
	async checkExists(this: IHookFunctions): Promise<boolean> {
		const known = subscriptions(this);
		const url = this.getNodeWebhookUrl('default')!;
		if (!known[url]) return false;
		try {
			await serverCall(this, 'getSubscription', { params: { id: known[url].id } });
			return true;
		} catch (error) {
			if (!isNotFound(error)) throw error;
			delete known[url];
			return false;
		}
	},
	async create(this: IHookFunctions): Promise<boolean> {
		const url = this.getNodeWebhookUrl('default')!;
		const events = this.getNodeParameter('serverEvents', []) as string[];
		const body = serverSubscriptionBody(url, events, `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id}`);
		const sub = await serverCall<StoredSubscription>(this, 'subscribe', { body });
		subscriptions(this)[url] = { id: sub.id, secret: sub.secret };
		return true;
	},
	/** Unsubscribes (already gone on the server counts as done). */
	async delete(this: IHookFunctions): Promise<boolean> {
		const known = subscriptions(this);
		const url = this.getNodeWebhookUrl('default')!;
		if (!known[url]) return true;
		try {
			await serverCall(this, 'unsubscribe', { params: { id: known[url].id } });
		} catch (error) {
			if (!isNotFound(error)) return false;
		}
		delete known[url];
		return true;
	},
};

/** Core decides each delivery (signature with one of this node's subscription secrets, replay window, redelivery,
 * event filter); the node answers the server itself and fires once per event id. */
export async function handleServerDelivery(ctx: IWebhookFunctions, clock: Clock): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const seen = objectFieldStore(ctx.getWorkflowStaticData('node'), SEEN_SERVER_EVENTS_FIELD);
	let delivery: ServerDelivery = { status: 401, body: { error: 'this trigger has no subscription' } };
	for (const { secret } of Object.values(subscriptions(ctx))) {
		delivery = await receiveServerDelivery({
			headers: request.headers as Record<string, string | string[] | undefined>,
			rawBody: (request as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.from(''),
			secret,
			clock,
			store: seen,
			wanted: ctx.getNodeParameter('serverEvents', []) as string[],
		});
		if (delivery.status !== 401) break;
	}
	ctx.getResponseObject().status(delivery.status).json(delivery.body);
	if (!delivery.record) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [[{ json: delivery.record as IDataObject }]] };
}
