/**
 * A double of SecuTix S-360's "Firehose contact / Webhook contact v2" interface: the SENDER.
 * It pushes changed contacts to a URL the way the seed's interface and schedule do
 * (external-apis.md, S-360 section), ugly parts included:
 *
 * - Changed contact numbers are queued; a contact changed again before it was sent is sent
 *   once, with its latest data (getContactData runs at send time).
 * - Every scheduled run ("tick", every `frequencySeconds`) takes up to `batchSize` queued
 *   contacts, oldest first, and POSTs them in buckets of `bucketSize`, one bucket after the
 *   other, each filtered to the `details` list.
 * - Only HTTP 200 counts as delivered; the body is ignored. Any other status (201 and 204
 *   included), a dropped connection, or no answer within the processing timeout is a failure:
 *   the bucket's contacts stay queued and go again on the next tick, each up to
 *   `retriesBeforeStop` (12) retries; then the contact is dropped and logged. A warning is
 *   counted when a contact passes `retriesBeforeWarning` (8).
 * - Authentication as the interface form allows: none, Login/Password as Basic auth, or a
 *   custom key=value parameter in the query string or as a header.
 * - Bucket framing is unknown publicly: 'auto' sends a bucket of one as a bare object and
 *   larger ones as an array; 'array', 'single' and 'wrapped' force one framing.
 *
 * - Linked to the contact service (`contacts`, an S360ContactDouble): S-360 is one system, so a
 *   contact saved through the contact service or edited in the back office is queued like any
 *   change, and its data is the contact's CURRENT data in that double, read at send time (a
 *   contact gone from it by then is not sent). Which saves queue is the double's choice: every
 *   applied one, a save that changed nothing included.
 * - A contact changed again while its bucket was in flight stays queued and goes again.
 *
 * Driven step by step from tests (`await sender.tick()`); `start()` runs the schedule on a
 * wall clock for benchmarks. Dependency-free (node built-ins and the tests' raw HTTP client).
 */
import { isClosedByServer, rawSendMayBeRefused } from '../harness/rawHttp';
import { withDetails, type ContactDataResult } from './fixtures/s360/contacts';

/** The contact service the sender reads from at send time (S360ContactDouble). */
export interface S360ContactSource {
	contactData(contactNumber: string): ContactDataResult | undefined;
	onContactChange(listener: (contactNumber: string) => void): void;
}

export type S360SenderAuth =
	| { type: 'none' }
	| { type: 'basic'; login: string; password: string }
	| { type: 'customParameter'; name: string; value: string; in: 'query' | 'header' };

export interface S360SenderOptions {
	url: string;
	/** Contacts processed per scheduled run. Default 100 (the seed). */
	batchSize?: number;
	/** Contacts per POST. Default 1 (S-360's default; the seed's schedule shows 1). */
	bucketSize?: number;
	/** Time between scheduled runs for start(); tests call tick() instead. Default 60. */
	frequencySeconds?: number;
	/** The interface's details list. Default GENERAL,ADDRESSES (the seed). */
	details?: string[];
	auth?: S360SenderAuth;
	/** Default 12 (the seed's "Number of retries before stop"). */
	retriesBeforeStop?: number;
	/** Default 8 (the seed's "Number of retries before warning"). */
	retriesBeforeWarning?: number;
	/** Default 60,000 ms (the seed's "Processing timeout delay": 60 s). */
	processingTimeoutMs?: number;
	framing?: 'auto' | 'array' | 'single' | 'wrapped';
	/** Key of the wrapper object when framing is 'wrapped'. Default 'contacts'. */
	wrapperKey?: string;
	/** The contact service whose saves and edits queue contacts, read at send time (see the header). */
	contacts?: S360ContactSource;
}

export interface S360SenderCounters {
	/** Scheduled runs. */
	ticks: number;
	/** POSTs sent (first tries and retries). */
	deliveries: number;
	/** POSTs that carried at least one contact sent before (a retry). */
	retries: number;
	/** POSTs answered 200. */
	acknowledged: number;
	/** POSTs answered otherwise, or not at all in time. */
	failures: number;
	/** Contacts delivered (their bucket answered 200). */
	contactsDelivered: number;
	/** Contacts dropped after the last retry. */
	drops: number;
	/** Contacts that passed the warning threshold. */
	warnings: number;
}

