/**
 * The S-360 ⇄ Zoho CRM two-way template in a real n8n with every double live at once, closing
 * the loop as the real services do: S-360's contact service and its firehose are one system (a
 * contact S-360 Save Contact wrote is pushed back to the S-360 trigger with its current data), and
 * Zoho notifies the Zoho CRM Trigger's channel of the records Zoho CRM Upsert Contact wrote. With
 * the echo guard on (the template as shipped) a change is written once and nothing circulates.
 *
 * Convergence is shown by counting, never by timing: after a scenario the spec ticks the firehose
 * until nothing is queued, no Zoho delivery is in flight or due, and no run is in progress; then
 * it ticks QUIET_TICKS more times and requires that no call, delivery or run happened.
 *
 * Each scenario logs writes per system (Zoho upsert records, S-360 saves), runs, and echoes
 * dropped (an `echoesDropped` number in a trigger's answer or in its first output item).
 *
 * TWO_WAY_GUARD_OFF=1 also measures scenario (c) with the guard off (Drop Echoes off, When Older
 * Than Target 'write') for GUARD_OFF_TICKS firehose ticks: the figure of what the guard prevents.
 * It is opt-in: the loop never ends by itself, so it costs a bounded but long run.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { S360ContactDouble, type S360Partner, type StoredContact } from '../doubles/s360ContactDouble';
import { S360Sender } from '../doubles/s360Sender';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications } from '../doubles/zohoNotifications';
import { triggerPath } from './fixtures/meheryFixtures';
import { S360_TOKEN, s360TokenCredential, s360WebhookPath } from './fixtures/s360Fixtures';
import { s360ContactCredential } from './fixtures/s360SaveFixtures';
import { twoWayTemplateWorkflow, twoWayWebhookIds } from './fixtures/twoWayFixtures';
import { zohoDoubleCredential } from './fixtures/workflows';

const CLIENT = { clientId: 'two-way-client', clientSecret: 'two-way-secret-5e1c' };
const SECRET = 's360-two-way-secret-9a4d2c';
const DETAILS = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'];
/** Firehose ticks after convergence in which nothing may happen. */
const QUIET_TICKS = 3;
/** Firehose ticks a scenario may take before it is called circulating. */
const MAX_TICKS = 6;
const GUARD_OFF = process.env.TWO_WAY_GUARD_OFF === '1';
const GUARD_OFF_TICKS = Number(process.env.TWO_WAY_GUARD_OFF_TICKS ?? 4);
const BUSY = ['running', 'new', 'waiting'];
const S360_TRIGGER = 'S-360 Firehose Trigger';
const ZOHO_TRIGGER = 'Zoho CRM Trigger';

const partner = (institution: string): S360Partner => ({ institution, virtualOperator: 'MOSA_B2C', partnerName: 'ContactSync', secret: SECRET });

/** One two-way sync: a workflow, its S-360 (contact service + firehose) and its Zoho region. */
interface Loop {
	label: string;
	workflowId: string;
	region: string;
	contacts: S360ContactDouble;
	sender: S360Sender;
	zohoUrl: string;
}

interface Snapshot {
	zohoUpsertRecords: number;
	zohoUpsertCalls: number;
	/** Saves S-360 applied (creates and updates). */
	s360Saves: number;
	/** saveIndividualContactData calls, refused ones (a token S-360 found too old ...) included. */
	s360SaveCalls: number;
	s360Calls: number;
	runs: number;
	runIds: Set<string>;
	firehosePosts: number;
	notifications: number;
}

interface ScenarioCounts {
	zohoUpsertRecords: number;
	zohoUpsertCalls: number;
	s360Saves: number;
	s360SaveCalls: number;
	/** HTTP status → count of the save calls not answered 200. */
	s360RefusedSaves: Record<string, number>;
	runs: number;
	echoesDropped: number;
	firehosePosts: number;
	notifications: number;
	ticks: number;
	converged: boolean;
}

/** Every `echoesDropped` number in a value (a trigger's answer or output item). */
function echoesIn(value: unknown): number {
	if (Array.isArray(value)) return value.reduce((sum: number, entry) => sum + echoesIn(entry), 0);
	if (!value || typeof value !== 'object') return 0;
	const record = value as Record<string, unknown>;
	if (typeof record.echoesDropped === 'number') return record.echoesDropped;
	return 0;
}

