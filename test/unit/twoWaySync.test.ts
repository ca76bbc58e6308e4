/**
 * Two-way sync in the shared target pipeline and for triggers (nodes/shared/twoWaySync.ts):
 * writers remember what the service accepted, forget what it refused, keep what it may have
 * applied; a change older than the record's newest is skipped, failed or written as the node says;
 * triggers drop what only reports a write back and note the time of every genuine change.
 */
import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { echoLedger } from '../../nodes/shared/echoLedger';
import { runTargetPipeline, type RecordOutcome, type SyncTarget, type TargetPipeline } from '../../nodes/shared/targetPipeline';
import { changeTimeOf, dropEchoes, recordKeys, writerSyncSettings } from '../../nodes/shared/twoWaySync';
import { mapIndividual } from '../../nodes/S360SaveContact/contact';
import { comparableContact, normalizeContact } from '../../nodes/S360FirehoseTrigger/payload';
import { incomingChange } from '../../nodes/ZohoCrmTrigger/delivery';
import { runNode } from './fakes/n8nContext';
import { targetNodeDescription } from './fakes/targetNodeDescription';

let systemCount = 0;
/** Each spec writes to a system of its own: the ledger is shared by the whole n8n instance. */
const newSystem = () => `spec-crm-${++systemCount}`;

function syncTarget(system: string, options: IDataObject = {}): SyncTarget<IDataObject> {
	return {
		system,
		settings: writerSyncSettings(options),
		describe: (record) => ({ keys: recordKeys({ email: record.email }), view: { name: record.name, email: record.email } }),
		keysOfResult: (json) => recordKeys({ id: json.id }),
	};
}

function writer(hooks: Partial<TargetPipeline<IDataObject>>, sent: IDataObject[]): INodeType {
	return {
		description: targetNodeDescription('Sync Target', 'A target for two-way sync specs'),
		async execute(this: IExecuteFunctions) {
			return await runTargetPipeline<IDataObject>(this, {
				service: 'Spec CRM',
				batchSize: 10,
				concurrency: 1,
				limiterKey: `sync:${Math.random()}`,
				prepare: (item) => item.json,
				sendBatch: async (batch) => {
					sent.push(...batch.map(({ record }) => record));
					return batch.map(({ record }) => ({ ok: true, json: { id: `id-of-${String(record.email)}` } }));
				},
				...hooks,
			});
		},
	};
}

const contact = (name: string, changedAt?: string): INodeExecutionData => ({
	json: { name, email: 'ada@example.com', ...(changedAt ? { changedAt } : {}) },
});

async function write(hooks: Partial<TargetPipeline<IDataObject>>, items: INodeExecutionData[], onError?: 'continueRegularOutput') {
	const sent: IDataObject[] = [];
	const output = await runNode({ nodeType: writer(hooks, sent), parameters: {}, items, onError });
	return { sent, output: output[0].map((item) => item.json) };
}

describe('two-way sync: what a writer remembers', () => {
	it('a write the service accepted is an echo when reported back, under its email and the id the answer gave', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system) }, [contact('Ada')]);
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(true);
		expect(echoLedger.isEcho(system, recordKeys({ id: 'id-of-ada@example.com' }), { name: 'Ada' })).toBe(true);
	});

	it('a write the service refused leaves nothing to drop', async () => {
		const system = newSystem();
		await write(
			{
				syncTarget: syncTarget(system),
				sendBatch: async (batch) => batch.map((): RecordOutcome => ({ ok: false, error: new NodeApiError({ name: 'n', type: 't', typeVersion: 1, id: 'x', position: [0, 0], parameters: {} }, { message: 'refused' }) })),
			},
			[contact('Ada')],
			'continueRegularOutput',
		);
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(false);
	});

	it('a write that may have been applied stays remembered, since its echo may still come', async () => {
		const system = newSystem();
		const cutOff = new NodeApiError({ name: 'n', type: 't', typeVersion: 1, id: 'x', position: [0, 0], parameters: {} }, { message: 'socket hang up' });
		cutOff.context.mayHaveBeenApplied = true;
		await write({ syncTarget: syncTarget(system), sendBatch: async (batch) => batch.map((): RecordOutcome => ({ ok: false, error: cutOff })) }, [contact('Ada')], 'continueRegularOutput');
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(true);
	});

	it('Remember Writes For 0 remembers nothing', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system, { rememberWritesFor: 0 }) }, [contact('Ada')]);
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(false);
	});
});

