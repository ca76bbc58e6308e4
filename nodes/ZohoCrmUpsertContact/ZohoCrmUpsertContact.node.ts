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
	type ResourceMapperField,
	type ResourceMapperFields,
} from 'n8n-workflow';
import { deliveryKeyReader } from '../shared/deliveryKeyOption';
import { serviceApiError } from '../shared/errors';
import { formatProblems, isEmptyValue, mapContact, type FieldAssignment, type TargetSchema } from '../shared/fieldMapping';
import { boundedInteger, createItemParameterReader, type ItemParameterReader } from '../shared/parameters';
import { runTargetPipeline, type RecordOutcome } from '../shared/targetPipeline';
import { recordKeys, writerSyncSettings } from '../shared/twoWaySync';
import { ZOHO_CONTACTS, ZOHO_LEADS, zohoSystem } from './schema';
import { ZOHO_SERVICE, ZohoTokenError } from './auth';
import { ZOHO_CREDENTIALS, zohoUpsertProperties } from './description';
import { resourceMapperFields, runSchema } from './resourceMapping';
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
		// 2: Map Fields as n8n's resource mapper with the org's live fields; 1 keeps its own parameters.
		version: [1, 2],
		defaultVersion: 2,
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
				const fields = await loadModuleFields(this);
				return fields
					.filter((field) => !field.read_only)
					.map((field) => ({ name: `${field.field_label} (${field.api_name})`, value: field.api_name, description: field.data_type }))
					.sort((a, b) => a.name.localeCompare(b.name));
			},
		},
		resourceMapping: {
			async getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
				const module = moduleOf(this);
				const fields = await loadModuleFields(this);
				return { fields: resourceMapperFields(fields, module === 'Leads' ? ZOHO_LEADS : ZOHO_CONTACTS, ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD) };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const module = this.getNodeParameter('module', 0) as ZohoModule;
		const authentication = this.getNodeParameter('authentication', 0) as ZohoAuthentication;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const parameter = createItemParameterReader(this);
		const mapping = this.getNode().typeVersion >= 2 ? mapFieldsMapping(this, parameter, module) : versionOneMapping(this, parameter, module);
		const { duplicateCheckFields } = mapping;
		const triggerChoice = String(options.trigger ?? 'all');
		const trigger = triggerChoice === 'all' ? undefined : triggerChoice === 'none' ? [] : triggerChoice.split(',');
		const timeoutMs = boundedInteger(options.timeout, 30, 1, 300) * 1000;
		const includeRecordDetails = options.includeRecordDetails === true;
		// Without a value in a duplicate-check field an upsert is an insert: a rerun would duplicate it.
		const keyFields = duplicateCheckFields.length ? duplicateCheckFields : [ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD];
		const credentialType = authentication === 'oAuth2' ? 'zohoCrmOAuth2Api' : 'zohoCrmRefreshTokenApi';
		const workflowTimeZone = this.getTimezone();
		let session: ZohoSession | undefined;

		return await runTargetPipeline<IDataObject>(this, {
			service: ZOHO_SERVICE,
			batchSize: boundedInteger(options.batchSize, 100, 1, 100),
			concurrency: boundedInteger(options.concurrency, 4, 1, 25),
			limiterKey: `${credentialType}:${this.getNode().credentials?.[credentialType]?.id ?? this.getNode().id}`,
			deliveryKey: deliveryKeyReader(this, parameter),
			syncTarget: {
				system: zohoSystem(module),
				settings: writerSyncSettings(options),
				describe: (record) => ({
					keys: recordKeys({ id: record.id, email: keyFields.includes('Email') ? record.Email : undefined }),
					view: record,
				}),
				keysOfResult: (json) => recordKeys({ id: json.id }),
			},
			prepare: (item, itemIndex) => {
				const itemOptions = parameter<IDataObject>('options', itemIndex, {});
				const fallback = String(itemOptions.lastNameFallback ?? '').trim();
				const mapped = mapContact({
					itemIndex,
					schema: mapping.schema,
					input: mapping.autoMaps(itemIndex) ? item.json : undefined,
					fields: mapping.fields(itemIndex),
					timeZone: (itemOptions.timeZone as string) || workflowTimeZone,
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

/** What a version's parameters say to map: the schema, the explicit fields per item, auto-mapping, the duplicate check. */
interface ContactMapping {
	schema: TargetSchema;
	duplicateCheckFields: string[];
	autoMaps(itemIndex: number): boolean;
	fields(itemIndex: number): FieldAssignment[];
}

/** Version 1: Map Input Fields Automatically, the module's field collection and Other Fields. */
function versionOneMapping(ctx: IExecuteFunctions, parameter: ItemParameterReader, module: ZohoModule): ContactMapping {
	const fieldsParameter = module === 'Leads' ? 'leadFields' : 'contactFields';
	// The field list of the last item; items whose field parameters hold no expression share it.
	let assignments: { fixed: IDataObject; other: Array<{ name: string; value: unknown }>; fields: FieldAssignment[] } | undefined;
	return {
		schema: module === 'Leads' ? ZOHO_LEADS : ZOHO_CONTACTS,
		duplicateCheckFields: String(ctx.getNodeParameter('duplicateCheckFields', 0, 'Email'))
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean),
		autoMaps: (itemIndex) => parameter<boolean>('autoMap', itemIndex, true),
		fields: (itemIndex) => {
			const fixed = parameter<IDataObject>(fieldsParameter, itemIndex, {});
			const other = parameter<Array<{ name: string; value: unknown }>>('otherFields.field', itemIndex, []);
			// The reader hands back the same objects for parameters without expressions.
			if (assignments?.fixed !== fixed || assignments.other !== other) {
				const fields: FieldAssignment[] = [
					...Object.entries(fixed).map(([field, value]) => ({ field, value })),
					...other.filter((f) => f.name).map((f) => ({ field: f.name, value: f.value })),
				];
				assignments = { fixed, other, fields };
			}
			return assignments.fields;
		},
	};
}

/**
 * Version 2: Map Fields (n8n's resource mapper). Map Automatically is the shared auto-mapping;
 * Define Below values are read as the expressions made them (n8n's own type conversion skipped)
 * so that mapContact alone checks and writes them, as for version 1. The columns to match on
 * are Zoho's duplicate-check fields.
 */
function mapFieldsMapping(ctx: IExecuteFunctions, parameter: ItemParameterReader, module: ZohoModule): ContactMapping {
	const mode = String(ctx.getNodeParameter('columns.mappingMode', 0, 'defineBelow'));
	const mapperFields = ctx.getNodeParameter('columns.schema', 0, []) as ResourceMapperField[];
	const matching = ctx.getNodeParameter('columns.matchingColumns', 0, []) as unknown;
	const autoMaps = mode === 'autoMapInputData';
	let last: { value: IDataObject | null; fields: FieldAssignment[] } | undefined;
	return {
		schema: runSchema(module === 'Leads' ? ZOHO_LEADS : ZOHO_CONTACTS, Array.isArray(mapperFields) ? mapperFields : []),
		duplicateCheckFields: Array.isArray(matching) ? matching.map((name) => String(name).trim()).filter(Boolean) : [],
		autoMaps: () => autoMaps,
		fields: (itemIndex) => {
			if (autoMaps) return [];
			const value = parameter<IDataObject | null>('columns.value', itemIndex, {}, { skipValidation: true });
			if (last?.value !== value) {
				last = { value, fields: Object.entries(value ?? {}).map(([field, fieldValue]) => ({ field, value: fieldValue })) };
			}
			return last.fields;
		},
	};
}

function moduleOf(ctx: ILoadOptionsFunctions): ZohoModule {
	return (ctx.getCurrentNodeParameter('module') ?? 'Contacts') as ZohoModule;
}

/** The module's fields from Zoho's fields metadata, through the node's credential. */
async function loadModuleFields(ctx: ILoadOptionsFunctions) {
	const authentication = (ctx.getCurrentNodeParameter('authentication') ?? 'refreshToken') as ZohoAuthentication;
	const session = await openZohoSession(ctx, authentication);
	return await getModuleFields(ctx, session, moduleOf(ctx));
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
		// Resent after an attempt Zoho may have applied: its "update" may be our own insert.
		const uncertain = resentAfterSend && entry.action === 'update';
		// Without spreads of throw-away objects: one of these per item. Key order as always.
		const json: IDataObject = uncertain
			? { status: 'success', action: entry.action, actionUncertain: true, id: details.id }
			: { status: 'success', action: entry.action, id: details.id };
		json.duplicate_field = entry.duplicate_field ?? null;
		json.message = entry.message;
		json.attempts = attempts;
		// Off by default: two nested objects per item, which n8n copies, stores and sends on.
		if (includeRecordDetails) json.details = details;
		return { ok: true, json };
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
