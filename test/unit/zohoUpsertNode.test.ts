/**
 * Zoho CRM Upsert Contact version 1 run in-process on n8n's own ExecuteContext (test/unit/fakes/n8nContext.ts)
 * against the Zoho double, with Custom data-centre credentials pointing at it.
 */
import {
	NodeApiError,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import { ZohoCrmUpsertContact } from '../../nodes/ZohoCrmUpsertContact/ZohoCrmUpsertContact.node';
import { ZohoDouble, type ZohoRequestLogEntry } from '../doubles/zohoDouble';
import { InMemoryCredentialsHelper, runNode } from './fakes/n8nContext';
import { zohoDoubleCredentials } from './fakes/zohoDoubleCredentials';

const SHARED_REFRESH_TOKEN = '1000.node-refresh.shared-d4e5';
const CLIENT = { clientId: 'node-client', clientSecret: 'node-secret-9f8e7d', refreshTokens: ['1000.node-refresh.a1b2c3', SHARED_REFRESH_TOKEN] };

let double: ZohoDouble;
let credentials: Record<string, ICredentialDataDecryptedObject>;
const nodeType = new ZohoCrmUpsertContact();

function contact(i: number, extra: IDataObject = {}): INodeExecutionData {
	return { json: { email: `person${i}@example.test`, first_name: `First${i}`, last_name: `Last${i}`, ...extra } };
}

function contacts(count: number): INodeExecutionData[] {
	return Array.from({ length: count }, (_, i) => contact(i));
}

async function run(
	items: INodeExecutionData[],
	options: IDataObject = {},
	extra: { onError?: 'continueRegularOutput' | 'stopWorkflow'; parameters?: INodeParameters } = {},
): Promise<INodeExecutionData[]> {
	const [output] = await runNode({
		nodeType,
		typeVersion: 1,
		parameters: { authentication: 'refreshToken', module: 'Contacts', options: options as INodeParameters, ...extra.parameters },
		credentials,
		items,
		onError: extra.onError,
	});
	return output;
}

async function runError(items: INodeExecutionData[], options: IDataObject = {}): Promise<Error> {
	const error = await run(items, options).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(Error);
	return error as Error;
}

function upsertRequests(): ZohoRequestLogEntry[] {
	return double.requests.filter((request) => request.path.endsWith('/Contacts/upsert'));
}

function sentRecords(request: ZohoRequestLogEntry): IDataObject[] {
	return (request.body as { data: IDataObject[] }).data;
}

beforeAll(async () => {
	double = new ZohoDouble({ clients: [CLIENT] });
	await double.start();
	credentials = zohoDoubleCredentials(double, CLIENT);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.clearFaults();
	double.setLatency(0);
	double.resetCounters();
	double.requests.length = 0;
});

describe('Zoho CRM Upsert Contact', () => {
	it('upserts 250 items in 3 calls of at most 100 records, in item order', async () => {
		const items = contacts(250);
		const output = await run(items, { batchSize: 100 });
		expect(double.counters.upsertCalls).toBe(3);
		const batches = upsertRequests().map(sentRecords);
		expect(batches.map((records) => records.length).sort()).toEqual([100, 100, 50]);
		const sentEmails = batches.flat().map((record) => record.Email);
		expect(new Set(sentEmails).size).toBe(250);
		expect(output).toHaveLength(250);
		expect(output.every((item) => item.json.status === 'success')).toBe(true);
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
	});

	it('sends the records mapped from the input, the duplicate check on Email, and the Zoho token header', async () => {
		await run([contact(1, { phone: '+49 30 1234567' })]);
		const [request] = upsertRequests();
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/us/crm/v8/Contacts/upsert');
		expect(request.headers.authorization).toMatch(/^Zoho-oauthtoken 1000\./);
		expect(request.body).toEqual({
			data: [{ Email: 'person1@example.test', First_Name: 'First1', Last_Name: 'Last1', Phone: '+49 30 1234567' }],
			duplicate_check_fields: ['Email'],
		});
	});

	it('reports insert or update per item, with the record id and the field that matched', async () => {
		const [existing] = double.seedRecords('Contacts', [{ Email: 'known@example.test', Last_Name: 'Known' }]);
		const output = await run([
			{ json: { email: 'known@example.test', last_name: 'Known', first_name: 'Now' } },
			{ json: { email: 'new@example.test', last_name: 'New' } },
		]);
		expect(output[0].json).toMatchObject({ status: 'success', action: 'update', id: existing.id, duplicate_field: 'Email' });
		const inserted = double.records('Contacts').find((record) => record.Email === 'new@example.test');
		expect(output[1].json).toMatchObject({ status: 'success', action: 'insert', id: inserted?.id, duplicate_field: null });
		expect(double.records('Contacts').find((record) => record.id === existing.id)?.First_Name).toBe('Now');
	});

	it('leaves Zoho’s record details out of a written item unless Include Record Details is on', async () => {
		const [plain] = await run([contact(12)]);
		expect(Object.keys(plain.json).sort()).toEqual(['action', 'attempts', 'duplicate_field', 'id', 'message', 'status']);
		const [detailed] = await run([contact(13)], { includeRecordDetails: true });
		const stored = double.records('Contacts').find((record) => record.Email === 'person13@example.test');
		expect(detailed.json.details).toMatchObject({ id: stored?.id, Created_Time: expect.any(String), Created_By: expect.any(Object) });
	});

	it('pairs every output item with its input item', async () => {
		const output = await run([contact(10), { json: { email: 'x@example.test' } }, contact(11)], {}, { onError: 'continueRegularOutput' });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('fails only the record Zoho rejects (a phone with letters), with its code and field', async () => {
		const items = [contact(20), contact(21, { phone: 'call me maybe' }), contact(22)];
		const output = await run(items, {}, { onError: 'continueRegularOutput' });
		expect(output[0].json.status).toBe('success');
		expect(output[2].json.status).toBe('success');
		expect(output[1].json).toEqual({
			error: 'Zoho CRM answered INVALID_DATA: invalid data (field Phone)',
			message: 'Zoho rejected this record; the other records of its batch are unaffected.',
			details: {
				attempts: 1,
				code: 'INVALID_DATA',
				field: 'Phone',
				zoho: { api_name: 'Phone', expected_data_type: 'phone', json_path: '$.data[1].Phone' },
			},
		});
		expect(double.counters.upsertCalls).toBe(1);
	});

	it('fails only the record whose email matches two existing records (DUPLICATE_DATA)', async () => {
		double.seedRecords('Contacts', [
			{ Email: 'twice@example.test', Last_Name: 'One' },
			{ Email: 'twice@example.test', Last_Name: 'Two' },
		]);
		const output = await run([contact(30), { json: { email: 'twice@example.test', last_name: 'Three' } }], {}, { onError: 'continueRegularOutput' });
		expect(output[0].json.status).toBe('success');
		expect(output[1].json.error).toBe('Zoho CRM answered DUPLICATE_DATA: duplicate data (field Email)');
		expect(output[1].json.details).toMatchObject({ code: 'DUPLICATE_DATA', field: 'Email', zoho: { api_name: 'Email' } });
		const seededIds = double.records('Contacts').filter((r) => r.Email === 'twice@example.test').map((r) => r.id);
		const duplicate = ((output[1].json.details as IDataObject).zoho as IDataObject).duplicate_record as IDataObject;
		expect(seededIds).toContain(duplicate.id);
	});

	it('without Continue On Fail, throws the error of the first failing item with its index', async () => {
		const items = [contact(40), contact(41), contact(42, { phone: 'not a phone' }), contact(43), contact(44, { phone: 'nope' })];
		const error = await runError(items);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).context.itemIndex).toBe(2);
		expect(error.message).toBe('Zoho CRM answered INVALID_DATA: invalid data (field Phone)');
		expect((error as NodeApiError).description).toContain('3 of 5 items were written to Zoho CRM; 2 failed.');
	});

	it('fails an item without Last_Name before any call to Zoho', async () => {
		const output = await run([{ json: { email: 'nolast@example.test', first_name: 'Only' } }], {}, { onError: 'continueRegularOutput' });
		expect(output[0].json.error).toContain('Last_Name');
		expect(output[0].json.message).toBe('The item was not sent to Zoho.');
		expect(double.counters.apiCalls).toBe(0);
		expect(double.counters.tokenRequests).toBe(0);
	});

	it('without Continue On Fail, a missing Last_Name throws a NodeOperationError for that item and sends no item at all', async () => {
		const valid = { json: { email: 'stop-mode-valid@example.test', last_name: 'Valid' } };
		const error = await runError([valid, { json: { email: 'nolast2@example.test' } }]);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(1);
		expect(error.message).toContain('Last_Name');
		expect((error as NodeOperationError).description).toContain('Nothing was sent to Zoho CRM: 1 of 2 items cannot be sent.');
		expect(double.counters.upsertCalls).toBe(0);
		expect(double.records('Contacts').some((record) => record.Email === 'stop-mode-valid@example.test')).toBe(false);
	});

	it('sends the Last Name Fallback for an item without a last name', async () => {
		const output = await run([{ json: { email: 'fallback@example.test', first_name: 'Fallback' } }], { lastNameFallback: 'Unknown' });
		expect(output[0].json).toMatchObject({ status: 'success', action: 'insert' });
		expect(double.records('Contacts').find((record) => record.Email === 'fallback@example.test')?.Last_Name).toBe('Unknown');
	});

	it('renews expired tokens once for all batches and repeats the refused calls', async () => {
		await run([contact(60)]);
		double.expireAccessTokens();
		double.resetCounters();

		const output = await run(contacts(250), { batchSize: 100, concurrency: 4 });
		expect(output.every((item) => item.json.status === 'success')).toBe(true);
		expect(double.counters.refreshes).toBe(1);
		expect(double.counters.unauthorized).toBe(3);
		expect(double.counters.upsertCalls).toBe(3);
	});

	it('stores the token it mints with the credential, and another n8n process adopts it without a refresh', async () => {
		const helper = new InMemoryCredentialsHelper({
			zohoCrmRefreshTokenApi: { ...credentials.zohoCrmRefreshTokenApi, refreshToken: SHARED_REFRESH_TOKEN },
		});
		double.resetCounters();
		const before = Date.now();
		const [first] = await runNode({ nodeType, typeVersion: 1, parameters: { authentication: 'refreshToken', module: 'Contacts' }, credentialsHelper: helper, items: [contact(65)] });
		expect(first[0].json.status).toBe('success');
		expect(double.counters.refreshes).toBe(1);
		const stored = helper.stored.zohoCrmRefreshTokenApi;
		expect(stored.accessToken).toMatch(/\S/);
		expect(Number(stored.accessTokenExpiresAt)).toBeGreaterThanOrEqual(before + 3600_000);

		// A second process: the node module loaded afresh, with an empty token cache.
		let FreshNode: typeof ZohoCrmUpsertContact | undefined;
		jest.isolateModules(() => {
			FreshNode = (require('../../nodes/ZohoCrmUpsertContact/ZohoCrmUpsertContact.node') as { ZohoCrmUpsertContact: typeof ZohoCrmUpsertContact }).ZohoCrmUpsertContact;
		});
		const [second] = await runNode({ nodeType: new FreshNode!(), typeVersion: 1, parameters: { authentication: 'refreshToken', module: 'Contacts' }, credentialsHelper: helper, items: [contact(66)] });
		expect(second[0].json.status).toBe('success');
		expect(double.counters.refreshes).toBe(1);
		expect(helper.stored.zohoCrmRefreshTokenApi.accessToken).toBe(stored.accessToken);
	});

	it('retries a call Zoho answered with 429', async () => {
		double.injectFault({ kind: 'status', status: 429 });
		const output = await run([contact(70), contact(71)]);
		expect(output.map((item) => item.json.status)).toEqual(['success', 'success']);
		expect(double.counters.rateLimited).toBe(1);
		expect(double.counters.upsertCalls).toBe(1);
	});

	it.each([1, 2, 3])('keeps calls in flight at or below Concurrent Calls = %i', async (concurrency) => {
		double.setLatency(20);
		const output = await run(contacts(60), { batchSize: 10, concurrency });
		expect(output).toHaveLength(60);
		expect(double.counters.upsertCalls).toBe(6);
		expect(double.counters.maxConcurrentSeen).toBeLessThanOrEqual(concurrency);
		expect(double.counters.rateLimited).toBe(0);
	});

	it('fails every item with Zoho’s advice when the refresh token is refused', async () => {
		const [output] = await runNode({
			nodeType,
			typeVersion: 1,
			parameters: { authentication: 'refreshToken', module: 'Contacts' },
			credentials: { zohoCrmRefreshTokenApi: { ...credentials.zohoCrmRefreshTokenApi, refreshToken: '1000.revoked.zz' } },
			items: [contact(80), contact(81)],
			onError: 'continueRegularOutput',
		});
		for (const [index, item] of output.entries()) {
			expect(item.json.error).toBe('Zoho refused the refresh token (invalid_code)');
			expect(item.json.message).toContain('Generate a new one');
			expect(item.pairedItem).toEqual({ item: index });
		}
		expect(double.counters.upsertCalls).toBe(0);
	});

	it('fails an item with no value in any duplicate-check field before any call, and sends the others', async () => {
		const output = await run([contact(110), { json: { last_name: 'Keyless', phone: '+49 30 111' } }], {}, { onError: 'continueRegularOutput' });
		expect(output[0].json.status).toBe('success');
		expect(output[1].json.error).toBe('Item 1: no value for the duplicate-check field Email');
		expect(output[1].json.message).toContain('Zoho inserts a new record every time');
		expect(upsertRequests().map(sentRecords).flat().map((record) => record.Last_Name)).toEqual(['Last110']);
	});

	it('accepts an item keyed on any of several duplicate-check fields', async () => {
		const output = await run(
			[{ json: { last_name: 'PhoneOnly', phone: '+49 30 222' } }],
			{},
			{ onError: 'continueRegularOutput', parameters: { duplicateCheckFields: 'Email, Phone' } },
		);
		expect(output[0].json.status).toBe('success');
	});

	it('resends a batch whose every record has an email after Zoho answered 500, and says so in attempts', async () => {
		double.injectFault({ kind: 'status', status: 500, times: 1 });
		const output = await run([contact(120), contact(121)], {}, { onError: 'continueRegularOutput' });
		expect(output.map((item) => [item.json.status, item.json.attempts])).toEqual([
			['success', 2],
			['success', 2],
		]);
		expect(upsertRequests()).toHaveLength(2);
	});

	it('does not resend a batch with a keyless record after a 500, and fails its items as maybe applied', async () => {
		double.injectFault({ kind: 'status', status: 500, times: 1 });
		const output = await run(
			[contact(130), { json: { last_name: 'NoKey130' } }],
			{ requireDuplicateCheckValue: false },
			{ onError: 'continueRegularOutput' },
		);
		expect(upsertRequests()).toHaveLength(1);
		for (const item of output) {
			expect(item.json.error).toContain('the call may or may not have been applied, so it was not sent again');
			expect(item.json.details).toMatchObject({ httpStatus: 500, attempts: 1, mayHaveBeenApplied: true });
		}
	});

	it('converts dates in the workflow’s time zone when the node sets none', async () => {
		const [output] = await runNode({
			nodeType,
			typeVersion: 1,
			parameters: { authentication: 'refreshToken', module: 'Contacts', contactFields: { Date_of_Birth: '2024-03-08T02:00:00Z' } },
			credentials,
			items: [contact(140)],
			onError: 'continueRegularOutput',
			workflowSettings: { timezone: 'America/New_York' },
		});
		expect(output[0].json.status).toBe('success');
		expect(sentRecords(upsertRequests()[0])[0].Date_of_Birth).toBe('2024-03-07');
	});

	it('puts no secret of the credential in any output or error', async () => {
		const output = await run([contact(90, { phone: 'letters' }), { json: { email: 'x' } }], {}, { onError: 'continueRegularOutput' });
		const thrown = await runError([contact(91, { phone: 'letters' })]);
		const text = JSON.stringify([output, thrown, thrown.message, (thrown as NodeApiError).description, (thrown as NodeApiError).errorResponse]);
		const stored = credentials.zohoCrmRefreshTokenApi;
		for (const secret of [stored.clientSecret, stored.refreshToken]) expect(text).not.toContain(secret as string);
		// No access token either (the double mints 1000.<hex32>.<hex32>).
		expect(text).not.toMatch(/1000\.[0-9a-f]{32}\.[0-9a-f]{32}/);
	});
});

describe('Zoho CRM Upsert Contact with the OAuth2 credential', () => {
	function oauthCredentials(accessToken: string): Record<string, ICredentialDataDecryptedObject> {
		return {
			zohoCrmOAuth2Api: {
				dataCenter: 'custom',
				accountsUrl: double.accountsUrl('us'),
				apiUrl: double.apiUrl('us'),
				clientId: CLIENT.clientId,
				clientSecret: CLIENT.clientSecret,
				oauthTokenData: {
					access_token: accessToken,
					refresh_token: CLIENT.refreshTokens[0],
					api_domain: double.apiUrl('us'),
					token_type: 'Bearer',
					expires_in: 3600,
				},
			},
		};
	}

	it('sends the token of the connected account in the Authorization header, never in the URL', async () => {
		const accessToken = double.mintAccessToken('us', CLIENT.refreshTokens[0]);
		await runNode({
			nodeType,
			typeVersion: 1,
			parameters: { authentication: 'oAuth2', module: 'Contacts' },
			credentials: oauthCredentials(accessToken),
			items: [contact(100)],
			onError: 'continueRegularOutput',
		});
		const [request] = upsertRequests();
		expect(request.path).toBe('/api/us/crm/v8/Contacts/upsert');
		expect(request.headers.authorization).toBe(`Bearer ${accessToken}`);
	});

	it('lets n8n refresh a refused OAuth2 token once, store it, and repeat the call with it', async () => {
		const stale = double.mintAccessToken('us', CLIENT.refreshTokens[0]);
		double.expireAccessTokens();
		const credentialsHelper = new InMemoryCredentialsHelper(oauthCredentials(stale));
		await runNode({
			nodeType,
			typeVersion: 1,
			parameters: { authentication: 'oAuth2', module: 'Contacts' },
			credentialsHelper,
			items: [contact(101)],
			onError: 'continueRegularOutput',
		});
		expect(double.counters.refreshes).toBe(1);
		expect(credentialsHelper.oauthTokenUpdates.zohoCrmOAuth2Api).toBe(1);
		const renewed = (credentialsHelper.stored.zohoCrmOAuth2Api.oauthTokenData as IDataObject).access_token as string;
		expect(renewed).not.toBe(stale);
		expect(upsertRequests().map((request) => request.headers.authorization)).toEqual([`Bearer ${stale}`, `Bearer ${renewed}`]);
	});

	it('reports Zoho’s own code when the call is still refused after the refresh', async () => {
		double.injectFault({ kind: 'status', status: 401, times: 2, body: { code: 'OAUTH_SCOPE_MISMATCH', message: 'invalid oauth scope to access this URL', details: {}, status: 'error' } });
		const [output] = await runNode({
			nodeType,
			typeVersion: 1,
			parameters: { authentication: 'oAuth2', module: 'Contacts' },
			credentials: oauthCredentials(double.mintAccessToken('us', CLIENT.refreshTokens[0])),
			items: [contact(102)],
			onError: 'continueRegularOutput',
		});
		expect(output[0].json.error).toBe('Zoho CRM answered 401 OAUTH_SCOPE_MISMATCH: invalid oauth scope to access this URL');
		expect(output[0].json.message).toContain('regenerate it with ZohoCRM.modules.ALL');
		expect(double.counters.refreshes).toBe(1);
	});
});
