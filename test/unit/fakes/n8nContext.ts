/**
 * Runs a node's execute() in-process on n8n's own ExecuteContext (n8n-core 2.41, the version the
 * package targets), so getNodeParameter (defaults, per-item expressions, fallbacks),
 * continueOnFail, getNode and helpers.httpRequest / httpRequestWithAuthentication are n8n's real
 * code, real HTTP included. Only the credential store is faked: an in-memory ICredentialsHelper
 * that does what n8n's CredentialsHelper (packages/cli/src/credentials-helper.ts) does for this
 * package's credential types: defaults of credential properties, `extends` parents, the generic
 * `authenticate` with `{{$credentials.…}}` expressions, and preAuthentication of an `expirable`
 * property with persistence of its result.
 */
import { Container } from '@n8n/di';
import { ExecuteContext, InstanceSettings, LoadOptionsContext } from 'n8n-core';
import {
	createRunExecutionData,
	isExpression,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsHelper,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { ZohoCrmOAuth2Api } from '../../../credentials/ZohoCrmOAuth2Api.credentials';
import { ZohoCrmRefreshTokenApi } from '../../../credentials/ZohoCrmRefreshTokenApi.credentials';

export const PACKAGE_NAME = 'n8n-nodes-contact-sync';

/** n8n-nodes-base's oAuth2Api, reduced to the properties n8n-core's OAuth2 client reads. */
const OAUTH2_API: ICredentialType = {
	name: 'oAuth2Api',
	displayName: 'OAuth2 API',
	properties: [
		{ displayName: 'Grant Type', name: 'grantType', type: 'options', options: [], default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'string', default: '' },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
		{ displayName: 'Client Secret', name: 'clientSecret', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'string', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'options', options: [], default: 'header' },
		{ displayName: 'Ignore SSL Issues', name: 'ignoreSSLIssues', type: 'boolean', default: false },
	],
};

/** Every credential type of the package, by name, and the n8n types they extend. */
export const CREDENTIAL_TYPES: Record<string, ICredentialType> = Object.fromEntries(
	[new ZohoCrmRefreshTokenApi(), new ZohoCrmOAuth2Api(), OAUTH2_API].map((type) => [type.name, type]),
);

/** Stored values n8n ignores when the type pins the field as hidden (cli oauth/dcr-managed-fields). */
const OAUTH_PINNED_FIELDS = ['useDynamicClientRegistration', 'authUrl', 'accessTokenUrl', 'grantType'];

/** The stand-in node n8n resolves credential expressions with (`$self` = the credential data). */
const CREDENTIAL_EXPRESSION_NODE: INode = {
	id: 'credential-expressions',
	name: 'mock',
	type: 'mock',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const MOCK_NODE_TYPES: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getKnownTypes: () => ({}),
};

// ExecuteContext reads InstanceSettings from the DI container; the real one creates ~/.n8n/config.
Container.set(InstanceSettings, {} as InstanceSettings);

/** n8n's CredentialsHelper for the credential types above, with the stored data in memory. */
export class InMemoryCredentialsHelper implements ICredentialsHelper {
	/** Stored (decrypted) data per credential type; preAuthentication results are persisted here. */
	readonly stored: Record<string, ICredentialDataDecryptedObject>;
	/** How often preAuthentication ran, per credential type. */
	readonly preAuthentications: Record<string, number> = {};
	/** How often n8n stored a refreshed OAuth2 token, per credential type. */
	readonly oauthTokenUpdates: Record<string, number> = {};

	constructor(
		stored: Record<string, ICredentialDataDecryptedObject>,
		private readonly types: Record<string, ICredentialType> = CREDENTIAL_TYPES,
	) {
		this.stored = structuredClone(stored);
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`unknown credential type ${name}`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.types[name]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Parent properties first, the type's own ones override them by name (as n8n merges `extends`). */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.type(type);
		if (credentialType.extends === undefined) {
			if (type !== 'oAuth2Api') return credentialType.properties;
			return [
				...credentialType.properties,
				{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} },
			];
		}
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	/** As getDecrypted + applyDefaultsAndOverwrites: defaults, displayed properties only, expressions resolved. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode?: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.stored[type];
		if (!data) throw new Error(`no stored credentials of type ${type}`);
		if (raw) return structuredClone(data);
		const properties = this.getCredentialsProperties(type);
		const stored = structuredClone(data);
		for (const field of OAUTH_PINNED_FIELDS) {
			if (properties.some((p) => p.name === field && p.type === 'hidden')) delete stored[field];
		}
		const withDefaults = (NodeHelpers.getNodeParameters(properties, stored as INodeParameters, true, false, null, null) ??
			{}) as ICredentialDataDecryptedObject;
		if (data.oauthTokenData !== undefined) withDefaults.oauthTokenData = structuredClone(data.oauthTokenData);
		const workflow = new Workflow({
			nodes: [CREDENTIAL_EXPRESSION_NODE],
			connections: {},
			active: false,
			nodeTypes: MOCK_NODE_TYPES,
		});
		return workflow.expression.getComplexParameterValue(
			CREDENTIAL_EXPRESSION_NODE,
			withDefaults as INodeParameters,
			'internal',
			{},
			undefined,
			undefined,
			withDefaults,
		) as unknown as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		const options = requestOptions as IHttpRequestOptions;
		if (!authenticate) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		if (!workflow || !node) throw new Error('Workflow and node are required for declarative credential authentication');
		options.headers ??= {};
		const resolve = (value: string) =>
			isExpression(value)
				? String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') || '')
				: value;
		const target = options as unknown as Record<string, IDataObject>;
		for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
				target[outerKey] ??= {};
				target[outerKey][resolve(key)] = resolve(value);
			}
		}
		return options;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		this.preAuthentications[typeName] = (this.preAuthentications[typeName] ?? 0) + 1;
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (!node.credentials) return undefined;
		this.stored[typeName] = { ...this.stored[typeName], ...output };
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return ((await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these specs');
	}

	async updateCredentials(_node: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.stored[type] = structuredClone(data);
	}

	/** n8n passes the whole credential with its new oauthTokenData. */
	async updateCredentialsOauthTokenData(
		_node: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.oauthTokenUpdates[type] = (this.oauthTokenUpdates[type] ?? 0) + 1;
		this.stored[type] = { ...this.stored[type], oauthTokenData: structuredClone(data.oauthTokenData) };
	}
}

export interface NodeRun {
	nodeType: INodeType;
	/** Node parameters as a workflow stores them: unset ones take their defaults, "={{ … }}" is an expression. */
	parameters: INodeParameters;
	/** Stored credential data per credential type; the node gets a reference to each. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	items: INodeExecutionData[];
	/** The node's "On Error" setting. Default: stop the workflow. */
	onError?: INode['onError'];
	/** Shares a credential store between runs (as one n8n instance does). */
	credentialsHelper?: InMemoryCredentialsHelper;
	/** The workflow's settings, e.g. its time zone. */
	workflowSettings?: Record<string, unknown>;
	/** The node's typeVersion. Default: the node type's newest. */
	typeVersion?: number;
}

export interface PreparedRun {
	context: ExecuteContext;
	node: INode;
	credentialsHelper: InMemoryCredentialsHelper;
}

/** n8n's ExecuteContext for one run of `nodeType` on `items`. */
export function prepareRun(run: NodeRun): PreparedRun {
	const { description } = run.nodeType;
	const credentialsHelper = run.credentialsHelper ?? new InMemoryCredentialsHelper(run.credentials ?? {});
	const node: INode = {
		id: 'node-under-test',
		name: description.defaults.name ?? description.displayName,
		type: `${PACKAGE_NAME}.${description.name}`,
		typeVersion: run.typeVersion ?? (Array.isArray(description.version) ? Math.max(...description.version) : description.version),
		position: [0, 0],
		parameters: structuredClone(run.parameters),
		credentials: Object.fromEntries(
			Object.keys(run.credentials ?? credentialsHelper.stored).map((type) => [type, { id: `${type}-id`, name: type }]),
		),
		...(run.onError ? { onError: run.onError } : {}),
	};
	const nodeTypes: INodeTypes = {
		getByName: () => run.nodeType,
		getByNameAndVersion: () => run.nodeType,
		getKnownTypes: () => ({}),
	};
	// The Workflow fills in parameter defaults exactly as in a running n8n.
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Unit',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: run.workflowSettings ?? {},
	});
	const workflowNode = workflow.getNode(node.name) as INode;
	const additionalData = {
		executionId: 'execution-under-test',
		credentialsHelper,
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const inputData = { main: [run.items] };
	const executeData: IExecuteData = { node: workflowNode, data: inputData, source: null };
	const context = new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		'manual',
		createRunExecutionData(),
		0,
		run.items,
		inputData,
		executeData,
		[],
	);
	return { context, node: workflowNode, credentialsHelper };
}

/** Runs the node's execute() as n8n would, returning its output. */
export async function runNode(run: NodeRun): Promise<INodeExecutionData[][]> {
	const { context } = prepareRun(run);
	if (!run.nodeType.execute) throw new Error('the node has no execute()');
	return (await run.nodeType.execute.call(context)) as INodeExecutionData[][];
}

/**
 * n8n's LoadOptionsContext for the editor's calls (loadOptions, resource-mapper fields) on a node
 * with these parameters, as n8n builds it for a request from the editor.
 */
export function loadOptionsContext(run: Omit<NodeRun, 'items'>): LoadOptionsContext {
	const { node, credentialsHelper } = prepareRun({ ...run, items: [] });
	const nodeTypes: INodeTypes = {
		getByName: () => run.nodeType,
		getByNameAndVersion: () => run.nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ id: 'workflow-under-test', name: 'Unit', nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = { credentialsHelper, currentNodeParameters: node.parameters, variables: {} } as unknown as IWorkflowExecuteAdditionalData;
	return new LoadOptionsContext(workflow, workflow.getNode(node.name) as INode, additionalData, 'parameters.columns');
}
