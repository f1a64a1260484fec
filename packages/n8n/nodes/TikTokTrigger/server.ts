import type { Clock } from '@tokpipe/core';
import { receiveServerDelivery, SERVER_EVENT_OPTIONS, serverHookBook } from '@tokpipe/core';
import type { IDataObject, IHookFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { serverCall } from '../transport/server';
import { seenDeliveries } from './handlers';

/** Static-data fields (per node): this node's subscriptions by target URL, and the event ids already fired. */
export const SUBSCRIPTIONS_FIELD = 'tokpipeSubscriptions';
export const SEEN_SERVER_EVENTS_FIELD = 'tokpipeSeenServerEvents';

/** The server's event types, by core's names. */
export const SERVER_EVENTS_PROPERTY_OPTIONS = SERVER_EVENT_OPTIONS.map(({ value, label, description }) => ({
	name: label,
	value,
	description,
}));

const hooks = (ctx: IHookFunctions | IWebhookFunctions) =>
	serverHookBook(
		ctx.getWorkflowStaticData('node'),
		SUBSCRIPTIONS_FIELD,
		async (route, call) =>
			// Webhook contexts never call the server (only .secrets() is used there).
			await serverCall(ctx as IHookFunctions, route, call),
	);

/** n8n's webhookMethods for the server connection: a REST-hook subscription per webhook URL. */
export const serverWebhookMethods = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		return await hooks(this).exists(this.getNodeWebhookUrl('default')!);
	},
	async create(this: IHookFunctions): Promise<boolean> {
		const events = this.getNodeParameter('serverEvents', []) as string[];
		const { name, id } = this.getWorkflow();
		await hooks(this).subscribe(this.getNodeWebhookUrl('default')!, events, `n8n: ${name ?? id}`);
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		await hooks(this).unsubscribe(this.getNodeWebhookUrl('default')!);
		return true;
	},
};

/** Core decides each delivery (signed with one of this node's subscription secrets, replay window, redelivery,
 * event filter); the node answers the server itself and fires once per event id. */
export async function handleServerDelivery(ctx: IWebhookFunctions, clock: Clock): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const delivery = await receiveServerDelivery({
		headers: request.headers as Record<string, string | string[] | undefined>,
		rawBody: (request as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.from(''),
		secret: hooks(ctx).secrets(),
		clock,
		store: seenDeliveries(ctx, SEEN_SERVER_EVENTS_FIELD),
		wanted: ctx.getNodeParameter('serverEvents', []) as string[],
	});
	ctx.getResponseObject().status(delivery.status).json(delivery.body);
	if (!delivery.record) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [[{ json: delivery.record as IDataObject }]] };
}
