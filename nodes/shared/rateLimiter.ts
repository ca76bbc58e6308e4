/**
 * Calls per time window to one service account, across every execution of this n8n process: a
 * sliding window, not only a bound on calls in flight. A service that counts calls per minute
 * (and refuses the next with 509 or 429) then never sees more than `limit` calls in any window.
 *
 * A call holds its place in the window from the moment it starts until `windowMs` after its
 * answer (or failure) came back: the service counts a call when it arrives, which is somewhere
 * between the two, so counting from the answer is the one reading that holds whatever the network
 * delay. A refusal for rate (509/429) pauses the key for every caller until the window has passed
 * or the service's Retry-After says.
 */
import { sleep } from 'n8n-workflow';

export interface RateWindow {
	/** Calls allowed in any window of `windowMs`. */
	limit: number;
	windowMs: number;
}

interface KeyState {
	/** When each call counted in the window stops counting (Infinity while it is in flight). */
	expiries: number[];
	/** No call starts before this time (a rate refusal pauses every caller). */
	pausedUntil: number;
	/** Callers waiting for a place, oldest first; each is woken when it reaches the head. */
	queue: Array<() => void>;
}

// One state per key for the whole n8n process: every execution using the same credential shares it.
const states = new Map<string, KeyState>();

function stateOf(key: string): KeyState {
	let state = states.get(key);
	if (state === undefined) {
		state = { expiries: [], pausedUntil: 0, queue: [] };
		states.set(key, state);
	}
	return state;
}

function normalised(window: RateWindow): RateWindow {
	const limit = Number.isFinite(window.limit) ? Math.max(1, Math.floor(window.limit)) : 1;
	const windowMs = Number.isFinite(window.windowMs) ? Math.max(1, Math.floor(window.windowMs)) : 60_000;
	return { limit, windowMs };
}

function prune(state: KeyState, now: number): void {
	if (state.expiries.some((expiry) => expiry <= now)) state.expiries = state.expiries.filter((expiry) => expiry > now);
}

/** A place in the window: call `done` once the call's answer or failure is in. */
export interface RatePlace {
	/** Milliseconds this caller waited for its place. */
	waitedMs: number;
	done(): void;
}

// While every place is held by a call in flight, the head looks again after this long.
const IN_FLIGHT_POLL_MS = 50;

/**
 * Waits until a call to `key` may start within `window`, and takes the place. Callers are let in
 * oldest first: only the head of the queue waits on the window, the others wait for their turn.
 */
export async function acquireRatePlace(key: string, window: RateWindow, now: () => number = Date.now): Promise<RatePlace> {
	const { limit, windowMs } = normalised(window);
	const state = stateOf(key);
	const started = now();
	let wake: () => void = () => {};
	const turn = new Promise<void>((resolve) => (wake = resolve));
	state.queue.push(wake);
	if (state.queue.length === 1) wake();
	await turn;
	try {
		for (;;) {
			const time = now();
			prune(state, time);
			const pausedFor = state.pausedUntil - time;
			if (pausedFor > 0) {
				await sleep(pausedFor);
				continue;
			}
			if (state.expiries.length < limit) break;
			const nextFree = Math.min(...state.expiries) - time;
			await sleep(Number.isFinite(nextFree) ? Math.max(1, nextFree) : IN_FLIGHT_POLL_MS);
		}
		state.expiries.push(Number.POSITIVE_INFINITY);
	} finally {
		state.queue.shift();
		state.queue[0]?.();
	}
	let done = false;
	return {
		waitedMs: now() - started,
		done: () => {
			if (done) return;
			done = true;
			const index = state.expiries.indexOf(Number.POSITIVE_INFINITY);
			if (index >= 0) state.expiries[index] = now() + windowMs;
		},
	};
}

/** Stops every call to `key` until `until` (epoch ms): the service refused one for rate. */
export function pauseRate(key: string, until: number): void {
	const state = stateOf(key);
	state.pausedUntil = Math.max(state.pausedUntil, until);
}

/** Calls counted in the window of `key` now (in flight included), for specs and diagnostics. */
export function callsInWindow(key: string, now: number = Date.now()): number {
	const state = states.get(key);
	if (state === undefined) return 0;
	prune(state, now);
	return state.expiries.length;
}

/**
 * How long `calls` more calls take at the limit, at least: the windows beyond the first that
 * they need, counting the calls already in the window and those already waiting. 0 when they all fit now.
 */
export function queueDurationMs(key: string, calls: number, window: RateWindow, now: number = Date.now()): number {
	const { limit, windowMs } = normalised(window);
	const waiting = states.get(key)?.queue.length ?? 0;
	const total = callsInWindow(key, now) + waiting + Math.max(0, calls);
	return Math.max(0, Math.ceil(total / limit) - 1) * windowMs;
}
