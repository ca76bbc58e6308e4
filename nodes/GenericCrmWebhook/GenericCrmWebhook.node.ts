import { createHash } from 'node:crypto';
import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { applyCrmAuthentication, crmCredentialSecrets } from '../../credentials/CrmWebhookApi.credentials';
import type { EgressHelpersLike } from '../shared/egress';
import { redactSecrets, serviceApiError } from '../shared/errors';
import { formatProblems, mapContact, type FieldAssignment } from '../shared/fieldMapping';
import { requestWithRetry, sendServiceRequest, sendWithLegacyRequest, ServiceRequestError } from '../shared/http';
import { boundedInteger, createItemParameterReader } from '../shared/parameters';
import { memoisedEgressGuard } from '../shared/redirects';
import { errorOutputJson, failureCauseOf, runTargetPipeline, type FailureCause, type RecordOutcome, type TargetRecord } from '../shared/targetPipeline';
import { recordsByEmail, writerSyncSettings } from '../shared/twoWaySync';
import { genericCrmProperties } from './description';
import { endpointOf, fullNameOf, sensitiveHeaderValues, testLead, type Endpoint } from './endpoint';
import { presetOf, type LeadAnswer, type Preset } from './presets';
import { answerExcerpt, CrmRefusal, sendCrmCall, type CrmCallOptions, type CrmSender } from './transport';

const CREDENTIAL_TYPE = 'crmWebhookApi';

/** The one key the node adds to a lead's own fields: what happened to it (see crmSyncOfFailure). */
const OUTCOME_KEY = 'crmSync';

/** One lead as it goes out: its CRM fields, and the headers and secrets evaluated for its item. */
interface CrmLead {
	fields: IDataObject;
	headers: Record<string, string>;
	/** Custom header values that look like credentials, redacted like the credential's own. */
	headerSecrets: string[];
}

type NameValue = Array<{ name: string; value: unknown }>;

