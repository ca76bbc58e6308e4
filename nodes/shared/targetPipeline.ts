/**
 * The one way a node writes items to a service: map every item to a record (a record that cannot
 * be valid fails before any call), send records in batches through a limiter shared by the whole
 * n8n process, and turn each record's result into exactly one output item, paired to its input,
 * as n8n's On Error setting asks. A node describes only what is its own: how an item becomes a
 * record, and how a batch goes on the wire and what each record's answer means.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	sleep,
} from 'n8n-workflow';
import { acquireSlot } from './concurrency';
import { echoLedger, type RecordView, type WriteTicket } from './echoLedger';
import { checkedElsewhere, isRecordedState, recordedStates, recordStates, stateFingerprint } from './echoStore';
import { confirmWritten, writtenEarlier } from './syncedLedger';
import { itemChangeTime, type WriterSyncSettings } from './twoWaySync';

export interface TargetRecord<R> {
	itemIndex: number;
	record: R;
}

export type RecordOutcome =
	/** `nothingSent`: the node decided against the call (e.g. the record holds a newer change). */
	| { ok: true; json: IDataObject; nothingSent?: true }
	| { ok: false; error: NodeApiError | NodeOperationError; details?: IDataObject };

export interface TargetPipeline<R> {
	/** The service as users know it, for the "N of M items were written to …" summary. */
	service: string;
	/** Records per call: what the service accepts at once (100 for Zoho, 1 for per-record APIs). */
	batchSize: number;
	/** Calls in flight at once for `limiterKey`, across every execution of this n8n instance. */
	concurrency: number;
	/** Identifies the account the limit belongs to, e.g. the credential. */
	limiterKey: string;
	/** The record of one item; throws (NodeOperationError with the item index) when it cannot be sent. */
	prepare(item: INodeExecutionData, itemIndex: number): R;
	/** Runs once before the first call (a token, a session); a throw fails every item still to send. */
	open?(): Promise<void>;
	/**
	 * A check of one record just before its write is registered and sent (a read of what the
	 * service holds, under the same limiter): an outcome means the record is not sent. A throw
	 * fails the record.
	 */
	screen?(record: TargetRecord<R>): Promise<RecordOutcome | undefined>;
	/** Sends one batch; one outcome per record, in order. A throw fails every record of the batch. */
	sendBatch(batch: Array<TargetRecord<R>>): Promise<RecordOutcome[]>;
	/**
	 * The node has a second output, Failed, and this is a failed item's json there (its input and
	 * the cause), with On Error = Continue (using regular output). With Continue (using error
	 * output) a failed item goes to n8n's Error output as every node's does (see errorOutputJson);
	 * Stop Workflow fails the run, as for any node.
	 */
	failedOutput?(item: INodeExecutionData, cause: FailureCause): IDataObject;
	/**
	 * The item's delivery key, if the node skips items an earlier run wrote (see syncedLedger):
	 * such an item is not sent and its output says so; an item written now is remembered.
	 */
	deliveryKey?(item: INodeExecutionData, itemIndex: number): string | undefined;
	/** Two-way sync: which record an item writes, remembered for the triggers' echo check (twoWaySync.ts). */
	syncTarget?: SyncTarget<R>;
}

export interface SyncTarget<R> {
	/** The service and the module or account part that names its records, e.g. `zoho-crm:Contacts`. */
	system: string;
	settings: WriterSyncSettings;
	/** The keys the record is known by before the call, and its fields as the service stores them. */
	describe(record: R): { keys: string[]; view: RecordView };
	/** Keys the service's answer adds (the id of a record it created). */
	keysOfResult?(json: IDataObject): string[];
	/**
	 * The whole record as the write left it, when the node knows it (it read the record first, or
	 * created it): its fingerprint is recorded for triggers in other n8n processes (echoStore.ts).
	 */
	stateAfterWrite?(record: R, itemIndex: number, json: IDataObject): { id: string; view: RecordView } | undefined;
}

type Failure = Extract<RecordOutcome, { ok: false }>;

