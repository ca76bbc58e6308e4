/**
 * The echo guard across n8n processes (nodes/shared/echoStore.ts), through the target pipeline on
 * n8n-core's ExecuteContext and n8n's deduplication store (in memory, as n8n keeps it): in queue
 * mode a trigger checks a change in the webhook process, the writes run in workers, and the
 * writer skips a change that only reports back a write of the workflow.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeType } from 'n8n-workflow';
import { DataDeduplicationService } from 'n8n-core';

import { echoCheckOf, recordStates, stateFingerprint } from '../../nodes/shared/echoStore';
import { olderThanRecord, runTargetPipeline, type SyncTarget, type TargetPipeline } from '../../nodes/shared/targetPipeline';
import { writerSyncSettings } from '../../nodes/shared/twoWaySync';
import { MemoryDeduplicator } from './fakes/deduplicator';
import { runNode } from './fakes/n8nContext';
import { targetNodeDescription } from './fakes/targetNodeDescription';

const SOURCE = 'source-crm';
const MINUTE = 60_000;

/** A record as the test nodes write it: its id in the source system and its fields. */
interface Change {
	id: string;
	fields: IDataObject;
}

type Hooks = Partial<TargetPipeline<Change>>;

/** What a writer that reads its record first (as S-360 Save Contact does) finds: the record, modified at `modifiedAt` by a write this process does not know of. */
interface ReadRecord {
	current: Change;
	modifiedAt: string;
}

/**
 * A writer to SOURCE that knows the state its write leaves (as S-360 Save Contact does), or a
 * writer to another system that forwards SOURCE's changes (as Zoho CRM Upsert Contact does).
 */
function writerNode(hooks: Hooks & { knowsState?: boolean; rememberMinutes?: number; reads?: ReadRecord }): INodeType & { sent: Change[] } {
	const sent: Change[] = [];
	return {
		sent,
		description: targetNodeDescription('Test Writer', 'A writer for echo-store specs', 1),
		async execute(this: IExecuteFunctions) {
			const items = this.getInputData();
			const syncTarget: SyncTarget<Change> = {
				system: hooks.knowsState ? SOURCE : 'other-crm',
				settings: writerSyncSettings({ rememberWritesFor: hooks.rememberMinutes ?? 60 }),
				describe: (record) => ({ keys: [`id:${record.id}`], view: record.fields }),
				...(hooks.knowsState ? { stateAfterWrite: (record: Change) => ({ id: record.id, view: record.fields }) } : {}),
			};
			const { reads } = hooks;
			return await runTargetPipeline<Change>(this, {
				service: 'Test Service',
				batchSize: 10,
				concurrency: 2,
				limiterKey: 'echo-store:credential',
				prepare: (item) => ({ id: String(item.json.id), fields: item.json.fields as IDataObject }),
				sendBatch: async (batch) =>
					batch.map(({ record }) => {
						sent.push(record);
						return { ok: true, json: { status: 'updated', id: record.id } };
					}),
				syncTarget,
				...(reads
					? {
							screen: async ({ itemIndex, record }) =>
								await olderThanRecord(this, syncTarget, itemIndex, items[itemIndex], { keys: [`id:${record.id}`], view: reads.current.fields, changedAt: Date.parse(reads.modifiedAt), id: reads.current.id }),
						}
					: {}),
				...hooks,
			});
		},
	};
}

/** An item a trigger of the package checked in another n8n process (the queue-mode webhook process). */
const checkedInWebhookProcess = (change: Change, state = true): INodeExecutionData => ({
	json: { ...change, echoCheck: { checkedIn: 'webhook-process', ...(state ? { state: stateFingerprint(SOURCE, change.id, change.fields) } : {}) } },
});

/** An item a trigger checked in this process (regular mode: the trigger already judged it with the whole ledger). */
const checkedHere = (change: Change): INodeExecutionData => ({
	json: { ...change, echoCheck: echoCheckOf({ system: SOURCE, id: change.id, view: change.fields }) },
});

async function write(node: INodeType, input: INodeExecutionData[]): Promise<IDataObject[]> {
	const [output] = await runNode({ nodeType: node, parameters: {}, items: input });
	return output.map((item) => item.json);
}

/** The ids a writer to another system (as Zoho CRM Upsert Contact) sent of `input`, in one run. */
async function forwardedIds(...input: INodeExecutionData[]): Promise<string[]> {
	const forwarder = writerNode({});
	await write(forwarder, input);
	return forwarder.sent.map((record) => record.id);
}

