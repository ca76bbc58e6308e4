/**
 * Which items an earlier run already wrote, by a key that stays the same when a sender delivers
 * the same change again (Ory's trigger id, S-360's contact number and change time). The keys live
 * in n8n's deduplication store, the database table that Remove Duplicates uses and that every n8n
 * process (main, webhook, queue-mode workers) shares, so a redelivery that another process takes
 * is still recognised.
 *
 * That store has no read-only call: checkProcessedAndRecord records every value it does not
 * find, and it reads and writes a node's whole list without a lock, so two calls at once can undo
 * each other. A check therefore cannot avoid leaving entries, and its removals can fail or be
 * undone. So each key has two entries, and a check records both at once:
 * - `delivery:<key>`: the key has been checked (and its item sent, or about to be);
 * - `unconfirmed:<key>`: removed only once the service accepted the item.
 * An item is skipped only when its key is there and its "unconfirmed" entry is not, which no check
 * and no lost removal can produce: only a write the service accepted removes that entry. Whatever
 * goes wrong (a run that fails, a removal that fails, two runs at once, n8n restarting) leaves an
 * item looking unwritten, and the next delivery writes it again; never the other way round.
 *
 * n8n's own bound (`maxEntries`) drops the oldest entries first and could drop an "unconfirmed"
 * entry while keeping its key, so it is not used: once the store outgrows MAX_STORED_ENTRIES it is
 * emptied, which only makes the next deliveries write again.
 */
import type { ICheckProcessedOptions, IExecuteFunctions } from 'n8n-workflow';

const STORE: ICheckProcessedOptions = { mode: 'entries' };

/** About 100,000 keys: a few MB in n8n's database, rewritten by every check. */
export const MAX_STORED_ENTRIES = 100_000;

export const checkedEntry = (key: string) => `delivery:${key}`;
export const unconfirmedEntry = (key: string) => `unconfirmed:${key}`;

/**
 * The keys among `keys` (no repeats) whose items an earlier run wrote. Throws when the store
 * cannot be read: then nothing may be sent, since nothing is known.
 */
export async function writtenEarlier(ctx: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	if (!keys.length) return new Set();
	const entries = keys.flatMap((key) => [checkedEntry(key), unconfirmedEntry(key)]);
	const seen = await onceMoreOnFailure(async () => await ctx.helpers.checkProcessedAndRecord(entries, 'node', STORE));
	const found = new Set(seen.processed.map(String));
	const written = keys.filter((key) => found.has(checkedEntry(key)) && !found.has(unconfirmedEntry(key)));
	// The check has just marked these unconfirmed: take that back. Should it fail, they are written again next time.
	await bestEffort(ctx, 'restore the delivery keys of skipped items', async () => {
		if (written.length) await ctx.helpers.removeProcessed(written.map(unconfirmedEntry), 'node', STORE);
	});
	if (seen.new.length) await bestEffort(ctx, 'keep the delivery key store bounded', async () => await keepBounded(ctx));
	return new Set(written);
}

/** Marks the keys of items the service accepted as written. A failure only makes a redelivery write them again. */
export async function confirmWritten(ctx: IExecuteFunctions, keys: string[]): Promise<void> {
	if (!keys.length) return;
	await bestEffort(ctx, 'record the delivery keys of the items written', async () => {
		await ctx.helpers.removeProcessed(keys.map(unconfirmedEntry), 'node', STORE);
	});
}

async function keepBounded(ctx: IExecuteFunctions): Promise<void> {
	if ((await ctx.helpers.getProcessedDataCount('node', STORE)) > MAX_STORED_ENTRIES) {
		await ctx.helpers.clearAllProcessedItems('node', STORE);
	}
}

/** A step whose failure leaves items looking unwritten (safe): tried twice, then logged. */
async function bestEffort(ctx: IExecuteFunctions, what: string, operation: () => Promise<void>): Promise<void> {
	try {
		await onceMoreOnFailure(operation);
	} catch (error) {
		ctx.logger?.warn(`n8n could not ${what}; a redelivery of them will be written again: ${(error as Error).message}`);
	}
}

/**
 * n8n creates a node's row in its store with a plain insert: two runs that use the store for the
 * first time at the same moment (two queue-mode workers) collide, and one gets a unique-key error.
 * The row exists after that, so the second try succeeds; a second failure is real and surfaces.
 */
async function onceMoreOnFailure<T>(operation: () => Promise<T>): Promise<T> {
	try {
		return await operation();
	} catch {
		return await operation();
	}
}