/** A failed item's cause: the error's message and description, and its machine-readable details. */
export interface FailureCause extends IDataObject {
	error: string;
	message?: string;
	details: IDataObject;
}

export async function runTargetPipeline<R>(
	ctx: IExecuteFunctions,
	pipeline: TargetPipeline<R>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const routesFailures = ctx.continueOnFail();
	const outcomes: RecordOutcome[] = new Array(items.length);
	const batchSize = Math.max(1, Math.floor(pipeline.batchSize));

	const keys = pipeline.deliveryKey ? items.map((item, itemIndex) => pipeline.deliveryKey!(item, itemIndex)) : [];
	const skipped = await skipSyncedEarlier(ctx, keys, outcomes);
	if (pipeline.syncTarget) for (const itemIndex of await skipRecordedEchoes(ctx, pipeline.syncTarget, items, outcomes, skipped)) skipped.add(itemIndex);

	const preparedRecords = new Map<number, R>();
	const prepareItem = (itemIndex: number): TargetRecord<R> | undefined => {
		if (skipped.has(itemIndex)) return undefined;
		try {
			const prepared = { itemIndex, record: pipeline.prepare(items[itemIndex], itemIndex) };
			preparedRecords.set(itemIndex, prepared.record);
			const older = pipeline.syncTarget && olderThanTarget(ctx, pipeline.syncTarget, prepared, items[itemIndex]);
			if (!older) return prepared;
			outcomes[itemIndex] = older;
		} catch (error) {
			outcomes[itemIndex] = failureOf(ctx, error, itemIndex);
		}
		return undefined;
	};

	const sender = new BatchSender(ctx, pipeline, outcomes, items);
	if (routesFailures) {
		// Pipelined: a batch goes out as soon as it is prepared, and the next ones are mapped while
		// the calls in flight wait on the service, so a slot that frees finds its batch ready.
		const ahead = Math.max(1, Math.floor(pipeline.concurrency));
		let batch: Array<TargetRecord<R>> = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const prepared = prepareItem(itemIndex);
			if (prepared) batch.push(prepared);
			if (batch.length === batchSize) {
				await sender.queue(batch, ahead);
				batch = [];
			}
		}
		if (batch.length) await sender.queue(batch, ahead);
	} else {
		// Stop Workflow: every validation failure is known before any call, so a run that will stop
		// on one writes nothing.
		const prepared: Array<TargetRecord<R>> = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const record = prepareItem(itemIndex);
			if (record) prepared.push(record);
		}
		const failures = outcomes.filter((outcome): outcome is Failure => outcome !== undefined && !outcome.ok);
		if (failures.length) {
			throw withSummary(
				failures[0].error,
				`Nothing was sent to ${pipeline.service}: ${failures.length} of ${items.length} items cannot be sent.`,
			);
		}
		for (let start = 0; start < prepared.length; start += batchSize) {
			await sender.dispatch(prepared.slice(start, start + batchSize));
		}
	}
	await sender.settled();
	// Only now, after the service accepted them: a key is never taken as written before that.
	const written = keys.filter((key, itemIndex): key is string => {
		const outcome = outcomes[itemIndex];
		return !!key && !skipped.has(itemIndex) && outcome.ok && !outcome.nothingSent;
	});
	await confirmWritten(ctx, [...new Set(written)]);
	if (pipeline.syncTarget) await recordWrittenStates(ctx, pipeline.syncTarget, items, outcomes, preparedRecords);

	return buildOutput(ctx, pipeline, items, outcomes, routesFailures);
}

/** Marks the items an earlier run wrote as done without a call; returns their indexes. */
async function skipSyncedEarlier(ctx: IExecuteFunctions, keys: Array<string | undefined>, outcomes: RecordOutcome[]): Promise<Set<number>> {
	const present = [...new Set(keys.filter((key): key is string => !!key))];
	if (!present.length) return new Set();
	const earlier = await writtenEarlier(ctx, present).catch((error: unknown) => {
		throw new NodeOperationError(ctx.getNode(), `n8n could not tell which deliveries were already written: ${(error as Error).message}`, {
			description: 'Nothing was sent. The Delivery Key option reads n8n’s deduplication store.',
		});
	});
	const skipped = new Set<number>();
	keys.forEach((key, itemIndex) => {
		if (!key || !earlier.has(key)) return;
		skipped.add(itemIndex);
		outcomes[itemIndex] = {
			ok: true,
			json: { status: 'skipped', reason: 'An earlier run already wrote this delivery; nothing was sent.', deliveryKey: key },
		};
	});
	return skipped;
}

