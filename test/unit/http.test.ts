/**
 * The one request path (nodes/shared/http.ts): bounded retries on 429, 5xx and dropped
 * connections with backoff, a time budget, Retry-After, and failures shaped into NodeApiError with
 * the service's own code and without secrets.
 */
import {
	NodeApiError,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import {
	DEFAULT_RETRY_POLICY,
	describeErrorBody,
	isRetryableNetworkError,
	isRetryableStatus,
	requestWithRetry,
	retryDelayMs,
	sendServiceRequest,
	sendWithLegacyRequest,
	ServiceRequestError,
	type RetryPolicy,
	type SendFunction,
	type ServiceCall,
} from '../../nodes/shared/http';
import { serialiseNodeError } from './fakes/serialiseError';

const SECRET = 'sk-live-0123456789abcdef';
/** Retries without real waiting: sleep() from n8n-workflow is a real timer. */
const FAST: Partial<RetryPolicy> = { baseDelayMs: 1, maxDelayMs: 2 };
/** A replayable call (a keyed upsert): after-send failures may be retried. */
const CALL: ServiceCall = { service: 'Example CRM', retry: FAST, secrets: [SECRET], replayable: true };
const REQUEST: IHttpRequestOptions = { method: 'POST', url: 'https://crm.example.test/contacts', body: { a: 1 }, json: true };

const NODE: INode = {
	id: 'n1',
	name: 'Example',
	type: 'n8n-nodes-contact-sync.example',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

type Step = { status: number; body?: unknown; headers?: Record<string, string> } | { error: Error };

function networkError(code: string | undefined, message = `connect ${code}`): Error {
	return Object.assign(new Error(message), code ? { code } : {});
}

/** A send that answers the scripted steps in order, recording each request. */
function scripted(...steps: Step[]) {
	const requests: IHttpRequestOptions[] = [];
	const send: SendFunction = async (options) => {
		requests.push(options);
		const step = steps[Math.min(requests.length, steps.length) - 1];
		if ('error' in step) throw step.error;
		return { statusCode: step.status, headers: step.headers ?? {}, body: step.body ?? '' } as IN8nHttpFullResponse;
	};
	return { send, requests };
}

async function failureOf(promise: Promise<unknown>): Promise<ServiceRequestError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ServiceRequestError);
	return error as ServiceRequestError;
}

describe('retryDelayMs', () => {
	const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, budgetMs: 120_000 };
	const now = Date.parse('2025-01-01T00:00:00Z');

	it('waits the seconds a Retry-After header asks for', () => {
		expect(retryDelayMs(1, policy, '3', now)).toBe(3000);
		expect(retryDelayMs(1, policy, '0', now)).toBe(0);
		expect(retryDelayMs(1, policy, '1.5', now)).toBe(1500);
	});

	it('waits until the HTTP date of a Retry-After header', () => {
		expect(retryDelayMs(1, policy, 'Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
	});

	it('does not wait for a Retry-After date in the past', () => {
		expect(retryDelayMs(1, policy, 'Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
	});

	it('caps a Retry-After by the policy maximum, in seconds and as a date', () => {
		expect(retryDelayMs(1, policy, '3600', now)).toBe(30_000);
		expect(retryDelayMs(1, policy, 'Wed, 01 Jan 2025 01:00:00 GMT', now)).toBe(30_000);
	});

	it('reads the first value of a repeated Retry-After header', () => {
		expect(retryDelayMs(1, policy, ['2', '9'], now)).toBe(2000);
	});

	it('falls back to backoff for an empty or unreadable Retry-After', () => {
		const top = () => 0.999999;
		expect(retryDelayMs(1, policy, '', now, top)).toBe(500);
		expect(retryDelayMs(1, policy, 'soon', now, top)).toBe(500);
	});

	it('doubles the backoff ceiling with every attempt, up to the maximum', () => {
		const top = () => 1;
		expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(attempt, policy, undefined, now, top))).toEqual([
			500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
		]);
	});

	it('draws the delay uniformly below the ceiling (full jitter)', () => {
		expect(retryDelayMs(3, policy, undefined, now, () => 0)).toBe(0);
		expect(retryDelayMs(3, policy, undefined, now, () => 0.5)).toBe(1000);
		expect(retryDelayMs(3, policy, undefined, now, () => 0.25)).toBe(500);
	});
});

describe('isRetryableStatus', () => {
	it.each([429, 500, 502, 503, 504, 599])('retries %i', (status) => {
		expect(isRetryableStatus(status)).toBe(true);
	});

	it.each([200, 204, 301, 400, 401, 403, 404, 409, 412, 422, 501])('does not retry %i', (status) => {
		expect(isRetryableStatus(status)).toBe(false);
	});
});

describe('isRetryableNetworkError', () => {
	it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'])('retries code %s', (code) => {
		expect(isRetryableNetworkError(networkError(code))).toBe(true);
	});

	it('reads the code of the cause (fetch and n8n wrap the socket error)', () => {
		const fetchFailure = Object.assign(new TypeError('fetch failed'), { cause: networkError('ECONNRESET') });
		expect(isRetryableNetworkError(fetchFailure)).toBe(true);
	});

	it('retries a "socket hang up" without a code', () => {
		expect(isRetryableNetworkError(new Error('socket hang up'))).toBe(true);
	});

	it('does not retry an unknown host, a TLS failure or an ordinary error', () => {
		expect(isRetryableNetworkError(networkError('ENOTFOUND'))).toBe(false);
		expect(isRetryableNetworkError(networkError('CERT_HAS_EXPIRED'))).toBe(false);
		expect(isRetryableNetworkError(new Error('Cannot read properties of undefined'))).toBe(false);
	});

	it('does not throw on values that are not errors', () => {
		expect(isRetryableNetworkError(undefined)).toBe(false);
		expect(isRetryableNetworkError(null)).toBe(false);
		expect(isRetryableNetworkError('ECONNRESET')).toBe(false);
	});
});

