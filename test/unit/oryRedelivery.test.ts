/**
 * The shared redelivery ledger (nodes/shared/redelivery.ts) behind "a redelivery of a delivery
 * whose run succeeded gets the first answer, one whose run failed runs again, one that
 * arrives while the first runs waits for it": its states, its bounds, simultaneous claims,
 * and how it learns n8n's answer from the response object.
 */
import { createServer, request as httpRequest, type Server } from 'http';
import type { AddressInfo } from 'net';

import {
	claimDelivery,
	DeliveryLedger,
	deliveryId,
	forgetLedger,
	ledgerFor,
	REDELIVERY_MAX_KEYS,
	REDELIVERY_WINDOW_MS,
	replayAnswer,
	settleWithResponse,
	watchResponse,
	type RecordedAnswer,
} from '../../nodes/shared/redelivery';

const T0 = 1_700_000_000_000;
const UUID = '2f0c6a9e-51b4-4a67-9d0f-6f3c1b7e8a21';
const ANSWER: RecordedAnswer = { status: 200, body: Buffer.from('{"status":"accepted"}'), contentType: 'application/json' };

describe('deliveryId', () => {
	it('accepts a UUID', () => {
		expect(deliveryId(UUID)).toBe(UUID);
	});

	it('trims surrounding spaces', () => {
		expect(deliveryId(`  ${UUID} `)).toBe(UUID);
	});

	it.each([
		['absent', undefined],
		['empty', ''],
		['sent twice', [UUID, UUID]],
		['too long', 'a'.repeat(129)],
		['with spaces inside', 'a b'],
		['with a slash', 'a/b'],
		['with unicode', 'idé'],
	])('ignores an id that is %s', (_label, value) => {
		expect(deliveryId(value as string | string[] | undefined)).toBeNull();
	});
});

describe('DeliveryLedger', () => {
	it('answers new for a key it has not seen', () => {
		expect(new DeliveryLedger<RecordedAnswer>().begin(UUID, T0)).toEqual({ state: 'new' });
	});

	it('answers running, with a promise of the outcome, while the first delivery runs', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, T0);
		expect(ledger.begin(UUID, T0 + 1)).toEqual({ state: 'running', settled: expect.any(Promise) });
	});

	it('answers succeeded with the recorded answer once the run succeeded', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, T0);
		ledger.succeed(UUID, ANSWER, T0 + 5);
		expect(ledger.begin(UUID, T0 + 10)).toEqual({ state: 'succeeded', answer: ANSWER });
		expect(ledger.hasSucceeded(UUID, T0 + 10)).toBe(true);
	});

	it('forgets a key whose run failed, so its retry runs', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, T0);
		ledger.fail(UUID);
		expect(ledger.hasSucceeded(UUID, T0 + 1)).toBe(false);
		expect(ledger.begin(UUID, T0 + 1)).toEqual({ state: 'new' });
	});

	it('tells the waiters of a running key how it ended', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin('ok', T0);
		ledger.begin('ko', T0);
		const succeeded = ledger.begin('ok', T0);
		const failed = ledger.begin('ko', T0);
		ledger.succeed('ok', ANSWER, T0 + 1);
		ledger.fail('ko');
		expect(succeeded.state === 'running' && (await succeeded.settled)).toBe('succeeded');
		expect(failed.state === 'running' && (await failed.settled)).toBe('failed');
	});

	it('gives new to exactly one of simultaneous claims of a key', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		const states = Array.from({ length: 5 }, () => ledger.begin(UUID, T0).state);
		expect(states).toEqual(['new', 'running', 'running', 'running', 'running']);
	});

	it('keeps a succeeded key for the whole window', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, T0);
		ledger.succeed(UUID, ANSWER, T0);
		expect(ledger.begin(UUID, T0 + REDELIVERY_WINDOW_MS - 1).state).toBe('succeeded');
	});

	it('forgets a succeeded key once the window has passed', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, T0);
		ledger.succeed(UUID, ANSWER, T0);
		expect(ledger.hasSucceeded(UUID, T0 + REDELIVERY_WINDOW_MS)).toBe(false);
		expect(ledger.begin(UUID, T0 + REDELIVERY_WINDOW_MS).state).toBe('new');
	});

	it('releases the waiters of a run never settled within the window, as failed', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>({ windowMs: 1000 });
		ledger.begin(UUID, T0);
		const waiting = ledger.begin(UUID, T0 + 1);
		expect(ledger.begin(UUID, T0 + 1000).state).toBe('new');
		expect(waiting.state === 'running' && (await waiting.settled)).toBe('failed');
	});

	it('keeps the window at 24 hours and the bound at 1,000 keys by default', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		expect([ledger.windowMs, ledger.maxKeys]).toEqual([24 * 60 * 60 * 1000, 1000]);
		expect([REDELIVERY_WINDOW_MS, REDELIVERY_MAX_KEYS]).toEqual([24 * 60 * 60 * 1000, 1000]);
	});

	it('never keeps more succeeded keys than its bound, dropping the oldest first', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>({ maxKeys: 3 });
		['a', 'b', 'c', 'd'].forEach((key, index) => {
			ledger.begin(key, T0 + index);
			ledger.succeed(key, ANSWER, T0 + index);
		});
		expect(ledger.size).toBe(3);
		expect(ledger.hasSucceeded('a', T0 + 10)).toBe(false);
		expect(['b', 'c', 'd'].map((key) => ledger.hasSucceeded(key, T0 + 10))).toEqual([true, true, true]);
	});

	it('never drops a running key to make room', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>({ maxKeys: 1 });
		ledger.begin('running', T0);
		ledger.begin('done-1', T0);
		ledger.succeed('done-1', ANSWER, T0);
		ledger.begin('done-2', T0);
		ledger.succeed('done-2', ANSWER, T0);
		expect(ledger.begin('running', T0 + 1).state).toBe('running');
		expect(ledger.hasSucceeded('done-1', T0 + 1)).toBe(false);
		expect(ledger.hasSucceeded('done-2', T0 + 1)).toBe(true);
	});

	it('stays bounded under a flood of distinct keys', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		for (let index = 0; index < 5000; index++) {
			ledger.begin(`id-${index}`, T0 + index);
			ledger.succeed(`id-${index}`, ANSWER, T0 + index);
		}
		expect(ledger.size).toBe(REDELIVERY_MAX_KEYS);
		expect(ledger.hasSucceeded('id-4999', T0 + 5000)).toBe(true);
		expect(ledger.hasSucceeded('id-3999', T0 + 5000)).toBe(false);
	});

	it('treats keys that look like object keys as plain keys', () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		expect(ledger.begin('constructor', T0).state).toBe('new');
		expect(ledger.begin('constructor', T0).state).toBe('running');
		expect(ledger.begin('toString', T0).state).toBe('new');
	});
});