export class GenericCrmWebhook implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Generic CRM Webhook',
		name: 'genericCrmWebhook',
		icon: { light: 'file:genericCrm.svg', dark: 'file:genericCrm.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "sendTestLead" ? "Send test lead" : "Send leads"}}',
		description: 'Send leads to any CRM with a URL: Salesforce Web-to-Lead, HubSpot, Pipedrive, Zapier or a custom endpoint',
		defaults: { name: 'Generic CRM Webhook' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Synced', 'Failed'],
		credentials: [{ name: 'crmWebhookApi', required: true, testedBy: 'crmWebhookApiTest' }],
		properties: genericCrmProperties,
	};

	methods = {
		loadOptions: {
			async getCrmFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const credentials = await this.getCredentials(CREDENTIAL_TYPE);
				const preset = presetOf(String(credentials.preset ?? 'custom'));
				return preset.schema.fields.map((field) => ({ name: `${field.displayName} (${field.name})`, value: field.name }));
			},
		},
		credentialTest: {
			async crmWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const credentials = credential.data ?? {};
				const found = endpointOf(credentials);
				if ('problem' in found) return { status: 'Error', message: found.problem };
				const secrets = crmCredentialSecrets(credentials);
				// n8n gives a credential test only the legacy request helper (no httpRequest, no egress
				// filter): the request still goes through the shared retry path and this package's guard.
				const { helpers } = this;
				const send = sendWithLegacyRequest(helpers.request, (options) => applyCrmAuthentication(credentials, options));
				const sender: CrmSender = async (request, call) => await requestWithRetry(send, request, call);
				const outcome = await sendTestLead(sender, found.endpoint, { headers: {}, secrets, staticValues: [], timeoutMs: 30_000 }).then(
					(result) => ({ result }),
					(error: unknown) => ({ error }),
				);
				if ('error' in outcome) return { status: 'Error', message: redactSecrets(testErrorMessage(outcome.error), secrets) };
				const { answer, statusCode } = outcome.result;
				if (!answer.ok) {
					return { status: 'Error', message: redactSecrets(`${found.endpoint.preset.service} answered ${statusCode}: ${answer.message}`, secrets) };
				}
				return { status: 'OK', message: redactSecrets(testSuccessMessage(found.endpoint.preset, statusCode, answer), secrets) };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const found = endpointOf(credentials);
		if ('problem' in found) throw new NodeOperationError(this.getNode(), found.problem, { itemIndex: 0 });
		const { endpoint } = found;
		const { preset } = endpoint;
		const credentialSecrets = crmCredentialSecrets(credentials);
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const timeoutMs = boundedInteger(options.timeoutSeconds, 30, 1, 300) * 1000;
		const egressHelpers = this.helpers as unknown as EgressHelpersLike;
		const sender: CrmSender = async (request, call) => await sendServiceRequest(this, request, call);
		const readParameter = createItemParameterReader(this);
		// Static values and headers may be expressions: each item gets its own.
		const staticValuesOf = (itemIndex: number) => assignmentsOf(readParameter<NameValue>('staticValues.value', itemIndex, []));
		const headersOf = (itemIndex: number) => customHeaders(readParameter<NameValue>('headers.header', itemIndex, []));

		if (this.getNodeParameter('operation', 0) === 'sendTestLead') {
			const headers = headersOf(0);
			const secrets = [...credentialSecrets, ...sensitiveHeaderValues(headers)];
			return await runTestLead(this, sender, endpoint, { headers, secrets, staticValues: staticValuesOf(0), timeoutMs, egressHelpers });
		}

		const items = this.getInputData();
		const guard = memoisedEgressGuard(endpoint.policy, egressHelpers);
		const callOptions = (itemIndex: number, headers: Record<string, string>, secrets: string[]): CrmCallOptions => ({
			preset,
			settings: endpoint.settings,
			policy: endpoint.policy,
			egressHelpers,
			guard,
			headers,
			secrets,
			itemIndex,
			timeoutMs,
			credentialType: CREDENTIAL_TYPE,
			credentialsDecrypted: credentials,
		});
		const maxBatchSize = preset.maxBatchSize(endpoint.settings);

		/** One call for leads that share their headers; one outcome per lead, in order. */
		const sendCall = async (leads: Array<TargetRecord<CrmLead>>): Promise<RecordOutcome[]> => {
			const secrets = [...credentialSecrets, ...new Set(leads.flatMap(({ record }) => record.headerSecrets))];
			const outcome = await sendCrmCall(
				sender,
				leads.map(({ record }) => record.fields),
				callOptions(leads[0].itemIndex, leads[0].record.headers, secrets),
			).then(
				(result) => ({ result }),
				(error: unknown) => ({ error }),
			);
			if ('error' in outcome) {
				const error = asNodeError(this, outcome.error, leads[0].itemIndex, secrets);
				return leads.map((): RecordOutcome => ({ ok: false, error }));
			}
			const { result } = outcome;
			return leads.map(({ itemIndex }, position) =>
				leadOutcome(this, preset, result.answers[position], {
					itemIndex,
					input: items[itemIndex].json,
					statusCode: result.statusCode,
					attempts: result.attempts,
					secrets,
				}),
			);
		};

		const leadRecord = recordsByEmail(preset.schema);
		return await runTargetPipeline<CrmLead>(this, {
			service: preset.service,
			batchSize: maxBatchSize === 1 ? 1 : boundedInteger(options.batchSize, maxBatchSize, 1, maxBatchSize),
			concurrency: boundedInteger(options.concurrency, 4, 1, 50),
			limiterKey: `${CREDENTIAL_TYPE}:${this.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? hashOf(endpoint.settings.url)}`,
			prepare: (item, itemIndex) => {
				try {
					const headers = headersOf(itemIndex);
					const fields = prepareLead(this, preset, {
						itemIndex,
						input: readParameter<boolean>('autoMap', itemIndex, true) ? item.json : undefined,
						fields: assignmentsOf(readParameter<NameValue>('fields.field', itemIndex, [])),
						staticValues: staticValuesOf(itemIndex),
						timeZone: String(readParameter('options.timeZone', itemIndex, '') ?? '') || undefined,
						dateInputFormat: String(readParameter('options.dateInputFormat', itemIndex, '') ?? '') || undefined,
						nameFallback: String(readParameter('options.nameFallback', itemIndex, '') ?? ''),
					});
					return { fields, headers, headerSecrets: sensitiveHeaderValues(headers) };
				} catch (error) {
					throw nothingSent(asNodeError(this, error, itemIndex, credentialSecrets));
				}
			},
			syncTarget: {
				// The endpoint names the system: two URLs are two CRMs.
				system: `crm:${hashOf(endpoint.settings.url)}`,
				settings: writerSyncSettings(options),
				describe: ({ fields }) => leadRecord(fields),
			},
			sendBatch: async (batch: Array<TargetRecord<CrmLead>>): Promise<RecordOutcome[]> => {
				// A call carries one set of headers: leads whose headers differ go in calls of their own.
				const outcomes: RecordOutcome[] = new Array(batch.length);
				for (const positions of groupedByHeaders(batch)) {
					const results = await sendCall(positions.map((position) => batch[position]));
					positions.forEach((position, n) => (outcomes[position] = results[n]));
				}
				return outcomes;
			},
			failedOutput: (item, cause) => ({ ...item.json, [OUTCOME_KEY]: crmSyncOfFailure(cause) }),
		});
	}
}

