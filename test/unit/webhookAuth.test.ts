import { createServer } from 'http';
import type { AddressInfo } from 'net';
import type { IWebhookFunctions } from 'n8n-workflow';

import {
	authChallengeHeaders,
	checkWebhookAuth,
	DEFAULT_MAX_BODY_BYTES,
	describeJsonSyntaxError,
	locateJsonSyntaxError,
	parseBasicAuth,
	parseCookies,
	readJsonBody,
	rejectUnlessAuthenticated,
	rejectUnlessMethod,
	respondWithError,
	safeEqual,
	type AuthResult,
	type IncomingRequestParts,
	type WebhookAuthRule,
} from '../../nodes/shared/webhookAuth';
import { getHeader } from '../../nodes/shared/headers';

const SECRET = 'S3cr3t-Zeta:value';

function basicHeader(userAndPassword: string): string {
	return `Basic ${Buffer.from(userAndPassword, 'utf8').toString('base64')}`;
}

function withHeaders(headers: IncomingRequestParts['headers']): IncomingRequestParts {
	return { headers };
}

function failure(result: AuthResult): { reason: string; message: string } {
	if (result.ok) throw new Error('expected the check to fail');
	return { reason: result.reason, message: result.message };
}

describe('safeEqual', () => {
	it('matches identical strings', () => {
		expect(safeEqual('abc123', 'abc123')).toBe(true);
	});

	it('rejects strings that differ in one character', () => {
		expect(safeEqual('abc124', 'abc123')).toBe(false);
	});

	it('rejects a prefix and an extension of the secret (different lengths)', () => {
		expect(safeEqual('abc12', 'abc123')).toBe(false);
		expect(safeEqual('abc1234', 'abc123')).toBe(false);
	});

	it('is case-sensitive', () => {
		expect(safeEqual('ABC123', 'abc123')).toBe(false);
	});

	it('never matches an empty provided value', () => {
		expect(safeEqual('', 'abc123')).toBe(false);
	});

	it('never matches when the expected secret is empty, so an unset secret fails closed', () => {
		expect(safeEqual('', '')).toBe(false);
		expect(safeEqual('anything', '')).toBe(false);
	});

	it('never matches undefined or null', () => {
		expect(safeEqual(undefined, 'abc123')).toBe(false);
		expect(safeEqual(null, 'abc123')).toBe(false);
	});

	it('compares unicode by its UTF-8 bytes', () => {
		expect(safeEqual('pässwörd-日本-😀', 'pässwörd-日本-😀')).toBe(true);
		expect(safeEqual('pässwörd-日本-😃', 'pässwörd-日本-😀')).toBe(false);
	});

	it('does not normalise unicode: composed and decomposed forms differ', () => {
		expect(safeEqual('caf\u00e9', 'cafe\u0301')).toBe(false);
	});
});

describe('checkWebhookAuth: none', () => {
	it('lets every request through', () => {
		expect(checkWebhookAuth(withHeaders({}), { type: 'none' })).toEqual({ ok: true });
	});
});

