/**
 * S-360 → Zoho CRM in a real n8n: the shipped template (S-360 Firehose Trigger → Has Email →
 * Zoho CRM Upsert Contact) with credentials pointed at the Zoho double, fed by the S-360
 * sender double the way S-360's Webhook contact v2 interface pushes: buckets, retries after
 * anything but 200, redeliveries.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import { S360Sender, type S360SenderOptions } from '../doubles/s360Sender';
import { CONTACT_SERVICE_VERSIONS, s360Contact, s360Contacts, withDetails, type ContactDataResult } from '../doubles/fixtures/s360/contacts';
import { jsonOf, oryZohoCredential, rawSend } from './fixtures/oryFixtures';
import {
	readS360Template,
	S360_TOKEN,
	S360_TRIGGER,
	s360NoOpWorkflow,
	s360TemplateWorkflow,
	s360TokenCredential,
	s360WebhookPath,
} from './fixtures/s360Fixtures';

const TEMPLATE = 's360-template';
const AT_ONCE = 's360-at-once';
const FAILING = 's360-failing';
const FAILING_AT_ONCE = 's360-failing-at-once';
const ITEMS = 's360-items';
const DETAILS = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'];

let nextContact = 1;

/** Contacts of every contact-service version in turn, each with a contact number and email of its own. */
function mixedContacts(count: number, prefix: string, changedAt?: string): ContactDataResult[] {
	return Array.from({ length: count }, (_, index) => {
		const version = CONTACT_SERVICE_VERSIONS[index % CONTACT_SERVICE_VERSIONS.length];
		return s360Contacts(version, 1, { prefix, first: nextContact++, changedAt })[0];
	});
}

function emailOf(contact: ContactDataResult): string {
	const individual = contact.individualContact as { email?: string };
	const [address] = contact.addresses as Array<{ email?: string }>;
	return (individual.email ?? address.email)!;
}

