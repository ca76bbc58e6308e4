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
import { isObject } from '../shared/objects';
import { boundedInteger, createItemParameterReader, type ItemParameterReader } from '../shared/parameters';
import { queueDurationMs } from '../shared/rateLimiter';
import { NothingSentError, type RedirectPolicy } from '../shared/redirects';
import { runTargetPipeline, type RecordOutcome } from '../shared/targetPipeline';
import { recordKeys, writerSyncSettings } from '../shared/twoWaySync';
import { comparableContact, normalizeContact, S360_SYSTEM } from '../S360FirehoseTrigger/payload';
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
		announceQueue(this, credentials, items.length);

		return await runTargetPipeline<PreparedContact>(this, {
			service: S360_SERVICE,
			batchSize: 1,
			concurrency,
			limiterKey: `${rateKeyOf(credentials)}:inFlight`,
			prepare: (item, itemIndex) => prepareContact(this, item, itemIndex, itemSettings(readParameter, itemIndex, workflowTimeZone)),
			syncTarget: {
				system: S360_SYSTEM,
				settings: writerSyncSettings(options),
				describe: (contact) => ({
					keys: recordKeys({ id: contact.contactNumber, email: contact.email }),
					view: comparableContact(normalizeContact(contact.contactData), true),
				}),
				keysOfResult: (json) => recordKeys({ id: json.contactNumber ?? undefined }),
			},
			sendBatch: async (batch) =>
				await Promise.all(
					batch.map(
						async ({ itemIndex, record }) =>
							await saveContact(this, { send, credentials, policy, requestParameter, withoutNumber }, record, itemIndex),
					),
				),
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
function announceQueue(ctx: IExecuteFunctions, credentials: S360Credentials, contacts: number): void {
	const window = rateWindowOf(credentials);
	const waitMs = queueDurationMs(rateKeyOf(credentials), contacts, window);
	if (waitMs === 0) return;
	const message =
		`S-360 accepts ${window.limit} calls per ${window.windowMs / 1000} s for this institution: ` +
		`${contacts} contacts take at least ${durationText(waitMs)} more (contacts without a contact number need a second call to find them by email).`;
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

async function saveContact(ctx: IExecuteFunctions, setup: SaveSetup, record: PreparedContact, itemIndex: number): Promise<RecordOutcome> {
	const { send, credentials, policy } = setup;
	const secrets = s360Secrets(credentials);
	const node = ctx.getNode();
	let waitedMs = 0;
	let rateRefusals = 0;
	const failed = (error: unknown): RecordOutcome => {
		if (error instanceof ServiceRequestError) return { ok: false, error: serviceApiError(node, error.failure, { itemIndex, secrets }) };
		if (error instanceof NothingSentError) {
			return { ok: false, error: new NodeOperationError(node, error.message, { itemIndex, description: 'Nothing was sent to S-360.' }) };
		}
		throw error;
	};
	const account = (answer: S360Answer) => {
		waitedMs += answer.waitedMs;
		rateRefusals += answer.rateRefusals;
	};

	let contactNumber = record.contactNumber;
	let matchedBy: 'contactNumber' | 'email' | undefined = contactNumber !== undefined ? 'contactNumber' : undefined;
	if (contactNumber === undefined && setup.withoutNumber === 'findByEmail') {
		let search: S360Answer;
		try {
			// A read: sending it twice changes nothing.
			search = await callS360(send, credentials, policy, { method: 'searchContact', body: { searchCriteria: { email: record.email } }, replayable: true });
		} catch (error) {
			return failed(error);
		}
		account(search);
		const status = readStatus(search.body);
		if (search.statusCode >= 400 || (status.statusCode !== undefined && !isSuccess(status) && !/NOT_?FOUND/i.test(status.statusCode))) {
			return refusal(ctx, search, itemIndex, secrets, 'searchContact');
		}
		const found = contactNumbersIn(search.body);
		if (found.length > 1) {
			return {
				ok: false,
				error: new NodeOperationError(node, `${found.length} S-360 contacts have the email ${record.email} (${found.slice(0, 5).join(', ')})`, {
					itemIndex,
					description: 'Nothing was saved: set the contact number of the one to update (field Contact Number).',
				}),
			};
		}
		if (found.length === 1) {
			contactNumber = found[0];
			matchedBy = 'email';
		}
	}

	const contactData: IDataObject = { ...record.contactData, ...(contactNumber !== undefined ? { contactNumber } : {}) };
	let answer: S360Answer;
	try {
		// An update names its contact: applied twice it leaves the same contact. A create does not.
		answer = await callS360(send, credentials, policy, {
			method: 'saveIndividualContactData',
			body: { [setup.requestParameter]: contactData },
			replayable: contactNumber !== undefined,
		});
	} catch (error) {
		return failed(error);
	}
	account(answer);
	const status = readStatus(answer.body);
	if (answer.statusCode >= 400 || !isSuccess(status)) return refusal(ctx, answer, itemIndex, secrets, 'saveIndividualContactData');
	const savedNumber = status.contactNumber ?? contactNumber;
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
			rateRefusals,
			waitedForRateLimitMs: waitedMs,
			sent: contactData,
		},
	};
}

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