describe('describeErrorBody', () => {
	it('reads code, message and details of a Zoho-style body', () => {
		expect(
			describeErrorBody({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' }),
		).toEqual({ code: 'INVALID_TOKEN', message: 'invalid oauth token', details: {} });
	});

	it('reads error and error_description of an OAuth body', () => {
		expect(
			describeErrorBody({ error: 'Access Denied', error_description: 'You have made too many requests continuously.' }),
		).toEqual({ code: 'Access Denied', message: 'You have made too many requests continuously.', details: undefined });
	});

	it('uses a lone `error` string as both code and message', () => {
		expect(describeErrorBody({ error: 'invalid_client' })).toMatchObject({ code: 'invalid_client', message: 'invalid_client' });
	});

	it('reads errorCode as text', () => {
		expect(describeErrorBody({ success: false, error: 'unauthorized access', errorCode: 401 })).toMatchObject({
			code: '401',
			message: 'unauthorized access',
		});
	});

	it('uses a text body (a gateway page) as message, trimmed and cut to 500 characters', () => {
		expect(describeErrorBody('  <html>502 Bad Gateway</html>\n')).toEqual({ message: '<html>502 Bad Gateway</html>' });
		expect(describeErrorBody('x'.repeat(600)).message).toHaveLength(500);
	});

	it('reads nothing from an empty body', () => {
		expect(describeErrorBody('')).toEqual({});
		expect(describeErrorBody(undefined)).toEqual({});
		expect(describeErrorBody(null)).toEqual({});
	});
});

describe('requestWithRetry', () => {
	it('asks for the full response without throwing on HTTP errors, and returns a 2xx at once', async () => {
		const { send, requests } = scripted({ status: 200, body: { ok: true }, headers: { 'x-id': '1' } });
		const response = await requestWithRetry(send, REQUEST, CALL);
		expect(response).toEqual({ statusCode: 200, headers: { 'x-id': '1' }, body: { ok: true }, attempts: 1, resentAfterSend: false });
		expect(requests).toEqual([{ ...REQUEST, timeout: 30_000, returnFullResponse: true, ignoreHttpStatusErrors: true }]);
	});

	it('parses a JSON body that arrives as text or as a buffer', async () => {
		const asText = await requestWithRetry(scripted({ status: 200, body: ' {"id":"7"}' }).send, REQUEST, CALL);
		expect(asText.body).toEqual({ id: '7' });
		const asBuffer = await requestWithRetry(scripted({ status: 201, body: Buffer.from('[1,2]') }).send, REQUEST, CALL);
		expect(asBuffer.body).toEqual([1, 2]);
	});

	it('returns a text body that is not JSON as it is', async () => {
		const response = await requestWithRetry(scripted({ status: 200, body: 'OK' }).send, REQUEST, CALL);
		expect(response.body).toBe('OK');
	});

	it('retries 429, 5xx and a reset connection, then returns the success', async () => {
		const { send, requests } = scripted(
			{ status: 429, body: { code: 'TOO_MANY_REQUESTS' } },
			{ status: 503, body: '<html>503</html>' },
			{ error: networkError('ECONNRESET', 'socket hang up') },
			{ status: 200, body: { data: [] } },
		);
		const response = await requestWithRetry(send, REQUEST, { ...CALL, retry: { ...FAST, maxAttempts: 5 } });
		expect(response.statusCode).toBe(200);
		expect(response.attempts).toBe(4);
		expect(requests).toHaveLength(4);
	});

	it('stops after maxAttempts and reports the last answer with the service code', async () => {
		const { send, requests } = scripted({
			status: 500,
			body: { code: 'INTERNAL_ERROR', message: 'Internal Server Error', details: {}, status: 'error' },
		});
		const error = await failureOf(requestWithRetry(send, REQUEST, { ...CALL, retry: { ...FAST, maxAttempts: 3 } }));
		expect(requests).toHaveLength(3);
		expect(error.failure).toEqual({
			service: 'Example CRM',
			status: 500,
			code: 'INTERNAL_ERROR',
			message: 'Internal Server Error',
			hint: undefined,
			details: {},
			attempts: 3,
		});
		expect(error.message).toBe('Internal Server Error');
	});

	it('uses the default policy of 5 attempts when none is given', async () => {
		expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(5);
		const { send, requests } = scripted({ status: 502 });
		await failureOf(requestWithRetry(send, REQUEST, { ...CALL, retry: { baseDelayMs: 1, maxDelayMs: 1 } }));
		expect(requests).toHaveLength(5);
	});

	it.each([400, 401, 403, 404, 422, 501])('does not retry %i', async (status) => {
		const { send, requests } = scripted({ status, body: { code: 'SOME_CODE', message: 'refused' } });
		const error = await failureOf(requestWithRetry(send, REQUEST, CALL));
		expect(requests).toHaveLength(1);
		expect(error.failure).toMatchObject({ status, code: 'SOME_CODE', message: 'refused' });
	});

	it('names the HTTP status when the body says nothing', async () => {
		const error = await failureOf(requestWithRetry(scripted({ status: 404 }).send, REQUEST, CALL));
		expect(error.failure.message).toBe('HTTP 404');
	});

	it('returns a passThroughStatus to the caller instead of throwing', async () => {
		const { send, requests } = scripted({ status: 401, body: { code: 'INVALID_TOKEN' } });
		const response = await requestWithRetry(send, REQUEST, { ...CALL, passThroughStatuses: [401] });
		expect(response).toMatchObject({ statusCode: 401, body: { code: 'INVALID_TOKEN' }, attempts: 1 });
		expect(requests).toHaveLength(1);
	});

	it('lets describeError add the service-specific code, message and hint', async () => {
		const { send } = scripted({ status: 400, body: { fault: { id: 'E42', text: 'bad field' } } });
		const error = await failureOf(
			requestWithRetry(send, REQUEST, {
				...CALL,
				describeError: (body) => {
					const fault = (body as { fault: { id: string; text: string } }).fault;
					return { code: fault.id, message: fault.text, hint: 'Fix the field.' };
				},
			}),
		);
		expect(error.failure).toMatchObject({ status: 400, code: 'E42', message: 'bad field', hint: 'Fix the field.' });
	});

	it('does not retry when the Retry-After wait would exceed the time budget', async () => {
		const { send, requests } = scripted({ status: 429, headers: { 'Retry-After': '1' }, body: { code: 'TOO_MANY_REQUESTS' } });
		const error = await failureOf(
			requestWithRetry(send, REQUEST, { ...CALL, retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5000, budgetMs: 500 } }),
		);
		expect(requests).toHaveLength(1);
		expect(error.failure).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
	});

	it('reads Retry-After whatever the case of the header name, capped by maxDelayMs', async () => {
		// Capped to 1 ms, the 10 s the server asks for fits the budget: the call is retried.
		const { send, requests } = scripted({ status: 503, headers: { 'retry-after': '10' } }, { status: 200, body: {} });
		const response = await requestWithRetry(send, REQUEST, {
			...CALL,
			retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 },
		});
		expect(response.attempts).toBe(2);
		expect(requests).toHaveLength(2);
	});

	it('stops retrying once the time budget is spent', async () => {
		let calls = 0;
		const slow: SendFunction = async () => {
			calls++;
			await new Promise((resolve) => setTimeout(resolve, 30));
			return { statusCode: 503, headers: {}, body: '' };
		};
		await failureOf(requestWithRetry(slow, REQUEST, { ...CALL, retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 20 } }));
		expect(calls).toBe(1);
	});

	it('reads the HTTP answer carried by a thrown error (axios `response`) as that answer', async () => {
		const thrown = Object.assign(new Error('Request failed with status code 401'), {
			response: { status: 401, headers: {}, data: { code: 'INVALID_TOKEN', message: 'invalid oauth token' } },
		});
		const { send, requests } = scripted({ error: thrown });
		const error = await failureOf(requestWithRetry(send, REQUEST, CALL));
		expect(requests).toHaveLength(1);
		expect(error.failure).toMatchObject({ status: 401, code: 'INVALID_TOKEN', message: 'invalid oauth token' });
	});

	it('reads the HTTP answer inside the cause n8n wrapped it in, retries it when retryable, and passes it through', async () => {
		const carried = (status: number) =>
			new NodeApiError(NODE, Object.assign(new Error(`status ${status}`), { response: { status, data: { code: `E${status}` } } }) as unknown as JsonObject);
		const { send, requests } = scripted({ error: carried(503) }, { error: carried(401) });
		const response = await requestWithRetry(send, REQUEST, { ...CALL, passThroughStatuses: [401] });
		expect(requests).toHaveLength(2);
		expect(response).toMatchObject({ statusCode: 401, body: { code: 'E401' }, attempts: 2 });
	});

	it('reports a connection failure after the retries with a hint to check the URL', async () => {
		const { send, requests } = scripted({ error: networkError('ECONNREFUSED') });
		const error = await failureOf(requestWithRetry(send, REQUEST, { ...CALL, retry: { ...FAST, maxAttempts: 2 } }));
		expect(requests).toHaveLength(2);
		expect(error.failure).toEqual({
			service: 'Example CRM',
			code: 'ECONNREFUSED',
			message: 'could not reach the service (ECONNREFUSED)',
			hint: 'Check the URL and that the service is reachable from n8n.',
			attempts: 2,
		});
	});

	it('does not retry a failure that is not a connection problem, and keeps its code', async () => {
		const { send, requests } = scripted({ error: networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND crm.example.test') });
		const error = await failureOf(requestWithRetry(send, REQUEST, CALL));
		expect(requests).toHaveLength(1);
		expect(error.failure).toMatchObject({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND crm.example.test' });
	});

	it('redacts secrets from the message of a failure that is not retried', async () => {
		const url = `https://crm.example.test/x?api_token=${SECRET}`;
		const { send } = scripted({ error: networkError('ERR_INVALID_URL', `Invalid URL ${url}`) });
		const error = await failureOf(requestWithRetry(send, REQUEST, CALL));
		expect(error.failure.message).toBe('Invalid URL https://crm.example.test/x?api_token=[redacted]');
		expect(JSON.stringify(error.failure)).not.toContain(SECRET);
	});

	it('redacts secrets from the message of a retried connection failure without a code', async () => {
		const { send } = scripted({ error: networkError(undefined, `socket hang up (https://crm.example.test/?key=${SECRET})`) });
		const error = await failureOf(requestWithRetry(send, REQUEST, { ...CALL, retry: { ...FAST, maxAttempts: 2 } }));
		expect(JSON.stringify(error.failure)).not.toContain(SECRET);
		expect(error.failure.message).toContain('[redacted]');
	});
});

describe('requestWithRetry never sends a write twice that the service may have applied', () => {
	const WRITE: ServiceCall = { service: 'Example CRM', retry: { ...FAST, maxAttempts: 5 }, secrets: [SECRET] };

	it('retries a refused connection, a failed DNS look-up and a 429 of a request that is not replayable: none reached the service', async () => {
		const { send, requests } = scripted(
			{ error: networkError('ECONNREFUSED') },
			{ error: networkError('EAI_AGAIN') },
			{ status: 429, body: { code: 'TOO_MANY_REQUESTS' } },
			{ status: 200, body: { ok: true } },
		);
		const response = await requestWithRetry(send, REQUEST, WRITE);
		expect(requests).toHaveLength(4);
		expect(response.attempts).toBe(4);
	});

	it.each([
		['a reset connection', { error: networkError('ECONNRESET', 'socket hang up') }],
		['a timed-out attempt', { error: networkError('ECONNABORTED', 'timeout of 30000ms exceeded') }],
		['a socket hang up without a code', { error: networkError(undefined, 'socket hang up') }],
		['a 500', { status: 500, body: { code: 'INTERNAL_ERROR', message: 'Internal Server Error' } }],
		['a 503', { status: 503, body: '' }],
	] as Array<[string, Step]>)('does not resend a POST after %s, and says it may have been applied', async (_, step) => {
		const { send, requests } = scripted(step, { status: 200, body: {} });
		const error = await failureOf(requestWithRetry(send, REQUEST, WRITE));
		expect(requests).toHaveLength(1);
		expect(error.failure.mayHaveBeenApplied).toBe(true);
		expect(error.failure.attempts).toBe(1);
		expect(error.failure.message).toContain('the call may or may not have been applied, so it was not sent again');
	});

	it('resends a POST after a reset connection when the caller declares it replayable', async () => {
		const { send, requests } = scripted({ error: networkError('ECONNRESET') }, { status: 200, body: {} });
		const response = await requestWithRetry(send, REQUEST, { ...WRITE, replayable: true });
		expect(requests).toHaveLength(2);
		expect(response.attempts).toBe(2);
		expect(response.resentAfterSend).toBe(true);
	});

	it('does not call a request resent after send when only before-send failures preceded it', async () => {
		const { send } = scripted({ error: networkError('ECONNREFUSED') }, { status: 429 }, { status: 200, body: {} });
		const response = await requestWithRetry(send, REQUEST, WRITE);
		expect(response).toMatchObject({ attempts: 3, resentAfterSend: false });
	});

	it('treats GET and PUT as replayable and POST and PATCH as not, unless told otherwise', async () => {
		for (const [method, sent] of [['GET', 2], ['PUT', 2], ['POST', 1], ['PATCH', 1]] as const) {
			const { send, requests } = scripted({ status: 502 }, { status: 200, body: {} });
			await requestWithRetry(send, { ...REQUEST, method }, WRITE).catch(() => undefined);
			expect([method, requests.length]).toEqual([method, sent]);
		}
	});

	it('gives every attempt the per-attempt timeout, cut to what is left of the budget', async () => {
		const { send, requests } = scripted({ status: 200, body: {} });
		await requestWithRetry(send, REQUEST, { ...WRITE, timeoutMs: 5_000 });
		expect(requests[0].timeout).toBe(5_000);
		const short = scripted({ status: 200, body: {} });
		await requestWithRetry(short.send, REQUEST, { ...WRITE, timeoutMs: 5_000, retry: { budgetMs: 1_000 } });
		expect(short.requests[0].timeout).toBeLessThanOrEqual(1_000);
	});

	it('returns an error answer the caller reads itself (per-record results in a 400) instead of failing it', async () => {
		const body = { data: [{ status: 'error', code: 'INVALID_DATA' }] };
		const { send } = scripted({ status: 400, body });
		const response = await requestWithRetry(send, REQUEST, { ...WRITE, returnsAnswer: (_, answer) => Array.isArray((answer as typeof body).data) });
		expect(response).toMatchObject({ statusCode: 400, body });
	});
});

/** The parts of IExecuteFunctions sendServiceRequest uses, answering `steps` in order. */
function fakeContext(...steps: Step[]) {
	const { send, requests } = scripted(...steps);
	const receivers: unknown[] = [];
	const httpRequest = jest.fn(async (options: IHttpRequestOptions) => await send(options));
	const httpRequestWithAuthentication = jest.fn(async function (
		this: unknown,
		_credentialType: string,
		options: IHttpRequestOptions,
		_additional?: unknown,
	) {
		receivers.push(this);
		return await send(options);
	});
	const ctx = {
		getNode: () => NODE,
		helpers: { httpRequest, httpRequestWithAuthentication },
	} as unknown as IExecuteFunctions;
	return { ctx, requests, receivers, httpRequest, httpRequestWithAuthentication };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<NodeApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

describe('sendServiceRequest', () => {
	it('uses httpRequestWithAuthentication with the credential type, on the node context', async () => {
		const fake = fakeContext({ status: 200, body: { ok: 1 } });
		const response = await sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'exampleApi' });
		expect(response.body).toEqual({ ok: 1 });
		expect(fake.httpRequest).not.toHaveBeenCalled();
		expect(fake.httpRequestWithAuthentication).toHaveBeenCalledWith(
			'exampleApi',
			{ ...REQUEST, timeout: 30_000, returnFullResponse: true, ignoreHttpStatusErrors: true },
			undefined,
		);
		expect(fake.receivers).toEqual([fake.ctx]);
	});

	it('passes credentialsDecrypted in the shape n8n reads (`.data` holds the fields)', async () => {
		const fake = fakeContext({ status: 200 });
		const credentials = { clientId: 'c', accessToken: 'fresh-token' };
		await sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'zohoCrmRefreshTokenApi', credentialsDecrypted: credentials });
		expect(fake.httpRequestWithAuthentication.mock.calls[0][2]).toEqual({
			credentialsDecrypted: { id: '', name: '', type: 'zohoCrmRefreshTokenApi', data: credentials },
		});
	});

	it('passes the OAuth2 token type, and lets a 401 throw so that n8n refreshes the token', async () => {
		const fake = fakeContext({ status: 200 });
		await sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'zohoCrmOAuth2Api', oauth2TokenType: 'Bearer' });
		const [, options, additional] = fake.httpRequestWithAuthentication.mock.calls[0];
		expect(additional).toEqual({ oauth2: { tokenType: 'Bearer' } });
		expect(options.ignoreHttpStatusErrors).toEqual({ ignore: true, except: [401] });
		expect(options.returnFullResponse).toBe(true);
	});

	it('uses httpRequest when no credential type is given', async () => {
		const fake = fakeContext({ status: 200, body: 'fine' });
		const response = await sendServiceRequest(fake.ctx, REQUEST, CALL);
		expect(response.body).toBe('fine');
		expect(fake.httpRequestWithAuthentication).not.toHaveBeenCalled();
		expect(fake.httpRequest).toHaveBeenCalledWith({ ...REQUEST, timeout: 30_000, returnFullResponse: true, ignoreHttpStatusErrors: true });
	});

	it('retries through the context like requestWithRetry does', async () => {
		const fake = fakeContext({ status: 429 }, { status: 200, body: { ok: true } });
		const response = await sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'exampleApi' });
		expect(response.attempts).toBe(2);
		expect(fake.requests).toHaveLength(2);
	});

	it('retries a reset connection that n8n wrapped in a NodeApiError (what httpRequestWithAuthentication throws)', async () => {
		const wrapped = new NodeApiError(NODE, networkError('ECONNRESET', 'socket hang up') as unknown as JsonObject);
		const fake = fakeContext({ error: wrapped }, { status: 200, body: {} });
		const response = await sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'exampleApi' });
		expect(response.attempts).toBe(2);
	});

	it('does not resend a POST whose reset connection n8n wrapped in a NodeApiError with its own wording', async () => {
		const wrapped = new NodeApiError(NODE, { cause: networkError('ECONNRESET', 'socket hang up') } as unknown as JsonObject, {
			message: 'The connection to the server was closed unexpectedly, perhaps it is offline.',
		});
		const fake = fakeContext({ error: wrapped }, { status: 200, body: {} });
		const error = await apiErrorOf(sendServiceRequest(fake.ctx, REQUEST, { ...CALL, replayable: false, credentialType: 'exampleApi' }));
		expect(fake.requests).toHaveLength(1);
		expect(error.message).toContain('the call may or may not have been applied, so it was not sent again');
		expect(error.context.mayHaveBeenApplied).toBe(true);
	});

	it('throws a NodeApiError with the item index, HTTP code and the service code in the message', async () => {
		const fake = fakeContext({
			status: 400,
			body: { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Phone' }, status: 'error' },
		});
		const error = await apiErrorOf(sendServiceRequest(fake.ctx, REQUEST, { ...CALL, credentialType: 'exampleApi', itemIndex: 4 }));
		expect(error.message).toBe('Example CRM answered 400 INVALID_DATA: invalid data');
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(4);
		expect(error.errorResponse).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Phone' } });
		expect(error.node).toEqual(NODE);
	});

	it('puts no secret anywhere in the error, even when the service echoes it', async () => {
		const echoed = `token ${SECRET} (${encodeURIComponent(SECRET)}) is invalid`;
		const fake = fakeContext({
			status: 401,
			body: { code: 'INVALID_TOKEN', message: echoed, details: { token: SECRET, list: [SECRET] } },
		});
		const error = await apiErrorOf(
			sendServiceRequest(fake.ctx, REQUEST, {
				...CALL,
				credentialType: 'exampleApi',
				itemIndex: 0,
				describeError: () => ({ hint: `Check the key ${SECRET}` }),
			}),
		);
		const serialised = serialiseNodeError(error);
		expect(serialised).toContain('INVALID_TOKEN');
		expect(serialised).not.toContain(SECRET);
		expect(serialised).not.toContain(encodeURIComponent(SECRET));
	});

	it('keeps secrets out of the error of a connection failure', async () => {
		const fake = fakeContext({ error: networkError('EPROTO', `write EPROTO https://crm.example.test/?key=${SECRET}`) });
		const error = await apiErrorOf(sendServiceRequest(fake.ctx, REQUEST, { ...CALL, itemIndex: 2 }));
		expect(error.context.itemIndex).toBe(2);
		const serialised = JSON.stringify({ error, message: error.message, messages: error.messages, errorResponse: error.errorResponse });
		expect(serialised).not.toContain(SECRET);
		expect(serialised).toContain('EPROTO');
	});
});

