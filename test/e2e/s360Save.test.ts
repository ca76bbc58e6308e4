/**
 * S-360 Save Contact in a real n8n (2.x as project e2e, 1.x as e2e-n8n1) against the S-360
 * contact-service double: the shipped Zoho CRM → S-360 template, its Zoho CRM Trigger set to a
 * workflow rule's webhook and fed what Zoho sends, and a batch workflow (Webhook → Split Out → S-360 Save Contact) for runs of many
 * contacts. The double checks each JWT and counts calls per window on arrival, answering 509
 * beyond its limit; the rate specs use a 2-second window in both the double and the credential.
 */
import { readFileSync } from 'node:fs';
import { startN8n, type CredentialFile, type N8nProcess } from '../harness/n8n';
import { S360ContactDouble, type S360Partner } from '../doubles/s360ContactDouble';
import { triggerPath, workflowRuleTrigger, ZOHO_TOKEN_HEADER } from './fixtures/meheryFixtures';
import { s360BatchWorkflow, s360ContactCredential, zohoContact, zohoToS360Workflow } from './fixtures/s360SaveFixtures';

const ZOHO_TOKEN = 'zoho-s360-token-8e4b2d6f1a3c';
const SECRET = 's360-e2e-secret-4f9c2a7e1b';
const WRONG_SECRET = 's360-wrong-secret-6d1e8b3a90';
const partner = (institution: string): S360Partner => ({ institution, virtualOperator: 'MOSA_B2C', partnerName: 'ContactSync', secret: SECRET });
const WINDOW_MS = 2000;
const LIMIT = 5;