/**
 * Marks the items that only report back a write of this workflow, as a trigger in another n8n
 * process saw them (echoStore.ts), as done without a call; returns their indexes.
 */
async function skipRecordedEchoes<R>(ctx: IExecuteFunctions, target: SyncTarget<R>, items: INodeExecutionData[], outcomes: RecordOutcome[], skipped: Set<number>): Promise<number[]> {
	if (target.settings.ttlMs <= 0) return [];
	const states = items.map((item, itemIndex) => (skipped.has(itemIndex) ? undefined : checkedElsewhere(item)?.state));
	const echoes = await recordedStates(ctx, states.filter((state): state is string => state !== undefined));
	const indexes: number[] = [];
	states.forEach((state, itemIndex) => {
		if (state === undefined || !echoes.has(state)) return;
		indexes.push(itemIndex);
		outcomes[itemIndex] = {
			ok: true,
			nothingSent: true,
			json: { status: 'echo', reason: 'The change only reports back what this workflow wrote to its source; nothing was sent.' },
		};
	});
	return indexes;
}

/** Records the states this run's writes left, for items a trigger checked in another n8n process (echoStore.ts). */
async function recordWrittenStates<R>(ctx: IExecuteFunctions, target: SyncTarget<R>, items: INodeExecutionData[], outcomes: RecordOutcome[], records: Map<number, R>): Promise<void> {
	if (!target.stateAfterWrite || target.settings.ttlMs <= 0) return;
	const fingerprints: string[] = [];
	for (const [itemIndex, record] of records) {
		const outcome = outcomes[itemIndex];
		if (!outcome?.ok || outcome.nothingSent || !checkedElsewhere(items[itemIndex])) continue;
		const state = target.stateAfterWrite(record, itemIndex, outcome.json);
		if (state) fingerprints.push(stateFingerprint(target.system, state.id, state.view));
	}
	await recordStates(ctx, fingerprints, target.settings.ttlMs);
}

