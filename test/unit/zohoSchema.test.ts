import type { TargetSchema } from '../../nodes/shared/fieldMapping';
import { mapContact, normaliseFieldName, resolveFieldName } from '../../nodes/shared/fieldMapping';
import { ZOHO_CONTACTS, ZOHO_LEADS } from '../../nodes/ZohoCrmUpsertContact/schema';

const SCHEMAS: Array<[string, TargetSchema]> = [
	['Contacts', ZOHO_CONTACTS],
	['Leads', ZOHO_LEADS],
];

describe('Zoho CRM schemas', () => {
	test.each(SCHEMAS)('%s is frozen, so one execution cannot change another\'s', (_module, schema) => {
		expect(Object.isFrozen(schema)).toBe(true);
		expect(Object.isFrozen(schema.fields)).toBe(true);
		expect(schema.fields.every((field) => Object.isFrozen(field))).toBe(true);
	});

	test.each(SCHEMAS)('%s has unique field names that each resolve to themselves', (_module, schema) => {
		const names = schema.fields.map((field) => normaliseFieldName(field.name));
		expect(new Set(names).size).toBe(names.length);
		for (const field of schema.fields) expect(resolveFieldName(field.name, schema)).toEqual({ name: field.name });
	});

	test.each(SCHEMAS)('%s requires Last_Name only and caps both emails at 100 characters', (_module, schema) => {
		expect(schema.fields.filter((field) => field.required).map((field) => field.name)).toEqual(['Last_Name']);
		for (const name of ['Email', 'Secondary_Email']) {
			expect(schema.fields.find((field) => field.name === name)).toMatchObject({ kind: 'email', maxLength: 100 });
		}
	});

	test.each(SCHEMAS)('%s lets custom fields through, since the node checks them against the org', (_module, schema) => {
		expect(resolveFieldName('Ory_Identity_Id', schema)).toEqual({ name: 'Ory_Identity_Id' });
	});

	test('Contacts writes Date_of_Birth as yyyy-MM-dd; Leads has no standard birth date field', () => {
		expect(ZOHO_CONTACTS.fields.find((field) => field.name === 'Date_of_Birth')).toMatchObject({ kind: 'date' });
		expect(ZOHO_CONTACTS.dateFormat).toBe('zohoDate');
		expect(ZOHO_LEADS.fields.some((field) => field.name === 'Date_of_Birth')).toBe(false);
	});

	test('an email of 101 characters is refused rather than truncated by Zoho', () => {
		const result = mapContact({
			itemIndex: 0,
			schema: ZOHO_CONTACTS,
			fields: [
				{ field: 'Email', value: `${'a'.repeat(89)}@example.com` },
				{ field: 'Last_Name', value: 'Lovelace' },
			],
		});
		expect(result.problems.map((problem) => problem.message)).toEqual([
			'field "Email" is 101 characters long, more than the 100 allowed',
		]);
	});
});

describe('mapping one realistic item into Zoho CRM', () => {
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
});
