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
const BY_REQUEST_ID = 'ory-request-id';
const RESPOND_AFTER_ACK = 'ory-respond-after-ack';
const ACK_AT_ONCE = 'ory-ack-at-once';
const FROM_WORKFLOW = 'ory-zoho-respond';
const SYNCED_IDENTITY = {
	respondWith: 'updateIdentity',
	metadataPublic: { field: [{ path: 'crmSynced', value: 'true', valueType: 'boolean' }] },
};


/** A spec of behaviour n8n itself has only from 2.x on. */
const onN8n2 = (process.env.N8N_VERSION ?? '2').startsWith('1.') ? it.skip : it;

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

	/** Sends one request to a workflow (the template by default) and waits for the execution it starts to finish. */
	async function deliver(body: unknown, headers = oryHeaders(), workflowId = TEMPLATE) {
		const before = await executionCount(workflowId);
		const response = await send(workflowId, body, headers);
		const executions = await n8n.waitForExecutions(workflowId, before + 1);
		return { response, execution: executions[0] };
	}

	/** Headers of one attempt of an Ory delivery: Ory gives every attempt a new request id and keeps the trigger id. */
	function attemptHeaders(triggerId: string, requestId: string = randomUUID()) {
		return oryHeaders(requestId, { 'ory-webhook-trigger-id': triggerId });
	}

	/** A registration not delivered yet: its trigger id and the body Ory renders with the shipped Jsonnet. */
	function newDelivery(email: string, traits: Record<string, unknown> = {}) {
		return { triggerId: randomUUID(), body: oryBody('jsonnet', 'registration', oryIdentity({ email, ...traits })) };
	}

	/** Makes the Zoho double answer every upsert 503 while `run` runs (the Zoho node's retries included). */
	async function withZohoDown<T>(run: () => Promise<T>): Promise<T> {
		double.injectFault({ kind: 'status', status: 503, times: 1000 });
		try {
			return await run();
		} finally {
			double.clearFaults();
		}
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
				oryNoOpWorkflow(BY_REQUEST_ID, ory, { settings: { deduplicateOn: 'requestId' } }),
				oryRespondWorkflow(RESPOND_AFTER_ACK, ory, { respondWith: 'continue' }, 'onReceived'),
				templateWorkflow(ACK_AT_ONCE, ory, zoho, { responseMode: 'onReceived' }),
				templateWorkflow(FROM_WORKFLOW, ory, zoho, { responseMode: 'responseNode', respond: SYNCED_IDENTITY }),
			],
		});
		await Promise.all(
			[TEMPLATE, INTERRUPT, IDENTITY_CHANGE, NO_RESPOND_NODE, LOGIN_ONLY, CONTINUE, BY_REQUEST_ID, RESPOND_AFTER_ACK, ACK_AT_ONCE, FROM_WORKFLOW].map(
				(id) => n8n.waitForWebhook(oryWebhookPath(id)),
			),
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

		it('answers 200 once the contact is in Zoho (acknowledges after the run)', async () => {
			const email = 'after-run@example.test';
			const response = await send(TEMPLATE, oryBody('jsonnet', 'registration', oryIdentity({ email })));
			expect(response.status).toBe(200);
			expect(contact(email)).toHaveLength(1);
		});

		it('emits the body as received, so keys a Jsonnet template adds reach the workflow', async () => {
			const body = { ...oryBody('jsonnet', 'registration', oryIdentity({ email: 'utm@example.test' })), tenant: 'acme', utm: { source: 'newsletter', campaign: 'spring' } };
			const { execution } = await deliver(body);
			const [[item]] = await n8n.nodeOutput(execution.id, TRIGGER_NAME);
			expect(item.body).toEqual(body);
			expect(item).toMatchObject({ email: 'utm@example.test', event: 'registration' });
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

	describe('redelivery (acknowledged after the run: the shipped template)', () => {
		it('runs a delivery Ory sends three times, each with a new request id, once, and answers each attempt alike', async () => {
			const email = 'thrice@example.test';
			const { triggerId, body } = newDelivery(email, { firstName: 'Three', lastName: 'Times' });
			const before = await executionCount(TEMPLATE);
			const upserts = double.counters.upsertCalls;
			const attempts = [];
			for (let attempt = 0; attempt < 3; attempt++) attempts.push(await send(TEMPLATE, body, attemptHeaders(triggerId)));
			const [first, ...retries] = attempts.map((answer) => [answer.status, answer.body]);
			expect(first[0]).toBe(200);
			expect(retries).toEqual([first, first]);
			expect(await executionCount(TEMPLATE)).toBe(before + 1);
			expect(double.counters.upsertCalls - upserts).toBe(1);
			expect(contact(email)).toHaveLength(1);
		});

		it('answers a failed run 500 (n8n’s "Error in workflow"), so Ory retries, and runs the retry', async () => {
			const email = 'retry-after-failure@example.test';
			const { triggerId, body } = newDelivery(email, { firstName: 'Second', lastName: 'Chance' });
			const before = await executionCount(TEMPLATE);
			const failed = await withZohoDown(() => send(TEMPLATE, body, attemptHeaders(triggerId)));
			expect(failed.status).toBe(500);
			expect(jsonOf(failed)).toEqual({ message: 'Error in workflow' });
			expect(contact(email)).toHaveLength(0);

			const retry = await send(TEMPLATE, body, attemptHeaders(triggerId));
			expect(retry.status).toBe(200);
			const executions = await n8n.waitForExecutions(TEMPLATE, before + 2);
			expect(executions.slice(0, 2).map((execution) => execution.status)).toEqual(['success', 'error']);
			expect(contact(email)).toHaveLength(1);
		});

		it('runs a delivery whose copies arrive five at once once, and gives every copy the run’s answer', async () => {
			const email = 'burst@example.test';
			const { triggerId, body } = newDelivery(email, { firstName: 'B', lastName: 'Urst' });
			const before = await executionCount(TEMPLATE);
			const upserts = double.counters.upsertCalls;
			const answers = await Promise.all(Array.from({ length: 5 }, () => send(TEMPLATE, body, attemptHeaders(triggerId))));
			expect(answers.map((answer) => [answer.status, answer.body])).toEqual(Array.from({ length: 5 }, () => [200, answers[0].body]));
			expect(await executionCount(TEMPLATE)).toBe(before + 1);
			expect(double.counters.upsertCalls - upserts).toBe(1);
			expect(contact(email)).toHaveLength(1);
		});
	});

	describe('redelivery (answered from the workflow)', () => {
		// Ory Respond sends only the parts it changes: here metadata_public.
		const syncedAnswer = { identity: { metadata_public: { crmSynced: true } } };

		it('makes a retry that arrives while the first attempt runs wait for it, and gives it the same answer', async () => {
			const email = 'slow@example.test';
			const { triggerId, body } = newDelivery(email, { firstName: 'Slow', lastName: 'Zoho' });
			double.setLatency(3000);
			let first: RawResponse;
			let retry: RawResponse;
			try {
				const firstAttempt = send(FROM_WORKFLOW, body, attemptHeaders(triggerId));
				// The retry goes out once the first attempt's upsert is in flight at the double.
				await n8n.waitUntil(
					async () => double.requests.some((entry) => entry.status === undefined && JSON.stringify(entry.body ?? '').includes(email)),
					'the first attempt’s upsert in flight',
				);
				retry = await send(FROM_WORKFLOW, body, attemptHeaders(triggerId));
				first = await firstAttempt;
			} finally {
				double.setLatency(0);
			}
			expect(first.status).toBe(200);
			expect(jsonOf(first)).toEqual(syncedAnswer);
			expect([retry.status, retry.body, retry.headers['content-type']]).toEqual([first.status, first.body, first.headers['content-type']]);
			// Counted by this delivery's own email: the execution list can still be catching up on the
			// previous spec's run, which made a count of all executions flaky.
			const upsertsOfThisDelivery = double.requests.filter((entry) => entry.path.endsWith('/upsert') && JSON.stringify(entry.body ?? '').includes(email));
			expect(upsertsOfThisDelivery).toHaveLength(1);
		});

		// n8n 1.x answers 200 in Respond-to-Webhook mode whatever the run did, so neither the trigger nor
		// Ory can tell a failed run there (README, "n8n 1.x"); pinned on 2.x only.
		onN8n2('answers a run that fails before Ory Respond 500 (n8n’s "Error in workflow"), and runs the retry', async () => {
			const email = 'respond-failed@example.test';
			const { triggerId, body } = newDelivery(email, { firstName: 'Slow', lastName: 'Zoho' });
			const failed = await withZohoDown(() => send(FROM_WORKFLOW, body, attemptHeaders(triggerId)));
			expect(failed.status).toBe(500);
			expect(jsonOf(failed)).toEqual({ message: 'Error in workflow' });

			const retry = await send(FROM_WORKFLOW, body, attemptHeaders(triggerId));
			expect(retry.status).toBe(200);
			expect(jsonOf(retry)).toEqual(syncedAnswer);
			expect(contact(email)).toHaveLength(1);
		});

		it('replays an Ory Respond answer to the same request sent again', async () => {
			const headers = oryHeaders();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'retry@example.test', name: { first: 'R' } }));
			const before = await executionCount(IDENTITY_CHANGE);
			const first = await send(IDENTITY_CHANGE, body, headers);
			const again = await send(IDENTITY_CHANGE, body, headers);
			expect(first.status).toBe(200);
			expect([again.status, again.body]).toEqual([first.status, first.body]);
			expect(await executionCount(IDENTITY_CHANGE)).toBe(before + 1);
		});
	});

	describe('redelivery (acknowledged at once)', () => {
		it('acknowledges at once with the request id, as Ory’s response.ignore expects', async () => {
			const requestId = randomUUID();
			const identity = oryIdentity({ email: 'ack@example.test', firstName: 'Ack', lastName: 'Now' });
			const { response } = await deliver(oryBody('jsonnet', 'registration', identity), oryHeaders(requestId), ACK_AT_ONCE);
			expect(response.status).toBe(200);
			expect(jsonOf(response)).toEqual({ status: 'accepted', requestId });
		});

		it('acknowledges a delivery whose run then fails with the same 200: the run’s outcome never reaches Ory', async () => {
			const requestId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'ack-failed@example.test' }));
			const { response, execution } = await withZohoDown(() => deliver(body, attemptHeaders(randomUUID(), requestId), ACK_AT_ONCE));
			expect(response.status).toBe(200);
			expect(jsonOf(response)).toEqual({ status: 'accepted', requestId });
			expect(execution.status).toBe('error');
		});

		it('replays the first acknowledgement to Ory’s retry of an acknowledged delivery and starts nothing', async () => {
			const triggerId = randomUUID();
			const firstRequestId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'ack-retried@example.test' }));
			const { response: first } = await deliver(body, attemptHeaders(triggerId, firstRequestId), ACK_AT_ONCE);
			const executions = await executionCount(ACK_AT_ONCE);
			const retry = await send(ACK_AT_ONCE, body, attemptHeaders(triggerId));
			expect(jsonOf(retry)).toEqual({ status: 'accepted', requestId: firstRequestId });
			expect([retry.status, retry.body]).toEqual([first.status, first.body]);
			expect(await executionCount(ACK_AT_ONCE)).toBe(executions);
		});
	});

	describe('Deduplicate On → Request ID', () => {
		it('runs Ory’s retries (new request ids) again and replays only a request id sent again', async () => {
			const triggerId = randomUUID();
			const firstRequestId = randomUUID();
			const body = oryBody('jsonnet', 'registration', oryIdentity({ email: 'by-request@example.test' }));
			const before = await executionCount(BY_REQUEST_ID);
			await deliver(body, attemptHeaders(triggerId, firstRequestId), BY_REQUEST_ID);
			await deliver(body, attemptHeaders(triggerId), BY_REQUEST_ID);
			const replay = await send(BY_REQUEST_ID, body, attemptHeaders(triggerId, firstRequestId));
			expect(jsonOf(replay)).toEqual({ status: 'accepted', requestId: firstRequestId });
			expect(await executionCount(BY_REQUEST_ID)).toBe(before + 2);
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

		onN8n2('answers 204 (Ory: no change) when the run ends without an Ory Respond node', async () => {
			const response = await send(NO_RESPOND_NODE, oryBody('jsonnet', 'registration', oryIdentity({ email: 'n@example.test' })));
			expect(response.status).toBe(204);
			expect(response.body).toBe('');
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
