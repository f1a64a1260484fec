import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, properties } from './description';
import { privacyLevelOptions } from './load-options';
import { executeTikTok } from './run';

/** Every wait of core (backoff, rate-limit windows, polling) goes through n8n's sleep. */
const n8nClock = { now: () => Date.now(), sleep: (ms: number) => sleep(ms) };

export class TikTok implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok',
		name: 'tikTok',
		icon: { light: 'file:tiktok.svg', dark: 'file:tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Post videos and photos to TikTok with built-in retry, idempotency and publish tracking',
		defaults: { name: 'TikTok' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties,
	};

	methods = {
		loadOptions: {
			/** The privacy levels this creator may use right now (TikTok's audit rules forbid a default). */
			async getPrivacyLevels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return await privacyLevelOptions(this, n8nClock);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeTikTok(this, { clock: n8nClock });
	}
}
