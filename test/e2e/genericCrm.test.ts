/**
 * Generic CRM Webhook in a real n8n 2.41.1 against the CRM doubles: every preset end to end, the
 * credential's Test button (which sends the test lead), the network guard (with n8n's own egress
 * filter, which 2.41 has), and a scan of every execution, Test-button answer and n8n's debug log
 * for the credentials' secrets.
 */
import { readFileSync } from 'node:fs';
import { startN8n, type CredentialFile, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { CrmDoubles } from '../doubles/crmDoubles';
import { OtherHost } from '../doubles/otherHost';
import { PKG, webhookNode } from './fixtures/workflows';
import { crmCredential, crmWorkflow, postJson, REACH_DOUBLES, runLeads } from './fixtures/genericCrmFixtures';

const HUBSPOT_TOKEN = 'pat-na1-e2e-0f1e2d3c-4b5a';
const PIPEDRIVE_TOKEN = 'pd-e2e-token-a1b2c3d4e5';
const CUSTOM_TOKEN = 'custom-e2e-bearer-9z8y7x6w';
const BASIC_PASSWORD = 'basic-e2e-password-5v4u';
const ORG_ID = '00D5g000004E2E0';
const SECRETS = [HUBSPOT_TOKEN, PIPEDRIVE_TOKEN, CUSTOM_TOKEN, BASIC_PASSWORD, Buffer.from(`crm-user:${BASIC_PASSWORD}`).toString('base64')];

const N8N_HAS_EGRESS_FILTER = !(process.env.N8N_VERSION ?? '2').startsWith('1.');

/** Targets the guard must refuse, with the allow options off unless the case says otherwise. */
const SSRF_CASES: Array<{ id: string; label: string; data: Record<string, unknown>; expect: RegExp }> = [
	{ id: 'ssrf-private', label: 'a private IPv4 address', data: { url: 'https://10.0.0.1/leads' }, expect: /private network address/ },
	{ id: 'ssrf-metadata', label: 'the cloud metadata address', data: { url: 'https://169.254.169.254/latest/meta-data/' }, expect: /cloud metadata/ },
	{ id: 'ssrf-aws6', label: 'the AWS IPv6 metadata address', data: { url: 'https://[fd00:ec2::254]/latest/meta-data/' }, expect: /cloud metadata/ },
	{ id: 'ssrf-mapped', label: 'an IPv4-mapped IPv6 loopback', data: { url: 'https://[::ffff:127.0.0.1]/leads' }, expect: /loopback/ },
	{ id: 'ssrf-decimal', label: 'loopback written as one number', data: { url: 'https://2130706433/leads' }, expect: /loopback/ },
	{ id: 'ssrf-ula', label: 'an IPv6 unique-local address', data: { url: 'https://[fd12:3456::1]/leads' }, expect: /unique-local/ },
	{ id: 'ssrf-cgnat', label: 'a carrier-grade NAT address', data: { url: 'https://100.64.1.1/leads' }, expect: /carrier-grade NAT/ },
	{ id: 'ssrf-gcp', label: 'metadata.google.internal', data: { url: 'https://metadata.google.internal/computeMetadata/v1/' }, expect: /cloud metadata/ },
	{ id: 'ssrf-localhost', label: 'localhost by name', data: { url: 'https://localhost/leads' }, expect: /loopback/ },
	// n8n has its egress filter from 2.12 on; on 1.x the package's own checks are all there is.
	...(N8N_HAS_EGRESS_FILTER
		? [
				{
					id: 'ssrf-n8n',
					label: "a name n8n's egress filter blocks (N8N_SSRF_BLOCKED_HOSTNAMES)",
					data: { url: 'https://crm.blocked.example/leads' },
					expect: /SSRF protection|blocked/i,
				},
			]
		: []),
	{ id: 'ssrf-http', label: 'plain http://', data: { url: 'http://crm.example.com/leads' }, expect: /plain http/ },
	{
		id: 'ssrf-noallow',
		label: 'the loopback double with only Allow Plain HTTP on',
		data: { url: '', allowPlainHttp: true },
		expect: /loopback/,
	},
];

/** The CRM node's On Error setting (none: Stop Workflow, n8n's default). */
function withOnError(workflow: WorkflowFile, onError: 'continueRegularOutput' | 'continueErrorOutput'): WorkflowFile {
	const nodes = workflow.nodes as Array<Record<string, unknown>>;
	return { ...workflow, nodes: nodes.map((node) => (node.name === 'Send to CRM' ? { ...node, onError } : node)) };
}

/** A CRM workflow whose failed leads go to the Failed output, as most specs here read them. */
function continuingCrmWorkflow(id: string, credentialId: string, parameters: Record<string, unknown> = {}): WorkflowFile {
	return withOnError(crmWorkflow(id, credentialId, parameters), 'continueRegularOutput');
}

/** Stop Workflow (no On Error set), and a webhook that answers with the run's outcome, as an "acknowledge after success" sender needs. */
function stopWorkflow(): WorkflowFile {
	const workflow = crmWorkflow('custom-stop', 'custom');
	const nodes = workflow.nodes as Array<Record<string, unknown>>;
	return { ...workflow, nodes: nodes.map((node) => (node.name === 'Webhook' ? webhookNode('custom-stop', 'custom-stop', 'lastNode') : node)) };
}

/** What the node says happened to a lead: the one key it adds to the lead's fields. */
function sync(item: Record<string, unknown>): Record<string, unknown> {
	return item.crmSync as Record<string, unknown>;
}

function ssrfWorkflow(): WorkflowFile {
	const nodes: Array<Record<string, unknown>> = [
		webhookNode('ssrf', 'ssrf', 'onReceived'),
		{ id: 'ssrf-split', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [220, 0], parameters: { fieldToSplitOut: 'body.leads', options: {} } },
	];
	for (const [index, target] of SSRF_CASES.entries()) {
		nodes.push({
			id: `node-${target.id}`,
			name: target.id,
			type: `${PKG}.genericCrmWebhook`,
			typeVersion: 1,
			position: [440, index * 160],
			credentials: { crmWebhookApi: { id: target.id, name: `CRM ${target.id}` } },
			parameters: { operation: 'sendLead', autoMap: true },
			onError: 'continueRegularOutput',
		});
	}
	return {
		id: 'ssrf',
		name: 'CRM ssrf',
		nodes,
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [SSRF_CASES.map((target) => ({ node: target.id, type: 'main', index: 0 }))] },
		},
	};
}


