/**
 * The S-360 ⇄ Zoho CRM two-way template in n8n's queue mode: both triggers run in the webhook
 * process, whose memory never holds what the workers wrote, and the writes run on two workers
 * (test/harness/queue.ts). The loop is closed as the real services close it: S-360's contact
 * service and its firehose are one system, and Zoho notifies the trigger's channel of the records
 * the upsert wrote, through the load balancer that sends the public webhook URL to the webhook
 * process. With the template as shipped, a change is written once and its echo writes nothing:
 * - an S-360 change's echo from Zoho reaches S-360 Save Contact, which reads the contact, finds
 *   every value already there and saves nothing (`unchanged`);
 * - a Zoho change's echo from S-360 reaches Zoho CRM Upsert Contact, which finds the state S-360
 *   Save Contact's write left in n8n's deduplication store and sends nothing (`echo`).
 * Each echo costs a run (the webhook process cannot tell it), never a write. Convergence is shown
 * by counting: the firehose is ticked until nothing is queued, then QUIET_TICKS more times in
 * which no call, delivery or run may happen.
 */
import { readFileSync } from 'node:fs';

import { QueueDeployment } from '../harness/queue';
import { S360ContactDouble, type S360Partner, type StoredContact } from '../doubles/s360ContactDouble';
import { S360Sender } from '../doubles/s360Sender';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications } from '../doubles/zohoNotifications';
import { triggerPath } from '../e2e/fixtures/meheryFixtures';
import { S360_TOKEN, s360TokenCredential, s360WebhookPath } from '../e2e/fixtures/s360Fixtures';
import { s360ContactCredential } from '../e2e/fixtures/s360SaveFixtures';
import { twoWayTemplateWorkflow, twoWayWebhookIds } from '../e2e/fixtures/twoWayFixtures';
import { zohoDoubleCredential } from '../e2e/fixtures/workflows';

const WORKFLOW = 'queue-two-way';
const CLIENT = { clientId: 'queue-two-way-client', clientSecret: 'queue-two-way-secret-71c3' };
const PARTNER: S360Partner = { institution: 'QUEUE2WAY', virtualOperator: 'MOSA_B2C', partnerName: 'ContactSync', secret: 's360-queue-two-way-secret-4e8b1d' };
const DETAILS = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'];
const QUIET_TICKS = 3;
const MAX_TICKS = 6;
const BUSY = ['running', 'new', 'waiting'];

interface Counts {
	zohoUpsertRecords: number;
	s360Saves: number;
	runs: number;
	/** Items a writer did not send because they only reported back the workflow's own write. */
	echoSkips: number;
	/** Items S-360 Save Contact did not send because S-360 already held every value. */
	unchanged: number;
	firehosePosts: number;
	notifications: number;
}

