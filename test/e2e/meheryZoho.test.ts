/**
 * The Zoho CRM → MeherY template in a real n8n, fed exactly what a Zoho CRM workflow webhook sends,
 * against the MeherY double; and the MeherY credential's Test button.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { MeheryDouble } from '../doubles/meheryDouble';
import {
	meheryCredential,
	meheryTemplateWorkflow,
	zohoContactParameters,
	zohoFormData,
	zohoTokenCredential,
	ZOHO_TOKEN_HEADER,
} from './fixtures/meheryFixtures';

const API_KEY = 'mh-e2e-key-5c1d8f0a9b';
const ZOHO_TOKEN = 'zoho-webhook-token-3b7e1c9d5a2f';
const TENANT = 'demo';

describe('Zoho CRM → MeherY in a real n8n', () => {
	const double = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY, dateCodes: ['dateOfBirth'] }] });
	let n8n: N8nProcess;
	const token = zohoTokenCredential('zoho-token', ZOHO_TOKEN);

	async function zohoPost(path: string, body: FormData | string, contentType?: string): Promise<{ status: number; text: string }> {
		const headers: Record<string, string> = { [ZOHO_TOKEN_HEADER]: ZOHO_TOKEN };
		if (contentType) headers['content-type'] = contentType;
		const response = await fetch(n8n.webhookUrl(path), { method: 'POST', headers, body });
		return { status: response.status, text: await response.text() };
	}

	async function lastExecution(path: string, count: number) {
		const executions = await n8n.waitForExecutions(path, count);
		const newest = executions.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
		return await n8n.executionData(newest.id);
	}

	beforeAll(async () => {
		await double.start();
		const good = meheryCredential('good', double, { tenant: TENANT, apiKey: API_KEY });
		const wrongKey = meheryCredential('wrong-key', double, { tenant: TENANT, apiKey: 'not-the-key-00000' });
		n8n = await startN8n({
			name: 'mehery',
			credentials: [token, good, wrongKey, meheryCredential('test', double, { tenant: TENANT, apiKey: API_KEY })],
			workflows: [
				meheryTemplateWorkflow('zoho-mehery', token, good),
				meheryTemplateWorkflow('zoho-mehery-wrong-key', token, wrongKey),
				meheryTemplateWorkflow('zoho-mehery-preview', token, good, { previewOnly: true }),
			],
		});
		await Promise.all(['zoho-mehery', 'zoho-mehery-wrong-key', 'zoho-mehery-preview'].map((path) => n8n.waitForWebhook(path)));
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	beforeEach(() => {
		double.resetCounters();
		double.clearFaults();
	});

	it('updates the profile from Zoho’s form-data with the right codes and an MM-DD-YY date, then answers Zoho 200', async () => {
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters()));
		expect(answer.status).toBe(200);
		expect(double.profileBy(TENANT, 'email1', 'priya.raman@example.test')).toEqual({
			profileId: expect.any(String),
			firstName: 'Priya',
			lastName: 'Raman',
			email1: 'priya.raman@example.test',
			phone1: '+91 44 2345 6789',
			phone2: '+91 98765 43210',
			dateOfBirth: '03-07-91',
		});
		expect(double.requests[0].ignoredCodes).toEqual([]);
	});

	it('updates the profile from a JSON body the same way', async () => {
		const body = JSON.stringify(zohoContactParameters({ email1: 'json.contact@example.test', dateOfBirth: '1985-12-31' }));
		const answer = await zohoPost('zoho-mehery', body, 'application/json');
		expect(answer.status).toBe(200);
		expect(double.profileBy(TENANT, 'email1', 'json.contact@example.test')).toMatchObject({ firstName: 'Priya', dateOfBirth: '12-31-85' });
	});

	it('refuses a Zoho call without the token header, starting nothing', async () => {
		const response = await fetch(n8n.webhookUrl('zoho-mehery'), { method: 'POST', body: zohoFormData(zohoContactParameters()) });
		expect(response.status).toBe(403);
		expect(double.counters.requests).toBe(0);
	});

	it('refuses an undeclared code before any call and answers Zoho with an error, so Zoho retries', async () => {
		const before = (await n8n.executions('zoho-mehery')).length;
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters({ firstname: 'Typo' })));
		expect(answer.status).toBeGreaterThanOrEqual(500);
		expect(double.counters.requests).toBe(0);
		const data = await lastExecution('zoho-mehery', before + 1);
		expect(data.resultData.error?.message).toBe('`firstname` is not a MeherY field code — did you mean `firstName`?');
	});

	it('fails on a 200 answer whose envelope carries errors[], with MeherY’s description', async () => {
		const before = (await n8n.executions('zoho-mehery')).length;
		double.injectFault({ status: 200, errors: [{ field: 'phone2', code: 'INVALID_PHONE', description: 'Phone number is not valid for IN' }] });
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters()));
		expect(answer.status).toBeGreaterThanOrEqual(500);
		const data = await lastExecution('zoho-mehery', before + 1);
		expect(data.resultData.error?.message).toBe('MeherY answered 200 INVALID_PHONE: field phone2 — Phone number is not valid for IN');
	});

	it('gives a wrong key a clear 401 cause, without the key anywhere in the execution', async () => {
		const answer = await zohoPost('zoho-mehery-wrong-key', zohoFormData(zohoContactParameters()));
		expect(answer.status).toBeGreaterThanOrEqual(500);
		const data = await lastExecution('zoho-mehery-wrong-key', 1);
		expect(data.resultData.error?.message).toMatch(/^MeherY answered 401 UNAUTHORIZED: Invalid or missing API key$/);
		expect(JSON.stringify(data)).not.toContain('not-the-key-00000');
		expect(answer.text).not.toContain('not-the-key-00000');
	});

	it('sends nothing with Preview Only and outputs the exact request with the key redacted', async () => {
		const answer = await zohoPost('zoho-mehery-preview', zohoFormData(zohoContactParameters()));
		expect(answer.status).toBe(200);
		expect(double.counters.requests).toBe(0);
		const data = await lastExecution('zoho-mehery-preview', 1);
		const [[preview]] = (data.resultData.runData['MeherY Profile Update'][0].data?.main ?? []).map((items) => (items ?? []).map((item) => item.json));
		expect(preview).toMatchObject({
			method: 'POST',
			url: `${double.baseUrl}/xms/data/api/v1/profile/update?tnt=${TENANT}`,
			headers: { 'x-api-key': '[redacted]', 'content-type': expect.stringMatching(/^multipart\/form-data; boundary=/) },
			fields: { firstName: 'Priya', email1: 'priya.raman@example.test', dateOfBirth: '03-07-91' },
		});
		expect(JSON.stringify(data)).not.toContain(API_KEY);
	});

	describe('the MeherY credential’s Test button', () => {
		const test = async (data: Record<string, unknown>) =>
			(await n8n.testCredential(meheryCredential('test', double, { tenant: TENANT, apiKey: API_KEY, ...data }))).data;

		it('reports a reachable MeherY that accepts the key, without changing any profile', async () => {
			const before = double.profiles(TENANT).length;
			expect(await test({})).toMatchObject({ status: 'OK' });
			expect(double.profiles(TENANT)).toHaveLength(before);
			expect(double.counters.updates).toBe(0);
		});

		// n8n 1.x answers a failed credential test with its own sentence per status, not the rule's.
		const onN8n1 = (process.env.N8N_VERSION ?? '').startsWith('1.');
		const REFUSED = onN8n1 ? 'Authorization failed - please check your credentials' : 'MeherY refused the API key (HTTP 401): check the API key and API ID.';
		const NOT_FOUND = onN8n1 ? 'The resource you are requesting could not be found' : 'MeherY answered 404: the tenant code or the API path is wrong.';

		it('reports a wrong key as refused', async () => {
			expect(await test({ apiKey: 'wrong-key-999999' })).toEqual({ status: 'Error', message: REFUSED });
		});

		it('reports a wrong tenant as 404', async () => {
			expect(await test({ tenant: 'nobody' })).toEqual({ status: 'Error', message: NOT_FOUND });
		});

		it('reports a wrong path as 404', async () => {
			expect((await test({ apiPath: 'custom', customPath: '/xms/api/v9/nothing' })).message).toBe(NOT_FOUND);
		});

		it('reports an unreachable host', async () => {
			const result = await test({ baseUrl: 'http://127.0.0.1:9' });
			expect(result.status).toBe('Error');
			// n8n 2.x passes the socket code through; n8n 1.x words it itself.
			expect(result.message).toMatch(onN8n1 ? /refused the connection/ : /ECONNREFUSED/);
		});
	});
});
