/**
 * The one way a request comes into this package's webhook triggers. A trigger declares what
 * it accepts (WebhookIntakeSpec) and hands handleWebhook its own payload and outcome logic;
 * the intake does, in this order: method (405), the sender's credential (read through the
 * short cache; 500 when unreadable), authentication (401, before any byte of the body is
 * read), body size (413) and encoding (415), Content-Type and parsing (415/400/413). A
 * WebhookRequestError thrown by the intake or by the trigger's own logic is answered here,
 * the one place it is caught.
 *
 * The body is read from the untouched request stream: the trigger declares RAW_BODY_PARAMETER
 * (rawBody.ts), so n8n parses nothing itself and answers nothing in its own words.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { getHeader } from './headers';
import type { FieldValues } from './objects';
import { readRawRequestBody, type RawBodySource } from './rawBody';
import { answerRequestError, methodError, WebhookRequestError } from './webhookAnswers';
import { authenticationError, type WebhookAuthRule } from './webhookAuth';
import { readWebhookBody, type BodyRules, type WebhookBody } from './webhookBody';
import { webhookCredentials } from './webhookCredentialCache';
import { readQueryString } from './formBody';

export interface WebhookAuthSpec {
	/** The credential type the sender authenticates with, e.g. `oryWebhookApi`. */
	credentialType: string;
	/** How the 500 for an unreadable credential names it: "The <name> credential of this trigger cannot be read". */
	credentialName: string;
	/** The rules a request may satisfy (any one is enough); none never authorizes. */
	rules: (credential: ICredentialDataDecryptedObject) => WebhookAuthRule[];
}

export interface WebhookIntakeSpec {
	/** Methods that may start a run, e.g. ['POST'] or ['GET', 'POST']; others get 405 with Allow. */
	methods: readonly string[];
	/** Without it, no credential is read and every request is authenticated (or the trigger checks itself). */
	auth?: WebhookAuthSpec;
	/** The largest body read, in bytes; a larger one gets 413 and the connection is closed. */
	maxBodyBytes: number;
	body: BodyRules;
}

/** The request parts n8n hands a webhook (Node's IncomingMessage through express). */
export interface WebhookRequest extends RawBodySource {
	method?: string;
	url?: string;
	originalUrl?: string;
	/** Express's parsed query string. */
	query?: Record<string, unknown>;
}

/** What a trigger's own logic gets: an accepted, authenticated, parsed request. */
export interface WebhookIntake {
	/** Upper case, e.g. 'POST'. */
	method: string;
	headers: RawBodySource['headers'];
	/** The value of header `name` (case-insensitive; a repeated header is an array). */
	header(name: string): string | string[] | undefined;
	/** The query string as fields (`__proto__`-safe); a malformed one throws a 400 WebhookRequestError. */
	query(): FieldValues;
	body: WebhookBody;
	/** The sender's credential as read for authentication, when the spec has `auth`. */
	credential?: ICredentialDataDecryptedObject;
	/** The request itself, for what the intake does not read (n8n's parsed `query`, …). */
	request: WebhookRequest;
}

const BODYLESS_METHODS = ['GET', 'HEAD', 'DELETE', 'OPTIONS'];

