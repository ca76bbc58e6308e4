/**
 * The field names of each CRM the Generic CRM Webhook has a preset for, for the shared mapping
 * (auto-mapping of the usual input names, value normalisation, unknown-name suggestions).
 * Every schema allows unknown names: CRMs have custom fields (`custom_field_123`, `00N…` ids).
 * So a name the user types goes out exactly as typed (`Email` may be a field of its own); only
 * auto-mapping uses the names below.
 */
import { defineSchema, type TargetField, type TargetSchema } from '../shared/fieldMapping';

/** The seed's table (first_name, email, phone, company) and the usual extras: Zapier and Custom. */
const GENERIC_FIELDS: TargetField[] = [
	{ name: 'email', displayName: 'Email', kind: 'email', concept: 'email' },
	{ name: 'first_name', displayName: 'First Name', concept: 'firstName' },
	{ name: 'last_name', displayName: 'Last Name', concept: 'lastName' },
	{ name: 'phone', displayName: 'Phone', kind: 'phone', concept: 'phone' },
	{ name: 'company', displayName: 'Company', concept: 'company' },
	{ name: 'title', displayName: 'Title', concept: 'title' },
	{ name: 'lead_source', displayName: 'Lead Source', concept: 'leadSource' },
	{ name: 'description', displayName: 'Description', concept: 'description' },
];

export const GENERIC_CRM_SCHEMA: TargetSchema = defineSchema({
	id: 'genericCrm',
	displayName: 'Generic CRM',
	fields: GENERIC_FIELDS.map((field) => ({ ...field })),
	allowUnknownFields: true,
	keepsTypedNames: true,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
});

/** Salesforce Web-to-Lead form names; custom fields go by their 15-character field id. */
export const SALESFORCE_WEB_TO_LEAD_SCHEMA: TargetSchema = defineSchema({
	id: 'salesforceWebToLead',
	displayName: 'Salesforce Web-to-Lead',
	fields: [
		...GENERIC_FIELDS.map((field) => ({ ...field })),
		{ name: 'mobile', displayName: 'Mobile', kind: 'phone', concept: 'mobile' },
		{ name: 'URL', displayName: 'Website', concept: 'website' },
		{ name: 'street', displayName: 'Street', concept: 'street' },
		{ name: 'city', displayName: 'City', concept: 'city' },
		{ name: 'state', displayName: 'State', concept: 'state' },
		{ name: 'zip', displayName: 'Zip', concept: 'postalCode' },
		{ name: 'country', displayName: 'Country', concept: 'country' },
	],
	allowUnknownFields: true,
	keepsTypedNames: true,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
});

/** HubSpot contact property names; the batch upsert is keyed on email, so it is required. */
export const HUBSPOT_CONTACT_SCHEMA: TargetSchema = defineSchema({
	id: 'hubspotContact',
	displayName: 'HubSpot Contact',
	fields: [
		{ name: 'email', displayName: 'Email', kind: 'email', concept: 'email', required: true },
		{ name: 'firstname', displayName: 'First Name', concept: 'firstName' },
		{ name: 'lastname', displayName: 'Last Name', concept: 'lastName' },
		{ name: 'phone', displayName: 'Phone', kind: 'phone', concept: 'phone' },
		{ name: 'mobilephone', displayName: 'Mobile Phone', kind: 'phone', concept: 'mobile' },
		{ name: 'company', displayName: 'Company', concept: 'company' },
		{ name: 'jobtitle', displayName: 'Job Title', concept: 'title' },
		{ name: 'website', displayName: 'Website', concept: 'website' },
		{ name: 'address', displayName: 'Street Address', concept: 'street' },
		{ name: 'city', displayName: 'City', concept: 'city' },
		{ name: 'state', displayName: 'State', concept: 'state' },
		{ name: 'zip', displayName: 'Postal Code', concept: 'postalCode' },
		{ name: 'country', displayName: 'Country', concept: 'country' },
		{ name: 'date_of_birth', displayName: 'Date of Birth', kind: 'date', concept: 'dateOfBirth' },
	],
	allowUnknownFields: true,
	keepsTypedNames: true,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
});

/**
 * Pipedrive person fields. `name` is Pipedrive's only required field; `org_id` needs the id of an
 * organization, so a company name is not auto-mapped to it.
 */
export const PIPEDRIVE_PERSON_SCHEMA: TargetSchema = defineSchema({
	id: 'pipedrivePerson',
	displayName: 'Pipedrive Person',
	fields: [
		{ name: 'name', displayName: 'Name', concept: 'fullName', required: true },
		{ name: 'email', displayName: 'Email', kind: 'email', concept: 'email' },
		{ name: 'phone', displayName: 'Phone', kind: 'phone', concept: 'phone' },
		{ name: 'org_id', displayName: 'Organization ID', kind: 'number' },
		{ name: 'owner_id', displayName: 'Owner ID', kind: 'number' },
	],
	allowUnknownFields: true,
	keepsTypedNames: true,
	dateFormat: 'isoDate',
	dateTimeFormat: 'isoDateTime',
});
