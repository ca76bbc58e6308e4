import { createHash } from 'node:crypto';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { serviceApiError } from '../shared/errors';
import { sendServiceRequest } from '../shared/http';
import { createItemParameterReader, type ItemParameterReader } from '../shared/parameters';
import { runTargetPipeline, type RecordOutcome, type TargetRecord } from '../shared/targetPipeline';
import { DEFAULT_CONCURRENCY, meheryProfileUpdateProperties } from './description';
import { prepareProfile, type ProfileSettings } from './profile';
import { meheryTenantSchema, type CustomCode } from './schema';
import {
	asMeheryCredentials,
	buildUpdateRequest,
	credentialProblem,
	describeMeheryError,
	envelopeFailure,
	MEHERY_SERVICE,
	meherySecrets,
	previewOf,
	readEnvelope,
	type MeheryBodyType,
	type MeheryCredentials,
} from './transport';

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
		credentials: [{ name: 'meheryApi', required: true }],
		properties: meheryProfileUpdateProperties,
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

		return await runTargetPipeline<IDataObject>(this, {
			service: MEHERY_SERVICE,
			batchSize: 1,
			concurrency,
			limiterKey: limiterKey(node.credentials?.meheryApi?.id, credentials),
			prepare: (item, itemIndex) => prepareProfile(this, item, itemIndex, tenant.schema, itemSettings(readParameter, itemIndex, workflowTimeZone)),
			sendBatch: async (batch: Array<TargetRecord<IDataObject>>): Promise<RecordOutcome[]> =>
				await Promise.all(
					batch.map(async ({ itemIndex, record }) =>
						previewOnly
							? { ok: true as const, json: previewOf(buildUpdateRequest(credentials, record, bodyType), record, secrets) }
							: await updateProfile(this, credentials, record, bodyType, itemIndex),
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
	};
}

/** One profile update; a 2xx whose envelope carries errors[] or a failed status fails the item. */
async function updateProfile(
	ctx: IExecuteFunctions,
	credentials: MeheryCredentials,
	record: IDataObject,
	bodyType: MeheryBodyType,
	itemIndex: number,
): Promise<RecordOutcome> {
	const secrets = meherySecrets(credentials);
	const response = await sendServiceRequest(ctx, buildUpdateRequest(credentials, record, bodyType), {
		service: MEHERY_SERVICE,
		itemIndex,
		secrets,
		describeError: describeMeheryError,
		// The update is keyed by a unique phoneN/emailN: sending it twice leaves the same profile.
		replayable: true,
	});
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
