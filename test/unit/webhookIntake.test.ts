/**
 * The shared webhook intake (nodes/shared/webhookIntake.ts) on a faked webhook context: what
 * it refuses and how it answers, what a trigger's handler gets, and the claim/wait loop every
 * trigger uses (nodes/shared/deliveryClaims.ts).
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { claimKeys } from '../../nodes/shared/deliveryClaims';
import { DeliveryLedger } from '../../nodes/shared/redelivery';
import { WebhookRequestError } from '../../nodes/shared/webhookAnswers';
import { handleWebhook, type WebhookIntake, type WebhookIntakeSpec } from '../../nodes/shared/webhookIntake';

const TOKEN = 'c0ffee-f3a9c1d27b8e4f60a5d2c9e1';

/** What the intake writes to n8n's response: status, headers, body. */
function fakeResponse() {
	const sent = { statusCode: 200, headersSent: false, headers: {} as Record<string, string>, body: '' };
	const writeHead = (status: number, headers: Record<string, string> = {}) => {
		Object.assign(sent, { statusCode: status, headersSent: true, headers: { ...sent.headers, ...headers } });
	};
	const end = (chunk?: string | Buffer) => {
		sent.body += chunk?.toString() ?? '';
	};
	return Object.assign(sent, { writeHead, end });
}

interface FakeRequest {
	method?: string;
	headers?: Record<string, string | string[]>;
	url?: string;
	query?: Record<string, unknown>;
	body?: string | Buffer;
}

/** A trigger spec like the Zoho workflow-rule one: token in the query string or a header, every body type. */
const EVERY_BODY: WebhookIntakeSpec = {
	methods: ['GET', 'POST'],
	auth: {
		credentialType: 'senderApi',
		credentialName: 'Sender',
		rules: (credential) => [
			{ type: 'query', paramName: 'token', secret: String(credential.token) },
			{ type: 'headerKey', headerName: 'token', secret: String(credential.token) },
		],
	},
	maxBodyBytes: 1024,
	body: { accepts: ['json', 'form', 'multipart', 'xml'], emptyAllowed: true, xmlMaxChars: 200 },
};

const JSON_ONLY: WebhookIntakeSpec = { methods: ['POST'], maxBodyBytes: 1024, body: { accepts: ['json'] } };

function contextOf(request: FakeRequest, credentials: () => Promise<object> = async () => ({ token: TOKEN })) {
	const response = fakeResponse();
	const { body, ...rest } = request;
	const context = {
		getRequestObject: () => ({
			method: 'POST',
			headers: {},
			query: {},
			...rest,
			rawBody: body === undefined ? Buffer.alloc(0) : Buffer.from(body),
		}),
		getResponseObject: () => response,
		getCredentials: credentials,
		getNode: () => ({ id: 'trigger-1', name: 'Trigger' }),
	} as unknown as IWebhookFunctions;
	return { context, response };
}

/** Runs the intake; the handler records what it got and starts a run. */
async function deliver(spec: WebhookIntakeSpec, request: FakeRequest, credentials?: () => Promise<object>) {
	const { context, response } = contextOf(request, credentials);
	let received: WebhookIntake | undefined;
	const result = await handleWebhook(context, spec, (intake) => {
		received = intake;
		return { workflowData: [[{ json: {} }]] };
	});
	return { result, response, received, answer: response.body === '' ? undefined : (JSON.parse(response.body) as unknown) };
}

const withToken = (headers: Record<string, string> = {}) => ({ token: TOKEN, ...headers });

describe('webhook intake: method', () => {
	it('answers a method the trigger does not declare with 405 and an Allow header, starting nothing', async () => {
		const { result, response, answer } = await deliver(JSON_ONLY, { method: 'PUT', body: '{}' });
		expect(result).toEqual({ noWebhookResponse: true });
		expect([response.statusCode, response.headers.Allow]).toEqual([405, 'POST']);
		expect(answer).toEqual({ error: 'Method not allowed: use POST' });
	});

	it('takes a GET in when the trigger declares it, with no body and the query string as fields', async () => {
		const { received } = await deliver(EVERY_BODY, {
			method: 'GET',
			url: `/webhook/zoho?token=${TOKEN}&Contact_Id=42&Email=a%40b.test`,
			// What express parses from that URL; authentication reads it, as it always has.
			query: { token: TOKEN, Contact_Id: '42', Email: 'a@b.test' },
		});
		expect(received?.method).toBe('GET');
		expect(received?.body).toEqual({ type: 'none' });
		expect(received?.query()).toEqual({ token: TOKEN, Contact_Id: '42', Email: 'a@b.test' });
	});
});

