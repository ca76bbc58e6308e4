/**
 * One input item → the MeherY codes and values of one profile update, or a NodeOperationError for
 * the item before any call: a code MeherY would ignore, a value it cannot take, or no unique key.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { mapContact, type FieldAssignment, type TargetSchema } from '../shared/fieldMapping';
import { PHONE_COUNTRY_CODES, phoneCountry, toE164 } from '../shared/phones';
import type { RecordOutcome } from '../shared/targetPipeline';
import { codeKind, hasUniqueKey, MEHERY_UNIQUE_KEY_PATTERN, unknownCodeProblem } from './schema';

export interface ProfileSettings {
	inputFields: 'autoMap' | 'codes' | 'none';
	inputPath: string;
	ignoreKeys: string;
	fields: Array<{ code: string; value: unknown }>;
	timeZone?: string;
	/** The Date Input Format option (see DateOptions.inputFormat). */
	dateInputFormat?: string;
	/** MeherY's MM-DD-YY, or MM-DD-YYYY for tenants whose date fields take the century. */
	dateFormat?: 'twoDigitYear' | 'fourDigitYear';
	/** First of the 100 years MM-DD-YY stands for (Two-Digit Years Cover). */
	twoDigitYearStart?: number;
	/** ISO country of numbers written without +; when set, each phone is sent in E.164 where that is certain. */
	defaultCountry?: string;
}

/** A phone sent as typed although a default country was set, and why (on the item's output). */
export interface PhoneNote extends IDataObject {
	field: string;
	value: string;
	note: string;
}

/** One item's profile fields, and the phones among them left as typed. */
export interface PreparedProfile {
	fields: IDataObject;
	phoneNotes: PhoneNote[];
}

const NOTHING_SENT = 'Nothing was sent to MeherY for this item.';

export function prepareProfile(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	schema: TargetSchema,
	settings: ProfileSettings,
): PreparedProfile {
	const result = mapProfile(item.json, schema, settings, itemIndex);
	if (result.problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), result.problems.join('; '), { itemIndex, description: NOTHING_SENT });
	}
	return { fields: result.fields, phoneNotes: result.phoneNotes ?? [] };
}

/** The outcome of an update with the item's phone notes, if any, beside what MeherY answered. */
export function withPhoneNotes(outcome: RecordOutcome, phoneNotes: PhoneNote[]): RecordOutcome {
	return outcome.ok && phoneNotes.length > 0 ? { ...outcome, json: { ...outcome.json, phoneNotes } } : outcome;
}

/** The profile's fields and every problem found, without throwing (the node turns problems into an error). */
export function mapProfile(
	json: IDataObject,
	schema: TargetSchema,
	settings: ProfileSettings,
	itemIndex = 0,
): { fields: IDataObject; problems: string[]; phoneNotes?: PhoneNote[] } {
	const problems: string[] = [];
	const assignments: FieldAssignment[] = [];
	let autoMapInput: IDataObject | undefined;

	if (settings.inputFields !== 'none') {
		const source = settings.inputPath.trim() === '' ? json : valueAt(json, settings.inputPath.trim());
		if (!isPlainObject(source)) {
			problems.push(`the input has no object at "${settings.inputPath.trim()}" to take fields from`);
		} else if (settings.inputFields === 'autoMap') {
			autoMapInput = source;
		} else {
			const ignored = new Set(settings.ignoreKeys.split(',').map((key) => key.trim()).filter(Boolean));
			for (const [code, value] of Object.entries(source)) {
				if (ignored.has(code)) continue;
				const unknown = unknownCodeProblem(code, schema);
				if (unknown !== undefined) problems.push(unknown);
				else assignments.push({ field: code, value });
			}
		}
	}
	for (const { code: rawCode, value } of settings.fields) {
		const code = String(rawCode ?? '').trim();
		const unknown = code === '' ? 'a field in Fields has no code' : unknownCodeProblem(code, schema);
		if (unknown !== undefined) problems.push(unknown);
		else assignments.push({ field: code, value });
	}
	// Unknown codes first: they are the silent failure this node exists to prevent.
	if (problems.length > 0) return { fields: {}, problems };

	const mapped = mapContact({
		itemIndex,
		schema: withDateFormat(schema, settings.dateFormat),
		input: autoMapInput,
		fields: assignments,
		timeZone: settings.timeZone,
		dateInputFormat: settings.dateInputFormat,
		twoDigitYearStart: settings.twoDigitYearStart,
	});
	const fields = mapped.fields;
	// The shared "at least one of" problem is replaced below by one in MeherY's terms.
	const uniqueKeyProblem = schema.atLeastOneOf?.join(', ');
	const valueProblems = mapped.problems.filter((problem) => problem.field !== uniqueKeyProblem);
	for (const problem of valueProblems) problems.push(problem.message);
	const phoneNotes = writePhonesInE164(fields, schema, settings.defaultCountry?.trim() ?? '', problems);
	// A key whose value was refused is already reported.
	if (!hasUniqueKey(fields) && !valueProblems.some((problem) => MEHERY_UNIQUE_KEY_PATTERN.test(problem.field))) {
		problems.push(
			'no unique key: MeherY finds the profile to update by phone1…phoneN or email1…emailN, and this item has none',
		);
	}
	return phoneNotes.length > 0 ? { fields, problems, phoneNotes } : { fields, problems };
}

/**
 * With a default country, each phone code in E.164 where its reading is certain (nodes/shared/phones.ts);
 * any other phone is sent exactly as mapped, and a note on the item says which and why.
 */
function writePhonesInE164(fields: IDataObject, schema: TargetSchema, defaultCountry: string, problems: string[]): PhoneNote[] {
	const phoneCodes = Object.keys(fields).filter((code) => codeKind(code, schema) === 'phone');
	if (defaultCountry === '' || phoneCodes.length === 0) return [];
	if (phoneCountry(defaultCountry) === undefined) {
		problems.push(
			`Default Country for Phones "${defaultCountry}" is not a country the node has phone rules for: ` +
				`use one of ${PHONE_COUNTRY_CODES.join(', ')}, or leave it empty to send phones as mapped`,
		);
		return [];
	}
	const notes: PhoneNote[] = [];
	for (const code of phoneCodes) {
		const typed = String(fields[code]);
		const phone = toE164(typed, defaultCountry);
		if (phone.e164 !== undefined) fields[code] = phone.e164;
		else notes.push({ field: code, value: typed, note: `sent as typed: ${phone.reason}` });
	}
	return notes;
}

function withDateFormat(schema: TargetSchema, dateFormat: ProfileSettings['dateFormat']): TargetSchema {
	if (dateFormat !== 'fourDigitYear') return schema;
	return { ...schema, dateFormat: 'meheryDateFourDigitYear', dateTimeFormat: 'meheryDateFourDigitYear' };
}

function valueAt(json: IDataObject, path: string): unknown {
	let current: unknown = json;
	for (const key of path.split('.')) {
		if (!isPlainObject(current)) return undefined;
		current = current[key];
	}
	return current;
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