/** Saves `change` into SOURCE, as a change a trigger checked in the webhook process asked for. */
async function savedIntoSource(change: Change, rememberMinutes?: number): Promise<void> {
	await write(writerNode({ knowsState: true, rememberMinutes }), [checkedInWebhookProcess(change, false)]);
}

/** Another worker's write: the state it left recorded in the workflow's store, and nothing in this process's memory. */
function otherWorkerNode(change: Change): INodeType {
	return {
		description: targetNodeDescription('Other Worker', 'Records a written state as another worker would', 1),
		async execute(this: IExecuteFunctions) {
			await recordStates(this, [stateFingerprint(SOURCE, change.id, change.fields)], 60 * MINUTE);
			return [[{ json: {} }]];
		},
	};
}

describe('the echo guard across n8n processes', () => {
	const store = new MemoryDeduplicator();
	beforeAll(async () => await DataDeduplicationService.init(store));
	afterEach(() => {
		jest.useRealTimers();
		store.failNext = 0;
		store.failRemovals = 0;
	});

	/** Only Date moves: the pipeline and the store's fake still need real timers. */
	function clockAt(time: number): void {
		jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask'] });
		jest.setSystemTime(time);
	}

	describe('stateFingerprint', () => {
		it('is the same for an empty field and a missing one, in any field order, with an email in any case', () => {
			expect(stateFingerprint(SOURCE, '7', { email: 'Ada@Example.test', name: 'Ada', phone: null })).toBe(stateFingerprint(SOURCE, '7', { name: 'Ada', email: 'ada@example.test' }));
		});

		it('differs when any value, the record or the system differs', () => {
			const base = stateFingerprint(SOURCE, '7', { name: 'Ada', phone: '+41 79 555 00 00' });
			expect(new Set([base, stateFingerprint(SOURCE, '7', { name: 'Ada', phone: '+41 79 555 00 01' }), stateFingerprint(SOURCE, '8', { name: 'Ada', phone: '+41 79 555 00 00' }), stateFingerprint('zoho-crm:Contacts', '7', { name: 'Ada', phone: '+41 79 555 00 00' })]).size).toBe(4);
		});
	});

	it('skips a change checked in another process that reports back the state a write of the workflow left, and sends nothing for it', async () => {
		const change = { id: 'c1', fields: { name: 'Augusta', email: 'c1@example.test' } };
		await savedIntoSource(change);

		const forwarder = writerNode({});
		const [output] = await write(forwarder, [checkedInWebhookProcess(change)]);
		expect(forwarder.sent).toEqual([]);
		expect(output).toEqual({ status: 'echo', reason: 'The change only reports back what this workflow wrote to its source; nothing was sent.' });
	});

	it('sends a change whose state differs in any field from what the workflow wrote', async () => {
		await savedIntoSource({ id: 'c2', fields: { name: 'Augusta', email: 'c2@example.test' } });

		expect(await forwardedIds(checkedInWebhookProcess({ id: 'c2', fields: { name: 'Augusta', email: 'c2@example.test', phone: '+41 79 000 00 00' } }))).toEqual(['c2']);
	});

	it('takes a write’s state for one echo only: the same state coming again later is a genuine change', async () => {
		const change = { id: 'c3', fields: { name: 'Augusta' } };
		await savedIntoSource(change);
		expect([...(await forwardedIds(checkedInWebhookProcess(change))), ...(await forwardedIds(checkedInWebhookProcess(change)))]).toEqual(['c3']);
	});

	it('does not read the store for a change a trigger checked in this process, even one whose state was written', async () => {
		const change = { id: 'c4', fields: { name: 'Augusta' } };
		await savedIntoSource(change);
		expect(await forwardedIds(checkedHere(change))).toEqual(['c4']);
	});

	it('records nothing for a write asked for by a change checked in this process', async () => {
		const change = { id: 'c5', fields: { name: 'Augusta' } };
		await write(writerNode({ knowsState: true }), [checkedHere(change)]);
		expect(await forwardedIds(checkedInWebhookProcess(change))).toEqual(['c5']);
	});

	it('records nothing for a write the service refused', async () => {
		const change = { id: 'c6', fields: { name: 'Augusta' } };
		const refusing = writerNode({
			knowsState: true,
			sendBatch: async (batch) => batch.map(({ itemIndex }) => ({ ok: false as const, error: new NodeOperationError({ name: 'Test Writer' } as never, 'refused', { itemIndex }) })),
		});
		await runNode({ nodeType: refusing, parameters: {}, items: [checkedInWebhookProcess(change, false)], onError: 'continueRegularOutput' });
		expect(await forwardedIds(checkedInWebhookProcess(change))).toEqual(['c6']);
	});

	it('leaves the store as it found it after checking changes that are not echoes', async () => {
		const before = store.entries();
		await write(writerNode({}), [checkedInWebhookProcess({ id: 'c7', fields: { name: 'A' } }), checkedInWebhookProcess({ id: 'c8', fields: { name: 'B' } })]);
		expect(store.entries()).toBe(before);
	});

	/** What a forwarder sends of a written state's echo arriving `elapsed` minutes after a write remembered for `remember`. */
	async function sentAfter(id: string, remember: number, elapsed: number): Promise<string[]> {
		const start = Date.UTC(2026, 11, 6, 10, 3);
		const change = { id, fields: { name: 'Augusta' } };
		clockAt(start);
		await savedIntoSource(change, remember);
		clockAt(start + elapsed * MINUTE);
		return await forwardedIds(checkedInWebhookProcess(change));
	}

	it('forgets a written state once the writer’s Remember Writes For has passed', async () => {
		expect(await sentAfter('c9', 30, 31)).toEqual(['c9']);
	});

	it('still knows a written state later within Remember Writes For', async () => {
		expect(await sentAfter('c10', 60, 45)).toEqual([]);
	});

	it('sends the change when the store cannot be read: an echo written once more, never a change lost', async () => {
		const change = { id: 'c11', fields: { name: 'Augusta' } };
		await savedIntoSource(change);
		store.failNext = 2;
		expect(await forwardedIds(checkedInWebhookProcess(change))).toEqual(['c11']);
	});

	it('does not take a state as written when n8n could not confirm it', async () => {
		const change = { id: 'c12', fields: { name: 'Augusta' } };
		store.failRemovals = 2;
		await savedIntoSource(change);
		expect(await forwardedIds(checkedInWebhookProcess(change))).toEqual(['c12']);
	});

	describe('the order check of a writer that reads its record first', () => {
		// A Zoho edit made just before another worker's save reached the record, delivered after it.
		const edit = (id: string): INodeExecutionData => ({ json: { id, fields: { name: 'Edited' }, changedAt: '2026-12-06T10:00:00.000Z', echoCheck: { checkedIn: 'webhook-process' } } });
		const savedByOtherWorker = '2026-12-06T10:00:03.000Z';

		it('writes a change older than the record’s modification when the record holds a state another worker of the workflow wrote', async () => {
			const current = { id: 'o1', fields: { name: 'Saved' } };
			await runNode({ nodeType: otherWorkerNode(current), parameters: {}, items: [{ json: {} }] });
			const writer = writerNode({ knowsState: true, reads: { current, modifiedAt: savedByOtherWorker } });
			await write(writer, [edit('o1')]);
			expect(writer.sent.map((record) => record.fields)).toEqual([{ name: 'Edited' }]);
		});

		it('skips it when the record holds anything else, as an edit in the service', async () => {
			await runNode({ nodeType: otherWorkerNode({ id: 'o2', fields: { name: 'Saved' } }), parameters: {}, items: [{ json: {} }] });
			const writer = writerNode({ knowsState: true, reads: { current: { id: 'o2', fields: { name: 'Saved', phone: '+41 79 555 00 00' } }, modifiedAt: savedByOtherWorker } });
			const [output] = await write(writer, [edit('o2')]);
			expect(writer.sent).toEqual([]);
			expect(output).toMatchObject({ status: 'skipped', targetChangedAt: savedByOtherWorker });
		});

		it('leaves the written state recorded for its echo', async () => {
			const current = { id: 'o3', fields: { name: 'Saved' } };
			await runNode({ nodeType: otherWorkerNode(current), parameters: {}, items: [{ json: {} }] });
			await write(writerNode({ knowsState: true, reads: { current, modifiedAt: savedByOtherWorker } }), [edit('o3')]);
			expect(await forwardedIds(checkedInWebhookProcess(current))).toEqual([]);
		});
	});

	it('records nothing when Remember Writes For is 0', async () => {
		const change = { id: 'c13', fields: { name: 'Augusta' } };
		await savedIntoSource(change, 0);
		expect(await forwardedIds(checkedInWebhookProcess(change))).toEqual(['c13']);
	});
});