/** Name/value rows of a fixed collection as field assignments, rows without a name left out. */
function assignmentsOf(rows: NameValue | undefined): FieldAssignment[] {
	return (rows ?? []).filter((row) => row.name).map((row) => ({ field: row.name, value: row.value }));
}

/** Positions of the batch's leads, grouped by identical headers, in batch order. */
function groupedByHeaders(batch: Array<TargetRecord<CrmLead>>): number[][] {
	const groups = new Map<string, number[]>();
	batch.forEach(({ record }, position) => {
		const key = JSON.stringify(Object.entries(record.headers));
		const group = groups.get(key);
		if (group) group.push(position);
		else groups.set(key, [position]);
	});
	return [...groups.values()];
}

/** Marks an error raised before any call for the lead: nothing was sent. */
function nothingSent<E extends NodeApiError | NodeOperationError>(error: E): E {
	error.context.attempts = 0;
	return error;
}

/**
 * A failed lead's crmSync. `sent: false` only where the node knows nothing left for the lead
 * (attempts 0); where it cannot tell, the lead counts as sent and possibly applied, so no retry
 * resends it. `mayHaveBeenApplied` is what a retry schedule must never resend.
 */
function crmSyncOfFailure(cause: FailureCause): IDataObject {
	const { code, httpStatus, attempts, mayHaveBeenApplied, crmResponse, ...details } = cause.details;
	const known = typeof attempts === 'number';
	return {
		status: 'failed',
		error: cause.error,
		...(cause.message ? { description: cause.message } : {}),
		...(code !== undefined ? { code: String(code) } : {}),
		httpStatus: typeof httpStatus === 'number' ? httpStatus : null,
		attempts: known ? attempts : null,
		sent: !known || attempts > 0,
		mayHaveBeenApplied: mayHaveBeenApplied === true || !known,
		...(Object.keys(details).length ? { details } : {}),
		...(crmResponse !== undefined ? { crmResponse } : {}),
	};
}

interface LeadMapping {
	itemIndex: number;
	input?: IDataObject;
	fields: FieldAssignment[];
	staticValues: FieldAssignment[];
	timeZone?: string;
	dateInputFormat?: string;
	nameFallback?: string;
}

