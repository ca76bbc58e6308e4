import type { IDataObject } from 'n8n-workflow';

import { formatDate, InvalidDateError } from '../../nodes/shared/dates';
import {
	CONCEPT_ALIASES,
	defineSchema,
	findAutoMappedValues,
	formatProblems,
	isEmptyValue,
	mapContact,
	normaliseFieldName,
	resolveFieldName,
	splitFullName,
	suggestFieldName,
	withExtraFields,
} from '../../nodes/shared/fieldMapping';
import type { ContactConcept, MappingInput, TargetSchema } from '../../nodes/shared/fieldMapping';
import { ZOHO_CONTACTS, ZOHO_LEADS } from '../../nodes/ZohoCrmUpsertContact/schema';

/** Lenient snake_case names, as a web-to-lead form has: names it does not list pass through. */
const LEAD_SCHEMA: TargetSchema = defineSchema({
	id: 'leadForm',
	displayName: 'Lead Form',
	fields: [
		{ name: 'email', displayName: 'Email', kind: 'email', concept: 'email' },
		{ name: 'first_name', displayName: 'First Name', concept: 'firstName' },
		{ name: 'last_name', displayName: 'Last Name', concept: 'lastName' },
		{ name: 'phone', displayName: 'Phone', kind: 'phone', concept: 'phone' },
		{ name: 'company', displayName: 'Company', concept: 'company' },
		{ name: 'title', displayName: 'Title', concept: 'title' },
		{ name: 'lead_source', displayName: 'Lead Source', concept: 'leadSource' },
		{ name: 'description', displayName: 'Description', concept: 'description' },
	],
	allowUnknownFields: true,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
});

const CONTACT_CODE = /^(?:phone|email|altPhone|altEmail)[1-9]\d*$/;

/**
 * Strict: besides its fixed fields it takes only numbered contact codes (phoneN, emailN unique,
 * altPhoneN, altEmailN repeated), of which some unique key must be set; dates as MM-dd-yy.
 */
const PROFILE_SCHEMA: TargetSchema = defineSchema({
	id: 'codedProfile',
	displayName: 'Coded Profile',
	fields: [
		{ name: 'firstName', displayName: 'First Name', concept: 'firstName' },
		{ name: 'lastName', displayName: 'Last Name', concept: 'lastName' },
		{ name: 'phone1', displayName: 'Phone 1', kind: 'phone', concept: 'phone' },
		{ name: 'phone2', displayName: 'Phone 2', kind: 'phone', concept: 'mobile' },
		{ name: 'email1', displayName: 'Email 1', kind: 'email', concept: 'email' },
		{ name: 'email2', displayName: 'Email 2', kind: 'email', concept: 'secondaryEmail' },
		{ name: 'altPhone1', displayName: 'Alternate Phone 1', kind: 'phone' },
		{ name: 'altEmail1', displayName: 'Alternate Email 1', kind: 'email' },
	],
	allowUnknownFields: false,
	extraFieldPattern: CONTACT_CODE,
	extraFieldKind: (name) => (CONTACT_CODE.test(name) ? (/email/i.test(name) ? 'email' : 'phone') : undefined),
	atLeastOneOf: ['phone1', 'phone2', 'email1', 'email2'],
	atLeastOneOfPattern: /^(?:phone|email)[1-9]\d*$/,
	dateFormat: 'meheryDate',
	dateTimeFormat: 'meheryDate',
});

/** The auto-mapped values as one object, field → raw value. */
function autoMapFields(input: IDataObject, schema: TargetSchema): IDataObject {
	return Object.fromEntries(findAutoMappedValues(input, schema).map((mapped) => [mapped.field, mapped.value])) as IDataObject;
}

/** One field per kind, strict names: exercises normalisation without a real target's quirks. */
const KINDS_SCHEMA: TargetSchema = {
	id: 'kinds',
	displayName: 'Kinds CRM',
	fields: [
		{ name: 'text', displayName: 'Text' },
		{ name: 'mail', displayName: 'Mail', kind: 'email' },
		{ name: 'tel', displayName: 'Tel', kind: 'phone' },
		{ name: 'day', displayName: 'Day', kind: 'date' },
		{ name: 'moment', displayName: 'Moment', kind: 'dateTime' },
		{ name: 'count', displayName: 'Count', kind: 'number' },
		{ name: 'optIn', displayName: 'Opt In', kind: 'boolean' },
		{ name: 'code', displayName: 'Code', maxLength: 5 },
		{ name: 'surname', displayName: 'Surname', required: true },
	],
	allowUnknownFields: false,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
};

/** Maps explicit values onto KINDS_SCHEMA; surname is filled so the required check stays quiet. */
function mapKinds(fields: IDataObject, extra: Partial<MappingInput> = {}) {
	return mapContact({
		itemIndex: 0,
		schema: KINDS_SCHEMA,
		fields: [{ field: 'surname', value: 'Lovelace' }, ...Object.entries(fields).map(([field, value]) => ({ field, value }))],
		...extra,
	});
}

function invalidDateMessage(value: unknown, format: Parameters<typeof formatDate>[1]): string {
	try {
		formatDate(value, format);
	} catch (error) {
		if (error instanceof InvalidDateError) return error.message;
	}
	throw new Error(`expected ${String(value)} to be an invalid date`);
}

describe('normaliseFieldName', () => {
	test.each(['First Name', 'first_name', 'firstName', 'FIRST-NAME', ' first.name '])(
		'reduces %p to "firstname"',
		(name) => {
			expect(normaliseFieldName(name)).toBe('firstname');
		},
	);

	test('keeps digits and non-English letters', () => {
		expect(normaliseFieldName('Email_1')).toBe('email1');
		expect(normaliseFieldName('Straße Nr.')).toBe('straßenr');
	});
});

describe('isEmptyValue', () => {
	test.each([undefined, null, '', '   \t\n', [], {}])('treats %p as empty', (value) => {
		expect(isEmptyValue(value)).toBe(true);
	});

	test.each([0, false, 'x', [''], { a: 1 }, new Date(0)])('treats %p as a value', (value) => {
		expect(isEmptyValue(value)).toBe(false);
	});
});

