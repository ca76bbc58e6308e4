/**
 * Runs `work` over `inputs` with at most `limit` running at once; results in input order.
 * Settles only when no work is running. After a failure no further input is started (its calls
 * would go out after the caller was told it failed), and the first failure is the rejection.
 */
export async function mapWithConcurrency<T, R>(
	inputs: T[],
	limit: number,
	work: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array(inputs.length);
	// NaN (a limit read from a bad expression) would start no worker and silently return holes.
	const workers = Number.isNaN(limit) ? 1 : Math.max(1, Math.floor(limit));
	let next = 0;
	let failed = false;
	let firstError: unknown;
	const worker = async () => {
		while (!failed && next < inputs.length) {
			const index = next++;
			try {
				results[index] = await work(inputs[index], index);
			} catch (error) {
				if (!failed) firstError = error;
				failed = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(workers, inputs.length) }, worker));
	if (failed) throw firstError;
	return results;
}
