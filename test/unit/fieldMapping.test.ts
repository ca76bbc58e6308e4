import type { IDataObject } from 'n8n-workflow';

import { formatDate, InvalidDateError } from '../../nodes/shared/dates';
import {
	autoMapFields,
	CONCEPT_ALIASES,
	findAutoMappedValues,
	formatProblems,
	isEmptyValue,
	levenshteinDistance,
	mapContact,
	normaliseFieldName,
	resolveFieldName,
	splitFullName,
	suggestFieldName,
	toCamelCase,
} from '../../nodes/shared/fieldMapping';
import type { ContactConcept, MappingInput, TargetSchema } from '../../nodes/shared/fieldMapping';
import {
	GENERIC_CRM,
	MEHERY_CONTACT_CODE_PATTERN,
	MEHERY_PROFILE,
	meheryCodeKind,
	TARGET_SCHEMAS,
	withExtraFields,
	ZOHO_CONTACTS,
	ZOHO_LEADS,
} from '../../nodes/shared/targets';

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
		expect(mapKinds({ day: '03/07/2024' }).fields.day).toBe('2024-03-07');
	});

	test('formats kind dateTime with the schema dateTimeFormat, in UTC by default', () => {
		expect(mapKinds({ moment: '2024-03-07T14:05:09+02:00' }).fields.moment).toBe('2024-03-07T12:05:09.000+00:00');
	});

	test('formats dates in the given time zone', () => {
		const result = mapKinds({ moment: '2024-03-07T23:30:00Z', day: 1709854200 }, { timeZone: 'Asia/Kolkata' });
		expect(result.fields).toMatchObject({ moment: '2024-03-08T05:00:00.000+05:30', day: '2024-03-08' });
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
	const base = { itemIndex: 0, schema: GENERIC_CRM };

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
			schema: MEHERY_PROFILE,
			fields: [{ field: 'email1', value: 'ada@example.com' }],
			requiredFallbacks: { surname: 'Unknown' },
		});
		expect(result.problems).toEqual([
			{ itemIndex: 0, field: 'surname', message: 'field "surname" is not a field of MeherY Customer Profile' },
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
		const result = mapContact({ itemIndex: 2, schema: MEHERY_PROFILE, fields: [{ field: 'firstNme', value: 'Ada' }] });
		expect(result.problems).toContainEqual({
			itemIndex: 2,
			field: 'firstNme',
			message: 'field "firstNme" is not a field of MeherY Customer Profile; did you mean "firstName"?',
		});
		expect(result.fields).not.toHaveProperty('firstNme');
	});

	test('an unknown name with nothing close gets no suggestion', () => {
		expect(resolveFieldName('favouriteColour', MEHERY_PROFILE)).toEqual({
			problem: 'field "favouriteColour" is not a field of MeherY Customer Profile',
		});
	});

	test('an unknown name is reported even when its value is empty', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: MEHERY_PROFILE,
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
			schema: MEHERY_PROFILE,
			fields: [
				{ field: 'phone3', value: '+91 98765 43210' },
				{ field: 'altEmail2', value: 'Work@Example.com' },
			],
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({ phone3: '+91 98765 43210', altEmail2: 'work@example.com' });
	});

	test('a pattern-matched name gets the kind the schema gives it', () => {
		const result = mapContact({ itemIndex: 0, schema: MEHERY_PROFILE, fields: [{ field: 'email3', value: 'not-an-email' }] });
		expect(result.problems).toContainEqual({
			itemIndex: 0,
			field: 'email3',
			message: 'field "email3" is not an email address: "not-an-email"',
		});
	});

	test('a name that differs from a pattern code only in case and separators is respelled as the camelCase code', () => {
		expect(resolveFieldName('ALT_PHONE_2', MEHERY_PROFILE)).toEqual({ name: 'altPhone2' });
		expect(resolveFieldName('Phone 3', MEHERY_PROFILE)).toEqual({ name: 'phone3' });
	});

	test('index 0 is not a MeherY contact code', () => {
		expect(resolveFieldName('phone0', MEHERY_PROFILE).problem).toMatch(/^field "phone0" is not a field of MeherY/);
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
		expect(resolveFieldName('First Name', MEHERY_PROFILE)).toEqual({ name: 'firstName' });
	});

	test('surrounding spaces in a name are ignored', () => {
		expect(resolveFieldName('  Email ', ZOHO_CONTACTS)).toEqual({ name: 'Email' });
	});

	test('an empty field name is a problem', () => {
		const result = mapContact({ itemIndex: 4, schema: GENERIC_CRM, fields: [{ field: '  ', value: 'x' }] });
		expect(result.problems).toEqual([{ itemIndex: 4, field: '', message: 'a field name is empty' }]);
	});

	test('a field name that is not a string is reported as empty, not thrown', () => {
		const fields = [{ field: undefined as unknown as string, value: 'x' }];
		expect(mapContact({ itemIndex: 0, schema: GENERIC_CRM, fields }).problems.map((p) => p.message)).toEqual([
			'a field name is empty',
		]);
	});

	test('a static value under an unknown name is a problem too', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: MEHERY_PROFILE,
			fields: [{ field: 'email1', value: 'ada@example.com' }],
			staticValues: [{ field: 'leadSource', value: 'Chatbot' }],
		});
		expect(result.problems.map((problem) => problem.field)).toEqual(['leadSource']);
	});
});

