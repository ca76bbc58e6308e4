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
import { formatProblems, mapContact, type FieldAssignment } from '../shared/fieldMapping';
import { mapWithConcurrency } from '../shared/concurrency';
import { ZOHO_CONTACTS, ZOHO_LEADS } from './schema';
import { ZOHO_SERVICE, ZohoTokenError } from './auth';
import { zohoUpsertProperties } from './description';
import {
	getModuleFields,
	openZohoSession,
	upsertRecords,
	type ZohoAuthentication,
	type ZohoModule,
	type ZohoSession,
	type ZohoUpsertEntry,
} from './transport';

type Outcome = { ok: true; json: IDataObject } | { ok: false; error: Error; json: IDataObject };

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
		credentials: [
			{ name: 'zohoCrmRefreshTokenApi', required: true, displayOptions: { show: { authentication: ['refreshToken'] } } },
			{ name: 'zohoCrmOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
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
		const items = this.getInputData();
		const module = this.getNodeParameter('module', 0) as ZohoModule;
		const authentication = this.getNodeParameter('authentication', 0) as ZohoAuthentication;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const batchSize = boundedInteger(options.batchSize, 100, 1, 100);
		const concurrency = boundedInteger(options.concurrency, 4, 1, 25);
		const duplicateCheckFields = String(this.getNodeParameter('duplicateCheckFields', 0, 'Email'))
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
		const triggerChoice = String(options.trigger ?? 'all');
		const trigger = triggerChoice === 'all' ? undefined : triggerChoice === 'none' ? [] : triggerChoice.split(',');
		const schema = module === 'Leads' ? ZOHO_LEADS : ZOHO_CONTACTS;
		const fieldsParameter = module === 'Leads' ? 'leadFields' : 'contactFields';

		const outcomes: Outcome[] = new Array(items.length);
		const pending: Array<{ itemIndex: number; record: IDataObject }> = [];

		// 1. Map every item; an item that cannot be a valid record fails here, before any call.
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const fixed = this.getNodeParameter(fieldsParameter, itemIndex, {}) as IDataObject;
				const other = this.getNodeParameter('otherFields.field', itemIndex, []) as Array<{ name: string; value: unknown }>;
				const itemOptions = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const fields: FieldAssignment[] = [
					...Object.entries(fixed).map(([field, value]) => ({ field, value })),
					...other.filter((f) => f.name).map((f) => ({ field: f.name, value: f.value })),
				];
				const fallback = String(itemOptions.lastNameFallback ?? '').trim();
				const mapped = mapContact({
					itemIndex,
					schema,
					input: this.getNodeParameter('autoMap', itemIndex, true) ? items[itemIndex].json : undefined,
					fields,
					timeZone: (itemOptions.timeZone as string) || undefined,
					requiredFallbacks: fallback ? { Last_Name: fallback } : undefined,
				});
				if (mapped.problems.length) {
					throw new NodeOperationError(this.getNode(), formatProblems(mapped.problems), {
						itemIndex,
						description: 'The item was not sent to Zoho.',
					});
				}
				pending.push({ itemIndex, record: mapped.fields });
			} catch (error) {
				outcomes[itemIndex] = failure(error as Error);
			}
		}

		// 2. Upsert in batches of up to 100, a bounded number of calls at once.
		if (pending.length) {
			let session: ZohoSession | undefined;
			try {
				session = await openZohoSession(this, authentication);
			} catch (error) {
				const shaped = shapeSessionError(this, error as Error, pending[0].itemIndex);
				for (const { itemIndex } of pending) outcomes[itemIndex] = failure(shaped);
			}
			if (session) {
				const batches: Array<typeof pending> = [];
				for (let start = 0; start < pending.length; start += batchSize) batches.push(pending.slice(start, start + batchSize));
				await mapWithConcurrency(batches, concurrency, async (batch) => {
					try {
						const entries = await upsertRecords(
							this,
							session!,
							module,
							batch.map((p) => p.record),
							{ duplicateCheckFields, trigger },
							batch[0].itemIndex,
						);
						batch.forEach(({ itemIndex }, position) => {
							outcomes[itemIndex] = entryOutcome(this, entries[position], itemIndex, session!);
						});
					} catch (error) {
						// The whole call failed (after retries): every record of the batch fails with it.
						const context = ((error as { context?: IDataObject }).context ?? {}) as IDataObject;
						const details: IDataObject = {};
						if (context.serviceCode !== undefined) details.code = context.serviceCode;
						if (context.serviceStatus !== undefined) details.httpStatus = context.serviceStatus;
						for (const { itemIndex } of batch) outcomes[itemIndex] = failure(error as Error, details);
					}
				});
			}
		}

		// 3. One output item per input item, paired; failures as n8n's On Error setting asks.
		const output: INodeExecutionData[] = [];
		const failed = outcomes.filter((o) => !o.ok).length;
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const outcome = outcomes[itemIndex];
			if (outcome.ok) {
				output.push({ json: outcome.json, pairedItem: { item: itemIndex } });
				continue;
			}
			if (!this.continueOnFail()) {
				const error = outcome.error as NodeOperationError;
				if (failed > 0 && error.description !== undefined) {
					error.description = `${error.description ?? ''} ${items.length - failed} of ${items.length} items were upserted; ${failed} failed.`.trim();
				}
				throw error;
			}
			output.push({ json: outcome.json, pairedItem: { item: itemIndex } });
		}
		return [output];
	}
}

/**
 * A failed item. Its json keeps to `error`, `message` and `details`: n8n then
 * routes it to the error output and adds the input item's fields, so the user
 * sees which contact failed and why.
 */
function failure(error: Error, details: IDataObject = {}): Outcome {
	const err = error as Error & { description?: string };
	return {
		ok: false,
		error,
		json: {
			error: err.message,
			...(err.description ? { message: err.description } : {}),
			details,
		},
	};
}

function entryOutcome(ctx: IExecuteFunctions, entry: ZohoUpsertEntry, itemIndex: number, session: ZohoSession): Outcome {
	const details = (entry.details ?? {}) as IDataObject;
	if (entry.status === 'success') {
		return {
			ok: true,
			json: {
				status: 'success',
				action: entry.action,
				id: details.id,
				duplicate_field: entry.duplicate_field ?? null,
				message: entry.message,
				details,
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
		},
		{ itemIndex, secrets: session.secrets },
	);
	return failure(error, { code: entry.code, field: field ?? null, zoho: details });
}

function boundedInteger(value: unknown, fallback: number, min: number, max: number): number {
	const number = Math.floor(Number(value ?? fallback));
	if (!Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, number));
}

/** Why no call could start (token, data centre): an n8n error naming what to check. */
function shapeSessionError(ctx: IExecuteFunctions, error: Error, itemIndex: number): Error {
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
