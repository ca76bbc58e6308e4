/**
 * What goes on the wire to MeherY: the update URL of a credential, the request for one profile
 * (form-data, URL-encoded or JSON), MeherY's answer envelope, and the credential test. The node
 * sends exactly what buildUpdateRequest returns, and Preview Only shows exactly that, redacted.
 * Every request goes through the shared egress guard and redirect policy (../shared/redirects.ts):
 * MeherY answers in its body, so a redirect is never its success, and the key never leaves its host.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { MeheryApi } from '../../credentials/MeheryApi.credentials';
import { DEFAULT_EGRESS_POLICY, type EgressHelpersLike, type EgressPolicy } from '../shared/egress';
import { answerExcerpt, redactValue, type ServiceFailure } from '../shared/errors';
import { isObject } from '../shared/objects';
import { memoisedEgressGuard, type RedirectPolicy } from '../shared/redirects';

export const MEHERY_SERVICE = 'MeherY';

const MEHERY_PATHS = MeheryApi.updatePaths;

export type MeheryPathChoice = keyof typeof MEHERY_PATHS | 'custom';
export type MeheryBodyType = 'formData' | 'urlEncoded' | 'json';

export interface MeheryCredentials {
	baseUrl: string;
	tenant: string;
	apiKey: string;
	apiId?: string;
	apiPath: MeheryPathChoice;
	customPath?: string;
	/** What the egress guard lets the base URL (and a same-origin redirect) be; default: public https only. */
	policy?: EgressPolicy;
}

export function asMeheryCredentials(data: IDataObject): MeheryCredentials {
	return {
		baseUrl: String(data.baseUrl ?? ''),
		tenant: String(data.tenant ?? ''),
		apiKey: String(data.apiKey ?? ''),
		apiId: data.apiId ? String(data.apiId) : undefined,
		apiPath: (data.apiPath as MeheryPathChoice) ?? 'xms',
		customPath: data.customPath ? String(data.customPath) : undefined,
		policy: { allowPrivateNetwork: data.allowPrivateNetwork === true, allowPlainHttp: data.allowPlainHttp === true },
	};
}

/** Values that must never leave the node: the API key in every form it can take. */
export function meherySecrets(credentials: MeheryCredentials): string[] {
	return [credentials.apiKey];
}

/**
 * The redirect policy of every MeherY request: a 303 is not MeherY's answer either. `helpers`
 * brings n8n's egress filter where the running n8n has one (not in a credential test).
 */
export function meheryRedirectPolicy(credentials: MeheryCredentials, helpers?: EgressHelpersLike): RedirectPolicy {
	return {
		service: MEHERY_SERVICE,
		guard: memoisedEgressGuard(credentials.policy ?? DEFAULT_EGRESS_POLICY, helpers),
		secrets: meherySecrets(credentials),
		seeOtherIsSuccess: false,
	};
}

