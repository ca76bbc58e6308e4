/**
 * Error shaping shared by every node: a service's own code and message reach the
 * user, secrets never do.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

const REDACTED = '[redacted]';

/** A secret as it appears in a text: raw, in a URL, in a form body (which escapes more, spaces as "+"). */
function secretForms(secret: string): string[] {
	return [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
}

/** Replaces every occurrence of each secret (and its URL- and form-encoded forms) in a text. */
export function redactSecrets(text: string, secrets: Array<string | undefined> = []): string {
	// Short values (a DC code, "true") would redact ordinary words: only real secrets.
	const forms = new Set(secrets.filter((secret): secret is string => !!secret && secret.length >= 6).flatMap(secretForms));
	// Longest first, so a secret that contains another is redacted whole, not leaving its tail.
	let result = text;
	for (const form of [...forms].sort((a, b) => b.length - a.length)) {
		result = result.split(form).join(REDACTED);
	}
	return result;
}

/** Deeply redacts strings of a JSON-like value. */
export function redactValue<T>(value: T, secrets: Array<string | undefined> = []): T {
	if (typeof value === 'string') return redactSecrets(value, secrets) as T;
	if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
	if (value && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) copy[key] = redactValue(v, secrets);
		return copy as T;
	}
	return value;
}

export interface ServiceFailure {
	/** The service's name as users know it, e.g. "Zoho CRM". */
	service: string;
	/** HTTP status, when the service answered. */
	status?: number;
	/** The service's own error code, e.g. "INVALID_DATA". */
	code?: string;
	/** The service's own message. */
	message: string;
	/** What to check, in the user's terms. */
	hint?: string;
	/** The service's details (field names, paths), already free of secrets or redacted here. */
	details?: unknown;
	/** How many times the request was sent. */
	attempts?: number;
	/** The request failed after it may have reached the service, and was not resent. */
	mayHaveBeenApplied?: boolean;
	/** What was thrown when it was neither an answer nor a connection failure (e.g. a credential's own error). */
	cause?: unknown;
}

/** Node's socket error codes: what happened on the way, not what the service answered. */
const CONNECTION_ERROR_CODES = /^(?:ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|ESOCKETTIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|UND_ERR_SOCKET)$/;

/** One line a user can act on: "Zoho CRM answered 400 INVALID_DATA: invalid data". */
export function describeFailure(failure: ServiceFailure): string {
	const status = failure.status ? ` ${failure.status}` : '';
	const serviceCode = failure.code && !CONNECTION_ERROR_CODES.test(failure.code) ? ` ${failure.code}` : '';
	const prefix = status || serviceCode ? `${failure.service} answered${status}${serviceCode}` : failure.service;
	return `${prefix}: ${failure.message}`;
}

/** A NodeApiError carrying the service's code and message, with secrets removed. */
export function serviceApiError(
	node: INode,
	failure: ServiceFailure,
	options: { itemIndex?: number; secrets?: Array<string | undefined> } = {},
): NodeApiError {
	const secrets = options.secrets ?? [];
	// The thrown cause stays out: it is for the caller's code, not for the user.
	const reported: ServiceFailure = { ...failure };
	delete reported.cause;
	const safe = redactValue(reported, secrets);
	const response: JsonObject = {
		service: safe.service,
		message: safe.message,
		...(safe.status !== undefined ? { httpCode: String(safe.status) } : {}),
		...(safe.code !== undefined ? { code: safe.code } : {}),
		...(safe.details !== undefined ? { details: safe.details as JsonObject } : {}),
	};
	const message = describeFailure(safe);
	const error = new NodeApiError(node, response, {
		message,
		description: safe.hint,
		httpCode: safe.status !== undefined ? String(safe.status) : undefined,
		itemIndex: options.itemIndex,
	});
	// NodeApiError swaps in its own generic sentence for codes such as ECONNRESET, dropping ours
	// (which says whether the call may have been applied).
	error.message = message;
	// Kept machine-readable, so a node can report them per item without parsing the message.
	if (safe.code !== undefined) error.context.serviceCode = safe.code;
	if (safe.status !== undefined) error.context.serviceStatus = safe.status;
	if (safe.attempts !== undefined) error.context.attempts = safe.attempts;
	if (safe.mayHaveBeenApplied) error.context.mayHaveBeenApplied = true;
	return error;
}

/** A NodeOperationError for input the node refuses before any call. */
export function invalidInputError(
	node: INode,
	message: string,
	options: { itemIndex?: number; description?: string } = {},
): NodeOperationError {
	return new NodeOperationError(node, message, {
		itemIndex: options.itemIndex,
		description: options.description,
	});
}

const EXCERPT_LENGTH = 300;

/** A short, secret-free text of a service's answer, for an output item or a message. */
export function answerExcerpt(answer: unknown, secrets: Array<string | undefined>, length = EXCERPT_LENGTH): string {
	const text = typeof answer === 'string' ? answer : answer === undefined ? '' : JSON.stringify(redactValue(answer, secrets));
	const flat = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
	return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
