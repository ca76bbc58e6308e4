/**
 * The shared target pipeline (nodes/shared/targetPipeline.ts), run on n8n-core's own ExecuteContext:
 * one output item per input item, paired; n8n's On Error modes; nothing written when Stop Workflow
 * meets an item that cannot be sent; batches pipelined behind the mapping; one limiter per credential
 * for the whole process.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';
import { DataDeduplicationService } from 'n8n-core';

import { acquireSlot, activeSlots } from '../../nodes/shared/concurrency';
import { serviceApiError } from '../../nodes/shared/errors';
import { MAX_STORED_ENTRIES } from '../../nodes/shared/processedStore';
import { runTargetPipeline, type RecordOutcome, type TargetPipeline, type TargetRecord } from '../../nodes/shared/targetPipeline';
import { MemoryDeduplicator } from './fakes/deduplicator';
import { runNode } from './fakes/n8nContext';
import { targetNodeDescription } from './fakes/targetNodeDescription';

type Hooks = Partial<TargetPipeline<IDataObject>>;

/** A target node whose pipeline is whatever the spec says; records are the item's json. */
function targetNode(hooks: Hooks): INodeType {
	const description = targetNodeDescription('Test Target', 'A target for pipeline specs', hooks.failedOutput ? 2 : 1);
	return {
		description,
		async execute(this: IExecuteFunctions) {
			return await runTargetPipeline<IDataObject>(this, {
				service: 'Test CRM',
				batchSize: 10,
				concurrency: 2,
				limiterKey: 'test:credential',
				prepare: (item) => item.json,
				sendBatch: async (batch) => batch.map(({ record }) => ({ ok: true, json: { sent: record.n } })),
				...hooks,
			});
		},
	};
}

const items = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n } }));

async function run(hooks: Hooks, input: INodeExecutionData[], onError?: 'continueRegularOutput' | 'continueErrorOutput') {
	return await runNode({ nodeType: targetNode(hooks), parameters: {}, items: input, onError });
}

async function failureOf(promise: Promise<unknown>): Promise<NodeApiError | NodeOperationError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error instanceof NodeApiError || error instanceof NodeOperationError).toBe(true);
	return error as NodeApiError | NodeOperationError;
}

