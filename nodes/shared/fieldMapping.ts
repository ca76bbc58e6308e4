import type { IDataObject } from 'n8n-workflow';

import { formatDate } from './dates';
import type { DateOutputFormat } from './dates';

/**
 * Turns an incoming contact (Ory traits, an S-360 contact, a chatbot lead, a Zoho webhook)
 * into the fields of one target (Zoho CRM, MeherY, a generic CRM), as "target field ← value".
 * Every value is normalised the same way whatever its source, and every mistake is reported
 * as a problem naming the item and the field: nothing here throws, and nothing is sent wrong
 * silently.
 */

export type ContactConcept =
	| 'email'
	| 'secondaryEmail'
	| 'firstName'
	| 'lastName'
	| 'fullName'
	| 'phone'
	| 'mobile'
	| 'company'
	| 'title'
	| 'website'
	| 'street'
	| 'city'
	| 'state'
	| 'postalCode'
	| 'country'
	| 'dateOfBirth'
	| 'description'
	| 'leadSource';

export type FieldKind = 'string' | 'email' | 'phone' | 'date' | 'dateTime' | 'number' | 'boolean';

export interface TargetField {
	/** The target's own API name, e.g. 'Last_Name', 'lastName', 'email1'. */
	name: string;
	/** Label for the UI. */
	displayName: string;
	/** Defaults to 'string'. */
	kind?: FieldKind;
	/** Which common input names auto-map to this field. */
	concept?: ContactConcept;
	required?: boolean;
	/** Longer values are a problem (Zoho silently truncates emails over 100 characters). */
	maxLength?: number;
}

export interface TargetSchema {
	/** 'zohoContacts', 'zohoLeads', 'mehery', 'generic'. */
	id: string;
	displayName: string;
	/** The fixed fields the node offers. */
	fields: TargetField[];
	/** When false, a name not in `fields` and not matching `extraFieldPattern` is a problem. */
	allowUnknownFields: boolean;
	/** Further names the target accepts, e.g. MeherY's phoneN/emailN codes. */
	extraFieldPattern?: RegExp;
	/** The kind of a name that is not in `fields` (MeherY 'email3' is an email); default 'string'. */
	extraFieldKind?: (name: string) => FieldKind | undefined;
	/** When set, at least one of these fields must end up with a value (MeherY's unique keys). */
	atLeastOneOf?: string[];
	/** Other names that also satisfy atLeastOneOf (MeherY's phone3, email4, …), not listed in its problem. */
	atLeastOneOfPattern?: RegExp;
	/** Output format for fields of kind 'date'. */
	dateFormat: DateOutputFormat;
	/** Output format for fields of kind 'dateTime'. */
	dateTimeFormat: DateOutputFormat;
}

export interface FieldAssignment {
	field: string;
	value: unknown;
}

export interface MappingProblem {
	itemIndex: number;
	field: string;
	message: string;
}

export interface MappingInput {
	itemIndex: number;
	schema: TargetSchema;
	/** The incoming item's json, for auto-mapping; omit to disable auto-mapping. */
	input?: IDataObject;
	/** Explicit mappings chosen in the UI (fixed fields and "other fields by name"). */
	fields?: FieldAssignment[];
	/** Constants, e.g. Lead_Source = 'Chatbot'. */
	staticValues?: FieldAssignment[];
	/** IANA zone for dates; defaults to 'UTC'. */
	timeZone?: string;
	/** Used only when the field ends up empty, e.g. { Last_Name: 'Unknown' }. */
	requiredFallbacks?: Record<string, string>;
}

export interface MappingResult {
	fields: IDataObject;
	problems: MappingProblem[];
}

