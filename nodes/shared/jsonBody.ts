/**
 * Reading a webhook body as JSON: size, Content-Type, UTF-8, syntax (located without echoing
 * the body) and a top-level object or array. JSON.parse defines a `__proto__` key as an own
 * data property, so a parsed body never changes a prototype (pinned in webhookIntake.test).
 */
import { getHeader, singleHeaderValue } from './headers';
import { declaredContentLength, decodeUtf8, tooLargeMessage } from './rawBody';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyCheck =
	| { ok: true; body: unknown; raw: Buffer }
	| { ok: false; status: 400 | 413 | 415; message: string };

export interface IncomingBody {
	headers: Record<string, string | string[] | undefined>;
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
export function isJsonMediaType(contentType: string | undefined): boolean {
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
	const contentType = singleHeaderValue(getHeader(request.headers, 'content-type'));
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
