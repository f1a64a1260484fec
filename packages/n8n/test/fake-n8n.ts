// The part of n8n a node talks to, for unit tests. HTTP is real (to the tokpipe sandbox); the n8n
// behaviour the nodes rely on is reproduced from n8n-core 1.122 (read in source, proven in the e2e):
// - httpRequestWithAuthentication runs the credential's preAuthentication when the expirable token is
//   empty (in the stored credential, or in the credentialsDecrypted a node hands it) or when a request
//   *throws* 401, saves what it returns, and retries once;
// - returnFullResponse / ignoreHttpStatusErrors / encoding / timeout as in n8n's httpRequest (a timeout
//   is axios' ECONNABORTED; through httpRequestWithAuthentication every error arrives wrapped in a
//   NodeApiError, which keeps the socket code only in httpCode).
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { TikTokTokenApi } from '../credentials/TikTokTokenApi.credentials';

export interface HttpLogEntry {
	method: string;
	url: string;
	authorization?: string;
}

export class HttpStatusError extends Error {
	constructor(
		readonly httpCode: string,
		readonly body: string,
	) {
		super(`Request failed with status code ${httpCode}`);
	}
}

/** n8n's httpRequest over fetch, honouring the options the nodes use. `timeScale` shortens timeouts
 * (the sandbox's "timeout" fault never answers; tests do not wait real seconds for it). */
export async function n8nHttpRequest(
	options: IHttpRequestOptions,
	log?: HttpLogEntry[],
	timeScale = 1,
): Promise<unknown> {
	const headers = { ...(options.headers as Record<string, string>) };
	let body: string | Buffer | undefined;
	if (options.body !== undefined) {
		if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) body = options.body;
		else {
			body = JSON.stringify(options.body);
			if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
				headers['content-type'] = 'application/json';
		}
	}
	const url = options.baseURL ? `${options.baseURL}${options.url}` : options.url;
	log?.push({ method: options.method ?? 'GET', url, authorization: headers.Authorization ?? headers.authorization });
	const signal = options.timeout
		? AbortSignal.timeout(Math.max(1, Math.round(options.timeout * timeScale)))
		: undefined;
	let res: Response;
	let bytes: Buffer;
	try {
		res = await fetch(url, {
			method: options.method ?? 'GET',
			headers,
			body: body as string | Uint8Array | undefined,
			signal,
		});
		bytes = Buffer.from(await res.arrayBuffer());
	} catch (error) {
		if (signal?.aborted)
			throw Object.assign(new Error(`timeout of ${options.timeout}ms exceeded`), { code: 'ECONNABORTED' });
		// axios (under n8n) puts the socket's code on the error itself; fetch keeps it in `cause`.
		const code = (error as { cause?: { code?: string } }).cause?.code;
		throw code ? Object.assign(new Error(`connect ${code}`), { code }) : error;
	}
	if (res.status >= 400 && !options.ignoreHttpStatusErrors)
		throw new HttpStatusError(String(res.status), bytes.toString('utf8'));
	const text = bytes.toString('utf8');
	const parsed = options.encoding === 'arraybuffer' ? bytes : options.json ? (text ? JSON.parse(text) : {}) : text;
	if (!options.returnFullResponse) return parsed;
	const responseHeaders: Record<string, string> = {};
	res.headers.forEach((value, name) => (responseHeaders[name] = value));
	return { statusCode: res.status, headers: responseHeaders, body: parsed };
}

/** Holds a credential like n8n's database does; preAuthentication results are saved into it. */
export class CredentialStore {
	readonly type = new TikTokTokenApi();
	refreshes = 0;
	/** Fraction of real time n8n's request timeouts last in this fake. */
	timeScale = 1;
	constructor(public data: ICredentialDataDecryptedObject) {}

	private async preAuthenticate(log?: HttpLogEntry[]) {
		this.refreshes++;
		const helper = { helpers: { httpRequest: (o: IHttpRequestOptions) => n8nHttpRequest(o, log) } };
		const output = await this.type.preAuthentication.call(helper as never, this.data);
		this.data = { ...this.data, ...(output as ICredentialDataDecryptedObject) };
	}

	private sign(options: IHttpRequestOptions): IHttpRequestOptions {
		return { ...options, headers: { ...options.headers, Authorization: `Bearer ${String(this.data.accessToken)}` } };
	}

