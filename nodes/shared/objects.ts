import type { IDataObject } from 'n8n-workflow';

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Named values read from a request (form fields, query parameters, flat XML elements): one
 * value per name, or all of them in order when the name came more than once.
 */
export type FieldValues = Record<string, string | string[]>;

/**
 * Adds `value` under `name` as an own data property, so a sender's `__proto__`,
 * `constructor` or `toString` is a plain key and never reaches a prototype. A repeated name
 * turns into an array of every value in arrival order.
 */
export function addFieldValue(fields: FieldValues, name: string, value: string): void {
	if (Object.prototype.hasOwnProperty.call(fields, name)) {
		const existing = fields[name];
		fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
		return;
	}
	Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
}
