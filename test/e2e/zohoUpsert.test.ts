/**
 * Zoho CRM Upsert Contact in a real n8n, against the Zoho double: batches,
 * per-record outcomes, one shared token refresh, data-centre hosts, and the
 * credentials' Test buttons.
 */
import { startN8n, type CredentialFile, type N8nProcess } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import { failedItemDetails, zohoDoubleCredential, zohoUpsertWorkflow } from './fixtures/workflows';

const CLIENT = { clientId: 'n8n-client', clientSecret: 'n8n-client-secret-value' };

function zohoCredential(id: string, double: ZohoDouble, data: Record<string, unknown> = {}): CredentialFile {
	return zohoDoubleCredential(id, double, CLIENT, { region: 'eu', data });
}

/** An OAuth2 credential as n8n stores it after the connect flow (tokens from the double). */
function oauthCredential(double: ZohoDouble): CredentialFile {
	return {
		id: 'oauth',
		name: 'Zoho OAuth2',
		type: 'zohoCrmOAuth2Api',
		data: {
			dataCenter: 'custom',
			accountsUrl: double.accountsUrl('eu'),
			apiUrl: double.apiUrl('eu'),
			...CLIENT,
			oauthTokenData: {
				access_token: double.mintAccessToken('eu', 'refresh-oauth'),
				refresh_token: 'refresh-oauth',
				api_domain: double.apiUrl('eu'),
				token_type: 'Bearer',
				expires_in: 3600,
			},
		},
	};
}

function zohoCode(item: Record<string, unknown>): unknown {
	return failedItemDetails(item)?.code;
}

/** Version 2's Map Fields as the editor stores it: Define Below, matched on Email, with the fields it loaded. */
const MAP_FIELDS_DEFINED_BELOW = {
	mappingMode: 'defineBelow',
	value: {
		Email: '={{ $json.email }}',
		Last_Name: '={{ $json.surname }}',
		Date_of_Birth: '={{ $json.born }}',
		Customer_Tier: '={{ $json.tier }}',
		Newsletter_Opt_In: '={{ $json.newsletter }}',
	},
	matchingColumns: ['Email'],
	schema: [
		{ id: 'Email', displayName: 'Email', required: false, defaultMatch: true, canBeUsedToMatch: true, display: true, type: 'string' },
		{ id: 'Last_Name', displayName: 'Last Name', required: true, defaultMatch: false, canBeUsedToMatch: true, display: true, type: 'string' },
		{ id: 'Date_of_Birth', displayName: 'Date of Birth', required: false, defaultMatch: false, canBeUsedToMatch: false, display: true, type: 'dateTime' },
		{
			id: 'Customer_Tier',
			displayName: 'Customer Tier',
			required: false,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: 'options',
			options: ['Bronze', 'Silver', 'Gold', 'Platinum'].map((tier) => ({ name: tier, value: tier })),
		},
		{ id: 'Newsletter_Opt_In', displayName: 'Newsletter Opt In', required: false, defaultMatch: false, canBeUsedToMatch: false, display: true, type: 'boolean' },
	],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
};

