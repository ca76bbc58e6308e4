/**
 * Zoho access tokens from a self-client refresh token (nodes/ZohoCrmUpsertContact/auth.ts and
 * credentials/ZohoCrmToken.ts), against the Zoho double, and the data-centre and environment
 * hosts (credentials/ZohoCrmDataCenters.ts) of external-apis.md.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';

import { getZohoAccessToken, mintZohoAccessToken, zohoCredentialKey } from '../../nodes/ZohoCrmUpsertContact/auth';
import {
	resolveZohoHosts,
	ZOHO_DATA_CENTERS,
	ZOHO_ENVIRONMENTS,
	zohoApiBase,
	zohoHostProperties,
} from '../../credentials/ZohoCrmDataCenters';
import { explainTokenFailure, ZohoTokenError, type ZohoRefreshTokenCredentials } from '../../credentials/ZohoCrmToken';
import { ZohoCrmRefreshTokenApi } from '../../credentials/ZohoCrmRefreshTokenApi.credentials';
import { ZohoCrmOAuth2Api } from '../../credentials/ZohoCrmOAuth2Api.credentials';
import { openZohoSession, zohoApiRequest } from '../../nodes/ZohoCrmUpsertContact/transport';
import { RefreshLimitError } from '../../nodes/shared/tokenCache';
import { ZohoDouble } from '../doubles/zohoDouble';
import { fetchSend } from './fakes/fetchSend';

const CLIENT_ID = 'test-client';
const CLIENT_SECRET = 'test-secret-4f9a1c';
/** One refresh token per spec, so the process-wide token cache and the double's per-token limits
 * never carry over from one spec to the next. */
const REFRESH_TOKENS = Array.from({ length: 30 }, (_, i) => `1000.refresh-token-${String(i).padStart(2, '0')}.abcdef`);
const EU_CLIENT = { clientId: 'eu-client', clientSecret: 'eu-secret-77aa01', refreshTokens: ['1000.eu-refresh.0001'], region: 'eu' };

let double: ZohoDouble;
let nextToken = 0;

function freshRefreshToken(): string {
	const token = REFRESH_TOKENS[nextToken++];
	if (!token) throw new Error('add refresh tokens to REFRESH_TOKENS');
	return token;
}

/** Custom data centre credentials pointing at the double's "us" region. */
function credentials(overrides: Partial<ZohoRefreshTokenCredentials> = {}): ZohoRefreshTokenCredentials {
	return {
		dataCenter: 'custom',
		accountsUrl: double.accountsUrl('us'),
		apiUrl: double.apiUrl('us'),
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		refreshToken: freshRefreshToken(),
		...overrides,
	};
}

async function tokenErrorOf(promise: Promise<unknown>): Promise<ZohoTokenError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ZohoTokenError);
	return error as ZohoTokenError;
}

/** A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago). */
async function closedPortUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

/** Calls the double's CRM API with a token, as the node does. */
async function currentUserStatus(accessToken: string): Promise<number> {
	const response = await fetchSend({
		url: `${double.apiUrl('us')}/crm/v8/users`,
		qs: { type: 'CurrentUser' },
		headers: { Authorization: `Zoho-oauthtoken ${accessToken}` },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	});
	return response.statusCode;
}

beforeAll(async () => {
	double = new ZohoDouble({
		clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshTokens: REFRESH_TOKENS }, EU_CLIENT],
	});
	await double.start();
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.clearFaults();
	double.resetCounters();
});