/** Sends batches, each once a slot of the shared limiter is free, and records their outcomes. */
class BatchSender<R> {
	private readonly inFlight = new Set<Promise<void>>();
	/** Batches prepared and waiting for a slot. */
	private readonly waitingForSlot = new Set<Promise<void>>();
	private opening: Promise<unknown> | undefined;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly pipeline: TargetPipeline<R>,
		private readonly outcomes: RecordOutcome[],
		private readonly items: INodeExecutionData[],
	) {}

	/** Resolves once the batch is under way (not when it is done), so the caller can prepare the next. */
	async dispatch(batch: Array<TargetRecord<R>>): Promise<void> {
		const opened = await this.open();
		if (opened !== true) {
			for (const { itemIndex } of batch) this.outcomes[itemIndex] = failureOf(this.ctx, opened, itemIndex);
			return;
		}
		const release = await acquireSlot(this.pipeline.limiterKey, this.pipeline.concurrency);
		const call = this.send(batch).finally(() => {
			release();
			this.inFlight.delete(call);
		});
		this.inFlight.add(call);
	}

	/**
	 * Hands a batch over without waiting for its slot while fewer than `ahead` batches wait for
	 * one; then yields to the event loop, so calls just started go on the wire and answers are
	 * taken in before the caller maps the next batch (mapping is synchronous).
	 */
	async queue(batch: Array<TargetRecord<R>>, ahead: number): Promise<void> {
		const started = this.dispatch(batch);
		this.waitingForSlot.add(started);
		void started.finally(() => this.waitingForSlot.delete(started));
		if (this.waitingForSlot.size >= ahead) await Promise.race(this.waitingForSlot);
		await sleep(0);
	}

	async settled(): Promise<void> {
		await Promise.all([...this.waitingForSlot]);
		while (this.inFlight.size) await Promise.all([...this.inFlight]);
	}

	/** true once open() succeeded, else its error (for every item still to send). */
	private async open(): Promise<true | unknown> {
		if (!this.pipeline.open) return true;
		this.opening ??= this.pipeline.open().then(
			() => true,
			(error: unknown) => ({ error }),
		);
		const result = await this.opening;
		return result === true ? true : (result as { error: unknown }).error;
	}

	private async send(batch: Array<TargetRecord<R>>): Promise<void> {
		const tickets = new Map<number, WriteTicket | undefined>();
		try {
			const sending = await this.screened(batch);
			// Remembered before the call: the service may report the write back before its answer arrives.
			for (const record of sending) tickets.set(record.itemIndex, this.beginWrite(record));
			if (sending.length) await this.sendAndRecord(sending);
		} catch (error) {
			for (const { itemIndex } of batch) this.outcomes[itemIndex] ??= failureOf(this.ctx, error, itemIndex);
		} finally {
			for (const [itemIndex, ticket] of tickets) settleWrite(ticket, this.outcomes[itemIndex], this.pipeline.syncTarget);
		}
	}

	/** The records the node's screen lets through; the others have their outcome. */
	private async screened(batch: Array<TargetRecord<R>>): Promise<Array<TargetRecord<R>>> {
		const screen = this.pipeline.screen;
		if (!screen) return batch;
		const verdicts = await Promise.all(
			batch.map(async (record) => await screen(record).catch((error: unknown) => failureOf(this.ctx, error, record.itemIndex))),
		);
		return batch.filter(({ itemIndex }, position) => {
			const verdict = verdicts[position];
			if (verdict) this.outcomes[itemIndex] = verdict;
			return !verdict;
		});
	}

	private beginWrite({ itemIndex, record }: TargetRecord<R>): WriteTicket | undefined {
		const target = this.pipeline.syncTarget;
		if (!target || target.settings.ttlMs <= 0) return undefined;
		const { keys, view } = target.describe(record);
		// Without a key yet (a record found by another field) the answer's id names it.
		return echoLedger.beginWrite(target.system, keys, view, target.settings.ttlMs, itemChangeTime(this.items[itemIndex]));
	}

	private async sendAndRecord(batch: Array<TargetRecord<R>>): Promise<void> {
		let results: RecordOutcome[];
		try {
			results = await this.pipeline.sendBatch(batch);
		} catch (error) {
			// The call as a whole failed: every record of it fails with that cause.
			for (const { itemIndex } of batch) this.outcomes[itemIndex] = failureOf(this.ctx, error, itemIndex);
			return;
		}
		batch.forEach(({ itemIndex }, position) => {
			this.outcomes[itemIndex] =
				results[position] ??
				failureOf(
					this.ctx,
					new NodeOperationError(this.ctx.getNode(), `${this.pipeline.service} answered no result for this item`, {
						itemIndex,
					}),
					itemIndex,
				);
		});
	}
}

/**
 * A write the service accepted is kept (with the keys its answer adds); one that may have been
 * applied stays remembered, since its echo may still come; one refused outright is forgotten.
 */
function settleWrite<R>(ticket: WriteTicket | undefined, outcome: RecordOutcome | undefined, target: SyncTarget<R> | undefined): void {
	if (!ticket || !target) return;
	if (outcome?.ok && outcome.nothingSent) echoLedger.withdraw(ticket);
	else if (outcome?.ok) echoLedger.confirm(ticket, target.keysOfResult?.(outcome.json) ?? []);
	else if (outcome?.error.context?.mayHaveBeenApplied !== true) echoLedger.withdraw(ticket);
}

/**
 * The outcome of an item whose change is older than the newest one this n8n instance wrote to,
 * or saw from, the same record: skipped or failed as the node's When Older Than Target says.
 */
