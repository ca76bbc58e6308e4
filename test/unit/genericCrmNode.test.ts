/**
 * Generic CRM Webhook run in-process on n8n's own ExecuteContext (test/unit/fakes/n8nContext.ts)
 * against the CRM doubles on loopback, so every credential here allows private targets and
 * plain HTTP; the refusals themselves are specified with those options off.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CrmWebhookApi } from '../../credentials/CrmWebhookApi.credentials';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { GenericCrmWebhook } from '../../nodes/GenericCrmWebhook/GenericCrmWebhook.node';
import { endpointOf } from '../../nodes/GenericCrmWebhook/endpoint';
import { PRESETS } from '../../nodes/GenericCrmWebhook/presets';
import { CrmDoubles } from '../doubles/crmDoubles';
import { OtherHost } from '../doubles/otherHost';
import { InMemoryCredentialsHelper, runNode } from './fakes/n8nContext';

const HUBSPOT_TOKEN = 'pat-na1-unit-7c1e9a4b-secret';
const PIPEDRIVE_TOKEN = 'pd-unit-token-5b6c7d8e9f';
const CUSTOM_TOKEN = 'custom-bearer-3f2e1d0c9b8a';
const ORG_ID = '00D5g000004UNIT';
const LOOPBACK = { allowPrivateNetwork: true, allowPlainHttp: true };

const nodeType = new GenericCrmWebhook();
const CREDENTIAL_TYPES = { crmWebhookApi: new CrmWebhookApi() };
let doubles: CrmDoubles;

beforeAll(async () => {
	doubles = new CrmDoubles({ hubspotToken: HUBSPOT_TOKEN, pipedriveToken: PIPEDRIVE_TOKEN, salesforceOrgId: ORG_ID });
	await doubles.start();
});
afterAll(async () => await doubles.stop());

function lead(i: number, extra: IDataObject = {}): INodeExecutionData {
	return { json: { name: `Lead Person${i}`, email: `lead${i}@example.com`, phone: '+1-555-0123', company: 'Acme Inc', ...extra } };
}

/** Runs the node; On Error is Continue (using regular output) unless a spec says otherwise, so failed leads reach Failed. */
async function run(
	credential: ICredentialDataDecryptedObject,
	items: INodeExecutionData[],
	parameters: INodeParameters = {},
	onError: INode['onError'] = 'continueRegularOutput',
): Promise<{ synced: IDataObject[]; failed: IDataObject[]; output: INodeExecutionData[][] }> {
	const credentialsHelper = new InMemoryCredentialsHelper({ crmWebhookApi: credential }, CREDENTIAL_TYPES);
	const output = await runNode({ nodeType, parameters, credentialsHelper, items, onError });
	return { synced: output[0].map((item) => item.json), failed: output[1].map((item) => item.json), output };
}

/** What the node says happened to a lead: the one key it adds to the lead's fields. */
function sync(item: IDataObject): IDataObject {
	return item.crmSync as IDataObject;
}

function custom(extra: IDataObject = {}): ICredentialDataDecryptedObject {
	return { preset: 'custom', url: doubles.customUrl(), authentication: 'bearer', token: CUSTOM_TOKEN, ...LOOPBACK, ...extra };
}