describe('webhook intake: credential and authentication', () => {
	it('answers 500 naming the credential when it cannot be read', async () => {
		const { response, answer } = await deliver(EVERY_BODY, { headers: withToken(), body: '{}' }, async () => {
			throw new Error('decryption failed');
		});
		expect(response.statusCode).toBe(500);
		expect(answer).toEqual({ error: 'The Sender credential of this trigger cannot be read' });
	});

	it('reads the credential once per few seconds, not per request', async () => {
		const read = jest.fn(async () => ({ token: TOKEN }));
		const request = { headers: withToken(), body: '{}' };
		const { context } = contextOf(request, read);
		Object.assign(context, { getNode: () => ({ id: 't', name: 'T', credentials: { senderApi: { id: 'cred-intake-1' } } }) });
		for (let index = 0; index < 3; index++) await handleWebhook(context, EVERY_BODY, () => ({}));
		expect(read).toHaveBeenCalledTimes(1);
	});

	it('answers 401 when no rule is satisfied, naming every place the token may travel', async () => {
		const { response, answer } = await deliver(EVERY_BODY, { body: '{}' });
		expect(response.statusCode).toBe(401);
		expect(answer).toEqual({ error: 'Missing token: send it as a query parameter or a header' });
	});

	it('refuses a wrong token with 401 before reading a byte of the body', async () => {
		const listeners: string[] = [];
		const response = fakeResponse();
		const context = {
			getRequestObject: () => ({ method: 'POST', headers: { token: 'wrong-token-wrong-token' }, query: {}, on: (event: string) => listeners.push(event), removeListener: () => undefined }),
			getResponseObject: () => response,
			getCredentials: async () => ({ token: TOKEN }),
			getNode: () => ({ id: 't', name: 'T' }),
		} as unknown as IWebhookFunctions;
		const handler = jest.fn();
		await handleWebhook(context, EVERY_BODY, handler);
		expect([response.statusCode, JSON.parse(response.body)]).toEqual([401, { error: 'Invalid webhook secret' }]);
		expect(listeners).toEqual([]);
		expect(handler).not.toHaveBeenCalled();
	});

	it('hands the handler the credential it authenticated with', async () => {
		const { received } = await deliver(EVERY_BODY, { headers: withToken(), body: '{}' });
		expect(received?.credential).toEqual({ token: TOKEN });
	});
});

describe('webhook intake: body size', () => {
	it('answers 413 and closes the connection when the body is over the declared limit', async () => {
		const { response, answer } = await deliver(JSON_ONLY, { body: `{"a":"${'x'.repeat(1100)}"}` });
		expect([response.statusCode, response.headers.Connection]).toEqual([413, 'close']);
		expect(answer).toEqual({ error: 'Request body is larger than 1024 bytes' });
	});

	it('answers 413 for XML over the declared number of characters', async () => {
		const xml = `<r><a>${'é'.repeat(200)}</a></r>`;
		const { response, answer } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'application/xml' }), body: xml });
		expect(response.statusCode).toBe(413);
		expect(answer).toEqual({ error: 'XML body is longer than 200 characters' });
	});
});