describe('checkWebhookAuth: headerKey (Ory api_key in header)', () => {
	const rule: WebhookAuthRule = { type: 'headerKey', headerName: 'X-Webhook-Secret', secret: SECRET };
	const ruleWithBearer: WebhookAuthRule = { ...rule, acceptBearer: true };

	it('accepts the secret in the named header as Node delivers it (lower-cased)', () => {
		expect(checkWebhookAuth(withHeaders({ 'x-webhook-secret': SECRET }), rule)).toEqual({ ok: true });
	});

	it('finds the header whatever the case of its name on either side', () => {
		expect(checkWebhookAuth(withHeaders({ 'X-WEBHOOK-SECRET': SECRET }), rule)).toEqual({ ok: true });
		const lowerRule: WebhookAuthRule = { type: 'headerKey', headerName: 'x-webhook-secret', secret: SECRET };
		expect(checkWebhookAuth(withHeaders({ 'X-Webhook-Secret': SECRET }), lowerRule)).toEqual({ ok: true });
	});

	it('reports a missing header as missing and names the header', () => {
		expect(failure(checkWebhookAuth(withHeaders({}), rule))).toEqual({
			reason: 'missing',
			message: 'Missing webhook secret: send it in the X-Webhook-Secret header',
		});
	});

	it('treats an empty header as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({ 'x-webhook-secret': '' }), rule)).reason).toBe('missing');
	});

	it('reports a wrong secret as invalid', () => {
		expect(failure(checkWebhookAuth(withHeaders({ 'x-webhook-secret': 'wrong' }), rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid webhook secret',
		});
	});

	it('rejects a header sent twice even when one copy is right', () => {
		const result = checkWebhookAuth(withHeaders({ 'x-webhook-secret': [SECRET, 'other'] }), rule);
		expect(failure(result).reason).toBe('invalid');
	});

	it('accepts a header that arrives as a one-element array', () => {
		expect(checkWebhookAuth(withHeaders({ 'x-webhook-secret': [SECRET] }), rule)).toEqual({ ok: true });
	});

	it('ignores Authorization: Bearer unless acceptBearer is set', () => {
		const result = checkWebhookAuth(withHeaders({ authorization: `Bearer ${SECRET}` }), rule);
		expect(failure(result).reason).toBe('missing');
	});

	it('with acceptBearer, accepts Authorization: Bearer <secret>', () => {
		expect(checkWebhookAuth(withHeaders({ authorization: `Bearer ${SECRET}` }), ruleWithBearer)).toEqual({
			ok: true,
		});
	});

	it('with acceptBearer, reads the Bearer scheme case-insensitively', () => {
		for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
			expect(checkWebhookAuth(withHeaders({ authorization: `${scheme} ${SECRET}` }), ruleWithBearer)).toEqual({
				ok: true,
			});
		}
	});

	it('with acceptBearer, reports a wrong bearer token as invalid', () => {
		const result = checkWebhookAuth(withHeaders({ authorization: 'Bearer wrong' }), ruleWithBearer);
		expect(failure(result)).toEqual({ reason: 'invalid', message: 'Invalid webhook secret' });
	});

	it('with acceptBearer, accepts the secret in either place when the other is wrong', () => {
		expect(
			checkWebhookAuth(withHeaders({ 'x-webhook-secret': 'wrong', authorization: `Bearer ${SECRET}` }), ruleWithBearer),
		).toEqual({ ok: true });
		expect(
			checkWebhookAuth(withHeaders({ 'x-webhook-secret': SECRET, authorization: 'Bearer wrong' }), ruleWithBearer),
		).toEqual({ ok: true });
	});

	it('with acceptBearer, names both places in the missing message', () => {
		expect(failure(checkWebhookAuth(withHeaders({}), ruleWithBearer)).message).toBe(
			'Missing webhook secret: send it in the X-Webhook-Secret header or Authorization: Bearer',
		);
	});

	it('with acceptBearer, treats an Authorization header of another scheme as missing', () => {
		const result = checkWebhookAuth(withHeaders({ authorization: basicHeader(`u:${SECRET}`) }), ruleWithBearer);
		expect(failure(result).reason).toBe('missing');
	});

	it('accepts Ory configured with name Authorization and value "Bearer <secret>"', () => {
		const authorizationRule: WebhookAuthRule = {
			type: 'headerKey',
			headerName: 'Authorization',
			secret: SECRET,
			acceptBearer: true,
		};
		expect(checkWebhookAuth(withHeaders({ authorization: `Bearer ${SECRET}` }), authorizationRule)).toEqual({
			ok: true,
		});
	});

	it('never authorizes when the configured secret is empty', () => {
		const emptyRule: WebhookAuthRule = { type: 'headerKey', headerName: 'X-Webhook-Secret', secret: '' };
		expect(failure(checkWebhookAuth(withHeaders({ 'x-webhook-secret': 'anything' }), emptyRule)).reason).toBe(
			'invalid',
		);
	});
});

describe('checkWebhookAuth: bearer', () => {
	const rule: WebhookAuthRule = { type: 'bearer', token: SECRET };

	it('accepts the right token', () => {
		expect(checkWebhookAuth(withHeaders({ authorization: `Bearer ${SECRET}` }), rule)).toEqual({ ok: true });
	});

	it('reads the scheme case-insensitively and tolerates extra spaces', () => {
		expect(checkWebhookAuth(withHeaders({ authorization: `bearer   ${SECRET} ` }), rule)).toEqual({ ok: true });
	});

	it('reports a wrong token as invalid', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: 'Bearer wrong' }), rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid bearer token',
		});
	});

	it('reports no Authorization header as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({}), rule))).toEqual({
			reason: 'missing',
			message: 'Missing bearer token in the Authorization header',
		});
	});

	it('reports an empty Bearer token as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: 'Bearer ' }), rule)).reason).toBe('missing');
	});

	it('reports another scheme as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: basicHeader('a:b') }), rule)).reason).toBe(
			'missing',
		);
	});

	it('rejects two Authorization headers as invalid', () => {
		const result = checkWebhookAuth(withHeaders({ authorization: [`Bearer ${SECRET}`, 'Bearer x'] }), rule);
		expect(failure(result)).toEqual({ reason: 'invalid', message: 'Authorization header sent more than once' });
	});
});