describe('two-way sync: When Older Than Target', () => {
	const newer = '2026-12-05T10:00:30Z';
	const older = '2026-12-05T10:00:00Z';

	it('skips, by default, an item whose change is older than the newest seen from the record, and says so', async () => {
		const system = newSystem();
		echoLedger.noteChange(system, recordKeys({ email: 'ada@example.com' }), Date.parse(newer), 60_000);
		const { sent, output } = await write({ syncTarget: syncTarget(system) }, [contact('Ada', older)]);
		expect(sent).toEqual([]);
		expect(output).toEqual([{ status: 'skipped', reason: 'The record holds a newer change; nothing was sent.', changedAt: '2026-12-05T10:00:00.000Z', targetChangedAt: '2026-12-05T10:00:30.000Z' }]);
	});

	it('skips an item older than the change the node itself wrote last to the record', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system) }, [contact('Augusta', newer)]);
		const { sent } = await write({ syncTarget: syncTarget(system) }, [contact('Ada', older)]);
		expect(sent).toEqual([]);
	});

	it('fails the item, before any call, when set to Fail the Item', async () => {
		const system = newSystem();
		echoLedger.noteChange(system, recordKeys({ email: 'ada@example.com' }), Date.parse(newer), 60_000);
		const { sent, output } = await write({ syncTarget: syncTarget(system, { whenOlderThanTarget: 'fail' }) }, [contact('Ada', older)], 'continueRegularOutput');
		expect(sent).toEqual([]);
		expect(output[0].error).toBe('Item 0: its change (2026-12-05T10:00:00.000Z) is older than the record’s newest (2026-12-05T10:00:30.000Z)');
	});

	it('writes it when set to Write It Anyway', async () => {
		const system = newSystem();
		echoLedger.noteChange(system, recordKeys({ email: 'ada@example.com' }), Date.parse(newer), 60_000);
		const { sent } = await write({ syncTarget: syncTarget(system, { whenOlderThanTarget: 'write' }) }, [contact('Ada', older)]);
		expect(sent).toEqual([{ name: 'Ada', email: 'ada@example.com', changedAt: older }]);
	});

	it('writes a change as new as the newest known, and one without a zoned change time', async () => {
		const system = newSystem();
		echoLedger.noteChange(system, recordKeys({ email: 'ada@example.com' }), Date.parse(newer), 60_000);
		const { sent } = await write({ syncTarget: syncTarget(system) }, [contact('Ada', newer), contact('Augusta', '2026-12-05T10:00:00')]);
		expect(sent.map((record) => record.name)).toEqual(['Ada', 'Augusta']);
	});

	it('does not stop the run under Stop Workflow: a skipped item is not a failure', async () => {
		const system = newSystem();
		echoLedger.noteChange(system, recordKeys({ email: 'ada@example.com' }), Date.parse(newer), 60_000);
		const other: INodeExecutionData = { json: { name: 'Grace', email: 'grace@example.com', changedAt: older } };
		const { sent, output } = await write({ syncTarget: syncTarget(system) }, [contact('Ada', older), other]);
		expect(sent.map((record) => record.name)).toEqual(['Grace']);
		expect(output.map((json) => json.status ?? 'written')).toEqual(['skipped', 'written']);
	});
});

describe('two-way sync: a trigger drops echoes', () => {
	const describeChange = (change: IDataObject) => ({
		keys: recordKeys({ email: change.email }),
		view: { name: change.name, email: change.email },
		changedAt: changeTimeOf(change.changedAt),
	});

	it('leaves out changes that only report a write back and counts them', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system) }, [contact('Ada')]);
		const changes = [
			{ name: 'Ada', email: 'ada@example.com' },
			{ name: 'Grace', email: 'grace@example.com' },
		];
		expect(dropEchoes(system, changes, describeChange, true)).toEqual({ kept: [changes[1]], echoes: 1 });
	});

	it('passes a field edited after the write', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system) }, [contact('Ada')]);
		const edited = { name: 'Augusta Ada', email: 'ada@example.com' };
		expect(dropEchoes(system, [edited], describeChange, true)).toEqual({ kept: [edited], echoes: 0 });
	});

	it('passes everything with Drop Echoes off', async () => {
		const system = newSystem();
		await write({ syncTarget: syncTarget(system) }, [contact('Ada')]);
		const echo = { name: 'Ada', email: 'ada@example.com' };
		expect(dropEchoes(system, [echo], describeChange, false)).toEqual({ kept: [echo], echoes: 0 });
	});

	it('notes a genuine change’s time, so an older change is not written over it', async () => {
		const system = newSystem();
		dropEchoes(system, [{ name: 'Ada', email: 'ada@example.com', changedAt: '2026-12-05T10:00:30+01:00' }], describeChange, true);
		expect(echoLedger.newestKnown(system, recordKeys({ email: 'ada@example.com' }))).toBe(Date.parse('2026-12-05T09:00:30Z'));
	});
});

describe('two-way sync: change times', () => {
	it('reads ISO 8601 date-times that carry their zone', () => {
		expect(changeTimeOf('2026-12-05T10:15:00+05:30')).toBe(Date.parse('2026-12-05T04:45:00Z'));
		expect(changeTimeOf('2026-12-05T10:15:00.123Z')).toBe(Date.parse('2026-12-05T10:15:00.123Z'));
	});

	it('reads nothing from a time without a zone, a date alone, or another type: the instant is not known', () => {
		expect(changeTimeOf('2026-12-05T10:15:00')).toBeUndefined();
		expect(changeTimeOf('2026-12-05')).toBeUndefined();
		expect(changeTimeOf(1733393700000)).toBeUndefined();
	});
});