function olderThanTarget<R>(ctx: IExecuteFunctions, target: SyncTarget<R>, { itemIndex, record }: TargetRecord<R>, item: INodeExecutionData): RecordOutcome | undefined {
	if (target.settings.whenOlder === 'write') return undefined;
	const changedAt = itemChangeTime(item);
	if (changedAt === undefined) return undefined;
	const newest = echoLedger.newestKnown(target.system, target.describe(record).keys);
	if (newest === undefined || changedAt >= newest) return undefined;
	return olderOutcome(ctx, target.settings, itemIndex, changedAt, newest);
}

/** Whether a writer that can read the record first should, for this item: its change time is known and order is checked. */
export function readsRecordFirst(settings: WriterSyncSettings, item: INodeExecutionData): boolean {
	return settings.whenOlder !== 'write' && itemChangeTime(item) !== undefined;
}

/** A record as its service answered a read of it: its keys, its fields as compared, its modification time. */
export interface CurrentRecord {
	keys: string[];
	view: RecordView;
	changedAt?: number;
	/** Its id in the service, for the states the workflow recorded (echoStore.ts). */
	id?: string;
}

/**
 * For a writer that read the record before writing: the outcome of an item whose change is older
 * than the record's own modification time, unless the record holds only what this n8n instance
 * knows of it (the package's own writes and the changes its triggers received, which
 * olderThanTarget already weighed) or, for a change checked in another n8n process, a state a
 * write of this workflow recorded (in queue mode another worker's write). A record nothing is
 * known of is judged by its time.
 */
export async function olderThanRecord<R>(ctx: IExecuteFunctions, target: SyncTarget<R>, itemIndex: number, item: INodeExecutionData, current: CurrentRecord): Promise<RecordOutcome | undefined> {
	const changedAt = itemChangeTime(item);
	if (!readsRecordFirst(target.settings, item) || changedAt === undefined || current.changedAt === undefined) return undefined;
	if (current.changedAt <= changedAt) return undefined;
	if (echoLedger.holdsOnlyKnown(target.system, current.keys, current.view) === true) return undefined;
	if (target.stateAfterWrite && current.id !== undefined && checkedElsewhere(item) && (await isRecordedState(ctx, stateFingerprint(target.system, current.id, current.view)))) return undefined;
	return olderOutcome(ctx, target.settings, itemIndex, changedAt, current.changedAt);
}