/** Input names (compared after normaliseFieldName) that auto-map to each concept, best first. */
export const CONCEPT_ALIASES: Readonly<Record<ContactConcept, readonly string[]>> = {
	email: ['email', 'emailaddress', 'mail', 'primaryemail', 'email1', 'e_mail'],
	secondaryEmail: ['secondaryemail', 'email2', 'secondemail', 'otheremail'],
	firstName: ['firstname', 'givenname', 'first', 'fname', 'forename', 'name.first', 'name.given'],
	lastName: ['lastname', 'familyname', 'surname', 'last', 'lname', 'name.last', 'name.family'],
	fullName: ['name', 'fullname', 'displayname'],
	phone: ['phone', 'phonenumber', 'telephone', 'tel', 'phone1', 'workphone'],
	mobile: ['mobile', 'mobilephone', 'cell', 'cellphone', 'mobilenumber'],
	company: [
		'company',
		'companyname',
		'organization',
		'organisation',
		'org',
		'accountname',
		'company.name',
		'organization.name',
		'organisation.name',
		'account.name',
	],
	title: ['title', 'jobtitle', 'position'],
	website: ['website', 'url', 'homepage'],
	street: ['street', 'address', 'addressline1', 'street1', 'mailingstreet'],
	city: ['city', 'town', 'mailingcity'],
	state: ['state', 'region', 'province', 'mailingstate'],
	postalCode: ['zip', 'zipcode', 'postalcode', 'postcode', 'mailingzip'],
	country: ['country', 'mailingcountry'],
	dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday'],
	description: ['description', 'notes', 'note', 'comment'],
	leadSource: ['leadsource', 'source'],
};

const DEFAULT_MAPPING_TIME_ZONE = 'UTC';

/** 'First Name', 'first_name', 'firstName', 'FIRST-NAME' and 'first.name' all become 'firstname'. */
export function normaliseFieldName(name: string): string {
	// Input keys repeat across thousands of items: remember recent answers (bounded).
	let normalised = normalisedNames.get(name);
	if (normalised === undefined) {
		normalised = name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
		if (normalisedNames.size >= 10_000) normalisedNames.clear();
		normalisedNames.set(name, normalised);
	}
	return normalised;
}

const normalisedNames = new Map<string, string>();

/** undefined, null, blank strings, empty arrays and empty plain objects carry no value. */
export function isEmptyValue(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	if (isPlainObject(value)) return Object.keys(value).length === 0;
	return false;
}

/** One line per problem, e.g. 'Item 3: field "Last_Name" is required but empty'. */
export function formatProblems(problems: MappingProblem[]): string {
	return problems.map((problem) => `Item ${problem.itemIndex}: ${problem.message}`).join('\n');
}

/** Classic edit distance (insert, delete, substitute), for "did you mean" suggestions. */
export function levenshteinDistance(a: string, b: string): number {
	let previousRow = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const currentRow = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitutionCost = a[i - 1] === b[j - 1] ? 0 : 1;
			currentRow[j] = Math.min(
				previousRow[j] + 1,
				currentRow[j - 1] + 1,
				previousRow[j - 1] + substitutionCost,
			);
		}
		previousRow = currentRow;
	}
	return previousRow[b.length];
}

/** The schema field whose normalised name is closest to `name`, if it is close enough to be a typo. */
export function suggestFieldName(name: string, schema: TargetSchema): string | undefined {
	const wanted = normaliseFieldName(name);
	const allowedDistance = wanted.length <= 2 ? 0 : wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
	let best: { name: string; distance: number } | undefined;
	for (const field of schema.fields) {
		const distance = levenshteinDistance(wanted, normaliseFieldName(field.name));
		if (distance <= allowedDistance && (best === undefined || distance < best.distance)) {
			best = { name: field.name, distance };
		}
	}
	return best?.name;
}

export type FieldNameResolution = { name: string; problem?: undefined } | { name?: undefined; problem: string };

/**
 * The schema's spelling of a field name. Names must match case-sensitively, but a name that
 * differs only in case or separators ('last_name' for 'Last_Name') is accepted and respelled.
 */
