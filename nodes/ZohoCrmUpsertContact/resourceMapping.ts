/**
 * Version 2's Map Fields: the org's live Contacts/Leads fields as n8n resource-mapper fields, and
 * the per-run schema that types what the user mapped for the shared mapping (mapContact).
 */
import type { FieldType, INodePropertyOptions, ResourceMapperField } from 'n8n-workflow';
import { withExtraFields, type FieldKind, type TargetField, type TargetSchema } from '../shared/fieldMapping';
import type { ZohoField } from './transport';

/** Zoho data types the mapping can send as Zoho expects them, with the n8n type the editor shows. */
const MAPPABLE_TYPES: Readonly<Record<string, FieldType>> = {
	text: 'string',
	textarea: 'string',
	email: 'string',
	phone: 'string',
	website: 'string',
	picklist: 'options',
	integer: 'number',
	bigint: 'number',
	long: 'number',
	double: 'number',
	decimal: 'number',
	currency: 'number',
	percent: 'number',
	boolean: 'boolean',
	date: 'dateTime',
	datetime: 'dateTime',
};

// Zoho tries the duplicate-check fields in order and accepts only fields that can hold a unique
// value: text-like and number fields, not a choice, a flag, a date or a long text.
const MATCHABLE_TYPES = new Set(['text', 'email', 'phone', 'website', 'integer', 'bigint', 'long', 'double', 'decimal']);

// Zoho's empty choice: sending it is the same as sending nothing.
const ZOHO_NO_CHOICE = '-None-';

/**
 * The fields the editor offers: every field of the module a record can be written with, in
 * Zoho's order, custom fields included. Left out: read-only fields, and fields Zoho fills with a
 * record reference or a list (lookups, owners, multi-select, subforms, files), which the mapping
 * does not build; a lookup the static schema sends as a name (Account_Name) stays.
 */
export function resourceMapperFields(zohoFields: ZohoField[], schema: TargetSchema, defaultMatch: string): ResourceMapperField[] {
	const known = new Map(schema.fields.map((field) => [field.name, field]));
	const mapped: ResourceMapperField[] = [];
	for (const zohoField of zohoFields) {
		if (zohoField.read_only === true || zohoField.field_read_only === true) continue;
		const standard = known.get(zohoField.api_name);
		const type = MAPPABLE_TYPES[zohoField.data_type] ?? (standard !== undefined ? 'string' : undefined);
		if (type === undefined) continue;
		const field: ResourceMapperField = {
			id: zohoField.api_name,
			displayName: displayName(zohoField),
			required: zohoField.system_mandatory === true || standard?.required === true,
			defaultMatch: zohoField.api_name === defaultMatch,
			canBeUsedToMatch: MATCHABLE_TYPES.has(zohoField.data_type),
			display: true,
			type,
		};
		if (type === 'options') field.options = picklistOptions(zohoField);
		mapped.push(field);
	}
	return mapped;
}

/** The label users know, with the API name when the label does not spell it. */
function displayName(field: ZohoField): string {
	const label = (field.field_label ?? '').trim();
	if (label === '') return field.api_name;
	const spelledAlike = label.replace(/[^\p{L}\p{N}]+/gu, '_').toLowerCase() === field.api_name.toLowerCase();
	return spelledAlike ? label : `${label} (${field.api_name})`;
}

function picklistOptions(field: ZohoField): INodePropertyOptions[] {
	return (field.pick_list_values ?? [])
		.filter((choice) => choice.actual_value !== ZOHO_NO_CHOICE)
		.map((choice) => ({ name: choice.display_value ?? choice.actual_value, value: choice.actual_value }));
}

/**
 * The module's schema for one run, also accepting the mapped fields it does not list (custom
 * fields), each typed by the editor's type. A standard field keeps its own kind (an email is
 * checked, a date written as Zoho's date). A date or date-time field the schema does not know is
 * sent as typed: the stored mapping does not say which of the two Zoho wants, so rewriting it
 * would guess.
 */
export function runSchema(schema: TargetSchema, mapperFields: ResourceMapperField[]): TargetSchema {
	const extra: TargetField[] = [];
	for (const field of mapperFields) {
		if (typeof field?.id !== 'string' || field.id.trim() === '' || schema.fields.some((known) => known.name === field.id)) continue;
		extra.push({ name: field.id, displayName: field.displayName ?? field.id, kind: kindOf(field.type), required: field.required === true });
	}
	return extra.length === 0 ? schema : withExtraFields(schema, extra);
}

function kindOf(type: FieldType | undefined): FieldKind {
	switch (type) {
		case 'number':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'string':
		case 'options':
			return 'string';
		default:
			return 'any';
	}
}
