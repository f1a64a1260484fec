// Runs this package's nodes in-process the way n8n tests its own nodes (packages/core/nodes-testing in
// n8n-io/n8n): a Workflow from n8n-workflow executed by n8n-core's WorkflowExecute, so parameters,
// expressions, credentials, httpRequestWithAuthentication, static data and errors are n8n's own code.
// What n8n's server would add is written out here, as n8n 1.123.50 does it: the credentials store and the
// credential's preAuthentication/authenticate (packages/cli/src/credentials-helper.ts).
import { removeUserFolder } from './n8n-env';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeType,
	INodeTypes,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, isExpression, NodeHelpers, Workflow } from 'n8n-workflow';

// The package's entry files, as n8n loads them (package.json "n8n.nodes" / "n8n.credentials").
import { TikTokTokenApi } from '../../credentials/TikTokTokenApi.credentials';
import { TokpipeServerApi } from '../../credentials/TokpipeServerApi.credentials';
import { TikTok } from '../../nodes/TikTok/TikTok.node';
import { TikTokTrigger } from '../../nodes/TikTokTrigger/TikTokTrigger.node';

export const PACKAGE = 'n8n-nodes-tokpipe';
const NODE_TYPES: Record<string, INodeType> = {
	[`${PACKAGE}.tikTok`]: new TikTok(),
	[`${PACKAGE}.tikTokTrigger`]: new TikTokTrigger(),
};
const CREDENTIAL_TYPES: Record<string, ICredentialType> = {
	tikTokTokenApi: new TikTokTokenApi(),
	tokpipeServerApi: new TokpipeServerApi(),
};

export const nodeTypes: INodeTypes = {
	getByName: (type) => known(type),
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(known(type), version),
	getKnownTypes: () => ({}),
};

function known(type: string): INodeType {
	const nodeType = NODE_TYPES[type];
	if (!nodeType) throw new Error(`unknown node type ${type}`);
	return nodeType;
}

/** n8n's credentials store for one run: decrypted data by credential id, updated when n8n saves a refresh. */
export class CredentialsHost extends ICredentialsHelper {
	readonly saved: Array<{ id: string; data: ICredentialDataDecryptedObject }> = [];
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	current(id: string): ICredentialDataDecryptedObject {
		return { ...this.data[id] };
	}

	getParentTypes(): string[] {
		return [];
	}

	getCredentialsProperties(type: string) {
		return CREDENTIAL_TYPES[type]?.properties ?? [];
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these nodes');
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: INodeCredentialsDetails) {
		const data = this.data[nodeCredentials.id ?? ''];
		if (!data) throw new Error(`no credential ${nodeCredentials.id}`);
		return { ...data };
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		const id = nodeCredentials.id ?? '';
		this.data[id] = { ...data };
		this.saved.push({ id, data: { ...data } });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	/** As n8n: the generic `authenticate` of the type, its expressions resolved with $credentials. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const auth = CREDENTIAL_TYPES[typeName]?.authenticate;
		if (!auth || typeof auth === 'function' || auth.type !== 'generic') return requestOptions;
		const resolve = (value: string) =>
			isExpression(value)
				? String(
						workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }) ?? '',
					)
				: value;
		const target = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [outerKey, entries] of Object.entries(auth.properties)) {
			target[outerKey] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>))
				target[outerKey][resolve(key)] = resolve(value);
		}
		return requestOptions;
	}

	/** As n8n: run the type's preAuthentication when its expirable field is empty or the token expired, then save. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = CREDENTIAL_TYPES[typeName];
		const expirable = type?.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!type?.preAuthentication || !expirable) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined || !node.credentials) return undefined;
		await this.updateCredentials(node.credentials[typeName], typeName, Object.assign(credentials, output));
		return credentials;
	}
}

/** What n8n's server hands a run (workflow-execute-additional-data.ts), minus the parts these nodes never reach. */
export function additionalData(
	credentials: CredentialsHost,
	hooks: ExecutionLifecycleHooks,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: credentials,
		hooks,
		executionId: hooks.executionId,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowRun {
	run: IRun;
	/** The static data n8n would save after the run (the workflow's, with the nodes' parts). */
	staticData: IDataObject;
}

/** The stored form of a workflow, as the execution hooks get it. */
function workflowBase(workflow: Workflow): IWorkflowBase {
	return {
		id: workflow.id,
		name: workflow.name ?? 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
	};
}

/** Executes `workflow` from `start` with one input item, as a manual run, through WorkflowExecute. */
export async function executeWorkflow(
	workflow: Workflow,
	start: string,
	credentials: CredentialsHost,
): Promise<WorkflowRun> {
	const hooks = new ExecutionLifecycleHooks(
		'manual',
		`run-${Math.random().toString(36).slice(2)}`,
		workflowBase(workflow),
	);
	const done = new Promise<WorkflowRun>((resolve) =>
		hooks.addHandler('workflowExecuteAfter', (run, staticData) => resolve({ run, staticData })),
	);
	const runData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: workflow.getNode(start)!, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	await new WorkflowExecute(additionalData(credentials, hooks), 'manual', runData).processRunExecutionData(workflow);
	return await done;
}

/** A raw HTTP delivery as n8n's webhook server hands it to a node: headers, raw body, express-like response. */
export interface Delivery {
	headers: Record<string, string>;
	rawBody: Buffer;
}

export interface WebhookAnswer {
	result: IWebhookResponseData;
	/** What the node wrote on the response itself (e.g. 401 for a bad signature), if anything. */
	response?: { status: number; body: unknown };
}

/** Calls the node's webhook() through n8n-core's WebhookContext, as n8n's webhook server does per delivery. */
export async function deliverWebhook(
	workflow: Workflow,
	nodeName: string,
	credentials: CredentialsHost,
	delivery: Delivery,
): Promise<WebhookAnswer> {
	const node = workflow.getNode(nodeName)!;
	const answer: WebhookAnswer = { result: {} };
	const httpResponse = {
		status: (status: number) => ({ json: (body: unknown) => (answer.response = { status, body }) }),
	};
	const httpRequest = {
		headers: delivery.headers,
		rawBody: delivery.rawBody,
		body: JSON.parse(delivery.rawBody.toString('utf8')),
	};
	const hooks = new ExecutionLifecycleHooks('webhook', 'webhook-1', workflowBase(workflow));
	const data = additionalData(credentials, hooks, {
		httpRequest,
		httpResponse,
	} as unknown as IWorkflowExecuteAdditionalData);
	const webhookData: IWebhookData = {
		httpMethod: 'POST',
		node: nodeName,
		path: 'webhook',
		webhookDescription: { name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		workflowId: workflow.id,
		workflowExecuteAdditionalData: data,
	};
	const context = new WebhookContext(workflow, node, data, 'webhook', webhookData, [], null);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	answer.result = await nodeType.webhook!.call(context);
	return answer;
}

/** What n8n's shutdown does for the services a node context starts (the SSH tunnel manager's timer); drops the home. */
export function shutdownN8n(): void {
	Container.get(SSHClientsManager).onShutdown();
	removeUserFolder();
}

export function makeWorkflow(nodes: INode[], staticData: IDataObject = {}): Workflow {
	return new Workflow({ id: 'wf-1', name: 'test', nodes, connections: {}, active: false, nodeTypes, staticData });
}
