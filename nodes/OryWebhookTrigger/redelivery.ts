/**
 * Remembers the delivery ids a trigger node has already started executions for, so a
 * redelivered request starts none. Bounded: ids are kept REDELIVERY_WINDOW_MS (24 hours) and
 * at most REDELIVERY_MAX_IDS (1,000) per node, the oldest dropped first.
 *
 * The ids live in this n8n process's memory, one store per workflow and trigger node. Not in
 * workflow static data: n8n 2.x builds a fresh workflow object from the database for every
 * webhook request, so concurrent requests would not see each other's ids there, and it drops
 * static-data changes a webhook makes when the request starts an execution (building the
 * execution's workflow object resets the "changed" flag before the webhook's save; seen in
 * n8n 2.41.1). So a restart of n8n forgets the ids, and in queue mode with several webhook
 * processes each remembers its own.
 */

export const REDELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const REDELIVERY_MAX_IDS = 1000;

/** Ory's ids are UUIDs; anything outside this is not used as a key (and never stored). */
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The header value as a delivery id, or null when absent, repeated or not id-like. */
export function deliveryId(value: string | string[] | undefined): string | null {
	if (typeof value !== 'string') return null;
	const trimmed = value.trim();
	return DELIVERY_ID.test(trimmed) ? trimmed : null;
}

export class RecentDeliveries {
	private readonly seen = new Map<string, number>();

	constructor(
		readonly windowMs: number = REDELIVERY_WINDOW_MS,
		readonly maxIds: number = REDELIVERY_MAX_IDS,
	) {}

	get size(): number {
		return this.seen.size;
	}

	has(id: string, now: number): boolean {
		const at = this.seen.get(id);
		return at !== undefined && now - at < this.windowMs;
	}

	/** Records `id` and answers true, or answers false when it was already recorded (a redelivery). */
	claim(id: string, now: number): boolean {
		this.prune(now);
		if (this.seen.has(id)) return false;
		this.seen.set(id, now);
		this.dropOverflow();
		return true;
	}

	// Ids are added as they arrive, so the Map's order is their age order: oldest first.
	private prune(now: number): void {
		for (const [id, at] of this.seen) {
			if (now - at < this.windowMs) return;
			this.seen.delete(id);
		}
	}

	private dropOverflow(): void {
		for (const id of this.seen.keys()) {
			if (this.seen.size <= this.maxIds) return;
			this.seen.delete(id);
		}
	}
}

// One store per trigger node of an active workflow in this n8n instance.
const stores = new Map<string, RecentDeliveries>();

export function recentDeliveriesFor(key: string): RecentDeliveries {
	let store = stores.get(key);
	if (store === undefined) {
		store = new RecentDeliveries();
		stores.set(key, store);
	}
	return store;
}

/** Drops a node's store (on deactivation). */
export function forgetRecentDeliveries(key: string): void {
	stores.delete(key);
}
