/**
 * One input item → the S-360 individual contact to save, or a NodeOperationError for the item
 * before any call. Names follow the ContactData S-360 sends in getContactData and its Firehose
 * (individualContact, addresses, authorizations, contactCriteria), so a contact read from S-360
 * is written back under the same names.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { defineSchema, mapContact, type FieldAssignment, type TargetSchema } from '../shared/fieldMapping';
import { isObject } from '../shared/objects';

export const INDIVIDUAL_FIELDS = ['firstName', 'lastName', 'email', 'phoneNumber', 'mobilePhoneNumber', 'birthDate', 'languageCode'] as const;
export const ADDRESS_FIELDS = ['street1', 'street2', 'zipCode', 'town', 'stateCode', 'countryCode'] as const;

export const S360_INDIVIDUAL: TargetSchema = defineSchema({
	id: 's360Individual',
	displayName: 'S-360 Individual Contact',
	fields: [
		{ name: 'contactNumber', displayName: 'Contact Number', maxLength: 20 },
		{ name: 'firstName', displayName: 'First Name', concept: 'firstName' },
		{ name: 'lastName', displayName: 'Last Name', concept: 'lastName' },
		{ name: 'email', displayName: 'Email', kind: 'email', concept: 'email' },
		// Phones go as typed (trimmed): no reading of a number is certain enough to rewrite it.
		{ name: 'phoneNumber', displayName: 'Phone', concept: 'phone' },
		{ name: 'mobilePhoneNumber', displayName: 'Mobile Phone', concept: 'mobile' },
		{ name: 'birthDate', displayName: 'Birth Date', kind: 'date', concept: 'dateOfBirth' },
		{ name: 'languageCode', displayName: 'Language Code' },
		{ name: 'street1', displayName: 'Street', concept: 'street' },
		{ name: 'street2', displayName: 'Street (Line 2)' },
		{ name: 'zipCode', displayName: 'Postal Code', concept: 'postalCode' },
		{ name: 'town', displayName: 'Town', concept: 'city' },
		{ name: 'stateCode', displayName: 'State', concept: 'state' },
		{ name: 'countryCode', displayName: 'Country Code', concept: 'country' },
	],
	allowUnknownFields: false,
	// Choice (S-360's JSON date form is not public): a birth date goes as yyyy-MM-dd, the day as read.
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDate',
});

export interface ContactSettings {
	inputFields: 'autoMap' | 'none';
	inputPath: string;
	fields: FieldAssignment[];
	optIns: Array<{ code: string; granted: unknown }>;
	criteria: Array<{ code: string; value: unknown }>;
	timeZone?: string;
	dateInputFormat?: string;
}

/** What one item sends: S-360's ContactData for saveIndividualContactData, and how it is found. */
export interface PreparedContact {
	contactNumber?: string;
	email?: string;
	contactData: IDataObject;
}

const NOTHING_SENT = 'Nothing was sent to S-360 for this item.';

export function prepareContact(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	settings: ContactSettings,
): PreparedContact {
	const result = mapIndividual(item.json, settings, itemIndex);
	if (result.problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), result.problems.join('; '), { itemIndex, description: NOTHING_SENT });
	}
	return result.contact!;
}