describe('checkWebhookAuth: basic (Ory basic_auth, S-360 login/password)', () => {
	const rule: WebhookAuthRule = { type: 'basic', user: 's360', password: 'pa:ss:word' };

	it('accepts the right user and a password containing ":"', () => {
		expect(checkWebhookAuth(withHeaders({ authorization: basicHeader('s360:pa:ss:word') }), rule)).toEqual({
			ok: true,
		});
	});

	it('reads the scheme case-insensitively', () => {
		const header = basicHeader('s360:pa:ss:word').replace('Basic', 'bAsIc');
		expect(checkWebhookAuth(withHeaders({ authorization: header }), rule)).toEqual({ ok: true });
	});

	it('accepts unicode user names and passwords encoded as UTF-8', () => {
		const unicodeRule: WebhookAuthRule = { type: 'basic', user: 'zoë', password: 'пароль😀' };
		expect(checkWebhookAuth(withHeaders({ authorization: basicHeader('zoë:пароль😀') }), unicodeRule)).toEqual({
			ok: true,
		});
	});

	it('reports a wrong password as invalid', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: basicHeader('s360:pa:ss') }), rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid basic auth credentials',
		});
	});

	it('reports a wrong user with the same message as a wrong password', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: basicHeader('other:pa:ss:word') }), rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid basic auth credentials',
		});
	});

	it('reports no Authorization header as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({}), rule))).toEqual({
			reason: 'missing',
			message: 'Missing basic auth credentials in the Authorization header',
		});
	});

	it('reports a Bearer header as missing basic credentials', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: 'Bearer abc' }), rule)).reason).toBe('missing');
	});

	it('reports bad base64 as invalid and malformed', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: 'Basic !!not-base64!!' }), rule))).toEqual({
			reason: 'invalid',
			message: 'Malformed basic auth credentials',
		});
	});

	it('reports credentials without ":" as malformed', () => {
		const result = checkWebhookAuth(withHeaders({ authorization: basicHeader('s360') }), rule);
		expect(failure(result).message).toBe('Malformed basic auth credentials');
	});

	it('reports "Basic" without credentials as malformed', () => {
		expect(failure(checkWebhookAuth(withHeaders({ authorization: 'Basic' }), rule)).reason).toBe('invalid');
	});
});

describe('parseBasicAuth', () => {
	it('splits at the first ":" so the password keeps its colons', () => {
		expect(parseBasicAuth(basicHeader('user:a:b:c'))).toEqual({ user: 'user', password: 'a:b:c' });
	});

	it('keeps an empty password', () => {
		expect(parseBasicAuth(basicHeader('user:'))).toEqual({ user: 'user', password: '' });
	});

	it('accepts base64 without padding', () => {
		expect(parseBasicAuth('Basic dTpw')).toEqual({ user: 'u', password: 'p' });
		expect(parseBasicAuth('Basic dTpwMQ')).toEqual({ user: 'u', password: 'p1' });
	});

	it('refuses characters outside the base64 alphabet instead of skipping them', () => {
		expect(parseBasicAuth('Basic dTp*wMQ==')).toBeUndefined();
	});

	it('refuses padding in the middle', () => {
		expect(parseBasicAuth('Basic dT=pw')).toBeUndefined();
	});

	it('refuses decoded bytes that are not UTF-8', () => {
		const latin1 = Buffer.from([0x75, 0x3a, 0xe9]).toString('base64'); // "u:é" in Latin-1
		expect(parseBasicAuth(`Basic ${latin1}`)).toBeUndefined();
	});

	it('refuses a decoded value without ":"', () => {
		expect(parseBasicAuth(basicHeader('useronly'))).toBeUndefined();
	});

	it('refuses another scheme, an empty header and undefined', () => {
		expect(parseBasicAuth('Bearer dTpw')).toBeUndefined();
		expect(parseBasicAuth('')).toBeUndefined();
		expect(parseBasicAuth(undefined)).toBeUndefined();
	});
});

describe('checkWebhookAuth: cookie (Ory api_key in cookie)', () => {
	const rule: WebhookAuthRule = { type: 'cookie', cookieName: 'ory_webhook', secret: SECRET };

	it('finds the cookie among several', () => {
		const cookie = `session=abc; ory_webhook=${SECRET}; theme=dark`;
		expect(checkWebhookAuth(withHeaders({ cookie }), rule)).toEqual({ ok: true });
	});

	it('compares the URL-decoded value', () => {
		const cookie = `a=1;ory_webhook=${encodeURIComponent(SECRET)}`;
		expect(cookie).toContain('%3A');
		expect(checkWebhookAuth(withHeaders({ cookie }), rule)).toEqual({ ok: true });
	});

	it('finds the Cookie header whatever the case of its name', () => {
		expect(checkWebhookAuth(withHeaders({ Cookie: `ory_webhook=${SECRET}` }), rule)).toEqual({ ok: true });
	});

	it('reads Cookie headers given as an array', () => {
		expect(checkWebhookAuth(withHeaders({ cookie: ['a=1', `ory_webhook=${SECRET}`] }), rule)).toEqual({ ok: true });
	});

	it('reports a wrong value as invalid and names the cookie', () => {
		expect(failure(checkWebhookAuth(withHeaders({ cookie: 'ory_webhook=wrong' }), rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid ory_webhook cookie',
		});
	});

	it('reports an absent cookie as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({ cookie: 'session=abc' }), rule))).toEqual({
			reason: 'missing',
			message: 'Missing ory_webhook cookie',
		});
	});

	it('reports no Cookie header as missing', () => {
		expect(failure(checkWebhookAuth(withHeaders({}), rule)).reason).toBe('missing');
	});

	it('matches cookie names case-sensitively', () => {
		expect(failure(checkWebhookAuth(withHeaders({ cookie: `ORY_WEBHOOK=${SECRET}` }), rule)).reason).toBe('missing');
	});

	it('does not see inherited object properties as cookies', () => {
		const ctorRule: WebhookAuthRule = { type: 'cookie', cookieName: 'constructor', secret: SECRET };
		expect(failure(checkWebhookAuth(withHeaders({ cookie: 'a=1' }), ctorRule)).reason).toBe('missing');
	});
});