export interface S360DeliveryLogEntry {
	tick: number;
	contactNumbers: string[];
	/** Whether any contact of the bucket was sent before. */
	retry: boolean;
	/** HTTP status, or 0 for a dropped connection or a timeout. */
	status: number;
	/** Milliseconds from sending to the answer. */
	ackMs: number;
	/** The receiver's answer body (S-360 ignores it; specs read it). */
	answer?: string;
}

interface QueuedContact {
	contactNumber: string;
	/** The data given to change(); undefined: read from the linked contact service at send time. */
	data?: ContactDataResult;
	/** Bumped on every change: a bucket whose contact changed while in flight leaves it queued. */
	version: number;
	/** Failed sends so far. */
	failures: number;
}

function emptyCounters(): S360SenderCounters {
	return { ticks: 0, deliveries: 0, retries: 0, acknowledged: 0, failures: 0, contactsDelivered: 0, drops: 0, warnings: 0 };
}

export class S360Sender {
	counters: S360SenderCounters = emptyCounters();
	log: S360DeliveryLogEntry[] = [];
	/** Contact numbers dropped after the last retry, in order. */
	dropped: string[] = [];

	readonly batchSize: number;
	readonly bucketSize: number;
	readonly frequencySeconds: number;
	readonly details: string[];
	readonly retriesBeforeStop: number;
	readonly retriesBeforeWarning: number;
	readonly processingTimeoutMs: number;
	private readonly queue = new Map<string, QueuedContact>();
	private timer: ReturnType<typeof setInterval> | undefined;
	private running: Promise<unknown> = Promise.resolve();

	constructor(readonly options: S360SenderOptions) {
		this.batchSize = options.batchSize ?? 100;
		this.bucketSize = options.bucketSize ?? 1;
		this.frequencySeconds = options.frequencySeconds ?? 60;
		this.details = options.details ?? ['GENERAL', 'ADDRESSES'];
		this.retriesBeforeStop = options.retriesBeforeStop ?? 12;
		this.retriesBeforeWarning = options.retriesBeforeWarning ?? 8;
		this.processingTimeoutMs = options.processingTimeoutMs ?? 60_000;
		options.contacts?.onContactChange((contactNumber) => this.enqueue(contactNumber, undefined));
	}

	/** Contacts waiting to be sent (new or to retry). */
	get pending(): number {
		return this.queue.size;
	}

	/** Records that a contact changed: it is (re)queued with this data. */
	change(...contacts: ContactDataResult[]): void {
		for (const data of contacts) this.enqueue(data.contactNumber, data);
	}

	/** Contact numbers waiting to be sent, oldest first. */
	queuedContactNumbers(): string[] {
		return [...this.queue.keys()];
	}

	private enqueue(contactNumber: string, data: ContactDataResult | undefined): void {
		const queued = this.queue.get(contactNumber);
		if (queued) {
			queued.data = data;
			queued.version += 1;
		} else this.queue.set(contactNumber, { contactNumber, data, version: 0, failures: 0 });
	}

	/** One scheduled run: up to batchSize queued contacts, in buckets, one POST after the other. */
	async tick(): Promise<S360DeliveryLogEntry[]> {
		const run = this.running.then(() => this.runOnce());
		this.running = run.catch(() => undefined);
		return await run;
	}

	/** Ticks until nothing is queued (every contact delivered or dropped), at most `maxTicks`. */
	async drain(maxTicks = this.retriesBeforeStop + 2): Promise<void> {
		for (let tick = 0; tick < maxTicks && this.pending > 0; tick++) await this.tick();
	}