describe('Custom endpoint', () => {
	it('sends the mapped fields, static values and custom headers, and reports the lead synced with the CRM id', async () => {
		const before = doubles.requestsTo('/custom/').length;
		const { synced, failed } = await run(custom(), [lead(1)], {
			staticValues: { value: [{ name: 'lead_source', value: 'Chatbot' }] },
			headers: { header: [{ name: 'X-Source', value: 'BuildMyChatbot' }, { name: 'User-Agent', value: 'BuildMyChatbot/1.0' }] },
		});
		expect(failed).toEqual([]);
		const request = doubles.requestsTo('/custom/').slice(before)[0];
		expect(request.fields).toEqual({
			email: 'lead1@example.com',
			first_name: 'Lead',
			last_name: 'Person1',
			phone: '+1-555-0123',
			company: 'Acme Inc',
			lead_source: 'Chatbot',
		});
		expect(request.headers['x-source']).toBe('BuildMyChatbot');
		expect(request.headers['user-agent']).toBe('BuildMyChatbot/1.0');
		expect(request.headers.authorization).toBe(`Bearer ${CUSTOM_TOKEN}`);
		expect(synced[0]).toMatchObject({ email: 'lead1@example.com', crmSync: { status: 'synced', attempts: 1, httpStatus: 201 } });
		expect(String(sync(synced[0]).crmId)).toMatch(/^lead-\d+$/);
	});

	it('redacts the token the endpoint echoes back in the answer excerpt', async () => {
		const { synced } = await run(custom(), [lead(2)]);
		expect(String(sync(synced[0]).crmResponse)).toContain('"authorization":"Bearer [redacted]"');
		expect(JSON.stringify(synced)).not.toContain(CUSTOM_TOKEN);
	});

	it.each([
		['form', 'application/x-www-form-urlencoded'],
		['multipart', 'multipart/form-data'],
	])('sends a %s body that the endpoint parses into the same fields', async (bodyType, contentType) => {
		const before = doubles.requestsTo('/custom/').length;
		const { synced } = await run(custom({ bodyType, method: 'PUT' }), [lead(3)]);
		const request = doubles.requestsTo('/custom/').slice(before)[0];
		expect(request.method).toBe('PUT');
		expect(request.headers['content-type']).toContain(contentType);
		expect(request.fields).toMatchObject({ email: 'lead3@example.com', first_name: 'Lead', company: 'Acme Inc' });
		expect(sync(synced[0]).status).toBe('synced');
	});

	it('lets a Content-Type header of the user override the preset’s', async () => {
		const before = doubles.requestsTo('/custom/').length;
		await run(custom(), [lead(4)], { headers: { header: [{ name: 'Content-Type', value: 'application/json; charset=utf-8' }] } });
		expect(doubles.requestsTo('/custom/').slice(before)[0].headers['content-type']).toBe('application/json; charset=utf-8');
	});

	it('fails a lead whose answer does not hold the success value, on the Failed output with its input fields', async () => {
		doubles.scriptCustom('check@example.com', { kind: 'answer', status: 200, body: { result: { state: 'rejected' } } });
		const { synced, failed } = await run(custom({ successPath: 'result.state', successValue: 'accepted' }), [
			lead(5),
			lead(6, { email: 'check@example.com' }),
		]);
		expect(synced).toHaveLength(0); // lead5's answer has no result.state either
		expect(failed).toHaveLength(2);
		const checked = failed.find((item) => item.email === 'check@example.com')!;
		expect(checked.crmSync).toMatchObject({ status: 'failed', httpStatus: 200, code: 'SUCCESS_CHECK_FAILED', sent: true, mayHaveBeenApplied: false });
		expect(String(sync(checked).error)).toContain('"rejected"');
	});

	it('does not resend a create that got a 5xx, and says it may have been applied', async () => {
		doubles.scriptCustom('once@example.com', { kind: 'fail', times: 1, status: 503, headers: { 'retry-after': '0' } });
		const { failed } = await run(custom(), [lead(7, { email: 'once@example.com' })]);
		expect(doubles.customAttemptsFor('once@example.com')).toBe(1);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 503, sent: true, mayHaveBeenApplied: true });
	});

	it('resends to an endpoint marked idempotent, honouring Retry-After', async () => {
		doubles.scriptCustom('twice@example.com', { kind: 'fail', times: 2, status: 503, headers: { 'retry-after': '0' } });
		const { synced } = await run(custom({ idempotent: true }), [lead(8, { email: 'twice@example.com' })]);
		expect(doubles.customAttemptsFor('twice@example.com')).toBe(3);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', attempts: 3 });
	});

	it('gives up on an endpoint that does not answer within the timeout, without resending the create', async () => {
		doubles.scriptCustom('hang@example.com', { kind: 'hang' });
		const { failed } = await run(custom(), [lead(9, { email: 'hang@example.com' })], { options: { timeoutSeconds: 1 } });
		expect(doubles.customAttemptsFor('hang@example.com')).toBe(1);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', mayHaveBeenApplied: true });
	});

	it('follows a redirect on the same host, checking it first', async () => {
		doubles.scriptCustom('moved@example.com', { kind: 'redirect', status: 307, location: '/custom/leads-v2', times: 1 });
		const before = doubles.requestsTo('/custom/').length;
		const { synced } = await run(custom(), [lead(10, { email: 'moved@example.com' })]);
		const requests = doubles.requestsTo('/custom/').slice(before);
		expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /custom/leads', 'POST /custom/leads-v2']);
		expect(requests[1].headers.authorization).toBe(`Bearer ${CUSTOM_TOKEN}`);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', attempts: 2 });
	});

	it('stops after 5 redirects, saying the lead may have been applied', async () => {
		doubles.scriptCustom('loop@example.com', { kind: 'redirect', status: 307, location: '/custom/leads' });
		const { failed } = await run(custom(), [lead(13, { email: 'loop@example.com' })]);
		expect(doubles.customAttemptsFor('loop@example.com')).toBe(6);
		expect(String(sync(failed[0]).error)).toContain('more than 5 times');
		expect(sync(failed[0])).toMatchObject({ attempts: 6, mayHaveBeenApplied: true });
	});

	it.each([
		['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/iam/'],
		['the AWS IPv6 metadata address', 'http://[fd00:ec2::254]/latest/meta-data/'],
		['a file URL', 'file:///etc/passwd'],
	])('refuses a redirect to %s, even with private targets allowed', async (_case, location) => {
		const email = `redirect-${doubles.requests.length}@example.com`;
		doubles.scriptCustom(email, { kind: 'redirect', status: 307, location });
		const { failed } = await run(custom(), [lead(11, { email })]);
		expect(doubles.customAttemptsFor(email)).toBe(1);
		expect(String(sync(failed[0]).error)).toContain('redirected to a refused target');
	});

	it('refuses a redirect to another host, so the credential never follows the lead', async () => {
		const email = 'elsewhere@example.com';
		doubles.scriptCustom(email, { kind: 'redirect', status: 308, location: 'http://127.0.0.2:9/collect' });
		const { failed } = await run(custom(), [lead(12, { email })]);
		expect(String(sync(failed[0]).error)).toContain('credentials are never sent to another host');
	});

	it('fails a lead without any usable field before any call, naming the problem', async () => {
		const before = doubles.requests.length;
		const { failed } = await run(custom(), [{ json: { email: 'not an email' } }]);
		expect(doubles.requests.length).toBe(before);
		expect(String(sync(failed[0]).error)).toContain('email');
		expect(sync(failed[0])).toMatchObject({ attempts: 0, sent: false, mayHaveBeenApplied: false });
	});
});

