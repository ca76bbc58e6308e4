/**
 * The echo guard across n8n processes. In queue mode a trigger runs in the webhook process and
 * the writes in workers, so the echo ledger of the process that receives a change (memory, see
 * echoLedger) never holds what the package wrote, and a webhook process cannot reach n8n's
 * deduplication store. There the writer decides instead, from that store's list of the workflow,
 * which every worker reaches:
 * - a trigger marks each item it lets through with the process that checked it and, where the
 *   source sends the record whole, a fingerprint of the record as received (`echoCheck`);
 * - a writer that knows the state its write leaves (S-360 Save Contact, which reads the contact
 *   first) records that state's fingerprint, for items a trigger checked in another process;
 * - every writer skips an item checked in another process whose fingerprint is recorded (the
 *   source reports back the package's own write), and forgets the fingerprint: the next change
 *   to that same state is genuine.
 * A change checked in the writer's own process was judged by its trigger with the whole ledger;
 * the store is neither written nor read for it. An echo caught here costs a run but no write.
 *
 * Entries are kept per ten-minute slot, a write in each slot its remembering time covers (at most
 * an hour), so a fingerprint is forgotten before the ledger's memory of the write ends. As in
 * syncedLedger, each has a partner removed only once the write is confirmed, so no check (which
 * records what it does not find) and no lost update can make a change look like an echo.
 */
import { createHash, randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { comparable, type RecordView } from './echoLedger';
import { checkAndRecord, removeEntries } from './processedStore';

/** This n8n process, for the items its triggers checked. */
const PROCESS = randomUUID();

const SLOT_MS = 10 * 60_000;
/** The store's memory across processes, whatever Remember Writes For says beyond it. */
const LONGEST_KEPT_MS = 60 * 60_000;
const SLOTS_KEPT = LONGEST_KEPT_MS / SLOT_MS;

const echoEntry = (slot: number, fingerprint: string) => `echo:${slot}:${fingerprint}`;
const unconfirmedEntry = (slot: number, fingerprint: string) => `echo-unconfirmed:${slot}:${fingerprint}`;

/** What a trigger puts on an item it lets through, as `echoCheck`. */
export interface EchoCheck extends IDataObject {
	checkedIn: string;
	/** The record's whole state as received, when the source sends it whole. */
	state?: string;
}

/**
 * A record's state as one value: its system, its id, and every field that holds a value, compared
 * as services store them (an empty field and a missing one are alike).
 */
export function stateFingerprint(system: string, id: string, view: RecordView): string {
	const fields = Object.entries(view)
		.map(([field, value]) => [field, comparable(value)] as const)
		.filter(([, value]) => value !== '')
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return createHash('sha256').update(JSON.stringify([system, id.trim(), fields])).digest('base64url').slice(0, 32);
}

/** The mark of a change checked here; with its record's state when the source sent it whole. */
export function echoCheckOf(record?: { system: string; id: string; view: RecordView }): EchoCheck {
	return { checkedIn: PROCESS, ...(record ? { state: stateFingerprint(record.system, record.id, record.view) } : {}) };
}

/** The item's mark, when a trigger of the package checked it in another n8n process (queue mode). */
export function checkedElsewhere(item: INodeExecutionData): EchoCheck | undefined {
	const mark = item.json.echoCheck as IDataObject | undefined;
	if (!mark || typeof mark !== 'object' || typeof mark.checkedIn !== 'string' || mark.checkedIn === PROCESS) return undefined;
	return { checkedIn: mark.checkedIn, ...(typeof mark.state === 'string' && mark.state ? { state: mark.state } : {}) };
}

/**
 * The fingerprints among `fingerprints` that a writer of this workflow recorded: the items that
 * carry them are echoes. Each found is forgotten. When the store cannot be read none is an echo
 * (the item is written; its echo is written once more at worst).
 */
export async function recordedStates(ctx: IExecuteFunctions, fingerprints: string[], now = Date.now()): Promise<Set<string>> {
	return await lookUp(ctx, fingerprints, { forgetFound: true, now });
}

/**
 * Whether a writer of this workflow recorded the state `fingerprint` names: a record as read that
 * holds it holds only what the workflow wrote. It stays recorded (its echo is still to come).
 */
export async function isRecordedState(ctx: IExecuteFunctions, fingerprint: string, now = Date.now()): Promise<boolean> {
	return (await lookUp(ctx, [fingerprint], { forgetFound: false, now })).has(fingerprint);
}

async function lookUp(ctx: IExecuteFunctions, fingerprints: string[], { forgetFound, now }: { forgetFound: boolean; now: number }): Promise<Set<string>> {
	const unique = [...new Set(fingerprints)];
	if (!unique.length) return new Set();
	const slot = Math.floor(now / SLOT_MS);
	let found: Set<string>;
	try {
		({ found } = await checkAndRecord(ctx, unique.flatMap((fingerprint) => [echoEntry(slot, fingerprint), unconfirmedEntry(slot, fingerprint)]), 'workflow'));
	} catch (error) {
		ctx.logger?.warn(`n8n could not read which changes this workflow wrote itself; they are taken as genuine: ${(error as Error).message}`);
		return new Set();
	}
	const recorded = new Set(unique.filter((fingerprint) => found.has(echoEntry(slot, fingerprint)) && !found.has(unconfirmedEntry(slot, fingerprint))));
	// What the check recorded is taken back; a state forgotten goes for every slot a write covers.
	const leftovers = unique.flatMap((fingerprint) => {
		if (forgetFound && recorded.has(fingerprint)) return slotsFrom(slot, SLOTS_KEPT).flatMap((kept) => [echoEntry(kept, fingerprint), unconfirmedEntry(kept, fingerprint)]);
		return [echoEntry(slot, fingerprint), unconfirmedEntry(slot, fingerprint)].filter((entry) => !found.has(entry));
	});
	await removeEntries(ctx, leftovers, 'workflow', 'take back what its check of written states recorded');
	return recorded;
}

/**
 * Records the states writes of this run left (their fingerprints), for `rememberMs` (at most an
 * hour, in whole slots). Each is confirmed only after it is recorded: a failure forgets it.
 */
export async function recordStates(ctx: IExecuteFunctions, fingerprints: string[], rememberMs: number, now = Date.now()): Promise<void> {
	const unique = [...new Set(fingerprints)];
	if (!unique.length || rememberMs <= 0) return;
	const first = Math.floor(now / SLOT_MS);
	// Slots that end within the remembering time; at least the current one.
	const last = Math.max(first, Math.floor((now + Math.min(rememberMs, LONGEST_KEPT_MS)) / SLOT_MS) - 1);
	const slots = slotsFrom(first, last - first + 1);
	try {
		await checkAndRecord(ctx, unique.flatMap((fingerprint) => slots.flatMap((slot) => [echoEntry(slot, fingerprint), unconfirmedEntry(slot, fingerprint)])), 'workflow');
	} catch (error) {
		ctx.logger?.warn(`n8n could not record what this workflow wrote; its echo will be written back once: ${(error as Error).message}`);
		return;
	}
	await removeEntries(
		ctx,
		unique.flatMap((fingerprint) => slots.map((slot) => unconfirmedEntry(slot, fingerprint))),
		'workflow',
		'confirm what this workflow wrote; its echo will be written back once',
	);
}

function slotsFrom(first: number, count: number): number[] {
	return Array.from({ length: count }, (_, index) => first + index);
}