describe('parseCookies', () => {
	it('parses name=value pairs separated by ";" with or without spaces', () => {
		expect(parseCookies('a=1; b=2;c=3')).toEqual({ a: '1', b: '2', c: '3' });
	});

	it('keeps "=" inside a value', () => {
		expect(parseCookies('token=abc==; x=1')).toEqual({ token: 'abc==', x: '1' });
	});

	it('URL-decodes values and keeps invalid percent-encoding as sent', () => {
		expect(parseCookies('a=hello%20w%C3%B6rld; b=100%; c=%E0%A4%A')).toEqual({
			a: 'hello wörld',
			b: '100%',
			c: '%E0%A4%A',
		});
	});

	it('strips surrounding double quotes', () => {
		expect(parseCookies('a="quoted value"')).toEqual({ a: 'quoted value' });
	});

	it('keeps the first of two cookies with the same name', () => {
		expect(parseCookies('a=first; a=second')).toEqual({ a: 'first' });
	});

	it('skips pairs without "=" and empty names', () => {
		expect(parseCookies('lonely; =nameless; ok=1')).toEqual({ ok: '1' });
	});

	it('returns an empty map for a missing or empty header', () => {
		expect(parseCookies(undefined)).toEqual({});
		expect(parseCookies('')).toEqual({});
	});

	it('stores __proto__ as a plain key without touching the prototype', () => {
		const cookies = parseCookies('__proto__=x; constructor=y');
		expect(cookies['__proto__']).toBe('x');
		expect(cookies['constructor']).toBe('y');
		expect(Object.getPrototypeOf(cookies)).toBeNull();
	});
});

describe('checkWebhookAuth: query (S-360 custom parameter)', () => {
	const rule: WebhookAuthRule = { type: 'query', paramName: 'token', secret: SECRET };

	it('accepts the right value', () => {
		expect(checkWebhookAuth({ headers: {}, query: { token: SECRET } }, rule)).toEqual({ ok: true });
	});

	it('reports a wrong value as invalid and names the parameter', () => {
		expect(failure(checkWebhookAuth({ headers: {}, query: { token: 'wrong' } }, rule))).toEqual({
			reason: 'invalid',
			message: 'Invalid token query parameter',
		});
	});

	it('reports an absent parameter as missing', () => {
		expect(failure(checkWebhookAuth({ headers: {}, query: { other: SECRET } }, rule))).toEqual({
			reason: 'missing',
			message: 'Missing token query parameter',
		});
	});

	it('reports a request without a query object as missing', () => {
		expect(failure(checkWebhookAuth({ headers: {} }, rule)).reason).toBe('missing');
	});

	it('reports an empty value as missing', () => {
		expect(failure(checkWebhookAuth({ headers: {}, query: { token: '' } }, rule)).reason).toBe('missing');
	});

	it('rejects a repeated parameter (array value) as invalid even when it holds the secret', () => {
		expect(failure(checkWebhookAuth({ headers: {}, query: { token: [SECRET, SECRET] } }, rule))).toEqual({
			reason: 'invalid',
			message: 'The token query parameter must be sent once, as plain text',
		});
	});

	it('rejects a nested parameter (object value) as invalid', () => {
		expect(failure(checkWebhookAuth({ headers: {}, query: { token: { a: SECRET } } }, rule)).reason).toBe('invalid');
	});

	it('does not see inherited object properties as parameters', () => {
		const protoRule: WebhookAuthRule = { type: 'query', paramName: 'toString', secret: SECRET };
		expect(failure(checkWebhookAuth({ headers: {}, query: {} }, protoRule)).reason).toBe('missing');
	});

	it('does not look in headers', () => {
		expect(failure(checkWebhookAuth({ headers: { token: SECRET }, query: {} }, rule)).reason).toBe('missing');
	});
});

