/**
 * Reading form bodies (application/x-www-form-urlencoded, multipart/form-data) and query
 * strings into FieldValues, strictly: text is UTF-8, percent-encoding must be valid, and a
 * multipart part that is a file or carries another encoding is refused rather than guessed
 * at. Messages never quote what the sender sent (names included): parts are counted instead.
 */
import { addFieldValue, type FieldValues } from './objects';
import { decodeUtf8 } from './rawBody';

export type FormReading = { ok: true; fields: FieldValues } | { ok: false; message: string };

function fail(message: string): FormReading {
	return { ok: false, message };
}

function decodeComponent(text: string): string | undefined {
	try {
		// '+' is a space in forms and query strings (WHATWG urlencoded parser).
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return undefined;
	}
}

/**
 * `name=value&…` as sent in a query string or a form-urlencoded body. A pair without `=` has
 * the empty value; empty pairs (`a=1&&b=2`) are skipped. A malformed %-sequence, or one that
 * decodes to bytes that are not UTF-8, is refused: its value would be a guess.
 */
export function readUrlEncoded(text: string, what = 'form body'): FormReading {
	const fields: FieldValues = {};
	const pairs = text.split('&');
	for (let index = 0; index < pairs.length; index++) {
		const pair = pairs[index];
		if (pair === '') continue;
		const equals = pair.indexOf('=');
		const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
		const value = decodeComponent(equals === -1 ? '' : pair.slice(equals + 1));
		if (name === undefined || value === undefined) {
			return fail(`Malformed ${what}: pair ${index + 1} has invalid percent-encoding (send UTF-8, %-encoded)`);
		}
		addFieldValue(fields, name, value);
	}
	return { ok: true, fields };
}

/** An application/x-www-form-urlencoded body. */
export function readFormUrlEncodedBody(bytes: Buffer): FormReading {
	const text = decodeUtf8(bytes);
	if (text === undefined) return fail('Request body is not valid UTF-8');
	return readUrlEncoded(text);
}

/** The query string of a request URL (`/path?a=1#x` → `a=1`), read as form fields. */
export function readQueryString(url: string): FormReading {
	const question = url.indexOf('?');
	if (question === -1) return { ok: true, fields: {} };
	const hash = url.indexOf('#', question);
	return readUrlEncoded(url.slice(question + 1, hash === -1 ? undefined : hash), 'query string');
}

// ---------------------------------------------------------------------------
// multipart/form-data (RFC 7578 over RFC 2046)

/** The value of parameter `name` of a header like Content-Type (`…; boundary="x"`), or undefined. */
export function headerParameter(header: string, name: string): string | undefined {
	const pattern = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	for (let match = pattern.exec(header); match !== null; match = pattern.exec(header)) {
		if (match[1].toLowerCase() !== name.toLowerCase()) continue;
		const raw = match[2].trim();
		return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
	}
	return undefined;
}

const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A multipart/form-data body of text fields. `contentType` is the request's Content-Type
 * (its boundary parameter delimits the parts). Each part needs a Content-Disposition of
 * form-data with a name; a part with a filename (a file), a Content-Type other than
 * text/plain in UTF-8, or a Content-Transfer-Encoding other than 7bit/8bit/binary is refused.
 */
export function readMultipartBody(bytes: Buffer, contentType: string): FormReading {
	const boundary = headerParameter(contentType, 'boundary');
	if (boundary === undefined || !BOUNDARY.test(boundary)) {
		return fail('Malformed multipart/form-data: the Content-Type has no valid boundary parameter');
	}
	const delimiter = Buffer.from(`--${boundary}`, 'latin1');
	const lineDelimiter = Buffer.concat([CRLF, delimiter]);
	// The first delimiter may open the body or follow a preamble line.
	let position = bytes.subarray(0, delimiter.length).equals(delimiter) ? 0 : bytes.indexOf(lineDelimiter);
	if (position === -1) return fail('Malformed multipart/form-data: no part delimiter found');
	if (position > 0) position += CRLF.length;
	const fields: FieldValues = {};
	for (let part = 1; ; part++) {
		let cursor = position + delimiter.length;
		if (bytes[cursor] === 0x2d && bytes[cursor + 1] === 0x2d) break; // `--boundary--`: the end
		// Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
		while (bytes[cursor] === 0x20 || bytes[cursor] === 0x09) cursor++;
		if (!bytes.subarray(cursor, cursor + 2).equals(CRLF)) {
			return fail(`Malformed multipart/form-data: part ${part} does not start on a new line`);
		}
		const start = cursor + CRLF.length;
		const next = bytes.indexOf(lineDelimiter, start);
		if (next === -1) return fail('Malformed multipart/form-data: the body ends before its closing delimiter');
		const read = readPart(bytes.subarray(start, next), part);
		if (!read.ok) return read;
		addFieldValue(fields, read.name, read.value);
		position = next + CRLF.length;
	}
	return { ok: true, fields };
}

type PartReading = { ok: true; name: string; value: string } | { ok: false; message: string };

function readPart(part: Buffer, index: number): PartReading {
	const where = `multipart/form-data part ${index}`;
	// A part with no header lines starts with the blank line itself.
	const noHeaders = part.subarray(0, 2).equals(CRLF);
	const headerEnd = noHeaders ? 0 : part.indexOf(HEADER_END);
	if (headerEnd === -1) return { ok: false, message: `Malformed ${where}: its headers do not end` };
	const valueStart = noHeaders ? CRLF.length : headerEnd + HEADER_END.length;
	const headerText = decodeUtf8(part.subarray(0, headerEnd));
	if (headerText === undefined) return { ok: false, message: `Malformed ${where}: its headers are not UTF-8` };
	const headers = new Map<string, string>();
	for (const line of headerText.split('\r\n')) {
		if (line === '') continue;
		const colon = line.indexOf(':');
		if (colon <= 0) return { ok: false, message: `Malformed ${where}: a header line has no name` };
		headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	const disposition = headers.get('content-disposition') ?? '';
	if (!/^form-data(\s*;|$)/i.test(disposition)) {
		return { ok: false, message: `Malformed ${where}: it has no Content-Disposition: form-data` };
	}
	const name = headerParameter(disposition, 'name');
	if (name === undefined || headerParameter(disposition, 'name*') !== undefined) {
		return { ok: false, message: `Malformed ${where}: it has no plain name parameter` };
	}
	if (headerParameter(disposition, 'filename') !== undefined || headerParameter(disposition, 'filename*') !== undefined) {
		return { ok: false, message: `Unsupported ${where}: it is a file; this webhook reads text fields only` };
	}
	const partType = headers.get('content-type');
	if (partType !== undefined) {
		const charset = headerParameter(partType, 'charset');
		const isText = partType.split(';')[0].trim().toLowerCase() === 'text/plain';
		if (!isText || (charset !== undefined && !/^utf-?8$/i.test(charset))) {
			return { ok: false, message: `Unsupported ${where}: send text fields as text/plain in UTF-8` };
		}
	}
	const encoding = headers.get('content-transfer-encoding');
	if (encoding !== undefined && !/^(7bit|8bit|binary)$/i.test(encoding)) {
		return { ok: false, message: `Unsupported ${where}: send it without a Content-Transfer-Encoding` };
	}
	const value = decodeUtf8(part.subarray(valueStart));
	if (value === undefined) return { ok: false, message: `Malformed ${where}: its value is not UTF-8` };
	return { ok: true, name, value };
}
