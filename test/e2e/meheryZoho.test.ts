/**
 * The Zoho CRM → MeherY template in a real n8n, fed exactly what a Zoho CRM workflow webhook sends,
 * against the MeherY double; and the MeherY credential's Test button.
 */
import { startN8n, type CredentialFile, type N8nProcess } from '../harness/n8n';
import { MeheryDouble } from '../doubles/meheryDouble';
import { OtherHost } from '../doubles/otherHost';
import {
	meheryCredential,
	meheryTemplateWorkflow,
	zohoContactParameters,
	triggerPath,
	workflowRuleTrigger,
	zohoFormData,
	ZOHO_TOKEN_HEADER,
} from './fixtures/meheryFixtures';

const API_KEY = 'mh-e2e-key-5c1d8f0a9b';
const ZOHO_TOKEN = 'zoho-webhook-token-3b7e1c9d5a2f';
const TENANT = 'demo';

describe('Zoho CRM → MeherY in a real n8n', () => {
	const double = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY, dateCodes: ['dateOfBirth'] }] });
	let n8n: N8nProcess;
	// The trigger reads nothing from Zoho here (no Fetch Full Record), so its credential is never used.
	const zoho: CredentialFile = {
		id: 'zoho-unused',
		name: 'Zoho unused',
		type: 'zohoCrmRefreshTokenApi',
		data: { dataCenter: 'custom', accountsUrl: 'http://127.0.0.1:9/accounts', apiUrl: 'http://127.0.0.1:9/api', clientId: 'c', clientSecret: 's', refreshToken: 'r' },
	};
	const rule = workflowRuleTrigger(ZOHO_TOKEN);

	async function zohoPost(path: string, body: FormData | string, contentType?: string): Promise<{ status: number; text: string }> {
		const headers: Record<string, string> = { [ZOHO_TOKEN_HEADER]: ZOHO_TOKEN };
		if (contentType) headers['content-type'] = contentType;
		const response = await fetch(n8n.webhookUrl(triggerPath(path)), { method: 'POST', headers, body });
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
			credentials: [zoho, good, wrongKey, meheryCredential('test', double, { tenant: TENANT, apiKey: API_KEY })],
			workflows: [
				meheryTemplateWorkflow('zoho-mehery', zoho, good, {}, rule),
				meheryTemplateWorkflow('zoho-mehery-wrong-key', zoho, wrongKey, {}, rule),
				meheryTemplateWorkflow('zoho-mehery-preview', zoho, good, { previewOnly: true }, rule),
			],
		});
		await Promise.all(['zoho-mehery', 'zoho-mehery-wrong-key', 'zoho-mehery-preview'].map((path) => n8n.waitForWebhook(triggerPath(path))));
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

	it('starts no second run for the same contact sent again, and answers Zoho 200', async () => {
		const before = (await n8n.executions('zoho-mehery')).length;
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters()));
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.text)).toEqual({ status: 'alreadyDelivered', records: 1 });
		expect(double.counters.requests).toBe(0);
		expect((await n8n.executions('zoho-mehery')).length).toBe(before);
	});

	it('updates the profile from a JSON body the same way', async () => {
		const body = JSON.stringify(zohoContactParameters({ email1: 'json.contact@example.test', dateOfBirth: '1985-12-31' }));
		const answer = await zohoPost('zoho-mehery', body, 'application/json');
		expect(answer.status).toBe(200);
		expect(double.profileBy(TENANT, 'email1', 'json.contact@example.test')).toMatchObject({ firstName: 'Priya', dateOfBirth: '12-31-85' });
	});

	it('refuses a Zoho call without the token, starting nothing', async () => {
		const response = await fetch(n8n.webhookUrl(triggerPath('zoho-mehery')), { method: 'POST', body: zohoFormData(zohoContactParameters()) });
		expect(response.status).toBe(401);
		expect(double.counters.requests).toBe(0);
	});

	it('refuses a birth date MM-DD-YY cannot carry (1815-12-10) before any call, naming it, and answers Zoho with an error', async () => {
		const before = (await n8n.executions('zoho-mehery')).length;
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters({ email1: 'ada@example.test', dateOfBirth: '1815-12-10' })));
		expect(answer.status).toBeGreaterThanOrEqual(500);
		expect(double.counters.requests).toBe(0);
		const data = await lastExecution('zoho-mehery', before + 1);
		expect(data.resultData.error?.message).toBe(
			'field "dateOfBirth" cannot be sent: "1815-12-10" is 1815-12-10, outside 1930–2029, the years a two-digit year stands for ' +
				'(Two-Digit Years Cover): "15" would be read as 2015. Set Two-Digit Years Cover to a window that holds 1815, ' +
				'or choose a date format with a four-digit year if the field accepts one.',
		);
	});

	it('fails on a 200 answer whose envelope carries errors[], with MeherY’s description', async () => {
		const before = (await n8n.executions('zoho-mehery')).length;
		double.injectFault({ status: 200, errors: [{ field: 'phone2', code: 'INVALID_PHONE', description: 'Phone number is not valid for IN' }] });
		// Another contact: the one the first spec synced is a change already delivered, which starts no run.
		const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters({ email1: 'envelope.errors@example.test' })));
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

	describe('an answer that is not MeherY’s', () => {
		const otherHost = new OtherHost();
		beforeAll(async () => await otherHost.start());
		afterAll(async () => await otherHost.stop());

		it('fails on a 302 to another host: neither the profile nor the key reaches it, and Zoho is answered with an error', async () => {
			const before = (await n8n.executions('zoho-mehery')).length;
			double.redirectNext(302, otherHost.url('/login'));
			const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters({ email1: 'moved@example.test' })));
			expect(answer.status).toBeGreaterThanOrEqual(500);
			expect(otherHost.requests).toEqual([]);
			const data = await lastExecution('zoho-mehery', before + 1);
			expect(data.resultData.error?.message).toBe(
				`MeherY answered 302: a redirect to ${otherHost.baseUrl}/login, not followed: a POST is never repeated after a 302; it may have been applied, so it was not sent again`,
			);
			expect(JSON.stringify(data)).not.toContain(API_KEY);
		});

		it('fails on a 200 that is an HTML page', async () => {
			const before = (await n8n.executions('zoho-mehery')).length;
			double.injectFault({ status: 200, rawBody: '<html><body>Maintenance</body></html>' });
			const answer = await zohoPost('zoho-mehery', zohoFormData(zohoContactParameters({ email1: 'maintenance.page@example.test' })));
			expect(answer.status).toBeGreaterThanOrEqual(500);
			const data = await lastExecution('zoho-mehery', before + 1);
			expect(data.resultData.error?.message).toBe("MeherY answered 200 with something that is not its API's answer: <html><body>Maintenance</body></html>");
		});
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

		// The node's own test function words every outcome, on n8n 1.x as on 2.x.
		const REFUSED = 'MeherY refused the API key (HTTP 401): check the API key and API ID.';
		const NOT_FOUND = 'MeherY answered 404: the tenant code or the API path is wrong.';

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
			expect(result.message).toMatch(/ECONNREFUSED|refused the connection/);
		});

		it('refuses a plain http:// base URL unless the credential allows it, sending nothing', async () => {
			expect(await test({ allowPlainHttp: false })).toEqual({
				status: 'Error',
				message: `Refused to send to ${double.baseUrl}: it uses plain http:// (unencrypted). Turn on "Allow Plain HTTP" only for a server you control on a network you trust.`,
			});
			expect(double.counters.requests).toBe(0);
		});

	});
});
