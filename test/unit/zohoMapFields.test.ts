/**
 * Zoho CRM Upsert Contact version 2: Map Fields as n8n's resource mapper. The fields come from
 * the org's fields metadata through the credential (the Zoho double serves it, custom fields and
 * read-only fields included); both mapping modes go through the shared mapping (mapContact), run
 * in-process on n8n's own ExecuteContext and LoadOptionsContext (test/unit/fakes/n8nContext.ts).
 */
import {
	NodeHelpers,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
	type ResourceMapperField,
} from 'n8n-workflow';

import { ZohoCrmUpsertContact } from '../../nodes/ZohoCrmUpsertContact/ZohoCrmUpsertContact.node';
import { resourceMapperFields } from '../../nodes/ZohoCrmUpsertContact/resourceMapping';
import { ZOHO_CONTACTS } from '../../nodes/ZohoCrmUpsertContact/schema';
import type { ZohoField } from '../../nodes/ZohoCrmUpsertContact/transport';
import { ZohoDouble, type ZohoRequestLogEntry } from '../doubles/zohoDouble';
import { loadOptionsContext, runNode } from './fakes/n8nContext';
import { zohoDoubleCredentials } from './fakes/zohoDoubleCredentials';

const CLIENT = { clientId: 'mapper-client', clientSecret: 'mapper-secret-5c6d', refreshTokens: ['1000.mapper-refresh.e7f8'] };

let double: ZohoDouble;
let credentials: Record<string, ICredentialDataDecryptedObject>;
const nodeType = new ZohoCrmUpsertContact();

beforeAll(async () => {
	double = new ZohoDouble({ clients: [CLIENT] });
	await double.start();
	credentials = zohoDoubleCredentials(double, CLIENT);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.clearFaults();
});

async function mappingFields(module: 'Contacts' | 'Leads'): Promise<ResourceMapperField[]> {
	const context = loadOptionsContext({ nodeType, parameters: { authentication: 'refreshToken', module }, credentials });
	const answer = await nodeType.methods.resourceMapping.getMappingFields.call(context);
	return answer.fields;
}

function field(fields: ResourceMapperField[], id: string): ResourceMapperField | undefined {
	return fields.find((candidate) => candidate.id === id);
}

/** The Map Fields parameter as the editor stores it, with the schema it loaded. */
function columns(mappingMode: 'defineBelow' | 'autoMapInputData', value: IDataObject | null, schema: ResourceMapperField[], matchingColumns = ['Email']): INodeParameters {
	return { mappingMode, value, matchingColumns, schema, attemptToConvertTypes: false, convertFieldsToString: false } as unknown as INodeParameters;
}

async function runVersionTwo(items: INodeExecutionData[], mapFields: INodeParameters, options: IDataObject = {}): Promise<INodeExecutionData[]> {
	const [output] = await runNode({
		nodeType,
		typeVersion: 2,
		parameters: { authentication: 'refreshToken', module: 'Contacts', columns: mapFields, options: options as INodeParameters },
		credentials,
		items,
	});
	return output;
}

function upserts(): ZohoRequestLogEntry[] {
	return double.requests.filter((request) => request.path.endsWith('/Contacts/upsert'));
}

function lastSentRecords(): IDataObject[] {
	const requests = upserts();
	return (requests[requests.length - 1].body as { data: IDataObject[] }).data;
}

describe('the node’s versions', () => {
	function shownParameters(typeVersion: number, module: 'Contacts' | 'Leads'): string[] {
		const values: INodeParameters = { authentication: 'refreshToken', module };
		return nodeType.description.properties
			.filter((property) => NodeHelpers.displayParameter(values, property, { typeVersion }, nodeType.description))
			.map((property) => property.name);
	}

	it('adds a node at version 2, and keeps version 1 for existing workflows', () => {
		expect(nodeType.description.version).toEqual([1, 2]);
		expect(nodeType.description.defaultVersion).toBe(2);
	});

	it('shows version 1 its own parameters, exactly as before, and not Map Fields', () => {
		expect(shownParameters(1, 'Contacts')).toEqual(['authentication', 'module', 'autoMap', 'contactFields', 'otherFields', 'duplicateCheckFields', 'options']);
		expect(shownParameters(1, 'Leads')).toEqual(['authentication', 'module', 'autoMap', 'leadFields', 'otherFields', 'duplicateCheckFields', 'options']);
	});

	it('shows version 2 Map Fields in place of the field collections and the duplicate-check text', () => {
		expect(shownParameters(2, 'Contacts')).toEqual(['authentication', 'module', 'columns', 'options']);
		expect(shownParameters(2, 'Leads')).toEqual(['authentication', 'module', 'columns', 'options']);
	});
});