describe('claimDelivery', () => {
	// Fake timers, so no 20 s wait outlives a spec.
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('claims a new key at once', async () => {
		expect(await claimDelivery(new DeliveryLedger<RecordedAnswer>(), UUID, 20_000)).toEqual({ state: 'new' });
	});

	it('waits for a running first attempt and hands over its answer when it succeeds', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		const claim = claimDelivery(ledger, UUID, 20_000);
		ledger.succeed(UUID, ANSWER, Date.now());
		expect(await claim).toEqual({ state: 'succeeded', answer: ANSWER });
	});

	it('waits for a running first attempt and claims the key when it fails', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		const claim = claimDelivery(ledger, UUID, 20_000);
		ledger.fail(UUID);
		expect(await claim).toEqual({ state: 'new' });
		expect(ledger.begin(UUID, Date.now()).state).toBe('running');
	});

	it('lets only one of two waiters claim a key whose first attempt failed', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		const claims = [claimDelivery(ledger, UUID, 20_000), claimDelivery(ledger, UUID, 20_000)];
		ledger.fail(UUID);
		await jest.advanceTimersByTimeAsync(20_000);
		expect((await Promise.all(claims)).map((claim) => claim.state).sort()).toEqual(['new', 'running']);
	});

	it('answers running when the first attempt is still running after the wait', async () => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		const claim = claimDelivery(ledger, UUID, 20_000);
		await jest.advanceTimersByTimeAsync(20_000);
		expect(await claim).toEqual({ state: 'running' });
	});
});

describe('the per-node ledgers of this process', () => {
	it('gives the same ledger for the same workflow and node', () => {
		expect(ledgerFor('wf-1:node-1')).toBe(ledgerFor('wf-1:node-1'));
	});

	it('keeps nodes apart', () => {
		ledgerFor('wf-2:node-a').begin(UUID, T0);
		expect(ledgerFor('wf-2:node-b').begin(UUID, T0).state).toBe('new');
	});

	it('starts empty again after a node is forgotten (deactivated)', () => {
		ledgerFor('wf-3:node-1').begin(UUID, T0);
		forgetLedger('wf-3:node-1');
		expect(ledgerFor('wf-3:node-1').begin(UUID, T0).state).toBe('new');
	});

	it('applies the limits it is first asked with', () => {
		expect(ledgerFor('wf-4:node-1', { maxKeys: 7 }).maxKeys).toBe(7);
	});
});