	/** Runs the schedule on the wall clock (benchmarks); tests use tick(). */
	start(): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.tick(), this.frequencySeconds * 1000);
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		await this.running;
	}

	/** Forgets every queued contact (a spec's clean-up between scenarios; S-360 has no such button). */
	discardQueue(): void {
		this.queue.clear();
	}

	resetCounters(): void {
		this.counters = emptyCounters();
		this.log = [];
		this.dropped = [];
	}

	private async runOnce(): Promise<S360DeliveryLogEntry[]> {
		this.counters.ticks += 1;
		const tick = this.counters.ticks;
		const batch: Array<QueuedContact & { sent: ContactDataResult; sentVersion: number }> = [];
		for (const queued of this.queue.values()) {
			if (batch.length >= this.batchSize) break;
			// getContactData at send time: the linked service's current data, else what change() gave.
			const data = queued.data ?? this.options.contacts?.contactData(queued.contactNumber);
			// A contact that no longer exists in the linked service is not sent.
			if (!data) this.queue.delete(queued.contactNumber);
			else batch.push(Object.assign(queued, { sent: data, sentVersion: queued.version }));
		}
		const entries: S360DeliveryLogEntry[] = [];
		for (let start = 0; start < batch.length; start += this.bucketSize) {
			const bucket = batch.slice(start, start + this.bucketSize);
			entries.push(await this.deliver(tick, bucket));
		}
		return entries;
	}

	private async deliver(tick: number, bucket: Array<QueuedContact & { sent: ContactDataResult; sentVersion: number }>): Promise<S360DeliveryLogEntry> {
		const retry = bucket.some((contact) => contact.failures > 0);
		this.counters.deliveries += 1;
		if (retry) this.counters.retries += 1;
		const sent = bucket.map((contact) => contact.sent);
		const started = performance.now();
		const { status, answer } = await this.post(sent.map((data) => withDetails(data, this.details)));
		const entry: S360DeliveryLogEntry = {
			tick,
			contactNumbers: bucket.map((contact) => contact.contactNumber),
			retry,
			status,
			ackMs: performance.now() - started,
			answer,
		};
		this.log.push(entry);
		if (status === 200) {
			this.counters.acknowledged += 1;
			for (const contact of bucket) {
				this.counters.contactsDelivered += 1;
				// A change that arrived while this bucket was in flight is still to send, as new.
				if (contact.version === contact.sentVersion) this.queue.delete(contact.contactNumber);
				else contact.failures = 0;
			}
			return entry;
		}
		this.counters.failures += 1;
		for (const contact of bucket) {
			contact.failures += 1;
			const retriesSoFar = contact.failures - 1;
			if (retriesSoFar === this.retriesBeforeWarning) this.counters.warnings += 1;
			if (retriesSoFar >= this.retriesBeforeStop) {
				this.queue.delete(contact.contactNumber);
				this.dropped.push(contact.contactNumber);
				this.counters.drops += 1;
			}
		}
		return entry;
	}

	private frame(contacts: ContactDataResult[]): unknown {
		const framing = this.options.framing ?? 'auto';
		if (framing === 'wrapped') return { [this.options.wrapperKey ?? 'contacts']: contacts };
		if (framing === 'array') return contacts;
		if (framing === 'single' || contacts.length === 1) return contacts.length === 1 ? contacts[0] : contacts;
		return contacts;
	}

	/** The HTTP status S-360 would see (0 for a dropped connection or no answer in time) and the answer's body. */
	private async post(contacts: ContactDataResult[]): Promise<{ status: number; answer?: string }> {
		const url = new URL(this.options.url);
		const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'S-360 firehose double' };
		const auth = this.options.auth ?? { type: 'none' };
		if (auth.type === 'basic') {
			headers.authorization = `Basic ${Buffer.from(`${auth.login}:${auth.password}`, 'utf8').toString('base64')}`;
		} else if (auth.type === 'customParameter') {
			if (auth.in === 'query') url.searchParams.set(auth.name, auth.value);
			else headers[auth.name] = auth.value;
		}
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), this.processingTimeoutMs);
		try {
			// A refusal read before the connection broke counts as answered; one seen only as the
			// closed connection is a dropped connection, as S-360 would see it.
			const outcome = await rawSendMayBeRefused(url.toString(), { headers, body: JSON.stringify(this.frame(contacts)), signal: controller.signal });
			return isClosedByServer(outcome) ? { status: 0 } : { status: outcome.status, answer: outcome.body };
		} catch {
			return { status: 0 };
		} finally {
			clearTimeout(timer);
		}
	}
}