describe('Map Fields: the org’s fields as the resource mapper lists them', () => {
	let contacts: ResourceMapperField[];
	beforeAll(async () => {
		contacts = await mappingFields('Contacts');
	});

	it('lists the writable Contacts fields, each with the n8n type of its Zoho type', () => {
		expect(contacts.map(({ id, type }) => [id, type])).toEqual([
			['Email', 'string'],
			['Secondary_Email', 'string'],
			['First_Name', 'string'],
			['Last_Name', 'string'],
			['Phone', 'string'],
			['Mobile', 'string'],
			['Account_Name', 'string'],
			['Date_of_Birth', 'dateTime'],
			['Title', 'string'],
			['Lead_Source', 'options'],
			['Mailing_Street', 'string'],
			['Mailing_City', 'string'],
			['Mailing_State', 'string'],
			['Mailing_Zip', 'string'],
			['Mailing_Country', 'string'],
			['Description', 'string'],
			['Customer_Tier', 'options'],
			['Newsletter_Opt_In', 'boolean'],
		]);
	});

	it('marks Last_Name, and only Last_Name, required on Contacts and on Leads', async () => {
		const leads = await mappingFields('Leads');
		expect(contacts.filter((candidate) => candidate.required).map((candidate) => candidate.id)).toEqual(['Last_Name']);
		expect(leads.filter((candidate) => candidate.required).map((candidate) => candidate.id)).toEqual(['Last_Name']);
	});

	it('leaves the read-only fields (Created_Time, Modified_Time) out', () => {
		expect(field(contacts, 'Created_Time')).toBeUndefined();
		expect(field(contacts, 'Modified_Time')).toBeUndefined();
	});

	it('includes the org’s custom fields, a picklist with its choices but without -None-', () => {
		expect(field(contacts, 'Customer_Tier')).toMatchObject({
			displayName: 'Customer Tier',
			type: 'options',
			options: [
				{ name: 'Bronze', value: 'Bronze' },
				{ name: 'Silver', value: 'Silver' },
				{ name: 'Gold', value: 'Gold' },
				{ name: 'Platinum', value: 'Platinum' },
			],
		});
		expect(field(contacts, 'Newsletter_Opt_In')).toMatchObject({ displayName: 'Newsletter Opt In', type: 'boolean', required: false });
	});

	it('offers Email as the default duplicate-check field, and no choice, flag or date to match on', () => {
		expect(contacts.filter((candidate) => candidate.defaultMatch).map((candidate) => candidate.id)).toEqual(['Email']);
		for (const id of ['Lead_Source', 'Customer_Tier', 'Newsletter_Opt_In', 'Date_of_Birth', 'Description']) {
			expect(field(contacts, id)?.canBeUsedToMatch).toBe(false);
		}
		expect(field(contacts, 'Phone')?.canBeUsedToMatch).toBe(true);
	});

	it('lists the Leads module’s own fields (Company, Street) when the module is Leads', async () => {
		const leads = await mappingFields('Leads');
		expect(field(leads, 'Company')).toMatchObject({ type: 'string', required: false });
		expect(field(leads, 'Street')).toBeDefined();
		expect(field(leads, 'Mailing_Street')).toBeUndefined();
	});

	it('fails clearly, naming the credential’s host as what to check, when a 200 answer is not Zoho’s fields metadata', async () => {
		double.injectFault({ kind: 'status', status: 200, path: 'fields', body: '<html><title>Sign in</title></html>' });
		const error = await mappingFields('Contacts').then(
			() => undefined,
			(e: unknown) => e as Error & { description?: string },
		);
		expect(error?.message).toMatch(/fields of Contacts did not come back as Zoho's fields metadata/);
		expect(error?.description).toMatch(/data centre or the custom API URL/);
	});
});

describe('Map Fields: field types and left-out kinds, from metadata the double does not serve', () => {
	const zohoField = (api_name: string, data_type: string, extra: Partial<ZohoField> = {}): ZohoField => ({
		api_name,
		field_label: api_name.replace(/_/g, ' '),
		data_type,
		...extra,
	});

	it('types Zoho’s number fields as numbers, and a date-time field as dateTime', () => {
		const fields = resourceMapperFields(
			[zohoField('Visits', 'integer'), zohoField('Spend', 'currency'), zohoField('Score', 'double'), zohoField('Last_Visit', 'datetime')],
			ZOHO_CONTACTS,
			'Email',
		);
		expect(fields.map(({ id, type }) => [id, type])).toEqual([
			['Visits', 'number'],
			['Spend', 'number'],
			['Score', 'number'],
			['Last_Visit', 'dateTime'],
		]);
	});

	it('leaves out fields Zoho fills with a record reference or a list, and fields marked field_read_only', () => {
		const fields = resourceMapperFields(
			[
				zohoField('Owner', 'ownerlookup'),
				zohoField('Reporting_To', 'lookup'),
				zohoField('Interests', 'multiselectpicklist'),
				zohoField('Record_Image', 'profileimage'),
				zohoField('Full_Name', 'text', { field_read_only: true }),
				zohoField('Account_Name', 'lookup'),
			],
			ZOHO_CONTACTS,
			'Email',
		);
		expect(fields.map(({ id }) => id)).toEqual(['Account_Name']);
	});

	it('shows the API name beside a label that does not spell it', () => {
		const [renamed] = resourceMapperFields([zohoField('Tier__c', 'text', { field_label: 'Customer Tier' })], ZOHO_CONTACTS, 'Email');
		expect(renamed.displayName).toBe('Customer Tier (Tier__c)');
	});
});

describe('Version 2, Define Below: values sent as typed, through the shared mapping', () => {
	let schema: ResourceMapperField[];
	beforeAll(async () => {
		schema = await mappingFields('Contacts');
	});

	it('sends each mapped field, custom fields typed by their Zoho type, and the email as the mapping writes it', async () => {
		const output = await runVersionTwo(
			[{ json: { mail: 'Ada.Lovelace@Example.test', tier: 'Gold', optIn: 'true' } }],
			columns(
				'defineBelow',
				{
					Email: '={{ $json.mail }}',
					Last_Name: 'Lovelace',
					Date_of_Birth: '1815-12-10',
					Customer_Tier: '={{ $json.tier }}',
					Newsletter_Opt_In: '={{ $json.optIn }}',
				},
				schema,
			),
		);
		expect(output[0].json).toMatchObject({ status: 'success', action: 'insert' });
		expect(lastSentRecords()).toEqual([
			{ Email: 'ada.lovelace@example.test', Last_Name: 'Lovelace', Date_of_Birth: '1815-12-10', Customer_Tier: 'Gold', Newsletter_Opt_In: true },
		]);
	});

	it('sends the chosen columns to match on as Zoho’s duplicate_check_fields, in order', async () => {
		await runVersionTwo(
			[{ json: {} }],
			columns('defineBelow', { Email: 'grace@example.test', Phone: '+1 202 555 0100', Last_Name: 'Hopper' }, schema, ['Phone', 'Email']),
		);
		const requests = upserts();
		expect((requests[requests.length - 1].body as IDataObject).duplicate_check_fields).toEqual(['Phone', 'Email']);
	});

	it('refuses an ambiguous date before any call, where n8n’s own conversion would have picked a reading', async () => {
		const before = upserts().length;
		const error = await runVersionTwo(
			[{ json: {} }],
			columns('defineBelow', { Email: 'ambiguous@example.test', Last_Name: 'Doe', Date_of_Birth: '03/04/1990' }, schema),
		).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toMatch(/^Item 0: field "Date_of_Birth" has an invalid date/);
		expect(upserts()).toHaveLength(before);
	});

	it('refuses a custom flag that is not true or false, naming the field', async () => {
		const error = await runVersionTwo(
			[{ json: {} }],
			columns('defineBelow', { Email: 'flag@example.test', Last_Name: 'Doe', Newsletter_Opt_In: 'yes' }, schema),
		).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toBe('Item 0: field "Newsletter_Opt_In" expects true or false, not "yes"');
	});

	it('fails an item without Last_Name before any call, as Zoho requires it', async () => {
		const before = upserts().length;
		const error = await runVersionTwo([{ json: {} }], columns('defineBelow', { Email: 'nolast@example.test', Last_Name: null }, schema)).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toBe('Item 0: field "Last_Name" is required but empty');
		expect(upserts()).toHaveLength(before);
	});

	it('does not auto-map the input in Define Below: only the mapped fields are sent', async () => {
		await runVersionTwo(
			[{ json: { first_name: 'Unmapped', phone: '+1 202 555 0101' } }],
			columns('defineBelow', { Email: 'only@example.test', Last_Name: 'Mapped' }, schema),
		);
		expect(lastSentRecords()).toEqual([{ Email: 'only@example.test', Last_Name: 'Mapped' }]);
	});
});

describe('Version 2, Map Automatically: the shared auto-mapping', () => {
	let schema: ResourceMapperField[];
	beforeAll(async () => {
		schema = await mappingFields('Contacts');
	});

	it('fills fields from common input names and from input keys spelled as a Zoho field, custom fields included', async () => {
		await runVersionTwo(
			[{ json: { email: 'auto@example.test', given_name: 'Alan', family_name: 'Turing', customer_tier: 'Silver', newsletter_opt_in: false } }],
			columns('autoMapInputData', { Email: 'left-over@example.test' }, schema),
		);
		expect(lastSentRecords()).toEqual([
			{ Email: 'auto@example.test', First_Name: 'Alan', Last_Name: 'Turing', Customer_Tier: 'Silver', Newsletter_Opt_In: false },
		]);
	});

	it('keeps the auto-mapping’s rules: an ambiguous birth date fails the item before any call, naming the input key', async () => {
		const before = upserts().length;
		const error = await runVersionTwo(
			[{ json: { email: 'dob@example.test', last_name: 'Doe', birthdate: '03/04/1990' } }],
			columns('autoMapInputData', null, schema),
		).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/field "Date_of_Birth" has an invalid date: .*\(auto-mapped from input "birthdate"\)$/s);
		expect(upserts()).toHaveLength(before);
	});

	it('maps the same as version 1 when the schema lists only the standard fields (a template without the org’s fields)', async () => {
		await runVersionTwo([{ json: { email: 'plain@example.test', first_name: 'Plain', last_name: 'Item', company: 'Acme' } }], columns('autoMapInputData', null, []));
		expect(lastSentRecords()).toEqual([{ Email: 'plain@example.test', First_Name: 'Plain', Last_Name: 'Item', Account_Name: 'Acme' }]);
	});
});