describe('sendWithLegacyRequest (the only helper n8n gives a credential test)', () => {
	function legacyHelper(answer: { statusCode: number; headers?: Record<string, string>; body?: unknown }) {
		const calls: Array<Record<string, unknown>> = [];
		const request = (async (options: Record<string, unknown>) => {
			calls.push(options);
			return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body ?? '' };
		}) as unknown as Parameters<typeof sendWithLegacyRequest>[0];
		return { request, calls };
	}

	it('never lets the helper follow a redirect, and returns the redirect as the full answer', async () => {
		const { request, calls } = legacyHelper({ statusCode: 302, headers: { location: 'https://login.example.net/' } });
		const response = await sendWithLegacyRequest(request)({ method: 'POST', url: 'https://crm.example.test/leads', body: 'x=1' });
		expect(calls[0]).toMatchObject({
			uri: 'https://crm.example.test/leads',
			method: 'POST',
			body: 'x=1',
			followRedirect: false,
			followAllRedirects: false,
			simple: false,
			resolveWithFullResponse: true,
			json: false,
		});
		expect(response).toEqual({ statusCode: 302, headers: { location: 'https://login.example.net/' }, body: '' });
	});

	it('applies the credential\'s authentication before sending', async () => {
		const { request, calls } = legacyHelper({ statusCode: 200 });
		await sendWithLegacyRequest(request, (options) => ({ ...options, headers: { ...options.headers, 'x-api-key': SECRET } }))({
			method: 'POST',
			url: 'https://crm.example.test/leads',
			headers: { accept: 'application/json' },
		});
		expect(calls[0].headers).toEqual({ accept: 'application/json', 'x-api-key': SECRET });
	});

	it('retries through requestWithRetry like any other send function', async () => {
		const { request, calls } = legacyHelper({ statusCode: 429, headers: { 'retry-after': '0' } });
		const error = await requestWithRetry(sendWithLegacyRequest(request), REQUEST, { ...CALL, retry: { ...FAST, maxAttempts: 2 } }).catch((e: unknown) => e);
		expect(calls).toHaveLength(2);
		expect((error as ServiceRequestError).failure).toMatchObject({ status: 429, attempts: 2 });
	});
});
