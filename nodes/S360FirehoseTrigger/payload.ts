/**
 * What S-360's "Webhook contact v2" posts, turned into one flat item per contact. Pure
 * functions: no n8n, no I/O.
 *
 * Each POST carries the `getContactData` result (`ContactDataResult`) of up to "bucket size"
 * changed contacts. How a bucket of several is framed is not public (external-apis.md:
 * unknown), so every plausible framing is accepted: a single ContactDataResult, a JSON array
 * of them, or an object wrapping such an array (or a single one) under any key, as S-360's
 * order webhook does with `{"orderDetailsData": …}`.
 *
 * Which sections a ContactDataResult carries depends on the interface's details list
 * (GENERAL, ADDRESSES, AUTHORIZATIONS, CRITERIA, …) and on the contact-service version
 * (v2_7 … v2_21): every section, and every field inside one, is read as optional. The
 * sub-field names of IndividualContactData, ContactAddressData, AuthorizationData and
 * ExternalContactCriterionData are not in S-360's public listings, so each normalised field
 * is read from the spellings seen in SecuTix material and the obvious variants (first match
 * wins, in the order written below). The raw contact always travels along untouched.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { calendarDayOf, parseDate, type NumberReading } from '../shared/dates';
import { isObject } from '../shared/objects';

export type BucketShape = 'single' | 'array' | 'wrapped';

export type BucketResult =
	| { ok: true; shape: BucketShape; wrapperKey?: string; contacts: IDataObject[] }
	| { ok: false; message: string };

function has(object: IDataObject, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/** A ContactDataResult always names its contact; the sections around it are optional. */
export function isContactShaped(value: unknown): value is IDataObject {
	if (!isObject(value)) return false;
	return (
		contactNumberOf(value) !== null ||
		(has(value, 'contactId') && value.contactId !== null) ||
		isObject(value.individualContact)
	);
}

function contactNumberOf(contact: IDataObject): string | null {
	const value = has(contact, 'contactNumber') ? contact.contactNumber : undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return null;
}

const NOT_A_BUCKET =
	'The body is neither a ContactDataResult, a JSON array of them, nor an object wrapping such an array';

/**
 * The contacts of one POST. Refused (for a 400): a top-level value that is not an object or
 * array, an array holding anything but objects, a wrapper whose array holds anything but
 * objects, a contact without contactNumber (it is the key of everything downstream), and an
 * object in which no single key holds the contacts. An empty array, bare or wrapped, is
 * accepted with no contacts: there is nothing to sync, and a 400 would only make S-360 resend
 * nothing twelve times.
 */
export function readBucket(body: unknown): BucketResult {
	if (Array.isArray(body)) return contactsOf(body, 'array');
	if (!isObject(body)) return { ok: false, message: NOT_A_BUCKET };
	if (isContactShaped(body)) return contactsOf([body], 'single');

	// Scalar keys next to the contacts (counts, ids, timestamps) are metadata and ignored.
	const candidates = Object.keys(body).filter((key) => Array.isArray(body[key]) || isContactShaped(body[key]));
	let key: string | undefined;
	if (candidates.length === 1) {
		key = candidates[0];
	} else if (candidates.length > 1) {
		// Several arrays (e.g. `contacts` next to an empty `errors`): the one holding contacts.
		const holding = candidates.filter((name) => {
			const value: unknown = body[name];
			return Array.isArray(value) ? value.length > 0 && value.every(isContactShaped) : true;
		});
		if (holding.length !== 1) {
			return { ok: false, message: `The body wraps several lists (${candidates.slice(0, 5).join(', ')}): send the contacts under one key` };
		}
		key = holding[0];
	}
	if (key === undefined) return { ok: false, message: NOT_A_BUCKET };
	const wrapped = body[key];
	const result = contactsOf(Array.isArray(wrapped) ? wrapped : [wrapped], 'wrapped');
	return result.ok ? { ...result, wrapperKey: key } : result;
}