describe('S-360 Save Contact in a real n8n', () => {
	// Each workflow has its own institution, so each has its own window in n8n's limiter and the double's.
	const double = new S360ContactDouble({ partner: partner('ZOHO'), partners: [partner('RATE'), partner('WRONG')], limit: 1000, windowMs: 60_000 });
	const rateDouble = new S360ContactDouble({ partner: partner('RATE'), limit: LIMIT, windowMs: WINDOW_MS });
	let n8n: N8nProcess;

	// The trigger reads nothing from Zoho here (a workflow rule's webhook, no Fetch Full Record), so its credential is never used.
	const zohoCredential: CredentialFile = {
		id: 'zoho-unused',
		name: 'Zoho unused',
		type: 'zohoCrmRefreshTokenApi',
		data: { dataCenter: 'custom', accountsUrl: 'http://127.0.0.1:9/accounts', apiUrl: 'http://127.0.0.1:9/api', clientId: 'c', clientSecret: 's', refreshToken: 'r' },
	};

	/** A Zoho workflow rule's webhook (user-defined JSON) through the Zoho CRM Trigger; the S-360 node's item of the run it started. */
	async function zohoPost(path: string, body: Record<string, string>): Promise<{ status: number; text: string; saved?: Record<string, unknown> }> {
		const before = (await n8n.executions(path)).length;
		const response = await fetch(n8n.webhookUrl(triggerPath(path)), {
			method: 'POST',
			headers: { [ZOHO_TOKEN_HEADER]: ZOHO_TOKEN, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		const executions = await n8n.waitForExecutions(path, before + 1);
		const newest = executions.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
		const [[saved] = []] = await n8n.nodeOutput(newest.id, 'S-360 Save Contact');
		return { status: response.status, text, saved };
	}

	async function batchPost(path: string, contacts: Array<Record<string, unknown>>): Promise<{ status: number; items: Array<Record<string, unknown>>; text: string }> {
		const response = await fetch(n8n.webhookUrl(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contacts }) });
		const text = await response.text();
		let items: Array<Record<string, unknown>> = [];
		try {
			items = JSON.parse(text) as Array<Record<string, unknown>>;
		} catch {
			// The assertion on the status says what went wrong.
		}
		return { status: response.status, items, text };
	}

	beforeAll(async () => {
		await Promise.all([double.start(), rateDouble.start()]);
		const zoho = s360ContactCredential('zoho', double, partner('ZOHO'));
		const rate = s360ContactCredential('rate', rateDouble, partner('RATE'), { rateLimit: LIMIT, rateWindowSeconds: WINDOW_MS / 1000 });
		const wrong = s360ContactCredential('wrong', double, partner('WRONG'), { secret: WRONG_SECRET });
		n8n = await startN8n({
			name: 's360-save',
			credentials: [zohoCredential, zoho, rate, wrong],
			workflows: [zohoToS360Workflow('zoho-s360', zohoCredential, zoho, workflowRuleTrigger(ZOHO_TOKEN)), s360BatchWorkflow('s360-rate', rate), s360BatchWorkflow('s360-wrong', wrong)],
		});
		await Promise.all([triggerPath('zoho-s360'), 's360-rate', 's360-wrong'].map((path) => n8n.waitForWebhook(path)));
	});

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([double.stop(), rateDouble.stop()]);
	});

	beforeEach(() => {
		double.reset();
		rateDouble.reset();
	});

	it('saves a Zoho contact change once, with S-360’s names and a yyyy-MM-dd birth date, then answers Zoho 200', async () => {
		const answer = await zohoPost('zoho-s360', zohoContact());
		expect(answer.status).toBe(200);
		const [stored] = double.contactByEmail('lea.favre@example.test');
		expect(stored).toMatchObject({
			individualContact: {
				firstName: 'Léa',
				lastName: 'Favre',
				email: 'lea.favre@example.test',
				mobilePhoneNumber: '+41 79 555 12 12',
				birthDate: '1988-11-23',
			},
			addresses: [{ mainAddress: true, street1: 'Rue du Théâtre 5', zipCode: '1003', town: 'Lausanne', countryCode: 'CH' }],
			saves: 1,
		});
		expect(double.calls.map((call) => call.method)).toEqual(['searchContact', 'saveIndividualContactData']);
		expect(answer.saved).toMatchObject({ status: 'created', contactNumber: stored.contactNumber });
	});

	it('updates the contact Zoho names by contact number, sending nothing else', async () => {
		const existing = double.seed({ individualContact: { lastName: 'Favre', email: 'lea.favre@example.test' } });
		const answer = await zohoPost('zoho-s360', zohoContact({ contactNumber: existing.contactNumber, Last_Name: 'Favre-Rochat' }));
		expect(answer.status).toBe(200);
		expect(answer.saved).toMatchObject({ status: 'updated', contactNumber: existing.contactNumber, matchedBy: 'contactNumber' });
		expect(double.calls.map((call) => call.method)).toEqual(['saveIndividualContactData']);
		expect(double.contacts.size).toBe(1);
	});

	it('does not send a create twice that S-360 stored before the connection dropped, and Zoho’s retry updates it', async () => {
		double.injectFault({ method: 'saveIndividualContactData', applyThenDrop: true });
		const first = await zohoPost('zoho-s360', zohoContact({ Email: 'dropped@example.test' }));
		expect(first.status).toBeGreaterThanOrEqual(500);
		expect(double.calls.filter((call) => call.method === 'saveIndividualContactData')).toHaveLength(1);
		expect(double.contactByEmail('dropped@example.test')).toHaveLength(1);
		// Zoho sends the same change again after 15 minutes: found by email, updated, not created twice.
		const retry = await zohoPost('zoho-s360', zohoContact({ Email: 'dropped@example.test' }));
		expect(retry.status).toBe(200);
		expect(retry.saved).toMatchObject({ status: 'updated', matchedBy: 'email' });
		expect(double.contactByEmail('dropped@example.test')).toHaveLength(1);
	});

	it('takes the windows a run needs beyond the limit, sends no call past it and loses no contact', async () => {
		// 12 contacts = 24 calls (a search and a save each) at 5 calls per 2 s.
		const contacts = Array.from({ length: 12 }, (_, i) => ({ Last_Name: `Rate${i}`, Email: `rate${i}@example.test` }));
		const answer = await batchPost('s360-rate', contacts);
		expect(answer.status).toBe(200);
		expect(answer.items.map((item) => item.status)).toEqual(Array(12).fill('created'));
		expect(rateDouble.rateRefusals).toBe(0);
		expect(rateDouble.maxArrivalsInAnyWindow(WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
		expect(rateDouble.contacts.size).toBe(12);
	});

	it('keeps the limit across runs at once: two runs share the credential’s window', async () => {
		const runA = Array.from({ length: 6 }, (_, i) => ({ Last_Name: `A${i}`, Email: `a${i}@example.test` }));
		const runB = Array.from({ length: 6 }, (_, i) => ({ Last_Name: `B${i}`, Email: `b${i}@example.test` }));
		const answers = await Promise.all([batchPost('s360-rate', runA), batchPost('s360-rate', runB)]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
		expect(rateDouble.rateRefusals).toBe(0);
		expect(rateDouble.maxArrivalsInAnyWindow(WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
		expect(rateDouble.contacts.size).toBe(12);
	});

	it('fails each contact clearly on a wrong secret, and the secret is in no output, execution or n8n log', async () => {
		const contacts = [1, 2, 3].map((i) => ({ Last_Name: `W${i}`, Email: `wrong${i}@example.test` }));
		const answer = await batchPost('s360-wrong', contacts);
		expect(answer.status).toBe(200);
		expect(answer.items).toHaveLength(3);
		for (const item of answer.items) expect(item.error).toMatch(/^S-360 answered 401 UNAUTHORIZED: invalid signature$/);
		expect(double.contacts.size).toBe(0);
		const executions = await n8n.waitForExecutions('s360-wrong', 1);
		const data = await n8n.executionData(executions[0].id);
		expect(JSON.stringify(data)).not.toContain(WRONG_SECRET);
		expect(answer.text).not.toContain(WRONG_SECRET);
		expect(readFileSync(n8n.logFile, 'utf8')).not.toContain(WRONG_SECRET);
	});
});
