/**
 * What each CRM preset means on the wire: URL, method, body type, field names, batch size,
 * whether a resend is safe, and how its answer says which lead was accepted. The contracts are
 * those of ../shared/reference/external-apis.md ("Generic CRM targets").
 */
import type { IDataObject } from 'n8n-workflow';
import type { TargetSchema } from '../shared/fieldMapping';
import {
	GENERIC_CRM_SCHEMA,
	HUBSPOT_CONTACT_SCHEMA,
	PIPEDRIVE_PERSON_SCHEMA,
	SALESFORCE_WEB_TO_LEAD_SCHEMA,
} from './schema';

export type PresetId = 'salesforceWebToLead' | 'hubspot' | 'pipedrive' | 'zapier' | 'custom';
export type BodyType = 'json' | 'form' | 'multipart';
export type HttpMethod = 'POST' | 'PUT' | 'PATCH';

/** The endpoint as the CRM Webhook credential describes it. */
export interface EndpointSettings {
	preset: PresetId;
	url: string;
	/** Custom only. */
	method: HttpMethod;
	/** Custom only (Pipedrive and Zapier take JSON). */
	bodyType: BodyType;
	/** Salesforce only: the org id sent as `oid`. */
	salesforceOrgId: string;
	/** HubSpot: keyed batch upsert (default) or one create per lead. */
	hubspotOperation: 'upsert' | 'create';
	/** Custom: a JSON path in the answer that must hold `successValue`; empty: any 2xx is success. */
	successPath: string;
	successValue: string;
	/** Custom: where the CRM's id of the new record is in the answer. */
	crmIdPath: string;
	/** Custom: the user says a resend cannot create a duplicate. */
	idempotent: boolean;
}

export interface PresetRequest {
	method: HttpMethod;
	url: string;
	bodyType: BodyType;
	body: IDataObject;
}

/** What the CRM said about one lead. */
export type LeadAnswer =
	| { ok: true; crmId?: string; action?: string; confirmed: boolean; answer: unknown }
	| { ok: false; message: string; code?: string; details?: IDataObject; answer: unknown };

export interface Preset {
	id: PresetId;
	/** The service as users know it, for messages ("HubSpot answered 409 …"). */
	service: string;
	schema: TargetSchema;
	/** Leads per call at most, for the endpoint's operation. */
	maxBatchSize(settings: EndpointSettings): number;
	/** May a call that may have been applied be sent again (a keyed upsert, or the user's word)? */
	replayable(settings: EndpointSettings): boolean;
	buildRequest(records: IDataObject[], settings: EndpointSettings): PresetRequest;
	/** Error statuses whose body says something per lead, read by readAnswer instead of failing the call. */
	readsErrorAnswer?(status: number, settings: EndpointSettings): boolean;
	/** One answer per record, in order. */
	readAnswer(status: number, body: unknown, records: IDataObject[], settings: EndpointSettings): LeadAnswer[];
}

function asObject(value: unknown): IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
}