describe('S-360 ⇄ Zoho CRM two-way sync in queue mode: triggers on the webhook process, writes on two workers', () => {
	const zoho = new ZohoDouble({ clients: [{ ...CLIENT, refreshTokens: ['queue-two-way-refresh'] }] });
	const contacts = new S360ContactDouble({ partner: PARTNER, limit: 10_000 });
	let deployment: QueueDeployment;
	// The load balancer: the channel's notify URL is n8n's public webhook URL, served by the webhook process.
	const notifications = new ZohoNotifications(zoho, { retryDelayMs: 3_000, route: (url) => url.replace(deployment.main.baseUrl, deployment.webhook.baseUrl) });
	let sender: S360Sender;
	let zohoPath: string;

	async function runs() {
		return await deployment.main.executions(WORKFLOW);
	}

	/** Every item the workflow's writers answered, in the runs not in `seen`. */
	async function writerStatuses(seen: Set<string>): Promise<string[]> {
		const statuses: string[] = [];
		for (const execution of await runs()) {
			if (seen.has(execution.id)) continue;
			for (const writer of ['Zoho CRM Upsert Contact', 'S-360 Save Contact']) {
				const [output = []] = await deployment.main.nodeOutput(execution.id, writer);
				for (const item of output) statuses.push(String((item as { status?: unknown }).status));
			}
		}
		return statuses;
	}

	async function snapshot() {
		const executions = await runs();
		return {
			zohoUpsertRecords: zoho.countersFor('us').recordsReceived,
			s360Saves: [...contacts.contacts.values()].reduce((sum, contact) => sum + contact.saves, 0),
			runIds: new Set(executions.map((execution) => execution.id)),
			calls: contacts.calls.length + zoho.requests.length,
			firehosePosts: sender.log.length,
			notifications: notifications.deliveries.filter((delivery) => delivery.url.includes(zohoPath)).length,
		};
	}

	/** Every Zoho delivery answered, every retry due sent, and no run of the workflow in progress. */
	async function quiescent(): Promise<void> {
		for (;;) {
			await notifications.settled();
			await deployment.main.waitUntil(async () => (await runs()).every((execution) => !BUSY.includes(execution.status)), 'no run in progress');
			if (notifications.pendingRetries > 0) {
				await deployment.main.waitUntil(async () => notifications.pendingRetries === 0, 'Zoho’s retries sent', 60_000);
				continue;
			}
			await notifications.settled();
			if (notifications.pendingRetries === 0) return;
		}
	}

	/** Ticks the firehose until nothing is queued anywhere; false when it still circulates after MAX_TICKS. */
	async function settle(): Promise<boolean> {
		for (let ticks = 0; ; ticks++) {
			await quiescent();
			if (sender.pending === 0) return true;
			if (ticks >= MAX_TICKS) return false;
			await nextSecond();
			await sender.tick();
		}
	}

	/** Waits for the next wall-clock second: Zoho's Modified_Time has whole seconds, so each lap's is new. */
	async function nextSecond(): Promise<void> {
		const second = Math.floor(Date.now() / 1000);
		await deployment.main.waitUntil(async () => Math.floor(Date.now() / 1000) > second, 'the next second');
	}

	/** The scenario's figures; then QUIET_TICKS ticks in which nothing may happen. */
	async function measure(before: Awaited<ReturnType<typeof snapshot>>): Promise<{ counts: Counts; quiet: { before: unknown; after: unknown } }> {
		const after = await snapshot();
		const statuses = await writerStatuses(before.runIds);
		const counts: Counts = {
			zohoUpsertRecords: after.zohoUpsertRecords - before.zohoUpsertRecords,
			s360Saves: after.s360Saves - before.s360Saves,
			runs: after.runIds.size - before.runIds.size,
			echoSkips: statuses.filter((status) => status === 'echo').length,
			unchanged: statuses.filter((status) => status === 'unchanged').length,
			firehosePosts: after.firehosePosts - before.firehosePosts,
			notifications: after.notifications - before.notifications,
		};
		const quietBefore = await snapshot();
		for (let tick = 0; tick < QUIET_TICKS; tick++) {
			await nextSecond();
			await sender.tick();
			await quiescent();
		}
		const quietAfter = await snapshot();
		const comparable = (snap: typeof quietBefore) => ({ ...snap, runIds: snap.runIds.size });
		return { counts, quiet: { before: comparable(quietBefore), after: comparable(quietAfter) } };
	}

	function executionsPerWorker(): number[] {
		return deployment.workers.map((worker) => (readFileSync(worker.logFile, 'utf8').match(/Worker started execution/g) ?? []).length);
	}

	beforeAll(async () => {
		await Promise.all([zoho.start(), contacts.start()]);
		const credentials = {
			s360Firehose: s360TokenCredential('queue-two-way-firehose', 'query'),
			s360Contact: s360ContactCredential('queue-two-way-contact', contacts, PARTNER, { rateLimit: 10_000, rateWindowSeconds: 60 }),
			zoho: zohoDoubleCredential('queue-two-way-zoho', zoho, CLIENT, { region: 'us', refreshToken: 'queue-two-way-refresh' }),
		};
		deployment = await QueueDeployment.start({
			name: 'two-way',
			credentials: Object.values(credentials),
			workflows: [twoWayTemplateWorkflow(WORKFLOW, credentials, 'on')],
		});
		const hooks = twoWayWebhookIds(WORKFLOW);
		zohoPath = triggerPath(hooks.zoho);
		await deployment.webhook.waitForWebhook(s360WebhookPath(hooks.s360));
		await deployment.webhook.waitForWebhook(zohoPath);
		sender = new S360Sender({
			url: deployment.webhookUrl(s360WebhookPath(hooks.s360)),
			details: DETAILS,
			bucketSize: 100,
			auth: { type: 'customParameter', name: 'token', value: S360_TOKEN, in: 'query' },
			contacts,
		});
		// The main process subscribes the channel on publishing; the webhook process reads it from the database.
		await deployment.main.waitUntil(async () => notifications.liveChannels().some((channel) => channel.notifyUrl.includes(zohoPath)), 'the Zoho channel');
		const channel = notifications.liveChannels().find((candidate) => candidate.notifyUrl.includes(zohoPath))!;
		await deployment.main.waitUntil(async () => {
			const forged = { server_time: Date.now(), module: 'Contacts', ids: ['5725767000000000001'], operation: 'insert', channel_id: channel.channelId, token: 'not-the-channel-token' };
			const response = await fetch(deployment.webhookUrl(zohoPath), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
			return response.status === 401;
		}, 'the channel saved with the workflow, as the webhook process reads it');
	}, 300_000);

	afterAll(async () => {
		notifications.stop();
		await deployment?.stop();
		await Promise.all([zoho.stop(), contacts.stop()]);
	}, 120_000);

	let synced: { contact: StoredContact; email: string; zohoId: string } | undefined;

	it('(a) brings a contact changed in S-360 to Zoho once, and S-360 receives no save for it', async () => {
		const before = await snapshot();
		const contact = contacts.createInBackOffice({
			individualContact: { firstName: 'Ada', lastName: 'Lovelace-queue', email: 'queue-two-way-a@example.test', mobilePhoneNumber: '+41 79 555 01 01', birthDate: '1985-04-12', languageCode: 'fr' },
			addresses: [{ mainAddress: true, street1: 'Rue du Marché 12', zipCode: '1204', town: 'Genève', countryCode: 'CH' }],
			authorizations: [{ authorizationCode: 'NEWSLETTER', authorized: true }],
		});
		const email = String(contact.individualContact.email);
		expect(await settle()).toBe(true);
		const { counts, quiet } = await measure(before);
		console.log(`queue two-way (a) S-360 change: ${JSON.stringify({ ...counts, executionsPerWorker: executionsPerWorker() })}`);
		const records = zoho.records('Contacts', 'us').filter((record) => record.Email === email);
		expect(records).toEqual([expect.objectContaining({ First_Name: 'Ada', Last_Name: 'Lovelace-queue', Mobile: '+41 79 555 01 01' })]);
		expect(counts.zohoUpsertRecords).toBe(1);
		expect(counts.s360Saves).toBe(0);
		// Zoho's notification of the upsert starts a run in which S-360 Save Contact finds nothing to save.
		expect(counts.unchanged).toBe(1);
		expect(quiet.after).toEqual(quiet.before);
		synced = { contact, email, zohoId: records[0].id };
	});

	it('(b) brings the same contact, then edited in Zoho, to S-360 once, and Zoho receives no upsert back', async () => {
		expect(synced).toBeDefined();
		const { contact, email, zohoId } = synced!;
		const before = await snapshot();
		zoho.updateRecords('Contacts', [{ id: zohoId, fields: { First_Name: 'Augusta', Mobile: '+41 79 000 11 22' } }], 'us');
		expect(await settle()).toBe(true);
		const { counts, quiet } = await measure(before);
		console.log(`queue two-way (b) Zoho edit: ${JSON.stringify({ ...counts, executionsPerWorker: executionsPerWorker() })}`);
		expect(contacts.contacts.get(contact.contactNumber)?.individualContact).toMatchObject({ firstName: 'Augusta', mobilePhoneNumber: '+41 79 000 11 22' });
		expect(zoho.records('Contacts', 'us').filter((record) => record.Email === email)).toEqual([expect.objectContaining({ First_Name: 'Augusta' })]);
		expect(counts.s360Saves).toBe(1);
		expect(counts.zohoUpsertRecords).toBe(0);
		// S-360's push of that save starts a run in which Zoho CRM Upsert Contact recognises its echo.
		expect(counts.echoSkips).toBe(1);
		expect(quiet.after).toEqual(quiet.before);
	});

	it('ran every run of the workflow on the workers', async () => {
		const onWorkers = executionsPerWorker().reduce((sum, count) => sum + count, 0);
		expect(onWorkers).toBe((await runs()).length);
		expect(onWorkers).toBeGreaterThanOrEqual(4);
	});
});