describe('the network guard in the node', () => {
	it.each([
		['a private address', { url: 'https://10.0.0.1/leads' }],
		['loopback', { url: 'https://127.0.0.1:1/leads' }],
		['the metadata address', { url: 'https://169.254.169.254/latest/meta-data/' }],
		['an IPv4-mapped IPv6 loopback', { url: 'https://[::ffff:127.0.0.1]/' }],
		['localhost by name', { url: 'https://localhost/leads' }],
		['metadata.google.internal', { url: 'https://metadata.google.internal/computeMetadata/v1/' }],
	])('refuses %s by default, sending nothing', async (_case, credential) => {
		const before = doubles.requests.length;
		const { synced, failed } = await run({ preset: 'custom', authentication: 'none', ...credential }, [lead(20), lead(21)]);
		expect(doubles.requests.length).toBe(before);
		expect(synced).toEqual([]);
		expect(failed).toHaveLength(2);
		expect(String(sync(failed[0]).error)).toMatch(/^Refused to send to https:\/\//);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', attempts: 0, sent: false, mayHaveBeenApplied: false });
	});

	it('refuses plain http:// to the double unless Allow Plain HTTP is on', async () => {
		const before = doubles.requests.length;
		const { failed } = await run({ preset: 'custom', url: doubles.customUrl(), authentication: 'none', allowPrivateNetwork: true }, [lead(22)]);
		expect(doubles.requests.length).toBe(before);
		expect(String(sync(failed[0]).error)).toContain('plain http://');
	});

	it('refuses the loopback double unless Allow Private Network Targets is on', async () => {
		const before = doubles.requests.length;
		const { failed } = await run({ preset: 'custom', url: doubles.customUrl(), authentication: 'none', allowPlainHttp: true }, [lead(23)]);
		expect(doubles.requests.length).toBe(before);
		expect(String(sync(failed[0]).error)).toContain('loopback');
	});
});

describe('HubSpot', () => {
	const hubspot = (extra: IDataObject = {}) => ({
		preset: 'hubspot',
		url: doubles.hubspotUrl(),
		authentication: 'bearer',
		token: HUBSPOT_TOKEN,
		...LOOPBACK,
		...extra,
	});

	it('upserts 150 leads in 2 calls of at most 100, matching each answer to its lead by email', async () => {
		const before = doubles.requestsTo('/hubspot/').length;
		doubles.hubspotContacts.set('hs3@example.com', { id: '777', properties: { email: 'hs3@example.com' } });
		const items = Array.from({ length: 150 }, (_, i) => ({ json: { email: `HS${i}@Example.com`, first_name: `F${i}`, last_name: `L${i}` } }));
		const { synced, failed } = await run(hubspot(), items);
		const calls = doubles.requestsTo('/hubspot/').slice(before);
		expect(calls.map((call) => ((call.fields.inputs as unknown[]) ?? []).length)).toEqual([100, 50]);
		expect(failed).toEqual([]);
		expect(synced).toHaveLength(items.length);
		synced.forEach((item, i) => expect(sync(item).crmId).toBe(doubles.hubspotContacts.get(`hs${i}@example.com`)!.id));
		expect(sync(synced[3])).toMatchObject({ crmId: '777', crmAction: 'updated' });
		expect(sync(synced[4]).crmAction).toBe('created');
		expect((calls[0].fields.inputs as IDataObject[])[0]).toEqual({
			id: 'hs0@example.com',
			idProperty: 'email',
			properties: { email: 'hs0@example.com', firstname: 'F0', lastname: 'L0' },
		});
	});

	it('retries the keyed upsert after a 429 with HubSpot’s rate-limit answer', async () => {
		doubles.rateLimitHubspot(1);
		const { synced } = await run(hubspot(), [{ json: { email: 'ratelimited@example.com' } }]);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', attempts: 2 });
	});

	it('reports a create of an existing email as failed “already exists” with the existing id', async () => {
		doubles.hubspotContacts.set('exists@example.com', { id: '4242', properties: { email: 'exists@example.com' } });
		const { failed } = await run(hubspot({ hubspotOperation: 'create' }), [{ json: { email: 'exists@example.com' } }]);
		expect(sync(failed[0])).toMatchObject({
			status: 'failed',
			httpStatus: 409,
			code: 'CONFLICT',
			mayHaveBeenApplied: false,
			details: { alreadyExists: true, existingId: '4242' },
		});
		expect(String(sync(failed[0]).error)).toContain('already exists');
	});

	it('fails every lead of a call HubSpot refuses for its token, without the token in the error', async () => {
		const { failed } = await run(hubspot({ token: 'pat-na1-wrong-token-value' }), [{ json: { email: 'a@example.com' } }, { json: { email: 'b@example.com' } }]);
		expect(failed).toHaveLength(2);
		expect(sync(failed[0])).toMatchObject({ httpStatus: 401, attempts: 1 });
		expect(JSON.stringify(failed)).not.toContain('pat-na1-wrong-token-value');
	});
});

describe('Pipedrive', () => {
	const pipedrive = (extra: IDataObject = {}) => ({
		preset: 'pipedrive',
		url: doubles.pipedriveUrl(),
		authentication: 'queryKey',
		queryName: 'api_token',
		apiKey: PIPEDRIVE_TOKEN,
		...LOOPBACK,
		...extra,
	});

	it('creates a person named from first and last name, with the api_token query parameter', async () => {
		const before = doubles.requestsTo('/pipedrive/').length;
		const { synced } = await run(pipedrive(), [{ json: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' } }]);
		const request = doubles.requestsTo('/pipedrive/').slice(before)[0];
		expect(request.query.api_token).toBe(PIPEDRIVE_TOKEN);
		expect(request.fields).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 201 });
		expect(sync(synced[0]).crmId).toBe(String(doubles.pipedrivePersons.at(-1)!.id));
	});

	it('authenticates with the x-api-token header', async () => {
		const { synced } = await run(pipedrive({ authentication: 'headerKey', headerName: 'x-api-token' }), [lead(30)]);
		expect(sync(synced[0]).status).toBe('synced');
	});

	it('treats success:false inside a 200 as a failure', async () => {
		doubles.failPipedriveEnvelope(1);
		const { failed } = await run(pipedrive(), [lead(31)]);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', httpStatus: 200 });
		expect(String(sync(failed[0]).error)).toContain('success:false');
	});

	it('reports Pipedrive’s 401 with its message and never the token', async () => {
		const { failed } = await run(pipedrive({ apiKey: 'pd-wrong-token-123456' }), [lead(32)]);
		expect(String(sync(failed[0]).error)).toContain('unauthorized access');
		expect(JSON.stringify(failed)).not.toContain('pd-wrong-token-123456');
	});

	it('retries after Pipedrive’s 429, which is refused before it is processed', async () => {
		doubles.rateLimitPipedrive(1);
		const { synced } = await run(pipedrive(), [lead(33)]);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', attempts: 2 });
	});
});

describe('Salesforce Web-to-Lead', () => {
	const salesforce = (extra: IDataObject = {}) => ({
		preset: 'salesforceWebToLead',
		url: doubles.salesforceUrl(),
		salesforceOrgId: ORG_ID,
		authentication: 'none',
		...LOOPBACK,
		...extra,
	});

	it('posts the form with oid and Salesforce’s field names; synced but not confirmed', async () => {
		const before = doubles.salesforceLeads.length;
		const { synced } = await run(salesforce(), [lead(40)], { staticValues: { value: [{ name: 'lead_source', value: 'Chatbot' }] } });
		expect(doubles.salesforceLeads.slice(before)).toEqual([
			{ oid: ORG_ID, email: 'lead40@example.com', first_name: 'Lead', last_name: 'Person40', phone: '+1-555-0123', company: 'Acme Inc', lead_source: 'Chatbot' },
		]);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 200, crmConfirmed: false, crmId: null });
	});

	it('refuses to run without the org id, which Web-to-Lead needs', async () => {
		const error = await run(salesforce({ salesforceOrgId: '' }), [lead(41)]).catch((e: unknown) => e as Error);
		expect(String((error as Error).message)).toContain('oid');
	});
});