/** `a.b.0.c` in a JSON value. */
export function valueAtPath(value: unknown, path: string): unknown {
	let current: unknown = value;
	for (const key of path.split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

function idString(value: unknown): string | undefined {
	return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

const salesforceWebToLead: Preset = {
	id: 'salesforceWebToLead',
	service: 'Salesforce Web-to-Lead',
	schema: SALESFORCE_WEB_TO_LEAD_SCHEMA,
	maxBatchSize: () => 1,
	// A form post creates a lead each time it arrives.
	replayable: () => false,
	buildRequest: (records, settings) => ({
		method: 'POST',
		url: settings.url,
		bodyType: 'form',
		body: { oid: settings.salesforceOrgId, ...records[0] },
	}),
	// Web-to-Lead answers 200 with an HTML page whatever happened; rejections reach the org admin by
	// email. A 200 therefore means "Salesforce took the form", not "a lead exists".
	readAnswer: (_status, body) => [{ ok: true, confirmed: false, answer: body }],
};

/** HubSpot's own API hosts (api.hubapi.com, api-eu1.hubapi.com): every API path starts at their root. */
const HUBSPOT_API_HOST = /^api(?:-[a-z0-9]+)?\.hubapi\.com$/i;

/**
 * HubSpot's base URL from what the user pasted: on HubSpot's host any API URL, the legacy
 * `https://api.hubapi.com/contacts/v1/contact/` of old guides included, means its root; on
 * another host (a proxy) the base is what comes before `/crm/`.
 */
export function hubspotBase(url: string): string {
	const trimmed = url.trim().replace(/\/+$/, '');
	const origin = hubspotApiOrigin(trimmed);
	if (origin !== undefined) return origin;
	const index = trimmed.indexOf('/crm/');
	return index === -1 ? trimmed : trimmed.slice(0, index);
}

function hubspotApiOrigin(url: string): string | undefined {
	try {
		const parsed = new URL(url);
		return HUBSPOT_API_HOST.test(parsed.hostname) ? parsed.origin : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One batch-upsert input per email: HubSpot refuses a whole batch that names an id twice. Leads
 * with one email merge in their order, a later lead's fields winning; each gets the answer for
 * that email.
 */
function upsertInputs(records: IDataObject[]): IDataObject[] {
	const byEmail = new Map<string, IDataObject>();
	for (const properties of records) {
		const email = String(properties.email);
		byEmail.set(email, { ...byEmail.get(email), ...properties });
	}
	return [...byEmail].map(([email, properties]) => ({ id: email, idProperty: 'email', properties }));
}

function hubspotError(body: unknown): { message: string; code?: string } {
	const b = asObject(body);
	return {
		message: typeof b.message === 'string' ? b.message : 'HubSpot rejected the contact',
		code: typeof b.category === 'string' ? b.category : undefined,
	};
}

const hubspot: Preset = {
	id: 'hubspot',
	service: 'HubSpot',
	schema: HUBSPOT_CONTACT_SCHEMA,
	// A create is one contact per call; the batch upsert takes 100.
	maxBatchSize: (settings) => (settings.hubspotOperation === 'upsert' ? 100 : 1),
	// The batch upsert is keyed on email: sending it twice updates the same contact.
	replayable: (settings) => settings.hubspotOperation === 'upsert',
	buildRequest: (records, settings) =>
		settings.hubspotOperation === 'create'
			? { method: 'POST', url: `${hubspotBase(settings.url)}/crm/v3/objects/contacts`, bodyType: 'json', body: { properties: records[0] } }
			: {
					method: 'POST',
					url: `${hubspotBase(settings.url)}/crm/v3/objects/contacts/batch/upsert`,
					bodyType: 'json',
					body: { inputs: upsertInputs(records) },
				},
	// A create of an existing email answers 409 with the existing id: that is news about this lead.
	readsErrorAnswer: (status, settings) => settings.hubspotOperation === 'create' && status === 409,
	readAnswer: (status, body, records, settings) => {
		if (settings.hubspotOperation === 'create') {
			if (status === 409) {
				const { message, code } = hubspotError(body);
				const existingId = /Existing ID: *(\d+)/i.exec(message)?.[1];
				return [
					{
						ok: false,
						message: `${message} (the contact already exists; it was not changed)`,
						code: code ?? 'CONFLICT',
						details: { alreadyExists: true, ...(existingId ? { existingId } : {}) },
						answer: body,
					},
				];
			}
			return [{ ok: true, crmId: idString(asObject(body).id), action: 'created', confirmed: true, answer: body }];
		}
		// Batch results come in no promised order: matched to leads by email.
		const b = asObject(body);
		const results = Array.isArray(b.results) ? (b.results as IDataObject[]) : [];
		const byEmail = new Map<string, IDataObject>();
		for (const result of results) {
			const email = asObject(result.properties).email;
			if (typeof email === 'string') byEmail.set(email.toLowerCase(), result);
		}
		const errors = Array.isArray(b.errors) ? (b.errors as IDataObject[]) : [];
		return records.map((record) => {
			const email = String(record.email).toLowerCase();
			const result = byEmail.get(email);
			if (result) {
				return {
					ok: true,
					crmId: idString(result.id),
					action: result.new === true ? 'created' : result.new === false ? 'updated' : undefined,
					confirmed: true,
					answer: result,
				};
			}
			const error = errors.find((e) => JSON.stringify(e.context ?? {}).toLowerCase().includes(email)) ?? errors[0];
			const { message, code } = hubspotError(error ?? {});
			return {
				ok: false,
				message: error ? `rejected the contact: ${message}` : 'answered without a result for this contact',
				code,
				answer: error ?? body,
			};
		});
	},
};

const pipedrive: Preset = {
	id: 'pipedrive',
	service: 'Pipedrive',
	schema: PIPEDRIVE_PERSON_SCHEMA,
	maxBatchSize: () => 1,
	replayable: () => false,
	buildRequest: (records, settings) => ({ method: 'POST', url: settings.url, bodyType: 'json', body: records[0] }),
	// Pipedrive wraps every answer in {success, data}; success:false inside a 2xx is a failure.
	readAnswer: (_status, body) => {
		const b = asObject(body);
		if (b.success === true) return [{ ok: true, crmId: idString(asObject(b.data).id), action: 'created', confirmed: true, answer: body }];
		const error = typeof b.error === 'string' ? b.error : 'the answer did not say success';
		const info = typeof b.error_info === 'string' ? ` (${b.error_info})` : '';
		return [
			{
				ok: false,
				message: `success:false in the answer: ${error}${info}`,
				code: b.errorCode !== undefined ? String(b.errorCode) : undefined,
				answer: body,
			},
		];
	},
};

const zapier: Preset = {
	id: 'zapier',
	service: 'Zapier',
	schema: GENERIC_CRM_SCHEMA,
	maxBatchSize: () => 1,
	replayable: () => false,
	buildRequest: (records, settings) => ({ method: 'POST', url: settings.url, bodyType: 'json', body: records[0] }),
	// A catch hook answers {status:"success", id, request_id, attempt}: the Zap run's ids, not a CRM record's.
	readAnswer: (_status, body) => {
		const b = asObject(body);
		if (b.status === 'success') return [{ ok: true, confirmed: true, answer: body }];
		return [{ ok: false, message: `the answer's status is ${JSON.stringify(b.status ?? null)}, not "success"`, answer: body }];
	},
};

const custom: Preset = {
	id: 'custom',
	service: 'the CRM endpoint',
	schema: GENERIC_CRM_SCHEMA,
	maxBatchSize: () => 1,
	replayable: (settings) => settings.idempotent,
	buildRequest: (records, settings) => ({ method: settings.method, url: settings.url, bodyType: settings.bodyType, body: records[0] }),
	readAnswer: (_status, body, _records, settings) => {
		const crmId =
			idString(valueAtPath(body, settings.crmIdPath || 'id')) ??
			(settings.crmIdPath ? undefined : (idString(valueAtPath(body, 'data.id')) ?? idString(valueAtPath(body, 'result.id'))));
		if (!settings.successPath) return [{ ok: true, crmId, confirmed: true, answer: body }];
		const found = valueAtPath(body, settings.successPath);
		const text = found === undefined || found === null ? '' : typeof found === 'object' ? JSON.stringify(found) : String(found);
		if (text === settings.successValue) return [{ ok: true, crmId, confirmed: true, answer: body }];
		return [
			{
				ok: false,
				message: `the answer's "${settings.successPath}" is ${found === undefined ? 'missing' : JSON.stringify(found)}, not "${settings.successValue}"`,
				code: 'SUCCESS_CHECK_FAILED',
				answer: body,
			},
		];
	},
};

export const PRESETS: Readonly<Record<PresetId, Preset>> = Object.freeze({
	salesforceWebToLead,
	hubspot,
	pipedrive,
	zapier,
	custom,
});

export function presetOf(id: string): Preset {
	return PRESETS[id as PresetId] ?? PRESETS.custom;
}