describe('checkWebhookAuth: failure messages', () => {
	const provided = 'Pr0vided-Omega';
	const cases: Array<[string, IncomingRequestParts, WebhookAuthRule]> = [
		['header key', withHeaders({ 'x-secret': provided }), { type: 'headerKey', headerName: 'X-Secret', secret: SECRET }],
		[
			'header key via bearer',
			withHeaders({ authorization: `Bearer ${provided}` }),
			{ type: 'headerKey', headerName: 'X-Secret', secret: SECRET, acceptBearer: true },
		],
		['bearer', withHeaders({ authorization: `Bearer ${provided}` }), { type: 'bearer', token: SECRET }],
		['basic', withHeaders({ authorization: basicHeader(`${provided}:${provided}`) }), { type: 'basic', user: SECRET, password: SECRET }],
		['malformed basic', withHeaders({ authorization: `Basic ${provided}` }), { type: 'basic', user: SECRET, password: SECRET }],
		['cookie', withHeaders({ cookie: `c=${provided}` }), { type: 'cookie', cookieName: 'c', secret: SECRET }],
		['query', { headers: {}, query: { t: provided } }, { type: 'query', paramName: 't', secret: SECRET }],
		['query array', { headers: {}, query: { t: [provided] } }, { type: 'query', paramName: 't', secret: SECRET }],
		['missing header', withHeaders({}), { type: 'headerKey', headerName: 'X-Secret', secret: SECRET }],
	];

	it.each(cases)('never contain the secret nor the provided value (%s)', (_name, request, rule) => {
		const { message } = failure(checkWebhookAuth(request, rule));
		expect(message).not.toContain(SECRET);
		expect(message).not.toContain('S3cr3t');
		expect(message).not.toContain(provided);
		expect(message).not.toContain('Pr0vided');
	});
});

describe('getHeader', () => {
	it('skips a header whose value is undefined and finds a later one of the same name', () => {
		expect(getHeader({ 'X-A': undefined, 'x-a': '1' }, 'x-a')).toBe('1');
	});
});

describe('authChallengeHeaders', () => {
	it('asks for Basic credentials in UTF-8 for a basic rule', () => {
		expect(authChallengeHeaders({ type: 'basic', user: 'u', password: 'p' })).toEqual({
			'WWW-Authenticate': 'Basic realm="webhook", charset="UTF-8"',
		});
	});

	it('asks for a Bearer token for a bearer rule', () => {
		expect(authChallengeHeaders({ type: 'bearer', token: 't' })).toEqual({ 'WWW-Authenticate': 'Bearer realm="webhook"' });
	});

	it('adds no challenge for keys in headers, cookies or query parameters', () => {
		expect(authChallengeHeaders({ type: 'headerKey', headerName: 'X', secret: 's' })).toEqual({});
		expect(authChallengeHeaders({ type: 'cookie', cookieName: 'c', secret: 's' })).toEqual({});
		expect(authChallengeHeaders({ type: 'query', paramName: 'q', secret: 's' })).toEqual({});
	});
});