describe('mintZohoAccessToken', () => {
	it('exchanges the refresh token for an access token that the API accepts, with api_domain and expiry', async () => {
		const now = 1_700_000_000_000;
		const token = await mintZohoAccessToken(fetchSend, credentials(), () => now);
		expect(token.accessToken).toMatch(/^1000\./);
		expect(token.apiDomain).toBe(double.apiUrl('us'));
		expect(token.expiresAt).toBe(now + 3600 * 1000);
		expect(await currentUserStatus(token.accessToken)).toBe(200);
	});

	it('sends a form-encoded POST to /oauth/v2/token with the refresh_token grant, secrets only in the body', async () => {
		const creds = credentials();
		await mintZohoAccessToken(fetchSend, creds);
		const [request] = double.tokenRequestLog.slice(-1);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/accounts/us/oauth/v2/token');
		expect(request.paramsIn).toBe('body');
		expect(request.params).toEqual({
			grant_type: 'refresh_token',
			client_id: CLIENT_ID,
			client_secret: CLIENT_SECRET,
			refresh_token: creds.refreshToken,
		});
	});

	it('takes the API host from the token api_domain, which names the data centre of the account', async () => {
		const token = await mintZohoAccessToken(fetchSend, {
			dataCenter: 'custom',
			accountsUrl: double.accountsUrl('eu'),
			apiUrl: double.apiUrl('us'),
			...EU_CLIENT,
			refreshToken: EU_CLIENT.refreshTokens[0],
		});
		expect(token.apiDomain).toBe(double.apiUrl('eu'));
	});

	it('maps the HTTP-200 invalid_client answer (wrong secret) to advice on client id, secret and data centre', async () => {
		const error = await tokenErrorOf(mintZohoAccessToken(fetchSend, credentials({ clientSecret: 'wrong-secret-123' })));
		expect(error.zohoError).toBe('invalid_client');
		expect(error.message).toBe('Zoho refused the client (invalid_client)');
		expect(error.hint).toContain('Client ID and Client Secret');
		expect(error.hint).toContain('data centre');
		expect(double.counters.tokenRequests).toBe(1);
	});

	it('maps invalid_client from the wrong data centre (client registered in EU, asked in US) the same way', async () => {
		const error = await tokenErrorOf(
			mintZohoAccessToken(fetchSend, {
				dataCenter: 'custom',
				accountsUrl: double.accountsUrl('us'),
				apiUrl: double.apiUrl('us'),
				...EU_CLIENT,
				refreshToken: EU_CLIENT.refreshTokens[0],
			}),
		);
		expect(error.zohoError).toBe('invalid_client');
		expect(error.hint).toContain('accounts.zoho.eu');
	});

	it('maps the HTTP-200 invalid_code answer (unknown or revoked refresh token) to advice on the refresh token', async () => {
		const error = await tokenErrorOf(mintZohoAccessToken(fetchSend, credentials({ refreshToken: '1000.not-a-known-token.1' })));
		expect(error.zohoError).toBe('invalid_code');
		expect(error.message).toBe('Zoho refused the refresh token (invalid_code)');
		expect(error.hint).toContain('refresh token is wrong, revoked, or belongs to another data centre');
		expect(error.hint).toContain('access_type=offline');

		const revoked = credentials();
		double.revokeRefreshToken(revoked.refreshToken);
		expect((await tokenErrorOf(mintZohoAccessToken(fetchSend, revoked))).zohoError).toBe('invalid_code');
	});

	it('maps the HTTP-400 "Access Denied" throttle to advice to wait, and does not retry it', async () => {
		double.injectFault({ kind: 'tokenError', error: 'Access Denied' });
		const error = await tokenErrorOf(mintZohoAccessToken(fetchSend, credentials()));
		expect(error.zohoError).toBe('Access Denied');
		expect(error.message).toBe(
			'Zoho throttled the token refresh (Access Denied: You have made too many requests continuously. Please try again after some time.)',
		);
		expect(error.hint).toContain('Wait a few minutes');
		expect(error.hint).toContain('no other system refreshes it in a loop');
		expect(double.counters.tokenRequests).toBe(1);
	});

	it("reports the double's own throttle on the 11th request within 10 minutes as Access Denied", async () => {
		const creds = credentials();
		for (let i = 0; i < 10; i++) await mintZohoAccessToken(fetchSend, creds);
		const error = await tokenErrorOf(mintZohoAccessToken(fetchSend, creds));
		expect(error.zohoError).toBe('Access Denied');
		expect(double.counters.tokenRequests).toBe(11);
	});

	it('treats an answer without access_token and without error as a failure', async () => {
		double.injectFault({ kind: 'status', status: 200, body: { token_type: 'Bearer' }, path: 'token' });
		const error = await tokenErrorOf(mintZohoAccessToken(fetchSend, credentials()));
		expect(error.zohoError).toBeUndefined();
		expect(error.message).toBe('Zoho did not issue an access token');
		expect(error.hint).toContain('data centre, the client and the refresh token');
	});

	it('retries a 5xx of the accounts server', async () => {
		double.injectFault({ kind: 'status', status: 503, path: 'token' });
		const token = await mintZohoAccessToken(fetchSend, credentials());
		expect(token.accessToken).toMatch(/^1000\./);
		expect(double.counters.tokenRequests).toBe(2);
	});

	it('reports an accounts host that cannot be reached, with a hint about the data centre', async () => {
		const closed = await closedPortUrl();
		const error = await tokenErrorOf(
			mintZohoAccessToken(fetchSend, credentials({ accountsUrl: closed }), undefined),
		);
		expect(error.zohoError).toBeUndefined();
		expect(error.message).toMatch(/^Zoho Accounts could not be reached: could not reach the service/);
		expect(error.hint).toBe('Check the data centre or the Custom accounts URL.');
	});

	it('never puts the client secret or refresh token in an error', async () => {
		const creds = credentials({ clientSecret: 'wrong-secret-xyz' });
		const rejected = await tokenErrorOf(mintZohoAccessToken(fetchSend, creds));
		const unreachable = await tokenErrorOf(
			mintZohoAccessToken(
				async (options) => {
					throw Object.assign(new Error(`socket hang up ${options.body as string}`), {});
				},
				creds,
			),
		);
		for (const error of [rejected, unreachable]) {
			const text = JSON.stringify({ error, message: error.message, hint: error.hint, stack: error.stack });
			expect(text).not.toContain(creds.clientSecret);
			expect(text).not.toContain(creds.refreshToken);
			expect(text).not.toContain(encodeURIComponent(creds.refreshToken));
		}
	});
});