/** The preset's record for one lead, or a NodeOperationError naming every problem. */
function prepareLead(ctx: IExecuteFunctions, preset: Preset, mapping: LeadMapping): IDataObject {
	const fallbackName = preset.id === 'pipedrive' ? (fullNameOf(mapping.input ?? {}) ?? mapping.nameFallback) : undefined;
	const mapped = mapContact({
		itemIndex: mapping.itemIndex,
		schema: preset.schema,
		input: mapping.input,
		fields: mapping.fields,
		staticValues: mapping.staticValues,
		timeZone: mapping.timeZone,
		dateInputFormat: mapping.dateInputFormat,
		requiredFallbacks: fallbackName ? { name: fallbackName } : undefined,
	});
	if (mapped.problems.length) {
		throw new NodeOperationError(ctx.getNode(), formatProblems(mapped.problems), {
			itemIndex: mapping.itemIndex,
			description: `The lead was not sent to ${preset.service}.`,
		});
	}
	return mapped.fields;
}

interface OutcomeContext {
	itemIndex: number;
	input: IDataObject;
	statusCode: number;
	attempts: number;
	secrets: string[];
}

function leadOutcome(ctx: IExecuteFunctions, preset: Preset, answer: LeadAnswer | undefined, context: OutcomeContext): RecordOutcome {
	if (answer === undefined) {
		const error = new NodeOperationError(ctx.getNode(), `${preset.service} answered no result for this lead`, {
			itemIndex: context.itemIndex,
		});
		return { ok: false, error, details: { httpStatus: context.statusCode, attempts: context.attempts } };
	}
	const crmResponse = answerExcerpt(answer.answer, context.secrets);
	if (answer.ok) {
		return {
			ok: true,
			json: {
				...context.input,
				[OUTCOME_KEY]: crmSyncOfSuccess(answer, context.statusCode, context.attempts, crmResponse),
			},
		};
	}
	const error = serviceApiError(
		ctx.getNode(),
		{
			service: preset.service,
			status: context.statusCode,
			code: answer.code,
			message: answer.message,
			hint: `${preset.service} rejected this lead; the other leads are unaffected.`,
			attempts: context.attempts,
		},
		{ itemIndex: context.itemIndex, secrets: context.secrets },
	);
	return {
		ok: false,
		error,
		details: { ...(answer.details ?? {}), httpStatus: context.statusCode, attempts: context.attempts, crmResponse },
	};
}

function crmSyncOfSuccess(answer: Extract<LeadAnswer, { ok: true }>, statusCode: number, attempts: number, crmResponse: string): IDataObject {
	return {
		status: 'synced',
		attempts,
		httpStatus: statusCode,
		crmId: answer.crmId ?? null,
		...(answer.action ? { crmAction: answer.action } : {}),
		// Web-to-Lead's 200 says nothing about the lead itself.
		crmConfirmed: answer.confirmed,
		crmResponse,
	};
}

