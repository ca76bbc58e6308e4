/**
 * S-360 Save Contact run in-process on n8n's own ExecuteContext (test/unit/fakes/n8nContext.ts)
 * against the S-360 contact-service double on loopback (plain http, private network allowed in
 * the credential). The double checks every JWT, counts calls per window on arrival and answers
 * 509 beyond its limit.
 */
import { createHmac } from 'node:crypto';
import { CredentialTestContext, DataDeduplicationService } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { S360ContactApi } from '../../credentials/S360ContactApi.credentials';
import { S360SaveContact } from '../../nodes/S360SaveContact/S360SaveContact.node';
import { asS360Credentials, signJwt } from '../../nodes/S360SaveContact/transport';
import { echoLedger } from '../../nodes/shared/echoLedger';
import { comparableContact, normalizeContact, S360_SYSTEM } from '../../nodes/S360FirehoseTrigger/payload';
import { stateFingerprint } from '../../nodes/shared/echoStore';
import { MemoryDeduplicator } from './fakes/deduplicator';
import { S360ContactDouble } from '../doubles/s360ContactDouble';
import { CREDENTIAL_TYPES, InMemoryCredentialsHelper, prepareRun, runNode } from './fakes/n8nContext';

const SECRET = 's360-unit-secret-5b1e77c2';
const PARTNER = { institution: 'MOSA', virtualOperator: 'MOSA_B2C', partnerName: 'ContactSync', secret: SECRET };
const nodeType = new S360SaveContact();
const double = new S360ContactDouble({ partner: PARTNER, limit: 1000, windowMs: 60_000 });

// Each spec gets its own institution window in the process-wide limiter (the key is host + institution).
let windowNumber = 0;
function credentials(data: Record<string, unknown> = {}): Record<string, ICredentialDataDecryptedObject> {
	return {
		s360ContactApi: {
			baseUrl: `${double.baseUrl}/`,
			institution: 'MOSA',
			virtualOperator: 'MOSA_B2C',
			partnerName: 'ContactSync',
			secret: SECRET,
			serviceVersion: 'v2_21',
			rateLimit: 1000,
			rateWindowSeconds: 60,
			expirySeconds: 30,
			allowPrivateNetwork: true,
			allowPlainHttp: true,
			...data,
		},
	};
}