describe('value normalisation', () => {
	test('keeps booleans and numbers of a field the schema does not list (a custom checkbox stays true)', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: LEAD_SCHEMA,
			fields: [
				{ field: 'Newsletter_Opt_In', value: true },
				{ field: 'Score__c', value: 42 },
				{ field: 'Note__c', value: '  kept as text  ' },
			],
		});
		expect(result.fields).toEqual({ Newsletter_Opt_In: true, Score__c: 42, Note__c: 'kept as text' });
	});

	test('trims strings', () => {
		expect(mapKinds({ text: '  Ada  ', tel: ' +44 20 7946 0958 ' }).fields).toMatchObject({
			text: 'Ada',
			tel: '+44 20 7946 0958',
		});
	});

	test('trims and lowercases emails', () => {
		expect(mapKinds({ mail: '  Ada.Lovelace@Example.COM ' }).fields.mail).toBe('ada.lovelace@example.com');
	});

	test('an email without the shape local@domain is a problem', () => {
		const result = mapKinds({ mail: 'ada at example.com' });
		expect(result.fields).not.toHaveProperty('mail');
		expect(result.problems).toEqual([
			{ itemIndex: 0, field: 'mail', message: 'field "mail" is not an email address: "ada at example.com"' },
		]);
	});

	test.each([
		['undefined', undefined],
		['null', null],
		['an empty string', ''],
		['a whitespace-only string', '  \t '],
		['an empty array', []],
		['an empty object', {}],
	])('drops %s without a problem', (_label, value) => {
		const result = mapKinds({ text: value });
		expect(result.fields).toEqual({ surname: 'Lovelace' });
		expect(result.problems).toEqual([]);
	});

	test('stringifies numbers and booleans for string kinds', () => {
		expect(mapKinds({ text: 42, tel: 4915112345678, code: true }).fields).toEqual({
			text: '42',
			tel: '4915112345678',
			code: 'true',
			surname: 'Lovelace',
		});
	});

	test('keeps numbers for kind number, zero included', () => {
		expect(mapKinds({ count: 0 }).fields.count).toBe(0);
		expect(mapKinds({ count: -2.5 }).fields.count).toBe(-2.5);
	});

	test('reads decimal strings for kind number', () => {
		expect(mapKinds({ count: ' 12.50 ' }).fields.count).toBe(12.5);
	});

	test.each([
		['"abc"', 'abc'],
		['"0x10"', '0x10'],
		['"1e400"', '1e400'],
		['NaN', Number.NaN],
		['true', true],
	])('refuses %s for kind number', (shown, value) => {
		expect(mapKinds({ count: value }).problems).toEqual([
			{ itemIndex: 0, field: 'count', message: `field "count" expects a number, not ${shown}` },
		]);
	});

	test('keeps booleans for kind boolean, false included', () => {
		expect(mapKinds({ optIn: false }).fields.optIn).toBe(false);
		expect(mapKinds({ optIn: true }).fields.optIn).toBe(true);
	});

	test('reads "true" and "false" in any case for kind boolean', () => {
		expect(mapKinds({ optIn: ' TRUE ' }).fields.optIn).toBe(true);
		expect(mapKinds({ optIn: 'False' }).fields.optIn).toBe(false);
	});

	test('refuses other values for kind boolean', () => {
		expect(mapKinds({ optIn: 'yes' }).problems).toEqual([
			{ itemIndex: 0, field: 'optIn', message: 'field "optIn" expects true or false, not "yes"' },
		]);
	});

	test('an object for a string field is a problem, and the field is left out', () => {
		const result = mapKinds({ text: { first: 'Ada' } });
		expect(result.fields).not.toHaveProperty('text');
		expect(result.problems).toEqual([
			{ itemIndex: 0, field: 'text', message: 'field "text" expects text, not an object' },
		]);
	});

	test('a list for a string field is a problem', () => {
		expect(mapKinds({ tel: ['+1 555 0100', '+1 555 0101'] }).problems).toEqual([
			{ itemIndex: 0, field: 'tel', message: 'field "tel" expects text, not a list' },
		]);
	});

	test('formats kind date with the schema dateFormat', () => {
		expect(mapKinds({ day: '7 March 2024' }).fields.day).toBe('2024-03-07');
	});

	test('a date that may be 7 March or 3 July is a problem naming the value, and the field is left out', () => {
		const result = mapKinds({ day: '07/03/2024' });
		expect(result.fields).not.toHaveProperty('day');
		expect(result.problems[0].message).toMatch(
			/^field "day" has an invalid date: Cannot read "07\/03\/2024" as a date: it is 7 March 2024 if the day comes first and 3 July 2024 if the month does; choose the order under Date Input Format/,
		);
	});

	test('dateInputFormat reads such a date in the chosen order', () => {
		expect(mapKinds({ day: '07/03/2024' }, { dateInputFormat: 'dd/MM/yyyy' }).fields.day).toBe('2024-03-07');
		expect(mapKinds({ day: '07/03/2024' }, { dateInputFormat: 'MM/dd/yyyy' }).fields.day).toBe('2024-07-03');
	});

	const DATED_PROFILE_SCHEMA = withExtraFields(PROFILE_SCHEMA, [{ name: 'birthDate', displayName: 'Birth Date', kind: 'date' }]);

	test('a date a two-digit-year format cannot carry is a problem saying it cannot be sent', () => {
		const result = mapContact({ itemIndex: 0, schema: DATED_PROFILE_SCHEMA, fields: [{ field: 'email1', value: 'a@b.co' }, { field: 'birthDate', value: '1815-12-10' }] });
		expect(result.fields).toEqual({ email1: 'a@b.co' });
		expect(result.problems).toEqual([
			expect.objectContaining({ field: 'birthDate', message: expect.stringMatching(/^field "birthDate" cannot be sent: "1815-12-10" is 1815-12-10, outside 1930–2029/) }),
		]);
	});

	test('twoDigitYearStart moves the window of a two-digit-year format', () => {
		const birthDate = (twoDigitYearStart: number) =>
			mapContact({ itemIndex: 0, schema: DATED_PROFILE_SCHEMA, fields: [{ field: 'email1', value: 'a@b.co' }, { field: 'birthDate', value: '1945-03-07' }], twoDigitYearStart });
		expect(birthDate(1930).fields.birthDate).toBe('03-07-45');
		expect(birthDate(1950).problems[0].message).toContain('outside 1950–2049');
	});

	test('formats kind dateTime with the schema dateTimeFormat, in UTC by default', () => {
		expect(mapKinds({ moment: '2024-03-07T14:05:09+02:00' }).fields.moment).toBe('2024-03-07T12:05:09.000+00:00');
	});

	test('formats dates in the given time zone', () => {
		const result = mapKinds({ moment: '2024-03-07T23:30:00Z', day: 1709854200 }, { timeZone: 'Asia/Kolkata' });
		expect(result.fields).toMatchObject({ moment: '2024-03-08T05:00:00.000+05:30', day: '2024-03-08' });
	});

	test('an 8-digit number for a date field is that yyyyMMdd date, not a day in 1970', () => {
		expect(mapKinds({ day: 19910307, moment: '20240307' }).fields).toMatchObject({
			day: '1991-03-07',
			moment: '2024-03-07T00:00:00.000+00:00',
		});
	});

	test('a number of another length for a date field is a problem naming the value', () => {
		const result = mapKinds({ day: 668304000 });
		expect(result.fields).not.toHaveProperty('day');
		expect(result.problems[0].message).toMatch(/^field "day" has an invalid date: Cannot read 668304000 as a date: a 9-digit number/);
	});


	test('a date field fed midnight UTC keeps that calendar date west of UTC', () => {
		const result = mapKinds({ day: '1991-03-07T00:00:00.000Z' }, { timeZone: 'America/Los_Angeles' });
		expect(result.fields.day).toBe('1991-03-07');
	});

	test('a date-time field fed midnight UTC is converted to the chosen zone', () => {
		const result = mapKinds({ moment: '1991-03-07T00:00:00Z' }, { timeZone: 'America/Los_Angeles' });
		expect(result.fields.moment).toBe('1991-03-06T16:00:00.000-08:00');
	});

	test('an unparseable date is a problem quoting why, never a guessed value', () => {
		const result = mapKinds({ day: 'next tuesday' });
		expect(result.fields).not.toHaveProperty('day');
		expect(result.problems).toEqual([
			{
				itemIndex: 0,
				field: 'day',
				message: `field "day" has an invalid date: ${invalidDateMessage('next tuesday', 'isoDate')}`,
			},
		]);
		expect(result.problems[0].message).toContain('Cannot read "next tuesday" as a date');
	});

	test('an impossible calendar date is a problem', () => {
		expect(mapKinds({ day: '2023-02-29' }).problems[0].message).toContain('February 2023 has no day 29');
	});

	test('an unknown time zone is a problem for each date field, not a throw', () => {
		const result = mapKinds({ day: '2024-03-07', text: 'kept' }, { timeZone: 'Mars/Olympus' });
		expect(result.fields).toEqual({ text: 'kept', surname: 'Lovelace' });
		expect(result.problems).toHaveLength(1);
		expect(result.problems[0]).toMatchObject({ field: 'day' });
		expect(result.problems[0].message).toMatch(/^field "day" has an invalid date: Unknown time zone "Mars\/Olympus"/);
	});

	test('a value longer than maxLength is a problem', () => {
		expect(mapKinds({ code: 'ABCDEF' }).problems).toEqual([
			{ itemIndex: 0, field: 'code', message: 'field "code" is 6 characters long, more than the 5 allowed' },
		]);
	});

	test('a value exactly maxLength long is accepted, measured after trimming', () => {
		expect(mapKinds({ code: '  ABCDE  ' }).fields.code).toBe('ABCDE');
	});

	test('maxLength counts characters, not UTF-16 units', () => {
		expect(mapKinds({ code: '😀😀😀😀😀' }).fields.code).toBe('😀😀😀😀😀');
	});
});

