import type { IDataObject } from 'n8n-workflow';

import { formatDate, isJsDate, UnwritableDateError } from './dates';
import type { DateOptions, DateOutputFormat } from './dates';

/**
 * Turns an incoming contact (an identity provider's traits, a ticketing contact, a chatbot lead)
 * into the fields of one target, as "target field ← value", against the target's TargetSchema
 * (each node defines its own in its folder). Every value is normalised the same way whatever
 * its source, and every mistake is reported as a problem naming the item and the field:
 * nothing here throws, and nothing is sent wrong silently.
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

export type FieldKind = 'string' | 'email' | 'phone' | 'date' | 'dateTime' | 'number' | 'boolean' | 'any';

export interface TargetField {
	/** The target's own API name, e.g. 'Last_Name', 'lastName', 'email1'. */
	name: string;
	/** Label for the UI. */
	displayName: string;
	/** Defaults to 'string'; 'any' keeps numbers and booleans as they are (fields a schema does not list). */
	kind?: FieldKind;
	/** Which common input names auto-map to this field. */
	concept?: ContactConcept;
	required?: boolean;
	/** Longer values are a problem, for targets that would otherwise truncate them silently. */
	maxLength?: number;
}

export interface TargetSchema {
	/** A short identifier, e.g. 'contacts'. */
	id: string;
	displayName: string;
	/** The fixed fields the node offers. */
	fields: TargetField[];
	/** When false, a name not in `fields` and not matching `extraFieldPattern` is a problem. */
	allowUnknownFields: boolean;
	/** Further names the target accepts, e.g. numbered codes such as phone2, email3. */
	extraFieldPattern?: RegExp;
	/** The kind of a name that is not in `fields` (e.g. 'email3' is an email); default 'string'. */
	extraFieldKind?: (name: string) => FieldKind | undefined;
	/** When set, at least one of these fields must end up with a value (e.g. the keys a profile is found by). */
	atLeastOneOf?: string[];
	/** Other names that also satisfy atLeastOneOf (e.g. phone3, email4, …), not listed in its problem. */
	atLeastOneOfPattern?: RegExp;
	/** Output format for fields of kind 'date'. */
	dateFormat: DateOutputFormat;
	/** Output format for fields of kind 'dateTime'. */
	dateTimeFormat: DateOutputFormat;
	/**
	 * Names the user typed (explicit fields, static values) go out exactly as typed: where any
	 * name is a field (a CRM's custom fields), 'Email' may be another field than 'email', so
	 * respelling it would guess. Only auto-mapping then uses the schema's spelling.
	 */
	keepsTypedNames?: boolean;
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
	/** The user's Date Input Format (see DateOptions.inputFormat); empty: only forms that say which date they are. */
	dateInputFormat?: string;
	/** First of the 100 years a two-digit-year date format stands for (see DateOptions). */
	twoDigitYearStart?: number;
	/** Used only when the field ends up empty, e.g. { Last_Name: 'Unknown' }. */
	requiredFallbacks?: Record<string, string>;
}

export interface MappingResult {
	fields: IDataObject;
	problems: MappingProblem[];
}

/**
 * Input names that auto-map to each concept, best first, compared after normaliseFieldName
 * (case and separators do not matter). A plain name is a top-level key of the item. A dotted
 * name is a path into nested objects ('traits.name.first'), each step compared like a key:
 * these paths are the only nested values auto-mapping reads, so a nested value that merely
 * shares a name ('identity.state', 'order.description') never fills a field.
 */