describe('suggestFieldName and levenshteinDistance', () => {
	test.each([
		['kitten', 'sitting', 3],
		['', 'abc', 3],
		['abc', '', 3],
		['email', 'email', 0],
		['emial', 'email', 2],
	])('distance from %p to %p is %p', (a, b, distance) => {
		expect(levenshteinDistance(a, b)).toBe(distance);
	});

	test('suggests a transposed name', () => {
		expect(suggestFieldName('emial1', MEHERY_PROFILE)).toBe('email1');
	});

	test('suggests the closest of several candidates', () => {
		expect(suggestFieldName('phone_2x', MEHERY_PROFILE)).toBe('phone2');
	});

	test('does not suggest for very short names', () => {
		expect(suggestFieldName('ph', MEHERY_PROFILE)).toBeUndefined();
	});
});

describe('toCamelCase', () => {
	test.each([
		['alt_phone_2', 'altPhone2'],
		['Alt Phone 2', 'altPhone2'],
		['ALT-PHONE-2', 'altPhone2'],
		['altPhone2', 'altPhone2'],
		['PHONE3', 'phone3'],
	])('turns %p into %p', (name, camel) => {
		expect(toCamelCase(name)).toBe(camel);
	});
});

describe('atLeastOneOf', () => {
	test('none of the keys set is one problem listing them', () => {
		const result = mapContact({ itemIndex: 5, schema: MEHERY_PROFILE, fields: [{ field: 'firstName', value: 'Ada' }] });
		expect(result.problems).toEqual([
			{
				itemIndex: 5,
				field: 'phone1, phone2, email1, email2',
				message: 'at least one of the fields "phone1", "phone2", "email1", "email2" must be set for MeherY Customer Profile',
			},
		]);
	});

	test('any one key satisfies it', () => {
		const result = mapContact({ itemIndex: 0, schema: MEHERY_PROFILE, fields: [{ field: 'email2', value: 'ada@example.com' }] });
		expect(result.problems).toEqual([]);
	});

	test('a key matching atLeastOneOfPattern satisfies it too (MeherY phone3 is a unique key)', () => {
		const result = mapContact({ itemIndex: 0, schema: MEHERY_PROFILE, fields: [{ field: 'phone3', value: '+91 98765 43210' }] });
		expect(result.problems).toEqual([]);
	});

	test('repeated MeherY keys (altPhone, altEmail) do not satisfy it', () => {
		const result = mapContact({ itemIndex: 0, schema: MEHERY_PROFILE, fields: [{ field: 'altEmail1', value: 'ada@example.com' }] });
		expect(result.problems.map((problem) => problem.field)).toEqual(['phone1, phone2, email1, email2']);
	});

	test('a key with an invalid value reports only the invalid value', () => {
		const result = mapContact({ itemIndex: 0, schema: MEHERY_PROFILE, fields: [{ field: 'email1', value: 'not-an-email' }] });
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
		email: ['email', 'emailaddress', 'mail', 'primaryemail', 'email1', 'e_mail'],
		secondaryEmail: ['secondaryemail', 'email2'],
		firstName: ['firstname', 'givenname', 'first', 'fname', 'forename', 'name.first', 'name.given'],
		lastName: ['lastname', 'familyname', 'surname', 'last', 'lname', 'name.last', 'name.family'],
		fullName: ['name', 'fullname', 'displayname'],
		phone: ['phone', 'phonenumber', 'telephone', 'tel', 'phone1', 'workphone'],
		mobile: ['mobile', 'mobilephone', 'cell', 'cellphone', 'mobilenumber'],
		company: ['company', 'companyname', 'organization', 'organisation', 'org', 'accountname'],
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

	test('CONCEPT_ALIASES contains every required alias', () => {
		for (const [concept, aliases] of Object.entries(REQUIRED_ALIASES)) {
			expect(CONCEPT_ALIASES[concept as ContactConcept]).toEqual(expect.arrayContaining(aliases));
		}
	});

	/** A dotted alias is a nested key: 'name.first' → { name: { first } }. */
	function inputFor(alias: string, value: string): IDataObject {
		const [parent, child] = alias.split('.');
		return child === undefined ? { [parent]: value } : { [parent]: { [child]: value } };
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
		expect(autoMapFields({ ALT_PHONE_1: '+91 1', altEmail1: 'a@example.com' }, MEHERY_PROFILE)).toEqual({
			altPhone1: '+91 1',
			altEmail1: 'a@example.com',
		});
	});

	test('the field\'s own name wins over its concept aliases', () => {
		expect(autoMapFields({ phone: '+1 111', phone1: '+1 222' }, MEHERY_PROFILE)).toEqual({ phone1: '+1 222' });
	});

	test('the first alias in the list wins, whatever the key order', () => {
		expect(autoMapFields({ mail: 'second@example.com', email: 'first@example.com' }, GENERIC_CRM)).toEqual({
			email: 'first@example.com',
		});
	});

	test('a top-level key wins over a nested one', () => {
		const input = { traits: { email: 'nested@example.com' }, mail: 'top@example.com' };
		expect(autoMapFields(input, GENERIC_CRM)).toEqual({ email: 'top@example.com' });
	});

	test('a key spelled like one field\'s own name never feeds another field\'s alias', () => {
		const schema: TargetSchema = {
			...GENERIC_CRM,
			fields: [
				{ name: 'main', displayName: 'Main', concept: 'phone' },
				{ name: 'tel', displayName: 'Tel' },
			],
		};
		expect(autoMapFields({ tel: '+1 555 0100' }, schema)).toEqual({ tel: '+1 555 0100' });
	});

	test('when two fields share a concept only the first one gets its aliases', () => {
		const schema: TargetSchema = {
			...GENERIC_CRM,
			fields: [
				{ name: 'work', displayName: 'Work', concept: 'email' },
				{ name: 'home', displayName: 'Home', concept: 'email' },
			],
		};
		expect(autoMapFields({ email: 'ada@example.com' }, schema)).toEqual({ work: 'ada@example.com' });
	});

	test('a nested key whose dotted path is a field\'s own name goes to that field, not by its leaf', () => {
		expect(autoMapFields({ alt: { phone1: '+44 1' } }, MEHERY_PROFILE)).toEqual({ altPhone1: '+44 1' });
	});

	test('empty values, objects and lists are skipped so the next alias can match', () => {
		const input = { email: '  ', emailAddress: ['x@example.com'], mail: { value: 'y@example.com' }, primaryEmail: 'z@example.com' };
		expect(autoMapFields(input, GENERIC_CRM)).toEqual({ email: 'z@example.com' });
	});

	test('keys that match nothing are not passed through', () => {
		expect(autoMapFields({ favouriteColour: 'green', Last_Name: 'Lovelace' }, ZOHO_CONTACTS)).toEqual({ Last_Name: 'Lovelace' });
	});

	test('values are returned raw: normalisation happens in mapContact', () => {
		expect(autoMapFields({ email: ' ADA@Example.com ', phone: 4420794609 }, GENERIC_CRM)).toEqual({
			email: ' ADA@Example.com ',
			phone: 4420794609,
		});
	});

	test('findAutoMappedValues tells where each value came from', () => {
		expect(findAutoMappedValues({ traits: { email: 'ada@example.com' }, name: 'Ada Lovelace' }, GENERIC_CRM)).toEqual([
			{ field: 'email', value: 'ada@example.com', sourcePath: 'traits.email' },
			{ field: 'first_name', value: 'Ada', sourcePath: 'name (split)' },
			{ field: 'last_name', value: 'Lovelace', sourcePath: 'name (split)' },
		]);
	});
});

describe('auto-mapping: nested keys', () => {
	test('reads name.first and name.last', () => {
		expect(autoMapFields({ name: { first: 'Ada', last: 'Lovelace' } }, ZOHO_CONTACTS)).toEqual({
			First_Name: 'Ada',
			Last_Name: 'Lovelace',
		});
	});

	test('reads Ory-style traits.email and traits.name (split)', () => {
		expect(autoMapFields({ traits: { email: 'ada@example.com', name: 'Ada Lovelace' } }, ZOHO_CONTACTS)).toEqual({
			Email: 'ada@example.com',
			First_Name: 'Ada',
			Last_Name: 'Lovelace',
		});
	});

	test('reads address.city, address.street and the like by their leaf name', () => {
		const input = { address: { street: '12 St James Square', city: 'London', zip: 'SW1Y 4JH', country: 'UK' } };
		expect(autoMapFields(input, ZOHO_CONTACTS)).toEqual({
			Mailing_Street: '12 St James Square',
			Mailing_City: 'London',
			Mailing_Zip: 'SW1Y 4JH',
			Mailing_Country: 'UK',
		});
	});

	test('reads company.name as the company, never as a person\'s full name', () => {
		expect(autoMapFields({ company: { name: 'Analytical Engines Ltd' } }, GENERIC_CRM)).toEqual({
			company: 'Analytical Engines Ltd',
		});
	});

	test('looks only one level deep', () => {
		expect(autoMapFields({ identity: { traits: { email: 'ada@example.com' } } }, GENERIC_CRM)).toEqual({});
	});

	test('does not look inside lists', () => {
		expect(autoMapFields({ emails: [{ email: 'ada@example.com' }] }, GENERIC_CRM)).toEqual({});
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

	test('a single-word full name fills only the last name', () => {
		expect(autoMapFields({ name: 'Lovelace' }, GENERIC_CRM)).toEqual({ last_name: 'Lovelace' });
	});

	test('fills only the missing half', () => {
		expect(autoMapFields({ name: 'Ada Lovelace', lastName: 'Byron' }, GENERIC_CRM)).toEqual({
			first_name: 'Ada',
			last_name: 'Byron',
		});
	});

	test('is not used when first and last name are both present', () => {
		expect(autoMapFields({ displayName: 'The Countess', firstName: 'Ada', lastName: 'Lovelace' }, GENERIC_CRM)).toEqual({
			first_name: 'Ada',
			last_name: 'Lovelace',
		});
	});

	test('a full name that is not a string is not split', () => {
		expect(autoMapFields({ name: 42 }, GENERIC_CRM)).toEqual({});
	});

	test('a full name already mapped to a full-name field is not split as well', () => {
		const schema: TargetSchema = {
			...GENERIC_CRM,
			fields: [
				{ name: 'display', displayName: 'Display', concept: 'fullName' },
				{ name: 'given', displayName: 'Given', concept: 'firstName' },
				{ name: 'family', displayName: 'Family', concept: 'lastName' },
			],
		};
		expect(autoMapFields({ name: 'Ada Lovelace' }, schema)).toEqual({ display: 'Ada Lovelace' });
	});

	test('is not needed by a target without first and last name fields', () => {
		const schema: TargetSchema = { ...GENERIC_CRM, fields: [{ name: 'email', displayName: 'Email', kind: 'email' }] };
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
		const result = mapContact({ itemIndex: 0, schema: GENERIC_CRM, staticValues: [{ field: 'email', value: 'sales' }] });
		expect(result.problems[0].message).toBe('field "email" is not an email address: "sales" (static value)');
	});

	test('a problem with a fallback value says so', () => {
		const result = mapContact({ itemIndex: 0, schema: GENERIC_CRM, requiredFallbacks: { email: 'nobody' } });
		expect(result.problems[0].message).toBe('field "email" is not an email address: "nobody" (fallback value)');
	});

	test('fields without problems are still returned next to the problems', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: GENERIC_CRM,
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

describe('target schemas', () => {
	test('are frozen, so one node cannot change another\'s schema', () => {
		for (const schema of TARGET_SCHEMAS) {
			expect(Object.isFrozen(schema)).toBe(true);
			expect(Object.isFrozen(schema.fields)).toBe(true);
			expect(schema.fields.every((field) => Object.isFrozen(field))).toBe(true);
		}
	});

	test('have unique field names that each resolve to themselves', () => {
		for (const schema of TARGET_SCHEMAS) {
			const names = schema.fields.map((field) => normaliseFieldName(field.name));
			expect(new Set(names).size).toBe(names.length);
			for (const field of schema.fields) expect(resolveFieldName(field.name, schema)).toEqual({ name: field.name });
		}
	});

	test('Zoho Contacts and Leads require Last_Name and cap emails at 100 characters', () => {
		for (const schema of [ZOHO_CONTACTS, ZOHO_LEADS]) {
			expect(schema.fields.filter((field) => field.required).map((field) => field.name)).toEqual(['Last_Name']);
			expect(schema.fields.find((field) => field.name === 'Email')).toMatchObject({ kind: 'email', maxLength: 100 });
		}
	});

	test('MeherY pattern codes are phones or emails by name', () => {
		expect(meheryCodeKind('altEmail2')).toBe('email');
		expect(meheryCodeKind('phone3')).toBe('phone');
		expect(meheryCodeKind('loyaltyTier')).toBeUndefined();
	});

	test('the MeherY pattern accepts numbered contact codes only', () => {
		expect(['phone1', 'email12', 'altPhone3', 'altEmail1'].every((code) => MEHERY_CONTACT_CODE_PATTERN.test(code))).toBe(true);
		expect(['phone', 'phone0', 'Phone1', 'altphone1', 'fax1'].some((code) => MEHERY_CONTACT_CODE_PATTERN.test(code))).toBe(false);
	});
});

describe('withExtraFields', () => {
	test('returns a copy that accepts the declared codes, leaving the original strict', () => {
		const tenantSchema = withExtraFields(MEHERY_PROFILE, ['loyaltyTier']);
		expect(resolveFieldName('loyaltyTier', tenantSchema)).toEqual({ name: 'loyaltyTier' });
		expect(resolveFieldName('loyaltyTier', MEHERY_PROFILE).problem).toBeDefined();
		expect(MEHERY_PROFILE.fields).toHaveLength(8);
	});

	test('respells a declared code like a fixed field', () => {
		const tenantSchema = withExtraFields(MEHERY_PROFILE, ['loyaltyTier']);
		expect(resolveFieldName('loyalty_tier', tenantSchema)).toEqual({ name: 'loyaltyTier' });
	});

	test('skips blank names and names the schema already has, and trims the rest', () => {
		const tenantSchema = withExtraFields(MEHERY_PROFILE, ['', '  ', 'firstName', ' city ', 'city']);
		expect(tenantSchema.fields.slice(8).map((field) => field.name)).toEqual(['city']);
	});

	test('declared codes are auto-mapped by their own name', () => {
		expect(autoMapFields({ LoyaltyTier: 'gold' }, withExtraFields(MEHERY_PROFILE, ['loyaltyTier']))).toEqual({
			loyaltyTier: 'gold',
		});
	});

	test('a declared date code is formatted as MeherY MM-dd-yy', () => {
		const tenantSchema = withExtraFields(MEHERY_PROFILE, [{ name: 'dateOfBirth', displayName: 'Date of Birth', kind: 'date' }]);
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

	test('MeherY date-times are also MM-dd-yy, in the given time zone', () => {
		const tenantSchema = withExtraFields(MEHERY_PROFILE, [{ name: 'lastVisit', displayName: 'Last Visit', kind: 'dateTime' }]);
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
	test('Zoho Contacts from an Ory identity\'s traits', () => {
		const traits = {
			email: ' Ada.Lovelace@Example.com',
			name: { first: 'Ada', last: 'Lovelace' },
			phone: '+44 20 7946 0958',
			company: 'Analytical Engines Ltd',
			birthday: '1815-12-10',
			address: { street: '12 St James Square', city: 'London', country: 'United Kingdom' },
			newsletter: true,
		};
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			input: traits,
			staticValues: [{ field: 'Lead_Source', value: 'Ory' }],
			fields: [{ field: 'Ory_Identity_Id', value: '9f1c2d3e' }],
			requiredFallbacks: { Last_Name: 'Unknown' },
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({
			Email: 'ada.lovelace@example.com',
			First_Name: 'Ada',
			Last_Name: 'Lovelace',
			Phone: '+44 20 7946 0958',
			Account_Name: 'Analytical Engines Ltd',
			Lead_Source: 'Ory',
			Date_of_Birth: '1815-12-10',
			Mailing_Street: '12 St James Square',
			Mailing_City: 'London',
			Mailing_Country: 'United Kingdom',
			Ory_Identity_Id: '9f1c2d3e',
		});
	});

	test('Zoho Leads from a chatbot lead with only a full name', () => {
		const lead = {
			name: 'Grace Brewster Hopper',
			email: 'grace@navy.example',
			phoneNumber: '(555) 010-0199',
			company: 'US Navy',
			website: 'https://navy.example',
			message: 'ignored: no target field',
			notes: 'Wants a demo of COBOL tooling',
			city: 'Arlington',
		};
		const result = mapContact({
			itemIndex: 1,
			schema: ZOHO_LEADS,
			input: lead,
			staticValues: [{ field: 'Lead_Source', value: 'Chatbot' }],
			requiredFallbacks: { Last_Name: 'Unknown' },
		});
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({
			Email: 'grace@navy.example',
			First_Name: 'Grace Brewster',
			Last_Name: 'Hopper',
			Phone: '(555) 010-0199',
			Company: 'US Navy',
			Website: 'https://navy.example',
			Lead_Source: 'Chatbot',
			City: 'Arlington',
			Description: 'Wants a demo of COBOL tooling',
		});
	});

	test('MeherY profile from a Zoho CRM contact, with a tenant code and a date', () => {
		const zohoContact = {
			First_Name: 'Ada',
			Last_Name: 'Lovelace',
			Email: 'ADA@EXAMPLE.COM',
			Secondary_Email: 'countess@example.org',
			Phone: '+44 20 7946 0958',
			Mobile: '+44 7700 900123',
			Date_of_Birth: '1815-12-10',
			Lead_Source: 'Web',
		};
		const tenantSchema = withExtraFields(MEHERY_PROFILE, [
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
			birthDate: '12-10-15',
			altPhone2: '+44 20 7946 0000',
		});
	});

	test('Generic CRM (Web-to-Lead names) from an S-360-style contact', () => {
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
			schema: GENERIC_CRM,
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
			'00N5g00000ABCDE': '100234',
		});
	});
});