describe('precedence of sources', () => {
	const base = { itemIndex: 0, schema: LEAD_SCHEMA };

	test('a static value overrides an auto-mapped one', () => {
		const result = mapContact({ ...base, input: { source: 'web' }, staticValues: [{ field: 'lead_source', value: 'Chatbot' }] });
		expect(result.fields.lead_source).toBe('Chatbot');
	});

	test('an explicit mapping overrides a static value', () => {
		const result = mapContact({
			...base,
			staticValues: [{ field: 'lead_source', value: 'Chatbot' }],
			fields: [{ field: 'lead_source', value: 'Ory' }],
		});
		expect(result.fields.lead_source).toBe('Ory');
	});

	test('an explicit mapping overrides an auto-mapped value', () => {
		const result = mapContact({ ...base, input: { email: 'auto@example.com' }, fields: [{ field: 'email', value: 'x@example.com' }] });
		expect(result.fields.email).toBe('x@example.com');
	});

	test('an empty explicit mapping keeps the static value', () => {
		const result = mapContact({
			...base,
			staticValues: [{ field: 'lead_source', value: 'Chatbot' }],
			fields: [{ field: 'lead_source', value: '   ' }],
		});
		expect(result.fields.lead_source).toBe('Chatbot');
	});

	test('an empty static value keeps the auto-mapped value', () => {
		const result = mapContact({ ...base, input: { source: 'web' }, staticValues: [{ field: 'lead_source', value: null }] });
		expect(result.fields.lead_source).toBe('web');
	});

	test('of two explicit mappings for the same field the later non-empty one wins', () => {
		const result = mapContact({
			...base,
			fields: [
				{ field: 'title', value: 'Countess' },
				{ field: 'title', value: 'Mathematician' },
				{ field: 'title', value: '' },
			],
		});
		expect(result.fields.title).toBe('Mathematician');
	});

	test('an overridden invalid value raises no problem: only the winning value is normalised', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			input: { birthday: 'soon', lastName: 'Lovelace' },
			fields: [{ field: 'Date_of_Birth', value: '1815-12-10' }],
		});
		expect(result.problems).toEqual([]);
		expect(result.fields.Date_of_Birth).toBe('1815-12-10');
	});

	test('static and explicit values are normalised like auto-mapped ones', () => {
		const result = mapContact({ ...base, staticValues: [{ field: 'email', value: ' SALES@Example.com ' }] });
		expect(result.fields.email).toBe('sales@example.com');
	});
});

describe('required fields and fallbacks', () => {
	test('a required field left empty is a problem naming item and field', () => {
		const result = mapContact({ itemIndex: 3, schema: ZOHO_CONTACTS, fields: [{ field: 'Email', value: 'ada@example.com' }] });
		expect(result.problems).toEqual([{ itemIndex: 3, field: 'Last_Name', message: 'field "Last_Name" is required but empty' }]);
	});

	test('a fallback fills a required field that ends up empty', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			fields: [{ field: 'Last_Name', value: '' }],
			requiredFallbacks: { Last_Name: 'Unknown' },
		});
		expect(result.fields.Last_Name).toBe('Unknown');
		expect(result.problems).toEqual([]);
	});

	test('a fallback is not used when the field has a value', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			input: { surname: 'Lovelace' },
			requiredFallbacks: { Last_Name: 'Unknown' },
		});
		expect(result.fields.Last_Name).toBe('Lovelace');
	});

	test('a fallback name is respelled like any field name', () => {
		const result = mapContact({ itemIndex: 0, schema: ZOHO_CONTACTS, requiredFallbacks: { last_name: 'Unknown' } });
		expect(result.fields).toEqual({ Last_Name: 'Unknown' });
	});

	test('a blank fallback does not satisfy a required field', () => {
		const result = mapContact({ itemIndex: 0, schema: ZOHO_CONTACTS, requiredFallbacks: { Last_Name: ' ' } });
		expect(result.problems.map((problem) => problem.message)).toEqual(['field "Last_Name" is required but empty']);
	});

	test('a fallback for an unknown field of a strict schema is a problem', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: PROFILE_SCHEMA,
			fields: [{ field: 'email1', value: 'ada@example.com' }],
			requiredFallbacks: { surname: 'Unknown' },
		});
		expect(result.problems).toEqual([
			{ itemIndex: 0, field: 'surname', message: 'field "surname" is not a field of Coded Profile' },
		]);
	});

	test('a required field with an invalid value reports the invalid value, not emptiness, and ignores the fallback', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			fields: [{ field: 'Last_Name', value: { family: 'Lovelace' } }],
			requiredFallbacks: { Last_Name: 'Unknown' },
		});
		expect(result.fields).toEqual({});
		expect(result.problems.map((problem) => problem.message)).toEqual(['field "Last_Name" expects text, not an object']);
	});
});

