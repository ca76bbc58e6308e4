/**
 * Zoho CRM Upsert Contact in a real n8n: a credential pointed at a sandbox (or developer) host
 * writes there and nowhere else, although Zoho's token always names the production host in
 * api_domain (the double's tokens do too: api_domain = double.apiUrl('us')).
 */
import { startN8n, type CredentialFile, type N8nProcess } from '../harness/n8n';
import { ZohoDouble, type ZohoRegionCounters } from '../doubles/zohoDouble';
import { zohoDoubleCredential, zohoUpsertWorkflow } from './fixtures/workflows';

const CLIENT = { clientId: 'hosts-client', clientSecret: 'hosts-client-secret-value' };
const NOTHING: ZohoRegionCounters = { apiCalls: 0, upsertCalls: 0, recordsReceived: 0, unauthorized: 0 };

async function post(n8n: N8nProcess, path: string, body: unknown): Promise<number> {
	const response = await fetch(n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	await response.arrayBuffer();
	return response.status;
}

describe('Zoho hosts in a real n8n: sandbox and developer credentials never reach production', () => {
	const double = new ZohoDouble({
		clients: [{ ...CLIENT, refreshTokens: ['refresh-sandbox', 'refresh-developer', 'refresh-oauth'] }],
	});
	let n8n: N8nProcess;

	/** A refresh-token credential: accounts of the double's US data centre, API on one of its hosts. */
	function refreshTokenCredential(id: string, environment: 'sandbox' | 'developer'): CredentialFile {
		return zohoDoubleCredential(id, double, CLIENT, {
			region: 'us',
			data: { apiUrl: double.apiUrl('us', environment) },
		});
	}

	/** An OAuth2 credential as n8n stores it after the connect flow: its token names production. */
	function oauthSandboxCredential(): CredentialFile {
		return {
			id: 'oauth-sandbox',
			name: 'Zoho OAuth2 sandbox',
			type: 'zohoCrmOAuth2Api',
			data: {
				dataCenter: 'custom',
				accountsUrl: double.accountsUrl('us'),
				apiUrl: double.apiUrl('us', 'sandbox'),
				...CLIENT,
				oauthTokenData: {
					access_token: double.mintAccessToken('us', 'refresh-oauth'),
					refresh_token: 'refresh-oauth',
					api_domain: double.apiUrl('us'),
					token_type: 'Bearer',
					expires_in: 3600,
				},
			},
		};
	}

	beforeAll(async () => {
		await double.start();
		n8n = await startN8n({
			name: 'zoho-hosts',
			credentials: [refreshTokenCredential('sandbox', 'sandbox'), refreshTokenCredential('developer', 'developer'), oauthSandboxCredential()],
			workflows: [
				zohoUpsertWorkflow('hosts-sandbox', { id: 'sandbox', name: 'Zoho sandbox' }),
				zohoUpsertWorkflow('hosts-developer', { id: 'developer', name: 'Zoho developer' }),
				zohoUpsertWorkflow(
					'hosts-oauth',
					{ id: 'oauth-sandbox', name: 'Zoho OAuth2 sandbox' },
					{},
					{ credentialType: 'zohoCrmOAuth2Api' },
				),
			],
		});
		await Promise.all(['hosts-sandbox', 'hosts-developer', 'hosts-oauth'].map((p) => n8n.waitForWebhook(p)));
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	beforeEach(() => double.resetCounters());

	const contacts = (prefix: string, n: number) =>
		Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, last_name: `Person${i}` }));

	it('a refresh-token credential with a sandbox API URL upserts into the sandbox, and sends nothing to production', async () => {
		const sent = contacts('sandbox', 3);
		expect(await post(n8n, 'hosts-sandbox', { contacts: sent })).toBe(200);
		const [execution] = await n8n.waitForExecutions('hosts-sandbox', 1);
		expect(execution.status).toBe('success');
		expect(double.counters.refreshes).toBe(1);
		expect(double.records('Contacts', 'sandbox.us').map((r) => r.Email)).toEqual(sent.map((c) => c.email));
		expect(double.countersFor('sandbox.us')).toMatchObject({ upsertCalls: 1, recordsReceived: sent.length, unauthorized: 0 });
		expect(double.countersFor('us')).toEqual(NOTHING);
		expect(double.records('Contacts', 'us')).toHaveLength(0);
	});

	it('a refresh-token credential with a developer API URL upserts into the developer org only', async () => {
		const sent = contacts('developer', 2);
		expect(await post(n8n, 'hosts-developer', { contacts: sent })).toBe(200);
		const [execution] = await n8n.waitForExecutions('hosts-developer', 1);
		expect(execution.status).toBe('success');
		expect(double.records('Contacts', 'developer.us').map((r) => r.Email)).toEqual(sent.map((c) => c.email));
		expect(double.countersFor('us')).toEqual(NOTHING);
		expect(double.countersFor('sandbox.us').apiCalls).toBe(0);
	});

	it('an OAuth2 credential with a sandbox API URL upserts into the sandbox although n8n stored a production api_domain', async () => {
		const sent = contacts('oauth', 2);
		expect(await post(n8n, 'hosts-oauth', { contacts: sent })).toBe(200);
		const [execution] = await n8n.waitForExecutions('hosts-oauth', 1);
		expect(execution.status).toBe('success');
		expect(double.records('Contacts', 'sandbox.us').map((r) => r.Email)).toEqual(expect.arrayContaining(sent.map((c) => c.email)));
		expect(double.countersFor('sandbox.us')).toMatchObject({ upsertCalls: 1, recordsReceived: sent.length });
		expect(double.countersFor('us')).toEqual(NOTHING);
	});

	it("the refresh-token credential's Test button reads the current user on the sandbox host, not production", async () => {
		const { data } = await n8n.testCredential(refreshTokenCredential('sandbox', 'sandbox'));
		expect(data).toMatchObject({ status: 'OK' });
		expect(double.countersFor('sandbox.us').apiCalls).toBe(1);
		expect(double.countersFor('us')).toEqual(NOTHING);
	});

	it("the OAuth2 credential's Test button reads the current user on the sandbox host, not production", async () => {
		const { data } = await n8n.testCredential(oauthSandboxCredential());
		expect(data).toMatchObject({ status: 'OK' });
		expect(double.countersFor('sandbox.us').apiCalls).toBe(1);
		expect(double.countersFor('us')).toEqual(NOTHING);
	});
});
