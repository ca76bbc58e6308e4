/**
 * Claiming deliveries in a redelivery ledger (redelivery.ts), the one claim/wait loop every
 * trigger uses: a key nobody holds is claimed for this request's run; a key whose run
 * succeeded is not run again (its recorded answer comes back); a key another request is
 * running right now (a sender resending after its timeout while the first run still works)
 * waits for that run and is claimed again if it failed. Answering at once for a running key
 * would lose it if that first run then failed.
 */
import { sleep } from 'n8n-workflow';

import type { DeliveryLedger } from './redelivery';

export type KeysClaim<Answer> =
	/** `claimed`: keys this request must run and then settle, in the order they were claimed. */
	| { state: 'claimed'; claimed: string[]; succeeded: Map<string, Answer> }
	/** Some key was still running when the wait ran out; nothing stays claimed. */
	| { state: 'busy' };

/**
 * Claims `keys` (repeats count once), waiting up to `maxWaitMs` for keys other requests are
 * running. If the wait runs out, the keys claimed so far are released and the caller answers
 * something that makes the sender retry later, starting nothing.
 */
export async function claimKeys<Answer>(
	ledger: DeliveryLedger<Answer>,
	keys: readonly string[],
	maxWaitMs: number,
	now: () => number = Date.now,
): Promise<KeysClaim<Answer>> {
	const deadline = now() + maxWaitMs;
	let pending = [...new Set(keys)];
	const claimed: string[] = [];
	const succeeded = new Map<string, Answer>();
	while (pending.length > 0) {
		const waits: Array<Promise<unknown>> = [];
		const retry: string[] = [];
		// Synchronous from here to the end of the round: of simultaneous copies one claims.
		const at = now();
		for (const key of pending) {
			const begun = ledger.begin(key, at);
			if (begun.state === 'new') claimed.push(key);
			else if (begun.state === 'succeeded') succeeded.set(key, begun.answer);
			else {
				waits.push(begun.settled);
				retry.push(key);
			}
		}
		if (waits.length === 0) break;
		const remaining = deadline - now();
		const outcome = remaining > 0 ? await Promise.race([Promise.all(waits), sleep(remaining).then(() => 'waited' as const)]) : 'waited';
		if (outcome === 'waited') {
			for (const key of claimed) ledger.fail(key);
			return { state: 'busy' };
		}
		// After a failure the key is free: the next round claims it, unless another waiter did first.
		pending = retry;
	}
	return { state: 'claimed', claimed, succeeded };
}

/**
 * Claims one delivery's `key`: `new` (the caller runs and settles the key), `succeeded`
 * (replay the answer) or `running` (still running after the wait: answer something that
 * makes the sender retry later, start nothing).
 */
export async function claimDelivery<Answer>(
	ledger: DeliveryLedger<Answer>,
	key: string,
	maxWaitMs: number,
	now: () => number = Date.now,
): Promise<{ state: 'new' } | { state: 'succeeded'; answer: Answer } | { state: 'running' }> {
	const claim = await claimKeys(ledger, [key], maxWaitMs, now);
	if (claim.state === 'busy') return { state: 'running' };
	if (claim.claimed.length > 0) return { state: 'new' };
	return { state: 'succeeded', answer: claim.succeeded.get(key) as Answer };
}