describe('field names', () => {
	test('a name unknown to a strict schema is a problem with a "did you mean" suggestion', () => {
		const result = mapContact({ itemIndex: 2, schema: PROFILE_SCHEMA, fields: [{ field: 'firstNme', value: 'Ada' }] });
		expect(result.problems).toContainEqual({
			itemIndex: 2,
			field: 'firstNme',
			message: 'field "firstNme" is not a field of Coded Profile; did you mean "firstName"?',
		});
		expect(result.fields).not.toHaveProperty('firstNme');
	});

	test('an unknown name with nothing close gets no suggestion', () => {
		expect(resolveFieldName('favouriteColour', PROFILE_SCHEMA)).toEqual({
			problem: 'field "favouriteColour" is not a field of Coded Profile',
		});
	});

	test('an unknown name is reported even when its value is empty', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: PROFILE_SCHEMA,
			fields: [
				{ field: 'email1', value: 'ada@example.com' },
				{ field: 'nickname', value: '' },
			],
		});
		expect(result.problems.map((problem) => problem.field)).toEqual(['nickname']);
	});

	test('a schema that allows unknown fields passes them through as text', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			fields: [
				{ field: 'Last_Name', value: 'Lovelace' },
				{ field: 'Ory_Identity_Id', value: ' 9f1c ' },
			],
		});
		expect(result.fields).toEqual({ Last_Name: 'Lovelace', Ory_Identity_Id: '9f1c' });
	});

	test('names matching the extra field pattern are accepted by a strict schema', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: PROFILE_SCHEMA,
			fields: [
				{ field: 'phone3', value: '+91 98765 43210' },
				{ field: 'altEmail2', value: 'Work@Example.com' },
			],
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({ phone3: '+91 98765 43210', altEmail2: 'work@example.com' });
	});

	test('a pattern-matched name gets the kind the schema gives it', () => {
		const result = mapContact({ itemIndex: 0, schema: PROFILE_SCHEMA, fields: [{ field: 'email3', value: 'not-an-email' }] });
		expect(result.problems).toContainEqual({
			itemIndex: 0,
			field: 'email3',
			message: 'field "email3" is not an email address: "not-an-email"',
		});
	});

	test('a name that differs from a pattern code only in case and separators is respelled as the camelCase code', () => {
		expect(resolveFieldName('ALT_PHONE_2', PROFILE_SCHEMA)).toEqual({ name: 'altPhone2' });
		expect(resolveFieldName('Phone 3', PROFILE_SCHEMA)).toEqual({ name: 'phone3' });
	});

	test('a name the pattern does not match is still refused (phone0)', () => {
		expect(resolveFieldName('phone0', PROFILE_SCHEMA).problem).toMatch(/^field "phone0" is not a field of Coded Profile/);
	});

	test('a name that differs only in case or separators is accepted in the schema spelling', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			fields: [
				{ field: 'last_name', value: 'Lovelace' },
				{ field: 'MAILING-CITY', value: 'London' },
			],
		});
		expect(result.fields).toEqual({ Last_Name: 'Lovelace', Mailing_City: 'London' });
		expect(result.problems).toEqual([]);
	});

	test('a strict schema also respells names', () => {
		expect(resolveFieldName('First Name', PROFILE_SCHEMA)).toEqual({ name: 'firstName' });
	});

	test('surrounding spaces in a name are ignored', () => {
		expect(resolveFieldName('  Email ', ZOHO_CONTACTS)).toEqual({ name: 'Email' });
	});

	test('an empty field name is a problem', () => {
		const result = mapContact({ itemIndex: 4, schema: LEAD_SCHEMA, fields: [{ field: '  ', value: 'x' }] });
		expect(result.problems).toEqual([{ itemIndex: 4, field: '', message: 'a field name is empty' }]);
	});

	test('a field name that is not a string is reported as empty, not thrown', () => {
		const fields = [{ field: undefined as unknown as string, value: 'x' }];
		expect(mapContact({ itemIndex: 0, schema: LEAD_SCHEMA, fields }).problems.map((p) => p.message)).toEqual([
			'a field name is empty',
		]);
	});

	describe('a schema that keeps typed names (a CRM where any name may be a field)', () => {
		const TYPED_NAMES_SCHEMA: TargetSchema = defineSchema({ ...LEAD_SCHEMA, id: 'typedNames', keepsTypedNames: true });

		test('sends explicit fields under the names typed: firstName, Email and leadSource are not respelled', () => {
			const result = mapContact({
				itemIndex: 0,
				schema: TYPED_NAMES_SCHEMA,
				fields: [
					{ field: 'firstName', value: 'Ada' },
					{ field: 'Email', value: 'Ada@Example.com' },
				],
				staticValues: [{ field: 'leadSource', value: 'Chatbot' }],
			});
			expect(result.problems).toEqual([]);
			expect(result.fields).toEqual({ leadSource: 'Chatbot', firstName: 'Ada', Email: 'Ada@Example.com' });
		});

		test('auto-mapping still uses the schema spelling', () => {
			const result = mapContact({ itemIndex: 0, schema: TYPED_NAMES_SCHEMA, input: { firstName: 'Ada', Email: 'ADA@example.com' } });
			expect(result.fields).toEqual({ email: 'ada@example.com', first_name: 'Ada' });
		});

		test('a field typed in another spelling takes that field from auto-mapping, so the value is not sent twice', () => {
			const result = mapContact({
				itemIndex: 0,
				schema: TYPED_NAMES_SCHEMA,
				input: { email: 'auto@example.com', first_name: 'Ada' },
				fields: [{ field: 'Email', value: 'typed@example.com' }],
			});
			expect(result.fields).toEqual({ first_name: 'Ada', Email: 'typed@example.com' });
		});

		test('an empty typed field leaves the auto-mapped value in place, as an empty explicit mapping does', () => {
			const result = mapContact({
				itemIndex: 0,
				schema: TYPED_NAMES_SCHEMA,
				input: { email: 'auto@example.com' },
				fields: [{ field: 'Email', value: '' }],
			});
			expect(result.fields).toEqual({ email: 'auto@example.com' });
		});
	});

	test('a static value under an unknown name is a problem too', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: PROFILE_SCHEMA,
			fields: [{ field: 'email1', value: 'ada@example.com' }],
			staticValues: [{ field: 'leadSource', value: 'Chatbot' }],
		});
		expect(result.problems.map((problem) => problem.field)).toEqual(['leadSource']);
	});
});

describe('suggestFieldName', () => {
	test('suggests a transposed name', () => {
		expect(suggestFieldName('emial1', PROFILE_SCHEMA)).toBe('email1');
	});

	test('suggests the closest of several candidates', () => {
		expect(suggestFieldName('phone_2x', PROFILE_SCHEMA)).toBe('phone2');
	});

	test('does not suggest for very short names', () => {
		expect(suggestFieldName('ph', PROFILE_SCHEMA)).toBeUndefined();
	});

	test('does not suggest a name too far from any field', () => {
		expect(suggestFieldName('favouriteColour', PROFILE_SCHEMA)).toBeUndefined();
	});
});

