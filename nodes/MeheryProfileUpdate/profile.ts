/**
 * One input item → the MeherY codes and values of one profile update, or a NodeOperationError for
 * the item before any call: a code MeherY would ignore, a value it cannot take, or no unique key.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { mapContact, type FieldAssignment, type TargetSchema } from '../shared/fieldMapping';
import { toE164 } from './phone';
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
	/** ISO country of numbers written without +; when set every phone code is sent in E.164. */
	defaultCountry?: string;
}

const NOTHING_SENT = 'Nothing was sent to MeherY for this item.';

export function prepareProfile(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	schema: TargetSchema,
	settings: ProfileSettings,
): IDataObject {
	const result = mapProfile(item.json, schema, settings, itemIndex);
	if (result.problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), result.problems.join('; '), { itemIndex, description: NOTHING_SENT });
	}
	return result.fields;
}

/** The profile's fields and every problem found, without throwing (the node turns problems into an error). */
export function mapProfile(
	json: IDataObject,
	schema: TargetSchema,
	settings: ProfileSettings,
	itemIndex = 0,
): { fields: IDataObject; problems: string[] } {
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
	if (settings.defaultCountry !== undefined && settings.defaultCountry.trim() !== '') {
		for (const [code, value] of Object.entries(fields)) {
			if (codeKind(code, schema) !== 'phone') continue;
			const phone = toE164(String(value), settings.defaultCountry);
			if (phone.problem !== undefined) problems.push(`field "${code}": ${phone.problem}`);
			else fields[code] = phone.value;
		}
	}
	// A key whose value was refused is already reported.
	if (!hasUniqueKey(fields) && !valueProblems.some((problem) => MEHERY_UNIQUE_KEY_PATTERN.test(problem.field))) {
		problems.push(
			'no unique key: MeherY finds the profile to update by phone1…phoneN or email1…emailN, and this item has none',
		);
	}
	return { fields, problems };
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
