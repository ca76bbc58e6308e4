/**
 * S-360 → MeherY in a real n8n: the shipped template (S-360 Firehose Trigger → Has Email or Phone →
 * MeherY Profile Update), fed by the S-360 sender double, against the MeherY double. A bucket
 * updates one profile per contact with MeherY's codes and MM-DD-YY dates; a MeherY failure fails
 * the run, S-360 resends, and every profile ends up stored once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, startN8n, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { MeheryDouble } from '../doubles/meheryDouble';
import { S360Sender } from '../doubles/s360Sender';
import { s360Contacts } from '../doubles/fixtures/s360/contacts';
import { meheryCredential } from './fixtures/meheryFixtures';
import { S360_TOKEN, s360TokenCredential, s360WebhookPath } from './fixtures/s360Fixtures';
import { PKG } from './fixtures/workflows';

const API_KEY = 'mh-s360-key-7d2e9a1c4b';
const TENANT = 'demo';
const WORKFLOW = 's360-mehery';

function templateWorkflow(s360: { id: string; name: string }, mehery: { id: string; name: string }): WorkflowFile {
	const template = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'templates', 's360-to-mehery.json'), 'utf8')) as {
		name: string;
		connections: Record<string, unknown>;
		nodes: Array<Record<string, unknown>>;
	};
	const nodes = template.nodes.map((node) => {
		if (node.type === `${PKG}.s360FirehoseTrigger`) return { ...node, webhookId: WORKFLOW, credentials: { s360FirehoseApi: s360 } };
		if (node.type === `${PKG}.meheryProfileUpdate`) return { ...node, credentials: { meheryApi: mehery } };
		return node;
	});
	return { ...template, id: WORKFLOW, nodes };
}

describe('S-360 → MeherY in a real n8n', () => {
	const double = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY, dateCodes: ['dateOfBirth'] }] });
	let n8n: N8nProcess;
	let sender: S360Sender;

	beforeAll(async () => {
		await double.start();
		const s360 = s360TokenCredential('s360-mehery-token');
		const mehery = meheryCredential('s360-mehery', double, { tenant: TENANT, apiKey: API_KEY });
		n8n = await startN8n({
			name: 's360-mehery',
			credentials: [s360, mehery],
			workflows: [templateWorkflow({ id: s360.id, name: s360.name }, { id: mehery.id, name: mehery.name })],
		});
		await n8n.waitForWebhook(s360WebhookPath(WORKFLOW));
		sender = new S360Sender({
			url: n8n.webhookUrl(s360WebhookPath(WORKFLOW)),
			bucketSize: 10,
			details: ['GENERAL'],
			auth: { type: 'customParameter', name: 'token', value: S360_TOKEN, in: 'query' },
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	it('updates one MeherY profile per contact of a bucket, with MeherY codes and an MM-DD-YY birth date', async () => {
		const contacts = s360Contacts('v2_21', 10, { prefix: 'mehery' });
		sender.change(...contacts);
		const deliveries = await sender.tick();
		expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
		for (const contact of contacts) {
			const individual = contact.individualContact as { email?: string };
			const [address] = (contact.addresses ?? []) as Array<{ email?: string }>;
			const email = (individual.email ?? address?.email)!;
			const profile = double.profileBy(TENANT, 'email1', email);
			expect(profile).toMatchObject({ email1: email, firstName: expect.stringMatching(/^Ada\d+$/) });
			expect(profile?.dateOfBirth).toMatch(/^\d{2}-\d{2}-\d{2}$/);
		}
		expect(double.profiles(TENANT)).toHaveLength(contacts.length);
	});

	it('answers S-360 500 when MeherY refuses a profile, and the resent bucket stores every profile once', async () => {
		const before = double.profiles(TENANT).length;
		const contacts = s360Contacts('v2_14', 10, { prefix: 'retry', first: 200 });
		// A refusal is not retried in the run (a 5xx would be): the run fails and S-360 resends the bucket.
		double.injectFault({ status: 400, errors: [{ field: 'email1', code: 'TEMPORARILY_LOCKED', description: 'profile locked' }], times: 1 });
		sender.change(...contacts);
		const first = await sender.tick();
		const second = await sender.tick();
		expect([...first, ...second].map((delivery) => delivery.status)).toEqual([500, 200]);
		expect(sender.counters.retries).toBeGreaterThanOrEqual(1);
		expect(double.profiles(TENANT)).toHaveLength(before + contacts.length);
	});
});