describe('Zapier catch hook', () => {
	it('posts JSON and reads Zapier’s status:"success"', async () => {
		const before = doubles.zapierEvents.length;
		const { synced } = await run({ preset: 'zapier', url: doubles.zapierUrl(), authentication: 'none', ...LOOPBACK }, [lead(50)]);
		expect(doubles.zapierEvents.slice(before)).toEqual([
			{ email: 'lead50@example.com', first_name: 'Lead', last_name: 'Person50', phone: '+1-555-0123', company: 'Acme Inc' },
		]);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 200 });
	});
});

describe('Send Test Lead', () => {
	it('sends "Test Contact" with a test address and a timestamp as company, and reports the answer', async () => {
		const before = doubles.requestsTo('/custom/').length;
		const { synced, output } = await run(custom(), [{ json: {} }], { operation: 'sendTestLead' });
		const request = doubles.requestsTo('/custom/').slice(before)[0];
		expect(request.fields).toMatchObject({ first_name: 'Test', last_name: 'Contact', email: 'test@example.com' });
		expect(String(request.fields.company)).toMatch(/^Test lead \d{4}-\d\d-\d\dT/);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 201 });
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(JSON.stringify(output)).not.toContain(CUSTOM_TOKEN);
	});
});

describe('the lead goes out as mapped, and comes out with its own fields (issue 19)', () => {
	const sentSince = (before: number) =>
		doubles
			.requestsTo('/custom/')
			.slice(before)
			.map((request) => request.fields)
			.sort((a, b) => String(a.email ?? a.Email).localeCompare(String(b.email ?? b.Email)));

	it('sends explicit fields and static values under the names typed: firstName, Email and leadSource are not respelled', async () => {
		const before = doubles.requestsTo('/custom/').length;
		const { failed } = await run(custom(), [{ json: { who: 'Ada', address: 'ada@example.com' } }], {
			autoMap: false,
			fields: { field: [{ name: 'firstName', value: '={{ $json.who }}' }, { name: 'Email', value: '={{ $json.address }}' }] },
			staticValues: { value: [{ name: 'leadSource', value: 'Chatbot' }] },
		});
		expect(failed).toEqual([]);
		expect(sentSince(before)).toEqual([{ firstName: 'Ada', Email: 'ada@example.com', leadSource: 'Chatbot' }]);
	});

	it('with auto-mapping on, a field typed as Email takes the place of the auto-mapped email instead of doubling it', async () => {
		const before = doubles.requestsTo('/custom/').length;
		await run(custom(), [lead(70)], { fields: { field: [{ name: 'Email', value: 'typed70@example.com' }] } });
		expect(sentSince(before)).toEqual([
			{ Email: 'typed70@example.com', first_name: 'Lead', last_name: 'Person70', phone: '+1-555-0123', company: 'Acme Inc' },
		]);
	});

	it('evaluates static values and custom headers for each lead, not once for the first', async () => {
		const before = doubles.requestsTo('/custom/').length;
		const { failed } = await run(custom(), [lead(71, { campaign: 'spring' }), lead(72, { campaign: 'autumn' })], {
			staticValues: { value: [{ name: 'campaign_code', value: '={{ $json.campaign }}' }] },
			headers: { header: [{ name: 'X-Campaign', value: '={{ $json.campaign }}' }] },
		});
		expect(failed).toEqual([]);
		const requests = doubles.requestsTo('/custom/').slice(before);
		const seen = requests.map((request) => [request.fields.email, request.fields.campaign_code, request.headers['x-campaign']]);
		expect(seen.sort()).toEqual([
			['lead71@example.com', 'spring', 'spring'],
			['lead72@example.com', 'autumn', 'autumn'],
		]);
	});

	it('redacts each lead’s own credential-like header value from what the CRM echoed', async () => {
		const keys = ['k-first-lead-1111aaaa', 'k-second-lead-2222bbbb'];
		const { synced } = await run(custom(), [lead(73, { key: keys[0] }), lead(74, { key: keys[1] })], {
			headers: { header: [{ name: 'X-Api-Key', value: '={{ $json.key }}' }] },
		});
		const excerpts = synced.map((item) => String(sync(item).crmResponse));
		expect(excerpts).toHaveLength(2);
		for (const excerpt of excerpts) for (const key of keys) expect(excerpt).not.toContain(key);
	});

	it('keeps a failed lead’s own fields untouched on the Failed output, its outcome under crmSync alone', async () => {
		doubles.scriptCustom('callme@example.com', { kind: 'answer', status: 422, body: { error: 'invalid_phone', message: 'phone is invalid' } });
		const input = { name: 'Call Me', email: 'callme@example.com', message: 'Please call me after 5pm', error: 'none', details: { page: '/pricing' }, attempts: 2 };
		const { synced, failed } = await run(custom(), [{ json: input }]);
		expect(synced).toEqual([]);
		expect(failed).toEqual([
			{ ...input, crmSync: expect.objectContaining({ status: 'failed', httpStatus: 422, attempts: 1, sent: true, mayHaveBeenApplied: false }) },
		]);
		expect(String(sync(failed[0]).error)).toContain('phone is invalid');
	});

	it('keeps a synced lead’s own fields untouched too, its outcome under crmSync', async () => {
		const input = { name: 'Synced Lead', email: 'synced75@example.com', message: 'Hello', crmId: 'the lead’s own id' };
		const { synced } = await run(custom(), [{ json: input }]);
		expect(synced).toEqual([{ ...input, crmSync: expect.objectContaining({ status: 'synced', httpStatus: 201, attempts: 1 }) }]);
		expect(String(sync(synced[0]).crmId)).toMatch(/^lead-\d+$/);
	});

	it('sends a lead fed back from the Failed output with its own fields, message included, and replaces its crmSync', async () => {
		doubles.scriptCustom('again@example.com', { kind: 'fail', times: 1, status: 422, body: { message: 'try later' } });
		const input = { name: 'Again Lead', email: 'again@example.com', message: 'Please call me…' };
		const { failed } = await run(custom(), [{ json: input }]);
		const before = doubles.requestsTo('/custom/').length;
		const { synced } = await run(custom(), [{ json: failed[0] }], { staticValues: { value: [{ name: 'note', value: '={{ $json.message }}' }] } });
		expect(sentSince(before)).toEqual([{ email: 'again@example.com', first_name: 'Again', last_name: 'Lead', note: 'Please call me…' }]);
		expect(synced).toEqual([{ ...input, crmSync: expect.objectContaining({ status: 'synced' }) }]);
	});

	it('invents no last name for a name-only lead, nor for one whose name repeats its first name', async () => {
		const before = doubles.requestsTo('/custom/').length;
		await run(custom(), [{ json: { name: 'Cher', email: 'cher@example.com' } }, { json: { first_name: 'John', name: 'John', email: 'john@example.com' } }]);
		expect(sentSince(before)).toEqual([{ email: 'cher@example.com' }, { email: 'john@example.com', first_name: 'John' }]);
	});
});