describe('S-360 → Zoho CRM in a real n8n', () => {
	const double = new ZohoDouble({ clients: [{ clientId: 's360-e2e-client', clientSecret: 's360-e2e-secret', refreshTokens: ['s360-refresh'] }] });
	const s360 = s360TokenCredential('s360-token');
	let zoho: ReturnType<typeof oryZohoCredential>;
	let n8n: N8nProcess;

	function sender(workflowId: string, options: Partial<S360SenderOptions> = {}): S360Sender {
		return new S360Sender({
			url: n8n.webhookUrl(s360WebhookPath(workflowId)),
			details: DETAILS,
			auth: { type: 'customParameter', name: 'token', value: S360_TOKEN, in: 'query' },
			...options,
		});
	}

	async function executionCount(workflowId: string): Promise<number> {
		return (await n8n.executions(workflowId)).length;
	}

	function zohoRecords(email: string) {
		return double.records('Contacts').filter((record) => record.Email === email);
	}

	function duplicates(): number {
		const emails = double.records('Contacts').map((record) => String(record.Email));
		return emails.length - new Set(emails).size;
	}

	beforeAll(async () => {
		await double.start();
		zoho = {
			...oryZohoCredential('zoho-double', double, 's360-refresh'),
			data: { ...oryZohoCredential('zoho-double', double, 's360-refresh').data, clientId: 's360-e2e-client', clientSecret: 's360-e2e-secret' },
		};
		n8n = await startN8n({
			name: 's360-zoho',
			credentials: [s360, zoho],
			workflows: [
				s360TemplateWorkflow(TEMPLATE, s360, zoho),
				s360TemplateWorkflow(AT_ONCE, s360, zoho, { responseMode: 'onReceived' }),
				s360NoOpWorkflow(FAILING, s360, {}, { failing: true }),
				s360NoOpWorkflow(FAILING_AT_ONCE, s360, { responseMode: 'onReceived' }, { failing: true }),
				s360NoOpWorkflow(ITEMS, s360),
			],
		});
		await Promise.all([TEMPLATE, AT_ONCE, FAILING, FAILING_AT_ONCE, ITEMS].map((id) => n8n.waitForWebhook(s360WebhookPath(id))));
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	beforeEach(() => double.clearFaults());

	it('imports the shipped template as it is through the editor’s API', async () => {
		const { status, data } = await n8n.rest<{ nodes: Array<{ type: string }> }>('POST', '/workflows', readS360Template());
		expect(status).toBe(200);
		expect(data.nodes.map((node) => node.type)).toEqual(
			expect.arrayContaining(['n8n-nodes-contact-sync.s360FirehoseTrigger', 'n8n-nodes-contact-sync.zohoCrmUpsertContact']),
		);
	});

	describe.each([
		[1, 'auto'],
		[10, 'array'],
		[100, 'wrapped'],
	] as const)('a bucket of %i contacts (%s framing)', (bucketSize, framing) => {
		const prefix = `bucket${bucketSize}`;
		const contacts = mixedContacts(bucketSize, prefix);
		let s360Sender: S360Sender;
		let executionsBefore: number;

		beforeAll(async () => {
			s360Sender = sender(TEMPLATE, { bucketSize, framing });
			s360Sender.change(...contacts);
			executionsBefore = await executionCount(TEMPLATE);
			await s360Sender.tick();
		});

		it('is acknowledged with 200 in one delivery', () => {
			expect(s360Sender.log.map((entry) => entry.status)).toEqual([200]);
			expect(s360Sender.pending).toBe(0);
		});

		it('runs one execution with one item per contact', async () => {
			const executions = await n8n.waitForExecutions(TEMPLATE, executionsBefore + 1);
			expect(executions).toHaveLength(executionsBefore + 1);
			expect(executions[0].status).toBe('success');
			const [[...items]] = await n8n.nodeOutput(executions[0].id, S360_TRIGGER);
			expect(items.map((item) => item.contactNumber)).toEqual(contacts.map((contact) => contact.contactNumber));
		});

		it('creates every contact exactly once in Zoho, with its name, birth date and newsletter opt-in', () => {
			for (const contact of contacts) {
				const individual = contact.individualContact as { firstName?: string; firstname?: string; lastName?: string; lastname?: string };
				const newsletter = (contact.authorizations as Array<{ authorizationCode: string; authorized?: boolean; value?: string }>).find(
					(authorization) => authorization.authorizationCode === 'NEWSLETTER',
				)!;
				expect(zohoRecords(emailOf(contact))).toEqual([
					expect.objectContaining({
						First_Name: individual.firstName ?? individual.firstname,
						Last_Name: individual.lastName ?? individual.lastname,
						Date_of_Birth: expect.stringMatching(/^19\d\d-0\d-1\d$/),
						Newsletter_Opt_In: newsletter.authorized ?? newsletter.value === 'YES',
					}),
				]);
			}
		});
	});

	it('writes the birth date S-360 sent, whatever the version’s date form', async () => {
		const contacts = CONTACT_SERVICE_VERSIONS.map((version, index) =>
			s360Contact(version, { contactNumber: `77${index}`, email: `dob-${version}@example.test`, lastName: 'Dob', birthDate: '1985-04-12' }),
		);
		const s360Sender = sender(TEMPLATE, { bucketSize: 3 });
		s360Sender.change(...contacts);
		await s360Sender.tick();
		for (const version of CONTACT_SERVICE_VERSIONS) {
			expect(zohoRecords(`dob-${version}@example.test`)).toEqual([expect.objectContaining({ Date_of_Birth: '1985-04-12' })]);
		}
	});

	it('retries after Zoho answered 500 until every contact landed exactly once', async () => {
		const contacts = mixedContacts(30, 'retry');
		// Ten failing calls: the Zoho node's own 5 attempts per call use them up over two runs.
		double.injectFault({ kind: 'status', status: 500, times: 10, path: 'upsert' });
		const s360Sender = sender(TEMPLATE, { bucketSize: 10 });
		s360Sender.change(...contacts);
		await s360Sender.drain();

		const counts = {
			deliveries: s360Sender.counters.deliveries,
			retries: s360Sender.counters.retries,
			drops: s360Sender.counters.drops,
			records: contacts.filter((contact) => zohoRecords(emailOf(contact)).length > 0).length,
			duplicates: duplicates(),
		};
		process.stdout.write(`\nS-360 retry scenario: ${JSON.stringify(counts)}; statuses ${s360Sender.log.map((e) => e.status).join(',')}\n`);
		expect(s360Sender.log.filter((entry) => entry.status === 500).length).toBeGreaterThan(0);
		expect(counts.retries).toBe(s360Sender.log.filter((entry) => entry.status !== 200).length);
		expect(counts.drops).toBe(0);
		expect(s360Sender.pending).toBe(0);
		for (const contact of contacts) expect(zohoRecords(emailOf(contact))).toHaveLength(1);
		expect(counts.duplicates).toBe(0);
	});

	it('starts no second run for a bucket S-360 resent after its processing timeout', async () => {
		const contacts = mixedContacts(5, 'timeout');
		// The first run outlasts S-360's timeout; the resend, waiting only for the rest of it, does not.
		double.setLatency(3000);
		const first = sender(TEMPLATE, { bucketSize: 5, processingTimeoutMs: 2000 });
		// The resend of the same bucket, given time to wait: how long the first run takes on a busy
		// machine must not decide whether the resend is answered.
		const resend = sender(TEMPLATE, { bucketSize: 5, processingTimeoutMs: 30_000 });
		first.change(...contacts);
		resend.change(...contacts);
		const before = await executionCount(TEMPLATE);
		try {
			await first.tick();
			// The resend arrives while the first run is still upserting: it waits for that run.
			await resend.tick();
		} finally {
			double.setLatency(0);
		}
		await n8n.waitForExecutions(TEMPLATE, before + 1);
		expect(first.log.map((entry) => entry.status)).toEqual([0]);
		expect(resend.log.map((entry) => entry.status)).toEqual([200]);
		expect(await executionCount(TEMPLATE)).toBe(before + 1);
		for (const contact of contacts) expect(zohoRecords(emailOf(contact))).toHaveLength(1);
	});

	it('runs only the contacts of a redelivered bucket that were not synced at that change', async () => {
		const synced = mixedContacts(3, 'redeliver', '2026-11-30T10:00:00.000Z').map((contact) => ({ ...contact, lastModificationDate: '2026-11-30T10:00:00.000Z' }));
		const first = sender(ITEMS, { bucketSize: 3 });
		first.change(...synced);
		const before = await executionCount(ITEMS);
		await first.tick();
		await n8n.waitForExecutions(ITEMS, before + 1);

		// The same bucket again, but the third contact changed since and a fourth joined.
		const changedAgain = { ...synced[2], lastModificationDate: '2026-11-30T10:05:00.000Z' };
		const [joined] = mixedContacts(1, 'redeliver-new', '2026-11-30T10:05:00.000Z').map((contact) => ({ ...contact, lastModificationDate: '2026-11-30T10:05:00.000Z' }));
		const resend = sender(ITEMS, { bucketSize: 4 });
		resend.change(synced[0], synced[1], changedAgain, joined);
		await resend.tick();
		const [latest] = await n8n.waitForExecutions(ITEMS, before + 2);
		const [[...items]] = await n8n.nodeOutput(latest.id, S360_TRIGGER);
		expect(items.map((item) => item.deliveryKey)).toEqual([
			`${changedAgain.contactNumber}@2026-11-30T10:05:00.000Z`,
			`${joined.contactNumber}@2026-11-30T10:05:00.000Z`,
		]);
	});

	it('answers a bucket of only synced contacts 200 and starts nothing', async () => {
		const contacts = mixedContacts(4, 'only-synced', '2026-11-30T11:00:00.000Z');
		const body = JSON.stringify(contacts);
		const url = n8n.webhookUrl(s360WebhookPath(ITEMS)) + `?token=${S360_TOKEN}`;
		const first = await executionCount(ITEMS);
		expect((await rawSend(url, { headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
		const before = (await n8n.waitForExecutions(ITEMS, first + 1)).length;
		const again = await rawSend(url, { headers: { 'content-type': 'application/json' }, body });
		expect(again.status).toBe(200);
		expect(jsonOf(again)).toEqual({ status: 'alreadySynced', contacts: 4 });
		expect(await executionCount(ITEMS)).toBe(before);
	});

	it('answers 500 when the run fails, and runs the retry again', async () => {
		const s360Sender = sender(FAILING, { bucketSize: 2 });
		s360Sender.change(...mixedContacts(2, 'failing'));
		const before = await executionCount(FAILING);
		await s360Sender.tick();
		await s360Sender.tick();
		expect(s360Sender.log.map((entry) => entry.status)).toEqual([500, 500]);
		const executions = await n8n.waitForExecutions(FAILING, before + 2);
		expect(executions.slice(0, 2).map((execution) => execution.status)).toEqual(['error', 'error']);
	});

	it('acknowledging at once, runs an operator’s re-push of a bucket whose run failed', async () => {
		const body = JSON.stringify(mixedContacts(2, 'at-once-failed'));
		const url = n8n.webhookUrl(s360WebhookPath(FAILING_AT_ONCE)) + `?token=${S360_TOKEN}`;
		const before = await executionCount(FAILING_AT_ONCE);
		const first = await rawSend(url, { headers: { 'content-type': 'application/json' }, body });
		expect([first.status, first.body]).toEqual([200, '']);
		const [failed] = await n8n.waitForExecutions(FAILING_AT_ONCE, before + 1);
		expect(failed.status).toBe('error');

		const again = await rawSend(url, { headers: { 'content-type': 'application/json' }, body });
		expect([again.status, again.body]).toEqual([200, '']);
		const [rerun] = await n8n.waitForExecutions(FAILING_AT_ONCE, before + 2);
		const keysOf = async (executionId: string) => (await n8n.nodeOutput(executionId, S360_TRIGGER))[0].map((contact) => contact.deliveryKey);
		expect(await keysOf(rerun.id)).toHaveLength(2);
		expect(await keysOf(rerun.id)).toEqual(await keysOf(failed.id));
	});

	it('acknowledges at once with 200 and no body', async () => {
		const contacts = mixedContacts(3, 'at-once').map((contact) => withDetails(contact, DETAILS));
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(AT_ONCE)) + `?token=${S360_TOKEN}`, {
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(contacts),
		});
		expect(response.status).toBe(200);
		expect(response.body).toBe('');
		await n8n.waitUntil(async () => contacts.every((contact) => zohoRecords(emailOf(contact)).length === 1), 'contacts in Zoho');
	});

	it('hands the workflow normalised fields and the raw contact untouched', async () => {
		const raw = s360Contact('v2_7', {
			contactNumber: '4242',
			email: 'v27@example.test',
			firstName: 'Grace',
			lastName: 'Hopper',
			birthDate: '1906-12-09',
			phone: '+41 22 555 4242',
			mobile: '+41 79 555 4242',
			optIns: { NEWSLETTER: true, SMS: false },
			criteria: { GENRE: 'JAZZ' },
		});
		const details = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA', 'COM_MEANS'];
		const s360Sender = sender(ITEMS, { details });
		s360Sender.change(raw);
		const before = await executionCount(ITEMS);
		await s360Sender.tick();
		const [latest] = await n8n.waitForExecutions(ITEMS, before + 1);
		const [[item]] = await n8n.nodeOutput(latest.id, S360_TRIGGER);
		expect(item).toMatchObject({
			contactNumber: '4242',
			email: 'v27@example.test',
			firstName: 'Grace',
			lastName: 'Hopper',
			birthDate: '1906-12-09',
			phone: '+41 22 555 4242',
			mobile: '+41 79 555 4242',
			language: 'fr',
			address: { street: 'Rue du Marché 12', postalCode: '1204', city: 'Genève', country: 'CH' },
			optIns: { NEWSLETTER: true, SMS: false },
			criteria: { GENRE: 'JAZZ' },
			changedAt: null,
		});
		expect(item.raw).toEqual(JSON.parse(JSON.stringify(withDetails(raw, details))));
	});

	it('acknowledges a bucket of contacts without email, which the template skips, and creates nothing', async () => {
		const noEmail = [s360Contact('v2_21', { contactNumber: 'NOMAIL-1', lastName: 'Nomail' }), s360Contact('v2_14', { contactNumber: 'NOMAIL-2', lastName: 'Nomail' })];
		const records = double.records('Contacts').length;
		const s360Sender = sender(TEMPLATE, { bucketSize: 2 });
		s360Sender.change(...noEmail);
		const before = await executionCount(TEMPLATE);
		await s360Sender.tick();
		expect(s360Sender.log.map((entry) => entry.status)).toEqual([200]);
		const [latest] = await n8n.waitForExecutions(TEMPLATE, before + 1);
		expect(latest.status).toBe('success');
		expect(double.records('Contacts')).toHaveLength(records);
	});

	it('writes an AUTHORIZATIONS opt-in to the boolean field chosen in Other Fields', async () => {
		const [contact] = s360Contacts('v2_21', 1, { prefix: 'opt-in', first: 9000 });
		const s360Sender = sender(TEMPLATE, { details: ['GENERAL', 'AUTHORIZATIONS'] });
		s360Sender.change(contact);
		await s360Sender.tick();
		expect(zohoRecords(emailOf(contact))).toEqual([expect.objectContaining({ Newsletter_Opt_In: true })]);
	});

	it('shows what to type into S-360’s form on the credential’s Test, without the token', async () => {
		const { data } = await n8n.testCredential(s360);
		expect(data.status).toBe('OK');
		expect(data.message).toContain('Custom parameters: token=<the token of this credential>');
		expect(data.message).not.toContain(S360_TOKEN);
	});
});
