/** Bounds how many calls go to one service account at once, across every execution of this n8n instance. */
interface SlotQueue {
	active: number;
	waiting: Array<{ limit: number; grant: () => void }>;
}

// One queue per key for the whole n8n process: every execution calling the same service with the
// same credential shares it, so 20 executions × 4 calls cannot become 80 calls at once.
const slotQueues = new Map<string, SlotQueue>();

/**
 * Waits for one of `limit` slots of `key`, shared by every execution of this n8n process, and
 * resolves with the function that frees it. Each caller brings its own limit (the node's setting):
 * it is let through only while fewer than its limit are active.
 */
export async function acquireSlot(key: string, limit: number): Promise<() => void> {
	const ownLimit = Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
	let queue = slotQueues.get(key);
	if (queue === undefined) {
		queue = { active: 0, waiting: [] };
		slotQueues.set(key, queue);
	}
	const q = queue;
	if (q.active < ownLimit && q.waiting.length === 0) {
		q.active++;
	} else {
		await new Promise<void>((resolve) => q.waiting.push({ limit: ownLimit, grant: resolve }));
	}
	let released = false;
	return () => {
		if (released) return;
		released = true;
		q.active--;
		grantWaiting(key, q);
	};
}

/** Lets waiting callers in, oldest first, while their own limits allow. */
function grantWaiting(key: string, queue: SlotQueue): void {
	while (queue.waiting.length > 0 && queue.active < queue.waiting[0].limit) {
		const next = queue.waiting.shift()!;
		queue.active++;
		next.grant();
	}
	if (queue.active === 0 && queue.waiting.length === 0) slotQueues.delete(key);
}

/** Calls in flight for `key` in this process (for specs and diagnostics). */
export function activeSlots(key: string): number {
	return slotQueues.get(key)?.active ?? 0;
}