describe('On Error (issue 19)', () => {
	async function failureOf(promise: Promise<unknown>): Promise<NodeApiError | NodeOperationError> {
		const error = await promise.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error instanceof NodeApiError || error instanceof NodeOperationError).toBe(true);
		return error as NodeApiError | NodeOperationError;
	}

	it('with Stop Workflow, a lead the CRM refuses fails the run with its item index, the others having been sent', async () => {
		doubles.scriptCustom('refused-stop@example.com', { kind: 'answer', status: 422, body: { message: 'phone is invalid' } });
		const error = await failureOf(run(custom(), [lead(80), lead(81, { email: 'refused-stop@example.com' }), lead(82)], {}, 'stopWorkflow'));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.context.itemIndex).toBe(1);
		expect(error.message).toContain('phone is invalid');
		expect(error.description).toContain('2 of 3 items were written to the CRM endpoint; 1 failed.');
		expect(doubles.customLeadsFor('lead80@example.com')).toHaveLength(1);
		expect(doubles.customLeadsFor('lead82@example.com')).toHaveLength(1);
	});

	it('with Stop Workflow, a lead that cannot be mapped fails the run before any lead is sent', async () => {
		const before = doubles.requests.length;
		const error = await failureOf(run(custom(), [lead(83), { json: { email: 'not an email' } }], {}, 'stopWorkflow'));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain('Nothing was sent to the CRM endpoint');
		expect(doubles.requests.length).toBe(before);
	});

	it('with Continue (using error output), a failed lead is only its cause (message, status, attempts), which n8n moves to the Error output and completes with the lead’s fields', async () => {
		doubles.scriptCustom('error-output@example.com', { kind: 'answer', status: 422, body: { message: 'phone is invalid' } });
		const { output } = await run(custom(), [lead(84), lead(85, { email: 'error-output@example.com' })], {}, 'continueErrorOutput');
		const failed = output.flat().filter((item) => item.json.crmSync === undefined);
		expect(failed).toHaveLength(1);
		expect(failed[0].error).toBeUndefined();
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(Object.keys(failed[0].json).every((key) => ['error', 'message', 'details'].includes(key))).toBe(true);
		expect(failed[0].json.error).toMatch(/422: phone is invalid/);
		// n8n merges the lead into it: a `message` here would overwrite the lead's own.
		expect(failed[0].json).not.toHaveProperty('message');
		expect(output.flat().filter((item) => item.json.crmSync !== undefined).map((item) => item.json.email)).toEqual([lead(84).json.email]);
	});
});