export function resolveFieldName(rawName: string, schema: TargetSchema): FieldNameResolution {
	const name = rawName.trim();
	if (name === '') return { problem: 'a field name is empty' };
	if (schema.fields.some((field) => field.name === name)) return { name };

	const normalised = normaliseFieldName(name);
	const sameWhenNormalised = schema.fields.filter((field) => normaliseFieldName(field.name) === normalised);
	if (sameWhenNormalised.length === 1) return { name: sameWhenNormalised[0].name };

	if (schema.extraFieldPattern !== undefined) {
		if (matchesPattern(schema.extraFieldPattern, name)) return { name };
		// Pattern codes are camelCase (MeherY 'altPhone2'), so 'ALT_PHONE_2' is the same code respelled.
		const camelCaseName = toCamelCase(name);
		if (matchesPattern(schema.extraFieldPattern, camelCaseName)) return { name: camelCaseName };
	}

	if (schema.allowUnknownFields) return { name };

	const suggestion = suggestFieldName(name, schema);
	const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
	return { problem: `field "${name}" is not a field of ${schema.displayName}${hint}` };
}

/** 'alt_phone_2', 'Alt Phone 2' and 'ALT-PHONE-2' become 'altPhone2'; 'AltPhone2' stays camel. */
export function toCamelCase(name: string): string {
	const words = name
		.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
		.split(/[^\p{L}\p{N}]+/u)
		.filter((word) => word !== '')
		.map((word) => word.toLowerCase());
	return words.map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join('');
}

function matchesPattern(pattern: RegExp, name: string): boolean {
	// A global or sticky pattern keeps state between test() calls; a fresh copy does not.
	return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(name);
}

/** One input value found for a target field, with where it came from. */
export interface AutoMappedValue {
	field: string;
	value: unknown;
	/** The input key, dotted for nested keys: 'email', 'traits.email', 'name (split)'. */
	sourcePath: string;
}

interface InputCandidate {
	path: string;
	value: unknown;
	/** Normalised forms that aliases are compared with: the full path, and for nested keys the leaf. */
	matchKeys: string[];
	nested: boolean;
}

/**
 * Auto-mapping by concept: input keys (top level and one level of nesting) are matched to
 * target fields by the field's own name, then by its concept's aliases. Returns raw values.
 */
export function autoMapFields(input: IDataObject, schema: TargetSchema): IDataObject {
	const fields: IDataObject = {};
	for (const mapped of findAutoMappedValues(input, schema)) fields[mapped.field] = mapped.value as IDataObject[string];
	return fields;
}

/** autoMapFields with the input path of each value, in schema field order. */
export function findAutoMappedValues(input: IDataObject, schema: TargetSchema): AutoMappedValue[] {
	const ownNames = new Map(schema.fields.map((field) => [normaliseFieldName(field.name), field.name]));
	const candidates = listInputCandidates(input, new Set(ownNames.keys()));
	const usedPaths = new Set<string>();
	const claimedConcepts = new Set<ContactConcept>();
	const found = new Map<string, AutoMappedValue>();

	for (const field of schema.fields) {
		const aliases = [normaliseFieldName(field.name)];
		// When two fields share a concept, only the first gets its aliases.
		if (field.concept !== undefined && !claimedConcepts.has(field.concept)) {
			claimedConcepts.add(field.concept);
			aliases.push(...CONCEPT_ALIASES[field.concept].map(normaliseFieldName));
		}
		// A key spelled like another field's own name belongs to that field, never to this one's aliases.
		const isAvailable = (candidate: InputCandidate) =>
			!usedPaths.has(candidate.path) &&
			candidate.matchKeys.every((key) => (ownNames.get(key) ?? field.name) === field.name);
		const candidate =
			findFirstCandidate(candidates.filter((c) => !c.nested && isAvailable(c)), aliases) ??
			findFirstCandidate(candidates.filter((c) => c.nested && isAvailable(c)), aliases);
		if (candidate !== undefined) {
			usedPaths.add(candidate.path);
			found.set(field.name, { field: field.name, value: candidate.value, sourcePath: candidate.path });
		}
	}

	fillNamesFromFullName(schema, candidates, usedPaths, found);
	return schema.fields.flatMap((field) => found.get(field.name) ?? []);
}

