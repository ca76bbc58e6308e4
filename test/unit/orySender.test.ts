import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { OrySender, type OrySenderOptions } from '../doubles/orySender';

/** What the receiver does with one attempt: answer a status, or never answer. */
type Reaction = number | 'silent';

describe('OrySender (the Ory web_hook double)', () => {
	let server: Server;
	let url: string;
	let received: IncomingMessage['headers'][] = [];
	let reactions: Reaction[] = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				received.push(req.headers);
				const reaction = reactions.shift() ?? 200;
				if (reaction !== 'silent') res.writeHead(reaction).end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ory`;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	beforeEach(() => {
		received = [];
		reactions = [];
	});

	const sender = (options: Partial<OrySenderOptions> = {}) =>
		new OrySender({ url, headers: { 'content-type': 'application/json' }, backoffMs: () => 0, ...options });

	it('sends one attempt when the first answer is 200', async () => {
		const delivery = await sender().deliver('{}', 'trigger-1');
		expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual([200]);
		expect(received[0]['ory-webhook-trigger-id']).toBe('trigger-1');
	});

	it('retries a 5xx with the same trigger id and a new request id each attempt', async () => {
		reactions = [503, 500];
		const delivery = await sender().deliver('{}', 'trigger-2');
		expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual([503, 500, 200]);
		expect(received.map((headers) => headers['ory-webhook-trigger-id'])).toEqual(['trigger-2', 'trigger-2', 'trigger-2']);
		expect(new Set(received.map((headers) => headers['ory-webhook-request-id'])).size).toBe(3);
	});

	it('gives up after three attempts', async () => {
		reactions = [503, 503, 503, 503];
		const delivery = await sender().deliver('{}');
		expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual([503, 503, 503]);
		expect(delivery.final).toBe(503);
		expect(received).toHaveLength(3);
	});

	it('does not retry a 4xx other than 429, nor a 501', async () => {
		reactions = [400, 501, 429];
		expect((await sender().deliver('{}')).attempts.map((attempt) => attempt.outcome)).toEqual([400]);
		expect((await sender().deliver('{}')).attempts.map((attempt) => attempt.outcome)).toEqual([501]);
		expect((await sender().deliver('{}')).attempts.map((attempt) => attempt.outcome)).toEqual([429, 200]);
	});

	it('takes an attempt unanswered within its timeout as failed and sends the next one', async () => {
		reactions = ['silent'];
		const delivery = await sender({ timeoutMs: 300 }).deliver('{}', 'trigger-lost');
		expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 200]);
		expect(delivery.final).toBe(200);
	});
});