describe('HubSpot batches (issue 19)', () => {
	const hubspot = () => ({ preset: 'hubspot', url: doubles.hubspotUrl(), authentication: 'bearer', token: HUBSPOT_TOKEN, ...LOOPBACK });

	it('sends one input per email: two leads with one email merge in order, later fields winning, and both get the outcome', async () => {
		const items = [
			{ json: { email: 'Dup@Example.com', first_name: 'Early', title: 'CTO' } },
			...Array.from({ length: 98 }, (_, i) => ({ json: { email: `batch${i}@example.com` } })),
			{ json: { email: 'dup@example.com', first_name: 'Late', company: 'Acme' } },
		];
		const before = doubles.requestsTo('/hubspot/').length;
		const { synced, failed } = await run(hubspot(), items);
		expect(failed).toEqual([]);
		const calls = doubles.requestsTo('/hubspot/').slice(before);
		expect(calls).toHaveLength(1);
		const inputs = calls[0].fields.inputs as IDataObject[];
		expect(inputs).toHaveLength(99);
		expect(inputs.filter((input) => input.id === 'dup@example.com')).toEqual([
			{ id: 'dup@example.com', idProperty: 'email', properties: { email: 'dup@example.com', firstname: 'Late', jobtitle: 'CTO', company: 'Acme' } },
		]);
		expect(synced).toHaveLength(100);
		const id = doubles.hubspotContacts.get('dup@example.com')!.id;
		expect([sync(synced[0]).crmId, sync(synced[99]).crmId]).toEqual([id, id]);
		expect(synced[99]).toMatchObject({ first_name: 'Late', crmSync: { status: 'synced' } });
	});

	it('creates each lead with a call of its own, as a create takes one contact, dropping none', async () => {
		const before = doubles.requestsTo('/hubspot/crm/v3/objects/contacts').length;
		const emails = ['create1@example.com', 'create2@example.com', 'create3@example.com'];
		const { synced, failed } = await run({ ...hubspot(), hubspotOperation: 'create' }, emails.map((email) => ({ json: { email } })));
		expect(failed).toEqual([]);
		expect(doubles.requestsTo('/hubspot/crm/v3/objects/contacts').length - before).toBe(3);
		expect(synced.map((item) => sync(item).crmId)).toEqual(emails.map((email) => doubles.hubspotContacts.get(email)!.id));
	});

	it.each([
		['the legacy v1 contact URL of old guides', 'https://api.hubapi.com/contacts/v1/contact/', 'https://api.hubapi.com'],
		['the API root', 'https://api.hubapi.com', 'https://api.hubapi.com'],
		['a v3 URL', 'https://api.hubapi.com/crm/v3/objects/contacts', 'https://api.hubapi.com'],
		['the legacy URL of the EU data centre', 'https://api-eu1.hubapi.com/contacts/v1/contact', 'https://api-eu1.hubapi.com'],
		['a proxy of the API', 'https://proxy.example.com/hubspot/crm/v3/objects/contacts', 'https://proxy.example.com/hubspot'],
	])('reads %s as HubSpot’s API base, not a prefix of the v3 path', (_case, url, base) => {
		const found = endpointOf({ preset: 'hubspot', url });
		if ('problem' in found) throw new Error(found.problem);
		expect(PRESETS.hubspot.buildRequest([{ email: 'a@example.com' }], found.endpoint.settings).url).toBe(`${base}/crm/v3/objects/contacts/batch/upsert`);
	});
});