/** Splits a single full-name string into missing first/last names: 'Ada King Lovelace' → 'Ada King' + 'Lovelace'. */
export function splitFullName(fullName: string): { firstName?: string; lastName: string } {
	const trimmed = fullName.trim();
	const lastSpace = /^(.*\S)\s+(\S+)$/.exec(trimmed);
	if (lastSpace === null) return { lastName: trimmed };
	return { firstName: lastSpace[1], lastName: lastSpace[2] };
}

function fillNamesFromFullName(
	schema: TargetSchema,
	candidates: InputCandidate[],
	usedPaths: Set<string>,
	found: Map<string, AutoMappedValue>,
): void {
	const firstNameField = schema.fields.find((field) => field.concept === 'firstName');
	const lastNameField = schema.fields.find((field) => field.concept === 'lastName');
	const firstNameMissing = firstNameField !== undefined && !found.has(firstNameField.name);
	const lastNameMissing = lastNameField !== undefined && !found.has(lastNameField.name);
	if (!firstNameMissing && !lastNameMissing) return;

	const aliases = CONCEPT_ALIASES.fullName.map(normaliseFieldName);
	const available = candidates.filter((c) => !usedPaths.has(c.path) && typeof c.value === 'string');
	const fullName =
		findFirstCandidate(available.filter((c) => !c.nested), aliases) ??
		findFirstCandidate(available.filter((c) => c.nested), aliases);
	if (fullName === undefined) return;

	const parts = splitFullName(fullName.value as string);
	const sourcePath = `${fullName.path} (split)`;
	if (firstNameMissing && parts.firstName !== undefined) {
		found.set(firstNameField.name, { field: firstNameField.name, value: parts.firstName, sourcePath });
	}
	if (lastNameMissing) {
		found.set(lastNameField.name, { field: lastNameField.name, value: parts.lastName, sourcePath });
	}
}

/** The first alias (in order) that some candidate (in key order) answers to. */
function findFirstCandidate(candidates: InputCandidate[], aliases: string[]): InputCandidate | undefined {
	for (const alias of aliases) {
		const match = candidates.find((candidate) => candidate.matchKeys.includes(alias));
		if (match !== undefined) return match;
	}
	return undefined;
}

function listInputCandidates(input: IDataObject, ownNames: Set<string>): InputCandidate[] {
	const candidates: InputCandidate[] = [];
	for (const [key, value] of Object.entries(input)) {
		if (isAutoMappableValue(value)) {
			candidates.push({ path: key, value, matchKeys: [normaliseFieldName(key)], nested: false });
		} else if (isPlainObject(value)) {
			for (const [childKey, childValue] of Object.entries(value)) {
				if (!isAutoMappableValue(childValue)) continue;
				const fullKey = normaliseFieldName(`${key}.${childKey}`);
				// 'company.name' is the company, not a person's name: a known dotted name hides the leaf.
				const known = knownAliasNames().has(fullKey) || ownNames.has(fullKey);
				const matchKeys = known ? [fullKey] : [fullKey, normaliseFieldName(childKey)];
				candidates.push({ path: `${key}.${childKey}`, value: childValue, matchKeys, nested: true });
			}
		}
	}
	return candidates;
}

let aliasNames: Set<string> | undefined;

function knownAliasNames(): Set<string> {
	aliasNames ??= new Set(Object.values(CONCEPT_ALIASES).flat().map(normaliseFieldName));
	return aliasNames;
}