/** Why the credential cannot build a URL, or undefined. */
export function credentialProblem(credentials: MeheryCredentials): string | undefined {
	let url: URL;
	try {
		url = new URL(credentials.baseUrl.trim());
	} catch {
		return `the base URL ${JSON.stringify(credentials.baseUrl)} is not a URL (e.g. https://demo.mehery.com)`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the base URL must start with https://';
	if (credentials.tenant.trim() === '') return 'the tenant code (tnt) is empty';
	if (credentials.apiKey.trim() === '') return 'the API key is empty';
	if (credentials.apiPath === 'custom' && !(credentials.customPath ?? '').trim().startsWith('/')) {
		return 'the custom API path must start with /';
	}
	return undefined;
}

/** https://<domain><path>?tnt=<tenant>: the guide passes the tenant in the query on both paths. */
export function meheryUpdateUrl(credentials: MeheryCredentials): string {
	const base = credentials.baseUrl.trim().replace(/\/+$/, '');
	const path = credentials.apiPath === 'custom' ? (credentials.customPath ?? '').trim() : MEHERY_PATHS[credentials.apiPath];
	const separator = path.includes('?') ? '&' : '?';
	return `${base}${path}${separator}tnt=${encodeURIComponent(credentials.tenant.trim())}`;
}

function authHeaders(credentials: MeheryCredentials): Record<string, string> {
	const headers: Record<string, string> = { 'x-api-key': credentials.apiKey, accept: 'application/json' };
	if (credentials.apiId) headers['x-api-id'] = credentials.apiId;
	return headers;
}

/** A multipart/form-data body as text: every value of a profile is text, so no streams are needed. */
export function multipartBody(fields: IDataObject, boundary: string): string {
	// Per the HTML form-data encoding, quotes and line breaks in names are percent-encoded.
	const escapeName = (name: string) => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
	const parts = Object.entries(fields).map(
		([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${String(value)}\r\n`,
	);
	return `${parts.join('')}--${boundary}--\r\n`;
}

export function newBoundary(): string {
	return `----n8nMeheryBoundary${randomBytes(12).toString('hex')}`;
}

/** The update request for one profile. */
export function buildUpdateRequest(
	credentials: MeheryCredentials,
	fields: IDataObject,
	bodyType: MeheryBodyType,
	boundary: string = newBoundary(),
): IHttpRequestOptions {
	const headers = authHeaders(credentials);
	let body: string;
	if (bodyType === 'json') {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(fields);
	} else if (bodyType === 'urlEncoded') {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)])).toString();
	} else {
		headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
		body = multipartBody(fields, boundary);
	}
	// A string body is sent byte for byte, so the preview below is what goes on the wire.
	return { method: 'POST', url: meheryUpdateUrl(credentials), headers, body };
}

/** Preview Only's output: the request with the API key redacted, and the fields it carries. */
export function previewOf(request: IHttpRequestOptions, fields: IDataObject, secrets: string[]): IDataObject {
	return redactValue(
		{
			preview: true,
			method: request.method ?? 'POST',
			url: request.url,
			headers: { ...(request.headers as IDataObject), 'x-api-key': '[redacted]' },
			body: request.body as string,
			fields,
		},
		secrets,
	) as IDataObject;
}

/** The request the credential's Test sends: the update path with no body, so no profile can match. */
export function buildTestRequest(credentials: MeheryCredentials): IHttpRequestOptions {
	return { method: 'POST', url: meheryUpdateUrl(credentials), headers: authHeaders(credentials) };
}

/** One entry of MeherY's errors[] / warnings[]. */
export interface MeheryIssue {
	field?: string;
	code?: string;
	codes?: string[];
	description?: string;
	[key: string]: unknown;
}

export interface MeheryEnvelope {
	status?: string;
	message?: string;
	errors: MeheryIssue[];
	warnings: MeheryIssue[];
	[key: string]: unknown;
}

// Choice (the concrete values are unknown publicly): a missing status, or one of these, is success;
// any other status string is a failure even without errors[].
const SUCCESS_STATUS = /^(?:success|succeeded|successful|ok|done|updated|created|2\d\d)$/i;

function issues(value: unknown): MeheryIssue[] {
	if (!Array.isArray(value)) return [];
	return value.map((entry) =>
		entry && typeof entry === 'object' ? (entry as MeheryIssue) : { description: String(entry) },
	);
}

/**
 * Whether a 2xx body is MeherY's answer: a JSON object with the envelope's `status`. A login
 * page, an empty body, plain text or another API's JSON is not, whatever its status code says.
 */
export function isMeheryEnvelope(body: unknown): body is IDataObject {
	if (!isObject(body)) return false;
	const { status } = body;
	return (typeof status === 'string' && status.trim() !== '') || typeof status === 'number';
}

/** Why a 2xx is no MeherY answer at all: what answered instead, briefly and without secrets. */
export function notMeheryAnswer(status: number, body: unknown, secrets: string[]): ServiceFailure {
	const excerpt = answerExcerpt(body, secrets, 200);
	return {
		service: MEHERY_SERVICE,
		status,
		message: `MeherY answered ${status} with something that is not its API's answer: ${excerpt === '' ? '(an empty body)' : excerpt}`,
		hint: "A proxy, a login page or another service answered for the base URL: check the credential's Base URL and API path.",
	};
}

export function readEnvelope(body: unknown): MeheryEnvelope {
	const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as IDataObject;
	const error = b.error;
	const errors = issues(b.errors);
	// A single `error` (object or text) counts as one more error entry.
	if (error !== undefined && error !== null && error !== '' && error !== false) {
		errors.push(typeof error === 'object' ? (error as MeheryIssue) : { description: String(error) });
	}
	return {
		...b,
		status: b.status === undefined || b.status === null ? undefined : String(b.status),
		message: typeof b.message === 'string' ? b.message : undefined,
		errors,
		warnings: issues(b.warnings),
	};
}

/** Why a 2xx answer is a failure, or undefined when MeherY accepted the update. */
export function envelopeFailure(envelope: MeheryEnvelope): ServiceFailure | undefined {
	const statusFailed = envelope.status !== undefined && !SUCCESS_STATUS.test(envelope.status.trim());
	// `success: false` beside the status is a refusal too, whatever the status says.
	const successFalse = envelope.success === false;
	if (envelope.errors.length === 0 && !statusFailed && !successFalse) return undefined;
	const first = envelope.errors[0];
	const code = first?.code ?? (statusFailed ? envelope.status : undefined);
	const fallback = statusFailed ? `status ${envelope.status}` : 'success: false';
	return {
		service: MEHERY_SERVICE,
		code,
		message: envelope.errors.length > 0 ? describeIssues(envelope.errors, code) : envelope.message ?? fallback,
		details: { status: envelope.status, message: envelope.message, errors: envelope.errors, warnings: envelope.warnings },
		hint: 'MeherY refused this profile; the other items are unaffected.',
	};
}

/** Every entry of errors[]; the code the message is already prefixed with is not repeated. */
export function describeIssues(entries: MeheryIssue[], leadingCode?: string): string {
	return entries.map((issue) => describeIssue(issue, leadingCode)).join('; ');
}

/** "field email1: INVALID_EMAIL — Email is invalid" from whatever parts the entry has. */
export function describeIssue(issue: MeheryIssue, leadingCode?: string): string {
	const ownCode = issue.code ?? issue.codes?.[0];
	const code = ownCode === leadingCode ? undefined : ownCode;
	const head = [issue.field ? `field ${issue.field}` : undefined, code].filter(Boolean).join(': ');
	const description = issue.description ?? issue.body ?? issue.codeKey;
	if (head && description) return `${head} — ${String(description)}`;
	return head || String(description ?? 'no description');
}

/** Reads MeherY's envelope out of an error answer (401/403/404/4xx/5xx) for the shared HTTP path. */
export function describeMeheryError(body: unknown, status: number): Partial<ServiceFailure> {
	const envelope = readEnvelope(body);
	const first = envelope.errors[0];
	const hints: Record<number, string> = {
		401: 'MeherY did not accept the API key: check the API key (and API ID) of the MeherY credential.',
		403: 'MeherY did not accept the API key for this tenant: check the API key, API ID and tenant code.',
		404: 'MeherY does not know this tenant or path: check the tenant code (tnt) and the API path of the credential.',
		429: 'MeherY is rate-limiting: lower Concurrent Calls.',
	};
	const code = first?.code ?? (typeof envelope.messageKey === 'string' ? envelope.messageKey : undefined);
	const message = envelope.errors.length > 0 ? describeIssues(envelope.errors, code) : envelope.message ?? undefined;
	return {
		code,
		message: message ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `HTTP ${status}`),
		hint: hints[status],
		details: envelope.errors.length || envelope.warnings.length ? { errors: envelope.errors, warnings: envelope.warnings } : undefined,
	};
}
