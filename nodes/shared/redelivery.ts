/**
 * Idempotent webhook deliveries, the way payment APIs do it: the first delivery of a key runs;
 * a redelivery of a key whose run succeeded gets the first answer again and runs nothing; one
 * whose run failed runs again; one that arrives while the first is still running can wait for
 * its outcome (`settled`).
 *
 * The ledger lives in this n8n process's memory, one per workflow and trigger node. Not in
 * workflow static data: n8n 2.x builds a fresh workflow object from the database for every
 * webhook request, so concurrent requests would not see each other's keys there, and it drops
 * static-data changes a webhook makes when the request starts an execution (seen in n8n 2.41.1).
 * So a restart of n8n forgets the keys, and in queue mode each webhook process has its own.
 */
export const REDELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const REDELIVERY_MAX_KEYS = 1000;

export type Settlement = 'succeeded' | 'failed';

export type Begun<Answer> =
	| { state: 'new' }
	| { state: 'running'; settled: Promise<Settlement> }
	| { state: 'succeeded'; answer: Answer };

export interface LedgerLimits {
	/** How long a key is remembered after it was begun. */
	windowMs?: number;
	/** At most this many succeeded keys are kept, the oldest dropped first. */
	maxKeys?: number;
	/**
	 * A run still unanswered after this long no longer holds its key: its sender has given up
	 * on it, and its answer may never come (a queue-mode webhook process can lose a worker's
	 * result; a worker can die mid-run). Default: the whole window.
	 */
	abandonRunningAfterMs?: number;
}

type Entry<Answer> =
	| { state: 'running'; at: number; settled: Promise<Settlement>; settle: (outcome: Settlement) => void }
	| { state: 'succeeded'; at: number; answer: Answer };

export class DeliveryLedger<Answer> {
	readonly windowMs: number;
	readonly maxKeys: number;
	readonly abandonRunningAfterMs: number;
	/** In the order entries were last written, which is the order of their `at`. */
	private readonly entries = new Map<string, Entry<Answer>>();
	private succeededCount = 0;

	constructor(limits: LedgerLimits = {}) {
		this.windowMs = limits.windowMs ?? REDELIVERY_WINDOW_MS;
		this.maxKeys = Math.max(1, limits.maxKeys ?? REDELIVERY_MAX_KEYS);
		this.abandonRunningAfterMs = limits.abandonRunningAfterMs ?? this.windowMs;
	}

	get size(): number {
		return this.entries.size;
	}

	/**
	 * Claims `key` for a run (`new`; the caller must later call succeed or fail), or tells what
	 * is known of it. Synchronous, so of simultaneous copies exactly one gets `new`.
	 */
	begin(key: string, now: number): Begun<Answer> {
		this.prune(now);
		const entry = this.entries.get(key);
		// Each entry's own age decides; pruning only frees memory.
		if (entry?.state === 'succeeded' && now - entry.at < this.windowMs) return { state: 'succeeded', answer: entry.answer };
		if (entry?.state === 'running') {
			if (now - entry.at < this.abandonRunningAfterMs) return { state: 'running', settled: entry.settled };
			// Abandoned: its waiters move on and this delivery runs instead.
			entry.settle('failed');
		}
		let settle: (outcome: Settlement) => void = () => undefined;
		const settled = new Promise<Settlement>((resolve) => {
			settle = resolve;
		});
		this.remove(key);
		this.entries.set(key, { state: 'running', at: now, settled, settle });
		return { state: 'new' };
	}

	/** Records the answer of a run that succeeded; redeliveries of `key` get it replayed. */
	succeed(key: string, answer: Answer, now: number): void {
		const entry = this.entries.get(key);
		// Re-inserted, so the Map's order stays the order of `at`.
		this.remove(key);
		this.entries.set(key, { state: 'succeeded', at: now, answer });
		this.succeededCount++;
		if (entry?.state === 'running') entry.settle('succeeded');
		this.dropOverflow();
	}

	/** Forgets `key`, so its next delivery runs again. */
	fail(key: string): void {
		const entry = this.entries.get(key);
		this.remove(key);
		if (entry?.state === 'running') entry.settle('failed');
	}

	hasSucceeded(key: string, now: number): boolean {
		const entry = this.entries.get(key);
		return entry?.state === 'succeeded' && now - entry.at < this.windowMs;
	}

	private remove(key: string): void {
		const entry = this.entries.get(key);
		if (entry === undefined) return;
		if (entry.state === 'succeeded') this.succeededCount--;
		this.entries.delete(key);
	}

	/** Drops expired entries from the oldest end: a bucket of 100 costs 100 steps, not 100 × the ledger. */
	private prune(now: number): void {
		for (const [key, entry] of this.entries) {
			if (now - entry.at < this.windowMs) return;
			// A run still unsettled after the whole window is taken as lost: its waiters move on.
			if (entry.state === 'running') entry.settle('failed');
			this.remove(key);
		}
	}

	// Running keys are never dropped for size: they are as many as the requests in flight.
	private dropOverflow(): void {
		if (this.succeededCount <= this.maxKeys) return;
		for (const [key, entry] of this.entries) {
			if (this.succeededCount <= this.maxKeys) return;
			if (entry.state === 'succeeded') this.remove(key);
		}
	}
}

// One ledger per trigger node of an active workflow, for the life of this n8n instance.
const ledgers = new Map<string, DeliveryLedger<unknown>>();