describe('respelling pattern codes as camelCase', () => {
	test.each([
		['alt_phone_2', 'altPhone2'],
		['Alt Phone 2', 'altPhone2'],
		['ALT-PHONE-2', 'altPhone2'],
		['altPhone2', 'altPhone2'],
		['PHONE3', 'phone3'],
	])('resolves %p to the code %p', (name, code) => {
		expect(resolveFieldName(name, PROFILE_SCHEMA)).toEqual({ name: code });
	});
});

describe('atLeastOneOf', () => {
	test('none of the keys set is one problem listing them', () => {
		const result = mapContact({ itemIndex: 5, schema: PROFILE_SCHEMA, fields: [{ field: 'firstName', value: 'Ada' }] });
		expect(result.problems).toEqual([
			{
				itemIndex: 5,
				field: 'phone1, phone2, email1, email2',
				message: 'at least one of the fields "phone1", "phone2", "email1", "email2" must be set for Coded Profile',
			},
		]);
	});

	test('any one key satisfies it', () => {
		const result = mapContact({ itemIndex: 0, schema: PROFILE_SCHEMA, fields: [{ field: 'email2', value: 'ada@example.com' }] });
		expect(result.problems).toEqual([]);
	});

	test('a key matching atLeastOneOfPattern satisfies it too (phone3 is a unique key)', () => {
		const result = mapContact({ itemIndex: 0, schema: PROFILE_SCHEMA, fields: [{ field: 'phone3', value: '+91 98765 43210' }] });
		expect(result.problems).toEqual([]);
	});

	test('names outside atLeastOneOfPattern (altPhone, altEmail) do not satisfy it', () => {
		const result = mapContact({ itemIndex: 0, schema: PROFILE_SCHEMA, fields: [{ field: 'altEmail1', value: 'ada@example.com' }] });
		expect(result.problems.map((problem) => problem.field)).toEqual(['phone1, phone2, email1, email2']);
	});

	test('a key with an invalid value reports only the invalid value', () => {
		const result = mapContact({ itemIndex: 0, schema: PROFILE_SCHEMA, fields: [{ field: 'email1', value: 'not-an-email' }] });
		expect(result.problems.map((problem) => problem.field)).toEqual(['email1']);
	});
});

