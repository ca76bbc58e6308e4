/** mapWithConcurrency (nodes/shared/concurrency.ts): bounded parallel work, results in input order. */
import { mapWithConcurrency } from '../../nodes/shared/concurrency';

/** A promise the spec resolves or rejects by hand, so ordering needs no timers. */
interface Gate<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: unknown) => void;
}

function gate<T>(): Gate<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
async function settle(): Promise<void> {
	for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Work whose calls wait on gates the spec opens; tracks how many run at once. */
function gatedWork(count: number) {
	const gates = Array.from({ length: count }, () => gate<string>());
	const started: number[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const work = async (input: number, index: number) => {
		started.push(index);
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		try {
			return await gates[index].promise.then((value) => `${value}:${input}`);
		} finally {
			inFlight--;
		}
	};
	return {
		gates,
		started,
		work,
		get inFlight() {
			return inFlight;
		},
		get maxInFlight() {
			return maxInFlight;
		},
	};
}

describe('mapWithConcurrency', () => {
	it('never runs more than `limit` at once, and starts the next input as soon as one finishes', async () => {
		const tracked = gatedWork(7);
		const done = mapWithConcurrency([0, 1, 2, 3, 4, 5, 6], 3, tracked.work);
		await settle();
		expect(tracked.started).toEqual([0, 1, 2]);

		tracked.gates[1].resolve('b');
		await settle();
		expect(tracked.started).toEqual([0, 1, 2, 3]);
		expect(tracked.inFlight).toBe(3);

		for (const g of tracked.gates) g.resolve('x');
		await done;
		expect(tracked.maxInFlight).toBe(3);
	});

	it('returns results in input order whatever order the work finishes in', async () => {
		const tracked = gatedWork(5);
		const done = mapWithConcurrency([10, 11, 12, 13, 14], 5, tracked.work);
		await settle();
		for (const index of [4, 2, 0, 3, 1]) {
			tracked.gates[index].resolve(`r${index}`);
			await settle();
		}
		expect(await done).toEqual(['r0:10', 'r1:11', 'r2:12', 'r3:13', 'r4:14']);
	});

	it('passes each input with its index', async () => {
		const seen: Array<[string, number]> = [];
		await mapWithConcurrency(['a', 'b', 'c'], 2, async (input, index) => {
			seen.push([input, index]);
		});
		expect(seen.sort()).toEqual([
			['a', 0],
			['b', 1],
			['c', 2],
		]);
	});

	it('resolves to an empty list for empty input without calling the work', async () => {
		const work = jest.fn(async () => 'never');
		expect(await mapWithConcurrency([], 4, work)).toEqual([]);
		expect(work).not.toHaveBeenCalled();
	});

	it('runs one at a time with a limit of 1', async () => {
		const tracked = gatedWork(3);
		const done = mapWithConcurrency([0, 1, 2], 1, tracked.work);
		await settle();
		expect(tracked.started).toEqual([0]);
		tracked.gates[0].resolve('a');
		await settle();
		expect(tracked.started).toEqual([0, 1]);
		tracked.gates[1].resolve('b');
		tracked.gates[2].resolve('c');
		expect(await done).toEqual(['a:0', 'b:1', 'c:2']);
		expect(tracked.maxInFlight).toBe(1);
	});

	it('treats a limit below 1 as 1', async () => {
		const tracked = gatedWork(2);
		const done = mapWithConcurrency([0, 1], 0, tracked.work);
		await settle();
		expect(tracked.started).toEqual([0]);
		for (const g of tracked.gates) g.resolve('v');
		expect(await done).toEqual(['v:0', 'v:1']);
	});

	it('treats a limit that is not a number as 1 instead of running nothing', async () => {
		const tracked = gatedWork(2);
		const done = mapWithConcurrency([0, 1], Number('many'), tracked.work);
		await settle();
		expect(tracked.started).toEqual([0]);
		for (const g of tracked.gates) g.resolve('v');
		expect(await done).toEqual(['v:0', 'v:1']);
	});

	it('starts no further input after one fails, waits for the running ones, then rejects with that failure', async () => {
		const tracked = gatedWork(6);
		let finished = false;
		const done = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, tracked.work).finally(() => {
			finished = true;
		});
		const outcome = done.catch((error: unknown) => error);
		await settle();
		expect(tracked.started).toEqual([0, 1]);

		tracked.gates[0].reject(new Error('batch 0 failed'));
		await settle();
		expect(tracked.started).toEqual([0, 1]);
		expect(finished).toBe(false);

		tracked.gates[1].resolve('b');
		const error = await outcome;
		expect(error).toEqual(new Error('batch 0 failed'));
		expect(tracked.started).toEqual([0, 1]);
	});
});
