/**
 * Authentication and body checks for this package's webhook triggers (Ory Webhook Trigger,
 * S-360 Firehose Trigger). The checks are pure functions over plain request parts, so they
 * are testable without n8n; a thin layer at the bottom answers through n8n's response object.
 *
 * Every check is total: it never throws on hostile input, and no message it returns contains
 * a configured secret or a value the caller sent.
 */
import { createHash, timingSafeEqual } from 'crypto';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { getHeader } from './headers';
import { declaredContentLength, tooLargeMessage } from './rawBody';

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

/** A header sent twice arrives as an array: ambiguous for a credential, so it never matches. */
function singleValue(value: string | string[] | undefined): string | undefined | 'ambiguous' {
	if (Array.isArray(value)) return value.length === 1 ? value[0] : 'ambiguous';
	return value;
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
	const named = singleValue(getHeader(request.headers, rule.headerName));
	const authorization = singleValue(getHeader(request.headers, 'authorization'));
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
	const authorization = singleValue(getHeader(request.headers, 'authorization'));
	if (authorization === 'ambiguous') return invalid('Authorization header sent more than once');
	const provided = parseBearer(authorization);
	if (provided === undefined) return missing('Missing bearer token in the Authorization header');
	return safeEqual(provided, token) ? AUTHORIZED : invalid('Invalid bearer token');
}

function checkBasic(request: IncomingRequestParts, user: string, password: string): AuthResult {
	const authorization = singleValue(getHeader(request.headers, 'authorization'));
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

// ---------------------------------------------------------------------------
// JSON body

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyCheck =
	| { ok: true; body: unknown; raw: Buffer }
	| { ok: false; status: 400 | 413 | 415; message: string };

export interface IncomingBody {
	headers: IncomingRequestParts['headers'];
	/** The exact bytes received (n8n sets `req.rawBody`); preferred over `body`. */
	rawBody?: Buffer | string;
	/** A body already parsed by the server, used only when `rawBody` is absent. */
	body?: unknown;
}

/**
 * Media types accepted as JSON. `text/plain` is accepted because simple senders (and
 * user-defined bodies in Zoho or S-360 interfaces) often label JSON that way; the body must
 * still parse as JSON. A request without a Content-Type is parsed the same way. Any other
 * declared type (forms, XML, HTML, binary) is refused with 415. Charset parameters are
 * ignored: JSON is UTF-8 (RFC 8259) and bytes that are not UTF-8 are refused with 400.
 */
function isJsonMediaType(contentType: string | undefined): boolean {
	if (contentType === undefined || contentType.trim() === '') return true;
	const mediaType = contentType.split(';')[0].trim().toLowerCase();
	return (
		mediaType === 'application/json' ||
		mediaType === 'text/plain' ||
		/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType)
	);
}

function byteLengthOf(request: IncomingBody): number {
	if (request.rawBody !== undefined) return Buffer.byteLength(request.rawBody);
	const declared = declaredContentLength(request.headers);
	if (declared !== undefined) return declared;
	const { body } = request;
	if (body === undefined || body === null) return 0;
	if (typeof body === 'string' || Buffer.isBuffer(body)) return Buffer.byteLength(body);
	try {
		return Buffer.byteLength(JSON.stringify(body) ?? '');
	} catch {
		return 0;
	}
}