describe('explainTokenFailure', () => {
	it('names the unknown error Zoho gave', () => {
		const error = explainTokenFailure('unsupported_grant_type');
		expect(error.message).toBe('Zoho did not issue an access token (unsupported_grant_type)');
		expect(error.zohoError).toBe('unsupported_grant_type');
	});
});

describe('getZohoAccessToken', () => {
	it('shares one refresh among 20 concurrent callers', async () => {
		const creds = credentials();
		const tokens = await Promise.all(Array.from({ length: 20 }, () => getZohoAccessToken(fetchSend, creds)));
		expect(double.counters.refreshes).toBe(1);
		expect(double.counters.tokenRequests).toBe(1);
		expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
	});

	it('reuses the cached token on later calls', async () => {
		const creds = credentials();
		const first = await getZohoAccessToken(fetchSend, creds);
		const second = await getZohoAccessToken(fetchSend, { ...creds });
		expect(second.accessToken).toBe(first.accessToken);
		expect(double.counters.tokenRequests).toBe(1);
	});

	it('keeps credentials with different refresh tokens apart', async () => {
		const a = await getZohoAccessToken(fetchSend, credentials());
		const b = await getZohoAccessToken(fetchSend, credentials());
		expect(a.accessToken).not.toBe(b.accessToken);
		expect(double.counters.refreshes).toBe(2);
	});

	it('renews a token Zoho rejected, once for all callers that report it', async () => {
		const creds = credentials();
		const old = await getZohoAccessToken(fetchSend, creds);
		double.expireAccessTokens();
		expect(await currentUserStatus(old.accessToken)).toBe(401);

		const renewed = await Promise.all(Array.from({ length: 5 }, () => getZohoAccessToken(fetchSend, creds, old.accessToken)));
		expect(new Set(renewed.map((t) => t.accessToken)).size).toBe(1);
		expect(renewed[0].accessToken).not.toBe(old.accessToken);
		expect(double.counters.refreshes).toBe(2);
		expect(await currentUserStatus(renewed[0].accessToken)).toBe(200);
	});

	it("stops at the package's limit of 10 refreshes before Zoho's throttle is reached", async () => {
		const creds = credentials();
		let token = await getZohoAccessToken(fetchSend, creds);
		for (let i = 0; i < 9; i++) token = await getZohoAccessToken(fetchSend, creds, token.accessToken);
		expect(double.counters.refreshes).toBe(10);

		const refused = await getZohoAccessToken(fetchSend, creds, token.accessToken).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(RefreshLimitError);
		expect((refused as Error).message).toContain('already refreshed 10 times in the last 10 minutes');
		expect(double.counters.tokenRequests).toBe(10);
		expect(double.counters.tokenFailures).toBe(0);
	});

	it('does not cache a refused refresh: the next call asks Zoho again', async () => {
		const creds = credentials();
		double.injectFault({ kind: 'tokenError', error: 'invalid_code' });
		await tokenErrorOf(getZohoAccessToken(fetchSend, creds));
		const token = await getZohoAccessToken(fetchSend, creds);
		expect(token.accessToken).toMatch(/^1000\./);
		expect(double.counters.tokenRequests).toBe(2);
	});
});

