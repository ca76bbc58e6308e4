/**
 * Authentication of requests to this package's webhook triggers. The checks are pure functions
 * over plain request parts, so they are testable without n8n; a thin layer at the bottom
 * answers through n8n's response object.
 *
 * Every check is total: it never throws on hostile input, and no message it returns contains
 * a configured secret or a value the caller sent.
 */
import { createHash, timingSafeEqual } from 'crypto';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { getHeader, singleHeaderValue } from './headers';
import { answerRequestError, WebhookRequestError } from './webhookAnswers';

// ---------------------------------------------------------------------------
// Constant-time comparison

function sha256(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares in constant time. Both sides are hashed first so the comparison always runs over
 * 32 bytes and neither the length nor the content of the secret leaks through timing.
 * A missing or empty value never matches, so an unset secret fails closed.
 */
export function safeEqual(provided: string | undefined | null, expected: string): boolean {
	if (typeof provided !== 'string' || provided === '' || typeof expected !== 'string' || expected === '') {
		return false;
	}
	return timingSafeEqual(sha256(provided), sha256(expected));
}

// ---------------------------------------------------------------------------
// Rules and results

export type WebhookAuthRule =
	| { type: 'none' }
	/** Secret in a named header (case-insensitive); `acceptBearer` also accepts `Authorization: Bearer <secret>`. */
	| { type: 'headerKey'; headerName: string; secret: string; acceptBearer?: boolean }
	| { type: 'bearer'; token: string }
	| { type: 'basic'; user: string; password: string }
	| { type: 'cookie'; cookieName: string; secret: string }
	| { type: 'query'; paramName: string; secret: string };

export interface IncomingRequestParts {
	headers: Record<string, string | string[] | undefined>;
	query?: Record<string, unknown>;
}

/** `missing`: nothing of the expected kind was sent; `invalid`: something was sent and it does not match. */
export type AuthResult = { ok: true } | { ok: false; reason: 'missing' | 'invalid'; message: string };

const AUTHORIZED: AuthResult = { ok: true };

function missing(message: string): AuthResult {
	return { ok: false, reason: 'missing', message };
}

function invalid(message: string): AuthResult {
	return { ok: false, reason: 'invalid', message };
}

// ---------------------------------------------------------------------------
// Request parsing

/**
 * Parses a `Cookie` header into name → value. Values are URL-decoded (kept as sent when they
 * are not valid percent-encoding) and stripped of surrounding double quotes; the first
 * occurrence of a name wins. The result has no prototype, so names like `__proto__` or
 * `constructor` are plain keys.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
	const cookies = Object.create(null) as Record<string, string>;
	if (typeof header !== 'string') return cookies;
	for (const pair of header.split(';')) {
		const equals = pair.indexOf('=');
		if (equals === -1) continue;
		const name = pair.slice(0, equals).trim();
		if (name === '' || name in cookies) continue;
		let value = pair.slice(equals + 1).trim();
		if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
		cookies[name] = decodeCookieValue(value);
	}
	return cookies;
}

function decodeCookieValue(value: string): string {
	if (!value.includes('%')) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes `Authorization: Basic <base64(user:password)>` (scheme case-insensitive). The user
 * ends at the first ':' so passwords may contain ':'. Returns undefined for another scheme,
 * bad base64, bytes that are not UTF-8, or a decoded value without ':'.
 */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
	if (typeof header !== 'string') return undefined;
	const match = /^\s*basic\s+(\S+)\s*$/i.exec(header);
	if (!match) return undefined;
	const encoded = match[1];
	if (!BASE64.test(encoded) || encoded.length % 4 === 1) return undefined;
	let decoded: string;
	try {
		decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
	} catch {
		return undefined;
	}
	const colon = decoded.indexOf(':');
	if (colon === -1) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
function parseBearer(header: string | undefined): string | undefined {
	if (typeof header !== 'string') return undefined;
	const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
	return match ? match[1] : undefined;
}

// ---------------------------------------------------------------------------
// The check

/**
 * Checks one request against one rule. Answers `missing` when no credential of the expected
 * kind arrived (including an empty one, or an `Authorization` header of another scheme) and
 * `invalid` when one arrived and does not match (including malformed or repeated ones).
 * A rule whose configured secret is empty never authorizes.
 */
export function checkWebhookAuth(request: IncomingRequestParts, rule: WebhookAuthRule): AuthResult {
	switch (rule.type) {
		case 'none':
			return AUTHORIZED;
		case 'headerKey':
			return checkHeaderKey(request, rule);
		case 'bearer':
			return checkBearer(request, rule.token);
		case 'basic':
			return checkBasic(request, rule.user, rule.password);
		case 'cookie':
			return checkCookie(request, rule.cookieName, rule.secret);
		case 'query':
			return checkQuery(request, rule.paramName, rule.secret);
	}
}

function checkHeaderKey(
	request: IncomingRequestParts,
	rule: { headerName: string; secret: string; acceptBearer?: boolean },
): AuthResult {
	const named = singleHeaderValue(getHeader(request.headers, rule.headerName));
	const authorization = singleHeaderValue(getHeader(request.headers, 'authorization'));
	const bearer =
		rule.acceptBearer === true && authorization !== 'ambiguous' ? parseBearer(authorization) : undefined;
	const sent = (named !== undefined && named !== '') || bearer !== undefined;
	if (!sent) {
		const alternative = rule.acceptBearer === true ? ' or Authorization: Bearer' : '';
		return missing(`Missing webhook secret: send it in the ${rule.headerName} header${alternative}`);
	}
	// Either place may carry the secret; compare both so the outcome does not depend on which.
	const namedMatches = named !== 'ambiguous' && safeEqual(named, rule.secret);
	const bearerMatches = safeEqual(bearer, rule.secret);
	return namedMatches || bearerMatches ? AUTHORIZED : invalid('Invalid webhook secret');
}

function checkBearer(request: IncomingRequestParts, token: string): AuthResult {
	const authorization = singleHeaderValue(getHeader(request.headers, 'authorization'));
	if (authorization === 'ambiguous') return invalid('Authorization header sent more than once');
	const provided = parseBearer(authorization);
	if (provided === undefined) return missing('Missing bearer token in the Authorization header');
	return safeEqual(provided, token) ? AUTHORIZED : invalid('Invalid bearer token');
}

function checkBasic(request: IncomingRequestParts, user: string, password: string): AuthResult {
	const authorization = singleHeaderValue(getHeader(request.headers, 'authorization'));
	if (authorization === 'ambiguous') return invalid('Authorization header sent more than once');
	if (authorization === undefined || !/^\s*basic(\s|$)/i.test(authorization)) {
		return missing('Missing basic auth credentials in the Authorization header');
	}
	const credentials = parseBasicAuth(authorization);
	if (!credentials) return invalid('Malformed basic auth credentials');
	// Both comparisons always run, so timing does not tell whether the user name was right.
	const userMatches = safeEqual(credentials.user, user);
	const passwordMatches = safeEqual(credentials.password, password);
	return userMatches && passwordMatches ? AUTHORIZED : invalid('Invalid basic auth credentials');
}

function checkCookie(request: IncomingRequestParts, cookieName: string, secret: string): AuthResult {
	const header = getHeader(request.headers, 'cookie');
	// Node joins repeated Cookie headers with '; '; do the same for callers that pass an array.
	const cookies = parseCookies(Array.isArray(header) ? header.join('; ') : header);
	const provided = cookies[cookieName];
	if (provided === undefined || provided === '') return missing(`Missing ${cookieName} cookie`);
	return safeEqual(provided, secret) ? AUTHORIZED : invalid(`Invalid ${cookieName} cookie`);
}

function checkQuery(request: IncomingRequestParts, paramName: string, secret: string): AuthResult {
	const query = request.query ?? {};
	const provided = Object.prototype.hasOwnProperty.call(query, paramName) ? query[paramName] : undefined;
	if (provided === undefined || provided === '') return missing(`Missing ${paramName} query parameter`);
	// `?token=a&token=b` or `?token[x]=a` parse to arrays or objects: ambiguous, never a match.
	if (typeof provided !== 'string') {
		return invalid(`The ${paramName} query parameter must be sent once, as plain text`);
	}
	return safeEqual(provided, secret) ? AUTHORIZED : invalid(`Invalid ${paramName} query parameter`);
}

/**
 * The `WWW-Authenticate` header a 401 for this rule should carry: a Basic challenge for
 * `basic`, a Bearer one for `bearer`, none otherwise.
 */
export function authChallengeHeaders(rule: WebhookAuthRule): Record<string, string> {
	if (rule.type === 'basic') return { 'WWW-Authenticate': 'Basic realm="webhook", charset="UTF-8"' };
	if (rule.type === 'bearer') return { 'WWW-Authenticate': 'Bearer realm="webhook"' };
	return {};
}

/** Where a rule expects its secret, for the message when none arrived anywhere. */
function placeOf(rule: WebhookAuthRule): string {
	switch (rule.type) {
		case 'query':
			return 'a query parameter';
		case 'headerKey':
			return 'a header';
		case 'bearer':
			return 'a bearer token';
		case 'basic':
			return 'basic auth';
		case 'cookie':
			return 'a cookie';
		case 'none':
			return 'nothing';
	}
}

function nameOf(rule: WebhookAuthRule): string | undefined {
	if (rule.type === 'query') return rule.paramName;
	if (rule.type === 'headerKey') return rule.headerName;
	if (rule.type === 'cookie') return rule.cookieName;
	return undefined;
}

/**
 * Checks a request against every rule (all of them, so timing does not tell which place held
 * a near-miss). Authorized when one matches; `invalid` when something sent did not match;
 * `missing` only when no rule saw a credential. No rule at all never authorizes.
 */
export function checkAnyWebhookAuth(request: IncomingRequestParts, rules: readonly WebhookAuthRule[]): AuthResult {
	const results = rules.map((rule) => checkWebhookAuth(request, rule));
	const passed = results.find((result) => result.ok);
	if (passed) return passed;
	const mismatch = results.find((result) => !result.ok && result.reason === 'invalid');
	if (mismatch) return mismatch;
	if (results.length === 0) return invalid('No authentication is configured for this webhook');
	if (results.length === 1) return results[0];
	const name = rules.map(nameOf).find((found) => found !== undefined) ?? 'credentials';
	return missing(`Missing ${name}: send it as ${rules.map(placeOf).join(' or ')}`);
}

/** The 401 (with the first rule's challenge) for a request no rule authorizes; else undefined. */
export function authenticationError(
	request: IncomingRequestParts,
	rules: readonly WebhookAuthRule[],
): WebhookRequestError | undefined {
	const result = checkAnyWebhookAuth(request, rules);
	if (result.ok) return undefined;
	return new WebhookRequestError(401, result.message, rules.length > 0 ? authChallengeHeaders(rules[0]) : {});
}

// ---------------------------------------------------------------------------
// n8n-facing layer

/**
 * Answers 401 (with a `WWW-Authenticate` challenge for basic and bearer rules) unless the
 * request satisfies `rule`; else undefined, and the trigger goes on.
 */
export function rejectUnlessAuthenticated(
	this: IWebhookFunctions,
	rule: WebhookAuthRule,
): IWebhookResponseData | undefined {
	const request = this.getRequestObject();
	const error = authenticationError({ headers: request.headers ?? {}, query: request.query ?? {} }, [rule]);
	return error === undefined ? undefined : answerRequestError.call(this, error);
}

// Body reading and plain answers live in their own files; exported here too for existing callers.
export {
	DEFAULT_MAX_BODY_BYTES,
	describeJsonSyntaxError,
	locateJsonSyntaxError,
	readJsonBody,
	type BodyCheck,
	type IncomingBody,
} from './jsonBody';
export { rejectUnlessMethod, respondWithError, respondWithJson } from './webhookAnswers';