/** Only single values are guessed; objects and lists are left for an explicit mapping. */
function isAutoMappableValue(value: unknown): boolean {
	if (isEmptyValue(value)) return false;
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || isJsDate(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const prototype = Object.getPrototypeOf(value) as unknown;
	return prototype === Object.prototype || prototype === null;
}

function isJsDate(value: unknown): value is Date {
	return Object.prototype.toString.call(value) === '[object Date]';
}

type NormalisedValue = { value: string | number | boolean; problem?: undefined } | { value?: undefined; problem: string };

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * The value as the target wants it, or why it cannot be sent. `value` must not be empty
 * (isEmptyValue); the field's name is quoted in every problem.
 */
export function normaliseFieldValue(
	value: unknown,
	field: TargetField,
	schema: TargetSchema,
	timeZone: string = DEFAULT_MAPPING_TIME_ZONE,
): NormalisedValue {
	const kind = field.kind ?? 'string';
	const label = `field "${field.name}"`;
	let normalised: NormalisedValue;
	switch (kind) {
		case 'date':
		case 'dateTime':
			normalised = normaliseDate(value, kind === 'date' ? schema.dateFormat : schema.dateTimeFormat, timeZone, label);
			break;
		case 'number':
			normalised = normaliseNumber(value, label);
			break;
		case 'boolean':
			normalised = normaliseBoolean(value, label);
			break;
		default:
			normalised = normaliseText(value, kind, label);
	}
	if (normalised.problem !== undefined || typeof normalised.value !== 'string' || field.maxLength === undefined) {
		return normalised;
	}
	// Counted in characters, not UTF-16 units, so an emoji counts once.
	const length = Array.from(normalised.value).length;
	if (length > field.maxLength) {
		return { problem: `${label} is ${length} characters long, more than the ${field.maxLength} allowed` };
	}
	return normalised;
}

function normaliseText(value: unknown, kind: FieldKind, label: string): NormalisedValue {
	let text: string;
	if (typeof value === 'string') text = value.trim();
	else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
	else return { problem: `${label} expects text, not ${describeValue(value)}` };
	if (kind !== 'email') return { value: text };
	const email = text.toLowerCase();
	if (!EMAIL_SHAPE.test(email)) return { problem: `${label} is not an email address: ${JSON.stringify(text)}` };
	return { value: email };
}

// Decimal only: Number() would also read '0x10' and '0b1' as numbers.
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function normaliseNumber(value: unknown, label: string): NormalisedValue {
	if (typeof value === 'number' && Number.isFinite(value)) return { value };
	if (typeof value === 'string' && DECIMAL_NUMBER.test(value.trim())) {
		const parsed = Number(value.trim());
		if (Number.isFinite(parsed)) return { value: parsed };
	}
	return { problem: `${label} expects a number, not ${describeValue(value)}` };
}

function normaliseBoolean(value: unknown, label: string): NormalisedValue {
	if (typeof value === 'boolean') return { value };
	if (typeof value === 'string') {
		const text = value.trim().toLowerCase();
		if (text === 'true') return { value: true };
		if (text === 'false') return { value: false };
	}
	return { problem: `${label} expects true or false, not ${describeValue(value)}` };
}

function normaliseDate(value: unknown, format: DateOutputFormat, timeZone: string, label: string): NormalisedValue {
	try {
		return { value: formatDate(typeof value === 'string' ? value.trim() : value, format, { timeZone }) };
	} catch (error) {
		// InvalidDateError says why and which forms are accepted; anything else is still a problem, never a throw.
		const reason = error instanceof Error ? error.message : String(error);
		return { problem: `${label} has an invalid date: ${reason}` };
	}
}

function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (isJsDate(value)) return 'a date object';
	if (typeof value === 'object' && value !== null) return 'an object';
	if (typeof value === 'string') return JSON.stringify(value.length > 50 ? `${value.slice(0, 50)}…` : value);
	return String(value);
}

interface ChosenValue {
	value: unknown;
	/** Appended to value problems so the user knows which source to fix. */
	origin: string;
}