describe('auto-mapping: alias families', () => {
	/** One field per concept, named so that no input alias equals a field's own name. */
	const CONCEPT_SCHEMA: TargetSchema = {
		id: 'concepts',
		displayName: 'Concepts',
		fields: (Object.keys(CONCEPT_ALIASES) as ContactConcept[]).map((concept) => ({
			name: `out_${concept}`,
			displayName: concept,
			concept,
		})),
		allowUnknownFields: false,
		dateFormat: 'isoDate',
		dateTimeFormat: 'isoDateTime',
	};

	/** The aliases the specification requires, at least. */
	const REQUIRED_ALIASES: Record<ContactConcept, string[]> = {
		email: ['email', 'emailaddress', 'mail', 'primaryemail', 'email1', 'e_mail', 'traits.email', 'individualContact.email'],
		secondaryEmail: ['secondaryemail', 'email2'],
		firstName: ['firstname', 'givenname', 'first', 'fname', 'forename', 'name.first', 'name.given', 'traits.name.first', 'individualContact.firstName'],
		lastName: ['lastname', 'familyname', 'surname', 'last', 'lname', 'name.last', 'name.family', 'traits.name.last', 'individualContact.lastName'],
		fullName: ['name', 'fullname', 'displayname', 'traits.name'],
		phone: ['phone', 'phonenumber', 'telephone', 'tel', 'phone1', 'workphone', 'traits.phone'],
		mobile: ['mobile', 'mobilephone', 'cell', 'cellphone', 'mobilenumber'],
		company: ['company', 'companyname', 'organization', 'organisation', 'org', 'accountname', 'company.name', 'organization.name', 'organisation.name', 'account.name'],
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

	test('CONCEPT_ALIASES contains every required alias', () => {
		for (const [concept, aliases] of Object.entries(REQUIRED_ALIASES)) {
			expect(CONCEPT_ALIASES[concept as ContactConcept]).toEqual(expect.arrayContaining(aliases));
		}
	});

	/** A dotted alias is a path of nested keys: 'traits.name.first' → { traits: { name: { first } } }. */
	function inputFor(alias: string, value: string): IDataObject {
		return alias
			.split('.')
			.reverse()
			.reduce<unknown>((inner, key) => ({ [key]: inner }), value) as IDataObject;
	}

	const cases = Object.entries(REQUIRED_ALIASES).flatMap(([concept, aliases]) =>
		aliases.map((alias) => [concept, alias] as const),
	);

	test.each(cases)('maps concept %s from input key %p', (concept, alias) => {
		expect(autoMapFields(inputFor(alias, 'value'), CONCEPT_SCHEMA)).toEqual({ [`out_${concept}`]: 'value' });
	});

	test.each([
		['Email Address', 'out_email'],
		['first_name', 'out_firstName'],
		['LAST-NAME', 'out_lastName'],
		['Phone Number', 'out_phone'],
		['Zip Code', 'out_postalCode'],
		['Date of Birth', 'out_dateOfBirth'],
	])('matches %p whatever its case and separators', (key, field) => {
		expect(autoMapFields({ [key]: 'value' }, CONCEPT_SCHEMA)).toEqual({ [field]: 'value' });
	});
});

describe('auto-mapping: which key wins', () => {
	test('a key equal to a target field\'s own name maps to that field, whatever its case', () => {
		expect(autoMapFields({ ALT_PHONE_1: '+91 1', altEmail1: 'a@example.com' }, PROFILE_SCHEMA)).toEqual({
			altPhone1: '+91 1',
			altEmail1: 'a@example.com',
		});
	});

	test('the field\'s own name wins over its concept aliases', () => {
		expect(autoMapFields({ phone: '+1 111', phone1: '+1 222' }, PROFILE_SCHEMA)).toEqual({ phone1: '+1 222' });
	});

	test('the first alias in the list wins, whatever the key order', () => {
		expect(autoMapFields({ mail: 'second@example.com', email: 'first@example.com' }, LEAD_SCHEMA)).toEqual({
			email: 'first@example.com',
		});
	});

	test('a top-level key wins over a nested one', () => {
		const input = { traits: { email: 'nested@example.com' }, mail: 'top@example.com' };
		expect(autoMapFields(input, LEAD_SCHEMA)).toEqual({ email: 'top@example.com' });
	});

	test('a key spelled like one field\'s own name never feeds another field\'s alias', () => {
		const schema: TargetSchema = {
			...LEAD_SCHEMA,
			fields: [
				{ name: 'main', displayName: 'Main', concept: 'phone' },
				{ name: 'tel', displayName: 'Tel' },
			],
		};
		expect(autoMapFields({ tel: '+1 555 0100' }, schema)).toEqual({ tel: '+1 555 0100' });
	});

	test('when two fields share a concept only the first one gets its aliases', () => {
		const schema: TargetSchema = {
			...LEAD_SCHEMA,
			fields: [
				{ name: 'work', displayName: 'Work', concept: 'email' },
				{ name: 'home', displayName: 'Home', concept: 'email' },
			],
		};
		expect(autoMapFields({ email: 'ada@example.com' }, schema)).toEqual({ work: 'ada@example.com' });
	});

	test('a nested key is never matched to a field by its dotted path, even when it spells the field\'s name', () => {
		expect(autoMapFields({ alt: { phone1: '+44 1' } }, PROFILE_SCHEMA)).toEqual({});
	});

	test('empty values, objects and lists are skipped so the next alias can match', () => {
		const input = { email: '  ', emailAddress: ['x@example.com'], mail: { value: 'y@example.com' }, primaryEmail: 'z@example.com' };
		expect(autoMapFields(input, LEAD_SCHEMA)).toEqual({ email: 'z@example.com' });
	});

	test('keys that match nothing are not passed through', () => {
		expect(autoMapFields({ favouriteColour: 'green', Last_Name: 'Lovelace' }, ZOHO_CONTACTS)).toEqual({ Last_Name: 'Lovelace' });
	});

	test('values are returned raw: normalisation happens in mapContact', () => {
		expect(autoMapFields({ email: ' ADA@Example.com ', phone: 4420794609 }, LEAD_SCHEMA)).toEqual({
			email: ' ADA@Example.com ',
			phone: 4420794609,
		});
	});

	test('findAutoMappedValues tells where each value came from', () => {
		expect(findAutoMappedValues({ traits: { email: 'ada@example.com' }, name: 'Ada Lovelace' }, LEAD_SCHEMA)).toEqual([
			{ field: 'email', value: 'ada@example.com', sourcePath: 'traits.email' },
			{ field: 'first_name', value: 'Ada', sourcePath: 'name (split)' },
			{ field: 'last_name', value: 'Lovelace', sourcePath: 'name (split)' },
		]);
	});
});

describe('auto-mapping: items of one shape are mapped once, each with its own values', () => {
	test('a second item of the same keys maps its own values, not the first item\'s', () => {
		autoMapFields({ email: 'ada@example.com', first_name: 'Ada' }, LEAD_SCHEMA);
		expect(autoMapFields({ email: 'alan@example.com', first_name: 'Alan' }, LEAD_SCHEMA)).toEqual({
			email: 'alan@example.com',
			first_name: 'Alan',
		});
	});

	test('an empty value is a different shape: the next alias fills the field', () => {
		expect(autoMapFields({ email: 'ada@example.com', email_address: 'other@example.com' }, LEAD_SCHEMA)).toEqual({
			email: 'ada@example.com',
		});
		expect(autoMapFields({ email: '', email_address: 'alan@example.com' }, LEAD_SCHEMA)).toEqual({ email: 'alan@example.com' });
	});

	test('a value of another type is a different shape', () => {
		expect(findAutoMappedValues({ email: 'ada@example.com', company: 'Acme' }, LEAD_SCHEMA).map((m) => m.field)).toEqual([
			'email',
			'company',
		]);
		expect(findAutoMappedValues({ email: 'ada@example.com', company: { name: 'Acme' } }, LEAD_SCHEMA)).toEqual([
			{ field: 'email', value: 'ada@example.com', sourcePath: 'email' },
			{ field: 'company', value: 'Acme', sourcePath: 'company.name' },
		]);
	});

	test('a full name is split for every item, whatever the item before held', () => {
		expect(autoMapFields({ email: 'cher@example.com', name: 'Cher' }, LEAD_SCHEMA)).toEqual({ email: 'cher@example.com' });
		expect(autoMapFields({ email: 'ada@example.com', name: 'Ada Lovelace' }, LEAD_SCHEMA)).toEqual({
			email: 'ada@example.com',
			first_name: 'Ada',
			last_name: 'Lovelace',
		});
	});
});

describe('auto-mapping: nested values only at the dotted alias paths', () => {
	test('reads name.first and name.last', () => {
		expect(autoMapFields({ name: { first: 'Ada', last: 'Lovelace' } }, LEAD_SCHEMA)).toEqual({
			first_name: 'Ada',
			last_name: 'Lovelace',
		});
	});

	test('reads traits.email and traits.name.first / traits.name.last, three levels deep', () => {
		const input = { traits: { email: 'ada@example.com', name: { first: 'Ada', last: 'Lovelace' } } };
		expect(findAutoMappedValues(input, LEAD_SCHEMA)).toEqual([
			{ field: 'email', value: 'ada@example.com', sourcePath: 'traits.email' },
			{ field: 'first_name', value: 'Ada', sourcePath: 'traits.name.first' },
			{ field: 'last_name', value: 'Lovelace', sourcePath: 'traits.name.last' },
		]);
	});

	test('reads traits.name as a full name and splits it', () => {
		expect(autoMapFields({ traits: { email: 'ada@example.com', name: 'Ada Lovelace' } }, LEAD_SCHEMA)).toEqual({
			email: 'ada@example.com',
			first_name: 'Ada',
			last_name: 'Lovelace',
		});
	});

	test('matches each step of a path whatever its case and separators', () => {
		const input = { Individual_Contact: { FIRST_NAME: 'Alan', 'last-name': 'Turing' } };
		expect(findAutoMappedValues(input, LEAD_SCHEMA)).toEqual([
			{ field: 'first_name', value: 'Alan', sourcePath: 'Individual_Contact.FIRST_NAME' },
			{ field: 'last_name', value: 'Turing', sourcePath: 'Individual_Contact.last-name' },
		]);
	});

	test('reads a flattened key spelled like a dotted alias as a top-level key', () => {
		expect(autoMapFields({ 'name.first': 'Ada', 'traits.email': 'ada@example.com' }, LEAD_SCHEMA)).toEqual({
			email: 'ada@example.com',
			first_name: 'Ada',
		});
	});

	test('reads address.street, address.city, address.zip and address.country', () => {
		const input = { address: { street: '12 St James Square', city: 'London', zip: 'SW1Y 4JH', country: 'UK' } };
		expect(autoMapFields(input, ZOHO_CONTACTS)).toEqual({
			Mailing_Street: '12 St James Square',
			Mailing_City: 'London',
			Mailing_Zip: 'SW1Y 4JH',
			Mailing_Country: 'UK',
		});
	});

	test("reads company.name as the company, never as a person's full name", () => {
		expect(autoMapFields({ company: { name: 'Analytical Engines Ltd' } }, LEAD_SCHEMA)).toEqual({
			company: 'Analytical Engines Ltd',
		});
	});

	test('never reads a nested value by its leaf name: {order: {description}} maps nothing', () => {
		expect(autoMapFields({ order: { description: 'x' } }, LEAD_SCHEMA)).toEqual({});
		expect(autoMapFields({ order: { description: 'x' } }, ZOHO_CONTACTS)).toEqual({});
	});

	test('never reads identity.state as a mailing state', () => {
		expect(autoMapFields({ identity: { state: 'active' } }, ZOHO_CONTACTS)).toEqual({});
	});

	test('never reads a leaf under a parent no alias names, whatever the leaf', () => {
		const input = { profile: { email: 'ada@example.com', firstName: 'Ada', phone: '+44 1' }, meta: { source: 'web' } };
		expect(autoMapFields(input, LEAD_SCHEMA)).toEqual({});
	});

	test('does not follow an alias path deeper than it names', () => {
		expect(autoMapFields({ identity: { traits: { email: 'ada@example.com' } } }, LEAD_SCHEMA)).toEqual({});
		expect(autoMapFields({ traits: { contact: { email: 'ada@example.com' } } }, LEAD_SCHEMA)).toEqual({});
	});

	test('an alias path ending at an object or a list maps nothing', () => {
		expect(autoMapFields({ traits: { email: { primary: 'ada@example.com' } } }, LEAD_SCHEMA)).toEqual({});
		expect(autoMapFields({ traits: { email: ['ada@example.com'] } }, LEAD_SCHEMA)).toEqual({});
	});

	test('does not look inside lists', () => {
		expect(autoMapFields({ emails: [{ email: 'ada@example.com' }] }, LEAD_SCHEMA)).toEqual({});
	});

	test('every dotted alias is a path of two or more non-empty steps', () => {
		const dotted = Object.values(CONCEPT_ALIASES)
			.flat()
			.filter((alias) => alias.includes('.'));
		expect(dotted.length).toBeGreaterThan(0);
		for (const alias of dotted) expect(alias.split('.').every((step) => normaliseFieldName(step) !== '')).toBe(true);
	});
});

describe('full-name splitting', () => {
	test('splits on the last space', () => {
		expect(splitFullName('Ada King Lovelace')).toEqual({ firstName: 'Ada King', lastName: 'Lovelace' });
	});

	test('a single word is the last name', () => {
		expect(splitFullName('Lovelace')).toEqual({ lastName: 'Lovelace' });
	});

	test('ignores surrounding and repeated whitespace', () => {
		expect(splitFullName('  Ada \t Lovelace  ')).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
	});

	test('fills first and last name from a full name when both are missing', () => {
		expect(autoMapFields({ fullName: 'Ada King Lovelace' }, ZOHO_CONTACTS)).toEqual({
			First_Name: 'Ada King',
			Last_Name: 'Lovelace',
		});
	});

	test('a single-word full name fills neither half: "Cher" invents no last name', () => {
		expect(autoMapFields({ name: 'Cher', email: 'cher@example.com' }, LEAD_SCHEMA)).toEqual({ email: 'cher@example.com' });
	});

	test('a full name that only repeats the first name fills no last name', () => {
		expect(autoMapFields({ first_name: 'John', name: 'John' }, LEAD_SCHEMA)).toEqual({ first_name: 'John' });
	});

	test('fills the missing last name with what follows the known first name', () => {
		expect(autoMapFields({ name: 'John Paul Smith', firstName: 'john' }, LEAD_SCHEMA)).toEqual({
			first_name: 'john',
			last_name: 'Paul Smith',
		});
	});

	test('fills the missing first name with what precedes the known last name', () => {
		expect(autoMapFields({ name: 'Ada King Lovelace', lastName: 'Lovelace' }, LEAD_SCHEMA)).toEqual({
			first_name: 'Ada King',
			last_name: 'Lovelace',
		});
	});

	test('a full name that contradicts the known half fills nothing', () => {
		expect(autoMapFields({ name: 'Ada Lovelace', lastName: 'Byron' }, LEAD_SCHEMA)).toEqual({ last_name: 'Byron' });
	});

	test('is not used when first and last name are both present', () => {
		expect(autoMapFields({ displayName: 'The Countess', firstName: 'Ada', lastName: 'Lovelace' }, LEAD_SCHEMA)).toEqual({
			first_name: 'Ada',
			last_name: 'Lovelace',
		});
	});

	test('a full name that is not a string is not split', () => {
		expect(autoMapFields({ name: 42 }, LEAD_SCHEMA)).toEqual({});
	});

	test('a full name already mapped to a full-name field is not split as well', () => {
		const schema: TargetSchema = {
			...LEAD_SCHEMA,
			fields: [
				{ name: 'display', displayName: 'Display', concept: 'fullName' },
				{ name: 'given', displayName: 'Given', concept: 'firstName' },
				{ name: 'family', displayName: 'Family', concept: 'lastName' },
			],
		};
		expect(autoMapFields({ name: 'Ada Lovelace' }, schema)).toEqual({ display: 'Ada Lovelace' });
	});

	test('is not needed by a target without first and last name fields', () => {
		const schema: TargetSchema = { ...LEAD_SCHEMA, fields: [{ name: 'email', displayName: 'Email', kind: 'email' }] };
		expect(autoMapFields({ name: 'Ada Lovelace' }, schema)).toEqual({});
	});
});

describe('problems', () => {
	test('all problems of an item come back together, each naming item and field', () => {
		const result = mapContact({
			itemIndex: 7,
			schema: ZOHO_CONTACTS,
			fields: [
				{ field: 'Email', value: `${'a'.repeat(95)}@example.com` },
				{ field: 'Date_of_Birth', value: '31.02.1990' },
				{ field: 'Title', value: ['CTO'] },
			],
		});
		expect(result.problems.map(({ itemIndex, field }) => ({ itemIndex, field }))).toEqual([
			{ itemIndex: 7, field: 'Email' },
			{ itemIndex: 7, field: 'Title' },
			{ itemIndex: 7, field: 'Date_of_Birth' },
			{ itemIndex: 7, field: 'Last_Name' },
		]);
		expect(result.problems[0].message).toBe('field "Email" is 107 characters long, more than the 100 allowed');
	});

	test('a problem with an auto-mapped value names the input key it came from', () => {
		const result = mapContact({ itemIndex: 0, schema: ZOHO_CONTACTS, input: { birthday: 'soon', lastName: 'Lovelace' } });
		expect(result.problems).toEqual([
			{
				itemIndex: 0,
				field: 'Date_of_Birth',
				message: `field "Date_of_Birth" has an invalid date: ${invalidDateMessage('soon', 'zohoDate')} (auto-mapped from input "birthday")`,
			},
		]);
	});

	test('a problem with a static value says so', () => {
		const result = mapContact({ itemIndex: 0, schema: LEAD_SCHEMA, staticValues: [{ field: 'email', value: 'sales' }] });
		expect(result.problems[0].message).toBe('field "email" is not an email address: "sales" (static value)');
	});

	test('a problem with a fallback value says so', () => {
		const result = mapContact({ itemIndex: 0, schema: LEAD_SCHEMA, requiredFallbacks: { email: 'nobody' } });
		expect(result.problems[0].message).toBe('field "email" is not an email address: "nobody" (fallback value)');
	});

	test('fields without problems are still returned next to the problems', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: LEAD_SCHEMA,
			fields: [
				{ field: 'email', value: 'ada@example.com' },
				{ field: 'title', value: { role: 'CTO' } },
			],
		});
		expect(result.fields).toEqual({ email: 'ada@example.com' });
		expect(result.problems).toHaveLength(1);
	});
});

