import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { serviceApiError } from '../shared/errors';
import { formatProblems, isEmptyValue, mapContact, type FieldAssignment } from '../shared/fieldMapping';
import { boundedInteger, createItemParameterReader } from '../shared/parameters';
import { runTargetPipeline, type RecordOutcome } from '../shared/targetPipeline';
import { ZOHO_CONTACTS, ZOHO_LEADS } from './schema';
import { ZOHO_SERVICE, ZohoTokenError } from './auth';
import { ZOHO_CREDENTIALS, zohoUpsertProperties } from './description';
import {
	getModuleFields,
	openZohoSession,
	upsertRecords,
	ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD,
	type ZohoAuthentication,
	type ZohoModule,
	type UpsertResult,
	type ZohoSession,
	type ZohoUpsertEntry,
} from './transport';

export class ZohoCrmUpsertContact implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zoho CRM Upsert Contact',
		name: 'zohoCrmUpsertContact',
		icon: { light: 'file:zohoCrm.svg', dark: 'file:zohoCrm.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"Upsert into " + $parameter["module"]}}',
		description: 'Create or update Zoho CRM contacts or leads by email, up to 100 per call',
		defaults: { name: 'Zoho CRM Upsert Contact' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: ZOHO_CREDENTIALS,
		properties: zohoUpsertProperties,
	};

	methods = {
		loadOptions: {
			async getModuleFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const module = this.getCurrentNodeParameter('module') as ZohoModule;
				const authentication = (this.getCurrentNodeParameter('authentication') ?? 'refreshToken') as ZohoAuthentication;
				const session = await openZohoSession(this, authentication);
				const fields = await getModuleFields(this, session, module);
				return fields
					.filter((field) => !field.read_only)
					.map((field) => ({ name: `${field.field_label} (${field.api_name})`, value: field.api_name, description: field.data_type }))
					.sort((a, b) => a.name.localeCompare(b.name));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const module = this.getNodeParameter('module', 0) as ZohoModule;
		const authentication = this.getNodeParameter('authentication', 0) as ZohoAuthentication;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const duplicateCheckFields = String(this.getNodeParameter('duplicateCheckFields', 0, 'Email'))
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
		const triggerChoice = String(options.trigger ?? 'all');
		const trigger = triggerChoice === 'all' ? undefined : triggerChoice === 'none' ? [] : triggerChoice.split(',');
		const timeoutMs = boundedInteger(options.timeout, 30, 1, 300) * 1000;
		const includeRecordDetails = options.includeRecordDetails === true;
		const schema = module === 'Leads' ? ZOHO_LEADS : ZOHO_CONTACTS;
		const fieldsParameter = module === 'Leads' ? 'leadFields' : 'contactFields';
		// Without a value in a duplicate-check field an upsert is an insert: a rerun would duplicate it.
		const keyFields = duplicateCheckFields.length ? duplicateCheckFields : [ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD];
		const parameter = createItemParameterReader(this);
		const credentialType = authentication === 'oAuth2' ? 'zohoCrmOAuth2Api' : 'zohoCrmRefreshTokenApi';
		let session: ZohoSession | undefined;

		return await runTargetPipeline<IDataObject>(this, {
			service: ZOHO_SERVICE,
			batchSize: boundedInteger(options.batchSize, 100, 1, 100),
			concurrency: boundedInteger(options.concurrency, 4, 1, 25),
			limiterKey: `${credentialType}:${this.getNode().credentials?.[credentialType]?.id ?? this.getNode().id}`,
			deliveryKey: options.deliveryKey
				? (_item, itemIndex) => String(parameter<unknown>('options.deliveryKey', itemIndex, '') ?? '').trim() || undefined
				: undefined,
			prepare: (item, itemIndex) => {
				const fixed = parameter<IDataObject>(fieldsParameter, itemIndex, {});
				const other = parameter<Array<{ name: string; value: unknown }>>('otherFields.field', itemIndex, []);
				const itemOptions = parameter<IDataObject>('options', itemIndex, {});
				const fields: FieldAssignment[] = [
					...Object.entries(fixed).map(([field, value]) => ({ field, value })),
					...other.filter((f) => f.name).map((f) => ({ field: f.name, value: f.value })),
				];
				const fallback = String(itemOptions.lastNameFallback ?? '').trim();
				const mapped = mapContact({
					itemIndex,
					schema,
					input: parameter<boolean>('autoMap', itemIndex, true) ? item.json : undefined,
					fields,
					timeZone: (itemOptions.timeZone as string) || this.getTimezone(),
					dateInputFormat: (itemOptions.dateInputFormat as string) || undefined,
					requiredFallbacks: fallback ? { Last_Name: fallback } : undefined,
				});
				if (mapped.problems.length) {
					throw new NodeOperationError(this.getNode(), formatProblems(mapped.problems), {
						itemIndex,
						description: 'The item was not sent to Zoho.',
					});
				}
				if (itemOptions.requireDuplicateCheckValue !== false && keyFields.every((name) => isEmptyValue(mapped.fields[name]))) {
					throw new NodeOperationError(
						this.getNode(),
						`Item ${itemIndex}: no value for the duplicate-check field${keyFields.length > 1 ? 's' : ''} ${keyFields.join(', ')}`,
						{
							itemIndex,
							description:
								'The item was not sent to Zoho: without a duplicate-check value Zoho inserts a new record every time. Turn off “Require Duplicate Check Value” to insert such items anyway.',
						},
					);
				}
				return mapped.fields;
			},
			open: async () => {
				session = await openZohoSession(this, authentication).then(
					(opened) => opened,
					(error: unknown) => {
						throw shapeSessionError(this, error as Error, 0);
					},
				);
			},
			sendBatch: async (batch) => {
				const result = await upsertRecords(
					this,
					session!,
					module,
					batch.map((record) => record.record),
					{ duplicateCheckFields, trigger, timeoutMs },
					batch[0].itemIndex,
				);
				return batch.map(({ itemIndex }, position) => entryOutcome(this, result.entries[position], itemIndex, session!, result, includeRecordDetails));
			},
		});
	}
}

function entryOutcome(
	ctx: IExecuteFunctions,
	entry: ZohoUpsertEntry,
	itemIndex: number,
	session: ZohoSession,
	{ attempts, resentAfterSend }: UpsertResult,
	includeRecordDetails: boolean,
): RecordOutcome {
	const details = (entry.details ?? {}) as IDataObject;
	if (entry.status === 'success') {
		return {
			ok: true,
			json: {
				status: 'success',
				action: entry.action,
				// Resent after an attempt Zoho may have applied: its "update" may be our own insert.
				...(resentAfterSend && entry.action === 'update' ? { actionUncertain: true } : {}),
				id: details.id,
				duplicate_field: entry.duplicate_field ?? null,
				message: entry.message,
				attempts,
				// Off by default: two nested objects per item, which n8n copies, stores and sends on.
				...(includeRecordDetails ? { details } : {}),
			},
		};
	}
	const field = details.api_name as string | undefined;
	const error = serviceApiError(
		ctx.getNode(),
		{
			service: ZOHO_SERVICE,
			code: entry.code,
			message: field ? `${entry.message} (field ${field})` : entry.message,
			details,
			hint: 'Zoho rejected this record; the other records of its batch are unaffected.',
			attempts,
		},
		{ itemIndex, secrets: session.secrets },
	);
	return { ok: false, error, details: { code: entry.code, field: field ?? null, zoho: details } };
}


/** Why no call could start (token, data centre): an n8n error naming what to check. */
function shapeSessionError(ctx: IExecuteFunctions, error: Error, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof ZohoTokenError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.hint });
	}
	if (error.name === 'RefreshLimitError') {
		return new NodeOperationError(ctx.getNode(), error.message, {
			itemIndex,
			description: 'This protects the refresh token from Zoho’s lock-out. The cached token is reused as soon as one is issued.',
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error.message, { itemIndex });
}
