import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { EgressHelpersLike } from '../shared/egress';
import { describeFailure, redactSecrets, serviceApiError } from '../shared/errors';
import { sendWith, sendWithLegacyRequest, ServiceRequestError, type SendFunction } from '../shared/http';
import { holdsValues } from '../shared/echoLedger';
import { isObject } from '../shared/objects';
import { boundedInteger, createItemParameterReader, type ItemParameterReader } from '../shared/parameters';
import { queueDurationMs } from '../shared/rateLimiter';
import { NothingSentError, type RedirectPolicy } from '../shared/redirects';
import { failureOf, olderThanRecord, readsRecordFirst, runTargetPipeline, type RecordOutcome, type SyncTarget, type TargetRecord } from '../shared/targetPipeline';
import { changeTimeOf, recordKeys, writerSyncSettings } from '../shared/twoWaySync';
import { comparableContact, isContactShaped, normalizeContact, S360_SYSTEM } from '../S360FirehoseTrigger/payload';
import { prepareContact, type ContactSettings, type PreparedContact } from './contact';
import { DEFAULT_CONCURRENCY, s360SaveContactProperties } from './description';
import {
	asS360Credentials,
	callS360,
	credentialProblem,
	institutionOfHost,
	isSuccess,
	rateKeyOf,
	rateWindowOf,
	readStatus,
	redirectPolicyOf,
	S360_SERVICE,
	s360Secrets,
	type S360Answer,
	type S360Call,
	type S360Credentials,
} from './transport';

export class S360SaveContact implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'S-360 Save Contact',
		name: 's360SaveContact',
		icon: { light: 'file:s360.svg', dark: 'file:s360.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: 'saveIndividualContactData',
		description: 'Create or update SecuTix S-360 individual contacts, within S-360’s calls-per-minute limit',
		defaults: { name: 'S-360 Save Contact' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 's360ContactApi', required: true, testedBy: 's360ContactApiTest' }],
		properties: s360SaveContactProperties,
	};

	methods = {
		credentialTest: {
			async s360ContactApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await testS360Credential(this, asS360Credentials(credential.data ?? {}));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = asS360Credentials(await this.getCredentials('s360ContactApi'));
		const problem = credentialProblem(credentials);
		if (problem !== undefined) throw new NodeOperationError(this.getNode(), `The S-360 credential is incomplete: ${problem}`);

		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const concurrency = boundedInteger(options.concurrency, DEFAULT_CONCURRENCY, 1, 20);
		const requestParameter = String(options.requestParameter ?? '').trim() || 'individualContactData';
		const withoutNumber = this.getNodeParameter('withoutContactNumber', 0, 'findByEmail') as 'findByEmail' | 'create';
		const readParameter = createItemParameterReader(this);
		const workflowTimeZone = this.getTimezone();
		const policy = redirectPolicyOf(credentials, this.helpers as unknown as EgressHelpersLike);
		const send = sendWith(this, { service: S360_SERVICE });
		const items = this.getInputData();
		// The contacts as the order check read them, for the state each save leaves.
		const readViews = new Map<number, IDataObject>();
		const writtenView = (contact: PreparedContact) => comparableContact(normalizeContact(contact.contactData), true);
		const syncTarget: SyncTarget<PreparedContact> = {
			system: S360_SYSTEM,
			settings: writerSyncSettings(options),
			describe: (contact) => ({
				keys: recordKeys({ id: contact.contactNumber, email: contact.email }),
				view: writtenView(contact),
			}),
			keysOfResult: (json) => recordKeys({ id: json.contactNumber ?? undefined }),
			// A created contact holds what was saved; an updated one, what was read with the save laid over it.
			stateAfterWrite: (contact, itemIndex, json) => {
				if (typeof json.contactNumber !== 'string' || json.contactNumber === '') return undefined;
				const before = json.status === 'created' ? {} : readViews.get(itemIndex);
				return before && { id: json.contactNumber, view: { ...before, ...writtenView(contact) } };
			},
		};
		const reads = items.filter((item) => readsRecordFirst(syncTarget.settings, item)).length;
		announceQueue(this, credentials, items.length, reads);
		const orderCheck: OrderCheck = {
			wanted: (itemIndex) => readsRecordFirst(syncTarget.settings, items[itemIndex]),
			outcome: async (itemIndex, record, { contactNumber, matchedBy }, raw) => {
				const current = normalizeContact(raw, { timeZone: (options.timeZone as string) || workflowTimeZone });
				const view = comparableContact(current);
				readViews.set(itemIndex, view);
				const older = await olderThanRecord(this, syncTarget, itemIndex, items[itemIndex], {
					keys: recordKeys({ id: contactNumber }),
					view,
					changedAt: changeTimeOf(current.changedAt),
					id: contactNumber,
				});
				if (older) return older;
				// Saving what S-360 already holds would change nothing but its modification time, and
				// its firehose would push the contact again: where no trigger recognises that as an
				// echo (queue mode, after a restart) the other system would be written once more.
				if (!holdsValues(view, syncTarget.describe(record).view)) return undefined;
				return {
					ok: true,
					nothingSent: true,
					json: { status: 'unchanged', reason: 'S-360 already holds every value to save; nothing was sent.', contactNumber: contactNumber ?? null, matchedBy: matchedBy ?? null },
				};
			},
		};

		const saves = new ContactSaves(this, { send, credentials, policy, requestParameter, withoutNumber, orderCheck });

		return await runTargetPipeline<PreparedContact>(this, {
			service: S360_SERVICE,
			batchSize: 1,
			concurrency,
			limiterKey: `${rateKeyOf(credentials)}:inFlight`,
			prepare: (item, itemIndex) => prepareContact(this, item, itemIndex, itemSettings(readParameter, itemIndex, workflowTimeZone)),
			syncTarget,
			screen: async (record) => await saves.screen(record),
			sendBatch: async (batch) => await Promise.all(batch.map(async (record) => await saves.save(record))),
		});
	}
}

