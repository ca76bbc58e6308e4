/**
 * The doubles close the loop as the real services do, so a two-way sync can be tested for echoes:
 * S-360's contact service and firehose are one system (a save is pushed back), and Zoho notifies
 * a watch channel of the records its own API wrote.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { asS360Credentials, signJwt } from '../../nodes/S360SaveContact/transport';
import { S360ContactDouble, S360_REST_PREFIX } from '../doubles/s360ContactDouble';
import { S360Sender } from '../doubles/s360Sender';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications } from '../doubles/zohoNotifications';

const PARTNER = { institution: 'LOOP', virtualOperator: 'LOOP_B2C', partnerName: 'ContactSync', secret: 's360-loop-secret-3e7a' };

interface Receiver {
	url: string;
	bodies: unknown[];
	/** Runs once a body arrived, before it is answered (while the sender waits). */
	beforeAnswer?: () => void;
	close: () => Promise<void>;
}

/** A receiver that answers 200 and keeps every JSON body. */
async function receiver(): Promise<Receiver> {
	const bodies: unknown[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			hook.beforeAnswer?.();
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const hook: Receiver = {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
		bodies,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
	return hook;
}

describe('S-360 as one system: the contact service feeds the firehose', () => {
	const contacts = new S360ContactDouble({ partner: PARTNER, limit: 1000 });
	let hook: Receiver;
	let sender: S360Sender;

	async function save(individualContactData: Record<string, unknown>): Promise<Record<string, unknown>> {
		const credentials = asS360Credentials({ ...PARTNER, baseUrl: contacts.baseUrl });
		const response = await fetch(`${contacts.baseUrl}${S360_REST_PREFIX}v2_21/saveIndividualContactData`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${signJwt(credentials)}` },
			body: JSON.stringify({ individualContactData }),
		});
		return (await response.json()) as Record<string, unknown>;
	}

	beforeAll(async () => {
		await contacts.start();
		hook = await receiver();
	});
	afterAll(async () => {
		await contacts.stop();
		await hook.close();
	});
	beforeEach(() => {
		contacts.reset();
		hook.bodies.length = 0;
		sender = new S360Sender({ url: hook.url, contacts, details: ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS'] });
	});

	it('queues a contact created through the contact service and pushes it as stored, with its modification time', async () => {
		const answer = await save({ individualContact: { lastName: 'Favre', email: 'lea@example.test', mobilePhoneNumber: '+41 79 555 12 12' } });
		expect(answer.statusCode).toBe('success');
		expect(sender.queuedContactNumbers()).toEqual([answer.contactNumber]);
		await sender.tick();
		const stored = contacts.contacts.get(String(answer.contactNumber))!;
		expect(hook.bodies).toEqual([
			expect.objectContaining({
				contactNumber: answer.contactNumber,
				individualContact: { lastName: 'Favre', email: 'lea@example.test', mobilePhoneNumber: '+41 79 555 12 12' },
				lastModificationDate: stored.lastModificationDate,
			}),
		]);
		expect(sender.pending).toBe(0);
	});

	it('queues every applied save, one that changed nothing included', async () => {
		const created = await save({ individualContact: { lastName: 'Same', email: 'same@example.test' } });
		await sender.tick();
		await save({ contactNumber: created.contactNumber, individualContact: { lastName: 'Same', email: 'same@example.test' } });
		expect(sender.queuedContactNumbers()).toEqual([created.contactNumber]);
	});

	it('queues no refused save', async () => {
		const answer = await save({ individualContact: { lastName: 'Bad', email: 'not-an-address' } });
		expect(answer.statusCode).toBe('INVALID_DATA');
		expect(sender.pending).toBe(0);
	});

	it('sends the data current at send time, not at the change', async () => {
		const created = await save({ individualContact: { lastName: 'Before', email: 'now@example.test' } });
		contacts.editInBackOffice(String(created.contactNumber), { individualContact: { lastName: 'After' } });
		await sender.tick();
		expect(hook.bodies).toEqual([expect.objectContaining({ individualContact: expect.objectContaining({ lastName: 'After' }) })]);
	});

	it('pushes a back-office edit with the new fields and a later modification time', async () => {
		const seeded = contacts.seed({ individualContact: { lastName: 'Office', email: 'office@example.test' }, lastModificationDate: '2026-12-01T10:00:00.000Z' });
		expect(sender.pending).toBe(0);
		contacts.editInBackOffice(seeded.contactNumber, { individualContact: { firstName: 'Edited' } }, new Date('2026-12-05T10:00:00.000Z'));
		await sender.tick();
		expect(hook.bodies).toEqual([
			expect.objectContaining({
				individualContact: { lastName: 'Office', email: 'office@example.test', firstName: 'Edited' },
				lastModificationDate: '2026-12-05T10:00:00.000Z',
			}),
		]);
	});

	it('answers opt-ins in S-360’s own form, whatever form the save sent', async () => {
		const created = await save({ individualContact: { lastName: 'Opt', email: 'opt@example.test' }, authorizations: [{ authorizationCode: 'NEWSLETTER', value: true }] });
		expect(contacts.contactData(String(created.contactNumber))?.authorizations).toEqual([
			{ authorizationCode: 'NEWSLETTER', authorized: true, lastUpdate: contacts.contacts.get(String(created.contactNumber))!.lastModificationDate },
		]);
	});

	it('sends a contact again that changed while its bucket was in flight', async () => {
		const created = await save({ individualContact: { lastName: 'Flight', email: 'flight@example.test' } });
		hook.beforeAnswer = () => contacts.editInBackOffice(String(created.contactNumber), { individualContact: { lastName: 'Landed' } });
		await sender.tick();
		hook.beforeAnswer = undefined;
		expect(hook.bodies[0]).toMatchObject({ individualContact: { lastName: 'Flight' } });
		expect(sender.queuedContactNumbers()).toEqual([created.contactNumber]);
		await sender.tick();
		expect(hook.bodies).toHaveLength(2);
		expect(hook.bodies[1]).toMatchObject({ individualContact: { lastName: 'Landed' } });
	});
});

describe('Zoho notifies of the records its own API wrote', () => {
	const zoho = new ZohoDouble();
	const notifications = new ZohoNotifications(zoho);
	let hook: Receiver;
	let token: string;

	async function api(method: string, resource: string, body: unknown): Promise<{ status: number; body: any }> {
		const response = await fetch(`${zoho.apiUrl()}/crm/v8/${resource}`, {
			method,
			headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${token}` },
			body: JSON.stringify(body),
		});
		return { status: response.status, body: await response.json() };
	}

	beforeAll(async () => {
		await zoho.start();
		hook = await receiver();
		token = zoho.mintAccessToken();
		const watch = await api('POST', 'actions/watch', { watch: [{ channel_id: 1001, events: ['Contacts.create', 'Contacts.edit'], notify_url: hook.url, token: 'loop' }] });
		expect(watch.status).toBe(200);
	});
	afterAll(async () => {
		notifications.stop();
		await zoho.stop();
		await hook.close();
	});
	beforeEach(() => {
		hook.bodies.length = 0;
	});

	it('notifies an upsert that changed a record, with Modified_Time bumped', async () => {
		const [seeded] = zoho.seedRecords('Contacts', [{ Last_Name: 'Api', Email: 'api@example.test', Modified_Time: '2026-01-01T00:00:00+00:00' }]);
		const answer = await api('POST', 'Contacts/upsert', { data: [{ Last_Name: 'Api', Email: 'api@example.test', First_Name: 'Changed' }] });
		expect(answer.body.data[0]).toMatchObject({ action: 'update', details: { id: seeded.id } });
		await notifications.settled();
		expect(hook.bodies).toEqual([expect.objectContaining({ operation: 'update', ids: [seeded.id], token: 'loop' })]);
		const [stored] = zoho.records('Contacts').filter((record) => record.id === seeded.id);
		expect(Date.parse(stored.Modified_Time)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
		expect(stored.First_Name).toBe('Changed');
	});

	it('notifies an upsert that changed no value too', async () => {
		const [seeded] = zoho.seedRecords('Contacts', [{ Last_Name: 'Same', Email: 'same@example.test', Modified_Time: '2026-01-01T00:00:00+00:00' }]);
		await api('POST', 'Contacts/upsert', { data: [{ Last_Name: 'Same', Email: 'same@example.test' }] });
		await notifications.settled();
		expect(hook.bodies).toEqual([expect.objectContaining({ operation: 'update', ids: [seeded.id] })]);
	});

	it('notifies a record inserted through the API', async () => {
		const answer = await api('POST', 'Contacts/upsert', { data: [{ Last_Name: 'New', Email: 'new@example.test' }] });
		await notifications.settled();
		expect(hook.bodies).toEqual([expect.objectContaining({ operation: 'insert', ids: [answer.body.data[0].details.id] })]);
	});

	it('notifies an edit made in Zoho’s UI', async () => {
		const [created] = zoho.createRecords('Contacts', [{ Last_Name: 'Ui', Email: 'ui@example.test' }]);
		await notifications.settled();
		zoho.updateRecords('Contacts', [{ id: created.id, fields: { Mobile: '+41 79 000 00 00' } }]);
		await notifications.settled();
		expect(hook.bodies).toEqual([
			expect.objectContaining({ operation: 'insert', ids: [created.id] }),
			expect.objectContaining({ operation: 'update', ids: [created.id], affected_fields: [{ [created.id]: ['Mobile'] }] }),
		]);
	});

	it('holds deliveries back until released, then sends them in the order of the changes', async () => {
		notifications.hold();
		const [first] = zoho.createRecords('Contacts', [{ Last_Name: 'First', Email: 'first@example.test' }]);
		const [second] = zoho.createRecords('Contacts', [{ Last_Name: 'Second', Email: 'second@example.test' }]);
		await notifications.settled();
		expect(hook.bodies).toHaveLength(0);
		expect(notifications.heldCount).toBe(2);
		notifications.release();
		await notifications.settled();
		expect(hook.bodies.map((body) => (body as { ids: string[] }).ids)).toEqual([[first.id], [second.id]]);
	});
});
