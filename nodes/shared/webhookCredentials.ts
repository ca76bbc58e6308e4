/**
 * Checks behind the Test button of a credential that a sender uses to authenticate to one of
 * this package's webhook triggers. Such a credential is never sent anywhere by n8n, so its
 * test cannot make a request: it checks what would make the sender's requests fail, or the
 * secret weak, before the sender ever calls. Each check answers a problem to show, or undefined.
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

const MIN_SECRET_LENGTH = 16;

// RFC 9110 token: what a header or cookie name may consist of.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII and spaces inside: what survives a sender's YAML/JSON config and an HTTP header.
const HEADER_SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
// Cookie values may not contain spaces, quotes, commas, semicolons or backslashes (RFC 6265).
const COOKIE_SAFE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/** Headers that carry something else or are rewritten on the way, whoever the sender is. */
const TRANSPORT_HEADERS = [
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
	'traceparent',
	'tracestate',
];

/** Where a secret travels: a header value (also basic auth parts) or a cookie value. */
export type SecretCarrier = 'header' | 'cookie';

const ALLOWED: Record<SecretCarrier, { pattern: RegExp; description: string }> = {
	header: { pattern: HEADER_SAFE_VALUE, description: 'visible ASCII characters, no line breaks, no spaces at either end' },
	cookie: { pattern: COOKIE_SAFE_VALUE, description: 'letters, digits and -._~ (no spaces, quotes, commas or semicolons)' },
};

/** An empty, short (under MIN_SECRET_LENGTH) or untransmittable secret; `label` names it ("The secret"). */
export function secretProblem(label: string, value: string | undefined, carrier: SecretCarrier): string | undefined {
	if (value === undefined || value === '') return `${label} is empty`;
	if (value.length < MIN_SECRET_LENGTH) {
		return `${label} has ${value.length} characters: use at least ${MIN_SECRET_LENGTH} (32 random ones are best), anything shorter can be guessed`;
	}
	const { pattern, description } = ALLOWED[carrier];
	if (!pattern.test(value)) return `${label} contains characters that cannot be sent unchanged: use ${description}`;
	return undefined;
}

/**
 * A header name that is not an HTTP token, or one HTTP (or the sender: `senderHeaders`, e.g.
 * its delivery-id headers) sets or rewrites; `sender` names who would overwrite it.
 */
export function headerNameProblem(
	headerName: string,
	options: { sender: string; senderHeaders?: readonly string[]; example: string },
): string | undefined {
	if (!TOKEN.test(headerName)) return `"${headerName}" is not a valid header name: use letters, digits and -`;
	const reserved = [...TRANSPORT_HEADERS, ...(options.senderHeaders ?? [])].map((name) => name.toLowerCase());
	if (reserved.includes(headerName.toLowerCase())) {
		return `The ${headerName} header is set or rewritten by ${options.sender} or HTTP itself: choose another name, e.g. ${options.example}`;
	}
	return undefined;
}

/** A cookie name that is not an HTTP token, or one n8n strips from webhook requests (n8n…). */
export function cookieNameProblem(cookieName: string): string | undefined {
	if (!TOKEN.test(cookieName)) return `"${cookieName}" is not a valid cookie name: use letters, digits, - and _`;
	if (cookieName.toLowerCase().startsWith('n8n')) {
		return `n8n removes its own cookies (n8n-…) from webhook requests: choose a name that does not start with n8n`;
	}
	return undefined;
}

/** A basic-auth user that is empty, contains ':' or cannot travel in a header. */
export function basicAuthUserProblem(user: string): string | undefined {
	if (user === '') return 'The user is empty';
	if (user.includes(':')) return 'The user contains ":", which basic auth uses to separate user and password';
	if (!HEADER_SAFE_VALUE.test(user)) return 'The user contains characters that cannot be sent unchanged: use visible ASCII characters';
	return undefined;
}

/** A trigger's `credentialTest` method: `check` gives the first problem of the settings, or what to configure. */
export function credentialSettingsTest(check: (data: ICredentialDataDecryptedObject) => { ok: boolean; message: string }) {
	return async function (this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const result = check(credential.data ?? {});
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	};
}