describe('redirects never duplicate a lead (custom endpoint)', () => {
	const otherHost = new OtherHost();
	beforeAll(async () => await otherHost.start());
	afterAll(async () => await otherHost.stop());

	const postsFor = (email: string) => doubles.requestsTo('/custom/').filter((request) => request.fields.email === email);

	it('takes a 303 See Other to a POST as "created, see there": one POST, synced with the Location without its query', async () => {
		const email = 'prg303@example.com';
		doubles.scriptCustom(email, { kind: 'postRedirectGet', status: 303, location: '/custom/leads/{id}?session=prg-secret-query', times: 1 });
		const { synced, failed } = await run(custom(), [lead(60, { email })]);
		expect(failed).toEqual([]);
		expect(doubles.customLeadsFor(email)).toHaveLength(1);
		expect(postsFor(email)).toHaveLength(1);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 303, attempts: 1 });
		expect(String(sync(synced[0]).crmResponse)).toMatch(/"location":"http:\/\/127\.0\.0\.1:\d+\/custom\/leads\/lead-\d+"/);
		expect(JSON.stringify(synced)).not.toContain('prg-secret-query');
	});

	it.each([301, 302])('fails a lead answered %i to its POST as may have been applied, and never POSTs it again', async (status) => {
		const email = `prg${status}@example.com`;
		doubles.scriptCustom(email, { kind: 'postRedirectGet', status, location: '/custom/leads?created={id}', times: 1 });
		const { synced, failed } = await run(custom(), [lead(61, { email })]);
		expect(synced).toEqual([]);
		expect(doubles.customLeadsFor(email)).toHaveLength(1);
		expect(postsFor(email)).toHaveLength(1);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', httpStatus: status, attempts: 1, sent: true, mayHaveBeenApplied: true });
		expect(String(sync(failed[0]).error)).toMatch(
			new RegExp(`^the CRM endpoint answered ${status}: a redirect to http://127\\.0\\.0\\.1:\\d+/custom/leads, not followed: a POST is never repeated after a ${status}; it may have been applied`),
		);
		expect(String(sync(failed[0]).description)).not.toContain('Nothing was sent');
	});

	it('says a lead redirected to another host may have been applied, with the attempts made, and sends nothing there', async () => {
		const email = 'moved-away@example.com';
		doubles.scriptCustom(email, { kind: 'redirect', status: 307, location: otherHost.url('/collect') });
		const { failed } = await run(custom(), [lead(62, { email })]);
		expect(otherHost.requests).toEqual([]);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', httpStatus: 307, attempts: 1, sent: true, mayHaveBeenApplied: true });
		expect(String(sync(failed[0]).error)).toContain(`to ${otherHost.baseUrl}; credentials are never sent to another host; it may have been applied`);
		expect(String(sync(failed[0]).description)).not.toContain('Nothing was sent');
		expect(JSON.stringify(failed)).not.toContain('otherhost-secret-query');
	});

	it.each([
		['a 303 without a Location', 303, '"see other" without a usable Location'],
		['a 304', 304, '"not modified", which is no answer to a POST'],
	])('says a lead answered with %s may have been applied, not that nothing was sent', async (_case, status, reason) => {
		const email = `bare${status}@example.com`;
		doubles.scriptCustom(email, { kind: 'bare', status });
		const { failed } = await run(custom(), [lead(63, { email })]);
		expect(postsFor(email)).toHaveLength(1);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', httpStatus: status, attempts: 1, sent: true, mayHaveBeenApplied: true });
		expect(String(sync(failed[0]).error)).toBe(`the CRM endpoint answered ${status}: ${reason}; it may have been applied, so it was not sent again`);
		expect(String(sync(failed[0]).description)).not.toContain('Nothing was sent');
	});

	it('follows a 308 on the same host with the same POST and body, once', async () => {
		const email = 'moved308@example.com';
		doubles.scriptCustom(email, { kind: 'redirect', status: 308, location: '/custom/leads-v3', times: 1 });
		const { synced } = await run(custom(), [lead(64, { email })]);
		expect(postsFor(email).map((request) => `${request.method} ${request.path}`)).toEqual(['POST /custom/leads', 'POST /custom/leads-v3']);
		expect(doubles.customLeadsFor(email)).toHaveLength(1);
		expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 201, attempts: 2 });
	});

	it('still says "Nothing was sent for this lead" when the egress guard refuses the first URL', async () => {
		const before = doubles.requests.length;
		const { failed } = await run({ preset: 'custom', url: 'https://169.254.169.254/latest/', authentication: 'none' }, [lead(65)]);
		expect(doubles.requests.length).toBe(before);
		expect(sync(failed[0])).toMatchObject({ status: 'failed', attempts: 0, sent: false, mayHaveBeenApplied: false, description: 'Nothing was sent for this lead.' });
	});
});

