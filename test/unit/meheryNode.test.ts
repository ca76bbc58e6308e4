/**
 * MeherY Profile Update run in-process on n8n's own ExecuteContext (test/unit/fakes/n8nContext.ts)
 * against the MeherY double.
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { MeheryApi } from '../../credentials/MeheryApi.credentials';
import { MeheryProfileUpdate } from '../../nodes/MeheryProfileUpdate/MeheryProfileUpdate.node';
import { MeheryDouble } from '../doubles/meheryDouble';
import { CREDENTIAL_TYPES, InMemoryCredentialsHelper, runNode } from './fakes/n8nContext';

const API_KEY = 'mh-unit-key-7f3e9a21';
const nodeType = new MeheryProfileUpdate();
const double = new MeheryDouble({
	tenants: [{ code: 'acme', apiKey: API_KEY, customCodes: ['loyaltyTier'], dateCodes: ['dateOfBirth'] }],
	maxConcurrentCalls: 3,
});

function credentials(data: Record<string, unknown> = {}): Record<string, ICredentialDataDecryptedObject> {
	return { meheryApi: { baseUrl: double.baseUrl, tenant: 'acme', apiKey: API_KEY, apiPath: 'xms', ...data } };
}

const CUSTOM_CODES = { code: [{ code: 'dateOfBirth', kind: 'date' }, { code: 'loyaltyTier', kind: 'text' }] };

async function run(
	items: INodeExecutionData[],
	parameters: INodeParameters = {},
	extra: { onError?: 'continueRegularOutput' | 'stopWorkflow'; credentialData?: Record<string, unknown> } = {},
): Promise<INodeExecutionData[]> {
	const stored = credentials(extra.credentialData);
	const [output] = await runNode({
		nodeType,
		parameters: { inputFields: 'codes', customCodes: CUSTOM_CODES, ...parameters },
		credentials: stored,
		credentialsHelper: new InMemoryCredentialsHelper(stored, { ...CREDENTIAL_TYPES, meheryApi: new MeheryApi() }),
		items,
		onError: extra.onError ?? 'continueRegularOutput',
	});
	return output;
}

const profile = (i: number) => ({ json: { firstName: `First${i}`, email1: `person${i}@example.test`, dateOfBirth: '1990-03-07' } });

beforeAll(async () => {
	await double.start();
});
afterAll(async () => {
	await double.stop();
});
beforeEach(() => {
	double.resetCounters();
	double.clearFaults();
	double.clearProfiles();
});

describe('MeherY Profile Update', () => {
	it('updates one profile per item, form-data by default, dates as MM-DD-YY', async () => {
		const output = await run([profile(1), profile(2)]);
		expect(output.map((item) => item.json.status)).toEqual(['success', 'success']);
		expect(double.requests.every((request) => request.contentType.startsWith('multipart/form-data'))).toBe(true);
		expect(double.profileBy('acme', 'email1', 'person2@example.test')).toMatchObject({ firstName: 'First2', dateOfBirth: '03-07-90' });
	});

	it('pairs every output item with its input item', async () => {
		const output = await run([profile(1), { json: { firstName: 'NoKey' } }, profile(3)]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('sends a JSON body when chosen', async () => {
		await run([profile(1)], { bodyType: 'json' });
		expect(double.requests[0].contentType).toBe('application/json');
		expect(double.requests[0].params).toEqual({ firstName: 'First1', email1: 'person1@example.test', dateOfBirth: '03-07-90' });
	});

	it('sends a URL-encoded body when chosen', async () => {
		await run([profile(1)], { bodyType: 'urlEncoded' });
		expect(double.requests[0].contentType).toBe('application/x-www-form-urlencoded');
		expect(double.profileBy('acme', 'email1', 'person1@example.test')?.firstName).toBe('First1');
	});

	it('refuses an undeclared code before any call, naming the closest code', async () => {
		const output = await run([{ json: { email1: 'a@b.test', firstname: 'Ada' } }]);
		expect(double.counters.requests).toBe(0);
		expect(output[0].json.error).toBe('`firstname` is not a MeherY field code — did you mean `firstName`?');
	});

	it('sends nothing at all on Stop Workflow when one item cannot be sent', async () => {
		const error = await run([profile(1), { json: { firstName: 'NoKey' } }], {}, { onError: 'stopWorkflow' }).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/^no unique key/);
		expect(double.counters.requests).toBe(0);
	});

	it('fails an item answered 200 with errors[], with MeherY’s field, code and description', async () => {
		double.injectFault({ status: 200, errors: [{ field: 'email1', code: 'BLOCKED_EMAIL', description: 'This email is blocked' }] });
		const [item] = await run([profile(1)]);
		expect(item.json.error).toBe('MeherY answered 200 BLOCKED_EMAIL: field email1 — This email is blocked');
		expect(item.json.details).toMatchObject({ field: 'email1', code: 'BLOCKED_EMAIL', description: 'This email is blocked', httpStatus: 200 });
	});

	it('keeps warnings[] on the success item', async () => {
		double.injectFault({ status: 200, apply: true, warnings: [{ field: 'altPhone1', code: 'DUPLICATE_PHONE', description: 'Already on another profile' }] });
		const [item] = await run([profile(1)]);
		expect(item.json.status).toBe('success');
		expect(item.json.warnings).toEqual([{ field: 'altPhone1', code: 'DUPLICATE_PHONE', description: 'Already on another profile' }]);
	});

	it('fails the item with a 401 cause when the key is wrong, without the key', async () => {
		const [item] = await run([profile(1)], {}, { credentialData: { apiKey: 'wrong-key-123456' } });
		expect(item.json.details).toMatchObject({ httpStatus: 401 });
		expect(String(item.json.error)).toMatch(/^MeherY answered 401/);
		expect(JSON.stringify(item.json)).not.toContain('wrong-key-123456');
	});

	it('fails with a 404 cause for an unknown tenant', async () => {
		const [item] = await run([profile(1)], {}, { credentialData: { tenant: 'nobody' } });
		expect(item.json.details).toMatchObject({ httpStatus: 404, code: 'TENANT_NOT_FOUND' });
	});

	it('previews the exact request per item and sends nothing', async () => {
		const [item] = await run([profile(1)], { previewOnly: true, bodyType: 'json' });
		expect(double.counters.requests).toBe(0);
		expect(item.json).toMatchObject({
			method: 'POST',
			url: `${double.baseUrl}/xms/data/api/v1/profile/update?tnt=acme`,
			headers: { 'x-api-key': '[redacted]', 'content-type': 'application/json' },
			body: '{"firstName":"First1","email1":"person1@example.test","dateOfBirth":"03-07-90"}',
		});
		expect(JSON.stringify(item.json)).not.toContain(API_KEY);
	});

	it('keeps at most Concurrent Calls updates in flight', async () => {
		double.setLatency(20);
		const items = Array.from({ length: 12 }, (_, i) => profile(i));
		const output = await run(items, { options: { concurrency: 3 } });
		double.setLatency(0);
		expect(output.filter((item) => item.json.status === 'success')).toHaveLength(items.length);
		expect(double.counters.rateLimited).toBe(0);
		expect(double.counters.maxConcurrentSeen).toBeLessThanOrEqual(3);
	});

	it('retries a 429 and then succeeds', async () => {
		double.injectFault({ status: 429, errors: [{ field: null, code: 'TOO_MANY_REQUESTS', description: 'slow down' }], headers: { 'retry-after': '0' } });
		const [item] = await run([profile(1)]);
		expect(item.json.status).toBe('success');
		expect(double.counters.requests).toBe(2);
	});

	it('refuses a malformed custom code declaration before any call', async () => {
		const error = await run([profile(1)], { customCodes: { code: [{ code: 'email1', kind: 'email' }] } }).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/^Custom Codes: `email1` is a standard MeherY code/);
		expect(double.counters.requests).toBe(0);
	});
});