describe('formatProblems', () => {
	test('writes one line per problem, prefixed with the item index', () => {
		expect(
			formatProblems([
				{ itemIndex: 3, field: 'Last_Name', message: 'field "Last_Name" is required but empty' },
				{ itemIndex: 3, field: 'Email', message: 'field "Email" is not an email address: "x"' },
			]),
		).toBe('Item 3: field "Last_Name" is required but empty\nItem 3: field "Email" is not an email address: "x"');
	});

	test('formats the problems mapContact returns', () => {
		const result = mapContact({ itemIndex: 3, schema: ZOHO_LEADS });
		expect(formatProblems(result.problems)).toBe('Item 3: field "Last_Name" is required but empty');
	});

	test('is empty without problems', () => {
		expect(formatProblems([])).toBe('');
	});
});

describe('defineSchema', () => {
	const defined = defineSchema({
		id: 'frozen',
		displayName: 'Frozen',
		fields: [{ name: 'email', displayName: 'Email', kind: 'email' }],
		allowUnknownFields: false,
		atLeastOneOf: ['email'],
		dateFormat: 'isoDate',
		dateTimeFormat: 'isoDateTime',
	});

	test('freezes the schema, its field list, each field and atLeastOneOf, so one run cannot change another\'s', () => {
		expect(Object.isFrozen(defined)).toBe(true);
		expect(Object.isFrozen(defined.fields)).toBe(true);
		expect(Object.isFrozen(defined.fields[0])).toBe(true);
		expect(Object.isFrozen(defined.atLeastOneOf)).toBe(true);
	});

	test('a copy made by withExtraFields leaves the frozen original unchanged', () => {
		expect(withExtraFields(defined, ['phone']).fields.map((field) => field.name)).toEqual(['email', 'phone']);
		expect(defined.fields.map((field) => field.name)).toEqual(['email']);
	});
});

