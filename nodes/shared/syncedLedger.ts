/**
 * Which items an earlier run already wrote, by a key that stays the same when a sender delivers
 * the same change again (Ory's trigger id, S-360's contact number and change time). The keys live
 * in n8n's deduplication store, the database table that Remove Duplicates uses and that every n8n
 * process (main, webhook, queue-mode workers) shares, so a redelivery that another process takes
 * is still recognised.
 *
 * Unlike Remove Duplicates, a key is recorded only once its item was written: a delivery whose
 * run failed is not remembered, and the sender's retry writes it.
 */
import type { ICheckProcessedOptions, IExecuteFunctions } from 'n8n-workflow';

const STORE: ICheckProcessedOptions = { mode: 'entries', maxEntries: 100_000 };

/** The keys among `keys` that an earlier run of this node wrote. */
export async function syncedEarlier(ctx: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	if (!keys.length) return new Set();
	const seen = await onceMoreOnFailure(async () => await ctx.helpers.checkProcessedAndRecord(keys, 'node', STORE));
	// n8n has no check-only call: take back what the check recorded, since nothing is written yet.
	if (seen.new.length) await onceMoreOnFailure(async () => await ctx.helpers.removeProcessed(seen.new, 'node', STORE));
	return new Set(seen.processed.map(String));
}

/** Remembers the keys of items this run wrote. */
export async function recordSynced(ctx: IExecuteFunctions, keys: string[]): Promise<void> {
	if (keys.length) await onceMoreOnFailure(async () => await ctx.helpers.checkProcessedAndRecord(keys, 'node', STORE));
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