export const CONCEPT_ALIASES: Readonly<Record<ContactConcept, readonly string[]>> = {
	email: ['email', 'emailaddress', 'mail', 'primaryemail', 'email1', 'e_mail', 'traits.email', 'individualContact.email'],
	secondaryEmail: ['secondaryemail', 'email2', 'secondemail', 'otheremail'],
	firstName: [
		'firstname',
		'givenname',
		'first',
		'fname',
		'forename',
		'name.first',
		'name.given',
		'traits.name.first',
		'individualContact.firstName',
	],
	lastName: [
		'lastname',
		'familyname',
		'surname',
		'last',
		'lname',
		'name.last',
		'name.family',
		'traits.name.last',
		'individualContact.lastName',
	],
	fullName: ['name', 'fullname', 'displayname', 'traits.name'],
	phone: ['phone', 'phonenumber', 'telephone', 'tel', 'phone1', 'workphone', 'traits.phone'],
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
	street: ['street', 'address', 'addressline1', 'street1', 'mailingstreet', 'address.street'],
	city: ['city', 'town', 'mailingcity', 'address.city'],
	state: ['state', 'region', 'province', 'mailingstate', 'address.state'],
	postalCode: ['zip', 'zipcode', 'postalcode', 'postcode', 'mailingzip', 'address.zip', 'address.postalCode'],
	country: ['country', 'mailingcountry', 'address.country'],
	dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday', 'individualContact.birthDate'],
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
function levenshteinDistance(a: string, b: string): number {
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
 * differs only in case or separators ('last_name' for 'Last_Name') is accepted and respelled,
 * unless the schema keeps typed names (then every name is kept as typed, trimmed).
 */
export function resolveFieldName(rawName: string, schema: TargetSchema): FieldNameResolution {
	const name = rawName.trim();
	if (name === '') return { problem: 'a field name is empty' };
	if (schema.keepsTypedNames || schema.fields.some((field) => field.name === name)) return { name };

	const normalised = normaliseFieldName(name);
	const sameWhenNormalised = schema.fields.filter((field) => normaliseFieldName(field.name) === normalised);
	if (sameWhenNormalised.length === 1) return { name: sameWhenNormalised[0].name };

	if (schema.extraFieldPattern !== undefined) {
		if (matchesPattern(schema.extraFieldPattern, name)) return { name };
		// Pattern codes are camelCase ('altPhone2'), so 'ALT_PHONE_2' is the same code respelled.
		const camelCaseName = toCamelCase(name);
		if (matchesPattern(schema.extraFieldPattern, camelCaseName)) return { name: camelCaseName };
	}

	if (schema.allowUnknownFields) return { name };

	const suggestion = suggestFieldName(name, schema);
	const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
	return { problem: `field "${name}" is not a field of ${schema.displayName}${hint}` };
}

/** 'alt_phone_2', 'Alt Phone 2' and 'ALT-PHONE-2' become 'altPhone2'; 'AltPhone2' stays camel. */
function toCamelCase(name: string): string {
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
	/** The input key, or the path of a dotted alias: 'email', 'traits.email', 'name (split)'. */
	sourcePath: string;
}

interface InputCandidate {
	path: string;
	value: unknown;
	/** The normalised name aliases are compared with: the key, or the dotted alias that found it. */
	matchKey: string;
	nested: boolean;
}

/**
 * Auto-mapping by concept: top-level input keys and the dotted paths of CONCEPT_ALIASES are
 * matched to target fields by the field's own name, then by its concept's aliases. Returns raw
 * values (mapContact normalises them), in schema field order.
 */
export function findAutoMappedValues(input: IDataObject, schema: TargetSchema): AutoMappedValue[] {
	const compiled = compileSchema(schema);
	const shape = inputShape(input);
	const plan = shape === undefined ? undefined : compiled.autoMapPlans.get(shape);
	if (plan !== undefined) return plan.map(({ field, key }) => ({ field, value: input[key], sourcePath: key }));
	const candidates = indexCandidates(listInputCandidates(input));
	const usedPaths = new Set<string>();
	const found = new Map<string, AutoMappedValue>();

	for (const { field, aliases } of compiled.aliasesByField) {
		// A key spelled like another field's own name belongs to that field, never to this one's aliases.
		const isAvailable = (candidate: InputCandidate) =>
			!usedPaths.has(candidate.path) && (compiled.ownNames.get(candidate.matchKey) ?? field.name) === field.name;
		const candidate =
			findFirstCandidate(candidates.topLevel, aliases, isAvailable) ?? findFirstCandidate(candidates.nested, aliases, isAvailable);
		if (candidate !== undefined) {
			usedPaths.add(candidate.path);
			found.set(field.name, { field: field.name, value: candidate.value, sourcePath: candidate.path });
		}
	}

	const readFullName = fillNamesFromFullName(compiled, candidates, usedPaths, found);
	const result: AutoMappedValue[] = [];
	for (const field of schema.fields) {
		const mapped = found.get(field.name);
		if (mapped !== undefined) result.push(mapped);
	}
	// A split full name depends on the value, not only on the shape: no plan then.
	if (shape !== undefined && !readFullName) {
		if (compiled.autoMapPlans.size >= MAX_AUTO_MAP_PLANS) compiled.autoMapPlans.clear();
		compiled.autoMapPlans.set(
			shape,
			result.map(({ field, sourcePath }) => ({ field, key: sourcePath })),
		);
	}
	return result;
}

/** Shapes remembered per schema; items of one source share a handful. */
const MAX_AUTO_MAP_PLANS = 1_000;

/**
 * An item's keys, in order, each with the kind of value it holds (text, number, boolean, date,
 * or none auto-mapping takes): all that auto-mapping reads of an item without nested objects, so
 * items of one shape map alike and the mapping is worked out once per shape. undefined for an
 * item with a nested object, whose paths auto-mapping reads too.
 */
function inputShape(input: IDataObject): string | undefined {
	let shape = '';
	for (const key of Object.keys(input)) {
		const value = input[key];
		if (isPlainObject(value)) return undefined;
		const kind = !isAutoMappableValue(value) ? '-' : typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : typeof value === 'boolean' ? 'b' : 'd';
		// Length-prefixed, so no key can pass for another.
		shape += `${key.length}:${key}${kind}`;
	}
	return shape;
}

/** What mapping needs of a schema, worked out once per schema instead of once per item. */
interface CompiledSchema {
	fieldsByName: Map<string, TargetField>;
	/** A field's place in the schema: mapped fields come out in schema order. */
	positionByName: Map<string, number>;
	requiredFields: TargetField[];
	/** Normalised own name → the field's name. */
	ownNames: Map<string, string>;
	/** Each field with the normalised names it answers to, best first. */
	aliasesByField: Array<{ field: TargetField; aliases: string[] }>;
	firstNameField?: TargetField;
	lastNameField?: TargetField;
	/** Auto-mapping by input shape (see inputShape): each mapped field with the input key it takes. */
	autoMapPlans: Map<string, Array<{ field: string; key: string }>>;
}

const compiledSchemas = new WeakMap<TargetSchema, CompiledSchema>();

function compileSchema(schema: TargetSchema): CompiledSchema {
	let compiled = compiledSchemas.get(schema);
	if (compiled !== undefined) return compiled;
	const claimedConcepts = new Set<ContactConcept>();
	compiled = {
		fieldsByName: new Map(schema.fields.map((field) => [field.name, field])),
		positionByName: new Map(schema.fields.map((field, position) => [field.name, position])),
		requiredFields: schema.fields.filter((field) => field.required),
		ownNames: new Map(schema.fields.map((field) => [normaliseFieldName(field.name), field.name])),
		aliasesByField: schema.fields.map((field) => {
			const aliases = [normaliseFieldName(field.name)];
			// When two fields share a concept, only the first gets its aliases.
			if (field.concept !== undefined && !claimedConcepts.has(field.concept)) {
				claimedConcepts.add(field.concept);
				aliases.push(...CONCEPT_ALIASES[field.concept].map(normaliseFieldName));
			}
			return { field, aliases };
		}),
		firstNameField: schema.fields.find((field) => field.concept === 'firstName'),
		lastNameField: schema.fields.find((field) => field.concept === 'lastName'),
		autoMapPlans: new Map(),
	};
	compiledSchemas.set(schema, compiled);
	return compiled;
}

interface IndexedCandidates {
	/** Top-level keys by normalised name, each list in key order. */
	topLevel: Map<string, InputCandidate[]>;
	/** Values at dotted alias paths by the alias's normalised name. */
	nested: Map<string, InputCandidate[]>;
}

function indexCandidates(candidates: InputCandidate[]): IndexedCandidates {
	const indexed: IndexedCandidates = { topLevel: new Map(), nested: new Map() };
	for (const candidate of candidates) {
		const byKey = candidate.nested ? indexed.nested : indexed.topLevel;
		const list = byKey.get(candidate.matchKey);
		if (list === undefined) byKey.set(candidate.matchKey, [candidate]);
		else list.push(candidate);
	}
	return indexed;
}

/** Splits a single full-name string into missing first/last names: 'Ada King Lovelace' → 'Ada King' + 'Lovelace'. */
export function splitFullName(fullName: string): { firstName?: string; lastName: string } {
	const trimmed = fullName.trim();
	const lastSpace = /^(.*\S)\s+(\S+)$/.exec(trimmed);
	if (lastSpace === null) return { lastName: trimmed };
	return { firstName: lastSpace[1], lastName: lastSpace[2] };
}

/** Fills missing first/last names from a full name; true when it read one (the outcome then depends on its value). */
function fillNamesFromFullName(
	compiled: CompiledSchema,
	candidates: IndexedCandidates,
	usedPaths: Set<string>,
	found: Map<string, AutoMappedValue>,
): boolean {
	const { firstNameField, lastNameField } = compiled;
	const firstNameMissing = firstNameField !== undefined && !found.has(firstNameField.name);
	const lastNameMissing = lastNameField !== undefined && !found.has(lastNameField.name);
	if (!firstNameMissing && !lastNameMissing) return false;

	const isAvailable = (candidate: InputCandidate) => !usedPaths.has(candidate.path) && typeof candidate.value === 'string';
	const fullName =
		findFirstCandidate(candidates.topLevel, FULL_NAME_ALIASES(), isAvailable) ??
		findFirstCandidate(candidates.nested, FULL_NAME_ALIASES(), isAvailable);
	if (fullName === undefined) return false;

	const known = {
		firstName: firstNameMissing ? undefined : found.get(firstNameField!.name)?.value,
		lastName: lastNameMissing ? undefined : found.get(lastNameField!.name)?.value,
	};
	const parts = missingNameParts(fullName.value as string, known);
	const sourcePath = `${fullName.path} (split)`;
	if (firstNameMissing && parts.firstName !== undefined) {
		found.set(firstNameField.name, { field: firstNameField.name, value: parts.firstName, sourcePath });
	}
	if (lastNameMissing && parts.lastName !== undefined) {
		found.set(lastNameField.name, { field: lastNameField.name, value: parts.lastName, sourcePath });
	}
	return true;
}

/**
 * The halves of a full name that are certainly there, for the halves not known: both from a
 * name of two words or more; one half only where the full name is the known half plus the rest
 * ('John Smith' with first name 'John' gives 'Smith'). A single word ('Cher') is no half in
 * particular, and a full name that repeats or contradicts the known half ('John' beside first
 * name 'John') gives nothing: a name is never invented.
 */
export function missingNameParts(
	fullName: string,
	known: { firstName?: unknown; lastName?: unknown },
): { firstName?: string; lastName?: string } {
	const words = fullName.trim().split(/\s+/).filter(Boolean);
	const wordsOf = (value: unknown) =>
		typeof value === 'string' || typeof value === 'number' ? String(value).trim().split(/\s+/).filter(Boolean) : [];
	const sameWords = (a: string[], b: string[]) => a.length === b.length && a.every((word, i) => word.toLowerCase() === b[i].toLowerCase());
	const first = wordsOf(known.firstName);
	const last = wordsOf(known.lastName);
	if (!first.length && !last.length) {
		if (words.length < 2) return {};
		const { firstName, lastName } = splitFullName(words.join(' '));
		return { firstName, lastName };
	}
	if (first.length && !last.length) {
		const rest = words.slice(first.length);
		return rest.length && sameWords(words.slice(0, first.length), first) ? { lastName: rest.join(' ') } : {};
	}
	if (last.length && !first.length) {
		const rest = words.slice(0, words.length - last.length);
		return rest.length && sameWords(words.slice(words.length - last.length), last) ? { firstName: rest.join(' ') } : {};
	}
	return {};
}

let fullNameAliases: string[] | undefined;
const FULL_NAME_ALIASES = () => (fullNameAliases ??= CONCEPT_ALIASES.fullName.map(normaliseFieldName));

/** The first alias (in order) that an available candidate (in key order) answers to. */
function findFirstCandidate(
	candidates: Map<string, InputCandidate[]>,
	aliases: string[],
	isAvailable: (candidate: InputCandidate) => boolean,
): InputCandidate | undefined {
	for (const alias of aliases) {
		const match = candidates.get(alias)?.find(isAvailable);
		if (match !== undefined) return match;
	}
	return undefined;
}

/** Top-level keys with a single value, then the values at the dotted alias paths the item has. */
function listInputCandidates(input: IDataObject): InputCandidate[] {
	const candidates: InputCandidate[] = [];
	for (const [key, value] of Object.entries(input)) {
		if (isAutoMappableValue(value)) {
			candidates.push({ path: key, value, matchKey: normaliseFieldName(key), nested: false });
			continue;
		}
		if (!isPlainObject(value)) continue;
		for (const aliasPath of dottedAliasPaths().get(normaliseFieldName(key)) ?? []) {
			const leaf = readPath(value, aliasPath.steps);
			if (leaf !== undefined) {
				candidates.push({ path: [key, ...leaf.keys].join('.'), value: leaf.value, matchKey: aliasPath.matchKey, nested: true });
			}
		}
	}
	return candidates;
}

interface DottedAliasPath {
	/** Normalised steps after the first: 'traits.name.first' → ['name', 'first']. */
	steps: string[];
	/** The whole alias normalised, as the aliases of a field are. */
	matchKey: string;
}

let dottedPaths: Map<string, DottedAliasPath[]> | undefined;

/** The dotted aliases of CONCEPT_ALIASES by their normalised first step. */
function dottedAliasPaths(): Map<string, DottedAliasPath[]> {
	if (dottedPaths !== undefined) return dottedPaths;
	dottedPaths = new Map();
	const seen = new Set<string>();
	for (const alias of Object.values(CONCEPT_ALIASES).flat()) {
		if (!alias.includes('.') || seen.has(alias)) continue;
		seen.add(alias);
		const [root, ...steps] = alias.split('.').map(normaliseFieldName);
		const paths = dottedPaths.get(root) ?? [];
		paths.push({ steps, matchKey: normaliseFieldName(alias) });
		dottedPaths.set(root, paths);
	}
	return dottedPaths;
}

/** The single value at `steps` below `object`, each step matched like a key, with the keys it took. */
function readPath(object: Record<string, unknown>, steps: string[]): { value: unknown; keys: string[] } | undefined {
	let current: unknown = object;
	const keys: string[] = [];
	for (const step of steps) {
		if (!isPlainObject(current)) return undefined;
		const key = Object.keys(current).find((candidate) => normaliseFieldName(candidate) === step);
		if (key === undefined) return undefined;
		keys.push(key);
		current = current[key];
	}
	return isAutoMappableValue(current) ? { value: current, keys } : undefined;
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

type NormalisedValue = { value: string | number | boolean; problem?: undefined } | { value?: undefined; problem: string };

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * The value as the target wants it, or why it cannot be sent. `value` must not be empty
 * (isEmptyValue); the field's name is quoted in every problem.
 */
function normaliseFieldValue(
	value: unknown,
	field: TargetField,
	schema: TargetSchema,
	dateOptions: DateOptions,
): NormalisedValue {
	const kind = field.kind ?? 'string';
	const label = `field "${field.name}"`;
	let normalised: NormalisedValue;
	switch (kind) {
		case 'date':
		case 'dateTime':
			normalised = normaliseDate(value, kind === 'date' ? schema.dateFormat : schema.dateTimeFormat, dateOptions, label);
			break;
		case 'number':
			normalised = normaliseNumber(value, label);
			break;
		case 'boolean':
			normalised = normaliseBoolean(value, label);
			break;
		case 'any':
			// A field the schema does not know (a custom field): true stays true, 3 stays 3.
			normalised =
				typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
					? { value }
					: normaliseText(value, 'string', label);
			break;
		default:
			normalised = normaliseText(value, kind, label);
	}
	if (normalised.problem !== undefined || typeof normalised.value !== 'string' || field.maxLength === undefined) {
		return normalised;
	}
	// Never more characters than UTF-16 units: most values need no count.
	if (normalised.value.length <= field.maxLength) return normalised;
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

function normaliseDate(
	value: unknown,
	format: DateOutputFormat,
	dateOptions: DateOptions,
	label: string,
): NormalisedValue {
	try {
		return { value: formatDate(typeof value === 'string' ? value.trim() : value, format, dateOptions) };
	} catch (error) {
		// InvalidDateError says why and which forms are accepted; anything else is still a problem, never a throw.
		const reason = error instanceof Error ? error.message : String(error);
		if (error instanceof UnwritableDateError) return { problem: `${label} cannot be sent: ${reason}` };
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
	/** Where the value came from, for problems: a text, or the input path it was auto-mapped from. */
	origin: string | { autoMappedFrom: string };
}

function describeOrigin(origin: ChosenValue['origin']): string {
	return typeof origin === 'string' ? origin : ` (auto-mapped from input "${origin.autoMappedFrom}")`;
}

/**
 * Maps one item. Sources, weakest first: auto-mapped input, static values, explicit field
 * mappings; a later source overrides an earlier one only with a non-empty value. Fields come
 * out in schema order, then other fields in the order they were first given. A field with a
 * problem is left out of `fields`.
 */
export function mapContact(options: MappingInput): MappingResult {
	const { itemIndex, schema } = options;
	const dateOptions: DateOptions = {
		timeZone: options.timeZone ?? DEFAULT_MAPPING_TIME_ZONE,
		inputFormat: options.dateInputFormat,
		twoDigitYearStart: options.twoDigitYearStart,
	};
	const problems: MappingProblem[] = [];
	const report = (field: string, message: string) => problems.push({ itemIndex, field, message });

	const chosen = new Map<string, ChosenValue>();
	const offer = (field: string, value: unknown, origin: ChosenValue['origin']) => {
		if (!isEmptyValue(value)) chosen.set(field, { value, origin });
	};

	if (options.input !== undefined) {
		const typedElsewhere = fieldsTypedInAnotherSpelling(schema, [...(options.staticValues ?? []), ...(options.fields ?? [])]);
		for (const mapped of findAutoMappedValues(options.input, schema)) {
			if (!typedElsewhere.has(mapped.field)) offer(mapped.field, mapped.value, { autoMappedFrom: mapped.sourcePath });
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
	const { fieldsByName, positionByName, requiredFields } = compileSchema(schema);
	// Schema fields in schema order, then names the schema does not list in the order given
	// (a stable sort); only the fields that have a value, not the whole schema for every item.
	const unlisted = Number.MAX_SAFE_INTEGER;
	const names = fallbacks.size === 0 ? chosen.keys() : new Set([...chosen.keys(), ...fallbacks.keys()]);
	const outputOrder = [...names].sort(
		(a, b) => (positionByName.get(a) ?? unlisted) - (positionByName.get(b) ?? unlisted),
	);
	for (const name of outputOrder) {
		const field = fieldsByName.get(name) ?? {
			name,
			displayName: name,
			kind: schema.extraFieldKind?.(name) ?? 'any',
		};
		let source = chosen.get(name);
		const fallback = fallbacks.get(name);
		if (source === undefined && fallback !== undefined && !isEmptyValue(fallback)) {
			source = { value: fallback, origin: ' (fallback value)' };
		}
		if (source === undefined) continue;
		const normalised = normaliseFieldValue(source.value, field, schema, dateOptions);
		if (normalised.problem !== undefined) {
			report(name, normalised.problem + describeOrigin(source.origin));
			fieldsWithProblems.add(name);
		} else {
			fields[name] = normalised.value;
		}
	}

	// A field that already has a problem is not reported a second time as empty.
	const isSetOrReported = (name: string) => name in fields || fieldsWithProblems.has(name);
	for (const field of requiredFields) {
		if (!isSetOrReported(field.name)) report(field.name, `field "${field.name}" is required but empty`);
	}
	const oneOf = schema.atLeastOneOf ?? [];
	const { atLeastOneOfPattern } = schema;
	const isOtherKey = (name: string) => atLeastOneOfPattern !== undefined && matchesPattern(atLeastOneOfPattern, name);
	const otherKeySet =
		oneOf.length > 0 && atLeastOneOfPattern !== undefined && [...Object.keys(fields), ...fieldsWithProblems].some(isOtherKey);
	if (oneOf.length > 0 && !otherKeySet && !oneOf.some(isSetOrReported)) {
		const names = oneOf.map((name) => `"${name}"`).join(', ');
		report(oneOf.join(', '), `at least one of the fields ${names} must be set for ${schema.displayName}`);
	}

	return { fields, problems };
}

/**
 * Schema fields the user set, with a value, under another spelling of their name ('Email' for
 * 'email') where typed names are kept: auto-mapping leaves those to the user's field, as it
 * leaves a field the user set under its own name, so one lead does not carry one value twice.
 */
function fieldsTypedInAnotherSpelling(schema: TargetSchema, assignments: FieldAssignment[]): Set<string> {
	const taken = new Set<string>();
	if (!schema.keepsTypedNames) return taken;
	const { ownNames } = compileSchema(schema);
	for (const { field, value } of assignments) {
		if (typeof field !== 'string' || isEmptyValue(value)) continue;
		const schemaName = ownNames.get(normaliseFieldName(field));
		if (schemaName !== undefined && schemaName !== field.trim()) taken.add(schemaName);
	}
	return taken;
}

/**
 * Freezes a schema a node shares between all its executions, so one run cannot change another's;
 * use withExtraFields for a per-run copy that accepts more names.
 */
export function defineSchema(schema: TargetSchema): TargetSchema {
	schema.fields.forEach((field) => Object.freeze(field));
	Object.freeze(schema.fields);
	if (schema.atLeastOneOf !== undefined) Object.freeze(schema.atLeastOneOf);
	return Object.freeze(schema);
}

/**
 * A copy of `schema` that also accepts the given fields, e.g. the custom codes a tenant
 * declares. A plain name becomes a text field; pass a TargetField for another kind (a date
 * code such as 'dateOfBirth' needs kind 'date' to be formatted). Blank names and names the
 * schema already has are skipped; the original schema is not changed.
 */
export function withExtraFields(schema: TargetSchema, extraFields: ReadonlyArray<string | TargetField>): TargetSchema {
	const fields = [...schema.fields];
	for (const extra of extraFields) {
		const field: TargetField =
			typeof extra === 'string' ? { name: extra.trim(), displayName: extra.trim() } : { ...extra, name: extra.name.trim() };
		if (field.name === '' || fields.some((existing) => existing.name === field.name)) continue;
		fields.push(field);
	}
	return { ...schema, fields };
}
