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

import { CREDENTIAL_TYPE, n8nClock } from '../transport';
import { EVENT_OPTIONS, handleWebhook, pollVideos } from './handlers';

export class TikTokTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Trigger',
		name: 'tikTokTrigger',
		icon: { light: 'file:../TikTok/tiktok.svg', dark: 'file:../TikTok/tiktok.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "webhook" ? "Webhook events" : "New published videos"}}',
		description: 'Starts the workflow on TikTok post events (signed webhooks) or on newly published videos (polling)',
		defaults: { name: 'TikTok Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		polling: true,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
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
				displayOptions: { show: { mode: ['webhook'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_OPTIONS,
				default: [],
				description: 'Which events start the workflow. None selected means all.',
				displayOptions: { show: { mode: ['webhook'] } },
			},
			{
				displayName: 'Signature Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 300,
				description: 'Largest accepted age of a signed delivery (replay protection)',
				displayOptions: { show: { mode: ['webhook'] } },
			},
		],
	};

	webhookMethods = {
		default: {
			// TikTok has no API to register callbacks (one URL per app, set in the portal): nothing to create or delete.
			// These only check that the node can verify signatures at all.
			async checkExists(this: IHookFunctions): Promise<boolean> {
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
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (this.getNodeParameter('mode') !== 'webhook') {
			this.getResponseObject().status(404).json({ error: 'this TikTok Trigger is in polling mode' });
			return { noWebhookResponse: true };
		}
		return await handleWebhook(this, n8nClock);
	}

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (this.getNodeParameter('mode') !== 'pollVideos') return null;
		return await pollVideos(this, n8nClock);
	}
}