/** The contact and every problem found, without throwing. */
export function mapIndividual(
	json: IDataObject,
	settings: ContactSettings,
	itemIndex = 0,
): { contact?: PreparedContact; problems: string[] } {
	const problems: string[] = [];
	let input: IDataObject | undefined;
	if (settings.inputFields === 'autoMap') {
		const path = settings.inputPath.trim();
		const source = path === '' ? json : valueAt(json, path);
		if (!isObject(source)) problems.push(`the input has no object at "${path}" to take fields from`);
		else input = source;
	}
	const mapped = mapContact({
		itemIndex,
		schema: S360_INDIVIDUAL,
		input,
		fields: settings.fields,
		timeZone: settings.timeZone,
		dateInputFormat: settings.dateInputFormat,
	});
	problems.push(...mapped.problems.map((problem) => problem.message));
	const fields = mapped.fields;

	const authorizations = readOptIns(input, settings.optIns, problems);
	const contactCriteria = readCriteria(input, settings.criteria, problems);

	const contactNumber = fields.contactNumber === undefined ? undefined : String(fields.contactNumber);
	const email = fields.email === undefined ? undefined : String(fields.email);
	if (contactNumber === undefined && email === undefined) {
		problems.push('no contact number and no email: S-360 updates a contact by its number, and this node finds or creates one by email');
	}
	if (problems.length > 0) return { problems };

	const individualContact = pickFields(fields, INDIVIDUAL_FIELDS);
	const address = pickFields(fields, ADDRESS_FIELDS);
	const contactData: IDataObject = {
		...(contactNumber !== undefined ? { contactNumber } : {}),
		individualContact,
		...(Object.keys(address).length > 0 ? { addresses: [{ mainAddress: true, ...address }] } : {}),
		...(authorizations.length > 0 ? { authorizations } : {}),
		...(contactCriteria.length > 0 ? { contactCriteria } : {}),
	};
	return { contact: { contactNumber, email, contactData }, problems };
}

function pickFields(fields: IDataObject, names: readonly string[]): IDataObject {
	const picked: IDataObject = {};
	for (const name of names) if (fields[name] !== undefined) picked[name] = fields[name];
	return picked;
}

const CODE_SHAPE = /^[A-Za-z0-9_.-]+$/;

/**
 * AUTHORIZATIONS as S-360 codes with true/false: from the input's `optIns` object (what the
 * S-360 Firehose Trigger outputs) and the Opt-Ins parameter, which wins. Only true and false
 * (or "true"/"false") are consent: anything else fails the item, consent is never guessed.
 */
function readOptIns(input: IDataObject | undefined, explicit: ContactSettings['optIns'], problems: string[]): IDataObject[] {
	const granted = new Map<string, boolean>();
	const offer = (code: string, value: unknown, origin: string) => {
		const trimmed = String(code ?? '').trim();
		if (!CODE_SHAPE.test(trimmed)) {
			problems.push(`opt-in code ${JSON.stringify(trimmed)}${origin} is not an S-360 authorization code`);
			return;
		}
		const reading = value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
		if (reading === undefined) {
			problems.push(`opt-in ${trimmed}${origin} must be true or false, not ${JSON.stringify(value)}`);
			return;
		}
		granted.set(trimmed, reading);
	};
	if (input !== undefined && isObject(input.optIns)) {
		for (const [code, value] of Object.entries(input.optIns)) offer(code, value, ' (from input optIns)');
	}
	for (const { code, granted: value } of explicit) offer(code, value, '');
	return [...granted].map(([authorizationCode, value]) => ({ authorizationCode, value }));
}

/** CRITERIA as S-360 criterion codes with their values, as typed: from the input's `criteria` object and the Criteria parameter. */
function readCriteria(input: IDataObject | undefined, explicit: ContactSettings['criteria'], problems: string[]): IDataObject[] {
	const values = new Map<string, unknown>();
	const offer = (code: string, value: unknown, origin: string) => {
		const trimmed = String(code ?? '').trim();
		if (!CODE_SHAPE.test(trimmed)) {
			problems.push(`criterion code ${JSON.stringify(trimmed)}${origin} is not an S-360 criterion code`);
			return;
		}
		if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))) {
			problems.push(`criterion ${trimmed}${origin} needs a value (text, number, true/false or a list), not ${value === null ? 'null' : typeof value}`);
			return;
		}
		values.set(trimmed, value);
	};
	if (input !== undefined && isObject(input.criteria)) {
		for (const [code, value] of Object.entries(input.criteria)) offer(code, value, ' (from input criteria)');
	}
	for (const { code, value } of explicit) offer(code, value, '');
	return [...values].map(([criterionCode, value]) => ({ criterionCode, value: value as IDataObject[keyof IDataObject] }));
}

function valueAt(json: IDataObject, path: string): unknown {
	let current: unknown = json;
	for (const key of path.split('.')) {
		if (!isObject(current)) return undefined;
		current = current[key];
	}
	return current;
}