describe('two-way sync: writes that fail', () => {
	it('a call that throws leaves nothing to drop', async () => {
		const system = newSystem();
		await write(
			{
				syncTarget: syncTarget(system),
				sendBatch: async () => {
					throw new Error('connect ECONNREFUSED');
				},
			},
			[contact('Ada')],
			'continueRegularOutput',
		);
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(false);
	});

	it('a call that throws after it may have been applied stays remembered', async () => {
		const system = newSystem();
		await write(
			{
				syncTarget: syncTarget(system),
				sendBatch: async () => {
					throw Object.assign(new Error('socket hang up'), { context: { mayHaveBeenApplied: true } });
				},
			},
			[contact('Ada')],
			'continueRegularOutput',
		);
		expect(echoLedger.isEcho(system, recordKeys({ email: 'ada@example.com' }), { name: 'Ada' })).toBe(true);
	});
});

describe('two-way sync: S-360 reports back what S-360 Save Contact wrote', () => {
	const zohoRecord = { First_Name: 'Ada', Last_Name: 'Lovelace', Email: 'ada@example.com', Mobile: '+41791234567', Date_of_Birth: '1990-12-10', Mailing_City: 'Zürich' };
	/** The contact as S-360's firehose pushes it after that save: its own names, sections and defaults around the saved fields. */
	const pushed = (edit: IDataObject = {}): IDataObject => ({
		contactNumber: '1001',
		lastModificationDate: '2026-12-05T10:00:00.000Z',
		individualContact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhoneNumber: '+41791234567', birthDate: '1990-12-10', languageCode: 'en', ...edit },
		addresses: [{ mainAddress: true, town: 'Zürich' }],
		authorizations: [],
	});

	function saved(system: string) {
		const { contact } = mapIndividual(zohoRecord, { inputFields: 'autoMap', inputPath: '', fields: [], optIns: [], criteria: [] });
		const view = comparableContact(normalizeContact(contact!.contactData), true);
		echoLedger.confirm(echoLedger.beginWrite(system, recordKeys({ email: contact!.email }), view, 60_000), recordKeys({ id: '1001' }));
	}
	const received = (system: string, raw: IDataObject) => {
		const contact = normalizeContact(raw);
		return echoLedger.isEcho(system, recordKeys({ id: contact.contactNumber, email: contact.email }), comparableContact(contact));
	};

	it('is recognised as an echo', () => {
		const system = newSystem();
		saved(system);
		expect(received(system, pushed())).toBe(true);
	});

	it('is not an echo once a saved field was edited in S-360', () => {
		const system = newSystem();
		saved(system);
		expect(received(system, pushed({ lastName: 'King' }))).toBe(false);
	});
});

describe('two-way sync: Zoho reports back what Zoho CRM Upsert Contact wrote', () => {
	/** A Contact as the Zoho CRM Trigger emits it, read at `modifiedAt`. */
	const emitted = (firstName: string, modifiedAt: string, affectedFields: string[]): IDataObject => ({
		id: '5001',
		email: 'ada@example.com',
		operation: 'update',
		changedAt: modifiedAt,
		affectedFields,
		record: { id: '5001', First_Name: firstName, Last_Name: 'Lovelace', Email: 'ada@example.com', Modified_Time: modifiedAt, Modified_By: { id: '1' } },
	});
	const trigger = (system: string, record: IDataObject) => dropEchoes(system, [record], incomingChange, true);

	it('is an echo after the trigger had received an earlier edit of the record: Zoho’s own fields moved, nothing else', () => {
		const system = newSystem();
		expect(trigger(system, emitted('Older', '2026-12-05T10:00:00+00:00', ['First_Name'])).echoes).toBe(0);
		echoLedger.beginWrite(system, recordKeys({ email: 'ada@example.com' }), { First_Name: 'Newer', Last_Name: 'Lovelace', Email: 'ada@example.com' }, 60_000);
		expect(trigger(system, emitted('Newer', '2026-12-05T10:00:09+00:00', ['First_Name', 'Modified_Time'])).echoes).toBe(1);
	});

	it('is not an echo when the field differs from what was written', () => {
		const system = newSystem();
		trigger(system, emitted('Older', '2026-12-05T10:00:00+00:00', ['First_Name']));
		echoLedger.beginWrite(system, recordKeys({ email: 'ada@example.com' }), { First_Name: 'Newer' }, 60_000);
		expect(trigger(system, emitted('Edited', '2026-12-05T10:00:09+00:00', ['First_Name'])).echoes).toBe(0);
	});
});
