/**
 * The shared sliding-window rate limiter: per key for the whole process, never more than `limit`
 * calls counted in any window, a call counted from its start until a window after its end, and a
 * pause that holds every caller. Windows are short real windows; the specs count, never time.
 */
import { acquireRatePlace, callsInWindow, pauseRate, queueDurationMs } from '../../nodes/shared/rateLimiter';

let keyNumber = 0;
const freshKey = () => `spec-key-${++keyNumber}`;

/** Starts `count` calls through the limiter, each taking `callMs`; returns their start and end times. */
async function runCalls(key: string, count: number, window: { limit: number; windowMs: number }, callMs = 0) {
	return await Promise.all(
		Array.from({ length: count }, async () => {
			const place = await acquireRatePlace(key, window);
			const start = Date.now();
			if (callMs > 0) await new Promise((resolve) => setTimeout(resolve, callMs));
			const end = Date.now();
			place.done();
			return { start, end };
		}),
	);
}

describe('acquireRatePlace', () => {
	it('lets at most `limit` calls start before a window has passed since the earlier calls ended', async () => {
		const window = { limit: 5, windowMs: 300 };
		const calls = await runCalls(freshKey(), 12, window, 20);
		const sorted = [...calls].sort((a, b) => a.start - b.start);
		// Call k+limit starts only after call k ended a whole window earlier.
		for (let k = 0; k + window.limit < sorted.length; k++) {
			const endsBefore = sorted.slice(0, k + 1).map((call) => call.end).sort((a, b) => a - b);
			expect(sorted[k + window.limit].start).toBeGreaterThanOrEqual(endsBefore[0] + window.windowMs);
		}
	});

	it('counts a call in flight against the window until it ends', async () => {
		const key = freshKey();
		const window = { limit: 2, windowMs: 50 };
		const first = await acquireRatePlace(key, window);
		const second = await acquireRatePlace(key, window);
		expect(callsInWindow(key)).toBe(2);
		let thirdStarted = false;
		const third = acquireRatePlace(key, window).then((place) => {
			thirdStarted = true;
			return place;
		});
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(thirdStarted).toBe(false);
		first.done();
		second.done();
		(await third).done();
		expect(thirdStarted).toBe(true);
	});

	it('shares one window between callers of the same key and none between keys', async () => {
		const window = { limit: 3, windowMs: 10_000 };
		const shared = freshKey();
		const other = freshKey();
		const places = await Promise.all([1, 2, 3].map(async () => await acquireRatePlace(shared, window)));
		const otherPlace = await acquireRatePlace(other, window);
		expect(callsInWindow(shared)).toBe(3);
		expect(callsInWindow(other)).toBe(1);
		for (const place of [...places, otherPlace]) place.done();
	});

	it('holds every caller of a paused key until the pause ends', async () => {
		const key = freshKey();
		const pausedUntil = Date.now() + 300;
		pauseRate(key, pausedUntil);
		const place = await acquireRatePlace(key, { limit: 100, windowMs: 1000 });
		expect(Date.now()).toBeGreaterThanOrEqual(pausedUntil);
		place.done();
	});

	it('lets callers in oldest first', async () => {
		const key = freshKey();
		const window = { limit: 1, windowMs: 30 };
		const order: number[] = [];
		await Promise.all(
			[0, 1, 2, 3].map(async (n) => {
				const place = await acquireRatePlace(key, window);
				order.push(n);
				place.done();
			}),
		);
		expect(order).toEqual([0, 1, 2, 3]);
	});
});

describe('queueDurationMs', () => {
	it('is zero when the calls fit in the window and one window per further window-full', () => {
		const window = { limit: 60, windowMs: 60_000 };
		expect(queueDurationMs(freshKey(), 60, window)).toBe(0);
		expect(queueDurationMs(freshKey(), 61, window)).toBe(60_000);
		expect(queueDurationMs(freshKey(), 300, window)).toBe(4 * 60_000);
	});
});