/** Any failure of a call as an n8n error with the item index; secrets removed. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, secrets: string[]): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	// A redirect not followed: the lead was sent and may have been applied.
	if (error instanceof ServiceRequestError) return serviceApiError(ctx.getNode(), error.failure, { itemIndex, secrets });
	const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
	if (error instanceof CrmRefusal) {
		return nothingSent(new NodeOperationError(ctx.getNode(), message, { itemIndex, description: 'Nothing was sent for this lead.' }));
	}
	return new NodeOperationError(ctx.getNode(), message, { itemIndex });
}

interface TestLeadOptions {
	headers: Record<string, string>;
	secrets: string[];
	staticValues: FieldAssignment[];
	timeoutMs: number;
	egressHelpers?: EgressHelpersLike;
}

/** Sends the seed's test lead; resolves with the CRM's answer about it. */
async function sendTestLead(
	sender: CrmSender,
	endpoint: Endpoint,
	options: TestLeadOptions,
): Promise<{ answer: LeadAnswer; statusCode: number; attempts: number; record: IDataObject }> {
	const lead = testLead(new Date());
	const mapped = mapContact({
		itemIndex: 0,
		schema: endpoint.preset.schema,
		input: lead,
		staticValues: options.staticValues,
		requiredFallbacks: endpoint.preset.id === 'pipedrive' ? { name: String(lead.name) } : undefined,
	});
	// Only a static value can make the test lead invalid; reported like a refusal, before any call.
	const refusal = mapped.problems.length ? new CrmRefusal(formatProblems(mapped.problems)) : undefined;
	if (refusal) return await Promise.reject(refusal);
	const result = await sendCrmCall(sender, [mapped.fields], {
		preset: endpoint.preset,
		settings: endpoint.settings,
		policy: endpoint.policy,
		egressHelpers: options.egressHelpers,
		headers: options.headers,
		secrets: options.secrets,
		itemIndex: 0,
		timeoutMs: options.timeoutMs,
		credentialType: CREDENTIAL_TYPE,
	});
	return { answer: result.answers[0], statusCode: result.statusCode, attempts: result.attempts, record: mapped.fields };
}

async function runTestLead(
	ctx: IExecuteFunctions,
	sender: CrmSender,
	endpoint: Endpoint,
	options: TestLeadOptions,
): Promise<INodeExecutionData[][]> {
	const outcome = await sendTestLead(sender, endpoint, options).then(
		(result) => ({ result }),
		(error: unknown) => ({ error }),
	);
	const pairedItem = { item: 0 };
	let failure: NodeApiError | NodeOperationError | undefined;
	let json: IDataObject | undefined;
	if ('error' in outcome) {
		failure = asNodeError(ctx, outcome.error, 0, options.secrets);
	} else {
		const { answer, statusCode, attempts, record } = outcome.result;
		if (answer.ok) {
			json = {
				message: testSuccessMessage(endpoint.preset, statusCode, answer),
				testLead: record,
				[OUTCOME_KEY]: crmSyncOfSuccess(answer, statusCode, attempts, answerExcerpt(answer.answer, options.secrets)),
			};
		} else {
			failure = serviceApiError(
				ctx.getNode(),
				{ service: endpoint.preset.service, status: statusCode, code: answer.code, message: answer.message, attempts },
				{ itemIndex: 0, secrets: options.secrets },
			);
		}
	}
	if (failure) {
		if (!ctx.continueOnFail()) throw failure;
		// As the pipeline routes a failed lead: Failed output, or n8n's Error output when chosen.
		if (ctx.getNode().onError === 'continueErrorOutput') return [[{ json: errorOutputJson(ctx, failure), pairedItem }], []];
		return [[], [{ json: { [OUTCOME_KEY]: crmSyncOfFailure(failureCauseOf(failure)) }, pairedItem }]];
	}
	return [[{ json: json!, pairedItem }], []];
}

function testSuccessMessage(preset: Preset, statusCode: number, answer: Extract<LeadAnswer, { ok: true }>): string {
	const id = answer.crmId ? `, record id ${answer.crmId}` : '';
	const caveat = answer.confirmed ? '' : ' Web-to-Lead always answers 200: check the org admin’s email and Salesforce’s leads for the test lead.';
	return `Test lead sent: ${preset.service} answered ${statusCode}${id}.${caveat}`;
}

function testErrorMessage(error: unknown): string {
	if (error instanceof ServiceRequestError) {
		const { failure } = error;
		return `${failure.service} answered${failure.status ? ` ${failure.status}` : ''}${failure.code ? ` ${failure.code}` : ''}: ${failure.message}`;
	}
	return error instanceof Error ? error.message : String(error);
}

function customHeaders(entries: NameValue | undefined): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const { name, value } of entries ?? []) if (name && name.trim()) headers[name.trim()] = String(value ?? '');
	return headers;
}


function hashOf(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