describe('dates (issue 19)', () => {
	const hubspot = () => ({ preset: 'hubspot', url: doubles.hubspotUrl(), authentication: 'bearer', token: HUBSPOT_TOKEN, ...LOOPBACK });

	it('fails a lead whose date may be 7 March or 3 July before any call, and sends it in the order chosen under Date Input Format', async () => {
		const before = doubles.requestsTo('/hubspot/').length;
		const guessed = await run(hubspot(), [{ json: { email: 'dob-ambiguous@example.com', date_of_birth: '07/03/1991' } }]);
		expect(doubles.requestsTo('/hubspot/').length).toBe(before);
		expect(sync(guessed.failed[0])).toMatchObject({ status: 'failed', sent: false });
		expect(String(sync(guessed.failed[0]).error)).toContain('"07/03/1991"');
		expect(String(sync(guessed.failed[0]).error)).toContain('choose the order under Date Input Format');

		const { synced } = await run(hubspot(), [{ json: { email: 'dob-dayfirst@example.com', date_of_birth: '07/03/1991' } }], {
			options: { dateInputFormat: 'dd/MM/yyyy' },
		});
		expect(synced).toHaveLength(1);
		const [call] = doubles.requestsTo('/hubspot/').slice(before);
		expect((call.fields.inputs as IDataObject[])[0].properties).toMatchObject({ email: 'dob-dayfirst@example.com', date_of_birth: '1991-03-07' });
	});
});