/** One request to a real Node HTTP server whose handler answers through `respond`. */
async function answerThrough(respond: (res: import('http').ServerResponse) => void, watch: (res: unknown) => void) {
	const server: Server = createServer((_req, res) => {
		watch(res);
		respond(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	try {
		return await new Promise<{ status: number; body: string; contentType?: string }>((resolve, reject) => {
			const request = httpRequest({ port, host: '127.0.0.1', method: 'POST', agent: false }, (response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), contentType: response.headers['content-type'] }),
				);
			});
			request.on('error', reject);
			request.end();
		});
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

describe('watchResponse', () => {
	it('reports the status, the bytes and the Content-Type of an answer written in one end()', async () => {
		const seen: Array<[number, string, string | undefined]> = [];
		await answerThrough(
			(res) => {
				res.statusCode = 200;
				res.setHeader('Content-Type', 'application/json; charset=utf-8');
				res.end('{"status":"accepted"}');
			},
			(res) => watchResponse(res, (status, body, contentType) => seen.push([status, body.toString(), contentType])),
		);
		expect(seen).toEqual([[200, '{"status":"accepted"}', 'application/json; charset=utf-8']]);
	});

	it('joins a body written in several chunks, and reports once though end() is called again', async () => {
		const seen: Array<[number, string]> = [];
		await answerThrough(
			(res) => {
				res.writeHead(500, { 'Content-Type': 'application/json' });
				res.write('{"message":');
				res.write(Buffer.from('"Error in workflow"}'));
				res.end();
				res.end();
			},
			(res) => watchResponse(res, (status, body) => seen.push([status, body.toString()])),
		);
		expect(seen).toEqual([[500, '{"message":"Error in workflow"}']]);
	});

	it('leaves what the client receives unchanged', async () => {
		const received = await answerThrough(
			(res) => {
				res.writeHead(409, { 'Content-Type': 'application/json' });
				res.end('{"messages":[]}');
			},
			(res) => watchResponse(res, () => undefined),
		);
		expect(received).toEqual({ status: 409, body: '{"messages":[]}', contentType: 'application/json' });
	});

	it('ignores something that is not a response', () => {
		expect(() => watchResponse(undefined, () => undefined)).not.toThrow();
		expect(() => watchResponse({ write: 1 }, () => undefined)).not.toThrow();
	});
});

describe('settleWithResponse', () => {
	it.each([200, 204, 409])('records an answer with status %i as the success to replay', async (status) => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		await answerThrough(
			(res) => {
				res.writeHead(status);
				res.end();
			},
			(res) => settleWithResponse(ledger, UUID, res),
		);
		expect(ledger.begin(UUID, Date.now())).toEqual({ state: 'succeeded', answer: { status, body: Buffer.alloc(0), contentType: undefined } });
	});

	it.each([500, 503])('forgets the key when n8n answers %i, so the retry runs', async (status) => {
		const ledger = new DeliveryLedger<RecordedAnswer>();
		ledger.begin(UUID, Date.now());
		await answerThrough(
			(res) => {
				res.writeHead(status);
				res.end('{"message":"Error in workflow"}');
			},
			(res) => settleWithResponse(ledger, UUID, res),
		);
		expect(ledger.begin(UUID, Date.now()).state).toBe('new');
	});
});

describe('replayAnswer', () => {
	it('sends the recorded status, Content-Type and bytes again', async () => {
		const received = await answerThrough(
			(res) => replayAnswer(res, { status: 409, body: Buffer.from('{"messages":[1]}'), contentType: 'application/json; charset=utf-8' }),
			() => undefined,
		);
		expect(received).toEqual({ status: 409, body: '{"messages":[1]}', contentType: 'application/json; charset=utf-8' });
	});

	it('replays a 204 without a body', async () => {
		const received = await answerThrough((res) => replayAnswer(res, { status: 204, body: Buffer.alloc(0) }), () => undefined);
		expect(received).toEqual({ status: 204, body: '', contentType: undefined });
	});

	it('tells n8n to start nothing', async () => {
		let result: unknown;
		await answerThrough((res) => (result = replayAnswer(res, ANSWER)), () => undefined);
		expect(result).toEqual({ noWebhookResponse: true });
	});
});
