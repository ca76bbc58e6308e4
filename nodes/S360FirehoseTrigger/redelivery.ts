/** Which contacts of a bucket to run, given the deliveries this trigger node has seen. */
import { sleep } from 'n8n-workflow';
import type { DeliveryLedger } from '../shared/redelivery';
import type { NormalizedContact } from './payload';

/**
 * How long a redelivery waits for an earlier delivery of the same contacts that is still
 * running. S-360 abandons a request after its processing timeout (60 s by default), so the
 * answer must come before that.
 */
export const MAX_WAIT_FOR_RUNNING_MS = 45_000;

type Claim = { state: 'claimed'; contacts: NormalizedContact[] } | { state: 'busy' };

/**
 * Claims the bucket's contacts in the ledger and returns the ones to run. A contact already
 * synced at the same change timestamp is dropped. One whose key another delivery is running
 * right now (S-360 resending after its timeout while the first run still works) waits for that
 * run: dropped if it succeeded, claimed again if it failed. Answering 200 for it at once would
 * lose it if that first run then failed. If the wait runs out, nothing stays claimed and the
 * caller answers 503, so S-360 tries again a retry delay later.
 */
export async function claimContacts(
	ledger: DeliveryLedger<true>,
	contacts: NormalizedContact[],
	maxWaitMs: number,
): Promise<Claim> {
	const deadline = Date.now() + maxWaitMs;
	let pending = contacts;
	const claimed: NormalizedContact[] = [];
	while (pending.length > 0) {
		const waits: Array<Promise<unknown>> = [];
		const retry: NormalizedContact[] = [];
		// Synchronous from here to the end of the loop body: of simultaneous copies one claims.
		const now = Date.now();
		for (const contact of pending) {
			const begun = ledger.begin(contact.deliveryKey, now);
			if (begun.state === 'new') claimed.push(contact);
			else if (begun.state === 'running') {
				waits.push(begun.settled);
				retry.push(contact);
			}
		}
		if (waits.length === 0) break;
		const remaining = deadline - Date.now();
		const outcome = remaining > 0 ? await Promise.race([Promise.all(waits), sleep(remaining).then(() => 'waited' as const)]) : 'waited';
		if (outcome === 'waited') {
			for (const contact of claimed) ledger.fail(contact.deliveryKey);
			return { state: 'busy' };
		}
		pending = retry;
	}
	return { state: 'claimed', contacts: claimed };
}

