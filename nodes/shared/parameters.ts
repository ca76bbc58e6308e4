/**
 * Per-item parameter reads without per-item cost: a parameter whose stored value holds no
 * expression is the same for every item, so it is read (and validated by n8n) once. Only
 * parameters that really depend on the item are evaluated per item.
 */
import type { IExecuteFunctions, IGetNodeParameterOptions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

/** `options` go to getNodeParameter (e.g. skipValidation); one parameter is always read with the same. */
export type ItemParameterReader = <T = unknown>(name: string, itemIndex: number, fallback?: T, options?: IGetNodeParameterOptions) => T;

export function createItemParameterReader(ctx: IExecuteFunctions): ItemParameterReader {
	const constant = new Map<string, unknown>();
	const raw = ctx.getNode().parameters;
	return <T>(name: string, itemIndex: number, fallback?: T, options?: IGetNodeParameterOptions): T => {
		if (constant.has(name)) return constant.get(name) as T;
		const value = ctx.getNodeParameter(name, itemIndex, fallback as never, options) as T;
		if (!containsExpression(valueAt(raw, name))) constant.set(name, value);
		return value;
	};
}

/** The stored value at a dotted path ('otherFields.field'), as n8n's getNodeParameter reads it. */
function valueAt(parameters: INodeParameters, path: string): unknown {
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** n8n stores an expression as a string starting with "="; it can sit anywhere in a collection. */
export function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (value !== null && typeof value === 'object') {
		return Object.values(value as Record<string, NodeParameterValueType>).some(containsExpression);
	}
	return false;
}

/** A whole number setting read from a parameter or expression, kept within [min, max]. */
export function boundedInteger(value: unknown, fallback: number, min: number, max: number): number {
	const number = Math.floor(Number(value ?? fallback));
	if (!Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, number));
}