describe('Generic CRM Webhook in a real n8n', () => {
	const doubles = new CrmDoubles({ hubspotToken: HUBSPOT_TOKEN, pipedriveToken: PIPEDRIVE_TOKEN, salesforceOrgId: ORG_ID });
	let n8n: N8nProcess;
	let credentials: Record<string, CredentialFile>;
	const testButtonAnswers: unknown[] = [];

	beforeAll(async () => {
		await doubles.start();
		const custom = { preset: 'custom', url: doubles.customUrl(), authentication: 'bearer', token: CUSTOM_TOKEN, ...REACH_DOUBLES };
		const list = [
			crmCredential('salesforce', { preset: 'salesforceWebToLead', url: doubles.salesforceUrl(), salesforceOrgId: ORG_ID, ...REACH_DOUBLES }),
			crmCredential('hubspot', { preset: 'hubspot', url: doubles.hubspotUrl(), authentication: 'bearer', token: HUBSPOT_TOKEN, ...REACH_DOUBLES }),
			crmCredential('hubspot-create', {
				preset: 'hubspot',
				hubspotOperation: 'create',
				url: doubles.hubspotUrl(),
				authentication: 'bearer',
				token: HUBSPOT_TOKEN,
				...REACH_DOUBLES,
			}),
			crmCredential('hubspot-wrong', { preset: 'hubspot', url: doubles.hubspotUrl(), authentication: 'bearer', token: 'pat-na1-wrong-e2e-token', ...REACH_DOUBLES }),
			crmCredential('pipedrive', {
				preset: 'pipedrive',
				url: doubles.pipedriveUrl(),
				authentication: 'queryKey',
				queryName: 'api_token',
				apiKey: PIPEDRIVE_TOKEN,
				...REACH_DOUBLES,
			}),
			crmCredential('zapier', { preset: 'zapier', url: doubles.zapierUrl(), ...REACH_DOUBLES }),
			crmCredential('custom', custom),
			crmCredential('basic', { ...custom, authentication: 'basic', username: 'crm-user', password: BASIC_PASSWORD, bodyType: 'form' }),
			...SSRF_CASES.map((target) =>
				crmCredential(target.id, { preset: 'custom', authentication: 'bearer', token: CUSTOM_TOKEN, ...target.data, url: target.data.url || doubles.customUrl() }),
			),
		];
		credentials = Object.fromEntries(list.map((credential) => [credential.id, credential]));
		n8n = await startN8n({
			name: 'generic-crm',
			credentials: list,
			workflows: [
				continuingCrmWorkflow('salesforce', 'salesforce', { staticValues: { value: [{ name: 'lead_source', value: 'Chatbot' }] } }),
				continuingCrmWorkflow('hubspot', 'hubspot'),
				continuingCrmWorkflow('hubspot-create', 'hubspot-create'),
				continuingCrmWorkflow('pipedrive', 'pipedrive'),
				continuingCrmWorkflow('zapier', 'zapier'),
				continuingCrmWorkflow('custom', 'custom', { headers: { header: [{ name: 'X-Source', value: 'BuildMyChatbot' }] } }),
				continuingCrmWorkflow('basic', 'basic'),
				ssrfWorkflow(),
				stopWorkflow(),
				continuingCrmWorkflow('custom-per-lead', 'custom', {
					staticValues: { value: [{ name: 'campaign_code', value: '={{ $json.campaign }}' }] },
					headers: { header: [{ name: 'X-Campaign', value: '={{ $json.campaign }}' }] },
				}),
				withOnError(crmWorkflow('custom-error-output', 'custom'), 'continueErrorOutput'),
			],
			env: { N8N_LOG_LEVEL: 'debug', N8N_SSRF_BLOCKED_HOSTNAMES: 'crm.blocked.example' },
		});
		const paths = ['salesforce', 'hubspot', 'hubspot-create', 'pipedrive', 'zapier', 'custom', 'basic', 'ssrf', 'custom-stop', 'custom-per-lead', 'custom-error-output'];
		await Promise.all(paths.map((p) => n8n.waitForWebhook(p)));
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await doubles.stop();
	});

	const lead = (i: number, extra: Record<string, unknown> = {}) => ({ name: `E2E Person${i}`, email: `e2e${i}@example.com`, phone: '+1 555 0100', company: 'Acme', ...extra });

	describe('presets end to end', () => {
		it('Salesforce Web-to-Lead: posts the form with oid, reports synced-but-unconfirmed', async () => {
			const { synced, failed } = await runLeads(n8n, 'salesforce', [lead(1), lead(2)]);
			expect(failed).toEqual([]);
			expect(synced.map((item) => sync(item).status)).toEqual(['synced', 'synced']);
			expect(sync(synced[0])).toMatchObject({ crmConfirmed: false, httpStatus: 200 });
			expect(doubles.salesforceLeads.filter((l) => String(l.email).startsWith('e2e'))).toEqual([
				expect.objectContaining({ oid: ORG_ID, email: 'e2e1@example.com', first_name: 'E2E', last_name: 'Person1', lead_source: 'Chatbot' }),
				expect.objectContaining({ oid: ORG_ID, email: 'e2e2@example.com' }),
			]);
		});

		it('HubSpot: upserts 120 leads in 2 calls, each output paired to its lead with HubSpot’s id', async () => {
			const before = doubles.requestsTo('/hubspot/crm/v3/objects/contacts/batch/upsert').length;
			const leads = Array.from({ length: 120 }, (_, i) => lead(100 + i));
			const { synced, failed } = await runLeads(n8n, 'hubspot', leads);
			expect(failed).toEqual([]);
			expect(doubles.requestsTo('/hubspot/crm/v3/objects/contacts/batch/upsert').length - before).toBe(Math.ceil(leads.length / 100));
			expect(synced).toHaveLength(leads.length);
			synced.forEach((item, i) => expect(sync(item).crmId).toBe(doubles.hubspotContacts.get(`e2e${100 + i}@example.com`)!.id));
		});

		it('HubSpot create: a second create of the same email fails as “already exists” with the existing id', async () => {
			await runLeads(n8n, 'hubspot-create', [lead(300)]);
			const { failed } = await runLeads(n8n, 'hubspot-create', [lead(300)]);
			expect(failed[0]).toMatchObject({
				email: 'e2e300@example.com',
				crmSync: {
					status: 'failed',
					httpStatus: 409,
					code: 'CONFLICT',
					details: { alreadyExists: true, existingId: doubles.hubspotContacts.get('e2e300@example.com')!.id },
				},
			});
		});

		it('Pipedrive: creates the person, and a success:false in a 200 goes to the Failed output', async () => {
			doubles.failPipedriveEnvelope(1);
			const { synced, failed } = await runLeads(n8n, 'pipedrive', [lead(400), lead(401)]);
			expect(failed.map((item) => item.email)).toEqual(['e2e400@example.com']);
			expect(String(sync(failed[0]).error)).toContain('success:false');
			expect(synced[0]).toMatchObject({ email: 'e2e401@example.com', crmSync: { status: 'synced' } });
			expect(doubles.pipedrivePersons.some((p) => p.name === 'E2E Person401')).toBe(true);
		});

		it('Zapier: posts the lead as JSON and reads status "success"', async () => {
			const { synced } = await runLeads(n8n, 'zapier', [lead(500)]);
			expect(sync(synced[0])).toMatchObject({ status: 'synced', httpStatus: 200 });
			expect(doubles.zapierEvents.some((e) => e.email === 'e2e500@example.com')).toBe(true);
		});

		it('Custom: sends headers and JSON, keeps failed leads with their cause on the Failed output', async () => {
			doubles.scriptCustom('e2e601@example.com', { kind: 'answer', status: 422, body: { error: 'invalid_phone', message: 'phone is invalid' } });
			const { synced, failed } = await runLeads(n8n, 'custom', [lead(600), lead(601)]);
			expect(synced[0]).toMatchObject({ email: 'e2e600@example.com', crmSync: { status: 'synced', attempts: 1, httpStatus: 201 } });
			expect(failed[0]).toMatchObject({ email: 'e2e601@example.com', crmSync: { status: 'failed', httpStatus: 422, sent: true, mayHaveBeenApplied: false } });
			expect(String(sync(failed[0]).error)).toContain('phone is invalid');
			const request = doubles.requestsTo('/custom/').find((r) => r.fields.email === 'e2e600@example.com')!;
			expect(request.headers['x-source']).toBe('BuildMyChatbot');
		});

		it('Custom with Basic auth: the echoed Authorization header is redacted in the excerpt', async () => {
			const { synced } = await runLeads(n8n, 'basic', [lead(700)]);
			expect(sync(synced[0]).status).toBe('synced');
			expect(String(sync(synced[0]).crmResponse)).toContain('"authorization":"Basic [redacted]"');
		});

		it('Custom: a redirect to the metadata address is refused after the first hop', async () => {
			doubles.scriptCustom('e2e800@example.com', { kind: 'redirect', status: 307, location: 'http://169.254.169.254/latest/meta-data/' });
			const { failed } = await runLeads(n8n, 'custom', [lead(800)]);
			expect(doubles.customAttemptsFor('e2e800@example.com')).toBe(1);
			expect(String(sync(failed[0]).error)).toContain('redirected to a refused target');
		});

		it('Custom: a 303 (Post/Redirect/Get) stores the lead once, synced; a 302 to another host fails as may have been applied and nothing reaches that host', async () => {
			const otherHost = new OtherHost();
			await otherHost.start();
			try {
				doubles.scriptCustom('e2e810@example.com', { kind: 'postRedirectGet', status: 303, location: '/custom/leads?created={id}', times: 1 });
				doubles.scriptCustom('e2e811@example.com', { kind: 'redirect', status: 302, location: otherHost.url('/login') });
				const { synced, failed } = await runLeads(n8n, 'custom', [lead(810), lead(811)]);
				expect(doubles.customLeadsFor('e2e810@example.com')).toHaveLength(1);
				expect(synced).toEqual([
					expect.objectContaining({ email: 'e2e810@example.com', crmSync: expect.objectContaining({ status: 'synced', httpStatus: 303, attempts: 1 }) }),
				]);
				expect(otherHost.requests).toEqual([]);
				expect(failed).toEqual([
					expect.objectContaining({
						email: 'e2e811@example.com',
						crmSync: expect.objectContaining({ status: 'failed', httpStatus: 302, attempts: 1, sent: true, mayHaveBeenApplied: true }),
					}),
				]);
				expect(String(sync(failed[0]).error)).toBe(
					`the CRM endpoint answered 302: a redirect to ${otherHost.baseUrl}/login, not followed: a POST is never repeated after a 302; it may have been applied, so it was not sent again`,
				);
			} finally {
				await otherHost.stop();
			}
		});
	});

	describe('On Error and per-lead values (issue 19)', () => {
		it('Stop Workflow: a lead the CRM refuses fails the run, so the sender is not told it succeeded; the other lead was sent once', async () => {
			doubles.scriptCustom('e2e1001@example.com', { kind: 'answer', status: 422, body: { error: 'invalid_phone', message: 'phone is invalid' } });
			const before = (await n8n.executions('custom-stop')).length;
			expect(await postJson(n8n, 'custom-stop', { leads: [lead(1000), lead(1001)] })).toBe(500);
			const [execution] = await n8n.waitForExecutions('custom-stop', before + 1);
			expect(execution.status).toBe('error');
			const data = await n8n.executionData(execution.id);
			expect(data.resultData.lastNodeExecuted).toBe('Send to CRM');
			expect(String(data.resultData.error?.message)).toContain('phone is invalid');
			expect(String(data.resultData.error?.description)).toContain('1 of 2 items were written to the CRM endpoint; 1 failed.');
			expect(doubles.customLeadsFor('e2e1000@example.com')).toHaveLength(1);
		});

		it('static values and custom headers are evaluated for each lead, not taken from the first', async () => {
			const before = doubles.requestsTo('/custom/').length;
			const { synced, failed } = await runLeads(n8n, 'custom-per-lead', [lead(1010, { campaign: 'spring' }), lead(1011, { campaign: 'autumn' })]);
			expect(failed).toEqual([]);
			expect(synced).toHaveLength(2);
			const seen = doubles
				.requestsTo('/custom/')
				.slice(before)
				.map((request) => [request.fields.email, request.fields.campaign_code, request.headers['x-campaign']]);
			expect(seen.sort()).toEqual([
				['e2e1010@example.com', 'spring', 'spring'],
				['e2e1011@example.com', 'autumn', 'autumn'],
			]);
		});

		it('Continue (using error output): n8n puts a failed lead on its Error output, with the lead’s own fields and the cause', async () => {
			doubles.scriptCustom('e2e1021@example.com', { kind: 'answer', status: 422, body: { message: 'phone is invalid' } });
			const before = (await n8n.executions('custom-error-output')).length;
			expect(await postJson(n8n, 'custom-error-output', { leads: [lead(1020), lead(1021, { message: 'Please call me after 5pm' })] })).toBe(200);
			const [execution] = await n8n.waitForExecutions('custom-error-output', before + 1);
			expect(execution.status).toBe('success');
			const [synced = [], failed = [], errors = []] = await n8n.nodeOutput(execution.id, 'Send to CRM');
			expect(synced.map((item) => item.email)).toEqual(['e2e1020@example.com']);
			expect(failed).toEqual([]);
			// n8n 1.x routes a failed item only when it holds error (and message) alone: the cause's details are in the error.
			const cause = N8N_HAS_EGRESS_FILTER
				? { error: expect.stringContaining('422: phone is invalid'), details: expect.objectContaining({ httpStatus: 422, attempts: 1 }) }
				: { error: expect.stringMatching(/422: phone is invalid.*"httpStatus":422/) };
			// The lead's own message survives n8n's merge of the lead into the failed item.
			expect(errors).toEqual([{ ...lead(1021, { message: 'Please call me after 5pm' }), ...cause }]);
		});
	});

	describe('the network guard', () => {
		let outputs: Record<string, Array<Record<string, unknown>>>;
		let requestsDuring = -1;

		beforeAll(async () => {
			const before = doubles.requests.length;
			const { executionId } = await runLeads(n8n, 'ssrf', [lead(900)], SSRF_CASES[0].id);
			requestsDuring = doubles.requests.length - before;
			outputs = {};
			for (const target of SSRF_CASES) outputs[target.id] = (await n8n.nodeOutput(executionId, target.id))[1] ?? [];
		});

		it('sends nothing for any refused target', () => {
			expect(requestsDuring).toBe(0);
		});

		it.each(SSRF_CASES.map((target) => [target.label, target] as const))('refuses %s', (_label, target) => {
			const [failed] = outputs[target.id];
			expect(failed).toMatchObject({ email: 'e2e900@example.com', crmSync: { status: 'failed', attempts: 0, sent: false } });
			expect(String(sync(failed).error)).toMatch(/^Refused to send to /);
			expect(String(sync(failed).error)).toMatch(target.expect);
		});
	});

	describe('the credential’s Test button', () => {
		async function test(id: string) {
			const before = doubles.requests.length;
			const { data } = await n8n.testCredential(credentials[id]);
			testButtonAnswers.push(data);
			return { data, requests: doubles.requests.slice(before) };
		}

		it.each(['salesforce', 'hubspot', 'zapier', 'custom'])('sends the test lead to the %s double and reports success', async (id) => {
			const { data, requests } = await test(id);
			expect(data).toMatchObject({ status: 'OK' });
			expect(data.message).toMatch(/^Test lead sent: /);
			expect(requests).toHaveLength(1);
			expect(JSON.stringify(requests[0].fields)).toContain('test@example.com');
			expect(JSON.stringify(requests[0].fields)).toMatch(/Test lead \d{4}-\d\d-\d\dT/);
		});

		it('sends Pipedrive the test person "Test Contact" (a person has no company text field)', async () => {
			const { data, requests } = await test('pipedrive');
			expect(data).toMatchObject({ status: 'OK' });
			expect(requests[0].fields).toEqual({ name: 'Test Contact', email: 'test@example.com' });
		});

		it('reports HubSpot’s 401 for a wrong token, without the token', async () => {
			const { data } = await test('hubspot-wrong');
			expect(data.status).toBe('Error');
			expect(data.message).toContain('401');
			expect(data.message).not.toContain('pat-na1-wrong-e2e-token');
		});

		it('refuses a private target without sending anything', async () => {
			const { data, requests } = await test('ssrf-private');
			expect(data.status).toBe('Error');
			expect(data.message).toContain('Refused to send to https://10.0.0.1');
			expect(requests).toHaveLength(0);
		});
	});

	describe('secrets', () => {
		it('appear in no execution data, Test-button answer or n8n debug log line', async () => {
			const executions = await n8n.executions();
			expect(executions.length).toBeGreaterThanOrEqual(9);
			const texts: string[] = [];
			for (const execution of executions) {
				const { data } = await n8n.rest('GET', `/executions/${execution.id}`);
				texts.push(JSON.stringify(data));
			}
			texts.push(JSON.stringify(testButtonAnswers));
			// The doubles did receive them: the scan would find a leak.
			expect(JSON.stringify(doubles.requests)).toContain(HUBSPOT_TOKEN);
			const log = readFileSync(n8n.logFile, 'utf8');
			expect(log.length).toBeGreaterThan(0);
			const leaks = SECRETS.filter((secret) => texts.some((text) => text.includes(secret)) || log.includes(secret));
			expect(leaks).toEqual([]);
		});
	});
});