function olderOutcome(ctx: IExecuteFunctions, settings: WriterSyncSettings, itemIndex: number, changedAt: number, targetChangedAt: number): RecordOutcome {
	const times = { changedAt: new Date(changedAt).toISOString(), targetChangedAt: new Date(targetChangedAt).toISOString() };
	if (settings.whenOlder === 'skip') {
		return { ok: true, nothingSent: true, json: { status: 'skipped', reason: 'The record holds a newer change; nothing was sent.', ...times } };
	}
	return {
		ok: false,
		error: new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: its change (${times.changedAt}) is older than the record’s newest (${times.targetChangedAt})`, {
			itemIndex,
			description: 'Nothing was sent, so the newer value stays. Set When Older Than Target to Write It Anyway to write older changes too.',
		}),
		details: times,
	};
}

/** A failure outcome for any thrown value, as an n8n error with the item index. */
export function failureOf(ctx: IExecuteFunctions, error: unknown, itemIndex: number): Failure {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return { ok: false, error };
	const message = error instanceof Error ? error.message : String(error);
	const wrapped = new NodeOperationError(ctx.getNode(), message, { itemIndex });
	// Whether the call may have been applied travels on: it decides what may be sent again.
	if ((error as { context?: IDataObject } | undefined)?.context?.mayHaveBeenApplied === true) wrapped.context.mayHaveBeenApplied = true;
	return { ok: false, error: wrapped };
}

/** The machine-readable cause of a failed item: the service's code and status, attempts, replay safety. */
function failureDetails(failure: Failure): IDataObject {
	const context = (failure.error.context ?? {}) as IDataObject;
	const details: IDataObject = {};
	if (context.serviceCode !== undefined) details.code = context.serviceCode;
	if (context.serviceStatus !== undefined) details.httpStatus = context.serviceStatus;
	if (context.attempts !== undefined) details.attempts = context.attempts;
	if (context.mayHaveBeenApplied === true) details.mayHaveBeenApplied = true;
	return { ...details, ...failure.details };
}

/** The cause of a failure outside the pipeline's batches (a node's own single call), as failedOutput gets it. */
export function failureCauseOf(error: NodeApiError | NodeOperationError, details?: IDataObject): FailureCause {
	return failureJson({ ok: false, error, details });
}

/**
 * A failed item's json. It keeps to `error`, `message` and `details`: n8n routes such an item to
 * the error output and adds the input item's fields itself.
 */
function failureJson(failure: Failure, withDetails?: true): FailureCause;
function failureJson(failure: Failure, withDetails: boolean): IDataObject;
function failureJson(failure: Failure, withDetails = true): IDataObject {
	const { error } = failure;
	if (!withDetails) {
		const details = JSON.stringify(failureDetails(failure));
		return { error: error.message, message: [error.description, `Details: ${details}`].filter(Boolean).join(' ') };
	}
	return {
		error: error.message,
		...(error.description ? { message: error.description } : {}),
		details: failureDetails(failure),
	};
}

/** The error that stops the run, its description extended with what happened to the other items. */
function withSummary(error: NodeApiError | NodeOperationError, summary: string): NodeApiError | NodeOperationError {
	error.description = [error.description, summary].filter(Boolean).join(' ');
	return error;
}

/**
 * A failed item's json for n8n's Error output (On Error = Continue (using error output)): n8n adds
 * the input item's own fields to it. n8n recognises a failed item by its json alone: an item that
 * carries an `error` object instead has its json replaced by `{ error }` when n8n stores the run,
 * losing the input's fields and the cause.
 */
export function errorOutputJson(ctx: IExecuteFunctions, error: NodeApiError | NodeOperationError, details?: IDataObject): IDataObject {
	const failure: Failure = { ok: false, error, details };
	// No `message` key: n8n's merge would write it over the input's own `message` (a lead's text).
	if (routesFailedItemsWithDetails(ctx)) {
		return { error: error.message, details: { ...failureDetails(failure), ...(error.description ? { description: error.description } : {}) } };
	}
	// n8n 1.x routes only { error } or { error, message }: the whole cause goes in `error`.
	return { error: [error.message, error.description, `Details: ${JSON.stringify(failureDetails(failure))}`].filter(Boolean).join(' ') };
}

/**
 * n8n 2.x sends an item to the error output when its json holds only `error`, `message` and
 * `details`; n8n 1.x only when it holds `error` and `message` alone, and would pass a failed item
 * with details on as a success. The egress filter helper arrived with that 2.x behaviour, so its
 * presence tells which n8n runs the node; without it the details travel inside `message`.
 */
function routesFailedItemsWithDetails(ctx: IExecuteFunctions): boolean {
	return typeof (ctx.helpers as { getSecureEgressFilter?: unknown }).getSecureEgressFilter === 'function';
}

function buildOutput<R>(
	ctx: IExecuteFunctions,
	pipeline: TargetPipeline<R>,
	items: INodeExecutionData[],
	outcomes: RecordOutcome[],
	routesFailures: boolean,
): INodeExecutionData[][] {
	const written: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const keepsDetails = routesFailedItemsWithDetails(ctx);
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	let firstFailure: Failure | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		const pairedItem = { item: itemIndex };
		if (outcome.ok) {
			written.push({ json: outcome.json, pairedItem });
			continue;
		}
		firstFailure ??= outcome;
		if (toErrorOutput) written.push({ json: errorOutputJson(ctx, outcome.error, outcome.details), pairedItem });
		else if (pipeline.failedOutput) failed.push({ json: pipeline.failedOutput(items[itemIndex], failureJson(outcome)), pairedItem });
		else written.push({ json: failureJson(outcome, keepsDetails), pairedItem });
	}
	if (firstFailure && !routesFailures) {
		const total = items.length;
		const failures = outcomes.filter((outcome) => !outcome.ok).length;
		throw withSummary(
			firstFailure.error,
			`${total - failures} of ${total} items were written to ${pipeline.service}; ${failures} failed.`,
		);
	}
	return pipeline.failedOutput ? [written, failed] : [written];
}