describe('zohoCredentialKey', () => {
	it('differs per client secret and refresh token, and contains neither', () => {
		const creds = credentials();
		const key = zohoCredentialKey(creds);
		expect(zohoCredentialKey({ ...creds, clientSecret: 'other-secret-1' })).not.toBe(key);
		expect(zohoCredentialKey({ ...creds, refreshToken: 'other-refresh-1' })).not.toBe(key);
		expect(key).not.toContain(creds.clientSecret);
		expect(key).not.toContain(creds.refreshToken);
	});

	it('is the same for a listed DC and a Custom DC with its URLs (same accounts host, same cache)', () => {
		const base = { clientId: 'c', clientSecret: 'secret-1', refreshToken: 'refresh-1' };
		expect(zohoCredentialKey({ ...base, dataCenter: 'eu' })).toBe(
			zohoCredentialKey({ ...base, dataCenter: 'custom', accountsUrl: 'https://accounts.zoho.eu/', apiUrl: 'https://www.zohoapis.eu' }),
		);
	});
});

describe('zohoApiRequest token renewal', () => {
	const node: INode = { id: 'n', name: 'Zoho', type: 't', typeVersion: 1, position: [0, 0], parameters: {} };

	/**
	 * A context whose authenticated requests go to the double with the credential's token (as
	 * n8n's `authenticate` header would), and whose first API answer is held until released.
	 */
	function contextHoldingFirstAnswer(stored: ZohoRefreshTokenCredentials) {
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		let apiCalls = 0;
		const ctx = {
			getNode: () => node,
			getCredentials: async () => ({ ...stored }),
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => await fetchSend(options),
				httpRequestWithAuthentication: async (
					_type: string,
					options: IHttpRequestOptions,
					additional?: { credentialsDecrypted?: { data: IDataObject } },
				) => {
					const token = additional?.credentialsDecrypted?.data.accessToken as string;
					const call = ++apiCalls;
					const answer = await fetchSend({ ...options, headers: { ...options.headers, Authorization: `Zoho-oauthtoken ${token}` } });
					if (call === 1) await released;
					return answer;
				},
			},
		} as unknown as IExecuteFunctions;
		return { ctx, release };
	}

	it('does not renew again when a call sent with the old token is refused after another call renewed it', async () => {
		const stored = credentials();
		const { ctx, release } = contextHoldingFirstAnswer(stored);
		const session = await openZohoSession(ctx, 'refreshToken');
		double.expireAccessTokens();
		double.resetCounters();

		const slow = zohoApiRequest(ctx, session, { method: 'GET', path: '/users', qs: { type: 'CurrentUser' } });
		const fast = await zohoApiRequest(ctx, session, { method: 'GET', path: '/users', qs: { type: 'CurrentUser' } });
		expect(fast.statusCode).toBe(200);
		expect(double.counters.refreshes).toBe(1);

		release();
		expect((await slow).statusCode).toBe(200);
		expect(double.counters.refreshes).toBe(1);
		expect(double.counters.unauthorized).toBe(2);
	});
});