	async requestWithAuthentication(
		options: IHttpRequestOptions,
		log?: HttpLogEntry[],
		additional?: IAdditionalCredentialOptions,
	): Promise<unknown> {
		try {
			const given = additional?.credentialsDecrypted?.data ?? this.data;
			if (!given.accessToken) await this.preAuthenticate(log);
			return await n8nHttpRequest(this.sign(options), log, this.timeScale);
		} catch (error) {
			if (!(error instanceof HttpStatusError && error.httpCode === '401'))
				throw new NodeApiError(NODE, error as JsonObject);
			try {
				await this.preAuthenticate(log);
				return await n8nHttpRequest(this.sign(options), log, this.timeScale);
			} catch (again) {
				throw new NodeApiError(NODE, again as JsonObject);
			}
		}
	}
}

export interface FakeExecuteOptions {
	/** Node parameters per item (resource, operation, fields, options). */
	items: IDataObject[];
	credentials: CredentialStore;
	continueOnFail?: boolean;
	staticData?: IDataObject;
	binary?: Array<INodeExecutionData['binary']>;
	log?: HttpLogEntry[];
	/** The node's properties, for defaults of parameters an item does not set. */
	properties?: INodeProperties[];
	/** Wraps every HTTP call (e.g. VirtualClock.track, so virtual time never jumps over real I/O). */
	track?: <T>(work: Promise<T>) => Promise<T>;
}

/** n8n's displayOptions.show, for the plain-value case the node uses. */
function isShown(property: INodeProperties, params: IDataObject): boolean {
	for (const [key, allowed] of Object.entries(property.displayOptions?.show ?? {})) {
		const value = params[key] ?? (key === 'source' ? 'url' : undefined);
		if (!(allowed as unknown[]).includes(value)) return false;
	}
	return true;
}

export const NODE: INode = {
	id: 'node-1',
	name: 'TikTok',
	type: 'n8n-nodes-tokpipe.tikTok',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** A fake IExecuteFunctions: parameters from `items`, HTTP to the sandbox through the credential store. */
export function fakeExecute(o: FakeExecuteOptions) {
	const staticData = o.staticData ?? {};
	const track = o.track ?? (<T>(work: Promise<T>) => work);
	const waits: Date[] = [];
	const ctx = {
		getInputData: () => o.items.map((_, i) => ({ json: {}, binary: o.binary?.[i] })),
		getNodeParameter: (name: string, itemIndex: number, ...fallback: unknown[]) => {
			const params = o.items[itemIndex] ?? {};
			if (params[name] !== undefined) return params[name];
			// Like n8n: a parameter the user did not set has its default, if it is shown for these settings.
			const shown = (o.properties ?? []).find((p) => p.name === name && isShown(p, params));
			if (shown) return shown.default;
			if (fallback.length) return fallback[0];
			throw new Error(`Could not get parameter "${name}"`);
		},
		getNode: () => NODE,
		continueOnFail: () => o.continueOnFail ?? false,
		getCredentials: async () => ({ ...o.credentials.data }),
		getWorkflowStaticData: () => staticData,
		putExecutionToWait: async (date: Date) => {
			waits.push(date);
		},
		helpers: {
			httpRequest: (options: IHttpRequestOptions) => track(n8nHttpRequest(options, o.log, o.credentials.timeScale)),
			httpRequestWithAuthentication: (
				_type: string,
				options: IHttpRequestOptions,
				additional?: IAdditionalCredentialOptions,
			) => track(o.credentials.requestWithAuthentication(options, o.log, additional)),
			assertBinaryData: (itemIndex: number, property: string) => {
				const binary = o.binary?.[itemIndex]?.[property];
				if (!binary)
					throw new Error(`This operation expects the node's input data to contain a binary file '${property}'`);
				return binary;
			},
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, staticData, waits };
}

/** The helpers and credential access every context (execute, poll, load options) shares. */
export function httpContext(
	credentials: CredentialStore,
	track: <T>(work: Promise<T>) => Promise<T> = (w) => w,
	log?: HttpLogEntry[],
) {
	return {
		getCredentials: async () => ({ ...credentials.data }),
		getNode: () => NODE,
		// Load options: the node's parameters as the editor holds them (none set here: the direct connection).
		getCurrentNodeParameter: (): unknown => undefined,
		helpers: {
			httpRequest: (options: IHttpRequestOptions) => track(n8nHttpRequest(options, log)),
			httpRequestWithAuthentication: (
				_type: string,
				options: IHttpRequestOptions,
				additional?: IAdditionalCredentialOptions,
			) => track(credentials.requestWithAuthentication(options, log, additional)),
		},
	};
}
