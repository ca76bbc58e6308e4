import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { S360Sender, type S360SenderOptions } from '../doubles/s360Sender';
import { s360Contacts } from '../doubles/fixtures/s360/contacts';

interface Received {
	url: string;
	headers: IncomingMessage['headers'];
	body: unknown;
}

describe('S360Sender (the S-360 double)', () => {
	let server: Server;
	let url: string;
	let received: Received[] = [];
	let answers: number[] = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
				res.writeHead(answers.shift() ?? 200).end('ignored');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	});

	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
	});

	beforeEach(() => {
		received = [];
		answers = [];
	});

	const sender = (options: Partial<S360SenderOptions> = {}) => new S360Sender({ url, ...options });

	it('posts a bucket of one as a bare ContactDataResult', async () => {
		const s360 = sender();
		const [contact] = s360Contacts('v2_21', 1);
		s360.change(contact);
		await s360.tick();
		expect(received).toHaveLength(1);
		expect(received[0].body).toMatchObject({ contactNumber: contact.contactNumber });
	});

	it('splits a batch into buckets of the bucket size, posted as arrays', async () => {
		const s360 = sender({ bucketSize: 10 });
		s360.change(...s360Contacts('v2_21', 25));
		await s360.tick();
		expect(received.map((request) => (request.body as unknown[]).length)).toEqual([10, 10, 5]);
		expect(s360.counters).toMatchObject({ deliveries: 3, acknowledged: 3, contactsDelivered: 25 });
		expect(s360.pending).toBe(0);
	});

	it('processes at most the batch size per tick', async () => {
		const s360 = sender({ batchSize: 100, bucketSize: 50 });
		s360.change(...s360Contacts('v2_21', 150));
		await s360.tick();
		expect(s360.counters.contactsDelivered).toBe(100);
		expect(s360.pending).toBe(50);
	});

	it('wraps buckets under a key when asked', async () => {
		const s360 = sender({ bucketSize: 2, framing: 'wrapped', wrapperKey: 'contactDataResults' });
		s360.change(...s360Contacts('v2_21', 2));
		await s360.tick();
		expect(Object.keys(received[0].body as object)).toEqual(['contactDataResults']);
	});

	it('sends only the sections of the details list', async () => {
		const s360 = sender({ details: ['GENERAL', 'AUTHORIZATIONS'] });
		s360.change(...s360Contacts('v2_21', 1));
		await s360.tick();
		const body = received[0].body as Record<string, unknown>;
		expect(body).toHaveProperty('individualContact');
		expect(body).toHaveProperty('authorizations');
		expect(body).not.toHaveProperty('addresses');
		expect(body).not.toHaveProperty('contactCriteria');
	});

	it('sends a contact changed twice before its tick once, with the latest data', async () => {
		const s360 = sender();
		const [first] = s360Contacts('v2_21', 1, { changedAt: '2026-11-30T09:00:00.000Z' });
		const [second] = s360Contacts('v2_21', 1, { changedAt: '2026-11-30T09:05:00.000Z' });
		s360.change(first);
		s360.change(second);
		await s360.tick();
		expect(received).toHaveLength(1);
		expect(received[0].body).toMatchObject({ lastModificationDate: '2026-11-30T09:05:00.000Z' });
	});

	it('retries a bucket answered 500 on the next tick and counts the retry', async () => {
		const s360 = sender();
		s360.change(...s360Contacts('v2_21', 1));
		answers = [500];
		await s360.tick();
		await s360.tick();
		expect(s360.counters).toMatchObject({ deliveries: 2, retries: 1, failures: 1, acknowledged: 1, drops: 0 });
	});

	it.each([201, 202, 204, 301, 400, 401, 413, 503])('treats an answer %i as a failure', async (status) => {
		const s360 = sender();
		s360.change(...s360Contacts('v2_21', 1));
		answers = [status];
		await s360.tick();
		expect(s360.counters.failures).toBe(1);
		expect(s360.pending).toBe(1);
	});

	it('drops a contact after 12 retries, warning after 8', async () => {
		const s360 = sender();
		s360.change(...s360Contacts('v2_21', 1));
		answers = Array.from({ length: 20 }, () => 500);
		await s360.drain(20);
		expect(s360.counters).toMatchObject({ deliveries: 13, retries: 12, drops: 1, warnings: 1, acknowledged: 0 });
		expect(s360.dropped).toEqual(['100001']);
	});

	it('counts no answer within the processing timeout as a failure', async () => {
		const silent = createServer(() => undefined);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const s360 = new S360Sender({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, processingTimeoutMs: 200 });
		s360.change(...s360Contacts('v2_21', 1));
		const [entry] = await s360.tick();
		silent.closeAllConnections();
		await new Promise((resolve) => silent.close(resolve));
		expect(entry.status).toBe(0);
		expect(s360.counters.failures).toBe(1);
	});

	it('sends Login/Password as basic auth', async () => {
		const s360 = sender({ auth: { type: 'basic', login: 's360', password: 'pw' } });
		s360.change(...s360Contacts('v2_21', 1));
		await s360.tick();
		expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('s360:pw').toString('base64')}`);
	});

	it('sends a custom parameter in the query string or as a header', async () => {
		const inQuery = sender({ auth: { type: 'customParameter', name: 'token', value: 'a b&c', in: 'query' } });
		const inHeader = sender({ auth: { type: 'customParameter', name: 'token', value: 'abc', in: 'header' } });
		inQuery.change(...s360Contacts('v2_21', 1));
		inHeader.change(...s360Contacts('v2_21', 1));
		await inQuery.tick();
		await inHeader.tick();
		expect(received[0].url).toBe('/hook?token=a+b%26c');
		expect(received[1].headers.token).toBe('abc');
	});
});