describe('readJsonBody', () => {
	const json = { 'content-type': 'application/json' };

	function expectOk(result: ReturnType<typeof readJsonBody>): { body: unknown; raw: Buffer } {
		if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.message}`);
		return result;
	}

	it('parses a JSON object from the raw bytes and returns those exact bytes', () => {
		const rawBody = Buffer.from('{"identity":{"id":"1"}}');
		const result = expectOk(readJsonBody({ headers: json, rawBody }, DEFAULT_MAX_BODY_BYTES));
		expect(result.body).toEqual({ identity: { id: '1' } });
		expect(result.raw).toBe(rawBody);
	});

	it('accepts a top-level array', () => {
		const result = readJsonBody({ headers: json, rawBody: Buffer.from('[{"a":1},{"a":2}]') }, 100);
		expect(expectOk(result).body).toEqual([{ a: 1 }, { a: 2 }]);
	});

	it('accepts a raw body given as a string', () => {
		const result = expectOk(readJsonBody({ headers: json, rawBody: '{"a":"b"}' }, 100));
		expect(result.body).toEqual({ a: 'b' });
		expect(result.raw.toString('utf8')).toBe('{"a":"b"}');
	});

	it('prefers the raw bytes over a pre-parsed body', () => {
		const result = readJsonBody({ headers: json, rawBody: Buffer.from('{"a":1}'), body: { a: 2 } }, 100);
		expect(expectOk(result).body).toEqual({ a: 1 });
	});

	it('uses a pre-parsed body when there are no raw bytes, and re-serialises it as raw', () => {
		const result = expectOk(readJsonBody({ headers: json, body: { a: [1, 2] } }, 100));
		expect(result.body).toEqual({ a: [1, 2] });
		expect(result.raw.toString('utf8')).toBe('{"a":[1,2]}');
	});

	it('parses a pre-parsed body that is still text (text/plain)', () => {
		const result = readJsonBody({ headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }, 100);
		expect(expectOk(result).body).toEqual({ a: 1 });
	});

	it('skips a UTF-8 BOM in the raw bytes but keeps it in raw', () => {
		const rawBody = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
		const result = expectOk(readJsonBody({ headers: json, rawBody }, 100));
		expect(result.body).toEqual({ a: 1 });
		expect(result.raw).toEqual(rawBody);
	});

	it('skips a BOM left in a raw body string', () => {
		expect(expectOk(readJsonBody({ headers: json, rawBody: '\uFEFF{"a":1}' }, 100)).body).toEqual({ a: 1 });
	});

	it('decodes unicode as UTF-8', () => {
		const rawBody = Buffer.from('{"name":"Zoë 日本 😀","escaped":"\\u00e9"}', 'utf8');
		expect(expectOk(readJsonBody({ headers: json, rawBody }, 100)).body).toEqual({ name: 'Zoë 日本 😀', escaped: 'é' });
	});

	it('refuses bytes that are not UTF-8 with 400', () => {
		const rawBody = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
		expect(readJsonBody({ headers: json, rawBody }, 100)).toEqual({
			ok: false,
			status: 400,
			message: 'Request body is not valid UTF-8',
		});
	});

	describe('size limit', () => {
		function bodyOfBytes(bytes: number): Buffer {
			const body = Buffer.from(`{"a":"${'x'.repeat(bytes - 8)}"}`);
			expect(body.length).toBe(bytes);
			return body;
		}

		it('accepts a body of exactly maxBytes', () => {
			expect(readJsonBody({ headers: json, rawBody: bodyOfBytes(1000) }, 1000).ok).toBe(true);
		});

		it('refuses a body one byte over maxBytes with 413', () => {
			expect(readJsonBody({ headers: json, rawBody: bodyOfBytes(1001) }, 1000)).toEqual({
				ok: false,
				status: 413,
				message: 'Request body is larger than 1000 bytes',
			});
		});

		it('counts bytes, not characters', () => {
			const rawBody = `{"a":"${'é'.repeat(10)}"}`; // 18 characters, 28 bytes
			expect(rawBody.length).toBe(18);
			const result = readJsonBody({ headers: json, rawBody }, 20);
			expect(!result.ok && result.status).toBe(413);
		});

		it('trusts Content-Length when only a pre-parsed body is available', () => {
			const headers = { ...json, 'content-length': '2000' };
			const result = readJsonBody({ headers, body: { a: 1 } }, 1000);
			expect(!result.ok && result.status).toBe(413);
		});

		it('measures the raw bytes, not Content-Length, when both are present', () => {
			const headers = { ...json, 'content-length': '2000' };
			expect(readJsonBody({ headers, rawBody: '{"a":1}' }, 1000).ok).toBe(true);
		});

		it('measures the re-serialised body when neither raw bytes nor Content-Length exist', () => {
			const result = readJsonBody({ headers: json, body: { a: 'x'.repeat(1000) } }, 1000);
			expect(!result.ok && result.status).toBe(413);
		});

		it('checks the size before the content type', () => {
			const result = readJsonBody(
				{ headers: { 'content-type': 'application/xml' }, rawBody: bodyOfBytes(1001) },
				1000,
			);
			expect(!result.ok && result.status).toBe(413);
		});

		it('defaults to 1 MiB', () => {
			expect(DEFAULT_MAX_BODY_BYTES).toBe(1048576);
		});
	});

	describe('content type', () => {
		it.each([
			'application/json',
			'application/json; charset=utf-8',
			'Application/JSON',
			'application/vnd.api+json',
			'application/merge-patch+json',
			'text/plain',
			'text/plain; charset=UTF-8',
		])('accepts %s', (contentType) => {
			expect(readJsonBody({ headers: { 'content-type': contentType }, rawBody: '{"a":1}' }, 100).ok).toBe(true);
		});

		it('accepts a request without Content-Type when the body is JSON', () => {
			expect(readJsonBody({ headers: {}, rawBody: '{"a":1}' }, 100).ok).toBe(true);
		});

		it.each([
			'application/x-www-form-urlencoded',
			'multipart/form-data; boundary=x',
			'application/xml',
			'text/xml',
			'text/html',
			'application/octet-stream',
		])('refuses %s with 415', (contentType) => {
			expect(readJsonBody({ headers: { 'content-type': contentType }, rawBody: '{"a":1}' }, 100)).toEqual({
				ok: false,
				status: 415,
				message: 'Unsupported Content-Type: send the body as application/json',
			});
		});

		it('refuses text/plain that is not JSON with 400', () => {
			const result = readJsonBody({ headers: { 'content-type': 'text/plain' }, rawBody: 'hello' }, 100);
			expect(!result.ok && result.status).toBe(400);
		});
	});

	describe('empty body', () => {
		const empty = { ok: false, status: 400, message: 'Request body is empty' };

		it('refuses empty raw bytes', () => {
			expect(readJsonBody({ headers: json, rawBody: Buffer.alloc(0) }, 100)).toEqual(empty);
		});

		it('refuses a body of whitespace only', () => {
			expect(readJsonBody({ headers: json, rawBody: ' \r\n\t ' }, 100)).toEqual(empty);
		});

		it('refuses a body that is only a BOM', () => {
			expect(readJsonBody({ headers: json, rawBody: Buffer.from([0xef, 0xbb, 0xbf]) }, 100)).toEqual(empty);
		});

		it('refuses a request with neither raw bytes nor body', () => {
			expect(readJsonBody({ headers: json }, 100)).toEqual(empty);
		});

		it('refuses the {} a server substitutes when Content-Length is 0', () => {
			expect(readJsonBody({ headers: { ...json, 'content-length': '0' }, body: {} }, 100)).toEqual(empty);
		});
	});

	describe('malformed JSON', () => {
		it('reports the position, line and column of the error', () => {
			expect(readJsonBody({ headers: json, rawBody: '{"a":1,}' }, 100)).toEqual({
				ok: false,
				status: 400,
				message: 'Malformed JSON: unexpected character at position 7 (line 1, column 8)',
			});
		});

		it('counts lines and columns in multi-line bodies', () => {
			const result = readJsonBody({ headers: json, rawBody: '{\n  "a": 1,\n  "b": }' }, 100);
			expect(!result.ok && result.message).toBe(
				'Malformed JSON: unexpected character at position 19 (line 3, column 8)',
			);
		});

		it('reports a truncated body as an unexpected end', () => {
			const result = readJsonBody({ headers: json, rawBody: '{"a":[1,2' }, 100);
			expect(!result.ok && result.message).toBe(
				'Malformed JSON: unexpected end of input at position 9 (line 1, column 10)',
			);
		});

		it('never echoes any part of the body', () => {
			// V8's own message for this input quotes the body: `Unexpected token '}', "{"password":"hunter2",}"...`
			const result = readJsonBody({ headers: json, rawBody: '{"password":"hunter2","x":}' }, 100);
			expect(!result.ok && result.status).toBe(400);
			const message = result.ok ? '' : result.message;
			expect(message).not.toContain('hunter2');
			expect(message).not.toContain('password');
			expect(message).not.toContain('}');
		});

		it('counts the position after a BOM', () => {
			const rawBody = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{x}')]);
			const result = readJsonBody({ headers: json, rawBody }, 100);
			expect(!result.ok && result.message).toBe('Malformed JSON: unexpected character at position 1 (line 1, column 2)');
		});
	});

	describe('top-level type', () => {
		it.each(['"text"', '42', 'true', 'null'])('refuses the top-level value %s with 400', (rawBody) => {
			expect(readJsonBody({ headers: json, rawBody }, 100)).toEqual({
				ok: false,
				status: 400,
				message: 'JSON body must be an object or an array',
			});
		});

		it('refuses a pre-parsed body that is not an object or array', () => {
			expect(readJsonBody({ headers: json, body: 42 }, 100)).toEqual({
				ok: false,
				status: 400,
				message: 'JSON body must be an object or an array',
			});
		});
	});
});

describe('locateJsonSyntaxError', () => {
	it('finds nothing wrong in valid JSON', () => {
		for (const valid of ['{}', '[]', ' {"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]} ', '"s"', '0', '[[],{}]']) {
			expect(locateJsonSyntaxError(valid)).toBeUndefined();
		}
	});

	it('agrees with the position V8 reports where V8 reports one', () => {
		for (const invalid of ['{"a":1', '{a:1}', '{"a":1}x', '"abc', '{"a":1,}', '{"a":"x\ny"}', '01', '[1.]', '"\\x"']) {
			let v8Message = '';
			try {
				JSON.parse(invalid);
			} catch (error) {
				v8Message = (error as Error).message;
			}
			const v8Position = /at position (\d+)/.exec(v8Message);
			const position = locateJsonSyntaxError(invalid);
			expect(position).toBeDefined();
			if (v8Position) expect(position).toBe(Number(v8Position[1]));
		}
	});

	it('handles deep nesting without overflowing the stack', () => {
		expect(locateJsonSyntaxError('['.repeat(100_000))).toBe(100_000);
	});

	it('points at the end of the text for an empty input', () => {
		expect(locateJsonSyntaxError('')).toBe(0);
	});
});

describe('describeJsonSyntaxError', () => {
	it('falls back to a bare message when the scanner finds no error', () => {
		expect(describeJsonSyntaxError('{}')).toBe('Malformed JSON');
	});
});

// ---------------------------------------------------------------------------
// n8n-facing layer

interface FakeResponse {
	headersSent: boolean;
	status?: number;
	headers?: Record<string, string>;
	body?: string;
	writeHead(status: number, headers: Record<string, string>): void;
	end(body: string): void;
}

function fakeWebhookFunctions(request: {
	method?: string;
	headers?: Record<string, string>;
	query?: Record<string, unknown>;
}, headersSent = false): { context: IWebhookFunctions; response: FakeResponse } {
	const response: FakeResponse = {
		headersSent,
		writeHead(status, headers) {
			this.status = status;
			this.headers = headers;
		},
		end(body) {
			this.body = body;
		},
	};
	const context = {
		getRequestObject: () => ({ method: 'POST', headers: {}, query: {}, ...request }),
		getResponseObject: () => response,
	} as unknown as IWebhookFunctions;
	return { context, response };
}

describe('respondWithError', () => {
	it('answers {"error": message} as JSON with the status and starts no execution', () => {
		const { context, response } = fakeWebhookFunctions({});
		const result = respondWithError.call(context, 400, 'Request body is empty');
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.status).toBe(400);
		expect(JSON.parse(response.body ?? '')).toEqual({ error: 'Request body is empty' });
		expect(response.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
	});

	it('sets Content-Length in bytes', () => {
		const { context, response } = fakeWebhookFunctions({});
		respondWithError.call(context, 400, 'é');
		expect(response.headers?.['Content-Length']).toBe(String(Buffer.byteLength('{"error":"é"}')));
	});

	it('adds extra headers such as WWW-Authenticate', () => {
		const { context, response } = fakeWebhookFunctions({});
		respondWithError.call(context, 401, 'Invalid basic auth credentials', { 'WWW-Authenticate': 'Basic realm="webhook"' });
		expect(response.status).toBe(401);
		expect(response.headers?.['WWW-Authenticate']).toBe('Basic realm="webhook"');
	});

	it('writes nothing when a response was already sent', () => {
		const { context, response } = fakeWebhookFunctions({}, true);
		expect(respondWithError.call(context, 500, 'late')).toEqual({ noWebhookResponse: true });
		expect(response.status).toBeUndefined();
		expect(response.body).toBeUndefined();
	});

	it('works on a real Node HTTP response', async () => {
		const server = createServer((req, res) => {
			const context = {
				getRequestObject: () => req,
				getResponseObject: () => res,
			} as unknown as IWebhookFunctions;
			respondWithError.call(context, 401, 'Invalid webhook secret — ü', { 'WWW-Authenticate': 'Basic realm="webhook"' });
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as AddressInfo;
			const answer = await fetch(`http://127.0.0.1:${port}/webhook/x`, { method: 'POST' });
			expect(answer.status).toBe(401);
			expect(answer.headers.get('www-authenticate')).toBe('Basic realm="webhook"');
			expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
			expect(await answer.json()).toEqual({ error: 'Invalid webhook secret — ü' });
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});
});