function decodeUtf8(bytes: Buffer): string | undefined {
	try {
		// Strips one leading BOM (a string rawBody is turned into bytes first, so its BOM too);
		// refuses invalid UTF-8 rather than replacing it silently.
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
}

function isContainer(value: unknown): boolean {
	return typeof value === 'object' && value !== null;
}

const NOT_A_CONTAINER = 'JSON body must be an object or an array';
const EMPTY_BODY = 'Request body is empty';

/**
 * Checks that a webhook request carries a JSON object or array of at most `maxBytes`.
 * Checks run in order: size (413), Content-Type (415), empty (400), JSON syntax (400, with
 * position, line and column, never a fragment of the body), top-level type (400).
 * On success `raw` holds the exact bytes received (BOM included) for signature checks; when
 * only a pre-parsed `body` was given, it is that body re-serialised.
 */
export function readJsonBody(request: IncomingBody, maxBytes: number): BodyCheck {
	if (byteLengthOf(request) > maxBytes) {
		return { ok: false, status: 413, message: tooLargeMessage(maxBytes) };
	}
	const contentType = singleValue(getHeader(request.headers, 'content-type'));
	if (contentType === 'ambiguous' || !isJsonMediaType(contentType)) {
		return { ok: false, status: 415, message: 'Unsupported Content-Type: send the body as application/json' };
	}

	let raw: Buffer;
	if (request.rawBody !== undefined) {
		raw = Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody, 'utf8');
	} else if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) {
		raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
	} else {
		return checkParsedBody(request);
	}

	const json = decodeUtf8(raw);
	if (json === undefined) return { ok: false, status: 400, message: 'Request body is not valid UTF-8' };
	if (json.trim() === '') return { ok: false, status: 400, message: EMPTY_BODY };
	let body: unknown;
	try {
		body = JSON.parse(json);
	} catch {
		return { ok: false, status: 400, message: describeJsonSyntaxError(json) };
	}
	if (!isContainer(body)) return { ok: false, status: 400, message: NOT_A_CONTAINER };
	return { ok: true, body, raw };
}

function checkParsedBody(request: IncomingBody): BodyCheck {
	const { body } = request;
	// Servers hand over `{}` when nothing was sent; a Content-Length of 0 tells the two apart.
	if (body === undefined || body === null || declaredContentLength(request.headers) === 0) {
		return { ok: false, status: 400, message: EMPTY_BODY };
	}
	if (!isContainer(body)) return { ok: false, status: 400, message: NOT_A_CONTAINER };
	return { ok: true, body, raw: Buffer.from(JSON.stringify(body), 'utf8') };
}

// ---------------------------------------------------------------------------
// Locating a JSON syntax error without echoing the body

/**
 * V8's JSON.parse messages quote fragments of the input (`Unexpected token '}', "{"a":}" is
 * not valid JSON`), which may hold personal data or secrets, and give no position for some
 * errors. This scanner finds the offset itself; it only runs after JSON.parse has failed.
 */
export function describeJsonSyntaxError(text: string): string {
	const position = locateJsonSyntaxError(text);
	if (position === undefined) return 'Malformed JSON';
	const before = text.slice(0, position);
	const line = before.split('\n').length;
	const column = position - (before.lastIndexOf('\n') + 1) + 1;
	const what = position >= text.length ? 'unexpected end of input' : 'unexpected character';
	return `Malformed JSON: ${what} at position ${position} (line ${line}, column ${column})`;
}

class JsonSyntaxErrorAt {
	constructor(readonly position: number) {}
}

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * Offset (UTF-16 code units) of the first character that makes `text` invalid JSON, the
 * text's length when it ends too early, or undefined when it is valid. Iterative, so deep
 * nesting cannot overflow the stack.
 */