async function run(
	items: INodeExecutionData[],
	parameters: INodeParameters = {},
	extra: { onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow'; credentialData?: Record<string, unknown> } = {},
): Promise<INodeExecutionData[]> {
	const stored = credentials(extra.credentialData);
	const [output] = await runNode({
		nodeType,
		parameters,
		credentials: stored,
		credentialsHelper: new InMemoryCredentialsHelper(stored, { ...CREDENTIAL_TYPES, s360ContactApi: new S360ContactApi() }),
		items,
		onError: extra.onError ?? 'continueRegularOutput',
	});
	return output;
}

const person = (i: number, extra: Record<string, unknown> = {}) => ({
	json: { First_Name: `First${i}`, Last_Name: `Last${i}`, Email: `person${i}@example.test`, ...extra },
});

beforeAll(async () => await double.start());
afterAll(async () => await double.stop());
beforeEach(() => {
	double.reset();
	double.configure({ limit: 1000, windowMs: 60_000, latencyMs: 0, retryAfterSeconds: undefined, rateStatus: 509 });
	windowNumber++;
	double.addPartner({ ...PARTNER, institution: institution() });
});
// Each spec is its own institution, so its calls have their own window in the process-wide limiter.
const institution = () => `MOSA${windowNumber}`;
const own = () => ({ institution: institution() });

describe('signJwt', () => {
	it('signs HS256 with sub = institution, aud = virtual operator, iss = partner name, iat and exp in epoch milliseconds, exp 30 s after iat', () => {
		const creds = asS360Credentials(credentials().s360ContactApi);
		const token = signJwt(creds, 1_765_000_000_123);
		const [head, payload, signature] = token.split('.');
		expect(JSON.parse(Buffer.from(head, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
		expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
			sub: 'MOSA',
			aud: 'MOSA_B2C',
			iss: 'ContactSync',
			iat: 1_765_000_000_123,
			exp: 1_765_000_030_123,
		});
		expect(signature).toBe(createHmac('sha256', SECRET).update(`${head}.${payload}`).digest('base64url'));
	});
});

describe('S-360 Save Contact', () => {
	it('creates a contact found by no one, auto-mapping Zoho names, and says created with its contact number', async () => {
		const [item] = await run([person(1, { Date_of_Birth: '1991-03-07', Mailing_City: 'Lausanne' })], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'created', matchedBy: null, statusCode: 'success' });
		const stored = double.contacts.get(String(item.json.contactNumber))!;
		expect(stored.individualContact).toEqual({ firstName: 'First1', lastName: 'Last1', email: 'person1@example.test', birthDate: '1991-03-07' });
		expect(stored.addresses).toEqual([{ mainAddress: true, town: 'Lausanne' }]);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('updates by contact number when the input has one, without searching', async () => {
		const existing = double.seed({ individualContact: { lastName: 'Old', email: 'old@example.test' } });
		const [item] = await run([{ json: { contactNumber: existing.contactNumber, lastName: 'New' } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated', contactNumber: existing.contactNumber, matchedBy: 'contactNumber' });
		expect(double.calls.map((call) => call.method)).toEqual(['saveIndividualContactData']);
		expect(double.contacts.get(existing.contactNumber)!.individualContact.lastName).toBe('New');
	});

	it('updates the one contact that has the email when the input has no contact number', async () => {
		const existing = double.seed({ individualContact: { lastName: 'Last2', email: 'person2@example.test' } });
		const [item] = await run([person(2)], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated', contactNumber: existing.contactNumber, matchedBy: 'email' });
		expect(double.contacts.size).toBe(1);
		expect(double.calls.map((call) => call.method)).toEqual(['searchContact', 'saveIndividualContactData']);
	});

	it('fails an item whose email several S-360 contacts share, saving nothing', async () => {
		double.seed({ individualContact: { lastName: 'A', email: 'shared@example.test' } });
		double.seed({ individualContact: { lastName: 'B', email: 'shared@example.test' } });
		const [item] = await run([{ json: { email: 'shared@example.test', lastName: 'C' } }], {}, { credentialData: own() });
		expect(String(item.json.error)).toMatch(/2 S-360 contacts have the email shared@example\.test/);
		expect(double.calls.map((call) => call.method)).toEqual(['searchContact']);
	});

	it('sends explicit fields, opt-ins (AUTHORIZATIONS) and criteria as typed', async () => {
		const [item] = await run(
			[{ json: {} }],
			{
				inputFields: 'none',
				fields: { field: [{ field: 'email', value: 'typed@example.test' }, { field: 'lastName', value: 'Typed' }, { field: 'languageCode', value: 'fr' }, { field: 'phoneNumber', value: '021 555 12 12' }] },
				optIns: { optIn: [{ code: 'NEWSLETTER', granted: true }, { code: 'PARTNER_OFFERS', granted: false }] },
				criteria: { criterion: [{ code: 'FAVOURITE_GENRE', value: 'Opera' }] },
			},
			{ credentialData: own() },
		);
		expect(item.json.status).toBe('created');
		const stored = double.contacts.get(String(item.json.contactNumber))!;
		expect(stored.individualContact).toEqual({ lastName: 'Typed', email: 'typed@example.test', phoneNumber: '021 555 12 12', languageCode: 'fr' });
		expect(stored.authorizations).toEqual([{ authorizationCode: 'NEWSLETTER', value: true }, { authorizationCode: 'PARTNER_OFFERS', value: false }]);
		expect(stored.contactCriteria).toEqual([{ criterionCode: 'FAVOURITE_GENRE', value: 'Opera' }]);
	});

	it('fails an item with an ambiguous birth date before any call, naming the value', async () => {
		const [item] = await run([person(3, { Date_of_Birth: '07/03/1991' })], {}, { credentialData: own() });
		expect(String(item.json.error)).toMatch(/birthDate.*07\/03\/1991/);
		expect(double.calls).toHaveLength(0);
	});

	it('fails an opt-in that is not true or false before any call: consent is never guessed', async () => {
		const [item] = await run([person(4, { optIns: { NEWSLETTER: 'maybe' } })], {}, { credentialData: own() });
		expect(String(item.json.error)).toMatch(/opt-in NEWSLETTER .* must be true or false/);
		expect(double.calls).toHaveLength(0);
	});

	it('fails only the item S-360 refuses, with S-360’s code and field', async () => {
		const output = await run([person(5), person(6, { languageCode: 'french' }), person(7)], {}, { credentialData: own() });
		expect(output.map((item) => item.json.status ?? 'failed')).toEqual(['created', 'failed', 'created']);
		expect(output[1].json.error).toMatch(/S-360 answered 200 INVALID_DATA: saveIndividualContactData refused: field individualContact\.languageCode/);
		expect(output[1].json.details).toMatchObject({ code: 'INVALID_DATA', field: 'individualContact.languageCode' });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('fails every item clearly on a wrong secret, and the secret is in no output', async () => {
		const wrong = 'wrong-secret-0d9a1f77';
		const output = await run([person(8), person(9)], {}, { credentialData: { ...own(), secret: wrong } });
		for (const item of output) {
			expect(item.json.error).toMatch(/S-360 answered 401 UNAUTHORIZED: invalid signature/);
			expect(JSON.stringify(item.json)).not.toContain(wrong);
		}
		expect(double.contacts.size).toBe(0);
	});

	it('sends a call refused with 401 once more with a fresh token, and no more', async () => {
		const output = await run([person(12)], { withoutContactNumber: 'create' }, { credentialData: { ...own(), secret: 'wrong-secret-4c2e9a01' } });
		expect(output[0].json.error).toMatch(/401/);
		expect(double.calls.map((call) => call.status)).toEqual([401, 401]);
	});

	it('gets through when only the first token was refused (a token S-360 received over a second after it was signed)', async () => {
		double.injectFault({ status: 401, body: { statusCode: 'UNAUTHORIZED', statusDetail: 'token too old (iat, epoch milliseconds)' } });
		const [item] = await run([person(13)], { withoutContactNumber: 'create' }, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'created', attempts: 2 });
		expect(double.contacts.size).toBe(1);
	});

	it('stops the workflow on a refusal when On Error is Stop Workflow, saying what happened to the others', async () => {
		await expect(run([person(10), person(11, { languageCode: 'french' })], {}, { onError: 'stopWorkflow', credentialData: own() })).rejects.toThrow(
			/field individualContact\.languageCode/,
		);
	});

	it('never sends more calls in a window than the credential’s limit, and loses no contact', async () => {
		double.configure({ limit: 5, windowMs: 400 });
		const items = Array.from({ length: 12 }, (_, i) => ({ json: { lastName: `L${i}`, email: `rate${i}@example.test` } }));
		const output = await run(items, { withoutContactNumber: 'create' }, { credentialData: { ...own(), rateLimit: 5, rateWindowSeconds: 0.4 } });
		expect(output.map((item) => item.json.status)).toEqual(Array(12).fill('created'));
		expect(double.rateRefusals).toBe(0);
		expect(double.maxArrivalsInAnyWindow(400)).toBeLessThanOrEqual(5);
		expect(double.contacts.size).toBe(12);
	});

	it('absorbs a 509 (refused, not applied) by waiting out the window and sending the create again', async () => {
		double.configure({ limit: 2, windowMs: 300, retryAfterSeconds: 0.3 });
		// The credential thinks it may send more than S-360 allows: S-360 refuses the rest with 509.
		const items = Array.from({ length: 4 }, (_, i) => ({ json: { lastName: `R${i}`, email: `refused${i}@example.test` } }));
		const output = await run(items, { withoutContactNumber: 'create' }, { credentialData: { ...own(), rateLimit: 100, rateWindowSeconds: 0.3 } });
		expect(output.map((item) => item.json.status)).toEqual(Array(4).fill('created'));
		expect(double.rateRefusals).toBeGreaterThan(0);
		expect(double.contacts.size).toBe(4);
		expect(output.some((item) => Number(item.json.rateRefusals) > 0)).toBe(true);
	});

	it('says in a hint how long the queue takes when the run holds more contacts than fit in the window', async () => {
		const stored = credentials({ ...own(), rateLimit: 2, rateWindowSeconds: 0.2 });
		const items = Array.from({ length: 5 }, (_, i) => ({ json: { lastName: `H${i}`, email: `hint${i}@example.test` } }));
		const { context } = prepareRun({
			nodeType,
			parameters: { withoutContactNumber: 'create' },
			credentials: stored,
			credentialsHelper: new InMemoryCredentialsHelper(stored, { ...CREDENTIAL_TYPES, s360ContactApi: new S360ContactApi() }),
			items,
			onError: 'continueRegularOutput',
		});
		const [output] = (await nodeType.execute.call(context)) as INodeExecutionData[][];
		expect(output.map((item) => item.json.status)).toEqual(Array(5).fill('created'));
		const hints = (context as unknown as { hints: Array<{ message: string }> }).hints;
		expect(hints.map((hint) => hint.message)).toEqual([expect.stringMatching(/accepts 2 calls per 0\.2 s .*: 5 contacts take at least 0\.4 s more/)]);
	});

	it('gives no hint when the run fits in the window', async () => {
		const stored = credentials(own());
		const { context } = prepareRun({
			nodeType,
			parameters: {},
			credentials: stored,
			credentialsHelper: new InMemoryCredentialsHelper(stored, { ...CREDENTIAL_TYPES, s360ContactApi: new S360ContactApi() }),
			items: [person(40)],
			onError: 'continueRegularOutput',
		});
		await nodeType.execute.call(context);
		expect((context as unknown as { hints: unknown[] }).hints).toEqual([]);
	});

	it('treats 429 like 509', async () => {
		double.configure({ limit: 1, windowMs: 200, rateStatus: 429 });
		const items = Array.from({ length: 3 }, (_, i) => ({ json: { lastName: `T${i}`, email: `toomany${i}@example.test` } }));
		const output = await run(items, { withoutContactNumber: 'create' }, { credentialData: { ...own(), rateLimit: 100, rateWindowSeconds: 0.2 } });
		expect(output.map((item) => item.json.status)).toEqual(Array(3).fill('created'));
		expect(double.contacts.size).toBe(3);
	});

	it('never sends a create again after S-360 may have applied it (stored, then the connection dropped)', async () => {
		double.injectFault({ method: 'saveIndividualContactData', applyThenDrop: true });
		const [item] = await run([{ json: { lastName: 'Dropped', email: 'dropped@example.test' } }], { withoutContactNumber: 'create' }, { credentialData: own() });
		expect(item.json.details).toMatchObject({ mayHaveBeenApplied: true });
		expect(double.contactByEmail('dropped@example.test')).toHaveLength(1);
		expect(double.calls.filter((call) => call.method === 'saveIndividualContactData')).toHaveLength(1);
	});

	it('sends an update by contact number again after the connection dropped: applied twice it is the same contact', async () => {
		const existing = double.seed({ individualContact: { lastName: 'Before', email: 'upd@example.test' } });
		double.injectFault({ method: 'saveIndividualContactData', applyThenDrop: true });
		const [item] = await run([{ json: { contactNumber: existing.contactNumber, lastName: 'After' } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated', contactNumber: existing.contactNumber, attempts: 2 });
		expect(double.contacts.size).toBe(1);
	});
});

describe('S-360 Save Contact: When Older Than Target against S-360’s own modification time', () => {
	const older = '2026-12-05T10:00:00.000Z';
	const newer = '2026-12-05T10:00:05.000Z';
	const seedAt = (contactNumber: string, lastModificationDate: string) =>
		double.seed({ contactNumber, individualContact: { lastName: 'InS360', email: `${contactNumber}@example.test` }, lastModificationDate });
	const methods = () => double.calls.map((call) => call.method);

	it('skips a change older than an edit S-360 holds that n8n has not seen: one read, no save, both times in the item', async () => {
		seedAt('ord-1', newer);
		const [item] = await run([{ json: { contactNumber: 'ord-1', lastName: 'Older', changedAt: older } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'skipped', changedAt: older, targetChangedAt: newer });
		expect(methods()).toEqual(['getContactData']);
		expect(double.contacts.get('ord-1')!.individualContact.lastName).toBe('InS360');
	});

	it('saves a change newer than S-360’s modification time, after reading it', async () => {
		seedAt('ord-2', older);
		const [item] = await run([{ json: { contactNumber: 'ord-2', lastName: 'Newer', changedAt: newer } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated', contactNumber: 'ord-2' });
		expect(methods()).toEqual(['getContactData', 'saveIndividualContactData']);
		expect(double.contacts.get('ord-2')!.individualContact.lastName).toBe('Newer');
	});

	it('saves over a newer S-360 modification that is only the package’s own earlier write', async () => {
		seedAt('ord-3', '2026-12-05T08:00:00.000Z');
		await run([{ json: { contactNumber: 'ord-3', lastName: 'First', changedAt: '2026-12-05T09:00:00.000Z' } }], {}, { credentialData: own() });
		// S-360 now carries the time of that save, later than the next change, which is still newer than the first.
		const [item] = await run([{ json: { contactNumber: 'ord-3', lastName: 'Second', changedAt: '2026-12-05T09:05:00.000Z' } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated' });
		expect(double.contacts.get('ord-3')!.individualContact.lastName).toBe('Second');
	});

	it('skips when S-360 was edited after the package’s own write', async () => {
		seedAt('ord-4', '2026-12-05T08:00:00.000Z');
		await run([{ json: { contactNumber: 'ord-4', lastName: 'First', changedAt: '2026-12-05T09:00:00.000Z' } }], {}, { credentialData: own() });
		double.editInBackOffice('ord-4', { individualContact: { lastName: 'BackOffice' } });
		const [item] = await run([{ json: { contactNumber: 'ord-4', lastName: 'Second', changedAt: '2026-12-05T09:05:00.000Z' } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'skipped', changedAt: '2026-12-05T09:05:00.000Z' });
		expect(double.contacts.get('ord-4')!.individualContact.lastName).toBe('BackOffice');
	});

	it('finds a contact without a number by email once, reads it, then saves it', async () => {
		seedAt('ord-8', older);
		const [item] = await run([{ json: { email: 'ord-8@example.test', lastName: 'Found', changedAt: newer } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'updated', contactNumber: 'ord-8', matchedBy: 'email' });
		expect(methods()).toEqual(['searchContact', 'getContactData', 'saveIndividualContactData']);
	});

	it('saves nothing when S-360 already holds every value to save, and says unchanged', async () => {
		seedAt('ord-9', older);
		const [item] = await run([{ json: { contactNumber: 'ord-9', lastName: 'InS360', email: 'ORD-9@example.test ', changedAt: newer } }], {}, { credentialData: own() });
		expect(item.json).toMatchObject({ status: 'unchanged', contactNumber: 'ord-9', matchedBy: 'contactNumber' });
		expect(methods()).toEqual(['getContactData']);
	});

	it('fails the item with both times when When Older Than Target is Fail the Item', async () => {
		seedAt('ord-5', newer);
		const [item] = await run(
			[{ json: { contactNumber: 'ord-5', lastName: 'Older', changedAt: older } }],
			{ options: { whenOlderThanTarget: 'fail' } },
			{ credentialData: own() },
		);
		expect(String(item.json.error)).toMatch(/older than the record’s newest/);
		expect(item.json.details).toMatchObject({ changedAt: older, targetChangedAt: newer });
		expect(methods()).toEqual(['getContactData']);
	});

	it('reads nothing first with Write It Anyway, nor for an item without a change time', async () => {
		seedAt('ord-6', newer);
		await run([{ json: { contactNumber: 'ord-6', lastName: 'Anyway', changedAt: older } }], { options: { whenOlderThanTarget: 'write' } }, { credentialData: own() });
		await run([{ json: { contactNumber: 'ord-6', lastName: 'Timeless' } }], {}, { credentialData: own() });
		expect(methods()).toEqual(['saveIndividualContactData', 'saveIndividualContactData']);
		expect(double.contacts.get('ord-6')!.individualContact.lastName).toBe('Timeless');
	});

	it('does not remember a skipped save as written: S-360 reporting that value later is no echo', async () => {
		seedAt('ord-7', newer);
		await run([{ json: { contactNumber: 'ord-7', lastName: 'Older', changedAt: older } }], {}, { credentialData: own() });
		expect(echoLedger.isEcho(S360_SYSTEM, ['id:ord-7'], { lastName: 'Older' })).toBe(false);
	});
});

describe('S-360 Save Contact: the echo guard across n8n processes (queue mode)', () => {
	const store = new MemoryDeduplicator();
	beforeAll(async () => await DataDeduplicationService.init(store));
	const methods = () => double.calls.map((call) => call.method);
	/** A change as a trigger in the queue-mode webhook process hands it on. */
	const fromWebhookProcess = (json: Record<string, unknown>, state?: string): INodeExecutionData => ({ json: { ...json, echoCheck: { checkedIn: 'webhook-process', ...(state ? { state } : {}) } } });
	/** The state S-360's firehose pushes for a contact, as the S-360 Firehose Trigger fingerprints it. */
	const pushedState = (contactNumber: string) =>
		stateFingerprint(S360_SYSTEM, contactNumber, comparableContact(normalizeContact(double.contactData(contactNumber) as unknown as IDataObject, { timeZone: 'UTC' })));

	it('records the state its save leaves, so that S-360 pushing that contact back starts no write: no call at all', async () => {
		double.seed({ contactNumber: 'q-1', individualContact: { firstName: 'Ada', lastName: 'InS360', email: 'q-1@example.test' }, lastModificationDate: '2026-12-05T10:00:00.000Z' });
		const [saved] = await run([fromWebhookProcess({ contactNumber: 'q-1', lastName: 'FromZoho', changedAt: '2026-12-05T10:00:05.000Z' })], {}, { credentialData: own() });
		expect(saved.json).toMatchObject({ status: 'updated' });
		const callsAfterSave = methods().length;

		const [echo] = await run([fromWebhookProcess({ contactNumber: 'q-1', lastName: 'FromZoho', changedAt: '2026-12-05T10:00:06.000Z' }, pushedState('q-1'))], {}, { credentialData: own() });
		expect(echo.json).toMatchObject({ status: 'echo' });
		expect(methods().length).toBe(callsAfterSave);
	});

	it('records the state of a contact it created', async () => {
		const [created] = await run([fromWebhookProcess({ firstName: 'New', lastName: 'Contact', email: 'q-created@example.test' })], { withoutContactNumber: 'create' }, { credentialData: own() });
		expect(created.json).toMatchObject({ status: 'created' });
		const contactNumber = String(created.json.contactNumber);
		const [echo] = await run([fromWebhookProcess({ contactNumber, lastName: 'Contact' }, pushedState(contactNumber))], {}, { credentialData: own() });
		expect(echo.json).toMatchObject({ status: 'echo' });
	});

	it('takes an edit made in S-360 after its save for a genuine change', async () => {
		double.seed({ contactNumber: 'q-2', individualContact: { lastName: 'InS360', email: 'q-2@example.test' }, lastModificationDate: '2026-12-05T10:00:00.000Z' });
		await run([fromWebhookProcess({ contactNumber: 'q-2', lastName: 'FromZoho', changedAt: '2026-12-05T10:00:05.000Z' })], {}, { credentialData: own() });
		double.editInBackOffice('q-2', { individualContact: { firstName: 'Edited' } });
		const [item] = await run([fromWebhookProcess({ contactNumber: 'q-2', lastName: 'FromZoho', firstName: 'Edited' }, pushedState('q-2'))], {}, { credentialData: own() });
		expect(item.json.status).not.toBe('echo');
	});
});

describe('S-360 Contact API credential test', () => {
	const testContext = new CredentialTestContext({} as IWorkflowExecuteAdditionalData) as unknown as ICredentialTestFunctions;
	const test = async (data: Record<string, unknown> = {}) =>
		await nodeType.methods.credentialTest.s360ContactApiTest.call(testContext, {
			id: 'test',
			name: 'S-360',
			type: 's360ContactApi',
			data: credentials({ ...own(), ...data }).s360ContactApi,
		});

	it('accepts a secret and claims S-360 accepts, with a read that changes nothing', async () => {
		expect(await test()).toEqual({ status: 'OK', message: expect.stringMatching(/accepted the JWT for institution MOSA\d+/) });
		expect(double.calls.map((call) => call.method)).toEqual(['getContactData']);
		expect(double.contacts.size).toBe(0);
	});

	it('says the secret or a claim is wrong on a 401, without the secret', async () => {
		const result = await test({ secret: 'not-the-secret-81a2' });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/refused the JWT.*shared secret/) });
		expect(result.message).not.toContain('not-the-secret-81a2');
	});

	it('says the institution is wrong when S-360 refuses the token’s institution', async () => {
		expect(await test({ institution: 'OTHER' })).toEqual({ status: 'Error', message: expect.stringMatching(/Institution Code/) });
	});

	it('says the institution is wrong when the host belongs to another institution, before any call', async () => {
		const result = await test({ baseUrl: 'https://mosa.demo-ws.secutix.com', institution: 'CUBE' });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/Wrong institution: .*"mosa".*"CUBE"/) });
	});

	it('says the host is unreachable when nothing answers', async () => {
		expect(await test({ baseUrl: 'http://127.0.0.1:9' })).toEqual({ status: 'Error', message: expect.stringMatching(/unreachable/) });
	});
});
