import type {
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { connectionCredentials, connectionProperty } from '../shared/connection';
import { CREDENTIAL_TYPE, n8nClock } from '../transport';
import { CONNECTION } from '../transport/server';
import { EVENT_OPTIONS, handleWebhook, pollVideos } from './handlers';
import { handleServerDelivery, SERVER_EVENTS_PROPERTY_OPTIONS, serverWebhookMethods } from './server';

const DIRECT = { [CONNECTION.parameter]: [CONNECTION.direct] };
const viaServer = (ctx: { getNodeParameter(name: string, fallback: string): unknown }) =>
	ctx.getNodeParameter(CONNECTION.parameter, CONNECTION.direct) === CONNECTION.server;

export class TikTokTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Trigger',
		name: 'tikTokTrigger',
		icon: { light: 'file:../TikTok/tiktok.svg', dark: 'file:../TikTok/tiktok.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{$parameter["authentication"] === "tokpipeServer" ? "Server events" : $parameter["mode"] === "webhook" ? "Webhook events" : "New published videos"}}',
		description:
			'Starts the workflow on TikTok post events (signed webhooks, directly or from a tokpipe server) or on newly published videos (polling)',
		defaults: { name: 'TikTok Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: connectionCredentials,
		polling: true,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			connectionProperty,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: DIRECT },
				options: [
					{
						name: 'Webhook',
						value: 'webhook',
						description:
							'TikTok calls this node (set its Production URL as the callback URL in the TikTok developer portal)',
					},
					{
						name: 'Polling: New Published Videos',
						value: 'pollVideos',
						description: 'For n8n instances TikTok cannot reach: checks the video list on the poll schedule',
					},
				],
				default: 'webhook',
			},
			{
				displayName:
					"TikTok has one callback URL per app: paste this node's Production URL into your app's Webhooks settings in the TikTok developer portal. The Poll Times below are not used in this mode.",
				name: 'webhookNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { ...DIRECT, mode: ['webhook'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_OPTIONS,
				default: [],
				description: 'Which events start the workflow. None selected means all.',
				displayOptions: { show: { ...DIRECT, mode: ['webhook'] } },
			},
			{
				displayName: 'Signature Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 300,
				description: 'Largest accepted age of a signed delivery (replay protection)',
				displayOptions: { show: { ...DIRECT, mode: ['webhook'] } },
			},
			{
				displayName:
					"When the workflow is activated, n8n subscribes its Production URL on your tokpipe server; deactivating unsubscribes. Point TikTok's webhook at the server, not here.",
				name: 'serverNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { [CONNECTION.parameter]: [CONNECTION.server] } },
			},
			{
				displayName: 'Events',
				name: 'serverEvents',
				type: 'multiOptions',
				options: SERVER_EVENTS_PROPERTY_OPTIONS,
				default: [],
				description: 'Which server events start the workflow. None selected means all.',
				displayOptions: { show: { [CONNECTION.parameter]: [CONNECTION.server] } },
			},
		],
	};

	webhookMethods = {
		default: {
			// Direct: TikTok has no API to register callbacks (one URL per app, set in the portal): nothing to create or
			// delete; these only check that the node can verify signatures at all. Via a server: its subscriptions API.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (viaServer(this)) return await serverWebhookMethods.checkExists.call(this);
				if (this.getNodeParameter('mode') !== 'webhook') return true;
				const credentials = await this.getCredentials(CREDENTIAL_TYPE);
				if (!credentials.clientSecret) {
					throw new NodeOperationError(
						this.getNode(),
						'The TikTok credential has no client secret, so webhook signatures cannot be verified',
					);
				}
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return viaServer(this) ? await serverWebhookMethods.create.call(this) : true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return viaServer(this) ? await serverWebhookMethods.delete.call(this) : true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (viaServer(this)) return await handleServerDelivery(this, n8nClock);
		if (this.getNodeParameter('mode') !== 'webhook') {
			this.getResponseObject().status(404).json({ error: 'this TikTok Trigger is in polling mode' });
			return { noWebhookResponse: true };
		}
		return await handleWebhook(this, n8nClock);
	}

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (viaServer(this) || this.getNodeParameter('mode') !== 'pollVideos') return null;
		return await pollVideos(this, n8nClock);
	}
}