export function locateJsonSyntaxError(text: string): number | undefined {
	let index = 0;
	const open: Array<'{' | '['> = [];

	const fail: () => never = () => {
		throw new JsonSyntaxErrorAt(index);
	};
	const skipWhitespace = () => {
		while (index < text.length && JSON_WHITESPACE.has(text[index])) index++;
	};
	const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';
	const digits = () => {
		if (!isDigit(text[index])) fail();
		while (isDigit(text[index])) index++;
	};
	const expectChar = (char: string) => {
		if (text[index] !== char) fail();
		index++;
	};
	const scanString = () => {
		expectChar('"');
		for (;;) {
			const char = text[index];
			if (char === undefined || char < ' ') fail();
			if (char === '"') {
				index++;
				return;
			}
			if (char === '\\') {
				index++;
				const escape = text[index];
				if (escape === 'u') {
					index++;
					for (let hex = 0; hex < 4; hex++) {
						if (!/^[0-9a-fA-F]$/.test(text[index] ?? '')) fail();
						index++;
					}
				} else {
					if (escape === undefined || !SIMPLE_ESCAPES.has(escape)) fail();
					index++;
				}
			} else {
				index++;
			}
		}
	};
	const scanNumber = () => {
		if (text[index] === '-') index++;
		if (text[index] === '0') index++;
		else digits();
		if (text[index] === '.') {
			index++;
			digits();
		}
		if (text[index] === 'e' || text[index] === 'E') {
			index++;
			if (text[index] === '+' || text[index] === '-') index++;
			digits();
		}
	};
	const scanKeyAndColon = () => {
		skipWhitespace();
		scanString();
		skipWhitespace();
		expectChar(':');
	};

	try {
		let expectingValue = true;
		for (;;) {
			skipWhitespace();
			if (expectingValue) {
				const char = text[index];
				if (char === '{' || char === '[') {
					open.push(char);
					index++;
					skipWhitespace();
					const closer = char === '{' ? '}' : ']';
					if (text[index] === closer) {
						open.pop();
						index++;
						expectingValue = false;
					} else if (char === '{') {
						scanKeyAndColon();
					}
					continue;
				}
				if (char === '"') scanString();
				else if (char === '-' || isDigit(char)) scanNumber();
				else {
					const literal = ['true', 'false', 'null'].find((word) => word[0] === char);
					if (literal === undefined) fail();
					for (const letter of literal) expectChar(letter);
				}
				expectingValue = false;
				continue;
			}
			const container = open[open.length - 1];
			if (container === undefined) {
				if (index < text.length) fail();
				return undefined;
			}
			if (text[index] === ',') {
				index++;
				if (container === '{') scanKeyAndColon();
				expectingValue = true;
			} else if (text[index] === (container === '{' ? '}' : ']')) {
				open.pop();
				index++;
			} else {
				fail();
			}
		}
	} catch (error) {
		// Only `fail` throws here; anything else would be a scanner bug, reported without a position.
		return error instanceof JsonSyntaxErrorAt ? error.position : undefined;
	}
}

// ---------------------------------------------------------------------------
// n8n-facing layer

/**
 * Answers `body` as JSON with `status` and tells n8n not to start an execution (for answers
 * that are not errors, e.g. "already processed"). If a response was already sent, it only returns.
 */
export function respondWithJson(
	this: IWebhookFunctions,
	status: number,
	body: unknown,
	extraHeaders: Record<string, string> = {},
): IWebhookResponseData {
	const response = this.getResponseObject();
	if (response.headersSent !== true) {
		const payload = JSON.stringify(body);
		response.writeHead(status, {
			...extraHeaders,
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(payload)),
		});
		response.end(payload);
	}
	return { noWebhookResponse: true };
}

/**
 * Answers `{"error": message}` as JSON with `status` and tells n8n not to start an execution.
 * If a response was already sent, it only returns.
 */
export function respondWithError(
	this: IWebhookFunctions,
	status: number,
	message: string,
	extraHeaders: Record<string, string> = {},
): IWebhookResponseData {
	return respondWithJson.call(this, status, { error: message }, extraHeaders);
}

/** Answers 405 with an `Allow` header when the request method is not in `allowed`; else undefined. */
export function rejectUnlessMethod(this: IWebhookFunctions, allowed: string[]): IWebhookResponseData | undefined {
	const method = String(this.getRequestObject().method ?? '').toUpperCase();
	const allowedMethods = allowed.map((name) => name.toUpperCase());
	if (allowedMethods.includes(method)) return undefined;
	return respondWithError.call(this, 405, `Method not allowed: use ${allowedMethods.join(' or ')}`, {
		Allow: allowedMethods.join(', '),
	});
}

/**
 * Answers 401 (with a `WWW-Authenticate` challenge for basic and bearer rules) unless the
 * request satisfies `rule`; else undefined, and the trigger goes on.
 */
export function rejectUnlessAuthenticated(
	this: IWebhookFunctions,
	rule: WebhookAuthRule,
): IWebhookResponseData | undefined {
	const request = this.getRequestObject();
	const result = checkWebhookAuth(
		{ headers: request.headers ?? {}, query: request.query ?? {} },
		rule,
	);
	if (result.ok) return undefined;
	return respondWithError.call(this, 401, result.message, authChallengeHeaders(rule));
}
