/**
 * What the package wrote to each record, what the record last looked like, and the newest change
 * seen of it, for two-way sync. Writers (target nodes) record a write before its call and confirm
 * or withdraw it after; triggers note every change they receive and ask whether it is only the
 * service reporting back a write of the package (an echo). Writers then refuse to write a change
 * over a record that holds a newer one.
 *
 * Each record has an expected state: the last view a trigger received of it, with every write
 * since laid over it. An incoming change is an echo when a write is remembered for the record and
 * the change holds the expected value in every field it carries that the state knows; so a field
 * edited afterwards passes, written or not, and so does a value set back to an earlier one.
 * Fields the state does not know (no view of the record was received yet) cannot be compared.
 *
 * Held in memory, shared by every node of the package in one n8n instance (webhooks and
 * executions run in the same one unless n8n runs in queue mode), for a bounded time. Registered
 * before the call, so an echo that arrives before the writer has its answer is still known.
 *
 * A record is named by its system (e.g. `zoho-crm:Contacts`) and any of its keys (`id:…`,
 * `email:…`). Values are kept as normalised text, long ones as a digest (see comparable()).
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

export type RecordView = Record<string, unknown>;
type State = Map<string, string>;

interface Write {
	fields: Set<string>;
	/** The source change it carried, epoch ms, when known. */
	sourceChangedAt?: number;
	expiresAt: number;
}

interface RecordMemory {
	expected: State;
	writes: Write[];
	/** The newest change seen from this record (by its system's modification time), epoch ms. */
	newestChange?: number;
	expiresAt: number;
}

/** A record keeps its last few writes (their fields and times). */
const WRITES_PER_RECORD = 5;
/** Bound on remembered records: beyond it the oldest are forgotten (at worst one echo passes). */
export const MAX_REMEMBERED_RECORDS = 100_000;
/** Values longer than this are kept as a digest. */
const LONGEST_KEPT_VALUE = 64;

export interface WriteTicket {
	readonly system: string;
	readonly write: Write;
	readonly view: State;
	readonly keys: Set<string>;
}

export class EchoLedger {
	private readonly records = new Map<string, RecordMemory>();

	constructor(private readonly now: () => number = Date.now) {}

	/** Records a write about to be sent; confirm() or withdraw() it once the answer is known. */
	beginWrite(system: string, keys: string[], view: RecordView, ttlMs: number, sourceChangedAt?: number): WriteTicket {
		const state = comparableState(view);
		const write: Write = { fields: new Set(state.keys()), sourceChangedAt, expiresAt: this.now() + ttlMs };
		const ticket: WriteTicket = { system, write, view: state, keys: new Set() };
		this.attach(ticket, keys, ttlMs);
		return ticket;
	}

	/** The service accepted the write; `keys` adds what its answer named (a new record's id). */
	confirm(ticket: WriteTicket, keys: string[] = []): void {
		this.attach(ticket, keys, ticket.write.expiresAt - this.now());
	}

	/** The write was refused and cannot have been applied: it no longer makes a change an echo. */
	withdraw(ticket: WriteTicket): void {
		for (const key of ticket.keys) {
			const memory = this.records.get(recordId(ticket.system, key));
			if (memory) memory.writes = memory.writes.filter((write) => write !== ticket.write);
		}
	}

	/**
	 * Whether `incoming` only reports back a write of the package: a write of the record is
	 * remembered, at least one written field other than the record's key is compared, every field
	 * the expected state knows holds its value, and every field the source lists as changed
	 * (`changedFields`, when it lists them) was written and can be compared.
	 */
	isEcho(system: string, keys: string[], incoming: RecordView, changedFields?: string[]): boolean {
		const memory = keys.map((key) => this.live(recordId(system, key))).find((found) => found?.writes.some((write) => write.expiresAt > this.now()));
		if (!memory) return false;
		const written = new Set<string>();
		for (const write of memory.writes) if (write.expiresAt > this.now()) for (const field of write.fields) written.add(field);
		const seen = comparableState(incoming);
		if (changedFields?.some((field) => !written.has(field) || !seen.has(field))) return false;
		const keyValues = new Set(keys.map((key) => comparable(key.slice(key.indexOf(':') + 1))));
		const known = knownFields(memory, seen);
		return known !== undefined && known.some((field) => written.has(field) && !keyValues.has(seen.get(field)!));
	}

	/**
	 * Whether a record as read from its service holds only what this n8n instance knows of it (the
	 * last view a trigger received, with the writes since): true when every field the expected
	 * state knows holds its value, false when one differs, undefined when nothing is known.
	 */
	holdsOnlyKnown(system: string, keys: string[], current: RecordView): boolean | undefined {
		const memory = keys.map((key) => this.live(recordId(system, key))).find((found) => found !== undefined && found.expected.size > 0);
		if (!memory) return undefined;
		const known = knownFields(memory, comparableState(current));
		if (known === undefined) return false;
		return known.length > 0 ? true : undefined;
	}