describe('data centres and environments', () => {
	const TABLE: Array<[string, string, string]> = [
		['us', 'https://accounts.zoho.com', 'zohoapis.com'],
		['eu', 'https://accounts.zoho.eu', 'zohoapis.eu'],
		['in', 'https://accounts.zoho.in', 'zohoapis.in'],
		['au', 'https://accounts.zoho.com.au', 'zohoapis.com.au'],
		['jp', 'https://accounts.zoho.jp', 'zohoapis.jp'],
		['ca', 'https://accounts.zohocloud.ca', 'zohoapis.ca'],
		['cn', 'https://accounts.zoho.com.cn', 'zohoapis.com.cn'],
		['sa', 'https://accounts.zoho.sa', 'zohoapis.sa'],
	];
	const PREFIX = { production: 'www', sandbox: 'sandbox', developer: 'developer' } as const;
	const CASES = TABLE.flatMap(([dataCenter, accountsUrl, domain]) =>
		(Object.keys(PREFIX) as Array<keyof typeof PREFIX>).map(
			(environment) => [dataCenter, environment, accountsUrl, `https://${PREFIX[environment]}.${domain}`] as const,
		),
	);
	const PRODUCTION_API_DOMAIN = 'https://www.zohoapis.com';

	it.each(CASES)('resolves %s in %s to its accounts host and API host', (dataCenter, environment, accountsUrl, apiUrl) => {
		expect(resolveZohoHosts({ dataCenter, environment })).toEqual({ accountsUrl, apiUrl });
		expect(zohoApiBase({ dataCenter, environment })).toBe(apiUrl);
	});

	it('lists exactly the data centres and environments of the table', () => {
		expect(Object.keys(ZOHO_DATA_CENTERS).sort()).toEqual(TABLE.map(([dc]) => dc).sort());
		expect([...ZOHO_ENVIRONMENTS].sort()).toEqual(Object.keys(PREFIX).sort());
	});

	it('accepts the data centre and environment in any case, and defaults to US production', () => {
		expect(resolveZohoHosts({ dataCenter: 'EU', environment: 'Sandbox' })).toEqual({
			accountsUrl: 'https://accounts.zoho.eu',
			apiUrl: 'https://sandbox.zohoapis.eu',
		});
		expect(resolveZohoHosts({})).toEqual({ accountsUrl: 'https://accounts.zoho.com', apiUrl: 'https://www.zohoapis.com' });
	});

	it('treats a credential saved before the Environment field existed as production', () => {
		expect(zohoApiBase({ dataCenter: 'au', environment: '' })).toBe('https://www.zohoapis.com.au');
	});

	it('refuses an unknown data centre or environment by name', () => {
		expect(() => resolveZohoHosts({ dataCenter: 'uk' })).toThrow('Unknown Zoho data centre "uk"');
		expect(() => resolveZohoHosts({ dataCenter: 'us', environment: 'staging' })).toThrow('Unknown Zoho environment "staging"');
	});

	it('uses both Custom URLs without their trailing slashes', () => {
		expect(
			resolveZohoHosts({ dataCenter: 'custom', accountsUrl: 'https://accounts.example.test/', apiUrl: 'https://api.example.test//' }),
		).toEqual({ accountsUrl: 'https://accounts.example.test', apiUrl: 'https://api.example.test' });
	});

	it('needs both URLs for a Custom data centre', () => {
		const message = 'A Custom data centre needs both an Accounts URL and an API URL';
		expect(() => resolveZohoHosts({ dataCenter: 'custom', accountsUrl: 'https://accounts.example.test' })).toThrow(message);
		expect(() => resolveZohoHosts({ dataCenter: 'custom', apiUrl: 'https://api.example.test' })).toThrow(message);
		expect(() => resolveZohoHosts({ dataCenter: 'custom' })).toThrow(message);
	});

	it("lets the token's api_domain replace only the built-in production host", () => {
		expect(zohoApiBase({ dataCenter: 'us', apiDomain: 'https://www.zohoapis.eu/' })).toBe('https://www.zohoapis.eu');
		expect(zohoApiBase({ dataCenter: 'us', environment: 'production', apiDomain: 'https://www.zohoapis.eu' })).toBe(
			'https://www.zohoapis.eu',
		);
	});

	it.each([
		['a Custom API URL', { dataCenter: 'custom', accountsUrl: 'https://accounts.zoho.com', apiUrl: 'https://sandbox.zohoapis.com' }, 'https://sandbox.zohoapis.com'],
		['a Custom API URL with an environment left over', { dataCenter: 'custom', environment: 'production', accountsUrl: 'https://a.test', apiUrl: 'https://api.example.test' }, 'https://api.example.test'],
		['the Sandbox environment', { dataCenter: 'us', environment: 'sandbox' }, 'https://sandbox.zohoapis.com'],
		['the Developer environment', { dataCenter: 'us', environment: 'developer' }, 'https://developer.zohoapis.com'],
		['the Sandbox environment of EU', { dataCenter: 'eu', environment: 'sandbox' }, 'https://sandbox.zohoapis.eu'],
	])("ignores the token's production api_domain for %s", (_label, settings, expected) => {
		expect(zohoApiBase({ ...settings, apiDomain: PRODUCTION_API_DOMAIN })).toBe(expected);
	});

	it('falls back to the data centre when api_domain is empty', () => {
		expect(zohoApiBase({ dataCenter: 'jp', apiDomain: '' })).toBe('https://www.zohoapis.jp');
	});

	it('offers the Environment field (Production by default) for listed data centres, not for Custom', () => {
		const environment = zohoHostProperties.find((property) => property.name === 'environment');
		expect(environment).toMatchObject({ type: 'options', default: 'production', displayOptions: { hide: { dataCenter: ['custom'] } } });
		expect((environment?.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual(
			['developer', 'production', 'sandbox'],
		);
	});

	it('gives both Zoho credentials the same host fields, Environment included', () => {
		for (const credential of [new ZohoCrmRefreshTokenApi(), new ZohoCrmOAuth2Api()]) {
			const names = credential.properties.map((property) => property.name);
			expect(names).toEqual(expect.arrayContaining(['dataCenter', 'environment', 'accountsUrl', 'apiUrl']));
		}
	});

	describe("the credentials' Test requests go to the host the node uses", () => {
		/** Evaluates a `={{ … }}` base URL the way n8n does, for plain JavaScript expressions. */
		function evaluate(expression: string, $credentials: Record<string, unknown>): unknown {
			const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
			if (body === undefined) throw new Error(`not an expression: ${expression}`);
			// n8n's parser ends the expression at the first "}}".
			if (body.includes('}}')) throw new Error(`"}}" inside the expression: ${expression}`);
			return new Function('$credentials', `return (${body});`)($credentials);
		}
		const refreshTokenTest = new ZohoCrmRefreshTokenApi().test.request.baseURL as string;
		const oauth2Test = new ZohoCrmOAuth2Api().test.request.baseURL as string;
		const withToken = (apiDomain?: string) => [
			['refresh token', refreshTokenTest, { apiDomain }],
			['OAuth2', oauth2Test, { oauthTokenData: apiDomain === undefined ? undefined : { api_domain: apiDomain } }],
		] as const;

		it.each(CASES)('%s in %s, with a production api_domain in the token', (dataCenter, environment) => {
			const expected = zohoApiBase({ dataCenter, environment, apiDomain: PRODUCTION_API_DOMAIN });
			for (const [, expression, token] of withToken(PRODUCTION_API_DOMAIN)) {
				expect(evaluate(expression, { dataCenter, environment, ...token })).toBe(expected);
			}
		});

		it.each(CASES)('%s in %s, before any token', (dataCenter, environment, _accounts, apiUrl) => {
			for (const [, expression, token] of withToken(undefined)) {
				expect(evaluate(expression, { dataCenter, environment, ...token })).toBe(apiUrl);
			}
		});

		it("a Custom API URL, never the token's api_domain", () => {
			const custom = { dataCenter: 'custom', accountsUrl: 'https://accounts.zoho.com', apiUrl: 'https://sandbox.zohoapis.com' };
			for (const [, expression, token] of withToken(PRODUCTION_API_DOMAIN)) {
				expect(evaluate(expression, { ...custom, ...token })).toBe('https://sandbox.zohoapis.com');
			}
		});

		it('a credential saved before the Environment field existed: production, api_domain first', () => {
			for (const [, expression, token] of withToken('https://www.zohoapis.eu')) {
				expect(evaluate(expression, { dataCenter: 'us', ...token })).toBe('https://www.zohoapis.eu');
			}
		});
	});
});

describe('openZohoSession hosts', () => {
	const node: INode = { id: 'n', name: 'Zoho', type: 't', typeVersion: 1, position: [0, 0], parameters: {} };
	const contextWith = (stored: IDataObject) =>
		({
			getNode: () => node,
			getCredentials: async () => ({ ...stored }),
			helpers: { httpRequest: async (options: IHttpRequestOptions) => await fetchSend(options) },
		}) as unknown as IExecuteFunctions;

	it("calls a Custom sandbox API URL although the token's api_domain names the production host", async () => {
		const stored = credentials({ apiUrl: double.apiUrl('us', 'sandbox') });
		const session = await openZohoSession(contextWith({ ...stored }), 'refreshToken');
		expect(double.tokenRequestLog.at(-1)?.status).toBe(200);
		expect(session.apiBase).toBe(double.apiUrl('us', 'sandbox'));
	});

	it("calls the OAuth2 credential's Custom API URL, not the api_domain n8n stored with its token", async () => {
		const session = await openZohoSession(
			contextWith({
				dataCenter: 'custom',
				accountsUrl: double.accountsUrl('us'),
				apiUrl: double.apiUrl('us', 'developer'),
				oauthTokenData: { access_token: 'token', api_domain: double.apiUrl('us') },
			}),
			'oAuth2',
		);
		expect(session.apiBase).toBe(double.apiUrl('us', 'developer'));
	});

	it("calls a built-in data centre's sandbox host in the Sandbox environment", async () => {
		const session = await openZohoSession(
			contextWith({
				dataCenter: 'eu',
				environment: 'sandbox',
				oauthTokenData: { access_token: 'token', api_domain: 'https://www.zohoapis.eu' },
			}),
			'oAuth2',
		);
		expect(session.apiBase).toBe('https://sandbox.zohoapis.eu');
	});
});

describe("the refresh-token credential's preAuthentication", () => {
	const helper = { helpers: { httpRequest: async (options: IHttpRequestOptions) => await fetchSend(options) } };
	const preAuthenticate = (stored: ZohoRefreshTokenCredentials) =>
		new ZohoCrmRefreshTokenApi().preAuthentication.call(helper as never, stored as never);

	it('mints a token the API accepts and keeps the api_domain Zoho gave', async () => {
		const result = await preAuthenticate(credentials());
		expect(result.apiDomain).toBe(double.apiUrl('us'));
		expect(await currentUserStatus(result.accessToken)).toBe(200);
	});

	it("explains Zoho's HTTP-400 throttle instead of a bare status", async () => {
		double.injectFault({ kind: 'tokenError', error: 'Access Denied' });
		await expect(preAuthenticate(credentials())).rejects.toThrow(/^Zoho throttled the token refresh \(Access Denied.*Wait a few minutes/);
	});

	it('explains invalid_client without the secret', async () => {
		const creds = credentials({ clientSecret: 'wrong-secret-pre-1' });
		const error = (await preAuthenticate(creds).catch((e: unknown) => e)) as Error;
		expect(error.message).toContain('Zoho refused the client (invalid_client). Check the Client ID and Client Secret');
		expect(error.message).not.toContain(creds.clientSecret);
	});
});