describe('webhook intake: content types', () => {
	it('reads JSON into the value JSON.parse builds, keeping the exact bytes', async () => {
		const body = '{"id":"42","tags":["a"]}';
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'application/json' }), body });
		expect(received?.body).toEqual({ type: 'json', value: { id: '42', tags: ['a'] }, raw: Buffer.from(body) });
	});

	it('reads form-urlencoded fields, + as space and repeated names as arrays', async () => {
		const { received } = await deliver(EVERY_BODY, {
			headers: withToken({ 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }),
			body: 'First_Name=Ada+Maria&Email=ada%40example.test&Tag=a&Tag=b',
		});
		expect(received?.body).toMatchObject({ type: 'form', fields: { First_Name: 'Ada Maria', Email: 'ada@example.test', Tag: ['a', 'b'] } });
	});

	it('reads multipart form-data text fields', async () => {
		const body = ['--XyZ', 'Content-Disposition: form-data; name="Contact_Id"', '', '42', '--XyZ', 'Content-Disposition: form-data; name="Note"', '', 'line 1\r\nline 2', '--XyZ--', ''].join('\r\n');
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'multipart/form-data; boundary=XyZ' }), body });
		expect(received?.body).toMatchObject({ type: 'multipart', fields: { Contact_Id: '42', Note: 'line 1\r\nline 2' } });
	});

	it('reads flat XML into its root and fields, keeping the text', async () => {
		const body = '<?xml version="1.0" encoding="UTF-8"?><contact><id>42</id><name>Ada &amp; Co</name></contact>';
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'text/xml' }), body });
		expect(received?.body).toMatchObject({ type: 'xml', text: body, xml: { root: 'contact', fields: { id: '42', name: 'Ada & Co' } } });
	});

	it('reads an unlabelled body that starts with < as XML when the trigger accepts XML', async () => {
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'text/plain' }), body: ' <c><id>1</id></c>' });
		expect(received?.body).toMatchObject({ type: 'xml', xml: { fields: { id: '1' } } });
	});

	it('reads an unlabelled body as JSON when the trigger accepts only JSON', async () => {
		const { response, answer } = await deliver(JSON_ONLY, { body: '<c/>' });
		expect(response.statusCode).toBe(400);
		expect(answer).toEqual({ error: 'Malformed JSON: unexpected character at position 0 (line 1, column 1)' });
	});

	it('answers 415 naming the accepted types for a type the trigger does not declare', async () => {
		const spec: WebhookIntakeSpec = { ...JSON_ONLY, body: { accepts: ['json', 'form'] } };
		const { response, answer } = await deliver(spec, { headers: { 'content-type': 'application/xml' }, body: '<a/>' });
		expect(response.statusCode).toBe(415);
		expect(answer).toEqual({ error: 'Unsupported Content-Type: send the body as application/json or application/x-www-form-urlencoded' });
	});

	it('answers a JSON-only trigger 415 in the words it always used', async () => {
		const { response, answer } = await deliver(JSON_ONLY, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
		expect(response.statusCode).toBe(415);
		expect(answer).toEqual({ error: 'Unsupported Content-Type: send the body as application/json' });
	});

	it('answers 415 for a form in a charset other than UTF-8', async () => {
		const { response, answer } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' }), body: 'a=1' });
		expect(response.statusCode).toBe(415);
		expect(answer).toEqual({ error: 'Unsupported charset: send the body in UTF-8' });
	});

	it('answers 400 for a multipart file part, naming no field', async () => {
		const body = ['--b', 'Content-Disposition: form-data; name="secret-name"; filename="x.txt"', '', 'data', '--b--'].join('\r\n');
		const { response, answer } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'multipart/form-data; boundary=b' }), body });
		expect(response.statusCode).toBe(400);
		expect(answer).toEqual({ error: 'Unsupported multipart/form-data part 1: it is a file; this webhook reads text fields only' });
	});

	it('takes an empty POST in as no body when the trigger allows it', async () => {
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'application/x-www-form-urlencoded' }), url: '/w?id=7' });
		expect(received?.body).toEqual({ type: 'none' });
		expect(received?.query()).toEqual({ id: '7' });
	});

	it('answers 400 for an empty body when the trigger does not allow it', async () => {
		const { response, answer } = await deliver(JSON_ONLY, { headers: { 'content-type': 'application/json' } });
		expect(response.statusCode).toBe(400);
		expect(answer).toEqual({ error: 'Request body is empty' });
	});
});