function itemSettings(read: ItemParameterReader, itemIndex: number, workflowTimeZone: string): ContactSettings {
	const options = read<IDataObject>('options', itemIndex, {});
	return {
		inputFields: read<ContactSettings['inputFields']>('inputFields', itemIndex, 'autoMap'),
		inputPath: String(read('inputPath', itemIndex, '') ?? ''),
		fields: read<ContactSettings['fields']>('fields.field', itemIndex, []) ?? [],
		optIns: read<ContactSettings['optIns']>('optIns.optIn', itemIndex, []) ?? [],
		criteria: read<ContactSettings['criteria']>('criteria.criterion', itemIndex, []) ?? [],
		timeZone: (options.timeZone as string) || workflowTimeZone,
		dateInputFormat: (options.dateInputFormat as string) || undefined,
	};
}

/** When the run holds more contacts than the window lets through at once, says how long the queue takes. */
function announceQueue(ctx: IExecuteFunctions, credentials: S360Credentials, contacts: number, reads: number): void {
	const window = rateWindowOf(credentials);
	const waitMs = queueDurationMs(rateKeyOf(credentials), contacts + reads, window);
	if (waitMs === 0) return;
	const readsText = reads ? `, ${reads} of them read first to check which change is newer (When Older Than Target)` : '';
	const message =
		`S-360 accepts ${window.limit} calls per ${window.windowMs / 1000} s for this institution: ` +
		`${contacts} contacts${readsText} take at least ${durationText(waitMs)} more (contacts without a contact number need a second call to find them by email).`;
	ctx.logger?.info(message);
	if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints({ message, location: 'outputPane' });
}

