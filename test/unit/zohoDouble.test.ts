/**
 * The Zoho CRM double must answer like Zoho, ugly parts included: these specs pin the contract
 * of /work/shared/reference/external-apis.md (Zoho section) as the double reproduces it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ZohoDouble, zohoError } from '../doubles/zohoDouble';
import type { ZohoDoubleOptions } from '../doubles/zohoDouble';

interface Reply {
	status: number;
	headers: Headers;
	body: any;
}

const CLIENT = { client_id: 'test-client', client_secret: 'test-secret', refresh_token: 'test-refresh' };
const ACCESS_DENIED = {
	error: 'Access Denied',
	error_description: 'You have made too many requests continuously. Please try again after some time.',
};
const INVALID_TOKEN = { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' };

let double: ZohoDouble;

async function startDouble(options?: ZohoDoubleOptions): Promise<ZohoDouble> {
	await double?.stop();
	double = new ZohoDouble(options);
	await double.start();
	return double;
}

async function reply(response: Response): Promise<Reply> {
	const text = await response.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// Non-JSON answers (gateway HTML) are returned as text.
	}
	return { status: response.status, headers: response.headers, body };
}

async function requestToken(
	params: Record<string, string> = {},
	options: { region?: string; via?: 'body' | 'query' } = {},
): Promise<Reply> {
	const all = new URLSearchParams({ grant_type: 'refresh_token', ...CLIENT, ...params });
	const tokenUrl = `${double.accountsUrl(options.region)}/oauth/v2/token`;
	if (options.via === 'query') return reply(await fetch(`${tokenUrl}?${all}`, { method: 'POST' }));
	return reply(
		await fetch(tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: all.toString(),
		}),
	);
}

async function accessToken(region = 'us'): Promise<string> {
	const answer = await requestToken({}, { region });
	return answer.body.access_token as string;
}

async function apiCall(
	path: string,
	options: { token?: string; region?: string; method?: string; body?: unknown; authorization?: string } = {},
): Promise<Reply> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const authorization = options.authorization ?? (options.token && `Zoho-oauthtoken ${options.token}`);
	if (authorization) headers.authorization = authorization;
	const body =
		options.body === undefined
			? undefined
			: typeof options.body === 'string'
				? options.body
				: JSON.stringify(options.body);
	return reply(
		await fetch(`${double.apiUrl(options.region)}${path}`, {
			method: options.method ?? (body === undefined ? 'GET' : 'POST'),
			headers,
			body,
		}),
	);
}

function upsert(
	token: string,
	body: unknown,
	options: { module?: string; region?: string; version?: string } = {},
): Promise<Reply> {
	const path = `/crm/${options.version ?? 'v8'}/${options.module ?? 'Contacts'}/upsert`;
	return apiCall(path, { token, region: options.region, body });
}

function contact(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { Last_Name: `Person ${index}`, Email: `person${index}@example.com`, ...extra };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

beforeEach(async () => {
	await startDouble();
});

afterEach(async () => {
	await double.stop();
});

describe('lifecycle and addresses', () => {
	it('listens on 127.0.0.1 and returns its base URL', () => {
		expect(double.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});

	it('names each data centre by a path prefix', () => {
		expect(double.accountsUrl('eu')).toBe(`${double.baseUrl}/accounts/eu`);
		expect(double.apiUrl('eu')).toBe(`${double.baseUrl}/api/eu`);
		expect(double.accountsUrl()).toBe(`${double.baseUrl}/accounts/us`);
		expect(double.apiUrl()).toBe(`${double.baseUrl}/api/us`);
	});

	it('refuses to report a base URL before it is started', () => {
		expect(() => new ZohoDouble().baseUrl).toThrow('ZohoDouble is not started');
	});

	it('stops even while a call waits on latency', async () => {
		double.setLatency(10_000);
		const token = double.mintAccessToken();
		const pending = apiCall('/crm/v8/users?type=CurrentUser', { token });
		pending.catch(() => undefined);
		await waitFor(async () => double.requests.length === 1, 2000);
		await double.stop();
		await expect(pending).rejects.toThrow('fetch failed');
	});
});

describe('token endpoint', () => {
	it('exchanges a refresh token sent as a form body for an access token', async () => {
		const answer = await requestToken();
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({
			access_token: expect.stringMatching(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/),
			expires_in: 3600,
			api_domain: double.apiUrl('us'),
			token_type: 'Bearer',
			scope: 'ZohoCRM.modules.ALL ZohoCRM.settings.fields.READ',
		});
		expect(double.tokenRequestLog[0]).toMatchObject({ method: 'POST', paramsIn: 'body', region: 'us' });
	});

	it('accepts the parameters in the query string', async () => {
		const answer = await requestToken({}, { via: 'query' });
		expect(answer.status).toBe(200);
		expect(typeof answer.body.access_token).toBe('string');
		expect(double.tokenRequestLog[0].paramsIn).toBe('query');
	});

	it('reports the configured token lifetime as expires_in', async () => {
		await startDouble({ tokenLifetimeSeconds: 120 });
		expect((await requestToken()).body.expires_in).toBe(120);
	});

	it('answers an unknown client with HTTP 200 and invalid_client', async () => {
		const answer = await requestToken({ client_id: 'someone-else' });
		expect(answer).toMatchObject({ status: 200, body: { error: 'invalid_client' } });
		expect(answer.body.access_token).toBeUndefined();
	});

	it('answers a wrong client secret with HTTP 200 and invalid_client', async () => {
		const answer = await requestToken({ client_secret: 'wrong' });
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ error: 'invalid_client' });
	});

	it('answers an unknown refresh token with HTTP 200 and invalid_code', async () => {
		const answer = await requestToken({ refresh_token: 'not-issued' });
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ error: 'invalid_code' });
	});

	it('answers a revoked refresh token with HTTP 200 and invalid_code', async () => {
		expect((await requestToken()).status).toBe(200);
		double.revokeRefreshToken('test-refresh');
		const answer = await requestToken();
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ error: 'invalid_code' });
	});

	it('answers any grant type but refresh_token with unsupported_grant_type', async () => {
		const answer = await requestToken({ grant_type: 'authorization_code' });
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ error: 'unsupported_grant_type' });
	});

	it('ignores parameters sent as a JSON body, as the accounts server does', async () => {
		const answer = await reply(
			await fetch(`${double.accountsUrl()}/oauth/v2/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ grant_type: 'refresh_token', ...CLIENT }),
			}),
		);
		expect(answer.body).toEqual({ error: 'unsupported_grant_type' });
	});

	it('knows a client bound to one data centre only at that data centre', async () => {
		await startDouble({
			clients: [{ clientId: 'eu-client', clientSecret: 's', refreshTokens: ['eu-refresh'], region: 'eu' }],
		});
		const params = { client_id: 'eu-client', client_secret: 's', refresh_token: 'eu-refresh' };
		expect((await requestToken(params, { region: 'us' })).body).toEqual({ error: 'invalid_client' });
		expect((await requestToken(params, { region: 'eu' })).body.api_domain).toBe(double.apiUrl('eu'));
	});

	it('accepts a refresh token only from the client it was issued to', async () => {
		await startDouble({
			clients: [
				{ clientId: 'a', clientSecret: 'sa', refreshTokens: ['refresh-a'] },
				{ clientId: 'b', clientSecret: 'sb', refreshTokens: ['refresh-b'] },
			],
		});
		const answer = await requestToken({ client_id: 'a', client_secret: 'sa', refresh_token: 'refresh-b' });
		expect(answer.body).toEqual({ error: 'invalid_code' });
	});
});

describe('token throttling', () => {
	it('refuses the 11th request within 10 minutes with HTTP 400 Access Denied', async () => {
		for (let attempt = 1; attempt <= 10; attempt++) {
			expect((await requestToken()).status).toBe(200);
		}
		const refused = await requestToken();
		expect(refused.status).toBe(400);
		expect(refused.body).toEqual(ACCESS_DENIED);
	});

	it('keeps refusing while the client hammers, because throttled attempts count too', async () => {
		await startDouble({ refreshLimit: { max: 2, windowMs: 400 } });
		await requestToken();
		await requestToken();
		expect((await requestToken()).status).toBe(400);
		// Hammer past the window length: each refused attempt keeps the window full.
		const hammerUntil = Date.now() + 600;
		while (Date.now() < hammerUntil) {
			expect((await requestToken()).status).toBe(400);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	});

	it('allows requests again once the sliding window has passed', async () => {
		await startDouble({ refreshLimit: { max: 2, windowMs: 300 } });
		await requestToken();
		await requestToken();
		expect((await requestToken()).status).toBe(400);
		const refusedAt = Date.now();
		await waitFor(async () => Date.now() - refusedAt > 300, 2000);
		expect((await requestToken()).status).toBe(200);
	});

	it('counts failed attempts with the same refresh token toward the limit', async () => {
		await startDouble({ refreshLimit: { max: 2, windowMs: 60_000 } });
		await requestToken({ client_secret: 'wrong' });
		await requestToken({ client_secret: 'wrong' });
		expect((await requestToken()).body).toEqual(ACCESS_DENIED);
	});

	it('throttles each refresh token separately', async () => {
		await startDouble({
			refreshLimit: { max: 1, windowMs: 60_000 },
			clients: [{ clientId: 'test-client', clientSecret: 'test-secret', refreshTokens: ['r1', 'r2'] }],
		});
		expect((await requestToken({ refresh_token: 'r1' })).status).toBe(200);
		expect((await requestToken({ refresh_token: 'r1' })).status).toBe(400);
		expect((await requestToken({ refresh_token: 'r2' })).status).toBe(200);
	});
});

describe('access tokens', () => {
	it('invalidates the oldest of 11 live tokens minted from one refresh token', async () => {
		await startDouble({ refreshLimit: { max: 100, windowMs: 600_000 } });
		const tokens: string[] = [];
		for (let index = 0; index < 11; index++) tokens.push(await accessToken());
		const users = (token: string) => apiCall('/crm/v8/users?type=CurrentUser', { token });
		expect(await users(tokens[0])).toMatchObject({ status: 401, body: INVALID_TOKEN });
		expect((await users(tokens[1])).status).toBe(200);
		expect((await users(tokens[10])).status).toBe(200);
	});

	it('expires a token after expires_in seconds of real time', async () => {
		await startDouble({ tokenLifetimeSeconds: 1 });
		const token = await accessToken();
		const users = () => apiCall('/crm/v8/users?type=CurrentUser', { token });
		expect((await users()).status).toBe(200);
		await waitFor(async () => (await users()).status === 401, 3000);
		expect(await users()).toMatchObject({ status: 401, body: INVALID_TOKEN });
	});

	it('invalidates every issued token on expireAccessTokens()', async () => {
		const token = await accessToken();
		double.expireAccessTokens();
		expect(await apiCall('/crm/v8/users', { token })).toMatchObject({ status: 401, body: INVALID_TOKEN });
		expect((await apiCall('/crm/v8/users', { token: await accessToken() })).status).toBe(200);
	});

	it('keeps tokens minted before a refresh token is revoked', async () => {
		const token = await accessToken();
		double.revokeRefreshToken('test-refresh');
		expect((await apiCall('/crm/v8/users', { token })).status).toBe(200);
	});
});

describe('data centres', () => {
	it('binds a token to the data centre whose accounts host minted it', async () => {
		const answer = await requestToken({}, { region: 'eu' });
		expect(answer.body.api_domain).toBe(double.apiUrl('eu'));
		const token = answer.body.access_token;
		expect((await apiCall('/crm/v8/users', { token, region: 'eu' })).status).toBe(200);
	});

	it('answers 401 INVALID_TOKEN to a token used in another data centre', async () => {
		const token = await accessToken('eu');
		const answer = await apiCall('/crm/v8/users', { token, region: 'us' });
		expect(answer).toEqual(expect.objectContaining({ status: 401, body: INVALID_TOKEN }));
	});

	it('accepts any data centre name', async () => {
		const token = await accessToken('com.au-sandbox');
		expect((await apiCall('/crm/v8/users', { token, region: 'com.au-sandbox' })).status).toBe(200);
	});

	it('keeps records per data centre', async () => {
		const euToken = await accessToken('eu');
		await upsert(euToken, { data: [contact(1)] }, { region: 'eu' });
		expect(double.records('Contacts', 'eu')).toHaveLength(1);
		expect(double.records('Contacts', 'us')).toHaveLength(0);
		expect(double.records('Contacts')).toHaveLength(0);
	});
});

describe('API authentication and routing', () => {
	it('answers a call without Authorization with 401 INVALID_TOKEN', async () => {
		const answer = await apiCall('/crm/v8/users');
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual(INVALID_TOKEN);
	});

	it('answers an unknown token with 401 INVALID_TOKEN', async () => {
		expect(await apiCall('/crm/v8/users', { token: '1000.abc.def' })).toMatchObject({
			status: 401,
			body: INVALID_TOKEN,
		});
	});

	it('accepts the Bearer scheme, which Zoho documents beside Zoho-oauthtoken', async () => {
		const token = await accessToken();
		const answer = await apiCall('/crm/v8/users', { authorization: `Bearer ${token}` });
		expect(answer.status).toBe(200);
	});

	it('answers any other scheme with 401 AUTHENTICATION_FAILURE', async () => {
		const token = await accessToken();
		const answer = await apiCall('/crm/v8/users', { authorization: `Basic ${token}` });
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({
			code: 'AUTHENTICATION_FAILURE',
			details: {},
			message: 'Authentication failed',
			status: 'error',
		});
	});

	it('answers an unknown module with 400 INVALID_MODULE', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1)] }, { module: 'Widgets' });
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ code: 'INVALID_MODULE', status: 'error' });
	});

	it('matches module names in the path regardless of case, as n8n’s built-in Zoho node relies on', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1)] }, { module: 'contacts' });
		expect(answer.status).toBe(200);
		expect(answer.body.data[0]).toMatchObject({ code: 'SUCCESS', action: 'insert' });
	});

	it('answers an unknown path with 404 INVALID_URL_PATTERN', async () => {
		const answer = await apiCall('/crm/v8/Contacts/merge', { token: await accessToken(), body: {} });
		expect(answer.status).toBe(404);
		expect(answer.body).toEqual({
			code: 'INVALID_URL_PATTERN',
			details: {},
			message: 'Please check if the URL trying to access is a correct one',
			status: 'error',
		});
	});

	it.each(['v2', 'v5', 'v8'])('serves upsert under API version %s', async (version) => {
		const answer = await upsert(await accessToken(), { data: [contact(1)] }, { version });
		expect(answer.status).toBe(200);
	});

	it.each(['v1', 'v9'])('does not know API version %s', async (version) => {
		const answer = await upsert(await accessToken(), { data: [contact(1)] }, { version });
		expect(answer.status).toBe(404);
		expect(answer.body.code).toBe('INVALID_URL_PATTERN');
	});

	it('answers a GET on the upsert path with 400 INVALID_REQUEST_METHOD', async () => {
		const answer = await apiCall('/crm/v8/Contacts/upsert', { token: await accessToken(), method: 'GET' });
		expect(answer.status).toBe(400);
		expect(answer.body.code).toBe('INVALID_REQUEST_METHOD');
	});
});

describe('upsert: insert and update', () => {
	it('inserts a new record and answers 200 with an exact success entry', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1, { First_Name: 'Ada' })] });
		expect(answer.status).toBe(200);
		const [stored] = double.records('Contacts');
		expect(answer.body).toEqual({
			data: [
				{
					code: 'SUCCESS',
					duplicate_field: null,
					action: 'insert',
					details: {
						Modified_Time: stored.Modified_Time,
						Modified_By: { name: 'Double Admin', id: expect.stringMatching(/^\d{19}$/) },
						Created_Time: stored.Created_Time,
						id: stored.id,
						Created_By: { name: 'Double Admin', id: expect.stringMatching(/^\d{19}$/) },
					},
					message: 'record added',
					status: 'success',
				},
			],
		});
		expect(stored).toMatchObject({ Last_Name: 'Person 1', Email: 'person1@example.com', First_Name: 'Ada' });
		expect(stored.id).toMatch(/^\d{19}$/);
		expect(stored.Created_Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
	});

	it('updates the record whose email matches, case-insensitively', async () => {
		const token = await accessToken();
		const inserted = await upsert(token, { data: [contact(1, { Title: 'Engineer' })] });
		const updated = await upsert(token, {
			data: [{ Last_Name: 'Person 1', Email: 'PERSON1@Example.COM', First_Name: 'Ada' }],
		});
		expect(updated.status).toBe(200);
		expect(updated.body.data[0]).toMatchObject({
			code: 'SUCCESS',
			action: 'update',
			duplicate_field: 'Email',
			message: 'record updated',
			details: { id: inserted.body.data[0].details.id },
		});
		const records = double.records('Contacts');
		expect(records).toHaveLength(1);
		// Fields merge: the title from the insert survives the update.
		expect(records[0]).toMatchObject({ Title: 'Engineer', First_Name: 'Ada', Email: 'PERSON1@Example.COM' });
	});

	it('bumps Modified_Time on update and keeps Created_Time', async () => {
		const [seeded] = double.seedRecords('Contacts', [
			{ ...contact(1), Created_Time: '2020-01-01T00:00:00+00:00', Modified_Time: '2020-01-01T00:00:00+00:00' },
		]);
		const answer = await upsert(await accessToken(), { data: [contact(1)] });
		const details = answer.body.data[0].details;
		expect(details.Created_Time).toBe('2020-01-01T00:00:00+00:00');
		expect(details.Modified_Time).not.toBe(seeded.Modified_Time);
		expect(double.records('Contacts')[0].Modified_Time).toBe(details.Modified_Time);
	});

	it('lets a record inserted earlier in a batch be updated by a later one', async () => {
		const answer = await upsert(await accessToken(), {
			data: [contact(1, { First_Name: 'First' }), contact(1, { First_Name: 'Second' })],
		});
		expect(answer.body.data.map((entry: any) => entry.action)).toEqual(['insert', 'update']);
		expect(answer.body.data[1].details.id).toBe(answer.body.data[0].details.id);
		expect(double.records('Contacts')).toEqual([expect.objectContaining({ First_Name: 'Second' })]);
	});

	it('inserts when the record has no value for any duplicate check field', async () => {
		const token = await accessToken();
		await upsert(token, { data: [{ Last_Name: 'No Email' }] });
		const answer = await upsert(token, { data: [{ Last_Name: 'No Email' }] });
		expect(answer.body.data[0]).toMatchObject({ action: 'insert', duplicate_field: null });
		expect(double.records('Contacts')).toHaveLength(2);
	});

	it('keeps Contacts and Leads apart', async () => {
		const token = await accessToken();
		await upsert(token, { data: [contact(1)] });
		const answer = await upsert(token, { data: [contact(1, { Company: 'Zylker' })] }, { module: 'Leads' });
		expect(answer.body.data[0].action).toBe('insert');
		expect(double.records('Leads')).toEqual([expect.objectContaining({ Company: 'Zylker' })]);
	});

	it('drops unknown and read-only fields silently', async () => {
		const answer = await upsert(await accessToken(), {
			data: [contact(1, { Favourite_Colour: 'blue', Modified_Time: '1999-01-01T00:00:00+00:00' })],
		});
		expect(answer.body.data[0].status).toBe('success');
		const [stored] = double.records('Contacts');
		expect(stored).not.toHaveProperty('Favourite_Colour');
		expect(stored.Modified_Time).not.toBe('1999-01-01T00:00:00+00:00');
	});

	it('stores typed values: boolean, date, lookup and a number as text', async () => {
		const answer = await upsert(await accessToken(), {
			data: [
				contact(1, {
					Newsletter_Opt_In: true,
					Date_of_Birth: '1990-02-28',
					Account_Name: { id: '4876876000000624001' },
					Phone: 5550100,
				}),
			],
		});
		expect(answer.body.data[0].status).toBe('success');
		expect(double.records('Contacts')[0]).toMatchObject({
			Newsletter_Opt_In: true,
			Date_of_Birth: '1990-02-28',
			Account_Name: { id: '4876876000000624001' },
			Phone: '5550100',
		});
	});

	it('clears a field sent as null on update', async () => {
		const token = await accessToken();
		await upsert(token, { data: [contact(1, { Title: 'Engineer' })] });
		await upsert(token, { data: [contact(1, { Title: null })] });
		expect(double.records('Contacts')[0].Title).toBeNull();
	});
});

describe('upsert: duplicate_check_fields', () => {
	beforeEach(() => {
		double.seedRecords('Contacts', [
			{ Last_Name: 'Phone Owner', Phone: '+1 555 0100', Email: 'phone.owner@example.com' },
			{ Last_Name: 'Email Owner', Email: 'shared@example.com' },
		]);
	});

	it('uses the first listed field that matches a record', async () => {
		const [phoneOwner] = double.records('Contacts');
		const answer = await upsert(await accessToken(), {
			data: [{ Last_Name: 'X', Phone: '+1 555 0100', Email: 'shared@example.com' }],
			duplicate_check_fields: ['Phone', 'Email'],
		});
		expect(answer.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Phone' });
		expect(answer.body.data[0].details.id).toBe(phoneOwner.id);
	});

	it('follows the listed order, not a fixed priority', async () => {
		const [, emailOwner] = double.records('Contacts');
		const answer = await upsert(await accessToken(), {
			data: [{ Last_Name: 'X', Phone: '+1 555 0100', Email: 'shared@example.com' }],
			duplicate_check_fields: ['Email', 'Phone'],
		});
		expect(answer.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Email' });
		expect(answer.body.data[0].details.id).toBe(emailOwner.id);
	});

	it('moves on to the next field when the first matches nothing', async () => {
		const [phoneOwner] = double.records('Contacts');
		const answer = await upsert(await accessToken(), {
			data: [{ Last_Name: 'X', Email: 'nobody@example.com', Phone: '+1 555 0100' }],
			duplicate_check_fields: ['Email', 'Phone'],
		});
		expect(answer.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Phone' });
		expect(answer.body.data[0].details.id).toBe(phoneOwner.id);
	});

	it('checks Email by default and nothing else', async () => {
		const answer = await upsert(await accessToken(), {
			data: [{ Last_Name: 'X', Phone: '+1 555 0100', Email: 'nobody@example.com' }],
		});
		expect(answer.body.data[0]).toMatchObject({ action: 'insert', duplicate_field: null });
	});

	it('refuses an unknown duplicate check field with a request-level 400', async () => {
		const answer = await upsert(await accessToken(), {
			data: [contact(1)],
			duplicate_check_fields: ['Email', 'Shoe_Size'],
		});
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual(
			zohoError('INVALID_DATA', 'invalid data', {
				api_name: 'duplicate_check_fields',
				json_path: '$.duplicate_check_fields[1]',
			}),
		);
	});
});

describe('upsert: per-record errors', () => {
	it('reports DUPLICATE_DATA when the value matches more than one record', async () => {
		const [first] = double.seedRecords('Contacts', [
			{ Last_Name: 'Twin A', Email: 'twin@example.com' },
			{ Last_Name: 'Twin B', Email: 'Twin@Example.com' },
		]);
		const answer = await upsert(await accessToken(), { data: [{ Last_Name: 'T', Email: 'twin@example.com' }] });
		expect(answer.status).toBe(400);
		expect(answer.body.data).toEqual([
			{
				code: 'DUPLICATE_DATA',
				details: {
					api_name: 'Email',
					json_path: '$.data[0].Email',
					duplicate_record: { id: first.id },
				},
				message: 'duplicate data',
				status: 'error',
			},
		]);
		expect(double.records('Contacts')).toHaveLength(2);
	});

	it('reports MANDATORY_NOT_FOUND for a record without Last_Name', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(0), { Email: 'no.name@example.com' }] });
		expect(answer.body.data[1]).toEqual({
			code: 'MANDATORY_NOT_FOUND',
			details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
			message: 'required field not found',
			status: 'error',
		});
	});

	it.each([[''], ['   '], [null]])('treats Last_Name %p as missing', async (lastName) => {
		const answer = await upsert(await accessToken(), { data: [{ Last_Name: lastName }] });
		expect(answer.body.data[0].code).toBe('MANDATORY_NOT_FOUND');
	});

	it('requires Last_Name even when the email matches an existing record', async () => {
		double.seedRecords('Contacts', [contact(1)]);
		const answer = await upsert(await accessToken(), { data: [{ Email: 'person1@example.com' }] });
		expect(answer.body.data[0].code).toBe('MANDATORY_NOT_FOUND');
	});

	it('reports INVALID_DATA for an email that is not an email', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(0, { Email: 'not an email' })] });
		expect(answer.body.data[0]).toEqual({
			code: 'INVALID_DATA',
			details: { expected_data_type: 'email', api_name: 'Email', json_path: '$.data[0].Email' },
			message: 'invalid data',
			status: 'error',
		});
		expect(double.records('Contacts')).toHaveLength(0);
	});

	it('reports INVALID_DATA for an object where a string is expected', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(0, { First_Name: { given: 'Ada' } })] });
		expect(answer.body.data[0]).toMatchObject({
			code: 'INVALID_DATA',
			details: { expected_data_type: 'text', api_name: 'First_Name', json_path: '$.data[0].First_Name' },
		});
	});

	it('reports INVALID_DATA for a phone number with letters', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(0, { Phone: 'call me' })] });
		expect(answer.body.data[0]).toMatchObject({
			code: 'INVALID_DATA',
			details: { expected_data_type: 'phone', api_name: 'Phone' },
		});
	});

	it('reports INVALID_DATA with the maximum length for a text value that is too long', async () => {
		const answer = await upsert(await accessToken(), { data: [{ Last_Name: 'x'.repeat(81) }] });
		expect(answer.body.data[0]).toMatchObject({
			code: 'INVALID_DATA',
			details: { maximum_length: 80, api_name: 'Last_Name', json_path: '$.data[0].Last_Name' },
		});
	});

	it.each([
		['Date_of_Birth', '28/02/1990', 'date'],
		['Date_of_Birth', '1990-02-30', 'date'],
		['Newsletter_Opt_In', 'true', 'boolean'],
		['Account_Name', 42, 'lookup'],
	])('reports INVALID_DATA for %s = %p', async (apiName, value, expectedType) => {
		const answer = await upsert(await accessToken(), { data: [contact(0, { [apiName]: value })] });
		expect(answer.body.data[0]).toMatchObject({
			code: 'INVALID_DATA',
			details: { expected_data_type: expectedType, api_name: apiName },
		});
	});

	it('reports INVALID_DATA for an entry that is not an object', async () => {
		const answer = await upsert(await accessToken(), { data: ['Person 1'] });
		expect(answer.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { json_path: '$.data[0]' } });
	});

	it('truncates an email over 100 characters silently, which defeats duplicate detection', async () => {
		const token = await accessToken();
		const longEmail = `${'a'.repeat(95)}@example.com`;
		const first = await upsert(token, { data: [{ Last_Name: 'Long', Email: longEmail }] });
		expect(first.body.data[0].status).toBe('success');
		expect(double.records('Contacts')[0].Email).toBe(longEmail.slice(0, 100));
		const second = await upsert(token, { data: [{ Last_Name: 'Long', Email: longEmail }] });
		expect(second.body.data[0].action).toBe('insert');
		expect(double.records('Contacts')).toHaveLength(2);
	});
});

describe('upsert: batch status', () => {
	it('answers 207 to a mixed batch, with one entry per record in order', async () => {
		const answer = await upsert(await accessToken(), {
			data: [contact(1), { Email: 'x@example.com' }, contact(3, { Email: 'bad' }), contact(4)],
		});
		expect(answer.status).toBe(207);
		expect(answer.body.data.map((entry: any) => entry.code)).toEqual([
			'SUCCESS',
			'MANDATORY_NOT_FOUND',
			'INVALID_DATA',
			'SUCCESS',
		]);
		expect(answer.body.data[2].details.json_path).toBe('$.data[2].Email');
		expect(double.records('Contacts').map((record) => record.Last_Name)).toEqual(['Person 1', 'Person 4']);
	});

	it('answers 400 with one error entry per record in data[] when every record failed', async () => {
		const records = [{ Email: 'a@example.com' }, contact(1, { Email: 'b' })];
		const answer = await upsert(await accessToken(), { data: records });
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual({
			data: [
				{
					code: 'MANDATORY_NOT_FOUND',
					details: { api_name: 'Last_Name', json_path: '$.data[0].Last_Name' },
					message: 'required field not found',
					status: 'error',
				},
				{
					code: 'INVALID_DATA',
					details: { expected_data_type: 'email', api_name: 'Email', json_path: '$.data[1].Email' },
					message: 'invalid data',
					status: 'error',
				},
			],
		});
		expect(double.records('Contacts')).toHaveLength(0);
	});

	it('can answer an all-failed batch with a 2xx carrying only errors instead', async () => {
		await startDouble({ batchStatus: { allFailed: 207 } });
		const answer = await upsert(await accessToken(), { data: [{ Email: 'a@example.com' }] });
		expect(answer.status).toBe(207);
		expect(answer.body.data[0]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', status: 'error' });
	});

	it('uses the configured batch statuses', async () => {
		await startDouble({ batchStatus: { allSucceeded: 201, mixed: 202, allFailed: 400 } });
		const token = await accessToken();
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(201);
		expect((await upsert(token, { data: [contact(2), {}] })).status).toBe(202);
		const failed = await upsert(token, { data: [{}] });
		expect(failed.status).toBe(400);
		expect(failed.body.data[0].code).toBe('MANDATORY_NOT_FOUND');
	});
});

describe('upsert: request-level errors', () => {
	it('refuses more than 100 records with 400 LIMIT_EXCEEDED and stores none', async () => {
		const data = Array.from({ length: 101 }, (_, index) => contact(index));
		const answer = await upsert(await accessToken(), { data });
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual({
			code: 'LIMIT_EXCEEDED',
			details: { limit: 100 },
			message: expect.any(String),
			status: 'error',
		});
		expect(double.records('Contacts')).toHaveLength(0);
	});

	it('accepts exactly 100 records', async () => {
		const data = Array.from({ length: 100 }, (_, index) => contact(index));
		const answer = await upsert(await accessToken(), { data });
		expect(answer.status).toBe(200);
		expect(answer.body.data).toHaveLength(100);
	});

	it('refuses a body that is not JSON with 400 INVALID_DATA and no data wrapper', async () => {
		const answer = await upsert(await accessToken(), 'Last_Name=Person');
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
		expect(answer.body.data).toBeUndefined();
	});

	it('refuses a body without data with 400 REQUIRED_PARAM_MISSING', async () => {
		const answer = await upsert(await accessToken(), { duplicate_check_fields: ['Email'] });
		expect(answer.status).toBe(400);
		expect(answer.body).toEqual(
			zohoError('REQUIRED_PARAM_MISSING', 'required param missing', { api_name: 'data' }),
		);
	});

	it.each([[[]], [{}], ['records']])('refuses data = %p with 400 INVALID_DATA', async (data) => {
		const answer = await upsert(await accessToken(), { data });
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'data' } });
	});

	it('refuses an unknown trigger with 400 INVALID_DATA', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1)], trigger: ['workflow', 'email'] });
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'trigger' } });
	});

	it('accepts an empty trigger list', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1)], trigger: [] });
		expect(answer.status).toBe(200);
	});
});

describe('concurrency and latency', () => {
	it('answers 429 TOO_MANY_REQUESTS to the call beyond maxConcurrentCalls', async () => {
		await startDouble({ maxConcurrentCalls: 2, latencyMs: 300 });
		const token = double.mintAccessToken();
		const answers = await Promise.all(
			[1, 2, 3].map((index) => upsert(token, { data: [contact(index)] })),
		);
		const statuses = answers.map((answer) => answer.status).sort();
		expect(statuses).toEqual([200, 200, 429]);
		const refused = answers.find((answer) => answer.status === 429) as Reply;
		expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', details: {}, status: 'error' });
		expect(refused.headers.get('retry-after')).toBeNull();
		expect(double.counters).toMatchObject({ rateLimited: 1, maxConcurrentSeen: 3, upsertCalls: 2 });
		expect(double.records('Contacts')).toHaveLength(2);
	});

	it('sends Retry-After with 429 when configured', async () => {
		await startDouble({ maxConcurrentCalls: 1, latencyMs: 300, retryAfterSeconds: 7 });
		const token = double.mintAccessToken();
		const answers = await Promise.all([1, 2].map((index) => upsert(token, { data: [contact(index)] })));
		const refused = answers.find((answer) => answer.status === 429) as Reply;
		expect(refused.headers.get('retry-after')).toBe('7');
	});

	it('frees the slot when a call completes, so sequential calls are never refused', async () => {
		await startDouble({ maxConcurrentCalls: 1 });
		const token = double.mintAccessToken();
		for (let index = 0; index < 5; index++) {
			expect((await upsert(token, { data: [contact(index)] })).status).toBe(200);
		}
		expect(double.counters.maxConcurrentSeen).toBe(1);
	});

	it('delays every API call by the configured latency', async () => {
		await startDouble({ latencyMs: 150 });
		const token = double.mintAccessToken();
		const startedAt = performance.now();
		await apiCall('/crm/v8/users', { token });
		expect(performance.now() - startedAt).toBeGreaterThanOrEqual(145);
	});

	it('does not delay token calls', async () => {
		await startDouble({ latencyMs: 1000 });
		const startedAt = performance.now();
		await requestToken();
		expect(performance.now() - startedAt).toBeLessThan(500);
	});

	it('changes the latency of later calls with setLatency()', async () => {
		const token = double.mintAccessToken();
		double.setLatency(200);
		const startedAt = performance.now();
		await apiCall('/crm/v8/users', { token });
		expect(performance.now() - startedAt).toBeGreaterThanOrEqual(195);
	});
});

describe('fault injection', () => {
	it('answers an injected status instead, once, then serves normally', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 500 });
		const faulted = await upsert(token, { data: [contact(1)] });
		expect(faulted.status).toBe(500);
		expect(faulted.body).toEqual(zohoError('INTERNAL_ERROR', 'Internal Server Error'));
		expect(double.records('Contacts')).toHaveLength(0);
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
	});

	it('answers an injected status the given number of times', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 503, times: 2 });
		const first = await upsert(token, { data: [contact(1)] });
		const second = await upsert(token, { data: [contact(1)] });
		expect([first.status, second.status]).toEqual([503, 503]);
		expect(first.body).toContain('503');
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
	});

	it('answers with the injected body and headers', async () => {
		await startDouble({ retryAfterSeconds: 3 });
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
		const answer = await upsert(token, { data: [contact(1)] });
		expect(answer).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
		expect(answer.headers.get('retry-after')).toBe('3');
		expect(double.counters.rateLimited).toBe(1);
	});

	it('applies a fault only to its path', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 500, path: 'fields' });
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
		expect((await apiCall('/crm/v8/settings/fields?module=Contacts', { token })).status).toBe(500);
	});

	it('consumes faults in the order they were injected', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 500 });
		double.injectFault({ kind: 'status', status: 502 });
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(500);
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(502);
	});

	it('drops the connection without answering', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'dropConnection' });
		await expect(upsert(token, { data: [contact(1)] })).rejects.toThrow();
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
	});

	it('answers a token error fault with the shape and status Zoho uses', async () => {
		double.injectFault({ kind: 'tokenError', error: 'Access Denied' });
		double.injectFault({ kind: 'tokenError', error: 'invalid_client' });
		expect(await requestToken()).toMatchObject({ status: 400, body: ACCESS_DENIED });
		expect(await requestToken()).toMatchObject({ status: 200, body: { error: 'invalid_client' } });
		expect((await requestToken()).body.access_token).toEqual(expect.any(String));
		expect(double.counters).toMatchObject({ tokenRequests: 3, refreshes: 1, tokenFailures: 2 });
	});

	it('lets a token error fault leave API calls alone', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'tokenError', error: 'invalid_code' });
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
		expect((await requestToken()).body).toEqual({ error: 'invalid_code' });
	});

	it("hits the token endpoint too with path 'any'", async () => {
		double.injectFault({ kind: 'status', status: 500, path: 'any' });
		expect((await requestToken()).status).toBe(500);
	});

	it('forgets pending faults on clearFaults()', async () => {
		const token = await accessToken();
		double.injectFault({ kind: 'status', status: 500, times: 5 });
		double.clearFaults();
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
	});
});

describe('counters and request log', () => {
	it('counts token requests, refreshes, calls, records and refusals', async () => {
		await requestToken({ client_secret: 'wrong' });
		const token = await accessToken();
		await upsert(token, { data: [contact(1), contact(2), {}] });
		await apiCall('/crm/v8/users');
		expect(double.counters).toEqual({
			tokenRequests: 2,
			refreshes: 1,
			tokenFailures: 1,
			apiCalls: 2,
			upsertCalls: 1,
			recordsReceived: 3,
			rateLimited: 0,
			maxConcurrentSeen: 1,
			unauthorized: 1,
		});
	});

	it('does not count records of a refused batch', async () => {
		const token = await accessToken();
		await upsert(token, { data: Array.from({ length: 101 }, (_, index) => contact(index)) });
		expect(double.counters).toMatchObject({ upsertCalls: 1, recordsReceived: 0 });
	});

	it('zeroes every counter on resetCounters()', async () => {
		await upsert(await accessToken(), { data: [contact(1)] });
		double.resetCounters();
		expect(Object.values(double.counters).every((value) => value === 0)).toBe(true);
	});

	it('logs each API call with its method, path, headers, parsed body and status', async () => {
		const token = await accessToken();
		await upsert(token, { data: [contact(1)], trigger: [] });
		expect(double.requests).toEqual([
			{
				method: 'POST',
				path: '/api/us/crm/v8/Contacts/upsert',
				headers: expect.objectContaining({ authorization: `Zoho-oauthtoken ${token}` }),
				body: { data: [contact(1)], trigger: [] },
				region: 'us',
				status: 200,
			},
		]);
	});

	it('keeps only the last 1000 API calls', async () => {
		await startDouble({ maxConcurrentCalls: 100 });
		const token = double.mintAccessToken();
		for (let wave = 0; wave < 21; wave++) {
			await Promise.all(
				Array.from({ length: 50 }, (_, index) =>
					apiCall(`/crm/v8/users?type=CurrentUser&call=${wave * 50 + index}`, { token }),
				),
			);
		}
		expect(double.counters.apiCalls).toBe(1050);
		expect(double.requests).toHaveLength(1000);
	});

	it('returns copies of records, so a spec cannot change the store by accident', async () => {
		double.seedRecords('Contacts', [contact(1)]);
		double.records('Contacts')[0].Last_Name = 'Changed';
		expect(double.records('Contacts')[0].Last_Name).toBe('Person 1');
	});

	it('fills id and timestamps of seeded records', () => {
		const [seeded] = double.seedRecords('Leads', [{ Last_Name: 'Seed', Company: 'Zylker' }]);
		expect(seeded).toMatchObject({
			id: expect.stringMatching(/^\d{19}$/),
			Created_Time: expect.any(String),
			Modified_Time: expect.any(String),
			Company: 'Zylker',
		});
		expect(double.records('Leads')).toEqual([seeded]);
	});
});

describe('fields and users endpoints', () => {
	it('lists the Contacts fields with their metadata', async () => {
		const answer = await apiCall('/crm/v8/settings/fields?module=Contacts', { token: await accessToken() });
		expect(answer.status).toBe(200);
		const byName = new Map<string, any>(answer.body.fields.map((field: any) => [field.api_name, field]));
		expect(byName.get('Last_Name')).toMatchObject({
			field_label: 'Last Name',
			data_type: 'text',
			system_mandatory: true,
			length: 80,
			read_only: false,
			custom_field: false,
		});
		expect(byName.get('Email')).toMatchObject({ data_type: 'email', system_mandatory: false, length: 100 });
		expect(byName.get('Account_Name')).toMatchObject({ data_type: 'lookup' });
		expect(byName.get('Lead_Source')).toMatchObject({ data_type: 'picklist' });
		expect(byName.get('Date_of_Birth')).toMatchObject({ data_type: 'date' });
		expect(byName.get('Customer_Tier')).toMatchObject({ custom_field: true });
		expect(byName.get('Newsletter_Opt_In')).toMatchObject({ custom_field: true, data_type: 'boolean' });
		for (const name of ['Secondary_Email', 'First_Name', 'Phone', 'Mobile', 'Title', 'Mailing_City', 'Description']) {
			expect(byName.has(name)).toBe(true);
		}
		expect(byName.has('Company')).toBe(false);
	});

	it('lists Company instead of Account_Name for Leads', async () => {
		const answer = await apiCall('/crm/v2/settings/fields?module=Leads', { token: await accessToken() });
		const names = answer.body.fields.map((field: any) => field.api_name);
		expect(names).toEqual(expect.arrayContaining(['Company', 'Last_Name', 'Email', 'Street', 'Zip_Code']));
		expect(names).not.toContain('Account_Name');
	});

	it('refuses a fields request without module with 400 REQUIRED_PARAM_MISSING', async () => {
		const answer = await apiCall('/crm/v8/settings/fields', { token: await accessToken() });
		expect(answer.status).toBe(400);
		expect(answer.body.code).toBe('REQUIRED_PARAM_MISSING');
	});

	it('refuses fields of an unknown module with 400 INVALID_MODULE', async () => {
		const answer = await apiCall('/crm/v8/settings/fields?module=Deals', { token: await accessToken() });
		expect(answer.status).toBe(400);
		expect(answer.body.code).toBe('INVALID_MODULE');
	});

	it('requires a valid token for fields', async () => {
		const answer = await apiCall('/crm/v8/settings/fields?module=Contacts');
		expect(answer).toMatchObject({ status: 401, body: INVALID_TOKEN });
	});

	it('answers the current user', async () => {
		const answer = await apiCall('/crm/v8/users?type=CurrentUser', { token: await accessToken() });
		expect(answer.status).toBe(200);
		expect(answer.body.users).toEqual([
			expect.objectContaining({
				id: expect.stringMatching(/^\d{19}$/),
				full_name: 'Double Admin',
				email: 'admin@zoho-double.test',
			}),
		]);
	});

	it('requires a valid token for users', async () => {
		expect((await apiCall('/crm/v8/users?type=CurrentUser', { token: 'nope' })).status).toBe(401);
	});
});

describe('environments: sandbox and developer hosts of a data centre', () => {
	it('names them by a prefix on the data centre, as sandbox.zohoapis.com does', () => {
		expect(double.apiUrl('us', 'sandbox')).toBe(`${double.baseUrl}/api/sandbox.us`);
		expect(double.apiUrl('eu', 'developer')).toBe(`${double.baseUrl}/api/developer.eu`);
		expect(double.apiUrl('us', 'production')).toBe(double.apiUrl('us'));
	});

	it('answers a token for a sandbox user with the production api_domain, as Zoho does', async () => {
		expect((await requestToken()).body.api_domain).toBe(double.apiUrl('us'));
	});

	it('accepts a token of the data centre in each of its environments', async () => {
		const token = await accessToken('us');
		for (const region of ['us', 'sandbox.us', 'developer.us']) {
			expect((await upsert(token, { data: [contact(1)] }, { region })).status).toBe(200);
		}
	});

	it("refuses a token of another data centre in this one's sandbox", async () => {
		const answer = await upsert(await accessToken('eu'), { data: [contact(1)] }, { region: 'sandbox.us' });
		expect(answer).toMatchObject({ status: 401, body: INVALID_TOKEN });
	});

	it('keeps the records and counters of each environment apart', async () => {
		const token = await accessToken('us');
		await upsert(token, { data: [contact(1), contact(2)] }, { region: 'sandbox.us' });
		expect(double.records('Contacts', 'sandbox.us').map((r) => r.Email)).toEqual(['person1@example.com', 'person2@example.com']);
		expect(double.records('Contacts', 'us')).toHaveLength(0);
		expect(double.countersFor('sandbox.us')).toEqual({ apiCalls: 1, upsertCalls: 1, recordsReceived: 2, unauthorized: 0 });
		expect(double.countersFor('us')).toEqual({ apiCalls: 0, upsertCalls: 0, recordsReceived: 0, unauthorized: 0 });
	});

	it('counts refused calls and 401s per region, and forgets them on resetCounters()', async () => {
		await upsert('not-a-token', { data: [contact(1)] }, { region: 'developer.eu' });
		expect(double.countersFor('developer.eu')).toMatchObject({ apiCalls: 1, unauthorized: 1, upsertCalls: 0 });
		double.resetCounters();
		expect(double.countersFor('developer.eu').apiCalls).toBe(0);
	});
});

describe('upsert faults per region', () => {
	it('applyThenDrop: stores the records, then drops the connection without an answer', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'applyThenDrop' });
		await expect(upsert(token, { data: [contact(1), contact(2)] })).rejects.toThrow('fetch failed');
		expect(double.records('Contacts').map((r) => r.Email)).toEqual(['person1@example.com', 'person2@example.com']);
		expect(double.requests.at(-1)?.status).toBeUndefined();
		expect(double.countersFor('us')).toMatchObject({ upsertCalls: 1, recordsReceived: 2 });
	});

	it('applyThenDrop twice with records without a key: each resend inserts them again', async () => {
		const token = await accessToken();
		const keyless = [{ Last_Name: 'No Email 1' }, { Last_Name: 'No Email 2' }];
		double.injectUpsertFault('us', { kind: 'applyThenDrop', times: 2 });
		await expect(upsert(token, { data: keyless })).rejects.toThrow();
		await expect(upsert(token, { data: keyless })).rejects.toThrow();
		const third = await upsert(token, { data: keyless });
		expect(third.body.data.map((entry: any) => entry.action)).toEqual(['insert', 'insert']);
		expect(double.records('Contacts')).toHaveLength(3 * keyless.length);
	});

	it('applyThenError500: stores the records, then answers 500 INTERNAL_ERROR', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'applyThenError500' });
		const answer = await upsert(token, { data: [contact(1)] });
		expect(answer).toMatchObject({ status: 500, body: zohoError('INTERNAL_ERROR', 'Internal Server Error') });
		expect(double.records('Contacts')).toHaveLength(1);
		const again = await upsert(token, { data: [contact(1)] });
		expect(again.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Email' });
	});

	it('error500: answers 500 INTERNAL_ERROR and stores nothing', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'error500' });
		expect(await upsert(token, { data: [contact(1)] })).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
		expect(double.records('Contacts')).toHaveLength(0);
	});

	it('error429: answers 429 TOO_MANY_REQUESTS with Retry-After when configured, and stores nothing', async () => {
		await startDouble({ retryAfterSeconds: 2 });
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'error429' });
		const answer = await upsert(token, { data: [contact(1)] });
		expect(answer).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
		expect(answer.headers.get('retry-after')).toBe('2');
		expect(double.counters.rateLimited).toBe(1);
		expect(double.records('Contacts')).toHaveLength(0);
	});

	it('hang: accepts the call and never answers, holding its concurrency slot until the client gives up', async () => {
		await startDouble({ maxConcurrentCalls: 1 });
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'hang' });
		const abort = new AbortController();
		const hung = fetch(`${double.apiUrl()}/crm/v8/Contacts/upsert`, {
			method: 'POST',
			headers: { authorization: `Zoho-oauthtoken ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ data: [contact(1)] }),
			signal: abort.signal,
		});
		hung.catch(() => undefined);
		await waitFor(async () => double.requests.length === 1, 2000);
		expect((await upsert(token, { data: [contact(2)] })).status).toBe(429);
		abort.abort();
		await expect(hung).rejects.toThrow();
		await waitFor(async () => (await upsert(token, { data: [contact(3)] })).status === 200, 2000);
		expect(double.records('Contacts').map((r) => r.Email)).toEqual(['person3@example.com']);
	});

	it('hang: stop() ends the hung call', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'hang' });
		const hung = upsert(token, { data: [contact(1)] });
		hung.catch(() => undefined);
		await waitFor(async () => double.requests.length === 1, 2000);
		await double.stop();
		await expect(hung).rejects.toThrow('fetch failed');
	});

	it('hits only its region: the production host of the same data centre is served normally', async () => {
		const token = await accessToken();
		double.injectUpsertFault('sandbox.us', { kind: 'error500' });
		expect((await upsert(token, { data: [contact(1)] }, { region: 'us' })).status).toBe(200);
		expect((await upsert(token, { data: [contact(1)] }, { region: 'sandbox.us' })).status).toBe(500);
	});

	it('is consumed only by authenticated upsert calls, in injection order, `times` each', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'error500', times: 2 });
		double.injectUpsertFault('us', { kind: 'error429' });
		expect((await upsert('expired-token', { data: [contact(1)] })).status).toBe(401);
		expect((await apiCall('/crm/v8/users?type=CurrentUser', { token })).status).toBe(200);
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await upsert(token, { data: [contact(1)] })).status);
		expect(statuses).toEqual([500, 500, 429, 200]);
	});

	it('is forgotten on clearFaults()', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'error500', times: 3 });
		double.clearFaults();
		expect((await upsert(token, { data: [contact(1)] })).status).toBe(200);
	});
});

describe('upsert without a duplicate-check value', () => {
	it('inserts a record without Email as a new record every time: an upsert without a key is an insert', async () => {
		const token = await accessToken();
		const record = { Last_Name: 'Keyless', First_Name: 'Kim', Phone: '+44 20 7946 0000' };
		const answers = [];
		for (let i = 0; i < 3; i++) answers.push(await upsert(token, { data: [record] }));
		expect(answers.map((a) => a.body.data[0].action)).toEqual(['insert', 'insert', 'insert']);
		expect(answers.map((a) => a.body.data[0].duplicate_field)).toEqual([null, null, null]);
		expect(new Set(answers.map((a) => a.body.data[0].details.id)).size).toBe(3);
		expect(double.records('Contacts')).toHaveLength(3);
	});

	it('inserts when no field of duplicate_check_fields has a value, even if another field matches', async () => {
		const token = await accessToken();
		double.seedRecords('Contacts', [{ Last_Name: 'Seeded', Email: 'same@example.com', Mobile: '123' }]);
		const answer = await upsert(token, {
			data: [{ Last_Name: 'New', Email: 'same@example.com' }],
			duplicate_check_fields: ['Mobile'],
		});
		expect(answer.body.data[0]).toMatchObject({ action: 'insert', duplicate_field: null });
		expect(double.records('Contacts')).toHaveLength(2);
	});
});

describe("the double answers in the shape of Zoho's documented responses (test/doubles/fixtures/zoho)", () => {
	const fixture = (name: string): any =>
		JSON.parse(readFileSync(path.join(__dirname, '../doubles/fixtures/zoho', `${name}.json`), 'utf8'));

	/** Keys at every level, sorted; arrays by their entries' shapes; values left out. */
	function shape(value: unknown): unknown {
		if (Array.isArray(value)) return value.map(shape);
		if (value && typeof value === 'object') {
			return Object.fromEntries(
				Object.keys(value)
					.sort()
					.map((key) => [key, shape((value as Record<string, unknown>)[key])]),
			);
		}
		return typeof value;
	}

	/** What a spec compares: the entry's shape plus the values that carry meaning. */
	function meaning(entry: any) {
		return { code: entry.code, status: entry.status, action: entry.action, message: entry.message };
	}

	it('a batch of one update and one insert: 200, entries shaped like the documented ones', async () => {
		const token = await accessToken();
		double.seedRecords('Contacts', [contact(1)]);
		const answer = await upsert(token, { data: [contact(1, { First_Name: 'Changed' }), contact(2)] });
		const documented = fixture('upsert-200-success');
		expect(answer.status).toBe(200);
		expect(shape(answer.body)).toEqual(shape(documented));
		expect(answer.body.data.map(meaning)).toEqual(documented.data.map(meaning));
		expect(answer.body.data.map((e: any) => e.duplicate_field)).toEqual(documented.data.map((e: any) => e.duplicate_field));
	});

	it('a mixed batch: 207, the error entry shaped like the documented INVALID_DATA', async () => {
		const token = await accessToken();
		const answer = await upsert(token, { data: [contact(1), contact(2, { First_Name: { not: 'text' } })] });
		const documented = fixture('upsert-207-mixed');
		expect(answer.status).toBe(207);
		expect(shape(answer.body.data[1])).toEqual(shape(documented.data[1]));
		expect(shape(answer.body.data[0].details)).toEqual(shape(documented.data[0].details));
		expect(answer.body.data.map((e: any) => [e.code, e.status])).toEqual(documented.data.map((e: any) => [e.code, e.status]));
		expect(answer.body.data[1].details.expected_data_type).toBe('text');
	});

	it('an all-failed batch with a wrong data type: 400 with data[], as documented', async () => {
		const answer = await upsert(await accessToken(), { data: [contact(1, { Newsletter_Opt_In: 'yes' })] });
		const documented = fixture('upsert-400-invalid-data-type');
		expect(answer.status).toBe(400);
		expect(shape(answer.body)).toEqual(shape(documented));
		expect(answer.body.data.map(meaning)).toEqual(documented.data.map(meaning));
	});

	it('an all-failed batch with a value too long: 400 with maximum_length, as documented', async () => {
		const answer = await upsert(await accessToken(), { data: [{ Last_Name: 'x'.repeat(81) }] });
		const documented = fixture('upsert-400-invalid-data-length');
		expect(answer.status).toBe(400);
		expect(shape(answer.body)).toEqual(shape(documented));
		expect(answer.body.data.map(meaning)).toEqual(documented.data.map(meaning));
	});

	it('an all-failed batch without the mandatory field: 400 MANDATORY_NOT_FOUND naming the field, as documented', async () => {
		const answer = await upsert(await accessToken(), { data: [{ Email: 'no.last@example.com' }] });
		const documented = fixture('upsert-400-mandatory-not-found');
		expect(answer.status).toBe(400);
		const [entry] = answer.body.data;
		expect(Object.keys(entry).sort()).toEqual(Object.keys(documented.data[0]).sort());
		expect(meaning(entry)).toEqual(meaning(documented.data[0]));
		// Zoho's example also gives the field's id; the double names the field as every example does.
		expect(Object.keys(entry.details).sort()).toEqual(['api_name', 'json_path']);
		expect(Object.keys(documented.data[0].details)).toEqual(expect.arrayContaining(['api_name', 'json_path']));
	});

	it('a server error: 500 INTERNAL_ERROR without a data wrapper, as documented', async () => {
		const token = await accessToken();
		double.injectUpsertFault('us', { kind: 'applyThenError500' });
		const answer = await upsert(token, { data: [contact(1)] });
		const documented = fixture('upsert-500-internal-error');
		expect(answer.status).toBe(500);
		expect(shape(answer.body)).toEqual(shape(documented));
		expect(answer.body).toEqual(documented);
	});
});
