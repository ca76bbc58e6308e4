/**
 * MeherY Profile Update run in-process on n8n's own ExecuteContext (test/unit/fakes/n8nContext.ts)
 * against the MeherY double, on loopback over plain http: every credential here allows both, and
 * the refusals themselves are specified with those options off.
 */
import { CredentialTestContext, DataDeduplicationService } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	INodeExecutionData,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { MeheryApi } from '../../credentials/MeheryApi.credentials';
import { MeheryProfileUpdate } from '../../nodes/MeheryProfileUpdate/MeheryProfileUpdate.node';
import { MeheryDouble } from '../doubles/meheryDouble';
import { OTHER_HOST_PAGE, OtherHost } from '../doubles/otherHost';
import { MemoryDeduplicator } from './fakes/deduplicator';
import { CREDENTIAL_TYPES, InMemoryCredentialsHelper, runNode } from './fakes/n8nContext';

const API_KEY = 'mh-unit-key-7f3e9a21';
const nodeType = new MeheryProfileUpdate();
const double = new MeheryDouble({
	tenants: [{ code: 'acme', apiKey: API_KEY, customCodes: ['loyaltyTier'], dateCodes: ['dateOfBirth'] }],
	maxConcurrentCalls: 3,
});

function credentials(data: Record<string, unknown> = {}): Record<string, ICredentialDataDecryptedObject> {
	return {
		meheryApi: { baseUrl: double.baseUrl, tenant: 'acme', apiKey: API_KEY, apiPath: 'xms', allowPrivateNetwork: true, allowPlainHttp: true, ...data },
	};
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

describe('MeherY Profile Update with a Delivery Key', () => {
	// n8n's deduplication store, shared by the runs of one spec as n8n's database is by its processes.
	const store = new MemoryDeduplicator();
	beforeAll(async () => await DataDeduplicationService.init(store));
	beforeEach(() => store.rows.clear());

	const KEYED = { ignoreKeys: 'deliveryKey', options: { deliveryKey: '={{ $json.deliveryKey }}' } };
	/** A changed contact as the Zoho CRM Trigger keys it: record id, Modified_Time and a content hash. */
	const change = (i: number, deliveryKey: string | undefined = `Contacts:57257670000000000${i}@2026-12-05T08:35:00.000Z#${'ab'.repeat(16)}`) => ({
		json: { firstName: `First${i}`, email1: `person${i}@example.test`, ...(deliveryKey === undefined ? {} : { deliveryKey }) },
	});
	const sentEmails = () => double.requests.map((request) => request.params.email1);

	it('sends nothing for an item whose key an earlier run wrote, and says so in its output', async () => {
		await run([change(1), change(2)], KEYED);
		double.resetCounters();

		const output = await run([change(1), change(3)], KEYED);
		expect(sentEmails()).toEqual(['person3@example.test']);
		expect(output[0].json).toEqual({
			status: 'skipped',
			reason: 'An earlier run already wrote this delivery; nothing was sent.',
			deliveryKey: change(1).json.deliveryKey,
		});
		expect(output[1].json).toMatchObject({ status: 'success', sent: { firstName: 'First3', email1: 'person3@example.test' } });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('remembers a key only once MeherY accepted the item: an update MeherY refused is sent again on the next delivery', async () => {
		double.injectFault({ status: 200, errors: [{ field: 'email1', code: 'BLOCKED_EMAIL', description: 'This email is blocked' }] });
		const [refused] = await run([change(4)], KEYED);
		expect(refused.json.error).toBe('MeherY answered 200 BLOCKED_EMAIL: field email1 — This email is blocked');

		const [retried] = await run([change(4)], KEYED);
		expect(retried.json.status).toBe('success');
		expect(sentEmails()).toEqual(['person4@example.test', 'person4@example.test']);
		expect(double.profileBy('acme', 'email1', 'person4@example.test')).toMatchObject({ firstName: 'First4' });

		const [again] = await run([change(4)], KEYED);
		expect(again.json.status).toBe('skipped');
		expect(double.counters.requests).toBe(2);
	});

	it('sends again an item whose update failed on a 5xx MeherY kept answering', async () => {
		double.injectFault({ status: 503, errors: [{ field: null, code: 'UNAVAILABLE', description: 'Try later' }], headers: { 'retry-after': '0' }, times: 10 });
		const [failed] = await run([change(5)], KEYED);
		expect(failed.json.details).toMatchObject({ httpStatus: 503 });
		double.clearFaults();
		double.resetCounters();

		const [retried] = await run([change(5)], KEYED);
		expect(retried.json.status).toBe('success');
		expect(sentEmails()).toEqual(['person5@example.test']);
	});

	it('keys each item by its own value, even when the first item has none', async () => {
		await run([change(6)], KEYED);
		double.resetCounters();

		const output = await run([change(7, undefined), change(6)], KEYED);
		expect(output.map((item) => item.json.status)).toEqual(['success', 'skipped']);
		expect(sentEmails()).toEqual(['person7@example.test']);
	});

	it('neither skips nor records a key in a preview', async () => {
		await run([change(8)], KEYED);
		const [preview] = await run([change(8)], { ...KEYED, previewOnly: true });
		expect(preview.json).toMatchObject({ method: 'POST', fields: { firstName: 'First8', email1: 'person8@example.test' } });

		await run([change(9)], { ...KEYED, previewOnly: true });
		double.resetCounters();
		const [written] = await run([change(9)], KEYED);
		expect(written.json.status).toBe('success');
		expect(sentEmails()).toEqual(['person9@example.test']);
	});

	it('refuses a Delivery Key that is not one ID per item, before any call', async () => {
		const error = await run([change(10)], { ignoreKeys: 'deliveryKey', options: { deliveryKey: '={{ $json }}' } }).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toBe('Item 0: the Delivery Key is an object, not an ID');
		expect(double.counters.requests).toBe(0);
	});
});

describe('MeherY Profile Update: an answer that is not MeherY\'s is a failure, and the key never leaves its host', () => {
	const otherHost = new OtherHost();
	beforeAll(async () => await otherHost.start());
	afterAll(async () => await otherHost.stop());
	beforeEach(() => otherHost.requests.splice(0));

	it.each([
		[301, 'a redirect to {location}, not followed: a POST is never repeated after a 301'],
		[302, 'a redirect to {location}, not followed: a POST is never repeated after a 302'],
		[303, '"see other" {location} instead of MeherY\'s answer'],
	])('fails an update answered %i to another host, sending neither the profile nor the key there', async (status, reason) => {
		double.redirectNext(status, otherHost.url('/login'));
		const [item] = await run([profile(1)]);
		expect(otherHost.requests).toEqual([]);
		expect(double.counters.requests).toBe(1);
		expect(item.json.status).toBeUndefined();
		const location = `${otherHost.baseUrl}/login`;
		expect(item.json.error).toBe(`MeherY answered ${status}: ${reason.replace('{location}', location)}; it may have been applied, so it was not sent again`);
		expect(item.json.details).toMatchObject({ httpStatus: status, attempts: 1, mayHaveBeenApplied: true });
		expect(JSON.stringify(item.json)).not.toContain('otherhost-secret-query');
		expect(JSON.stringify(item.json)).not.toContain(API_KEY);
	});

	it('refuses a 307 to another host: the key stays with MeherY', async () => {
		double.redirectNext(307, otherHost.url('/profile/update'));
		const [item] = await run([profile(1)]);
		expect(otherHost.requests).toEqual([]);
		expect(String(item.json.error)).toContain(`MeherY answered 307: redirected from ${double.baseUrl} to ${otherHost.baseUrl}; credentials are never sent to another host`);
	});

	it('follows a 307 to the same origin with the same POST, body and key', async () => {
		double.redirectNext(307, '/nexus/xms/api/v1/profile/update?tnt=acme');
		const [item] = await run([profile(1)]);
		expect(item.json).toMatchObject({ status: 'success', httpStatus: 200 });
		expect(double.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
			'POST /xms/data/api/v1/profile/update?tnt=acme 307',
			'POST /nexus/xms/api/v1/profile/update?tnt=acme 200',
		]);
		expect(double.profileBy('acme', 'email1', 'person1@example.test')).toMatchObject({ firstName: 'First1' });
	});

	it.each([
		['an HTML page', 'text/html; charset=utf-8', OTHER_HOST_PAGE, `${OTHER_HOST_PAGE.replace(/\s+/g, ' ').slice(0, 200)}…`],
		['an empty body', 'text/plain', '', '(an empty body)'],
		['plain text', 'text/plain', 'OK', 'OK'],
		['JSON without the envelope\'s status', 'application/json', '{"result":"updated"}', '{"result":"updated"}'],
		['{"success":false}', 'application/json', '{"success":false}', '{"success":false}'],
	])('fails an update answered 200 with %s', async (_case, contentType, rawBody, excerpt) => {
		double.injectFault({ status: 200, rawBody, contentType });
		const [item] = await run([profile(1)]);
		expect(item.json.status).toBeUndefined();
		expect(item.json.error).toBe(`MeherY answered 200 with something that is not its API's answer: ${excerpt}`);
		expect(item.json.details).toMatchObject({ httpStatus: 200 });
	});

	it('fails an envelope that says success:false beside its status', async () => {
		double.injectFault({ status: 200, rawBody: '{"status":"success","success":false,"message":"Profile locked"}', contentType: 'application/json' });
		const [item] = await run([profile(1)]);
		expect(item.json.error).toBe('MeherY answered 200: Profile locked');
	});

	it('keeps the key out of the excerpt of a page that echoes it', async () => {
		double.injectFault({ status: 200, rawBody: `<html><body>Your key ${API_KEY} is not valid here</body></html>`, contentType: 'text/html' });
		const [item] = await run([profile(1)]);
		expect(item.json.error).toBe("MeherY answered 200 with something that is not its API's answer: <html><body>Your key [redacted] is not valid here</body></html>");
	});

	it('refuses a plain http:// base URL unless the credential allows plain HTTP, sending nothing', async () => {
		const [item] = await run([profile(1)], {}, { credentialData: { allowPlainHttp: false } });
		expect(double.counters.requests).toBe(0);
		expect(item.json.error).toBe(
			`Refused to send to ${double.baseUrl}: it uses plain http:// (unencrypted). Turn on "Allow Plain HTTP" only for a server you control on a network you trust.`,
		);
		expect(item.json.message).toBe('Nothing was sent to MeherY.');
	});

	it('refuses a loopback base URL unless the credential allows private network targets', async () => {
		const [item] = await run([profile(1)], {}, { credentialData: { allowPrivateNetwork: false } });
		expect(double.counters.requests).toBe(0);
		expect(String(item.json.error)).toMatch(/^Refused to send to http:\/\/127\.0\.0\.1:\d+: it is a loopback address \(this machine\)/);
	});

	it('refuses the cloud metadata address even with private targets allowed', async () => {
		const [item] = await run([profile(1)], {}, { credentialData: { baseUrl: 'http://169.254.169.254' } });
		expect(item.json.error).toBe('Refused to send to http://169.254.169.254: it is a cloud metadata service.');
	});
});

describe('the MeherY credential\'s Test', () => {
	const otherHost = new OtherHost();
	const testContext = new CredentialTestContext({} as IWorkflowExecuteAdditionalData) as unknown as ICredentialTestFunctions;
	const test = async (data: Record<string, unknown> = {}) =>
		await nodeType.methods.credentialTest.meheryApiTest.call(testContext, { id: 'test', name: 'MeherY', type: 'meheryApi', data: credentials(data).meheryApi });

	beforeAll(async () => await otherHost.start());
	afterAll(async () => await otherHost.stop());
	beforeEach(() => otherHost.requests.splice(0));

	it('accepts a reachable MeherY that answers with its envelope, changing no profile', async () => {
		expect(await test()).toEqual({ status: 'OK', message: 'MeherY answered 200 and accepted the key; no profile was changed.' });
		expect(double.counters.updates).toBe(0);
	});

	it('reports a wrong key as refused', async () => {
		expect(await test({ apiKey: 'wrong-key-999999' })).toEqual({ status: 'Error', message: 'MeherY refused the API key (HTTP 401): check the API key and API ID.' });
	});

	it('fails on a redirect to another host, sending nothing there', async () => {
		double.redirectNext(302, otherHost.url('/login'));
		const result = await test();
		expect(otherHost.requests).toEqual([]);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^MeherY answered 302: a redirect to http:\/\/127\.0\.0\.1:\d+\/login, not followed/);
	});

	it('fails on a 200 that is not MeherY\'s answer', async () => {
		double.injectFault({ status: 200, rawBody: 'OK', contentType: 'text/plain' });
		expect(await test()).toEqual({ status: 'Error', message: "MeherY answered 200 with something that is not its API's answer: OK" });
	});

	it('refuses plain http:// unless the credential allows it, sending nothing', async () => {
		const result = await test({ allowPlainHttp: false });
		expect(double.counters.requests).toBe(0);
		expect(result).toEqual({
			status: 'Error',
			message: `Refused to send to ${double.baseUrl}: it uses plain http:// (unencrypted). Turn on "Allow Plain HTTP" only for a server you control on a network you trust.`,
		});
	});
});

describe('MeherY Profile Update: phones in E.164 only where that is certainly right', () => {
	const phones = { json: { phone1: '030 1234567', phone2: '49 30 7654321', email1: 'phones@example.test' } };

	it('sends a certain phone in E.164 and an uncertain one as mapped, naming it under phoneNotes', async () => {
		const [item] = await run([phones], { options: { defaultCountry: 'DE' } });
		expect(item.json.status).toBe('success');
		expect(item.json.sent).toEqual({ phone1: '+49301234567', phone2: '49 30 7654321', email1: 'phones@example.test' });
		expect(item.json.phoneNotes).toEqual([
			{ field: 'phone2', value: '49 30 7654321', note: 'sent as typed: it may be a local number dialled without its area code' },
		]);
		expect(double.profileBy('acme', 'email1', 'phones@example.test')).toMatchObject({ phone1: '+49301234567', phone2: '49 30 7654321' });
	});

	it('shows the same in a preview', async () => {
		const [item] = await run([phones], { options: { defaultCountry: 'DE' }, previewOnly: true });
		expect(item.json.fields).toEqual({ phone1: '+49301234567', phone2: '49 30 7654321', email1: 'phones@example.test' });
		expect(item.json.phoneNotes).toEqual([expect.objectContaining({ field: 'phone2', value: '49 30 7654321' })]);
	});
});
