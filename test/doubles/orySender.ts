/**
 * A double of Ory's `web_hook` action: the SENDER. It delivers one body the way Ory Actions do
 * (external-apis.md, Ory section; templates/ory/README.md), ugly parts included:
 *
 * - Up to three attempts of one delivery, each with its own `Ory-Webhook-Request-ID` and the
 *   delivery's `Ory-Webhook-Trigger-ID`.
 * - Each attempt gives up after 30 s without an answer (the connection is closed), and that
 *   counts as a failure to retry, as a dropped connection does. So an answer the receiver never
 *   sends (n8n's queue-mode webhook process losing a worker's result) becomes the next attempt.
 * - Retried: no answer in time, a dropped connection, 429 and 5xx but 501 (Go's retryablehttp
 *   policy, which Ory's HTTP client uses). Any other status ends the delivery.
 * - Between attempts a short backoff (1 s, then 2 s: retryablehttp's minimum wait, doubled); a
 *   `Retry-After` is not waited for, so a receiver cannot count on it.
 */
import { randomUUID } from 'node:crypto';

import { isClosedByServer, rawSendMayBeRefused } from '../harness/rawHttp';

export const ORY_ATTEMPTS = 3;
export const ORY_TIMEOUT_MS = 30_000;

export interface OrySenderOptions {
	url: string;
	/** Headers of every attempt (content type, the hook's auth); the two Ory ids are added. */
	headers: Record<string, string>;
	/** Default 3. */
	attempts?: number;
	/** Per attempt. Default 30,000 ms. */
	timeoutMs?: number;
	/** Wait before retry n (1-based). Default 1 s × 2^(n-1). */
	backoffMs?: (retry: number) => number;
	/** Called after each attempt, before the next one (a spec's hook; Ory has none). */
	onAttempt?: (attempt: OryAttempt) => void | Promise<void>;
}

export interface OryAttempt {
	requestId: string;
	/** The HTTP status, or 'timeout' (no answer in time) or 'dropped' (connection closed without one). */
	outcome: number | 'timeout' | 'dropped';
	body: string;
	ms: number;
}

export interface OryDelivery {
	triggerId: string;
	attempts: OryAttempt[];
	/** The last attempt's outcome: what Ory is left with. */
	final: OryAttempt['outcome'];
}

/** Whether Ory's client tries again after this outcome. */
export function oryRetries(outcome: OryAttempt['outcome']): boolean {
	if (typeof outcome !== 'number') return true;
	return outcome === 429 || (outcome >= 500 && outcome !== 501);
}

export class OrySender {
	readonly attempts: number;
	readonly timeoutMs: number;
	private readonly backoffMs: (retry: number) => number;

	constructor(readonly options: OrySenderOptions) {
		this.attempts = options.attempts ?? ORY_ATTEMPTS;
		this.timeoutMs = options.timeoutMs ?? ORY_TIMEOUT_MS;
		this.backoffMs = options.backoffMs ?? ((retry) => 1000 * 2 ** (retry - 1));
	}

	/** Delivers `body` as one Ory delivery (trigger id `triggerId`): attempts until one is not retried, at most `attempts`. */
	async deliver(body: string, triggerId: string = randomUUID()): Promise<OryDelivery> {
		const attempts: OryAttempt[] = [];
		for (let attempt = 1; attempt <= this.attempts; attempt++) {
			if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt - 1)));
			const sent = await this.attempt(body, triggerId);
			attempts.push(sent);
			await this.options.onAttempt?.(sent);
			if (!oryRetries(sent.outcome)) break;
		}
		return { triggerId, attempts, final: attempts[attempts.length - 1].outcome };
	}

	private async attempt(body: string, triggerId: string): Promise<OryAttempt> {
		const requestId = randomUUID();
		const headers = { ...this.options.headers, 'ory-webhook-request-id': requestId, 'ory-webhook-trigger-id': triggerId };
		const started = performance.now();
		const signal = AbortSignal.timeout(this.timeoutMs);
		const ms = () => Math.round(performance.now() - started);
		try {
			const answer = await rawSendMayBeRefused(this.options.url, { headers, body, signal });
			if (isClosedByServer(answer)) return { requestId, outcome: 'dropped', body: '', ms: ms() };
			return { requestId, outcome: answer.status, body: answer.body, ms: ms() };
		} catch {
			return { requestId, outcome: signal.aborted ? 'timeout' : 'dropped', body: '', ms: ms() };
		}
	}
}