	/** Takes what a trigger received of a record as its expected state from now on. */
	noteView(system: string, keys: string[], view: RecordView, ttlMs: number): void {
		const state = comparableState(view);
		for (const key of keys) this.memoryOf(recordId(system, key), ttlMs).expected = new Map(state);
	}

	/** Notes a genuine change of a record, by its system's modification time (epoch ms). */
	noteChange(system: string, keys: string[], changedAt: number, ttlMs: number): void {
		for (const key of keys) {
			const memory = this.memoryOf(recordId(system, key), ttlMs);
			memory.newestChange = Math.max(memory.newestChange ?? changedAt, changedAt);
		}
	}

	/** The newest change time the record is known to hold: seen from it, or written to it. */
	newestKnown(system: string, keys: string[]): number | undefined {
		let newest: number | undefined;
		const consider = (time: number | undefined) => {
			if (time !== undefined && (newest === undefined || time > newest)) newest = time;
		};
		for (const key of keys) {
			const memory = this.live(recordId(system, key));
			if (!memory) continue;
			consider(memory.newestChange);
			for (const write of memory.writes) if (write.expiresAt > this.now()) consider(write.sourceChangedAt);
		}
		return newest;
	}

	/** Records remembered now (for specs and the bound). */
	get size(): number {
		return this.records.size;
	}

	private attach(ticket: WriteTicket, keys: string[], ttlMs: number): void {
		for (const key of keys) {
			if (ticket.keys.has(key)) continue;
			ticket.keys.add(key);
			const memory = this.memoryOf(recordId(ticket.system, key), ttlMs);
			memory.writes.push(ticket.write);
			if (memory.writes.length > WRITES_PER_RECORD) memory.writes.shift();
			for (const [field, value] of ticket.view) memory.expected.set(field, value);
		}
	}

	private live(id: string): RecordMemory | undefined {
		const memory = this.records.get(id);
		if (memory && memory.expiresAt <= this.now()) {
			this.records.delete(id);
			return undefined;
		}
		return memory;
	}

	private memoryOf(id: string, ttlMs: number): RecordMemory {
		const expiresAt = this.now() + Math.max(0, ttlMs);
		let memory = this.live(id);
		if (!memory) {
			this.forgetExpired();
			memory = { expected: new Map(), writes: [], expiresAt };
		} else {
			memory.expiresAt = Math.max(memory.expiresAt, expiresAt);
			// Map order is insertion order: moved to the back, the oldest stay in front.
			this.records.delete(id);
		}
		this.records.set(id, memory);
		return memory;
	}

	/**
	 * Drops expired records from the front (the least recently touched), at most a few per call so
	 * no call pays for a long sweep; beyond the bound the oldest go whether expired or not.
	 */
	private forgetExpired(): void {
		const now = this.now();
		let looked = 0;
		for (const [id, memory] of this.records) {
			const over = this.records.size >= MAX_REMEMBERED_RECORDS;
			if (!over && (memory.expiresAt > now || looked >= 8)) break;
			this.records.delete(id);
			looked++;
		}
	}
}

/** The fields of `seen` the record's expected state knows, all holding their expected value; undefined when one differs. */
function knownFields(memory: RecordMemory, seen: State): string[] | undefined {
	const known: string[] = [];
	for (const [field, value] of seen) {
		const expected = memory.expected.get(field);
		if (expected === undefined) continue;
		if (expected !== value) return undefined;
		known.push(field);
	}
	return known;
}

function recordId(system: string, key: string): string {
	return `${system}\u0000${key}`;
}

/**
 * A value as services store it, for comparison: text trimmed, an email-shaped text in lower case
 * (services match addresses without case), empty text and null alike, numbers and booleans as
 * text, objects and lists as their JSON with keys in order. A case-only edit of an email is
 * therefore not a change.
 */
export function comparable(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') {
		const text = value.trim();
		return /^[^\s@]+@[^\s@]+$/.test(text) ? text.toLowerCase() : text;
	}
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(sortedKeys(value));
}

function sortedKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortedKeys);
	if (value && typeof value === 'object') {
		const sorted: IDataObject = {};
		for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys((value as IDataObject)[key]) as IDataObject;
		return sorted;
	}
	return value;
}

/** Whether a record as read holds every value a write would set, compared as services store them. */
export function holdsValues(current: RecordView, written: RecordView): boolean {
	const held = comparableState(current);
	const wanted = [...comparableState(written)];
	return wanted.length > 0 && wanted.every(([field, value]) => held.get(field) === value);
}

/** A view as kept: comparable text, a digest for long values (memory stays small per record). */
function comparableState(view: RecordView): State {
	const state: State = new Map();
	for (const [field, value] of Object.entries(view)) {
		if (value === undefined) continue;
		const text = comparable(value);
		state.set(field, text.length > LONGEST_KEPT_VALUE ? `#${createHash('sha256').update(text).digest('base64')}` : text);
	}
	return state;
}

/** The one ledger of this n8n instance, shared by every node of the package. */
export const echoLedger = new EchoLedger();
