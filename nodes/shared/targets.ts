import type { FieldKind, TargetField, TargetSchema } from './fieldMapping';

/**
 * The field schemas of this package's targets, for mapContact. They are frozen because every
 * node shares them; use withExtraFields for a per-node copy that allows more names.
 */

function defineSchema(schema: TargetSchema): TargetSchema {
	schema.fields.forEach((field) => Object.freeze(field));
	Object.freeze(schema.fields);
	if (schema.atLeastOneOf !== undefined) Object.freeze(schema.atLeastOneOf);
	return Object.freeze(schema);
}

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

/** Unique (phoneN, emailN) and repeated (altPhoneN, altEmailN) contact codes of every MeherY tenant. */
export const MEHERY_CONTACT_CODE_PATTERN = /^(?:phone|email|altPhone|altEmail)[1-9]\d*$/;

/** phoneN/altPhoneN are phones and emailN/altEmailN emails, so they are normalised like phone1/email1. */
export function meheryCodeKind(name: string): FieldKind | undefined {
	const match = MEHERY_CONTACT_CODE_PATTERN.exec(name);
	if (match === null) return undefined;
	return /email/i.test(name) ? 'email' : 'phone';
}

export const MEHERY_PROFILE: TargetSchema = defineSchema({
	id: 'mehery',
	displayName: 'MeherY Customer Profile',
	fields: [
		{ name: 'firstName', displayName: 'First Name', concept: 'firstName' },
		{ name: 'lastName', displayName: 'Last Name', concept: 'lastName' },
		{ name: 'phone1', displayName: 'Phone 1 (Unique)', kind: 'phone', concept: 'phone' },
		{ name: 'phone2', displayName: 'Phone 2 (Unique)', kind: 'phone', concept: 'mobile' },
		{ name: 'email1', displayName: 'Email 1 (Unique)', kind: 'email', concept: 'email' },
		{ name: 'email2', displayName: 'Email 2 (Unique)', kind: 'email', concept: 'secondaryEmail' },
		{ name: 'altPhone1', displayName: 'Alternate Phone 1', kind: 'phone' },
		{ name: 'altEmail1', displayName: 'Alternate Email 1', kind: 'email' },
	],
	// MeherY silently ignores a code its customer master does not know, so unknown names are refused;
	// tenant-specific codes are added with withExtraFields.
	allowUnknownFields: false,
	extraFieldPattern: MEHERY_CONTACT_CODE_PATTERN,
	extraFieldKind: meheryCodeKind,
	// MeherY finds the profile to update by one of its unique keys.
	atLeastOneOf: ['phone1', 'phone2', 'email1', 'email2'],
	atLeastOneOfPattern: /^(?:phone|email)[1-9]\d*$/,
	dateFormat: 'meheryDate',
	dateTimeFormat: 'meheryDate',
});

/** Salesforce Web-to-Lead names: the common ground of the Generic CRM Webhook presets. */
export const GENERIC_CRM: TargetSchema = defineSchema({
	id: 'generic',
	displayName: 'Generic CRM',
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

export const TARGET_SCHEMAS: readonly TargetSchema[] = Object.freeze([
	ZOHO_CONTACTS,
	ZOHO_LEADS,
	MEHERY_PROFILE,
	GENERIC_CRM,
]);

/**
 * A copy of `schema` that also accepts the given fields, e.g. the custom codes a MeherY tenant
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
