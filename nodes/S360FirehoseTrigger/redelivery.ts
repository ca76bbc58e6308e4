/** Which contacts of a bucket to run, given the deliveries this trigger node has seen. */
import { claimKeys } from '../shared/deliveryClaims';
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
 * Claims the bucket's contacts in the ledger (deliveryClaims' loop) and returns the ones to
 * run. A contact already synced at the same change timestamp is dropped; one another delivery
 * is running right now waits for that run. If the wait runs out, nothing stays claimed and the
 * caller answers 503, so S-360 tries again a retry delay later.
 */
export async function claimContacts(
	ledger: DeliveryLedger<true>,
	contacts: NormalizedContact[],
	maxWaitMs: number,
): Promise<Claim> {
	const claim = await claimKeys(ledger, contacts.map((contact) => contact.deliveryKey), maxWaitMs);
	if (claim.state === 'busy') return claim;
	const byKey = new Map(contacts.map((contact) => [contact.deliveryKey, contact]));
	return { state: 'claimed', contacts: claim.claimed.map((key) => byKey.get(key) as NormalizedContact) };
}
