/**
 * The shared target pipeline (nodes/shared/targetPipeline.ts), run on n8n-core's own ExecuteContext:
 * one output item per input item, paired; n8n's On Error modes; nothing written when Stop Workflow
 * meets an item that cannot be sent; batches pipelined behind the mapping; one limiter per credential
 * for the whole process.
 */
import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type DeduplicationItemTypes,
	type DeduplicationScope,
	type ICheckProcessedContextData,
} from 'n8n-workflow';
import { DataDeduplicationService } from 'n8n-core';

import { acquireSlot, activeSlots } from '../../nodes/shared/concurrency';
import { serviceApiError } from '../../nodes/shared/errors';
import { runTargetPipeline, type RecordOutcome, type TargetPipeline, type TargetRecord } from '../../nodes/shared/targetPipeline';
import { runNode } from './fakes/n8nContext';

type Hooks = Partial<TargetPipeline<IDataObject>>;

/** A target node whose pipeline is whatever the spec says; records are the item's json. */
function targetNode(hooks: Hooks): INodeType {
	const description: INodeTypeDescription = {
		displayName: 'Test Target',
		name: 'testTarget',
		group: ['output'],
		version: 1,
		description: 'A target for pipeline specs',
		defaults: { name: 'Test Target' },
		inputs: [NodeConnectionTypes.Main],
		outputs: hooks.failedOutput ? [NodeConnectionTypes.Main, NodeConnectionTypes.Main] : [NodeConnectionTypes.Main],
		properties: [],
	};
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

	it('with a Failed output and Continue (using error output), failed items carry their error so n8n moves them to its Error output', async () => {
		const [written, failed] = await run({ failedOutput, prepare: refuseOdd }, items(2), 'continueErrorOutput');
		expect(written).toHaveLength(1);
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toMatchObject({ n: 1, outcome: { error: 'item 1 is odd' } });
		expect(failed[0].error).toBeInstanceOf(NodeOperationError);
		expect(failed[0].error!.message).toBe('item 1 is odd');
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

/** n8n's deduplication store (the processed_data table in a real n8n), in memory. */
class MemoryDeduplicator {
	readonly keys = new Map<string, Set<string>>();

	private scopeOf(scope: string, context: ICheckProcessedContextData): Set<string> {
		const id = `${scope}:${context.workflow.id}:${scope === 'node' ? context.node?.name : ''}`;
		if (!this.keys.has(id)) this.keys.set(id, new Set());
		return this.keys.get(id)!;
	}

	/** Calls that fail before the next one works, as n8n's first insert of a node's row can. */
	failNext = 0;

	calls = 0;

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData) {
		this.calls++;
		if (this.failNext > 0) {
			this.failNext--;
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		}
		const seen = this.scopeOf(scope, context);
		const result = { new: [] as DeduplicationItemTypes[], processed: [] as DeduplicationItemTypes[] };
		for (const item of items) {
			(seen.has(String(item)) ? result.processed : result.new).push(item);
			seen.add(String(item));
		}
		return result;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData) {
		const seen = this.scopeOf(scope, context);
		for (const item of items) seen.delete(String(item));
	}

	async clearAllProcessedItems() {}

	async getProcessedDataCount() {
		return 0;
	}
}

describe('runTargetPipeline with a delivery key', () => {
	const store = new MemoryDeduplicator();
	beforeAll(async () => await DataDeduplicationService.init(store));

	const keyed = (prefix: string, count: number): INodeExecutionData[] =>
		Array.from({ length: count }, (_, n) => ({ json: { n, key: `${prefix}-${n}` } }));
	const deliveryKey = (item: INodeExecutionData) => String(item.json.key);

	it('skips the items an earlier run wrote, sends nothing for them, and says so in their output', async () => {
		const sendBatch = jest.fn(async (batch: Array<TargetRecord<IDataObject>>) => batch.map(({ record }) => ({ ok: true as const, json: { sent: record.n } })));
		await run({ deliveryKey, sendBatch }, keyed('first', 3));
		sendBatch.mockClear();

		const [output] = await run({ deliveryKey, sendBatch }, [...keyed('first', 3), ...keyed('second', 1)]);
		expect(sendBatch.mock.calls.flatMap(([batch]) => batch.map(({ record }) => record.key))).toEqual(['second-0']);
		expect(output.map((item) => item.json.status ?? item.json.sent)).toEqual(['skipped', 'skipped', 'skipped', 0]);
		expect(output[0].json.deliveryKey).toBe('first-0');
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	it('does not remember the key of an item that failed, so the sender’s retry writes it', async () => {
		const failing = async (batch: Array<TargetRecord<IDataObject>>): Promise<RecordOutcome[]> =>
			batch.map(({ itemIndex }) => ({ ok: false, error: new NodeOperationError({ name: 'Test Target' } as never, 'refused', { itemIndex }) }));
		await run({ deliveryKey, sendBatch: failing }, keyed('retried', 2), 'continueRegularOutput');

		const sendBatch = jest.fn(async (batch: Array<TargetRecord<IDataObject>>) => batch.map(({ record }) => ({ ok: true as const, json: { sent: record.n } })));
		const [output] = await run({ deliveryKey, sendBatch }, keyed('retried', 2));
		expect(output.map((item) => item.json.sent)).toEqual([0, 1]);
		expect(sendBatch).toHaveBeenCalledTimes(1);
	});

	it('tries the store once more when n8n’s first insert of its row collides with another run’s', async () => {
		const sendBatch = jest.fn(async (batch: Array<TargetRecord<IDataObject>>) => batch.map(({ record }) => ({ ok: true as const, json: { sent: record.n } })));
		store.failNext = 1;
		const [output] = await run({ deliveryKey, sendBatch }, keyed('collided', 2));
		expect(output.map((item) => item.json.sent)).toEqual([0, 1]);
		const [again] = await run({ deliveryKey, sendBatch }, keyed('collided', 2));
		expect(again.map((item) => item.json.status)).toEqual(['skipped', 'skipped']);
	});

	it('fails the run when the store fails twice, and sends nothing', async () => {
		const sendBatch = jest.fn(async (batch: Array<TargetRecord<IDataObject>>) => batch.map(({ record }) => ({ ok: true as const, json: { sent: record.n } })));
		store.failNext = 2;
		const error = await failureOf(run({ deliveryKey, sendBatch }, keyed('broken-store', 1)));
		expect(error.message).toBe('n8n could not tell which deliveries were already written: duplicate key value violates unique constraint "PK_processed_data"');
		expect(error.description).toContain('Nothing was sent');
		expect(sendBatch).not.toHaveBeenCalled();
	});

	it('records the key of an item written, not of one refused before any call', async () => {
		await run({ deliveryKey, prepare: refuseOdd }, keyed('checked', 2), 'continueRegularOutput');
		const recorded = [...store.keys.values()].flatMap((keys) => [...keys]);
		expect(recorded).toContain('checked-0');
		expect(recorded).not.toContain('checked-1');
	});
});
