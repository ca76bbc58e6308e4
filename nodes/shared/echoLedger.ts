/**
 * What the package wrote to each record, and the newest change it saw of each, for two-way sync.
 * Writers (target nodes) record a write before its call and confirm or withdraw it after; triggers
 * ask whether an incoming change is only the service reporting back such a write (an echo) and
 * note the time of every genuine change. Writers then refuse to write a change over a record that
 * holds a newer one.
 *
 * Held in memory, shared by every node of the package in one n8n instance (webhooks and
 * executions run in the same one unless n8n runs in queue mode), for a bounded time. Registered
 * before the call, so an echo that arrives before the writer has its answer is still known.
 *
 * A record is named by its system (e.g. `zoho-crm:Contacts`) and any of its keys (`id:…`,
 * `email:…`); a write or change is found under any of them. Views are flat objects of what the
 * service stores, field → value; values are compared as normalised text (see comparable()).
 */
import type { IDataObject } from 'n8n-workflow';

export type RecordView = Record<string, unknown>;

interface Write {
	view: Map<string, string>;
	/** The source change it carried, epoch ms, when known. */
	sourceChangedAt?: number;
	expiresAt: number;
	pending: boolean;
}

interface RecordMemory {
	writes: Write[];
	/** The newest change seen from this record (by its system's modification time), epoch ms. */
	newestChange?: number;
	expiresAt: number;
}

/** A record keeps its last few writes: an echo of an earlier write may arrive after a later one. */
const WRITES_PER_RECORD = 5;
/** Bound on remembered records: beyond it the oldest are forgotten (at worst one echo passes). */
export const MAX_REMEMBERED_RECORDS = 200_000;

export interface WriteTicket {
	readonly system: string;
	readonly write: Write;
	readonly keys: Set<string>;
}

export class EchoLedger {
	private readonly records = new Map<string, RecordMemory>();

	constructor(private readonly now: () => number = Date.now) {}

	/** Records a write about to be sent; confirm() or withdraw() it once the answer is known. */
	beginWrite(system: string, keys: string[], view: RecordView, ttlMs: number, sourceChangedAt?: number): WriteTicket {
		const write: Write = { view: comparableView(view), sourceChangedAt, expiresAt: this.now() + ttlMs, pending: true };
		const ticket: WriteTicket = { system, write, keys: new Set() };
		this.attach(ticket, keys, ttlMs);
		return ticket;
	}

	/** The service accepted the write; `keys` adds what its answer named (a new record's id). */
	confirm(ticket: WriteTicket, keys: string[] = []): void {
		ticket.write.pending = false;
		this.attach(ticket, keys, ticket.write.expiresAt - this.now());
	}

	/** The write was refused and cannot have been applied: it leaves no trace. */
	withdraw(ticket: WriteTicket): void {
		for (const key of ticket.keys) {
			const memory = this.records.get(recordId(ticket.system, key));
			if (memory) memory.writes = memory.writes.filter((write) => write !== ticket.write);
		}
	}

	/**
	 * Whether `incoming` only reports back a write of the package: every field of a remembered
	 * write that `incoming` carries holds the written value, at least one does, and no field the
	 * source lists as changed (`changedFields`, when it lists them) lies outside the write.
	 */
	isEcho(system: string, keys: string[], incoming: RecordView, changedFields?: string[]): boolean {
		const seen = comparableView(incoming);
		return this.writesOf(system, keys).some((write) => {
			if (changedFields?.length && changedFields.some((field) => !write.view.has(field))) return false;
			let compared = 0;
			for (const [field, value] of write.view) {
				if (!seen.has(field)) continue;
				if (seen.get(field) !== value) return false;
				compared++;
			}
			return compared > 0;
		});
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
		}
	}

	private writesOf(system: string, keys: string[]): Write[] {
		const now = this.now();
		return keys.flatMap((key) => this.live(recordId(system, key))?.writes.filter((write) => write.expiresAt > now) ?? []);
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
			if (this.records.size >= MAX_REMEMBERED_RECORDS) this.forgetOldest();
			memory = { writes: [], expiresAt };
			this.records.set(id, memory);
		} else {
			memory.expiresAt = Math.max(memory.expiresAt, expiresAt);
			// Map order is insertion order: move it to the back, the oldest stay in front.
			this.records.delete(id);
			this.records.set(id, memory);
		}
		return memory;
	}

	/** Drops expired records from the front, and the oldest tenth when none has expired. */
	private forgetOldest(): void {
		const now = this.now();
		let dropped = 0;
		for (const [id, memory] of this.records) {
			if (memory.expiresAt > now && dropped >= MAX_REMEMBERED_RECORDS / 10) break;
			this.records.delete(id);
			dropped++;
		}
	}
}

function recordId(system: string, key: string): string {
	return `${system}\u0000${key}`;
}

/**
 * A value as services store it, for comparison: text trimmed, an email-shaped text in lower case
 * (services match addresses without case), empty text and null alike, numbers and booleans as
 * text, objects and lists as their JSON with keys in order.
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

function comparableView(view: RecordView): Map<string, string> {
	const result = new Map<string, string>();
	for (const [field, value] of Object.entries(view)) if (value !== undefined) result.set(field, comparable(value));
	return result;
}

/** The one ledger of this n8n instance, shared by every node of the package. */
export const echoLedger = new EchoLedger();
