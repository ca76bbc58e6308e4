/**
 * Ory → Zoho CRM in a real n8n: the shipped template (Ory Webhook Trigger → Zoho CRM Upsert
 * Contact) imported with credentials pointed at the Zoho double, fed with requests shaped as
 * Ory sends them; redeliveries; answers from the workflow through Ory Respond in Ory's
 * formats; the credential's Test button; the node state kept by the webhook lifecycle.
 */
import { randomUUID } from 'node:crypto';

import { startN8n, type N8nProcess } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import {
	jsonOf,
	oryBody,
	oryHeaderCredential,
	oryHeaders,
	oryIdentity,
	oryNoOpWorkflow,
	oryRespondWorkflow,
	oryWebhookPath,
	PAYLOAD_SHAPES,
	rawSend,
	readTemplate,
	templateWorkflow,
	TRIGGER_NAME,
	oryZohoCredential,
	ZOHO_CLIENT,
	type RawResponse,
} from './fixtures/oryFixtures';

const TEMPLATE = 'ory-template';
const INTERRUPT = 'ory-interrupt';
const IDENTITY_CHANGE = 'ory-identity';
const NO_RESPOND_NODE = 'ory-no-respond';
const LOGIN_ONLY = 'ory-login-only';
const CONTINUE = 'ory-continue';
const BY_TRIGGER_ID = 'ory-trigger-id';
const RESPOND_AFTER_ACK = 'ory-respond-after-ack';