describe('withExtraFields', () => {
	test('returns a copy that accepts the declared codes, leaving the original strict', () => {
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, ['loyaltyTier']);
		expect(resolveFieldName('loyaltyTier', tenantSchema)).toEqual({ name: 'loyaltyTier' });
		expect(resolveFieldName('loyaltyTier', PROFILE_SCHEMA).problem).toBeDefined();
		expect(PROFILE_SCHEMA.fields).toHaveLength(8);
	});

	test('respells a declared code like a fixed field', () => {
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, ['loyaltyTier']);
		expect(resolveFieldName('loyalty_tier', tenantSchema)).toEqual({ name: 'loyaltyTier' });
	});

	test('skips blank names and names the schema already has, and trims the rest', () => {
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, ['', '  ', 'firstName', ' city ', 'city']);
		expect(tenantSchema.fields.slice(8).map((field) => field.name)).toEqual(['city']);
	});

	test('declared codes are auto-mapped by their own name', () => {
		expect(autoMapFields({ LoyaltyTier: 'gold' }, withExtraFields(PROFILE_SCHEMA, ['loyaltyTier']))).toEqual({
			loyaltyTier: 'gold',
		});
	});

	test('a declared date code is formatted in the schema date format (MM-dd-yy)', () => {
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, [{ name: 'dateOfBirth', displayName: 'Date of Birth', kind: 'date' }]);
		const result = mapContact({
			itemIndex: 0,
			schema: tenantSchema,
			fields: [
				{ field: 'email1', value: 'ada@example.com' },
				{ field: 'dateOfBirth', value: '1991-03-07' },
			],
		});
		expect(result.fields.dateOfBirth).toBe('03-07-91');
	});

	test('a declared date-time code is formatted in the schema date-time format, in the given time zone', () => {
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, [{ name: 'lastVisit', displayName: 'Last Visit', kind: 'dateTime' }]);
		const result = mapContact({
			itemIndex: 0,
			schema: tenantSchema,
			timeZone: 'Asia/Kolkata',
			fields: [
				{ field: 'email1', value: 'ada@example.com' },
				{ field: 'lastVisit', value: '2024-03-07T23:30:00Z' },
			],
		});
		expect(result.fields.lastVisit).toBe('03-08-24');
	});
});

describe('end to end, one realistic item per target', () => {
	test('a coded profile from a Zoho CRM contact, with a tenant code and a date', () => {
		const zohoContact = {
			First_Name: 'Ada',
			Last_Name: 'Lovelace',
			Email: 'ADA@EXAMPLE.COM',
			Secondary_Email: 'countess@example.org',
			Phone: '+44 20 7946 0958',
			Mobile: '+44 7700 900123',
			Date_of_Birth: '1985-12-10',
			Lead_Source: 'Web',
		};
		const tenantSchema = withExtraFields(PROFILE_SCHEMA, [
			'loyaltyTier',
			{ name: 'birthDate', displayName: 'Birth Date', kind: 'date' },
		]);
		const result = mapContact({
			itemIndex: 0,
			schema: tenantSchema,
			input: zohoContact,
			fields: [
				{ field: 'birthDate', value: zohoContact.Date_of_Birth },
				{ field: 'loyaltyTier', value: 'gold' },
				{ field: 'alt_phone_2', value: '+44 20 7946 0000' },
			],
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({
			firstName: 'Ada',
			lastName: 'Lovelace',
			phone1: '+44 20 7946 0958',
			phone2: '+44 7700 900123',
			email1: 'ada@example.com',
			email2: 'countess@example.org',
			loyaltyTier: 'gold',
			birthDate: '12-10-85',
			altPhone2: '+44 20 7946 0000',
		});
	});

	test('a lead form from an S-360-style contact, names and email read from individualContact', () => {
		const contact = {
			contactNumber: 100234,
			individualContact: { firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.example' },
			phoneNumber: '+44 1908 640404',
			organisation: 'Bletchley Park',
			jobTitle: 'Cryptanalyst',
			comment: 'Season ticket holder',
		};
		const result = mapContact({
			itemIndex: 2,
			schema: LEAD_SCHEMA,
			input: contact,
			staticValues: [{ field: 'lead_source', value: 'S-360' }],
			fields: [{ field: '00N5g00000ABCDE', value: 100234 }],
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({
			email: 'alan@bletchley.example',
			first_name: 'Alan',
			last_name: 'Turing',
			phone: '+44 1908 640404',
			company: 'Bletchley Park',
			title: 'Cryptanalyst',
			lead_source: 'S-360',
			description: 'Season ticket holder',
			'00N5g00000ABCDE': 100234,
		});
	});
});