describe('webhook intake: __proto__ keys are plain data', () => {
	afterEach(() => {
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('in a JSON body: an own key, the object keeps Object.prototype', async () => {
		const { received } = await deliver(JSON_ONLY, { body: '{"__proto__":{"polluted":true},"id":"1"}' });
		const value = (received?.body as { value: Record<string, unknown> }).value;
		expect(Object.keys(value)).toEqual(['__proto__', 'id']);
		expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
		expect(value.polluted).toBeUndefined();
	});

	it('in form fields and the query string', async () => {
		const { received } = await deliver(EVERY_BODY, {
			headers: withToken({ 'content-type': 'application/x-www-form-urlencoded' }),
			url: '/w?__proto__=q&constructor=c',
			body: '__proto__=polluted&__proto__=again&toString=x',
		});
		const fields = (received?.body as { fields: Record<string, unknown> }).fields;
		expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toEqual(['polluted', 'again']);
		expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
		expect(Object.getOwnPropertyDescriptor(received?.query(), '__proto__')?.value).toBe('q');
	});

	it('in XML element names', async () => {
		const { received } = await deliver(EVERY_BODY, { headers: withToken({ 'content-type': 'application/xml' }), body: '<r><__proto__>x</__proto__></r>' });
		const fields = (received?.body as { xml: { fields: Record<string, unknown> } }).xml.fields;
		expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x');
		expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
	});
});

describe('webhook intake: errors are answered in one place', () => {
	it('answers a WebhookRequestError the handler throws with its status, headers and message, starting nothing', async () => {
		const { context, response } = contextOf({ body: '{}' });
		const result = await handleWebhook(context, JSON_ONLY, async () => {
			throw new WebhookRequestError(503, 'Busy: retry later', { 'Retry-After': '10' });
		});
		expect(result).toEqual({ noWebhookResponse: true });
		expect([response.statusCode, response.headers['Retry-After'], JSON.parse(response.body)]).toEqual([503, '10', { error: 'Busy: retry later' }]);
	});

	it('passes any other error on to n8n', async () => {
		const { context } = contextOf({ body: '{}' });
		await expect(handleWebhook(context, JSON_ONLY, () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
	});

	it('answers a malformed query string with 400 when the handler reads it', async () => {
		const { context, response } = contextOf({ method: 'GET', url: '/w?id=%E0%A4%A', headers: withToken() });
		const result: IWebhookResponseData = await handleWebhook(context, EVERY_BODY, (intake) => ({ webhookResponse: intake.query() }));
		expect(result).toEqual({ noWebhookResponse: true });
		expect([response.statusCode, JSON.parse(response.body)]).toEqual([400, { error: 'Malformed query string: pair 1 has invalid percent-encoding (send UTF-8, %-encoded)' }]);
	});
});

describe('claimKeys: the one claim/wait loop', () => {
	const settle = () => new Promise((resolve) => setImmediate(resolve));

	it('claims keys nobody holds, each once however often it is given', async () => {
		const ledger = new DeliveryLedger<string>();
		expect(await claimKeys(ledger, ['a', 'b', 'a'], 1000)).toEqual({ state: 'claimed', claimed: ['a', 'b'], succeeded: new Map() });
		expect(ledger.begin('a', Date.now()).state).toBe('running');
	});

	it('hands back the recorded answer of a key whose run succeeded, claiming it not', async () => {
		const ledger = new DeliveryLedger<string>();
		ledger.begin('a', Date.now());
		ledger.succeed('a', 'first answer', Date.now());
		expect(await claimKeys(ledger, ['a', 'b'], 1000)).toEqual({ state: 'claimed', claimed: ['b'], succeeded: new Map([['a', 'first answer']]) });
	});

	it('waits for a key another request runs and claims it when that run fails', async () => {
		const ledger = new DeliveryLedger<string>();
		ledger.begin('a', Date.now());
		const claiming = claimKeys(ledger, ['a', 'b'], 60_000);
		await settle();
		ledger.fail('a');
		expect(await claiming).toEqual({ state: 'claimed', claimed: ['b', 'a'], succeeded: new Map() });
	});

	it('of two copies waiting for the same failed run, exactly one claims it', async () => {
		const ledger = new DeliveryLedger<string>();
		ledger.begin('a', Date.now());
		const copies = [claimKeys(ledger, ['a'], 60_000), claimKeys(ledger, ['a'], 60_000)];
		await settle();
		ledger.fail('a');
		await settle();
		// The loser waits on the winner's run: let that one succeed.
		ledger.succeed('a', 'done', Date.now());
		const claims = await Promise.all(copies);
		expect(claims.map((claim) => (claim.state === 'claimed' ? claim.claimed : claim.state))).toEqual(expect.arrayContaining([['a'], []]));
	});

	it('releases what it claimed and reports busy when the wait runs out', async () => {
		const ledger = new DeliveryLedger<string>();
		ledger.begin('a', Date.now());
		expect(await claimKeys(ledger, ['b', 'a'], 0)).toEqual({ state: 'busy' });
		expect(ledger.begin('b', Date.now())).toEqual({ state: 'new' });
	});
});
