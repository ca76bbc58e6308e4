/**
 * Changed records out of Zoho CRM: read by id (one call per 100 ids) and turned into one item
 * each, with the same normalised fields whichever way the change arrived (a notification or a
 * workflow-rule webhook), plus the record as Zoho gave it.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { serviceApiError } from '../shared/errors';
import { parseDate } from '../shared/dates';
import { isObject } from '../shared/objects';
import type { HttpContext } from '../shared/http';
import { ZOHO_SERVICE } from '../ZohoCrmUpsertContact/auth';
import { zohoApiRequest, type ZohoModule, type ZohoSession } from '../ZohoCrmUpsertContact/transport';

/** Zoho reads at most 100 ids per call (`GET /<Module>?ids=…`). */
export const IDS_PER_READ = 100;

/** What every read asks for: the normalised fields' sources. From API v3 on, `fields` is required. */
export const RECORD_FIELDS = ['Email', 'First_Name', 'Last_Name', 'Phone', 'Mobile', 'Date_of_Birth', 'Modified_Time', 'Created_Time'];
/** Zoho refuses more than 50 fields in one read. */
export const MAX_FIELDS_PER_READ = 50;

/** Zoho record ids: digits only (18–19 of them, beyond a JS number's exact range). */
const RECORD_ID = /^\d{1,30}$/;

export type ZohoOperation = 'create' | 'edit' | 'delete';

export interface NormalisedRecord extends IDataObject {
	id: string;
	module: string;
	/** null: a workflow rule that does not say (see its `operation` parameter). */
	operation: ZohoOperation | null;
	email: string | null;
	firstName: string | null;
	lastName: string | null;
	phone: string | null;
	mobile: string | null;
	/** yyyy-MM-dd, or null when absent or unreadable (then `warnings` says so). */
	birthDate: string | null;
	/** Modified_Time as ISO 8601 in UTC. */
	changedAt: string | null;
	affectedFields: string[];
	/** `<module>:<id>@<changedAt>#<content hash>`: what redeliveries of the same change are recognised by. */
	deliveryKey: string;
	warnings: string[];
	record: IDataObject;
}

export function isRecordId(value: unknown): value is string {
	return typeof value === 'string' && RECORD_ID.test(value);
}

/** The fields a read asks for: the normalised ones, then the user's, each once; at most 50. */
export function readFields(additional: string[]): string[] {
	const fields = [...new Set([...RECORD_FIELDS, ...additional.map((name) => name.trim()).filter(Boolean)])];
	return fields;
}

/**
 * Reads records by id, 100 ids per call, the calls one after another (a notification carries at
 * most a few hundred ids; Zoho counts concurrent calls against the org). Ids Zoho does not return
 * (deleted since, or never visible to this user) are absent from the map.
 */
export async function readRecordsByIds(
	ctx: HttpContext,
	session: ZohoSession,
	module: ZohoModule,
	ids: string[],
	fields: string[],
): Promise<Map<string, IDataObject>> {
	const found = new Map<string, IDataObject>();
	if (fields.length > MAX_FIELDS_PER_READ) {
		throw serviceApiError(ctx.getNode(), {
			service: ZOHO_SERVICE,
			message: `${fields.length} fields asked for: Zoho reads at most ${MAX_FIELDS_PER_READ} per call`,
			hint: 'Remove fields from Additional Fields.',
		});
	}
	for (let start = 0; start < ids.length; start += IDS_PER_READ) {
		const chunk = ids.slice(start, start + IDS_PER_READ);
		const response = await zohoApiRequest<unknown>(ctx, session, {
			method: 'GET',
			path: `/${module}`,
			qs: { ids: chunk.join(','), fields: fields.join(',') },
		});
		// Zoho answers 204 with no body when none of the ids exists any more.
		if (response.statusCode === 204 || response.body === undefined || response.body === '') continue;
		const data = isObject(response.body) ? response.body.data : undefined;
		if (!Array.isArray(data)) {
			throw serviceApiError(ctx.getNode(), {
				service: ZOHO_SERVICE,
				status: response.statusCode,
				message: 'answered a record read without a data list',
				hint: 'Zoho may be showing a login or maintenance page: try again later.',
			});
		}
		for (const record of data) {
			if (isObject(record) && isRecordId(record.id) && chunk.includes(record.id)) found.set(record.id, record);
		}
	}
	return found;
}

function text(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** How dates in a record are written: the API's own forms, or a workflow rule's chosen ones. */
export interface DateReading {
	/** Luxon format of Zoho date fields (the API: yyyy-MM-dd). */
	dateFormat: string;
	/** Luxon format of date-time fields; empty: ISO 8601 with offset (the API's form). */
	dateTimeFormat: string;
	/** IANA zone a date-time without an offset is in. */
	timeZone: string;
}

export const API_DATE_READING: DateReading = { dateFormat: 'yyyy-MM-dd', dateTimeFormat: '', timeZone: 'UTC' };

function readDate(value: unknown, reading: DateReading, warnings: string[], name: string): string | null {
	if (text(value) === null) return null;
	try {
		return parseDate(text(value), { inputFormat: reading.dateFormat, timeZone: reading.timeZone }).toISODate();
	} catch (error) {
		warnings.push(`${name} could not be read as a date in the format ${reading.dateFormat}: ${(error as Error).message}`);
		return null;
	}
}

function readDateTime(value: unknown, reading: DateReading, warnings: string[], name: string): string | null {
	if (text(value) === null) return null;
	try {
		const options = reading.dateTimeFormat ? { inputFormat: reading.dateTimeFormat, timeZone: reading.timeZone } : { timeZone: reading.timeZone };
		return parseDate(text(value), options).toUTC().toISO();
	} catch (error) {
		warnings.push(`${name} could not be read as a date-time${reading.dateTimeFormat ? ` in the format ${reading.dateTimeFormat}` : ''}: ${(error as Error).message}`);
		return null;
	}
}

/** One changed record as an item: normalised fields plus the record as Zoho sent it. */
export function normaliseRecord(
	record: IDataObject,
	context: { module: string; operation: ZohoOperation | null; affectedFields?: string[]; reading?: DateReading },
): NormalisedRecord {
	const reading = context.reading ?? API_DATE_READING;
	const warnings: string[] = [];
	const id = String(record.id);
	const changedAt = readDateTime(record.Modified_Time, reading, warnings, 'Modified_Time');
	return {
		id,
		module: context.module,
		operation: context.operation,
		email: text(record.Email)?.toLowerCase() ?? null,
		firstName: text(record.First_Name),
		lastName: text(record.Last_Name),
		phone: text(record.Phone),
		mobile: text(record.Mobile),
		birthDate: readDate(record.Date_of_Birth, reading, warnings, 'Date_of_Birth'),
		changedAt,
		affectedFields: context.affectedFields ?? [],
		// Modified_Time has whole seconds: two edits within one second differ only in content.
		deliveryKey: `${context.module}:${id}@${changedAt ?? '-'}#${contentHash(record)}`,
		warnings,
		record,
	};
}

/** A deleted record: Zoho tells only its id. */
export function deletedRecord(id: string, module: string, serverTime: string | null): IDataObject {
	return { id, module, operation: 'delete', deletedAt: serverTime, deliveryKey: `${module}:${id}@delete` };
}

function contentHash(record: IDataObject): string {
	const sorted = Object.keys(record)
		.sort()
		.map((key) => [key, record[key]]);
	return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}
