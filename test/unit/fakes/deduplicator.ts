import type { DeduplicationItemTypes, DeduplicationScope, ICheckProcessedContextData, ICheckProcessedOptions } from 'n8n-workflow';
import { createHash } from 'node:crypto';

/**
 * n8n's deduplication store, in memory, as n8n's DeduplicationHelper keeps it in its processed_data
 * table (packages/cli/src/deduplication/deduplication-helper.ts, the same in n8n 1.x and 2.x): one row
 * per workflow and context (`n:<node id>` for scope node, '' for scope workflow) holding the mode and
 * the md5 hashes of the values, oldest first. Every call reads the row, then writes the whole row back,
 * with no lock between: two calls at once can undo each other's change, and two first inserts of a
 * row collide. There is no call that reads without recording.
 */
export class MemoryDeduplicator {
	readonly rows = new Map<string, { mode: string; data: string[] }>();
	/** checkProcessedAndRecord calls that fail before the next one works, as a row's first insert can. */
	failNext = 0;
	/** removeProcessed calls that fail. */
	failRemovals = 0;
	private calls = 0;
	private readonly holds = new Map<number, { reached: () => void; released: Promise<void> }>();

	/** Holds the store's `call`-th call (counting from now) before it reads, until `release`. */
	holdCall(call: number): { reached: Promise<void>; release: () => void } {
		let reached!: () => void;
		let release!: () => void;
		const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
		const released = new Promise<void>((resolve) => (release = resolve));
		this.holds.set(this.calls + call, { reached, released });
		return { reached: reachedPromise, release };
	}

	/** How many entries the node's row holds (what getProcessedDataCount answers). */
	entries(): number {
		return [...this.rows.values()].reduce((sum, row) => sum + row.data.length, 0);
	}

	private static rowId(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		if (scope === 'node' && !context.node) throw new Error("No node information has been provided and so cannot use scope 'node'");
		return `${String(context.workflow.id)}|${scope === 'node' ? `n:${context.node!.id}` : ''}`;
	}

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	/** The row as findOne returns it: a copy, taken after the call's turn (and any hold) comes. */
	private async read(id: string) {
		const call = ++this.calls;
		const hold = this.holds.get(call);
		if (hold) {
			hold.reached();
			await hold.released;
		}
		await Promise.resolve();
		const row = this.rows.get(id);
		const copy = row ? { mode: row.mode, data: [...row.data] } : undefined;
		// The write comes back later, as a separate query does.
		await new Promise((resolve) => setImmediate(resolve));
		return copy;
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		if (this.failNext > 0) {
			this.failNext--;
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		}
		const id = MemoryDeduplicator.rowId(scope, context);
		const row = await this.read(id);
		if (options.mode !== 'entries') throw new Error('this fake keeps the entries mode only');
		if (row && row.mode !== options.mode) throw new Error('Deduplication data was originally saved with an incompatible setting');
		const hashes = items.map(MemoryDeduplicator.hash);
		if (!row) {
			if (this.rows.has(id)) throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
			if (options.maxEntries) hashes.splice(0, hashes.length - options.maxEntries);
			this.rows.set(id, { mode: options.mode, data: hashes });
			return { new: items, processed: [] };
		}
		const known = new Set(row.data);
		const result = { new: [] as DeduplicationItemTypes[], processed: [] as DeduplicationItemTypes[] };
		hashes.forEach((hash, index) => {
			if (known.has(hash)) result.processed.push(items[index]);
			else {
				result.new.push(items[index]);
				row.data.push(hash);
			}
		});
		if (options.maxEntries) row.data.splice(0, row.data.length - options.maxEntries);
		// An update of a row that is gone changes nothing.
		if (this.rows.has(id)) this.rows.set(id, row);
		return result;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		if (options.mode !== 'entries') throw new Error('Removing processed data is not possible in mode "latest"');
		if (this.failRemovals > 0) {
			this.failRemovals--;
			throw new Error('connection to the database lost');
		}
		const id = MemoryDeduplicator.rowId(scope, context);
		const row = await this.read(id);
		if (!row) return;
		for (const hash of items.map(MemoryDeduplicator.hash)) {
			const index = row.data.indexOf(hash);
			if (index !== -1) row.data.splice(index, 1);
		}
		if (this.rows.has(id)) this.rows.set(id, row);
	}

	async clearAllProcessedItems(scope: DeduplicationScope, context: ICheckProcessedContextData) {
		this.rows.delete(MemoryDeduplicator.rowId(scope, context));
	}

	async getProcessedDataCount(scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		const row = await this.read(MemoryDeduplicator.rowId(scope, context));
		return options.mode === 'entries' && row ? row.data.length : 0;
	}
}