describe('rejectUnlessMethod', () => {
	it('lets an allowed method through and writes nothing', () => {
		const { context, response } = fakeWebhookFunctions({ method: 'POST' });
		expect(rejectUnlessMethod.call(context, ['POST'])).toBeUndefined();
		expect(response.status).toBeUndefined();
	});

	it('compares methods case-insensitively', () => {
		const { context } = fakeWebhookFunctions({ method: 'post' });
		expect(rejectUnlessMethod.call(context, ['Post'])).toBeUndefined();
	});

	it('answers 405 with an Allow header listing the allowed methods', () => {
		const { context, response } = fakeWebhookFunctions({ method: 'GET' });
		expect(rejectUnlessMethod.call(context, ['POST', 'put'])).toEqual({ noWebhookResponse: true });
		expect(response.status).toBe(405);
		expect(response.headers?.Allow).toBe('POST, PUT');
		expect(JSON.parse(response.body ?? '')).toEqual({ error: 'Method not allowed: use POST or PUT' });
	});
});

describe('rejectUnlessAuthenticated', () => {
	it('lets an authenticated request through and writes nothing', () => {
		const { context, response } = fakeWebhookFunctions({ headers: { 'x-webhook-secret': SECRET } });
		const rule: WebhookAuthRule = { type: 'headerKey', headerName: 'X-Webhook-Secret', secret: SECRET };
		expect(rejectUnlessAuthenticated.call(context, rule)).toBeUndefined();
		expect(response.status).toBeUndefined();
	});

	it('answers 401 with the check message', () => {
		const { context, response } = fakeWebhookFunctions({ headers: { 'x-webhook-secret': 'wrong' } });
		const rule: WebhookAuthRule = { type: 'headerKey', headerName: 'X-Webhook-Secret', secret: SECRET };
		expect(rejectUnlessAuthenticated.call(context, rule)).toEqual({ noWebhookResponse: true });
		expect(response.status).toBe(401);
		expect(JSON.parse(response.body ?? '')).toEqual({ error: 'Invalid webhook secret' });
		expect(response.headers?.['WWW-Authenticate']).toBeUndefined();
	});

	it('adds a Basic challenge when basic credentials are missing', () => {
		const { context, response } = fakeWebhookFunctions({});
		rejectUnlessAuthenticated.call(context, { type: 'basic', user: 'u', password: 'p' });
		expect(response.status).toBe(401);
		expect(response.headers?.['WWW-Authenticate']).toBe('Basic realm="webhook", charset="UTF-8"');
	});

	it('reads the query parameters of the request', () => {
		const { context } = fakeWebhookFunctions({ query: { token: SECRET } });
		expect(rejectUnlessAuthenticated.call(context, { type: 'query', paramName: 'token', secret: SECRET })).toBeUndefined();
	});
});
