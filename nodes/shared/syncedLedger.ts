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
 * The store is kept bounded by emptying it (processedStore.ts), which only makes the next
 * deliveries write again.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { checkAndRecord, removeEntries } from './processedStore';

export const checkedEntry = (key: string) => `delivery:${key}`;
export const unconfirmedEntry = (key: string) => `unconfirmed:${key}`;

/**
 * The keys among `keys` (no repeats) whose items an earlier run wrote. Throws when the store
 * cannot be read: then nothing may be sent, since nothing is known.
 */
export async function writtenEarlier(ctx: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	if (!keys.length) return new Set();
	const { found } = await checkAndRecord(ctx, keys.flatMap((key) => [checkedEntry(key), unconfirmedEntry(key)]), 'node');
	const written = keys.filter((key) => found.has(checkedEntry(key)) && !found.has(unconfirmedEntry(key)));
	// The check has just marked these unconfirmed: take that back. Should it fail, they are written again next time.
	await removeEntries(ctx, written.map(unconfirmedEntry), 'node', 'restore the delivery keys of skipped items; a redelivery of them will be written again');
	return new Set(written);
}

/** Marks the keys of items the service accepted as written. A failure only makes a redelivery write them again. */
export async function confirmWritten(ctx: IExecuteFunctions, keys: string[]): Promise<void> {
	await removeEntries(ctx, keys.map(unconfirmedEntry), 'node', 'record the delivery keys of the items written; a redelivery of them will be written again');
}