describe('Ory → Zoho CRM in a real n8n', () => {
	const double = new ZohoDouble({ clients: [{ ...ZOHO_CLIENT, refreshTokens: ['ory-refresh'] }] });
	const ory = oryHeaderCredential('ory-header');
	const weak = { ...oryHeaderCredential('ory-weak'), data: { ...oryHeaderCredential('ory-weak').data, secret: 'hunter2' } };
	let zoho: ReturnType<typeof oryZohoCredential>;
	let n8n: N8nProcess;

	async function send(workflowId: string, body: unknown, headers: Record<string, string> = oryHeaders()): Promise<RawResponse> {
		return await rawSend(n8n.webhookUrl(oryWebhookPath(workflowId)), { headers, body: JSON.stringify(body) });
	}

	async function executionCount(workflowId: string): Promise<number> {
		return (await n8n.executions(workflowId)).length;
	}

	/** Sends one request to the template and waits for the execution it starts to finish. */
	async function deliver(body: unknown, headers = oryHeaders()) {
		const before = await executionCount(TEMPLATE);
		const response = await send(TEMPLATE, body, headers);
		const executions = await n8n.waitForExecutions(TEMPLATE, before + 1);
		return { response, execution: executions[0] };
	}

	function contact(email: string) {
		return double.records('Contacts').filter((record) => record.Email === email);
	}

	beforeAll(async () => {
		await double.start();
		zoho = oryZohoCredential('zoho-double', double, 'ory-refresh');
		n8n = await startN8n({
			name: 'ory-zoho',
			credentials: [ory, weak, zoho],
			workflows: [
				templateWorkflow(TEMPLATE, ory, zoho),
				oryRespondWorkflow(INTERRUPT, ory, {
					respondWith: 'interrupt',
					statusCode: 409,
					messages: {
						message: [
							{ field: 'email', text: '={{ "The address " + $json.email + " is blocked" }}', id: 4000001, type: 'error' },
							{ field: 'name.first', text: 'Please give your first name', id: 4000002, type: 'info' },
						],
					},
				}),
				oryRespondWorkflow(IDENTITY_CHANGE, ory, {
					respondWith: 'updateIdentity',
					traits: { field: [{ path: 'name.first', value: '={{ $json.firstName.toUpperCase() }}', valueType: 'string' }] },
					metadataPublic: { field: [{ path: 'crmSynced', value: 'true', valueType: 'boolean' }] },
				}),
				oryRespondWorkflow(NO_RESPOND_NODE, ory, null),
				oryNoOpWorkflow(LOGIN_ONLY, ory, { events: ['login'] }),
				oryRespondWorkflow(CONTINUE, ory, { respondWith: 'continue' }),
				oryNoOpWorkflow(BY_TRIGGER_ID, ory, { settings: { deduplicateOn: 'triggerId' } }),
				oryRespondWorkflow(RESPOND_AFTER_ACK, ory, { respondWith: 'continue' }, 'onReceived'),
			],
		});
		await Promise.all(
			[TEMPLATE, INTERRUPT, IDENTITY_CHANGE, NO_RESPOND_NODE, LOGIN_ONLY, CONTINUE, BY_TRIGGER_ID, RESPOND_AFTER_ACK].map((id) => n8n.waitForWebhook(oryWebhookPath(id))),
		);
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	describe('the shipped template', () => {
		it('imports as it is through the editor’s API', async () => {
			const template = readTemplate();
			const { status, data } = await n8n.rest<{ id: string; nodes: Array<{ type: string }> }>('POST', '/workflows', template);
			expect(status).toBe(200);
			expect(data.nodes.map((node) => node.type)).toEqual(
				expect.arrayContaining(['n8n-nodes-contact-sync.oryWebhookTrigger', 'n8n-nodes-contact-sync.zohoCrmUpsertContact']),
			);
		});

		it.each(PAYLOAD_SHAPES)('creates the contact in Zoho for a registration sent in the %s shape', async (shape) => {
			const email = `reg-${shape}@example.test`;
			const identity = oryIdentity({ email, name: { first: 'Ada', last: `Lovelace-${shape}` } });
			const { response, execution } = await deliver(oryBody(shape, 'registration', identity));
			expect(response.status).toBe(200);
			expect(execution.status).toBe('success');
			expect(contact(email)).toEqual([expect.objectContaining({ Email: email, First_Name: 'Ada', Last_Name: `Lovelace-${shape}` })]);
		});

		it.each(PAYLOAD_SHAPES)('updates the contact in Zoho for a settings change sent in the %s shape', async (shape) => {
			const email = `settings-${shape}@example.test`;
			const identity = oryIdentity({ email, name: { first: 'Ada', last: 'Byron' } });
			await deliver(oryBody(shape, 'registration', identity));
			const changed = { ...identity, traits: { email, name: { first: 'Ada', last: 'Lovelace' } } };
			const { execution } = await deliver(oryBody(shape, 'settings', changed));
			expect(execution.status).toBe('success');
			expect(contact(email)).toEqual([expect.objectContaining({ First_Name: 'Ada', Last_Name: 'Lovelace' })]);
		});

		it('acknowledges at once with the request id, as Ory’s response.ignore expects', async () => {
			const requestId = randomUUID();
			const identity = oryIdentity({ email: 'ack@example.test', firstName: 'Ack', lastName: 'Now' });
			const { response } = await deliver(oryBody('jsonnet', 'registration', identity), oryHeaders(requestId));
			expect(jsonOf(response)).toEqual({ status: 'accepted', requestId });
		});

		it('falls back to First_Name Unknown and Last_Name User when the identity has no names', async () => {
			const email = 'nameless@example.test';
			await deliver(oryBody('seed', 'registration', oryIdentity({ email })));
			expect(contact(email)).toEqual([expect.objectContaining({ First_Name: 'Unknown', Last_Name: 'User' })]);
		});

		it('takes names from given_name / family_name and from a single name string', async () => {
			await deliver(oryBody('jsonnet', 'registration', oryIdentity({ email: 'oidc@example.test', given_name: 'Grace', family_name: 'Hopper' })));
			await deliver(oryBody('jsonnet', 'registration', oryIdentity({ email: 'single@example.test', name: 'Katherine Johnson' })));
			expect(contact('oidc@example.test')).toEqual([expect.objectContaining({ First_Name: 'Grace', Last_Name: 'Hopper' })]);
			expect(contact('single@example.test')).toEqual([expect.objectContaining({ First_Name: 'Katherine', Last_Name: 'Johnson' })]);
		});

		it('refuses an identity without email with 400 and starts nothing, as the Ory handler did', async () => {
			const before = await executionCount(TEMPLATE);
			const response = await send(TEMPLATE, oryBody('seed', 'registration', oryIdentity({ username: 'ada' })));
			expect(response.status).toBe(400);
			expect(jsonOf(response)).toEqual({ error: 'The identity has no email (traits.email)' });
			expect(await executionCount(TEMPLATE)).toBe(before);
		});
	});

	describe('redelivery', () => {
		it('answers a redelivered request id 200 and changes nothing', async () => {
			const requestId = randomUUID();
			const email = 'redelivered@example.test';
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email, firstName: 'Once', lastName: 'Only' }));
			await deliver(body, oryHeaders(requestId));
			const executions = await executionCount(TEMPLATE);
			const upserts = double.counters.upsertCalls;

			const again = await send(TEMPLATE, body, oryHeaders(requestId));
			expect(again.status).toBe(200);
			expect(jsonOf(again)).toEqual({ status: 'duplicate', requestId });
			expect(await executionCount(TEMPLATE)).toBe(executions);
			expect(double.counters.upsertCalls).toBe(upserts);
			expect(contact(email)).toHaveLength(1);
		});

		it('starts one execution when the same request arrives five times at once', async () => {
			const requestId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'burst@example.test', firstName: 'B', lastName: 'Urst' }));
			const before = await executionCount(TEMPLATE);
			const answers = await Promise.all(Array.from({ length: 5 }, () => send(TEMPLATE, body, oryHeaders(requestId))));
			expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
			expect(answers.filter((answer) => (jsonOf(answer) as { status: string }).status === 'accepted')).toHaveLength(1);
			await n8n.waitForExecutions(TEMPLATE, before + 1);
			expect(await executionCount(TEMPLATE)).toBe(before + 1);
		});

		it('drops Ory’s retries of one delivery when deduplicating on the trigger id', async () => {
			const triggerId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'retried@example.test' }));
			const before = await executionCount(BY_TRIGGER_ID);
			const first = await send(BY_TRIGGER_ID, body, oryHeaders(randomUUID(), { 'ory-webhook-trigger-id': triggerId }));
			// Ory gives every attempt a new request id and keeps the trigger id.
			const retry = await send(BY_TRIGGER_ID, body, oryHeaders(randomUUID(), { 'ory-webhook-trigger-id': triggerId }));
			expect(first.status).toBe(200);
			expect(jsonOf(retry)).toEqual({ status: 'duplicate', triggerId });
			await n8n.waitForExecutions(BY_TRIGGER_ID, before + 1);
			expect(await executionCount(BY_TRIGGER_ID)).toBe(before + 1);
		});
	});

	describe('the webhook lifecycle', () => {
		it('records the production URL in the node’s static data on activation', async () => {
			const { data } = await n8n.rest<{ staticData: Record<string, { webhookUrl?: string; activatedAt?: string }> }>(
				'GET',
				`/workflows/${LOGIN_ONLY}`,
			);
			expect(data.staticData[`node:${TRIGGER_NAME}`]).toMatchObject({
				webhookUrl: n8n.webhookUrl(oryWebhookPath(LOGIN_ONLY)),
				activatedAt: expect.any(String),
			});
		});
	});

	describe('the event filter', () => {
		it('answers an event outside the filter 200 and starts nothing', async () => {
			const before = await executionCount(LOGIN_ONLY);
			const response = await send(LOGIN_ONLY, oryBody('jsonnet', 'registration', oryIdentity({ email: 'f@example.test' })));
			expect(response.status).toBe(200);
			expect(jsonOf(response)).toEqual({ status: 'ignored', event: 'registration' });
			expect(await executionCount(LOGIN_ONLY)).toBe(before);
		});

		it('starts the workflow for an event in the filter', async () => {
			const before = await executionCount(LOGIN_ONLY);
			const body = { event: 'login', identity: oryIdentity({ email: 'login@example.test' }) };
			expect((await send(LOGIN_ONLY, body)).status).toBe(200);
			const [execution] = await n8n.waitForExecutions(LOGIN_ONLY, before + 1);
			const [[item]] = await n8n.nodeOutput(execution.id, TRIGGER_NAME);
			expect(item).toMatchObject({ event: 'login', email: 'login@example.test' });
		});
	});

	describe('answers from the workflow (Ory Respond)', () => {
		it('interrupts the flow with Ory’s messages body and the chosen 4xx', async () => {
			const identity = oryIdentity({ email: 'blocked@example.test', name: { first: '', last: 'X' } });
			const response = await send(INTERRUPT, oryBody('context', 'registration', identity));
			expect(response.status).toBe(409);
			expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
			expect(jsonOf(response)).toEqual({
				messages: [
					{
						instance_ptr: '#/traits/email',
						messages: [{ id: 4000001, text: 'The address blocked@example.test is blocked', type: 'error' }],
					},
					{ instance_ptr: '#/traits/name/first', messages: [{ id: 4000002, text: 'Please give your first name', type: 'info' }] },
				],
			});
		});

		it('changes the identity with Ory’s identity body, keeping the other traits', async () => {
			const identity = oryIdentity({ email: 'grace@example.test', name: { first: 'Grace', last: 'Hopper' }, newsletter: true });
			const response = await send(IDENTITY_CHANGE, oryBody('context', 'settings', identity));
			expect(response.status).toBe(200);
			expect(jsonOf(response)).toEqual({
				identity: {
					traits: { email: 'grace@example.test', name: { first: 'GRACE', last: 'Hopper' }, newsletter: true },
					metadata_public: { crmSynced: true },
				},
			});
		});

		it('lets the flow continue with 204 and no body', async () => {
			const response = await send(CONTINUE, oryBody('jsonnet', 'settings', oryIdentity({ email: 'c@example.test' })));
			expect(response.status).toBe(204);
			expect(response.body).toBe('');
		});

		it('answers 204 (Ory: no change) when the run ends without an Ory Respond node', async () => {
			const response = await send(NO_RESPOND_NODE, oryBody('jsonnet', 'registration', oryIdentity({ email: 'n@example.test' })));
			expect(response.status).toBe(204);
			expect(response.body).toBe('');
		});

		it('answers a redelivery 200 with a body Ory reads as "no change"', async () => {
			const requestId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'retry@example.test', name: { first: 'R' } }));
			await send(IDENTITY_CHANGE, body, oryHeaders(requestId));
			const again = await send(IDENTITY_CHANGE, body, oryHeaders(requestId));
			expect(again.status).toBe(200);
			expect(jsonOf(again)).not.toHaveProperty('identity');
		});
	});

	describe('Ory Respond behind a trigger that acknowledged at once', () => {
		it('fails the run, saying the trigger already answered', async () => {
			const before = await executionCount(RESPOND_AFTER_ACK);
			const response = await send(RESPOND_AFTER_ACK, oryBody('jsonnet', 'registration', oryIdentity({ email: 'a@example.test' })));
			expect(response.status).toBe(200);
			const [execution] = await n8n.waitForExecutions(RESPOND_AFTER_ACK, before + 1);
			expect(execution.status).toBe('error');
			const data = await n8n.executionData(execution.id);
			expect(data.resultData.error?.message).toBe(`"${TRIGGER_NAME}" already answered Ory when the run started`);
		});
	});

	describe('the credential’s Test button', () => {
		it('passes good settings and shows the Ory auth block', async () => {
			const { data } = await n8n.testCredential(ory);
			expect(data).toEqual({
				status: 'OK',
				message:
					'Ready. In Ory: auth: {type: api_key, config: {in: header, name: X-Webhook-Secret, value: <the secret>}} (Authorization: Bearer <secret> is accepted too)',
			});
		});

		it('fails a secret too short to resist guessing', async () => {
			const { data } = await n8n.testCredential(weak);
			expect(data.status).toBe('Error');
			expect(data.message).toMatch(/use at least 16/);
		});
	});
});