function parsed(text: string | undefined): unknown {
	try {
		return text ? (JSON.parse(text) as unknown) : undefined;
	} catch {
		return undefined;
	}
}

describe('S-360 ⇄ Zoho CRM two-way sync in a real n8n', () => {
	const zoho = new ZohoDouble({ clients: [{ ...CLIENT, refreshTokens: ['refresh-on', 'refresh-off'] }] });
	const notifications = new ZohoNotifications(zoho, { retryDelayMs: 3_000 });
	const guardOn = { contacts: new S360ContactDouble({ partner: partner('TWOWAY'), limit: 10_000 }), region: 'us', workflowId: 'two-way' };
	const guardOff = { contacts: new S360ContactDouble({ partner: partner('TWOWAYOFF'), limit: 10_000 }), region: 'eu', workflowId: 'two-way-off' };
	let n8n: N8nProcess;
	let on: Loop;
	let off: Loop;

	function loopFor(setup: typeof guardOn, label: string): Loop {
		const hooks = twoWayWebhookIds(setup.workflowId);
		return {
			label,
			workflowId: setup.workflowId,
			region: setup.region,
			contacts: setup.contacts,
			// One bucket per tick (up to S-360's batch of 100), so a tick is one delivery and at most one run.
			sender: new S360Sender({
				url: n8n.webhookUrl(s360WebhookPath(hooks.s360)),
				details: DETAILS,
				bucketSize: 100,
				auth: { type: 'customParameter', name: 'token', value: S360_TOKEN, in: 'query' },
				contacts: setup.contacts,
			}),
			zohoUrl: n8n.webhookUrl(triggerPath(hooks.zoho)),
		};
	}

	async function snapshot(loop: Loop): Promise<Snapshot> {
		const region = zoho.countersFor(loop.region);
		const executions = await n8n.executions(loop.workflowId);
		return {
			zohoUpsertRecords: region.recordsReceived,
			zohoUpsertCalls: region.upsertCalls,
			s360Saves: [...loop.contacts.contacts.values()].reduce((sum, contact) => sum + contact.saves, 0),
			s360SaveCalls: loop.contacts.calls.filter((call) => call.method === 'saveIndividualContactData').length,
			s360Calls: loop.contacts.calls.length,
			runs: executions.length,
			runIds: new Set(executions.map((execution) => execution.id)),
			firehosePosts: loop.sender.log.length,
			notifications: notifications.deliveries.filter((delivery) => delivery.url.startsWith(loop.zohoUrl)).length,
		};
	}

	async function idle(loop: Loop): Promise<void> {
		await n8n.waitUntil(async () => (await n8n.executions(loop.workflowId)).every((execution) => !BUSY.includes(execution.status)), `no run of ${loop.workflowId} in progress`);
	}

	/** Waits until every Zoho delivery started is answered, every retry due is sent, and no run is in progress. */
	async function quiescent(loop: Loop): Promise<void> {
		for (;;) {
			await notifications.settled();
			await idle(loop);
			if (notifications.pendingRetries > 0) {
				await n8n.waitUntil(async () => notifications.pendingRetries === 0, 'Zoho’s retries sent', 60_000);
				continue;
			}
			await notifications.settled();
			if (notifications.pendingRetries === 0) return;
		}
	}

	/** Ticks the firehose until nothing is queued anywhere; false when it still circulates after `maxTicks`. */
	async function settle(loop: Loop, maxTicks = MAX_TICKS): Promise<{ ticks: number; converged: boolean }> {
		let ticks = 0;
		for (;;) {
			await quiescent(loop);
			if (loop.sender.pending === 0) return { ticks, converged: true };
			if (ticks >= maxTicks) return { ticks, converged: false };
			await nextSecond();
			await loop.sender.tick();
			ticks += 1;
		}
	}

	/** QUIET_TICKS more ticks after convergence: whether any call, delivery or run happened. */
	async function quietWindow(loop: Loop): Promise<{ before: Snapshot; after: Snapshot }> {
		const before = await snapshot(loop);
		for (let tick = 0; tick < QUIET_TICKS; tick++) {
			await nextSecond();
			await loop.sender.tick();
			await quiescent(loop);
		}
		return { before, after: await snapshot(loop) };
	}

	/** What happened since `before`, the echoes dropped read from the triggers' answers and new runs' first items. */
	async function counts(loop: Loop, before: Snapshot, progress: { ticks: number; converged: boolean }, readRuns = true): Promise<ScenarioCounts> {
		const after = await snapshot(loop);
		let echoesDropped = 0;
		for (const entry of loop.sender.log.slice(before.firehosePosts)) echoesDropped += echoesIn(parsed(entry.answer));
		const delivered = notifications.deliveries.filter((delivery) => delivery.url.startsWith(loop.zohoUrl)).slice(before.notifications);
		for (const delivery of delivered) echoesDropped += echoesIn(parsed(delivery.answer));
		if (readRuns) {
			for (const id of after.runIds) {
				if (before.runIds.has(id)) continue;
				for (const trigger of [S360_TRIGGER, ZOHO_TRIGGER]) {
					const [[first] = []] = await n8n.nodeOutput(id, trigger);
					echoesDropped += echoesIn(first);
				}
			}
		}
		return {
			zohoUpsertRecords: after.zohoUpsertRecords - before.zohoUpsertRecords,
			zohoUpsertCalls: after.zohoUpsertCalls - before.zohoUpsertCalls,
			s360Saves: after.s360Saves - before.s360Saves,
			s360SaveCalls: after.s360SaveCalls - before.s360SaveCalls,
			s360RefusedSaves: loop.contacts.calls
				.filter((call) => call.method === 'saveIndividualContactData')
				.slice(before.s360SaveCalls)
				.filter((call) => call.status !== 200)
				.reduce<Record<string, number>>((tally, call) => ({ ...tally, [call.status]: (tally[call.status] ?? 0) + 1 }), {}),
			runs: after.runs - before.runs,
			echoesDropped,
			firehosePosts: after.firehosePosts - before.firehosePosts,
			notifications: after.notifications - before.notifications,
			...progress,
		};
	}

	function log(scenario: string, figures: ScenarioCounts): void {
		process.stdout.write(`\ntwo-way ${scenario}: ${JSON.stringify(figures)}\n`);
	}

	/** Stops what a failed scenario left circulating, so the next one starts clean. */
	async function stopCirculation(loop: Loop): Promise<void> {
		notifications.release();
		loop.sender.discardQueue();
		await quiescent(loop);
		loop.sender.discardQueue();
	}

	// Emails compare as Zoho's duplicate check does: without case.
	const zohoRecordsOf = (loop: Loop, email: string) => zoho.records('Contacts', loop.region).filter((record) => String(record.Email).toLowerCase() === email.toLowerCase());
	const s360ContactOf = (loop: Loop, email: string): StoredContact | undefined => loop.contacts.contactByEmail(email)[0];

	let nextContact = 1;
	/** A contact created in S-360's back office: first name, last name, email, mobile, birth date, address, newsletter opt-in. */
	function createdInS360(loop: Loop, label: string): StoredContact {
		const n = nextContact++;
		return loop.contacts.createInBackOffice({
			individualContact: {
				firstName: `Ada${n}`,
				lastName: `Lovelace-${label}`,
				email: `${label}-${n}@example.test`,
				mobilePhoneNumber: `+41 79 555 ${String(n).padStart(2, '0')} ${String(n).padStart(2, '0')}`,
				birthDate: '1985-04-12',
				languageCode: 'fr',
			},
			addresses: [{ mainAddress: true, street1: 'Rue du Marché 12', zipCode: '1204', town: 'Genève', countryCode: 'CH' }],
			authorizations: [{ authorizationCode: 'NEWSLETTER', authorized: true }],
		});
	}

	/** A contact created in S-360 and synced to Zoho; its Zoho record id. */
	async function syncedContact(loop: Loop, label: string): Promise<{ contact: StoredContact; email: string; zohoId: string }> {
		const contact = createdInS360(loop, label);
		const email = String(contact.individualContact.email);
		await settle(loop);
		await stopCirculation(loop);
		const [record] = zohoRecordsOf(loop, email);
		if (!record) {
			const runs = (await n8n.executions(loop.workflowId)).slice(0, 3).map((execution) => `${execution.id}:${execution.status}`);
			const posts = loop.sender.log.slice(-3).map((entry) => `${entry.contactNumbers.length} contacts → ${entry.status} ${entry.answer ?? ''}`);
			throw new Error(`${email} did not reach Zoho; last firehose posts: ${posts.join(' | ')}; last runs: ${runs.join(', ')}`);
		}
		return { contact, email, zohoId: record.id };
	}

	/** Waits for the wall clock's next second: Zoho's Modified_Time has whole seconds, so an edit after it is strictly newer. */
	async function nextSecondAfter(zohoTime: string): Promise<void> {
		const second = Math.floor(Date.parse(zohoTime) / 1000);
		await n8n.waitUntil(async () => Math.floor(Date.now() / 1000) > second, 'the next second');
	}

	/**
	 * S-360's firehose runs once a minute, so two laps of an echo never share a Zoho Modified_Time
	 * second. Ticks here follow each other at once: each waits for the next second, else an echo
	 * whose Modified_Time and content equal the previous lap's looks like Zoho redelivering it, and
	 * the Zoho trigger's redelivery check stops the loop by luck, not by the guard.
	 */
	async function nextSecond(): Promise<void> {
		await nextSecondAfter(new Date().toISOString());
	}

	beforeAll(async () => {
		await Promise.all([zoho.start(), guardOn.contacts.start(), guardOff.contacts.start()]);
		const credentials = (setup: typeof guardOn, suffix: string) => ({
			s360Firehose: s360TokenCredential(`s360-firehose-${suffix}`, 'query'),
			s360Contact: s360ContactCredential(`s360-contact-${suffix}`, setup.contacts, partner(suffix === 'on' ? 'TWOWAY' : 'TWOWAYOFF'), { rateLimit: 10_000, rateWindowSeconds: 60 }),
			zoho: zohoDoubleCredential(`zoho-${suffix}`, zoho, CLIENT, { region: setup.region, refreshToken: `refresh-${suffix}` }),
		});
		const onCredentials = credentials(guardOn, 'on');
		const offCredentials = credentials(guardOff, 'off');
		const workflows = [twoWayTemplateWorkflow(guardOn.workflowId, onCredentials, 'on')];
		if (GUARD_OFF) workflows.push(twoWayTemplateWorkflow(guardOff.workflowId, offCredentials, 'off'));
		n8n = await startN8n({
			name: 'two-way',
			credentials: [...Object.values(onCredentials), ...(GUARD_OFF ? Object.values(offCredentials) : [])],
			workflows,
		});
		on = loopFor(guardOn, 'guard on');
		off = loopFor(guardOff, 'guard off');
		for (const loop of GUARD_OFF ? [on, off] : [on]) {
			const hooks = twoWayWebhookIds(loop.workflowId);
			await n8n.waitForWebhook(s360WebhookPath(hooks.s360));
			await n8n.waitForWebhook(triggerPath(hooks.zoho));
			// n8n registers the path before the trigger subscribes; until the channel is saved with the workflow, a notification is answered 503.
			await n8n.waitUntil(async () => notifications.liveChannels().some((channel) => channel.notifyUrl === loop.zohoUrl), `the Zoho channel of ${loop.workflowId}`);
			await n8n.waitUntil(async () => {
				const channel = notifications.liveChannels().find((candidate) => candidate.notifyUrl === loop.zohoUrl)!;
				const forged = { server_time: Date.now(), module: 'Contacts', ids: ['5725767000000000001'], operation: 'insert', channel_id: channel.channelId, token: 'not-the-channel-token' };
				const response = await fetch(loop.zohoUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
				return response.status === 401;
			}, `the channel of ${loop.workflowId} saved with the workflow`);
		}
	});

	afterAll(async () => {
		notifications.stop();
		await n8n?.stop();
		await Promise.all([zoho.stop(), guardOn.contacts.stop(), guardOff.contacts.stop()]);
	});

	describe('with the echo guard on (the template as shipped)', () => {
		afterEach(async () => await stopCirculation(on));

		let first: { email: string; zohoId?: string } | undefined;

		it('(a) brings a contact changed in S-360 to Zoho once, and S-360 receives no save for it', async () => {
			const before = await snapshot(on);
			const contact = createdInS360(on, 'a');
			const email = String(contact.individualContact.email);
			const progress = await settle(on);
			const quiet = await quietWindow(on);
			const figures = await counts(on, before, progress);
			log('(a) S-360 change, guard on', figures);
			const records = zohoRecordsOf(on, email);
			first = { email, zohoId: records[0]?.id };
			const upserts = zoho.requests.filter((request) => request.region === on.region && request.path.includes('/upsert'));
			process.stdout.write(`two-way (a) Zoho upsert sent: ${JSON.stringify((upserts[upserts.length - 1]?.body as { data?: unknown[] })?.data?.[0])}\ntwo-way (a) Zoho record stored: ${JSON.stringify(records[0])}\n`);
			expect(progress.converged).toBe(true);
			expect(records).toEqual([
				expect.objectContaining({ First_Name: contact.individualContact.firstName, Last_Name: contact.individualContact.lastName, Mobile: contact.individualContact.mobilePhoneNumber, Date_of_Birth: '1985-04-12' }),
			]);
			expect(figures.zohoUpsertRecords).toBe(1);
			expect(figures.s360Saves).toBe(0);
			expect(quiet.after).toEqual(quiet.before);
		});

		it('(b) brings the same contact, then edited in Zoho, to S-360 once, and Zoho receives no upsert back', async () => {
			expect(first?.zohoId).toBeDefined();
			const { email, zohoId } = first as { email: string; zohoId: string };
			const before = await snapshot(on);
			zoho.updateRecords('Contacts', [{ id: zohoId, fields: { First_Name: 'Augusta', Mobile: '+41 79 000 11 22' } }], on.region);
			const progress = await settle(on);
			const quiet = await quietWindow(on);
			const figures = await counts(on, before, progress);
			log('(b) Zoho edit, guard on', figures);
			const stored = s360ContactOf(on, email);
			const saves = on.contacts.calls.filter((call) => call.method === 'saveIndividualContactData');
			process.stdout.write(
				`two-way (b) S-360 save sent: ${JSON.stringify(saves[saves.length - 1]?.body)}\ntwo-way (b) S-360 pushes back: ${JSON.stringify(stored && on.contacts.contactData(stored.contactNumber))}\n`,
			);
			expect(progress.converged).toBe(true);
			expect(stored?.individualContact).toMatchObject({ firstName: 'Augusta', mobilePhoneNumber: '+41 79 000 11 22' });
			expect(figures.s360Saves).toBe(1);
			expect(figures.zohoUpsertRecords).toBe(0);
			expect(quiet.after).toEqual(quiet.before);
		});

		it('(c) 100 contacts changed in S-360 and 100 others in Zoho at once: every change in both systems, 200 writes, bounded runs, then nothing', async () => {
			const scenario = await concurrentChanges(on, 'c-on');
			const quiet = await quietWindow(on);
			const figures = await counts(on, scenario.before, scenario.progress);
			log('(c) 100 + 100 changes, guard on', figures);
			expect(scenario.progress.converged).toBe(true);
			scenario.expectEveryChangeInBothSystems();
			expect(figures.zohoUpsertRecords + figures.s360Saves).toBe(200);
			expect(figures.zohoUpsertRecords).toBe(100);
			expect(figures.s360Saves).toBe(100);
			// The changes travel in one firehose bucket and one notification; echoes start no run. Each may be split once.
			expect(figures.runs).toBeLessThanOrEqual(4);
			expect(quiet.after).toEqual(quiet.before);
		});

		describe('(d) an edit in Zoho and a newer one in S-360 of the same contact within the same minute', () => {
			async function race(order: 'zohoFirst' | 's360First'): Promise<void> {
				const { contact, email, zohoId } = await syncedContact(on, `d-${order.toLowerCase()}`);
				const before = await snapshot(on);
				notifications.hold();
				const [edited] = zoho.updateRecords('Contacts', [{ id: zohoId, fields: { First_Name: 'Older-Zoho' } }], on.region);
				await nextSecondAfter(edited.Modified_Time);
				on.contacts.editInBackOffice(contact.contactNumber, { individualContact: { firstName: 'Newer-S360' } });
				if (order === 'zohoFirst') {
					// The older Zoho edit's notification arrives and runs before S-360 pushes its newer edit.
					notifications.release();
					await quiescent(on);
				} else {
					// S-360 pushes its newer edit first; Zoho's notifications (its edit, then the upsert's) arrive after.
					await on.sender.tick();
					notifications.release();
				}
				const progress = await settle(on);
				if (order === 's360First') progress.ticks += 1;
				const quiet = await quietWindow(on);
				const figures = await counts(on, before, progress);
				log(`(d) race, ${order === 'zohoFirst' ? 'older Zoho notification first' : 'newer S-360 push first'}, guard on`, figures);
				process.stdout.write(`two-way (d ${order}) end: Zoho ${String(zohoRecordsOf(on, email)[0]?.First_Name)}, S-360 ${String(s360ContactOf(on, email)?.individualContact.firstName)}\n`);
				expect(progress.converged).toBe(true);
				// The newer S-360 value is written into Zoho once; the older Zoho value is never saved into S-360.
				expect(figures.zohoUpsertRecords).toBe(1);
				expect(figures.s360Saves).toBe(0);
				expect(zohoRecordsOf(on, email)).toEqual([expect.objectContaining({ First_Name: 'Newer-S360' })]);
				expect(s360ContactOf(on, email)?.individualContact).toMatchObject({ firstName: 'Newer-S360' });
				expect(quiet.after).toEqual(quiet.before);
			}

			// S-360 Save Contact reads the contact first: S-360's modification time, of an edit n8n has not
			// seen yet, is newer than the Zoho edit, so the older change is skipped and S-360's push wins.
			it('ends with the newer S-360 value in both systems when the older Zoho edit’s notification arrives first', async () => {
				await race('zohoFirst');
			});

			it('ends with the newer S-360 value in both systems when the newer S-360 push arrives first', async () => {
				await race('s360First');
			});
		});
	});

	/**
	 * 100 contacts in sync in both systems changed in S-360's back office and 100 others changed
	 * by a mass update in Zoho, then delivered at once: the firehose's tick and Zoho's notification.
	 */
	async function concurrentChanges(loop: Loop, label: string, maxTicks = MAX_TICKS) {
		const pairs = Array.from({ length: 200 }, (_, i) => ({ i, email: `${label}-${i}@example.test`, lastName: `Pair-${label}-${i}`, firstName: `Start${i}` }));
		const stored = pairs.map((pair) =>
			loop.contacts.seed({ individualContact: { firstName: pair.firstName, lastName: pair.lastName, email: pair.email, birthDate: '1980-01-01' }, lastModificationDate: '2026-12-05T08:00:00.000Z' }),
		);
		const records = zoho.seedRecords(
			'Contacts',
			pairs.map((pair) => ({ First_Name: pair.firstName, Last_Name: pair.lastName, Email: pair.email, Date_of_Birth: '1980-01-01', Modified_Time: '2026-12-05T09:00:00+01:00' })),
			loop.region,
		);
		const before = await snapshot(loop);
		notifications.hold();
		for (const index of pairs.slice(0, 100).map((pair) => pair.i)) loop.contacts.editInBackOffice(stored[index].contactNumber, { individualContact: { firstName: `S360-${index}` } });
		zoho.updateRecords('Contacts', pairs.slice(100).map((pair) => ({ id: records[pair.i].id, fields: { First_Name: `Zoho-${pair.i}` } })), loop.region);
		const firstTick = loop.sender.tick();
		notifications.release();
		await firstTick;
		const progress = await settle(loop, maxTicks);
		progress.ticks += 1;
		return {
			before,
			progress,
			expectEveryChangeInBothSystems(): void {
				const wrong = pairs.filter((pair) => {
					const wanted = pair.i < 100 ? `S360-${pair.i}` : `Zoho-${pair.i}`;
					const inZoho = zohoRecordsOf(loop, pair.email);
					return inZoho.length !== 1 || inZoho[0].First_Name !== wanted || s360ContactOf(loop, pair.email)?.individualContact.firstName !== wanted;
				});
				expect(wrong.map((pair) => pair.email)).toEqual([]);
			},
		};
	}

	(GUARD_OFF ? describe : describe.skip)('with the echo guard off (TWO_WAY_GUARD_OFF=1: the measurement for the README)', () => {
		afterAll(async () => await stopCirculation(off));

		it(`(c) circulates: writes and runs in ${GUARD_OFF_TICKS} firehose ticks after 100 + 100 changes`, async () => {
			const scenario = await concurrentChanges(off, 'c-off', GUARD_OFF_TICKS - 1);
			const figures = await counts(off, scenario.before, scenario.progress, false);
			log(`(c) 100 + 100 changes, guard OFF, ${scenario.progress.ticks} firehose ticks`, figures);
			expect(scenario.progress.converged).toBe(false);
			expect(figures.zohoUpsertRecords + figures.s360Saves).toBeGreaterThan(200);
		});
	});
});
