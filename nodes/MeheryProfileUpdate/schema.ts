/**
 * MeherY's customer-master codes, for the shared mapping. MeherY silently ignores a parameter whose
 * name is not a code of the tenant's customer master, so every code the node sends is checked here
 * first: standard codes, the phoneN/emailN families, and the custom codes the user declared.
 */
import type { FieldKind, TargetField, TargetSchema } from '../shared/fieldMapping';
import { defineSchema, suggestFieldName, withExtraFields } from '../shared/fieldMapping';

/** Unique (phoneN, emailN) and repeated (altPhoneN, altEmailN) contact codes of every MeherY tenant. */
export const MEHERY_CONTACT_CODE_PATTERN = /^(?:phone|email|altPhone|altEmail)[1-9]\d*$/;

/** The unique keys MeherY finds a profile by. */
export const MEHERY_UNIQUE_KEY_PATTERN = /^(?:phone|email)[1-9]\d*$/;

/** phoneN/altPhoneN are phones and emailN/altEmailN emails, so they are normalised like phone1/email1. */
export function meheryCodeKind(name: string): FieldKind | undefined {
	if (!MEHERY_CONTACT_CODE_PATTERN.test(name)) return undefined;
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
	// Unknown names are refused: tenant-specific codes are added with withExtraFields.
	allowUnknownFields: false,
	extraFieldPattern: MEHERY_CONTACT_CODE_PATTERN,
	extraFieldKind: meheryCodeKind,
	atLeastOneOf: ['phone1', 'phone2', 'email1', 'email2'],
	atLeastOneOfPattern: MEHERY_UNIQUE_KEY_PATTERN,
	dateFormat: 'meheryDate',
	dateTimeFormat: 'meheryDate',
});

export type CustomCodeKind = 'text' | 'date' | 'phone' | 'email';

/** A code of the tenant's own customer master, declared once in the node. */
export interface CustomCode {
	code: string;
	kind: CustomCodeKind;
}

const FIELD_KIND_OF: Record<CustomCodeKind, FieldKind> = { text: 'string', date: 'date', phone: 'phone', email: 'email' };

// MeherY codes are identifiers (camelCase in every example); a space or dot is a typo, not a code.
const CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The tenant's schema: MeherY's standard codes plus the declared custom ones. Returns the problems
 * of the declaration itself (a malformed or repeated code), which fail the whole node.
 */
export function meheryTenantSchema(customCodes: CustomCode[]): { schema: TargetSchema; problems: string[] } {
	const problems: string[] = [];
	const seen = new Set<string>();
	const fields: TargetField[] = [];
	for (const { code: rawCode, kind } of customCodes) {
		const code = String(rawCode ?? '').trim();
		if (code === '') {
			problems.push('a custom code is empty');
			continue;
		}
		if (!CODE_SHAPE.test(code)) {
			problems.push(`custom code \`${code}\` is not a code: MeherY codes are letters, digits and _ , starting with a letter`);
			continue;
		}
		if (seen.has(code)) {
			problems.push(`custom code \`${code}\` is declared twice`);
			continue;
		}
		if (MEHERY_PROFILE.fields.some((field) => field.name === code) || MEHERY_CONTACT_CODE_PATTERN.test(code)) {
			problems.push(`\`${code}\` is a standard MeherY code; declare only the tenant's own codes`);
			continue;
		}
		if (FIELD_KIND_OF[kind] === undefined) {
			problems.push(`custom code \`${code}\` has an unknown kind "${String(kind)}"`);
			continue;
		}
		seen.add(code);
		fields.push({ name: code, displayName: code, kind: FIELD_KIND_OF[kind] });
	}
	return { schema: withExtraFields(MEHERY_PROFILE, fields), problems };
}

/** The kind of a code the schema accepts; undefined for a code it does not know. */
export function codeKind(code: string, schema: TargetSchema): FieldKind | undefined {
	const field = schema.fields.find((candidate) => candidate.name === code);
	if (field !== undefined) return field.kind ?? 'string';
	return meheryCodeKind(code);
}

/**
 * Why `code` would be ignored by MeherY, or undefined when it is a code of this tenant. Codes match
 * exactly, case included: MeherY does not respell `firstname` as `firstName`, it drops it.
 */
export function unknownCodeProblem(code: string, schema: TargetSchema): string | undefined {
	if (codeKind(code, schema) !== undefined) return undefined;
	const suggestion = respelledFamilyCode(code) ?? suggestFieldName(code, schema);
	const hint = suggestion === undefined ? '' : ` — did you mean \`${suggestion}\`?`;
	return `\`${code}\` is not a MeherY field code${hint}`;
}

/** 'Phone3', 'alt_email_2', 'EMAIL4' are the phoneN/emailN codes misspelled. */
function respelledFamilyCode(code: string): string | undefined {
	const match = /^(alt)?[\s_-]*(phone|email)[\s_-]*([1-9]\d*)$/i.exec(code.trim());
	if (match === null) return undefined;
	const family = match[2].toLowerCase();
	return match[1] ? `alt${family.charAt(0).toUpperCase()}${family.slice(1)}${match[3]}` : `${family}${match[3]}`;
}

/** An item without any unique key cannot be matched to a profile by MeherY. */
export function hasUniqueKey(fields: Record<string, unknown>): boolean {
	return Object.keys(fields).some((code) => MEHERY_UNIQUE_KEY_PATTERN.test(code));
}