function queryOf(request: WebhookRequest): FieldValues {
	const url = typeof request.originalUrl === 'string' ? request.originalUrl : request.url;
	if (typeof url === 'string') {
		const reading = readQueryString(url);
		if (!reading.ok) throw new WebhookRequestError(400, reading.message);
		return reading.fields;
	}
	// No URL (a faked request): n8n's parsed query, its plain strings only.
	const fields: FieldValues = {};
	for (const [name, value] of Object.entries(request.query ?? {})) {
		if (typeof value === 'string' || (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
			Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
		}
	}
	return fields;
}

async function readCredential(context: IWebhookFunctions, auth: WebhookAuthSpec): Promise<{ data: ICredentialDataDecryptedObject; rules: WebhookAuthRule[] }> {
	let read: { data: ICredentialDataDecryptedObject; rules: WebhookAuthRule[] } | undefined;
	try {
		const data = await webhookCredentials(context, auth.credentialType);
		read = { data, rules: auth.rules(data) };
	} catch {
		// The cause may hold the credential's values: it stays out of the answer.
	}
	if (read === undefined) throw new WebhookRequestError(500, `The ${auth.credentialName} credential of this trigger cannot be read`);
	return read;
}

/** Takes a request in as `spec` says, or throws a WebhookRequestError. */
export async function receiveWebhook(context: IWebhookFunctions, spec: WebhookIntakeSpec): Promise<WebhookIntake> {
	const request = context.getRequestObject() as unknown as WebhookRequest;
	const wrongMethod = methodError(request.method, spec.methods);
	if (wrongMethod) throw wrongMethod;
	const method = String(request.method).toUpperCase();

	let credential: ICredentialDataDecryptedObject | undefined;
	if (spec.auth !== undefined) {
		const read = await readCredential(context, spec.auth);
		credential = read.data;
		// Checked before the body is read, so unauthenticated callers cost no parsing.
		const unauthenticated = authenticationError({ headers: request.headers ?? {}, query: request.query ?? {} }, read.rules);
		if (unauthenticated) throw unauthenticated;
	}

	let body: WebhookBody = { type: 'none' };
	if (!(BODYLESS_METHODS.includes(method) && spec.body.emptyAllowed === true)) {
		const raw = await readRawRequestBody(request, spec.maxBodyBytes);
		if (!raw.ok) {
			// After a 413 the rest of the upload is not wanted: close instead of draining it.
			throw new WebhookRequestError(raw.status, raw.message, raw.status === 413 ? { Connection: 'close' } : {});
		}
		body = readWebhookBody(request.headers, raw.bytes, spec.maxBodyBytes, spec.body);
	}

	return {
		method,
		headers: request.headers,
		header: (name) => getHeader(request.headers, name),
		query: () => queryOf(request),
		body,
		credential,
		request,
	};
}

/**
 * A trigger's whole webhook(): the intake, then `handle` with the accepted request. Any
 * WebhookRequestError from either is answered as `{"error": message}` with its status and
 * headers, and starts nothing; other errors go to n8n as before.
 */
export async function handleWebhook(
	context: IWebhookFunctions,
	spec: WebhookIntakeSpec,
	handle: (intake: WebhookIntake) => Promise<IWebhookResponseData> | IWebhookResponseData,
): Promise<IWebhookResponseData> {
	return await receiveWebhook(context, spec)
		.then(handle)
		.catch((error: unknown) => {
			if (error instanceof WebhookRequestError) return answerRequestError.call(context, error);
			throw error;
		});
}

const ROUTABLE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/**
 * The webhook entry that routes every method a trigger does not accept to its webhook(), so
 * the intake answers them 405 with an Allow header instead of n8n's own 404.
 */
export function otherMethodsWebhook(path: string, methods: readonly string[]): IWebhookDescription {
	return {
		name: 'default',
		httpMethod: ROUTABLE_METHODS.filter((method) => !methods.includes(method)).join(','),
		path,
		responseMode: 'onReceived',
		responseData: '',
		ndvHideUrl: true,
		ndvHideMethod: true,
	};
}

/** The Max Body Size option of a trigger's settings collection, read by maxBodyBytesOf. */
export function maxBodySizeOption(defaultKb: number, maxKb: number): INodeProperties {
	return {
		displayName: 'Max Body Size (KB)',
		name: 'maxBodyKb',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: maxKb },
		default: defaultKb,
		description: 'Larger bodies are refused with 413 and start nothing',
	};
}

/** The body limit a trigger's `settings.maxBodyKb` sets (at least 1 KB), in bytes. */
export function maxBodyBytesOf(settings: IDataObject, defaultKb: number): number {
	return Math.max(1, Number(settings.maxBodyKb ?? defaultKb)) * 1024;
}
