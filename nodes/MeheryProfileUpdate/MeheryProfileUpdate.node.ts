import { createHash } from 'node:crypto';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { deliveryKeyReader } from '../shared/deliveryKeyOption';
import type { EgressHelpersLike } from '../shared/egress';
import { describeFailure, redactSecrets, serviceApiError } from '../shared/errors';
import { requestWithRetry, sendWithLegacyRequest, ServiceRequestError, type ServiceCall } from '../shared/http';
import { sendServiceRequestUnderRedirectPolicy, sendUnderRedirectPolicy, type RedirectPolicy } from '../shared/redirects';
import { createItemParameterReader, type ItemParameterReader } from '../shared/parameters';
import { runTargetPipeline, type RecordOutcome, type TargetRecord } from '../shared/targetPipeline';
import { recordsByEmail, writerSyncSettings } from '../shared/twoWaySync';
import { DEFAULT_CONCURRENCY, meheryProfileUpdateProperties } from './description';
import { prepareProfile, withPhoneNotes, type PreparedProfile, type ProfileSettings } from './profile';
import { meheryTenantSchema, type CustomCode } from './schema';
import {
	asMeheryCredentials,
	buildTestRequest,
	buildUpdateRequest,
	credentialProblem,
	describeMeheryError,
	envelopeFailure,
	isMeheryEnvelope,
	MEHERY_SERVICE,
	meheryRedirectPolicy,
	meherySecrets,
	notMeheryAnswer,
	previewOf,
	readEnvelope,
	type MeheryBodyType,
	type MeheryCredentials,
} from './transport';

/** What two-way sync names MeherY's profiles by. */
const MEHERY_SYSTEM = 'mehery';

export class MeheryProfileUpdate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MeherY Profile Update',
		name: 'meheryProfileUpdate',
		icon: { light: 'file:mehery.svg', dark: 'file:mehery.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["previewOnly"] ? "Preview only" : "Update customer profile"}}',
		description: 'Create or update MeherY customer profiles by field code, refusing every code MeherY would ignore',
		defaults: { name: 'MeherY Profile Update' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'meheryApi', required: true, testedBy: 'meheryApiTest' }],
		properties: meheryProfileUpdateProperties,
	};

	methods = {
		credentialTest: {
			async meheryApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await testMeheryCredential(this, asMeheryCredentials(credential.data ?? {}));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = asMeheryCredentials(await this.getCredentials('meheryApi'));
		const problem = credentialProblem(credentials);
		if (problem !== undefined) throw new NodeOperationError(this.getNode(), `The MeherY credential is incomplete: ${problem}`);

		const declared = (this.getNodeParameter('customCodes.code', 0, []) as CustomCode[]) ?? [];
		const tenant = meheryTenantSchema(declared);
		if (tenant.problems.length > 0) {
			throw new NodeOperationError(this.getNode(), `Custom Codes: ${tenant.problems.join('; ')}`, {
				description: 'Nothing was sent to MeherY.',
			});
		}
		const bodyType = this.getNodeParameter('bodyType', 0, 'formData') as MeheryBodyType;
		const previewOnly = this.getNodeParameter('previewOnly', 0, false) as boolean;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const concurrency = boundedInteger(options.concurrency, DEFAULT_CONCURRENCY, 1, 50);
		const secrets = meherySecrets(credentials);
		const node = this.getNode();
		const readParameter = createItemParameterReader(this);
		const workflowTimeZone = this.getTimezone();
		// One egress verdict per URL for the whole execution: n8n's filter resolves DNS on each check.
		const redirectPolicy = meheryRedirectPolicy(credentials, this.helpers as unknown as EgressHelpersLike);

		const profileRecord = recordsByEmail(tenant.schema);
		return await runTargetPipeline<PreparedProfile>(this, {
			service: MEHERY_SERVICE,
			batchSize: 1,
			concurrency,
			limiterKey: limiterKey(node.credentials?.meheryApi?.id, credentials),
			// A preview writes nothing, so it neither skips by nor records a key.
			deliveryKey: previewOnly ? undefined : deliveryKeyReader(this, readParameter),
			prepare: (item, itemIndex) => prepareProfile(this, item, itemIndex, tenant.schema, itemSettings(readParameter, itemIndex, workflowTimeZone)),
			syncTarget: previewOnly
				? undefined
				: { system: MEHERY_SYSTEM, settings: writerSyncSettings(options), describe: ({ fields }) => profileRecord(fields) },
			sendBatch: async (batch: Array<TargetRecord<PreparedProfile>>): Promise<RecordOutcome[]> =>
				await Promise.all(
					batch.map(async ({ itemIndex, record: { fields, phoneNotes } }) =>
						withPhoneNotes(
							previewOnly
								? { ok: true as const, json: previewOf(buildUpdateRequest(credentials, fields, bodyType), fields, secrets) }
								: await updateProfile(this, credentials, redirectPolicy, fields, bodyType, itemIndex),
							phoneNotes,
						),
					),
				),
		});
	}
}

