/**
 * A webhook body read by its Content-Type into what the trigger declared it accepts: JSON,
 * form-urlencoded, multipart form-data, flat XML. A declared type the trigger does not accept
 * is refused with 415, naming the types it does. Every object handed on is safe against
 * `__proto__` keys (own data properties only).
 */
import { getHeader, singleHeaderValue } from './headers';
import { isJsonMediaType, readJsonBody } from './jsonBody';
import { headerParameter, readFormUrlEncodedBody, readMultipartBody, type FormReading } from './formBody';
import type { FieldValues } from './objects';
import { decodeUtf8 } from './rawBody';
import { WebhookRequestError } from './webhookAnswers';
import { readFlatXml, type FlatXml } from './xmlBody';

export type BodyType = 'json' | 'form' | 'multipart' | 'xml';

const MEDIA_TYPE_OF: Record<BodyType, string> = {
	json: 'application/json',
	form: 'application/x-www-form-urlencoded',
	multipart: 'multipart/form-data',
	xml: 'application/xml',
};

export interface BodyRules {
	/** The body types this trigger reads; any other declared Content-Type gets 415. */
	accepts: readonly BodyType[];
	/** A request without a body (GET, or an empty POST) goes on as `{ type: 'none' }`; else 400. */
	emptyAllowed?: boolean;
	/** The longest XML body read, in characters (Zoho: 10,000); longer gets 413. */
	xmlMaxChars?: number;
}

export type WebhookBody =
	| { type: 'none' }
	/** An object or an array, as JSON.parse built it. */
	| { type: 'json'; value: unknown; raw: Buffer }
	| { type: 'form'; fields: FieldValues; raw: Buffer }
	| { type: 'multipart'; fields: FieldValues; raw: Buffer }
	| { type: 'xml'; xml: FlatXml; text: string; raw: Buffer };

type Headers = Record<string, string | string[] | undefined>;

function kindOf(mediaType: string): BodyType | 'unlabelled' | undefined {
	if (mediaType === '' || mediaType === 'text/plain') return 'unlabelled';
	if (isJsonMediaType(mediaType)) return 'json';
	if (mediaType === 'application/x-www-form-urlencoded') return 'form';
	if (mediaType === 'multipart/form-data') return 'multipart';
	if (mediaType === 'application/xml' || mediaType === 'text/xml' || /^application\/[a-z0-9!#$&^_.-]+\+xml$/.test(mediaType)) return 'xml';
	return undefined;
}

function unsupported(rules: BodyRules): WebhookRequestError {
	const types = rules.accepts.map((type) => MEDIA_TYPE_OF[type]);
	const listed = types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0];
	return new WebhookRequestError(415, `Unsupported Content-Type: send the body as ${listed}`);
}

function fields(reading: FormReading): FieldValues {
	if (!reading.ok) throw new WebhookRequestError(400, reading.message);
	return reading.fields;
}

/**
 * The body `bytes` (already read within the size limit) as the trigger's `rules` allow, or a
 * WebhookRequestError: 415 for a Content-Type it does not accept (or a charset other than
 * UTF-8), 413 for XML over its length, 400 for a body that is empty or does not parse.
 * JSON-only triggers get exactly readJsonBody's checks and messages. A body without a
 * Content-Type, or labelled text/plain, is read as JSON, or as XML when it starts with '<'
 * and the trigger accepts XML (JSON cannot start with '<').
 */
export function readWebhookBody(headers: Headers, bytes: Buffer, maxBytes: number, rules: BodyRules): WebhookBody {
	const contentType = singleHeaderValue(getHeader(headers, 'content-type'));
	if (contentType === 'ambiguous') throw unsupported(rules);
	const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
	let kind = kindOf(mediaType);
	if (kind === 'unlabelled') {
		const startsAsXml = bytes.toString('latin1', 0, 64).replace(/^(\xef\xbb\xbf)?\s*/, '').startsWith('<');
		kind = startsAsXml && rules.accepts.includes('xml') ? 'xml' : 'json';
	}
	if (kind === undefined || !rules.accepts.includes(kind)) throw unsupported(rules);
	if (rules.emptyAllowed === true && bytes.length === 0) return { type: 'none' };

	if (kind === 'json') {
		const json = readJsonBody({ headers, rawBody: bytes }, maxBytes);
		if (!json.ok) throw new WebhookRequestError(json.status, json.message);
		return { type: 'json', value: json.body, raw: json.raw };
	}
	const charset = headerParameter(contentType ?? '', 'charset');
	if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
		throw new WebhookRequestError(415, 'Unsupported charset: send the body in UTF-8');
	}
	if (bytes.length === 0) throw new WebhookRequestError(400, 'Request body is empty');
	if (kind === 'form') return { type: 'form', fields: fields(readFormUrlEncodedBody(bytes)), raw: bytes };
	if (kind === 'multipart') return { type: 'multipart', fields: fields(readMultipartBody(bytes, contentType ?? '')), raw: bytes };

	const text = decodeUtf8(bytes);
	if (text === undefined) throw new WebhookRequestError(400, 'Request body is not valid UTF-8');
	const maxChars = rules.xmlMaxChars ?? Infinity;
	if (text.length > maxChars && [...text].length > maxChars) {
		throw new WebhookRequestError(413, `XML body is longer than ${maxChars} characters`);
	}
	const xml = readFlatXml(text);
	if (!xml.ok) throw new WebhookRequestError(400, xml.message);
	return { type: 'xml', xml: xml.xml, text, raw: bytes };
}