/** 0.4 s, 12 s, 4 min 30 s. */
function durationText(ms: number): string {
	if (ms < 10_000) return `${Math.ceil(ms / 100) / 10} s`;
	const seconds = Math.ceil(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	const rest = seconds % 60;
	return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
}

interface SaveSetup {
	send: SendFunction;
	credentials: S360Credentials;
	policy: RedirectPolicy;
	requestParameter: string;
	withoutNumber: 'findByEmail' | 'create';
	orderCheck: OrderCheck;
}

/**
 * Two-way sync's check against S-360 itself: S-360 queues its changes for the firehose for up to
 * its interval, so an edit made there may not have reached n8n when an older change from the
 * other system arrives. Reading the contact first shows its modification time, and whether it
 * already holds what would be saved.
 */
interface OrderCheck {
	/** Whether the item's contact is read before it is saved. */
	wanted(itemIndex: number): boolean;
	/** The item's outcome when the contact as read holds a newer change or already every value; undefined to save. */
	outcome(itemIndex: number, record: PreparedContact, location: Location, contactData: IDataObject): Promise<RecordOutcome | undefined>;
}

/** The contact in a getContactData answer: under contactData (or result/return), or the answer itself. */
export function contactOfAnswer(body: unknown): IDataObject | undefined {
	if (!isObject(body)) return undefined;
	const wrappers = [body, body.result, body.return].filter(isObject);
	return [...wrappers.map((wrapper) => wrapper.contactData), ...wrappers].find(isContactShaped);
}

/** Contact numbers in a searchContact answer: any list of objects carrying one. */
export function contactNumbersIn(body: unknown): string[] {
	if (!isObject(body)) return [];
	const lists = ['contacts', 'contactDataList', 'contactData', 'contactDataResults', 'result', 'return']
		.map((key) => body[key])
		.filter(Array.isArray) as unknown[][];
	const numbers = lists.flat().filter(isObject).map((entry) => entry.contactNumber).filter((value) => value !== undefined && value !== null);
	return [...new Set(numbers.map(String))];
}

/** Where an item's contact is in S-360: its number (none: to be created), and how it was found. */
interface Location {
	contactNumber?: string;
	matchedBy?: 'contactNumber' | 'email';
}

/**
 * One run's saves. An item whose change is order-checked is screened first (its contact found and
 * read) before the pipeline registers the write; the save then reuses what the screen found, and
 * the item's output counts every call made for it.
 */
class ContactSaves {
	private readonly located = new Map<number, Location>();
	private readonly waits = new Map<number, { waitedMs: number; rateRefusals: number }>();
	private readonly secrets: string[];

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly setup: SaveSetup,
	) {
		this.secrets = s360Secrets(setup.credentials);
	}

	/** The outcome of an item not to be saved (its contact holds a newer change or already every value, or could not be read), else undefined. */
	async screen({ itemIndex, record }: TargetRecord<PreparedContact>): Promise<RecordOutcome | undefined> {
		if (!this.setup.orderCheck.wanted(itemIndex)) return undefined;
		const location = await this.locate(record, itemIndex);
		if ('ok' in location) return location;
		const { contactNumber } = location;
		if (contactNumber === undefined) return undefined;
		const read = await this.call(itemIndex, {
			method: 'getContactData',
			body: { contactNumber, details: ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'] },
			replayable: true,
		});
		if ('ok' in read) return read;
		const status = readStatus(read.body);
		const notFound = status.statusCode !== undefined && /NOT_?FOUND/i.test(status.statusCode);
		if (read.statusCode >= 400 || (!isSuccess(status) && !notFound)) return this.refusal(read, itemIndex, 'getContactData');
		const current = notFound ? undefined : contactOfAnswer(read.body);
		return current && (await this.setup.orderCheck.outcome(itemIndex, record, location, current));
	}

	async save({ itemIndex, record }: TargetRecord<PreparedContact>): Promise<RecordOutcome> {
		const location = this.located.get(itemIndex) ?? (await this.locate(record, itemIndex));
		if ('ok' in location) return location;
		const { contactNumber, matchedBy } = location;
		const contactData: IDataObject = { ...record.contactData, ...(contactNumber !== undefined ? { contactNumber } : {}) };
		// An update names its contact: applied twice it leaves the same contact. A create does not.
		const answer = await this.call(itemIndex, {
			method: 'saveIndividualContactData',
			body: { [this.setup.requestParameter]: contactData },
			replayable: contactNumber !== undefined,
		});
		if ('ok' in answer) return answer;
		const status = readStatus(answer.body);
		if (answer.statusCode >= 400 || !isSuccess(status)) return this.refusal(answer, itemIndex, 'saveIndividualContactData');
		const savedNumber = status.contactNumber ?? contactNumber;
		const waits = this.waits.get(itemIndex);
		return {
			ok: true,
			json: {
				status: contactNumber !== undefined ? 'updated' : 'created',
				contactNumber: savedNumber ?? null,
				matchedBy: matchedBy ?? null,
				statusCode: status.statusCode ?? null,
				...(status.statusDetail !== undefined ? { statusDetail: status.statusDetail } : {}),
				httpStatus: answer.statusCode,
				attempts: answer.attempts,
				rateRefusals: waits?.rateRefusals ?? 0,
				waitedForRateLimitMs: waits?.waitedMs ?? 0,
				sent: contactData,
			},
		};
	}

	/** The item's contact: by its number, else searched by email (Find by Email), else none (created). */
	private async locate(record: PreparedContact, itemIndex: number): Promise<Location | RecordOutcome> {
		let location: Location = record.contactNumber !== undefined ? { contactNumber: record.contactNumber, matchedBy: 'contactNumber' } : {};
		if (record.contactNumber === undefined && this.setup.withoutNumber === 'findByEmail') {
			// A read: sending it twice changes nothing.
			const search = await this.call(itemIndex, { method: 'searchContact', body: { searchCriteria: { email: record.email } }, replayable: true });
			if ('ok' in search) return search;
			const status = readStatus(search.body);
			if (search.statusCode >= 400 || (status.statusCode !== undefined && !isSuccess(status) && !/NOT_?FOUND/i.test(status.statusCode))) {
				return this.refusal(search, itemIndex, 'searchContact');
			}
			const found = contactNumbersIn(search.body);
			if (found.length > 1) {
				return {
					ok: false,
					error: new NodeOperationError(this.ctx.getNode(), `${found.length} S-360 contacts have the email ${record.email} (${found.slice(0, 5).join(', ')})`, {
						itemIndex,
						description: 'Nothing was saved: set the contact number of the one to update (field Contact Number).',
					}),
				};
			}
			if (found.length === 1) location = { contactNumber: found[0], matchedBy: 'email' };
		}
		this.located.set(itemIndex, location);
		return location;
	}

	/** One call for the item: its answer (its waits counted), or the item's failure. */
	private async call(itemIndex: number, call: S360Call): Promise<S360Answer | Failure> {
		const { send, credentials, policy } = this.setup;
		let answer: S360Answer;
		try {
			answer = await callS360(send, credentials, policy, call);
		} catch (error) {
			if (error instanceof ServiceRequestError) {
				return { ok: false, error: serviceApiError(this.ctx.getNode(), error.failure, { itemIndex, secrets: this.secrets }) };
			}
			if (error instanceof NothingSentError) {
				return {
					ok: false,
					error: new NodeOperationError(this.ctx.getNode(), error.message, { itemIndex, description: 'Nothing was sent to S-360.' }),
				};
			}
			return failureOf(this.ctx, error, itemIndex);
		}
		const waits = this.waits.get(itemIndex) ?? { waitedMs: 0, rateRefusals: 0 };
		waits.waitedMs += answer.waitedMs;
		waits.rateRefusals += answer.rateRefusals;
		this.waits.set(itemIndex, waits);
		return answer;
	}

	private refusal(answer: S360Answer, itemIndex: number, method: string): RecordOutcome {
		return refusal(this.ctx, answer, itemIndex, this.secrets, method);
	}
}

type Failure = ReturnType<typeof failureOf>;

/** S-360 answered but refused: its statusCode, statusDetail and field on this item only. */
function refusal(ctx: IExecuteFunctions, answer: S360Answer, itemIndex: number, secrets: string[], method: string): RecordOutcome {
	const status = readStatus(answer.body);
	const code = status.statusCode;
	const field = status.field;
	const message = [field ? `field ${field}` : undefined, status.statusDetail ?? (code ? undefined : 'no statusCode in the answer')]
		.filter(Boolean)
		.join(': ');
	const error = serviceApiError(
		ctx.getNode(),
		{
			service: S360_SERVICE,
			status: answer.statusCode,
			code: code ?? 'NO_STATUS',
			message: `${method} refused: ${message || code}`,
			hint: 'S-360 refused this contact; the other items are unaffected.',
			attempts: answer.attempts,
			details: field ? { field } : undefined,
		},
		{ itemIndex, secrets },
	);
	return { ok: false, error, details: { code: code ?? null, field: field ?? null, statusDetail: status.statusDetail ?? null } };
}

/**
 * The credential's Test: getContactData for contact number 0, once, signed like every call.
 * Reads and changes nothing; tells a refused secret or claim (401), a refused institution (403,
 * or a host of another institution), an unknown path or version (404) and an unreachable host apart.
 */
async function testS360Credential(ctx: ICredentialTestFunctions, credentials: S360Credentials): Promise<INodeCredentialTestResult> {
	const problem = credentialProblem(credentials);
	if (problem !== undefined) return { status: 'Error', message: `The S-360 credential is incomplete: ${problem}` };
	const hostInstitution = institutionOfHost(credentials.baseUrl);
	if (hostInstitution !== undefined && hostInstitution.toUpperCase() !== credentials.institution.toUpperCase()) {
		return {
			status: 'Error',
			message: `Wrong institution: the base URL is the host of institution "${hostInstitution}", the Institution Code is "${credentials.institution}".`,
		};
	}
	const secrets = s360Secrets(credentials);
	const outcome = await callS360(sendWithLegacyRequest(ctx.helpers.request), credentials, redirectPolicyOf(credentials), {
		method: 'getContactData',
		body: { contactNumber: '0', details: ['GENERAL'] },
		replayable: true,
		maxAttempts: 1,
	}).then(
		(answer) => ({ answer }),
		(error: unknown) => ({ error }),
	);
	const refusals: Record<number, string> = {
		401: 'S-360 refused the JWT (HTTP 401): the shared secret, partner name (iss) or virtual operator (aud) is wrong, or n8n’s clock is off.',
		403: 'S-360 refused this partner for the institution (HTTP 403): check the Institution Code (sub) and Virtual Operator (aud).',
		404: 'S-360 answered 404: the base URL is not this institution’s web-service host, or the contact service version does not exist.',
	};
	if ('error' in outcome) {
		const { error } = outcome;
		if (!(error instanceof ServiceRequestError)) {
			return { status: 'Error', message: redactSecrets(error instanceof Error ? error.message : String(error), secrets) };
		}
		const { failure } = error;
		if (failure.status === undefined) {
			return { status: 'Error', message: `S-360 is unreachable at ${new URL(credentials.baseUrl).origin}: ${redactSecrets(describeFailure(failure), secrets)}` };
		}
		const known = refusals[failure.status];
		const said = redactSecrets(describeFailure(failure), secrets);
		return { status: 'Error', message: known ? `${known} (${said})` : said };
	}
	const { answer } = outcome;
	if (answer.statusCode >= 400) return { status: 'Error', message: refusals[answer.statusCode] ?? `S-360 answered ${answer.statusCode}.` };
	if (!isObject(answer.body) || readStatus(answer.body).statusCode === undefined) {
		return { status: 'Error', message: `S-360 answered ${answer.statusCode} with something that is not the contact service’s answer: check the base URL.` };
	}
	return { status: 'OK', message: `S-360 accepted the JWT for institution ${credentials.institution}; contact number 0 was read, nothing was changed.` };
}