function contactsOf(list: unknown[], shape: BucketShape): BucketResult {
	for (let index = 0; index < list.length; index++) {
		const entry = list[index];
		if (!isObject(entry)) {
			return { ok: false, message: `Entry ${index} of the bucket is ${describe(entry)}, not a ContactDataResult object` };
		}
		if (contactNumberOf(entry) === null) {
			return { ok: false, message: `Entry ${index} of the bucket has no contactNumber` };
		}
	}
	return { ok: true, shape, contacts: list as IDataObject[] };
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------
// One contact

export interface PostalAddress {
	street: string | null;
	street2: string | null;
	postalCode: string | null;
	city: string | null;
	state: string | null;
	country: string | null;
}

export interface NormalizedContact {
	contactNumber: string;
	contactId: string | null;
	email: string | null;
	firstName: string | null;
	lastName: string | null;
	/** ISO calendar date (yyyy-MM-dd). */
	birthDate: string | null;
	phone: string | null;
	mobile: string | null;
	language: string | null;
	/** The main postal address (the one marked main, else the first). */
	address: PostalAddress | null;
	/** AUTHORIZATIONS as authorization code → granted. */
	optIns: Record<string, boolean>;
	/** CRITERIA as criterion code → value (an array when a criterion has several values). */
	criteria: Record<string, unknown>;
	/** The contact's change timestamp as sent, ISO 8601 when it could be read as a date. */
	changedAt: string | null;
	/** `<contactNumber>@<changedAt>` (or `@sha256:<content hash>` without a timestamp): what redeliveries are recognised by. */
	deliveryKey: string;
	/** Sections of the ContactDataResult that were present (depends on the details list). */
	sections: string[];
	/** Values that were present but could not be read (the raw contact still has them). */
	warnings: string[];
	/** The ContactDataResult exactly as S-360 sent it. */
	raw: IDataObject;
}

export interface NormalizeOptions {
	/** IANA zone of the institution: birth dates written as instants are read as days there; default UTC. */
	timeZone?: string;
}

/** First present, non-empty value among `keys` of `object`. */
function pick(object: IDataObject | undefined, keys: string[]): unknown {
	if (object === undefined) return undefined;
	for (const key of keys) {
		if (!has(object, key)) continue;
		const value = object[key];
		if (value === undefined || value === null) continue;
		if (typeof value === 'string' && value.trim() === '') continue;
		return value;
	}
	return undefined;
}

function textOf(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function pickText(object: IDataObject | undefined, keys: string[]): string | null {
	return textOf(pick(object, keys));
}

function objects(value: unknown): IDataObject[] {
	return Array.isArray(value) ? value.filter(isObject) : [];
}

const CHANGE_TIMESTAMP_KEYS = [
	'lastModificationDate',
	'modificationDate',
	'lastModifiedDate',
	'lastUpdateDate',
	'updateDate',
	'lastChangeDate',
	'changeDate',
];

const SECTION_KEYS = [
	'individualContact',
	'addresses',
	'authorizations',
	'contactCriteria',
	'indicators',
	'advantages',
	'contactQualities',
	'communicationMeans',
	'contactConnections',
	'financialData',
	'contactFileHistoryCriteria',
];

export function normalizeContact(raw: IDataObject, options: NormalizeOptions = {}): NormalizedContact {
	const warnings: string[] = [];
	const individual = isObject(raw.individualContact) ? raw.individualContact : undefined;
	const addresses = objects(raw.addresses);
	const mainAddress = addresses.find((a) => a.mainAddress === true || a.main === true || a.isMain === true) ?? addresses[0];
	const means = communicationMeans(objects(raw.communicationMeans));
	const contactNumber = contactNumberOf(raw) ?? '';

	const email =
		pickText(individual, ['email', 'emailAddress', 'mail']) ??
		pickText(mainAddress, ['email', 'emailAddress']) ??
		means.email ??
		pickText(raw, ['email']);

	let birthDate: string | null = null;
	const birthValue = pick(individual, ['birthDate', 'birthdate', 'dateOfBirth', 'birthday']);
	if (birthValue !== undefined) {
		birthDate = birthDateOf(birthValue, options.timeZone || 'UTC');
		if (birthDate === null) warnings.push('birthDate could not be read as a date');
	}

	let changedAt: string | null = null;
	const changeValue = pick(raw, CHANGE_TIMESTAMP_KEYS) ?? pick(individual, CHANGE_TIMESTAMP_KEYS);
	if (changeValue !== undefined) changedAt = timestamp(changeValue, options.timeZone);

	const optIns = readOptIns(objects(raw.authorizations), warnings);

	return {
		contactNumber,
		contactId: textOf(raw.contactId),
		email,
		firstName: pickText(individual, ['firstName', 'firstname', 'givenName']),
		lastName: pickText(individual, ['lastName', 'lastname', 'name', 'familyName']),
		birthDate,
		phone:
			pickText(individual, ['phoneNumber', 'phone', 'privatePhone', 'privatePhoneNumber', 'homePhone']) ??
			pickText(mainAddress, ['phoneNumber', 'phone', 'privatePhone', 'privatePhoneNumber']) ??
			means.phone,
		mobile:
			pickText(individual, ['mobilePhoneNumber', 'mobilePhone', 'mobile', 'cellPhone', 'mobileNumber']) ??
			pickText(mainAddress, ['mobilePhoneNumber', 'mobilePhone', 'mobile', 'cellPhone']) ??
			means.mobile,
		language: pickText(individual, ['languageCode', 'language', 'lang']) ?? pickText(raw, ['languageCode', 'language']),
		address: mainAddress ? postalAddress(mainAddress) : null,
		optIns,
		criteria: readCriteria(objects(raw.contactCriteria)),
		changedAt,
		deliveryKey: `${contactNumber}@${changedAt ?? `sha256:${contentHash(raw)}`}`,
		sections: SECTION_KEYS.filter((key) => has(raw, key) && raw[key] !== null),
		warnings,
		raw,
	};
}

function postalAddress(address: IDataObject): PostalAddress {
	return {
		street: pickText(address, ['street1', 'street', 'addressLine1', 'line1']),
		street2: pickText(address, ['street2', 'addressLine2', 'line2']),
		postalCode: pickText(address, ['zipCode', 'postalCode', 'zip', 'postCode']),
		city: pickText(address, ['town', 'city', 'locality']),
		state: pickText(address, ['state', 'stateCode', 'region', 'province']),
		country: pickText(address, ['countryCode', 'country']),
	};
}

/** v2_7/v2_8 list e-mail and phones as communication means (`type` + `value`). */
function communicationMeans(means: IDataObject[]): { email: string | null; phone: string | null; mobile: string | null } {
	const found = { email: null as string | null, phone: null as string | null, mobile: null as string | null };
	for (const mean of means) {
		const type = (pickText(mean, ['type', 'communicationMeanType', 'code']) ?? '').toUpperCase();
		const value = pickText(mean, ['value', 'communicationMeanValue', 'number', 'address']);
		if (value === null) continue;
		const slot = type.includes('MAIL') ? 'email' : /MOBILE|CELL|GSM/.test(type) ? 'mobile' : /PHONE|TEL/.test(type) ? 'phone' : null;
		if (slot !== null && found[slot] === null) found[slot] = value;
	}
	return found;
}

const GRANTED = new Set(['true', 'yes', 'y', '1', 'accepted', 'granted', 'optin', 'opt_in', 'on']);
const REFUSED = new Set(['false', 'no', 'n', '0', 'refused', 'denied', 'optout', 'opt_out', 'off']);

function readOptIns(authorizations: IDataObject[], warnings: string[]): Record<string, boolean> {
	const optIns: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
	for (const authorization of authorizations) {
		const code = pickText(authorization, ['authorizationCode', 'code', 'authorizationType', 'type', 'name']);
		if (code === null) continue;
		const value = pick(authorization, ['value', 'authorized', 'granted', 'accepted', 'optIn', 'status']);
		const granted = booleanOf(value);
		if (granted === undefined) {
			// Never guess consent: an unreadable answer is left out, and said so.
			if (value !== undefined) warnings.push(`authorization ${code} has an unreadable value`);
			continue;
		}
		optIns[code] = granted;
	}
	return { ...optIns };
}

function booleanOf(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
	if (typeof value !== 'string') return undefined;
	const normalised = value.trim().toLowerCase().replace(/[\s-]/g, '_');
	if (GRANTED.has(normalised)) return true;
	if (REFUSED.has(normalised)) return false;
	return undefined;
}

function readCriteria(criteria: IDataObject[]): Record<string, unknown> {
	const map = new Map<string, unknown>();
	for (const criterion of criteria) {
		const code = pickText(criterion, ['criterionCode', 'code', 'criterionName', 'name']);
		if (code === null) continue;
		const value = pick(criterion, ['value', 'values', 'criterionValue', 'criterionValues']) ?? null;
		if (!map.has(code)) {
			map.set(code, value);
			continue;
		}
		// A criterion listed once per value: gather its values.
		const previous = map.get(code);
		map.set(code, [...(Array.isArray(previous) ? previous : [previous]), ...(Array.isArray(value) ? value : [value])]);
	}
	return Object.fromEntries(map);
}

/**
 * S-360 is a Java service: a Date it serialises as a number is epoch milliseconds, whatever its
 * digit count (every birth date before September 2001 has 12 digits, which 'auto' refuses).
 */
const EPOCH_MILLISECONDS: NumberReading = 'epochMilliseconds';

const EIGHT_DIGITS = /^\d{8}$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A birth date as yyyy-MM-dd, or null. A birth date written as an instant (epoch milliseconds,
 * '1991-03-06T23:00:00.000Z', '1991-03-07T00:00:00+01:00') is the day of that instant in the
 * institution's zone, so the same instant gives the same day however it is written. A date
 * without a time is that date; eight digits are yyyyMMdd, never epoch time. S-360's usual forms
 * are read without building a luxon DateTime (100 contacts a bucket add up); every other form
 * goes through the shared reader, which refuses what it cannot read for certain.
 */
function birthDateOf(value: unknown, timeZone: string): string | null {
	try {
		if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_EPOCH_MS) return calendarDayOf(value, timeZone);
		let numbers: NumberReading = typeof value === 'number' ? EPOCH_MILLISECONDS : 'auto';
		if (typeof value === 'string') {
			const text = value.trim();
			const day = ISO_DAY.test(text) ? text : EIGHT_DIGITS.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : undefined;
			if (day !== undefined && isCalendarDay(day)) return day;
			const instant = ISO_INSTANT.exec(text);
			// An instant with its offset written out is the one form Date.parse is specified for.
			if (instant && isCalendarDay(instant[1]) && Number(instant[2]) < 24) return calendarDayOf(Date.parse(text), timeZone);
			if (!EIGHT_DIGITS.test(text) && DECIMAL.test(text)) numbers = EPOCH_MILLISECONDS;
		}
		return parseDate(value, { timeZone, numbers }).toISODate();
	} catch {
		// The shared reader's InvalidDateError: the raw contact keeps the value, a warning says so.
		return null;
	}
}

/** A change timestamp as ISO 8601 when it reads as a date, else the text sent. */
function timestamp(value: unknown, timeZone: string | undefined): string | null {
	if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_EPOCH_MS) return new Date(value).toISOString();
	if (typeof value === 'string') {
		const instant = ISO_INSTANT.exec(value.trim());
		// An instant with its offset written out is the one form Date.parse is specified for.
		if (instant && isCalendarDay(instant[1]) && Number(instant[2]) < 24) return new Date(Date.parse(value.trim())).toISOString();
	}
	try {
		return parseDate(value, { timeZone, numbers: EPOCH_MILLISECONDS }).toUTC().toISO();
	} catch {
		// Not a date: the text itself still tells two changes apart.
		return textOf(value);
	}
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):[0-5]\d:[0-5]\d(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;
/** The range of a JS Date. */
const MAX_EPOCH_MS = 8.64e15;

/** yyyy-MM-dd naming a day that exists (no 30 February), in years 1000–9999. */
function isCalendarDay(day: string): boolean {
	const [year, month, date] = day.split('-').map(Number);
	if (year < 1000) return false;
	const utc = new Date(Date.UTC(year, month - 1, date));
	return utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === date;
}

/** A hash of the contact's content with keys sorted, so the same content always hashes alike. */
function contentHash(value: unknown): string {
	return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 32);
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (isObject(value)) {
		return `{${Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** What two-way sync names S-360's records by (the writer and this trigger use the same). */
export const S360_SYSTEM = 's360';

/**
 * A contact's fields as S-360 stores them, flat, for the two-way echo check: the same reading of
 * what the S-360 Save Contact node sends (`written`: only the fields it set) and of what this
 * trigger receives (every field, empty ones included, so a cleared field is a change).
 */
export function comparableContact(contact: NormalizedContact, written = false): IDataObject {
	const view: IDataObject = {
		firstName: contact.firstName,
		lastName: contact.lastName,
		email: contact.email,
		birthDate: contact.birthDate,
		phone: contact.phone,
		mobile: contact.mobile,
		language: contact.language,
	};
	for (const [part, value] of Object.entries(contact.address ?? {})) view[`address.${part}`] = value;
	for (const [code, granted] of Object.entries(contact.optIns)) view[`optIn.${code}`] = granted;
	for (const [code, value] of Object.entries(contact.criteria)) view[`criterion.${code}`] = value as IDataObject;
	if (written) for (const field of Object.keys(view)) if (view[field] === null) delete view[field];
	return view;
}