/** The ledger of `storeKey` (e.g. `<workflow id>:<node id>`); `limits` apply when it is created. */
export function ledgerFor<Answer>(storeKey: string, limits?: LedgerLimits): DeliveryLedger<Answer> {
	let ledger = ledgers.get(storeKey);
	if (ledger === undefined) {
		ledger = new DeliveryLedger<unknown>(limits);
		ledgers.set(storeKey, ledger);
	}
	return ledger as DeliveryLedger<Answer>;
}

/** Drops a node's ledger (on deactivation). */
export function forgetLedger(storeKey: string): void {
	ledgers.delete(storeKey);
}

/** Delivery ids are UUIDs or similar; anything outside this is not used as a key (and never stored). */
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A header value as a delivery id, or null when absent, repeated or not id-like. */
export function deliveryId(value: string | string[] | undefined): string | null {
	if (typeof value !== 'string') return null;
	const trimmed = value.trim();
	return DELIVERY_ID.test(trimmed) ? trimmed : null;
}

/** The parts of Node's ServerResponse (what n8n's express response is) watchResponse uses. */
interface WatchableResponse {
	statusCode: number;
	write: (...args: unknown[]) => boolean;
	end: (...args: unknown[]) => unknown;
	getHeader?: (name: string) => unknown;
}

function isWatchable(value: unknown): value is WatchableResponse {
	const res = value as Partial<WatchableResponse> | null;
	return typeof res === 'object' && res !== null && typeof res.write === 'function' && typeof res.end === 'function';
}

function chunkBytes(chunk: unknown, encoding: unknown): Buffer | undefined {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (chunk instanceof Uint8Array) return Buffer.from(chunk);
	if (typeof chunk === 'string') {
		return Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
	}
	return undefined;
}

/**
 * Calls onSettled once n8n has answered the request: status and the body bytes it sent (and
 * its Content-Type). Wraps `write`/`end` rather than waiting for 'finish', so an answer n8n
 * writes after the caller has gone away still counts as the run's outcome.
 */
export function watchResponse(
	res: unknown,
	onSettled: (status: number, body: Buffer, contentType: string | undefined) => void,
): void {
	if (!isWatchable(res)) return;
	const chunks: Buffer[] = [];
	const write = res.write;
	const end = res.end;
	let settled = false;
	res.write = function (this: unknown, ...args: unknown[]) {
		const bytes = chunkBytes(args[0], args[1]);
		if (bytes !== undefined) chunks.push(bytes);
		return write.apply(this, args);
	};
	res.end = function (this: unknown, ...args: unknown[]) {
		const bytes = typeof args[0] === 'function' ? undefined : chunkBytes(args[0], args[1]);
		if (bytes !== undefined) chunks.push(bytes);
		const result = end.apply(this, args);
		if (!settled) {
			settled = true;
			res.write = write;
			res.end = end;
			const contentType = res.getHeader?.('content-type');
			onSettled(res.statusCode, Buffer.concat(chunks), typeof contentType === 'string' ? contentType : undefined);
		}
		return result;
	};
}

/** What a trigger records of n8n's answer to a delivery, to replay it to a redelivery. */
export interface RecordedAnswer {
	status: number;
	body: Buffer;
	contentType?: string;
}

/**
 * Watches `res` and settles claimed `keys` with n8n's answer. Only a run that succeeded is
 * remembered. Acknowledging after success (`remembersSuccess`), n8n's answer is the run's
 * outcome: 200 after success, 500 after a failure. Acknowledging at once, n8n answers 200 as soon
 * as the run has started and tells webhook() nothing more (no execution promise reaches a
 * trigger), so that 200 only ends the claim: the keys are "running" until then, so a copy arriving
 * meanwhile waits instead of starting a second run, and remembered as nothing after it, so a
 * resend after a failed run runs again. (A Delivery Key on the writing node skips what was written.)
 */
export function settleClaimedKeys(ledger: DeliveryLedger<true>, keys: Iterable<string>, res: unknown, remembersSuccess: boolean): void {
	const claimed = [...keys];
	watchResponse(res, (status) => {
		const settledAt = Date.now();
		for (const key of claimed) {
			if (status === 200 && remembersSuccess) ledger.succeed(key, true, settledAt);
			else ledger.fail(key);
		}
	});
}

/** Watches `res` and settles `key` with n8n's answer: a status under 500 is a success to replay. */
export function settleWithResponse(ledger: DeliveryLedger<RecordedAnswer>, key: string, res: unknown): void {
	watchResponse(res, (status, body, contentType) => {
		if (status < 500) ledger.succeed(key, { status, body, contentType }, Date.now());
		else ledger.fail(key);
	});
}

/** The parts of n8n's express response replayAnswer writes to. */
interface WritableResponse {
	headersSent?: boolean;
	writeHead(status: number, headers: Record<string, string>): unknown;
	end(body?: Buffer): unknown;
}

/** Sends a recorded answer again, byte for byte, and tells n8n to start nothing. */
export function replayAnswer(res: unknown, answer: RecordedAnswer): { noWebhookResponse: true } {
	const response = res as WritableResponse;
	if (response.headersSent !== true) {
		const headers: Record<string, string> = { 'Content-Length': String(answer.body.length) };
		if (answer.contentType !== undefined) headers['Content-Type'] = answer.contentType;
		// 204 and 304 carry no body and no Content-Length.
		if (answer.status === 204 || answer.status === 304) delete headers['Content-Length'];
		response.writeHead(answer.status, headers);
		response.end(answer.body.length > 0 ? answer.body : undefined);
	}
	return { noWebhookResponse: true };
}

// The claim loop lives in deliveryClaims.ts; exported here too for existing callers.
export { claimDelivery } from './deliveryClaims';
