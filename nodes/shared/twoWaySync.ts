/**
 * The two-way sync settings every writer and trigger of the package offers, and how they are read:
 * writers remember what they wrote and refuse a change older than the record holds; triggers drop
 * changes that only report back such a write (see echoLedger).
 */
import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { echoLedger, type RecordView } from './echoLedger';
import type { TargetSchema } from './fieldMapping';

const MINUTE_MS = 60_000;
export const DEFAULT_REMEMBER_MINUTES = 60;

export type WhenOlderThanTarget = 'skip' | 'fail' | 'write';

/** Options of a writer's Options collection. */
export const rememberWritesOption: INodeProperties = {
	displayName: 'Remember Writes For (Minutes)',
	name: 'rememberWritesFor',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 1440 },
	default: DEFAULT_REMEMBER_MINUTES,
	description:
		'For two-way sync: how long this n8n instance remembers what the node wrote to each record, so that the package’s triggers recognise the service reporting that write back and start nothing for it (in queue mode, at most an hour, through n8n’s database: the echo then starts a run and the writer sends nothing). 0 remembers nothing.',
};

export const whenOlderThanTargetOption: INodeProperties = {
	displayName: 'When Older Than Target',
	name: 'whenOlderThanTarget',
	type: 'options',
	default: 'skip',
	options: [
		{
			name: 'Skip the Item',
			value: 'skip',
			description: 'Nothing is sent; the item’s output says why',
		},
		{
			name: 'Fail the Item',
			value: 'fail',
			description: 'The item fails with the two change times, as On Error says',
		},
		{ name: 'Write It Anyway', value: 'write', description: 'No order check' },
	],
	description:
		'For two-way sync: an item whose change time (its changedAt, as the package’s triggers give it) is older than the newest change this n8n instance wrote to, or saw from, the same record is not written over it',
};

/** A trigger's setting. */
export const dropEchoesSetting: INodeProperties = {
	displayName: 'Drop Echoes',
	name: 'dropEchoes',
	type: 'boolean',
	default: true,
	description:
		'Whether a change that only reports back what a node of this package wrote to the record (within its Remember Writes For) starts nothing. A change made only of echoes is answered without a run; a field edited afterwards passes. Each item says how many echoes its delivery dropped. In queue mode the writers skip echoes instead (see the item’s echoCheck).',
};

export interface WriterSyncSettings {
	ttlMs: number;
	whenOlder: WhenOlderThanTarget;
}

export function writerSyncSettings(options: IDataObject): WriterSyncSettings {
	const minutes = Number(options.rememberWritesFor ?? DEFAULT_REMEMBER_MINUTES);
	const whenOlder = String(options.whenOlderThanTarget ?? 'skip');
	return {
		ttlMs: Number.isFinite(minutes) && minutes > 0 ? Math.min(minutes, 1440) * MINUTE_MS : 0,
		whenOlder:
			whenOlder === 'fail' || whenOlder === 'write' ? whenOlder : 'skip',
	};
}

/** An ISO 8601 date-time with its zone; without one the instant is not known, and none is guessed. */
const ZONED_DATE_TIME =
	/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A change time in epoch ms, or undefined when the value is not a zoned ISO date-time. */
export function changeTimeOf(value: unknown): number | undefined {
	if (typeof value !== 'string' || !ZONED_DATE_TIME.test(value.trim()))
		return undefined;
	const time = Date.parse(value.trim());
	return Number.isNaN(time) ? undefined : time;
}

/** The change time an item carries: its `changedAt`, as the package's triggers emit it. */
export function itemChangeTime(item: INodeExecutionData): number | undefined {
	return changeTimeOf(item.json.changedAt);
}

/** The keys a record is known by: its id in the service, and its email (the duplicate-check value). */
export function recordKeys(ids: { id?: unknown; email?: unknown }): string[] {
	const keys: string[] = [];
	if (ids.id !== undefined && ids.id !== null && String(ids.id).trim() !== '')
		keys.push(`id:${String(ids.id).trim()}`);
	if (typeof ids.email === 'string' && ids.email.trim() !== '')
		keys.push(`email:${ids.email.trim().toLowerCase()}`);
	return keys;
}

/** An incoming change, as a trigger knows it. */
export interface IncomingChange {
	keys: string[];
	view: RecordView;
	/** The source's modification time, epoch ms. */
	changedAt?: number;
	/** The fields the source says changed, when it says (system fields left out). */
	changedFields?: string[];
}

/**
 * Splits a delivery's changes into echoes and genuine ones. Every change received becomes its
 * record's expected state (so a later edit of any field it carries is told apart from an echo),
 * and a genuine change's time is noted so that a writer will not write an older one over it.
 */
export function dropEchoes<T>(system: string, changes: T[], describe: (change: T) => IncomingChange | undefined, enabled: boolean): { kept: T[]; echoes: number } {
	const kept: T[] = [];
	let echoes = 0;
	const ttlMs = DEFAULT_REMEMBER_MINUTES * MINUTE_MS;
	for (const change of changes) {
		const incoming = describe(change);
		if (!incoming || !incoming.keys.length) {
			kept.push(change);
			continue;
		}
		const echo = enabled && echoLedger.isEcho(system, incoming.keys, incoming.view, incoming.changedFields);
		echoLedger.noteView(system, incoming.keys, incoming.view, ttlMs);
		if (echo) {
			echoes++;
			continue;
		}
		if (incoming.changedAt !== undefined) echoLedger.noteChange(system, incoming.keys, incoming.changedAt, ttlMs);
		kept.push(change);
	}
	return { kept, echoes };
}

/**
 * A writer whose records are known by their email (the schema's email field): the keys and view of
 * a flat record of the schema's fields, for writers no trigger of the package reads back, so that
 * their order check and what they wrote follow the same rule as the others'.
 */
export function recordsByEmail(schema: TargetSchema): (fields: IDataObject) => { keys: string[]; view: RecordView } {
	const emailField = schema.fields.find((field) => field.concept === 'email')?.name;
	return (fields) => ({ keys: recordKeys({ email: emailField ? fields[emailField] : undefined }), view: fields });
}
