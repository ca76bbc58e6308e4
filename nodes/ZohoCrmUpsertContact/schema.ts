import { defineSchema, type TargetField, type TargetSchema } from '../shared/fieldMapping';

/** The standard fields of Zoho CRM Contacts and Leads, for mapContact. */

// Zoho stores at most 100 characters in an email field and silently truncates longer ones,
// which defeats the upsert's duplicate check on Email.
const ZOHO_EMAIL_MAX_LENGTH = 100;

const ZOHO_PERSON_FIELDS: TargetField[] = [
	{ name: 'Email', displayName: 'Email', kind: 'email', concept: 'email', maxLength: ZOHO_EMAIL_MAX_LENGTH },
	{
		name: 'Secondary_Email',
		displayName: 'Secondary Email',
		kind: 'email',
		concept: 'secondaryEmail',
		maxLength: ZOHO_EMAIL_MAX_LENGTH,
	},
	{ name: 'First_Name', displayName: 'First Name', concept: 'firstName' },
	// Zoho's only mandatory field for Contacts and Leads.
	{ name: 'Last_Name', displayName: 'Last Name', concept: 'lastName', required: true },
	{ name: 'Phone', displayName: 'Phone', kind: 'phone', concept: 'phone' },
	{ name: 'Mobile', displayName: 'Mobile', kind: 'phone', concept: 'mobile' },
];

export const ZOHO_CONTACTS: TargetSchema = defineSchema({
	id: 'zohoContacts',
	displayName: 'Zoho CRM Contacts',
	fields: [
		...ZOHO_PERSON_FIELDS.map((field) => ({ ...field })),
		// A lookup to Accounts; Zoho accepts the account's name as a string.
		{ name: 'Account_Name', displayName: 'Account Name', concept: 'company' },
		{ name: 'Title', displayName: 'Title', concept: 'title' },
		{ name: 'Lead_Source', displayName: 'Lead Source', concept: 'leadSource' },
		{ name: 'Date_of_Birth', displayName: 'Date of Birth', kind: 'date', concept: 'dateOfBirth' },
		{ name: 'Mailing_Street', displayName: 'Mailing Street', concept: 'street' },
		{ name: 'Mailing_City', displayName: 'Mailing City', concept: 'city' },
		{ name: 'Mailing_State', displayName: 'Mailing State', concept: 'state' },
		{ name: 'Mailing_Zip', displayName: 'Mailing Zip', concept: 'postalCode' },
		{ name: 'Mailing_Country', displayName: 'Mailing Country', concept: 'country' },
		{ name: 'Description', displayName: 'Description', concept: 'description' },
	],
	// Zoho has custom fields; the node checks names against the live field list separately.
	allowUnknownFields: true,
	dateFormat: 'zohoDate',
	dateTimeFormat: 'zohoDateTime',
});

// Zoho's Leads module has no standard Date_of_Birth field, unlike Contacts.
export const ZOHO_LEADS: TargetSchema = defineSchema({
	id: 'zohoLeads',
	displayName: 'Zoho CRM Leads',
	fields: [
		...ZOHO_PERSON_FIELDS.map((field) => ({ ...field })),
		{ name: 'Company', displayName: 'Company', concept: 'company' },
		{ name: 'Title', displayName: 'Title', concept: 'title' },
		{ name: 'Website', displayName: 'Website', concept: 'website' },
		{ name: 'Lead_Source', displayName: 'Lead Source', concept: 'leadSource' },
		{ name: 'Street', displayName: 'Street', concept: 'street' },
		{ name: 'City', displayName: 'City', concept: 'city' },
		{ name: 'State', displayName: 'State', concept: 'state' },
		{ name: 'Zip_Code', displayName: 'Zip Code', concept: 'postalCode' },
		{ name: 'Country', displayName: 'Country', concept: 'country' },
		{ name: 'Description', displayName: 'Description', concept: 'description' },
	],
	allowUnknownFields: true,
	dateFormat: 'zohoDate',
	dateTimeFormat: 'zohoDateTime',
});

/** What two-way sync names a module's records by (the writer and the Zoho CRM Trigger use the same). */
export function zohoSystem(module: string): string {
	return `zoho-crm:${module}`;
}