function itemSettings(read: ItemParameterReader, itemIndex: number, workflowTimeZone: string): ProfileSettings {
	const options = read<IDataObject>('options', itemIndex, {});
	return {
		inputFields: read<ProfileSettings['inputFields']>('inputFields', itemIndex, 'autoMap'),
		inputPath: String(read('inputPath', itemIndex, '') ?? ''),
		ignoreKeys: String(read('ignoreKeys', itemIndex, '') ?? ''),
		fields: read<Array<{ code: string; value: unknown }>>('fields.field', itemIndex, []) ?? [],
		timeZone: (options.timeZone as string) || workflowTimeZone,
		defaultCountry: (options.defaultCountry as string) || undefined,
		dateInputFormat: (options.dateInputFormat as string) || undefined,
		dateFormat: options.dateFormat === 'fourDigitYear' ? 'fourDigitYear' : 'twoDigitYear',
		twoDigitYearStart: options.twoDigitYearStart === undefined ? undefined : Number(options.twoDigitYearStart),
	};
}

/** How every MeherY request is sent, the update and the credential test. */
function meheryCall(secrets: string[], itemIndex?: number): ServiceCall {
	return {
		service: MEHERY_SERVICE,
		itemIndex,
		secrets,
		describeError: describeMeheryError,
		// The update is keyed by a unique phoneN/emailN: sending it twice leaves the same profile.
		replayable: true,
	};
}

/**
 * One profile update. Fails the item on any answer that is not MeherY's own 2xx envelope (a
 * redirect, a login page, an empty body), and on an envelope carrying errors[] or a failed status.
 */
async function updateProfile(
	ctx: IExecuteFunctions,
	credentials: MeheryCredentials,
	redirectPolicy: RedirectPolicy,
	record: IDataObject,
	bodyType: MeheryBodyType,
	itemIndex: number,
): Promise<RecordOutcome> {
	const secrets = meherySecrets(credentials);
	const request = buildUpdateRequest(credentials, record, bodyType);
	const response = await sendServiceRequestUnderRedirectPolicy(ctx, request, meheryCall(secrets, itemIndex), redirectPolicy);
	if (!isMeheryEnvelope(response.body)) {
		const failure = notMeheryAnswer(response.statusCode, response.body, secrets);
		const error = serviceApiError(ctx.getNode(), { ...failure, attempts: response.attempts }, { itemIndex, secrets });
		// The sentence already names MeherY and the status.
		error.message = failure.message;
		return { ok: false, error };
	}
	const envelope = readEnvelope(response.body);
	const failure = envelopeFailure(envelope);
	if (failure !== undefined) {
		const error = serviceApiError(ctx.getNode(), { ...failure, status: response.statusCode }, { itemIndex, secrets });
		const first = envelope.errors[0];
		return {
			ok: false,
			error,
			details: {
				field: first?.field ?? null,
				code: failure.code ?? null,
				description: first?.description ?? failure.message,
				errors: envelope.errors as IDataObject[],
				warnings: envelope.warnings as IDataObject[],
			},
		};
	}
	return {
		ok: true,
		json: {
			status: envelope.status ?? 'success',
			httpStatus: response.statusCode,
			...(envelope.message !== undefined ? { message: envelope.message } : {}),
			sent: record,
			warnings: envelope.warnings as IDataObject[],
			...(envelope.data !== undefined ? { data: envelope.data as IDataObject } : {}),
		},
	};
}

const TEST_REFUSALS: Record<number, string> = {
	401: 'MeherY refused the API key (HTTP 401): check the API key and API ID.',
	403: 'MeherY refused the API key for this tenant (HTTP 403): check the API key, API ID and tenant code.',
	404: 'MeherY answered 404: the tenant code or the API path is wrong.',
};

/**
 * The credential's Test: the body-less POST of buildTestRequest, sent once, under the same egress
 * guard (without n8n's DNS filter, which a credential test does not get) and redirect policy as an
 * update. OK only for MeherY's own envelope in a 2xx.
 */
async function testMeheryCredential(ctx: ICredentialTestFunctions, credentials: MeheryCredentials): Promise<INodeCredentialTestResult> {
	const problem = credentialProblem(credentials);
	if (problem !== undefined) return { status: 'Error', message: `The MeherY credential is incomplete: ${problem}` };
	const secrets = meherySecrets(credentials);
	const send = sendWithLegacyRequest(ctx.helpers.request);
	// A test button answers at once: one attempt, no retries.
	const call: ServiceCall = { ...meheryCall(secrets), retry: { maxAttempts: 1 } };
	const outcome = await sendUnderRedirectPolicy(
		async (request) => await requestWithRetry(send, request, call),
		buildTestRequest(credentials),
		meheryRedirectPolicy(credentials),
	).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		const { error } = outcome;
		if (!(error instanceof ServiceRequestError)) return { status: 'Error', message: redactSecrets(errorText(error), secrets) };
		const { failure } = error;
		const known = failure.status !== undefined ? TEST_REFUSALS[failure.status] : undefined;
		return { status: 'Error', message: known ?? redactSecrets(describeFailure(failure), secrets) };
	}
	const { response } = outcome;
	if (!isMeheryEnvelope(response.body)) return { status: 'Error', message: notMeheryAnswer(response.statusCode, response.body, secrets).message };
	return { status: 'OK', message: `MeherY answered ${response.statusCode} and accepted the key; no profile was changed.` };
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Per credential: the n8n credential id, else its URL and tenant (never the key itself). */
function limiterKey(credentialId: string | null | undefined, credentials: MeheryCredentials): string {
	const identity = credentialId || createHash('sha256').update(`${credentials.baseUrl}|${credentials.tenant}`).digest('hex').slice(0, 16);
	return `meheryApi:${identity}`;
}

function boundedInteger(value: unknown, fallback: number, min: number, max: number): number {
	const number = Math.floor(Number(value ?? fallback));
	if (!Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, number));
}
