/**
 * n8n's deduplication store (the processed_data table Remove Duplicates uses), as the package's
 * ledgers use it: a list of entries per node or per workflow, which every n8n process reaches from
 * an execution (main, queue-mode workers; not a webhook process). Its calls read and write a whole
 * list without a lock, so two calls at once can undo each other; each ledger is built so that
 * whatever is undone only makes it forget (see syncedLedger and echoStore).
 *
 * n8n's own bound (`maxEntries`) drops the oldest entries one by one, which could split an entry
 * from its partner, so it is not used: once a list outgrows MAX_STORED_ENTRIES it is emptied.
 */
import type { ICheckProcessedOptions, IExecuteFunctions } from 'n8n-workflow';

export type StoreScope = 'node' | 'workflow';

const ENTRIES: ICheckProcessedOptions = { mode: 'entries' };

/** About 100,000 entries: a few MB in n8n's database, rewritten by every check. */
export const MAX_STORED_ENTRIES = 100_000;

/**
 * Records `entries` in the scope's list; returns those that were there already. The store has no
 * read-only call: what was not there is there now. Throws when the store cannot be reached.
 */
export async function checkAndRecord(ctx: IExecuteFunctions, entries: string[], scope: StoreScope): Promise<{ found: Set<string>; recorded: boolean }> {
	if (!entries.length) return { found: new Set(), recorded: false };
	const seen = await onceMoreOnFailure(async () => await ctx.helpers.checkProcessedAndRecord(entries, scope, ENTRIES));
	if (seen.new.length) await bestEffort(ctx, 'keep its deduplication store bounded', async () => await keepBounded(ctx, scope));
	return { found: new Set(seen.processed.map(String)), recorded: seen.new.length > 0 };
}

/** Removes `entries` from the scope's list; a failure is logged, with what it leaves behind. */
export async function removeEntries(ctx: IExecuteFunctions, entries: string[], scope: StoreScope, what: string): Promise<void> {
	if (!entries.length) return;
	await bestEffort(ctx, what, async () => await ctx.helpers.removeProcessed(entries, scope, ENTRIES));
}

async function keepBounded(ctx: IExecuteFunctions, scope: StoreScope): Promise<void> {
	if ((await ctx.helpers.getProcessedDataCount(scope, ENTRIES)) > MAX_STORED_ENTRIES) {
		await ctx.helpers.clearAllProcessedItems(scope, ENTRIES);
	}
}

/** A step whose failure leaves the ledger forgetting, never wrong: tried twice, then logged. */
async function bestEffort(ctx: IExecuteFunctions, what: string, operation: () => Promise<void>): Promise<void> {
	try {
		await onceMoreOnFailure(operation);
	} catch (error) {
		ctx.logger?.warn(`n8n could not ${what}: ${(error as Error).message}`);
	}
}

/**
 * n8n creates a list's row with a plain insert: two runs that use the store for the first time at
 * the same moment (two queue-mode workers) collide, and one gets a unique-key error. The row
 * exists after that, so the second try succeeds; a second failure is real and surfaces.
 */
async function onceMoreOnFailure<T>(operation: () => Promise<T>): Promise<T> {
	try {
		return await operation();
	} catch {
		return await operation();
	}
}
