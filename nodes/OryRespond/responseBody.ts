/**
 * Ory's answer formats for a `web_hook` with `response.parse: true`, built from plain fields
 * (see Kratos selfservice/hook/web_hook.go, parseWebhookResponse). Pure functions.
 *
 *   - 204, no body: the flow goes on unchanged;
 *   - 200 `{"identity": {"traits", "metadata_public", "metadata_admin"}}`: each part sent
 *     REPLACES that part of the identity whole (a part left out stays as it was);
 *   - 4xx `{"messages": [{"instance_ptr": "#/traits/email", "messages": [{"id", "text",
 *     "type", "context"}]}]}`: the flow stops and the texts show at the fields pointed to.
 */
import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../shared/objects';

/** Ory's id for a generic validation message; UIs may translate by id. */
export const DEFAULT_MESSAGE_ID = 4000001;
export const DEFAULT_INTERRUPT_STATUS = 400;

export interface MessageInput {
	/** A trait (`email`, `name.first`, `traits.email`) or a JSON pointer (`#/traits/email`); empty: the whole form. */
	field?: string;
	text: string;
	id?: number;
	/** Ory shows 'error' as an error and anything else as information. */
	type?: 'error' | 'info';
}

interface OryMessage {
	id: number;
	text: string;
	type: 'error' | 'info';
}

interface OryMessagesBody {
	messages: Array<{ instance_ptr: string; messages: OryMessage[] }>;
}

export class ResponseBodyError extends Error {}

function escapePointerSegment(segment: string): string {
	return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON pointer Ory expects: '' → '#/', 'email' → '#/traits/email', 'name.first' →
 * '#/traits/name/first', 'traits.email' → '#/traits/email'; '#/…' and '/…' pass as pointers.
 */
export function instancePointer(field: string | undefined): string {
	const trimmed = (field ?? '').trim();
	if (trimmed === '' || trimmed === '#' || trimmed === '#/') return '#/';
	if (trimmed.startsWith('#/')) return trimmed;
	if (trimmed.startsWith('/')) return `#${trimmed}`;
	const segments = trimmed.split('.').filter((segment) => segment !== '');
	if (segments[0] === 'traits') segments.shift();
	return `#/traits/${segments.map(escapePointerSegment).join('/')}`;
}

/** Ory's `messages` body; messages for the same field are grouped, in first-seen order. */
export function buildMessagesBody(inputs: MessageInput[]): OryMessagesBody {
	const groups = new Map<string, OryMessage[]>();
	for (const [index, input] of inputs.entries()) {
		const text = typeof input.text === 'string' ? input.text.trim() : '';
		if (text === '') throw new ResponseBodyError(`Message ${index + 1} has no text`);
		const id = input.id === undefined ? DEFAULT_MESSAGE_ID : Number(input.id);
		if (!Number.isInteger(id)) throw new ResponseBodyError(`Message ${index + 1} has an ID that is not a whole number`);
		const pointer = instancePointer(input.field);
		const group = groups.get(pointer) ?? [];
		group.push({ id, text, type: input.type === 'info' ? 'info' : 'error' });
		groups.set(pointer, group);
	}
	// Ory fails the whole flow (502) on a 4xx without messages, rather than showing one.
	if (groups.size === 0) throw new ResponseBodyError('Add at least one message: Ory fails the flow on an interruption without one');
	return { messages: [...groups].map(([instance_ptr, messages]) => ({ instance_ptr, messages })) };
}

// ---------------------------------------------------------------------------
// Identity changes

type ValueType = 'string' | 'number' | 'boolean' | 'null' | 'json';

export interface Assignment {
	/** Dotted path inside the part, e.g. `name.first`. */
	path: string;
	value: unknown;
	valueType?: ValueType;
}

const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** A field's text as the JSON type chosen for it. */
export function typedValue(value: unknown, valueType: ValueType = 'string', label = 'value'): unknown {
	switch (valueType) {
		case 'string':
			return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
		case 'number': {
			const number = typeof value === 'number' ? value : Number(String(value).trim());
			if (String(value).trim() === '' || !Number.isFinite(number)) throw new ResponseBodyError(`The ${label} is not a number`);
			return number;
		}
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			const lower = String(value).trim().toLowerCase();
			if (lower === 'true') return true;
			if (lower === 'false') return false;
			throw new ResponseBodyError(`The ${label} is not true or false`);
		}
		case 'null':
			return null;
		case 'json': {
			if (typeof value !== 'string') return value;
			let parsed: unknown;
			let valid = true;
			try {
				parsed = JSON.parse(value) as unknown;
			} catch {
				valid = false;
			}
			if (!valid) throw new ResponseBodyError(`The ${label} is not valid JSON`);
			return parsed;
		}
	}
}

/** A deep copy of `base` with each assignment set at its dotted path (objects created as needed). */
export function applyAssignments(base: IDataObject | null, assignments: Assignment[], part = 'traits'): IDataObject {
	const result: IDataObject = isObject(base) ? (structuredClone(base) as IDataObject) : {};
	for (const assignment of assignments) {
		const segments = String(assignment.path ?? '')
			.trim()
			.split('.')
			.map((segment) => segment.trim());
		if (segments.some((segment) => segment === '')) {
			throw new ResponseBodyError(`A field of ${part} has an empty or malformed name ("${assignment.path}")`);
		}
		if (segments.some((segment) => UNSAFE_SEGMENTS.has(segment))) {
			throw new ResponseBodyError(`"${assignment.path}" is not allowed as a field name of ${part}`);
		}
		const value = typedValue(assignment.value, assignment.valueType, `value of ${part}.${assignment.path}`);
		let target = result;
		for (const segment of segments.slice(0, -1)) {
			if (!isObject(target[segment])) target[segment] = {};
			target = target[segment] as IDataObject;
		}
		target[segments[segments.length - 1]] = value as IDataObject[string];
	}
	return result;
}

export interface IdentityPartChange {
	/** What the identity holds now (from the trigger), kept where not assigned; null: start empty. */
	base: IDataObject | null;
	assignments: Assignment[];
}

interface IdentityChange {
	traits?: IdentityPartChange;
	metadataPublic?: IdentityPartChange;
	metadataAdmin?: IdentityPartChange;
}

/**
 * Ory's `identity` body. A part with no assignment is left out, so Ory keeps it as it is; a
 * part with assignments is sent whole (base + assignments), because Ory replaces it whole.
 */
export function buildIdentityBody(change: IdentityChange): { identity: IDataObject } {
	const identity: IDataObject = {};
	const parts: Array<[keyof IdentityChange, string]> = [
		['traits', 'traits'],
		['metadataPublic', 'metadata_public'],
		['metadataAdmin', 'metadata_admin'],
	];
	for (const [name, key] of parts) {
		const part = change[name];
		if (part === undefined || part.assignments.length === 0) continue;
		identity[key] = applyAssignments(part.base, part.assignments, key);
	}
	if (Object.keys(identity).length === 0) {
		throw new ResponseBodyError('Set at least one trait or metadata field to change, or let the flow continue instead');
	}
	return { identity };
}