async function post(n8n: N8nProcess, path: string, body: unknown): Promise<number> {
	const response = await fetch(n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	await response.arrayBuffer();
	return response.status;
}

describe('Zoho CRM Upsert Contact in a real n8n', () => {
	const double = new ZohoDouble({
		clients: [
			{
				...CLIENT,
				refreshTokens: [
					'refresh-bulk',
					'refresh-burst',
					'refresh-test-ok',
					'refresh-revoked',
					'refresh-stop',
					'refresh-regular',
					'refresh-oauth',
					'refresh-map-fields',
				],
			},
		],
		maxConcurrentCalls: 5,
	});
	let n8n: N8nProcess;

	beforeAll(async () => {
		await double.start();
		double.revokeRefreshToken('refresh-revoked');
		const credentials = [
			zohoCredential('bulk', double),
			zohoCredential('burst', double),
			zohoCredential('test-ok', double),
			zohoCredential('bad-secret', double, { clientSecret: 'not-the-secret', refreshToken: 'refresh-test-ok' }),
			zohoCredential('revoked', double),
			zohoCredential('stop', double),
			zohoCredential('regular', double),
			oauthCredential(double),
			zohoCredential('map-fields', double),
		];
		n8n = await startN8n({
			name: 'zoho',
			credentials,
			workflows: [
				zohoUpsertWorkflow('zoho-bulk', { id: 'bulk', name: 'Zoho bulk' }, { options: { concurrency: 3 } }),
				zohoUpsertWorkflow('zoho-burst', { id: 'burst', name: 'Zoho burst' }),
				zohoUpsertWorkflow('zoho-stop', { id: 'stop', name: 'Zoho stop' }, {}, { onError: 'stopWorkflow' }),
				zohoUpsertWorkflow('zoho-regular', { id: 'regular', name: 'Zoho regular' }, {}, { onError: 'continueRegularOutput' }),
				zohoUpsertWorkflow('zoho-oauth', { id: 'oauth', name: 'Zoho OAuth2' }, {}, { credentialType: 'zohoCrmOAuth2Api' }),
				zohoUpsertWorkflow('zoho-map-fields', { id: 'map-fields', name: 'Zoho map-fields' }, { columns: MAP_FIELDS_DEFINED_BELOW }, { typeVersion: 2 }),
			],
		});
		await Promise.all(
			['zoho-bulk', 'zoho-burst', 'zoho-stop', 'zoho-regular', 'zoho-oauth', 'zoho-map-fields'].map((p) => n8n.waitForWebhook(p)),
		);
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	describe('a run of 300 contacts, new, existing and invalid', () => {
		let success: Array<Record<string, unknown>>;
		let failed: Array<Record<string, unknown>>;
		let contacts: Array<Record<string, unknown>>;

		beforeAll(async () => {
			double.seedRecords(
				'Contacts',
				Array.from({ length: 40 }, (_, i) => ({ Email: `existing${i}@example.com`, Last_Name: `Old${i}` })),
				'eu',
			);
			contacts = Array.from({ length: 300 }, (_, i) => {
				if (i < 40) return { email: `EXISTING${i}@Example.com`, first_name: 'Known', last_name: `Updated${i}` };
				if (i % 50 === 7) return { email: `nolast${i}@example.com`, first_name: 'No' };
				if (i % 50 === 9) return { email: `badphone${i}@example.com`, last_name: 'Phone', phone: 'call me maybe' };
				return { email: `new${i}@example.com`, given_name: `New${i}`, family_name: `Person${i}`, company: 'Acme' };
			});
			double.resetCounters();
			expect(await post(n8n, 'zoho-bulk', { contacts })).toBe(200);
			const [execution] = await n8n.waitForExecutions('zoho-bulk', 1);
			[success, failed] = await n8n.nodeOutput(execution.id, 'Zoho CRM Upsert Contact');
		});

		it('sends the valid records in calls of at most 100', () => {
			const validCount = contacts.length - failed.length + failed.filter((f) => zohoCode(f) === 'INVALID_DATA').length;
			expect(double.counters.upsertCalls).toBe(Math.ceil(validCount / 100));
			expect(double.counters.recordsReceived).toBe(validCount);
		});

		it('reports every input item once, either upserted or failed', () => {
			expect(success.length + failed.length).toBe(300);
		});

		it('reports existing contacts as updated, matched on Email regardless of case', () => {
			const updates = success.filter((item) => item.action === 'update');
			expect(updates).toHaveLength(40);
			expect(updates.every((item) => item.duplicate_field === 'Email')).toBe(true);
			const stored = double.records('Contacts', 'eu').find((r) => r.Email === 'existing3@example.com');
			expect(stored?.Last_Name).toBe('Updated3');
			expect(stored?.First_Name).toBe('Known');
		});

		it('reports new contacts as inserted with the id Zoho gave them', () => {
			const inserts = success.filter((item) => item.action === 'insert');
			const storedIds = new Set(double.records('Contacts', 'eu').map((r) => r.id));
			expect(inserts.length).toBeGreaterThan(200);
			for (const item of inserts) expect(storedIds.has(item.id as string)).toBe(true);
			const ada = double.records('Contacts', 'eu').find((r) => r.Email === 'new41@example.com');
			expect(ada).toMatchObject({ First_Name: 'New41', Last_Name: 'Person41', Account_Name: { name: 'Acme' } });
		});

		it('fails a contact without a last name before any call, naming the field', () => {
			const noLast = failed.filter((item) => String(item.email ?? '').startsWith('nolast'));
			expect(noLast).toHaveLength(5);
			for (const item of noLast) expect(String(item.error)).toContain('Last_Name');
			expect(double.records('Contacts', 'eu').some((r) => String(r.Email).startsWith('nolast'))).toBe(false);
		});

		it('fails only the record Zoho rejects, with Zoho’s code and field', () => {
			const rejected = failed.filter((item) => zohoCode(item) === 'INVALID_DATA');
			expect(rejected).toHaveLength(5);
			for (const item of rejected) {
				expect(failedItemDetails(item)?.field).toBe('Phone');
				expect(String(item.error)).toContain('INVALID_DATA');
				expect(String(item.email)).toMatch(/^badphone/);
			}
		});

		it('keeps the input fields on failed items, so the error output says which contact failed', () => {
			for (const item of failed) expect(item.email).toBeDefined();
		});
	});

	it('refreshes the access token exactly once for 20 executions started at once', async () => {
		double.resetCounters();
		const statuses = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				post(n8n, 'zoho-burst', { contacts: [{ email: `burst${i}@example.com`, last_name: `Burst${i}` }] }),
			),
		);
		expect(statuses.every((s) => s === 200)).toBe(true);
		const executions = await n8n.waitForExecutions('zoho-burst', 20);
		expect(executions.every((e) => e.status === 'success')).toBe(true);
		expect(double.counters.refreshes).toBe(1);
		expect(double.counters.upsertCalls).toBe(20);
	});

	describe('the refresh-token credential’s Test button', () => {
		it('passes for a working client and refresh token', async () => {
			const credential = zohoCredential('test-ok', double);
			const { data } = await n8n.testCredential(credential);
			expect(data).toMatchObject({ status: 'OK' });
		});

		it('fails with Zoho’s invalid_client and advice for a wrong client secret', async () => {
			const credential = zohoCredential('bad-secret', double, { clientSecret: 'not-the-secret', refreshToken: 'refresh-test-ok' });
			const { data } = await n8n.testCredential(credential);
			expect(data.status).toBe('Error');
			expect(data.message).toContain('invalid_client');
			expect(data.message).not.toContain('not-the-secret');
		});

		it('fails with Zoho’s invalid_code for a revoked refresh token', async () => {
			const credential = zohoCredential('revoked', double);
			const { data } = await n8n.testCredential(credential);
			expect(data.status).toBe('Error');
			expect(data.message).toContain('invalid_code');
		});
	});

	describe('n8n’s On Error settings', () => {
		const contacts = (prefix: string) => [
			{ email: `${prefix}-first-ok@example.com`, last_name: 'Ok' },
			{ email: `${prefix}-bad-phone@example.com`, last_name: 'Bad', phone: 'not a phone' },
			{ email: `${prefix}-third-ok@example.com`, last_name: 'Ok' },
		];

		it('Stop Workflow: the execution fails naming Zoho’s code, and the valid records are still upserted', async () => {
			expect(await post(n8n, 'zoho-stop', { contacts: contacts('stop') })).toBe(200);
			const [execution] = await n8n.waitForExecutions('zoho-stop', 1);
			expect(execution.status).toBe('error');
			const data = await n8n.executionData(execution.id);
			expect(data.resultData.error?.message).toContain('INVALID_DATA');
			const stored = double.records('Contacts', 'eu').map((r) => r.Email);
			expect(stored).toEqual(expect.arrayContaining(['stop-first-ok@example.com', 'stop-third-ok@example.com']));
		});

		it('Continue: one output item per input, the rejected one carrying the error', async () => {
			expect(await post(n8n, 'zoho-regular', { contacts: contacts('regular') })).toBe(200);
			const [execution] = await n8n.waitForExecutions('zoho-regular', 1);
			expect(execution.status).toBe('success');
			const [items] = await n8n.nodeOutput(execution.id, 'Zoho CRM Upsert Contact');
			expect(items).toHaveLength(3);
			expect(items[0]).toMatchObject({ status: 'success', action: 'insert' });
			expect(String(items[1].error)).toContain('INVALID_DATA');
			expect(items[2]).toMatchObject({ status: 'success' });
		});
	});

	describe('the OAuth2 credential', () => {
		it('upserts with the token n8n keeps, on the token’s api_domain', async () => {
			expect(await post(n8n, 'zoho-oauth', { contacts: [{ email: 'oauth@example.com', last_name: 'OAuth' }] })).toBe(200);
			const [execution] = await n8n.waitForExecutions('zoho-oauth', 1);
			expect(execution.status).toBe('success');
			expect(double.records('Contacts', 'eu').some((r) => r.Email === 'oauth@example.com')).toBe(true);
		});

		it('passes its Test button with a working token', async () => {
			const { data } = await n8n.testCredential(oauthCredential(double));
			expect(data).toMatchObject({ status: 'OK' });
		});
	});

	it('lists the module’s writable fields, custom ones included, for the Other Fields dropdown', async () => {
		const { status, data } = await n8n.rest<Array<{ name: string; value: string }>>('POST', '/dynamic-node-parameters/options', {
			nodeTypeAndVersion: { name: 'n8n-nodes-contact-sync.zohoCrmUpsertContact', version: 1 },
			path: 'otherFields.field.name',
			methodName: 'getModuleFields',
			currentNodeParameters: { authentication: 'refreshToken', module: 'Leads' },
			credentials: { zohoCrmRefreshTokenApi: { id: 'test-ok', name: 'Zoho test-ok' } },
		});
		expect(status).toBe(200);
		const values = data.map((option) => option.value);
		expect(values).toEqual(expect.arrayContaining(['Last_Name', 'Company', 'Email']));
		expect(values.some((value) => value.startsWith('Customer_Tier') || value.startsWith('Newsletter'))).toBe(true);
	});

	describe('version 2, Map Fields', () => {
		it('answers the editor’s resource-mapper request with the org’s typed fields: Last_Name required, custom fields in, read-only ones out', async () => {
			const { status, data } = await n8n.rest<{ fields: Array<{ id: string; type: string; required: boolean }> }>(
				'POST',
				'/dynamic-node-parameters/resource-mapper-fields',
				{
					nodeTypeAndVersion: { name: 'n8n-nodes-contact-sync.zohoCrmUpsertContact', version: 2 },
					path: 'columns',
					methodName: 'getMappingFields',
					currentNodeParameters: { authentication: 'refreshToken', module: 'Contacts' },
					credentials: { zohoCrmRefreshTokenApi: { id: 'test-ok', name: 'Zoho test-ok' } },
				},
			);
			expect(status).toBe(200);
			const byId = new Map(data.fields.map((field) => [field.id, field]));
			expect(byId.get('Last_Name')).toMatchObject({ type: 'string', required: true });
			expect(byId.get('Customer_Tier')).toMatchObject({ type: 'options', required: false });
			expect(byId.get('Newsletter_Opt_In')).toMatchObject({ type: 'boolean' });
			expect(byId.get('Date_of_Birth')).toMatchObject({ type: 'dateTime' });
			expect(byId.has('Created_Time')).toBe(false);
		});

		describe('Define Below, run in n8n', () => {
			let success: Array<Record<string, unknown>>;
			let failed: Array<Record<string, unknown>>;

			beforeAll(async () => {
				const contacts = [
					{ email: 'Mapped.One@Example.com', surname: 'One', born: '1990-05-17', tier: 'Gold', newsletter: true },
					{ email: 'mapped.two@example.com', surname: 'Two', born: '03/04/1990', tier: 'Silver', newsletter: false },
				];
				expect(await post(n8n, 'zoho-map-fields', { contacts })).toBe(200);
				const [execution] = await n8n.waitForExecutions('zoho-map-fields', 1);
				[success, failed] = await n8n.nodeOutput(execution.id, 'Zoho CRM Upsert Contact');
			});

			it('writes each mapped field as Zoho stores it, the custom picklist and flag included', () => {
				expect(success).toEqual([expect.objectContaining({ status: 'success', action: 'insert' })]);
				const stored = double.records('Contacts', 'eu').find((record) => record.Email === 'mapped.one@example.com');
				expect(stored).toMatchObject({ Last_Name: 'One', Date_of_Birth: '1990-05-17', Customer_Tier: 'Gold', Newsletter_Opt_In: true });
			});

			it('fails the item with an ambiguous date before any call, naming the field, where n8n would have picked a reading', () => {
				expect(failed).toHaveLength(1);
				expect(failed[0].email).toBe('mapped.two@example.com');
				expect(String(failed[0].error)).toContain('field "Date_of_Birth" has an invalid date');
				expect(double.records('Contacts', 'eu').some((record) => record.Email === 'mapped.two@example.com')).toBe(false);
			});
		});
	});
});