/**
 * Maps one item. Sources, weakest first: auto-mapped input, static values, explicit field
 * mappings; a later source overrides an earlier one only with a non-empty value. Fields come
 * out in schema order, then other fields in the order they were first given. A field with a
 * problem is left out of `fields`.
 */
export function mapContact(options: MappingInput): MappingResult {
	const { itemIndex, schema } = options;
	const timeZone = options.timeZone ?? DEFAULT_MAPPING_TIME_ZONE;
	const problems: MappingProblem[] = [];
	const report = (field: string, message: string) => problems.push({ itemIndex, field, message });

	const chosen = new Map<string, ChosenValue>();
	const offer = (field: string, value: unknown, origin: string) => {
		if (!isEmptyValue(value)) chosen.set(field, { value, origin });
	};

	if (options.input !== undefined) {
		for (const mapped of findAutoMappedValues(options.input, schema)) {
			offer(mapped.field, mapped.value, ` (auto-mapped from input "${mapped.sourcePath}")`);
		}
	}
	const assignmentSources: Array<[FieldAssignment[] | undefined, string]> = [
		[options.staticValues, ' (static value)'],
		[options.fields, ''],
	];
	for (const [assignments, origin] of assignmentSources) {
		for (const assignment of assignments ?? []) {
			// A parameter left unset in the UI can arrive as undefined: reported, not thrown.
			const rawName = typeof assignment.field === 'string' ? assignment.field : '';
			const resolved = resolveFieldName(rawName, schema);
			if (resolved.problem !== undefined) report(rawName.trim(), resolved.problem);
			else offer(resolved.name, assignment.value, origin);
		}
	}

	const fallbacks = new Map<string, string>();
	for (const [name, value] of Object.entries(options.requiredFallbacks ?? {})) {
		const resolved = resolveFieldName(name, schema);
		if (resolved.problem !== undefined) report(name.trim(), resolved.problem);
		else fallbacks.set(resolved.name, value);
	}

	const fields: IDataObject = {};
	const fieldsWithProblems = new Set<string>();
	const outputOrder = new Set([...schema.fields.map((field) => field.name), ...chosen.keys(), ...fallbacks.keys()]);
	for (const name of outputOrder) {
		const field = schema.fields.find((candidate) => candidate.name === name) ?? {
			name,
			displayName: name,
			kind: schema.extraFieldKind?.(name),
		};
		let source = chosen.get(name);
		const fallback = fallbacks.get(name);
		if (source === undefined && fallback !== undefined && !isEmptyValue(fallback)) {
			source = { value: fallback, origin: ' (fallback value)' };
		}
		if (source === undefined) continue;
		const normalised = normaliseFieldValue(source.value, field, schema, timeZone);
		if (normalised.problem !== undefined) {
			report(name, normalised.problem + source.origin);
			fieldsWithProblems.add(name);
		} else {
			fields[name] = normalised.value;
		}
	}

	// A field that already has a problem is not reported a second time as empty.
	const isSetOrReported = (name: string) => name in fields || fieldsWithProblems.has(name);
	for (const field of schema.fields) {
		if (field.required && !isSetOrReported(field.name)) report(field.name, `field "${field.name}" is required but empty`);
	}
	const oneOf = schema.atLeastOneOf ?? [];
	const { atLeastOneOfPattern } = schema;
	const isOtherKey = (name: string) => atLeastOneOfPattern !== undefined && matchesPattern(atLeastOneOfPattern, name);
	const otherKeySet = [...Object.keys(fields), ...fieldsWithProblems].some(isOtherKey);
	if (oneOf.length > 0 && !otherKeySet && !oneOf.some(isSetOrReported)) {
		const names = oneOf.map((name) => `"${name}"`).join(', ');
		report(oneOf.join(', '), `at least one of the fields ${names} must be set for ${schema.displayName}`);
	}

	return { fields, problems };
}