function deferred() {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

/** Waits (polling, bounded) until the pipeline has got as far as `condition` says. */
async function until(condition: () => boolean): Promise<void> {
	for (let turn = 0; turn < 1000 && !condition(); turn++) await new Promise((resolve) => setTimeout(resolve, 1));
	expect(condition()).toBe(true);
}

const refuseOdd = (item: INodeExecutionData, itemIndex: number) => {
	if ((item.json.n as number) % 2) throw new NodeOperationError({ name: 'Test Target' } as never, `item ${itemIndex} is odd`, { itemIndex });
	return item.json;
};

describe('runTargetPipeline', () => {
	it('answers one output item per input item, in input order, each paired to its input', async () => {
		const [output] = await run({}, items(25));
		expect(output.map((item) => item.json.sent)).toEqual(items(25).map((item) => item.json.n));
		expect(output.map((item) => item.pairedItem)).toEqual(items(25).map((_, item) => ({ item })));
	});

	it('sends records in batches of the target’s batch size', async () => {
		const sizes: number[] = [];
		await run({ batchSize: 100, sendBatch: async (batch) => ((sizes.push(batch.length), batch.map(() => ({ ok: true, json: {} })))) }, items(250));
		expect(sizes).toEqual([100, 100, 50]);
	});

	it('sends no record its screen gave an outcome, and answers that outcome for it', async () => {
		const sent: unknown[] = [];
		const [output] = await run(
			{
				screen: async ({ record }) => ((record.n as number) % 2 ? { ok: true, nothingSent: true, json: { status: 'skipped' } } : undefined),
				sendBatch: async (batch) => batch.map(({ record }) => (sent.push(record.n), { ok: true, json: { sent: record.n } })),
			},
			items(4),
		);
		expect(sent).toEqual([0, 2]);
		expect(output.map((item) => item.json)).toEqual([{ sent: 0 }, { status: 'skipped' }, { sent: 2 }, { status: 'skipped' }]);
	});

	it('fails only the record whose screen threw, with its item index', async () => {
		const [output] = await run(
			{
				screen: async ({ record }) => {
					if (record.n === 1) throw new Error('read failed');
					return undefined;
				},
			},
			items(3),
			'continueRegularOutput',
		);
		expect(output.map((item) => item.json.sent ?? item.json.error)).toEqual([0, 'read failed', 2]);
	});

	it('with Continue, keeps an item that fails mapping as a failed item beside the sent ones', async () => {
		const sent: number[] = [];
		const [output] = await run(
			{ prepare: refuseOdd, sendBatch: async (batch) => batch.map(({ record }) => (sent.push(record.n as number), { ok: true, json: { sent: record.n } })) },
			items(4),
			'continueRegularOutput',
		);
		expect(sent).toEqual([0, 2]);
		expect(output.map((item) => item.json.sent ?? item.json.error)).toEqual([0, 'item 1 is odd', 2, 'item 3 is odd']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	});

	it('with Stop Workflow, an item that fails mapping stops the run before anything is sent', async () => {
		let calls = 0;
		const error = await failureOf(run({ prepare: refuseOdd, sendBatch: async (batch) => ((calls++, batch.map(() => ({ ok: true, json: {} })))) }, items(30)));
		expect(calls).toBe(0);
		expect(error.message).toBe('item 1 is odd');
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain('Nothing was sent to Test CRM: 15 of 30 items cannot be sent.');
	});

	it('with Stop Workflow, a record the service rejects stops the run with the first failure and the written count', async () => {
		const error = await failureOf(
			run(
				{
					sendBatch: async (batch) =>
						batch.map(({ record, itemIndex }): RecordOutcome =>
							record.n === 3 || record.n === 17
								? { ok: false, error: new NodeOperationError({ name: 'x' } as never, `refused ${itemIndex}`, { itemIndex }) }
								: { ok: true, json: {} },
						),
				},
				items(20),
			),
		);
		expect(error.message).toBe('refused 3');
		expect(error.description).toContain('18 of 20 items were written to Test CRM; 2 failed.');
	});

	it('fails every record of a batch whose call failed, with the service’s code, status, attempts and replay safety', async () => {
		const [output] = await run(
			{
				batchSize: 2,
				sendBatch: async (batch: Array<TargetRecord<IDataObject>>) => {
					if (batch[0].record.n === 2) {
						throw serviceApiError({ name: 'Test Target' } as never, {
							service: 'Test CRM',
							status: 500,
							code: 'INTERNAL_ERROR',
							message: 'boom',
							attempts: 1,
							mayHaveBeenApplied: true,
						}, { itemIndex: batch[0].itemIndex });
					}
					return batch.map(() => ({ ok: true, json: { ok: 1 } }));
				},
			},
			items(6),
			'continueRegularOutput',
		);
		expect(output.map((item) => item.json.ok ?? 'failed')).toEqual([1, 1, 'failed', 'failed', 1, 1]);
		expect(output[3].json.details).toEqual({ code: 'INTERNAL_ERROR', httpStatus: 500, attempts: 1, mayHaveBeenApplied: true });
	});

	it('fails every item to send, and sends nothing, when opening the session fails', async () => {
		let calls = 0;
		const [output] = await run(
			{
				open: async () => {
					throw new NodeOperationError({ name: 'x' } as never, 'token refused');
				},
				sendBatch: async (batch) => ((calls++, batch.map(() => ({ ok: true, json: {} })))),
			},
			items(3),
			'continueRegularOutput',
		);
		expect(calls).toBe(0);
		expect(output.map((item) => item.json.error)).toEqual(['token refused', 'token refused', 'token refused']);
	});

	it('sends the first batch while later items are still being mapped (pipelined)', async () => {
		const events: string[] = [];
		const release = deferred();
		const done = run(
			{
				batchSize: 10,
				concurrency: 1,
				prepare: (item) => (events.push(`map ${item.json.n as number}`), item.json),
				sendBatch: async (batch) => {
					events.push(`send ${batch[0].record.n as number}`);
					if (batch[0].record.n === 0) await release.promise;
					return batch.map(() => ({ ok: true, json: {} }));
				},
			},
			items(30),
			'continueRegularOutput',
		);
		// The first call is still open: the next batch has been mapped but not sent.
		await until(() => events.includes('map 19'));
		expect(events).toContain('send 0');
		expect(events).not.toContain('send 10');
		release.resolve();
		await done;
		expect(events.indexOf('send 0')).toBeLessThan(events.indexOf('map 10'));
	});

	it('while every slot is busy, maps as many batches ahead as it may have calls in flight, and no more', async () => {
		const mapped: number[] = [];
		const sent: number[] = [];
		const release = deferred();
		const done = run(
			{
				batchSize: 10,
				concurrency: 2,
				limiterKey: 'test:ahead',
				prepare: (item) => (mapped.push(item.json.n as number), item.json),
				sendBatch: async (batch) => {
					sent.push(batch[0].record.n as number);
					await release.promise;
					return batch.map(() => ({ ok: true, json: {} }));
				},
			},
			items(100),
			'continueRegularOutput',
		);
		// Batches 0 and 10 are in flight, 20 and 30 are mapped and wait for a slot.
		await until(() => mapped.includes(39));
		// A producer that did not wait would map batch 40 within its next turns of the event loop.
		for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
		expect(sent).toEqual([0, 10]);
		expect(Math.max(...mapped)).toBe(39);
		release.resolve();
		const [output] = await done;
		expect(output).toHaveLength(100);
		expect(sent).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
	});

	it('keeps the calls of every execution with the same credential within one limit', async () => {
		let inFlight = 0;
		let peak = 0;
		const sendBatch = async (batch: Array<TargetRecord<IDataObject>>) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setImmediate(resolve));
			inFlight--;
			return batch.map((): RecordOutcome => ({ ok: true, json: {} }));
		};
		const hooks: Hooks = { batchSize: 1, concurrency: 3, limiterKey: 'shared:one-org', sendBatch };
		const outputs = await Promise.all(Array.from({ length: 5 }, () => run(hooks, items(12), 'continueRegularOutput')));
		expect(outputs.map(([output]) => output.length)).toEqual([12, 12, 12, 12, 12]);
		expect(peak).toBe(3);
	});

	/** A Failed output whose items are the input and the cause under a key of the node's own. */
	const failedOutput: Hooks['failedOutput'] = (item, cause) => ({ ...item.json, outcome: cause });

	it('with a Failed output and Continue (using regular output), routes failed items there as the node shapes them', async () => {
		const [written, failed] = await run({ failedOutput, prepare: refuseOdd }, items(4), 'continueRegularOutput');
		expect(written.map((item) => item.json.sent)).toEqual([0, 2]);
		expect(failed.map((item) => [item.json.n, (item.json.outcome as IDataObject).error, item.pairedItem])).toEqual([
			[1, 'item 1 is odd', { item: 1 }],
			[3, 'item 3 is odd', { item: 3 }],
		]);
		expect(failed.every((item) => item.error === undefined)).toBe(true);
	});

	it('with a Failed output and Stop Workflow, a failed item fails the run with its item index', async () => {
		const sent: number[] = [];
		const sendBatch: Hooks['sendBatch'] = async (batch) =>
			batch.map(({ record, itemIndex }): RecordOutcome => {
				sent.push(Number(record.n));
				if (record.n !== 1) return { ok: true, json: { sent: record.n } };
				return { ok: false, error: new NodeApiError({ id: 'n', name: 'Test Target', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, { message: 'refused' }, { itemIndex }) };
			});
		const error = await failureOf(run({ failedOutput, sendBatch }, items(3)));
		expect(sent).toEqual([0, 1, 2]);
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain('2 of 3 items were written to Test CRM; 1 failed.');
	});

	it('with a Failed output and Continue (using error output), a failed item is only its cause, which n8n moves to its Error output and completes with the input’s fields', async () => {
		const [written, failed] = await run({ failedOutput, prepare: refuseOdd }, items(2), 'continueErrorOutput');
		expect(failed).toEqual([]);
		expect(written.map((item) => item.json)).toEqual([
			{ sent: 0 },
			{ error: 'item 1 is odd', details: {} },
		]);
		// n8n replaces the json of an item that carries an error object by { error } when it stores the run.
		expect(written.map((item) => item.error)).toEqual([undefined, undefined]);
		expect(written[1].pairedItem).toEqual({ item: 1 });
	});
});

describe('acquireSlot', () => {
	it('lets at most `limit` holders of one key in at once, and the next one in when a slot is freed', async () => {
		const first = await acquireSlot('slot:a', 2);
		const second = await acquireSlot('slot:a', 2);
		let thirdIn = false;
		const third = acquireSlot('slot:a', 2).then((release) => ((thirdIn = true), release));
		await new Promise((resolve) => setImmediate(resolve));
		expect(thirdIn).toBe(false);
		expect(activeSlots('slot:a')).toBe(2);
		first();
		(await third)();
		expect(thirdIn).toBe(true);
		second();
		expect(activeSlots('slot:a')).toBe(0);
	});

	it('keeps separate keys apart', async () => {
		const a = await acquireSlot('slot:b', 1);
		const b = await acquireSlot('slot:c', 1);
		expect([activeSlots('slot:b'), activeSlots('slot:c')]).toEqual([1, 1]);
		a();
		b();
	});

	it('frees a slot once however often its release is called', async () => {
		const release = await acquireSlot('slot:d', 1);
		release();
		release();
		expect(activeSlots('slot:d')).toBe(0);
	});
});

describe('runTargetPipeline with a delivery key', () => {
	const store = new MemoryDeduplicator();
	beforeAll(async () => await DataDeduplicationService.init(store));

	const keyed = (prefix: string, count: number): INodeExecutionData[] =>
		Array.from({ length: count }, (_, n) => ({ json: { n, key: `${prefix}-${n}` } }));
	const deliveryKey = (item: INodeExecutionData) => String(item.json.key);
	const writing = () => jest.fn(async (batch: Array<TargetRecord<IDataObject>>) => batch.map(({ record }) => ({ ok: true as const, json: { sent: record.n } })));
	const refusing = async (batch: Array<TargetRecord<IDataObject>>): Promise<RecordOutcome[]> =>
		batch.map(({ itemIndex }) => ({ ok: false, error: new NodeOperationError({ name: 'Test Target' } as never, 'refused', { itemIndex }) }));
	const sentKeys = (send: ReturnType<typeof writing>) => send.mock.calls.flatMap(([batch]) => batch.map(({ record }) => record.key));

	it('skips the items an earlier run wrote, sends nothing for them, and says so in their output', async () => {
		const sendBatch = writing();
		await run({ deliveryKey, sendBatch }, keyed('first', 3));
		sendBatch.mockClear();

		const [output] = await run({ deliveryKey, sendBatch }, [...keyed('first', 3), ...keyed('second', 1)]);
		expect(sentKeys(sendBatch)).toEqual(['second-0']);
		expect(output.map((item) => item.json.status ?? item.json.sent)).toEqual(['skipped', 'skipped', 'skipped', 0]);
		expect(output[0].json.deliveryKey).toBe('first-0');
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	it('keeps skipping a written item however often it is delivered again', async () => {
		await run({ deliveryKey, sendBatch: writing() }, keyed('often', 2));
		for (let delivery = 0; delivery < 3; delivery++) {
			const [output] = await run({ deliveryKey, sendBatch: writing() }, keyed('often', 2));
			expect(output.map((item) => item.json.status)).toEqual(['skipped', 'skipped']);
		}
	});

	it('does not remember the key of an item that failed, so the sender’s retry writes it', async () => {
		await run({ deliveryKey, sendBatch: refusing }, keyed('retried', 2), 'continueRegularOutput');

		const sendBatch = writing();
		const [output] = await run({ deliveryKey, sendBatch }, keyed('retried', 2));
		expect(output.map((item) => item.json.sent)).toEqual([0, 1]);
		expect(sendBatch).toHaveBeenCalledTimes(1);
	});

	it('sends an item refused before any call when it comes again, and skips its neighbour that was written', async () => {
		await run({ deliveryKey, prepare: refuseOdd }, keyed('checked', 2), 'continueRegularOutput');
		const sendBatch = writing();
		await run({ deliveryKey, sendBatch }, keyed('checked', 2));
		expect(sentKeys(sendBatch)).toEqual(['checked-1']);
	});

	it('sends an item whose key another run is checking or writing at the same moment, whatever that run’s outcome', async () => {
		// The first run's store call after its check waits; its write is then refused.
		const held = store.holdCall(2);
		let firstHeld = false;
		void held.reached.then(() => (firstHeld = true));
		let firstSent = false;
		const first = run(
			{
				deliveryKey,
				sendBatch: async (batch) => {
					firstSent = true;
					return await refusing(batch);
				},
			},
			keyed('concurrent', 1),
			'continueRegularOutput',
		);
		await until(() => firstHeld || firstSent);

		const sendBatch = writing();
		const [output] = await run({ deliveryKey, sendBatch }, keyed('concurrent', 1));
		held.release();
		await first;
		expect(sentKeys(sendBatch)).toEqual(['concurrent-0']);
		expect(output[0].json.sent).toBe(0);
	});

	it('sends an item whose earlier run failed, even when n8n could not remove a single entry since', async () => {
		store.failRemovals = 1000;
		try {
			await run({ deliveryKey, sendBatch: refusing }, keyed('unremoved', 1), 'continueRegularOutput').catch(() => undefined);
		} finally {
			store.failRemovals = 0;
		}
		const sendBatch = writing();
		await run({ deliveryKey, sendBatch }, keyed('unremoved', 1));
		expect(sentKeys(sendBatch)).toEqual(['unremoved-0']);
	});

	it('reports a written item as written when n8n cannot store that, and writes it again on its next delivery', async () => {
		store.failRemovals = 1000;
		let output: INodeExecutionData[];
		try {
			[output] = await run({ deliveryKey, sendBatch: writing() }, keyed('unconfirmed', 1));
		} finally {
			store.failRemovals = 0;
		}
		expect(output[0].json.sent).toBe(0);
		const sendBatch = writing();
		await run({ deliveryKey, sendBatch }, keyed('unconfirmed', 1));
		expect(sentKeys(sendBatch)).toEqual(['unconfirmed-0']);
	});

	it('never skips an item that no run wrote, however runs at once, refusals and failed removals interleave', async () => {
		let seed = 7;
		const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
		for (let round = 0; round < 30; round++) {
			const key = `interleaved-${round}`;
			let written = false;
			let skippedBeforeAnyWrite = false;
			const send = async (batch: Array<TargetRecord<IDataObject>>): Promise<RecordOutcome[]> => {
				await new Promise((resolve) => setImmediate(resolve));
				if (random() < 0.7) return await refusing(batch);
				written = true;
				return batch.map(({ record }) => ({ ok: true, json: { sent: record.n } }));
			};
			store.failRemovals = random() < 0.5 ? 1 : 0;
			const runs = Array.from({ length: 2 + Math.floor(random() * 3) }, async () => {
				const [output] = await run({ deliveryKey, sendBatch: send }, [{ json: { n: 0, key } }], 'continueRegularOutput');
				if (output[0].json.status === 'skipped' && !written) skippedBeforeAnyWrite = true;
			});
			await Promise.all(runs);
			store.failRemovals = 0;
			expect({ round, skippedBeforeAnyWrite }).toEqual({ round, skippedBeforeAnyWrite: false });
		}
	});

	it('tries the store once more when n8n’s first insert of its row collides with another run’s', async () => {
		const sendBatch = writing();
		store.failNext = 1;
		const [output] = await run({ deliveryKey, sendBatch }, keyed('collided', 2));
		expect(output.map((item) => item.json.sent)).toEqual([0, 1]);
		const [again] = await run({ deliveryKey, sendBatch }, keyed('collided', 2));
		expect(again.map((item) => item.json.status)).toEqual(['skipped', 'skipped']);
	});

	it('fails the run when the store fails twice, and sends nothing', async () => {
		const sendBatch = writing();
		store.failNext = 2;
		const error = await failureOf(run({ deliveryKey, sendBatch }, keyed('broken-store', 1)));
		expect(error.message).toBe('n8n could not tell which deliveries were already written: duplicate key value violates unique constraint "PK_processed_data"');
		expect(error.description).toContain('Nothing was sent');
		expect(sendBatch).not.toHaveBeenCalled();
	});

	it('empties the store once it outgrows its bound, so the next deliveries are written again', async () => {
		await run({ deliveryKey, sendBatch: writing() }, keyed('bounded', 1));
		const [row] = [...store.rows.values()];
		row.data.push(...Array.from({ length: MAX_STORED_ENTRIES }, (_, n) => `filler-${n}`));
		await run({ deliveryKey, sendBatch: writing() }, keyed('bounded-new', 1));
		expect(store.entries()).toBeLessThanOrEqual(2);
		const sendBatch = writing();
		await run({ deliveryKey, sendBatch }, keyed('bounded', 1));
		expect(sentKeys(sendBatch)).toEqual(['bounded-0']);
	});
});
