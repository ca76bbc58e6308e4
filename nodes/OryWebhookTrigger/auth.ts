/**
 * The Ory Webhook credential: as a rule for the shared constant-time check, and the checks
 * behind its Test button (see credentials/OryWebhookApi.credentials.ts for why the test
 * makes no request).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { WebhookAuthRule } from '../shared/webhookAuth';

export type OryAuthType = 'headerKey' | 'cookieKey' | 'basicAuth';

export interface OryWebhookCredentials {
	authType: OryAuthType;
	headerName?: string;
	acceptBearer?: boolean;
	cookieName?: string;
	secret?: string;
	user?: string;
	password?: string;
}

export const DEFAULT_HEADER_NAME = 'X-Webhook-Secret';
export const DEFAULT_COOKIE_NAME = 'ory_webhook_secret';
export const MIN_SECRET_LENGTH = 16;

export function asOryCredentials(data: ICredentialDataDecryptedObject): OryWebhookCredentials {
	const authType = ['headerKey', 'cookieKey', 'basicAuth'].includes(data.authType as string)
		? (data.authType as OryAuthType)
		: 'headerKey';
	return {
		authType,
		headerName: typeof data.headerName === 'string' ? data.headerName : undefined,
		acceptBearer: data.acceptBearer !== false,
		cookieName: typeof data.cookieName === 'string' ? data.cookieName : undefined,
		secret: typeof data.secret === 'string' ? data.secret : undefined,
		user: typeof data.user === 'string' ? data.user : undefined,
		password: typeof data.password === 'string' ? data.password : undefined,
	};
}

/** The rule the trigger enforces. An empty secret makes a rule that never authorizes. */
export function authRule(credentials: OryWebhookCredentials): WebhookAuthRule {
	switch (credentials.authType) {
		case 'cookieKey':
			return {
				type: 'cookie',
				cookieName: credentials.cookieName?.trim() || DEFAULT_COOKIE_NAME,
				secret: credentials.secret ?? '',
			};
		case 'basicAuth':
			return { type: 'basic', user: credentials.user ?? '', password: credentials.password ?? '' };
		case 'headerKey':
			return {
				type: 'headerKey',
				headerName: credentials.headerName?.trim() || DEFAULT_HEADER_NAME,
				secret: credentials.secret ?? '',
				acceptBearer: credentials.acceptBearer !== false,
			};
	}
}

// RFC 9110 token: what a header or cookie name may consist of.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII and spaces inside: what survives Ory's YAML/JSON config and an HTTP header.
const HEADER_SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
// Cookie values may not contain spaces, quotes, commas, semicolons or backslashes (RFC 6265).
const COOKIE_SAFE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/** Headers that carry something else, are rewritten on the way, or are set by Ory itself. */
const RESERVED_HEADERS = new Set(
	[
		'host',
		'content-length',
		'content-type',
		'content-encoding',
		'transfer-encoding',
		'connection',
		'keep-alive',
		'upgrade',
		'te',
		'trailer',
		'proxy-authorization',
		'cookie',
		'user-agent',
		'accept-encoding',
		'ory-webhook-request-id',
		'ory-webhook-trigger-id',
		'traceparent',
		'tracestate',
	].map((name) => name.toLowerCase()),
);

export type SettingsCheck = { ok: true; message: string } | { ok: false; message: string };

function checkSecret(label: string, value: string | undefined, pattern: RegExp, allowed: string): string | undefined {
	if (value === undefined || value === '') return `${label} is empty`;
	if (value.length < MIN_SECRET_LENGTH) {
		return `${label} has ${value.length} characters: use at least ${MIN_SECRET_LENGTH} (32 random ones are best), anything shorter can be guessed`;
	}
	if (!pattern.test(value)) return `${label} contains characters that cannot be sent unchanged: use ${allowed}`;
	return undefined;
}

/**
 * What the Test button reports: the first problem that would make Ory's requests fail (or
 * make the secret weak), or, when there is none, the Ory `auth` block matching these settings.
 */
export function checkCredentialSettings(credentials: OryWebhookCredentials): SettingsCheck {
	const fail = (message: string): SettingsCheck => ({ ok: false, message });
	switch (credentials.authType) {
		case 'headerKey': {
			const headerName = credentials.headerName?.trim() || DEFAULT_HEADER_NAME;
			if (!TOKEN.test(headerName)) return fail(`"${headerName}" is not a valid header name: use letters, digits and -`);
			if (RESERVED_HEADERS.has(headerName.toLowerCase())) {
				return fail(`The ${headerName} header is set or rewritten by Ory or HTTP itself: choose another name, e.g. ${DEFAULT_HEADER_NAME}`);
			}
			const problem = checkSecret('The secret', credentials.secret, HEADER_SAFE_VALUE, 'visible ASCII characters, no line breaks, no spaces at either end');
			if (problem) return fail(problem);
			const bearer = credentials.acceptBearer !== false ? ` (Authorization: Bearer <secret> is accepted too)` : '';
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: api_key, config: {in: header, name: ${headerName}, value: <the secret>}}${bearer}`,
			};
		}
		case 'cookieKey': {
			const cookieName = credentials.cookieName?.trim() || DEFAULT_COOKIE_NAME;
			if (!TOKEN.test(cookieName)) return fail(`"${cookieName}" is not a valid cookie name: use letters, digits, - and _`);
			if (cookieName.toLowerCase().startsWith('n8n')) {
				return fail(`n8n removes its own cookies (n8n-…) from webhook requests: choose a name that does not start with n8n`);
			}
			const problem = checkSecret('The secret', credentials.secret, COOKIE_SAFE_VALUE, 'letters, digits and -._~ (no spaces, quotes, commas or semicolons)');
			if (problem) return fail(problem);
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: api_key, config: {in: cookie, name: ${cookieName}, value: <the secret>}}`,
			};
		}
		case 'basicAuth': {
			const user = credentials.user ?? '';
			if (user === '') return fail('The user is empty');
			if (user.includes(':')) return fail('The user contains ":", which basic auth uses to separate user and password');
			if (!HEADER_SAFE_VALUE.test(user)) return fail('The user contains characters that cannot be sent unchanged: use visible ASCII characters');
			const problem = checkSecret('The password', credentials.password, HEADER_SAFE_VALUE, 'visible ASCII characters, no line breaks, no spaces at either end');
			if (problem) return fail(problem);
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: basic_auth, config: {user: ${user}, password: <the password>}}`,
			};
		}
	}
}
