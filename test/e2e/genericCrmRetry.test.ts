/**
 * The shipped retry-schedule template (templates/generic-crm-retry-schedule.json) in a real n8n,
 * against the custom-endpoint double, with its waits shrunk through the one setting they come
 * from (Retry Settings → secondsPerMinute) and its email node swapped for a No-Op of the same
 * name (no SMTP server here). Lead statuses are read back from the n8n Data Table once the
 * execution has ended (no wait is left in it, so nothing can be sent after that).
 *
 * Only leads the CRM certainly did not take are retried: here a 423 and a 422, refusals. A lead
 * that may have reached the CRM (stored, then the connection dropped before the answer) goes to
 * Needs Review and is never sent again.
 */
import { startN8n, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { CrmDoubles } from '../doubles/crmDoubles';
import {
	createDataTable,
	crmCredential,
	dataTableRows,
	LEADS_TABLE_COLUMNS,
	postJson,
	REACH_DOUBLES,
	retryTemplate,
} from './fixtures/genericCrmFixtures';

const TOKEN = 'retry-bearer-6d5c4b3a2f1e';
// 1, 5, 15, 30 and 60 "minutes" become 0.02 … 1.2 s.
const SECONDS_PER_MINUTE = 0.02;

function shrunkTemplate(credentialId: string): WorkflowFile {
	const workflow = retryTemplate();
	const nodes = workflow.nodes as Array<Record<string, any>>;
	const settings = nodes.find((node) => node.name === 'Retry Settings')!;
	settings.parameters.assignments.assignments.find((a: { name: string }) => a.name === 'secondsPerMinute').value = SECONDS_PER_MINUTE;
	nodes.find((node) => node.name === 'Send to CRM')!.credentials = { crmWebhookApi: { id: credentialId, name: 'CRM retry' } };
	const notify = nodes.findIndex((node) => node.name === 'Notify by Email');
	nodes[notify] = { id: 'notify', name: 'Notify by Email', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: nodes[notify].position, parameters: {} };
	return { ...workflow, id: 'crm-retry' };
}

interface Run {
	data: { json: Record<string, unknown> }[] | null;
}

describe('the retry-schedule template in a real n8n', () => {
	const doubles = new CrmDoubles();
	let n8n: N8nProcess;
	let table: { projectId: string; tableId: string };
	let rows: Array<Record<string, unknown>>;
	let runData: Record<string, Array<{ data?: { main: Array<Run['data']> } }>>;

	beforeAll(async () => {
		await doubles.start();
		doubles.scriptCustom('twice@example.com', { kind: 'fail', times: 2, status: 423, body: { status: 'error', message: 'the lead table is locked' } });
		doubles.scriptCustom('always@example.com', { kind: 'fail', times: 1000, status: 422, body: { status: 'error', message: 'CRM refuses the lead' } });
		// Stored, then the answer lost; a resend would be answered 201 and store it a second time.
		doubles.scriptCustom('applied@example.com', { kind: 'storeThenDrop', times: 1 });
		n8n = await startN8n({
			name: 'crm-retry',
			credentials: [
				crmCredential('retry', { preset: 'custom', url: doubles.customUrl(), authentication: 'bearer', token: TOKEN, ...REACH_DOUBLES }),
			],
			workflows: [shrunkTemplate('retry')],
		});
		table = await createDataTable(n8n, 'crm_leads', LEADS_TABLE_COLUMNS);
		await n8n.waitForWebhook('crm-lead');
		expect(
			await postJson(n8n, 'crm-lead', {
				leads: [
					{ name: 'Twice Failing', email: 'twice@example.com', company: 'Acme', message: 'Please call me after 5' },
					{ name: 'Always Failing', email: 'always@example.com', company: 'Acme' },
					{ name: 'First Time', email: 'ok@example.com', company: 'Acme' },
					{ name: 'Answer Lost', email: 'applied@example.com', company: 'Acme' },
				],
			}),
		).toBe(200);
		const [execution] = await n8n.waitForExecutions('crm-retry', 1);
		expect(execution.status).toBe('success');
		runData = (await n8n.executionData(execution.id)).resultData.runData as unknown as typeof runData;
		rows = await dataTableRows(n8n, table);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await doubles.stop();
	});

	const row = (email: string) => rows.find((r) => r.email === email);

	it('keeps one row per lead in the data table', () => {
		expect(rows.map((r) => r.email).sort()).toEqual(['always@example.com', 'applied@example.com', 'ok@example.com', 'twice@example.com']);
	});

	it('ends a lead that syncs the first time Synced after attempt 1', () => {
		expect(row('ok@example.com')).toMatchObject({ status: 'Synced', attempt: 1, lastError: '' });
		expect(String(row('ok@example.com')!.crmId)).toMatch(/^lead-/);
		expect(doubles.customAttemptsFor('ok@example.com')).toBe(1);
	});

	it('ends a lead failing twice then succeeding Synced after attempt 3', () => {
		expect(row('twice@example.com')).toMatchObject({ status: 'Synced', attempt: 3 });
		expect(doubles.customAttemptsFor('twice@example.com')).toBe(3);
	});

	it('sends a retried lead again with its own fields, its message included', () => {
		const synced = (runData['Send to CRM'] ?? []).flatMap((run) => run.data?.main[0] ?? []).map((item) => item.json);
		const twice = synced.find((lead) => lead.email === 'twice@example.com');
		expect(twice).toMatchObject({ message: 'Please call me after 5', crmSync: { status: 'synced', attempts: 1 } });
	});

	it('marks a lead that may have reached the CRM Needs Review with its cause, and never sends it again', () => {
		expect(row('applied@example.com')).toMatchObject({ status: 'Needs Review', attempt: 1, nextAttemptAt: '' });
		expect(String(row('applied@example.com')!.lastError)).toMatch(/after the request was sent.*may or may not have been applied/);
		expect(doubles.customLeadsFor('applied@example.com')).toHaveLength(1);
		expect(doubles.customAttemptsFor('applied@example.com')).toBe(1);
		const retrying = (runData['Record Retrying'] ?? []).flatMap((run) => run.data?.main[0] ?? []).map((item) => item.json);
		expect(retrying.filter((r) => r.email === 'applied@example.com')).toEqual([]);
	});

	it('ends a lead the CRM always refuses Failed after the fifth retry, with the cause', () => {
		expect(row('always@example.com')).toMatchObject({ status: 'Failed', attempt: 6 });
		expect(String(row('always@example.com')!.lastError)).toContain('CRM refuses the lead');
		expect(doubles.customAttemptsFor('always@example.com')).toBe(6);
	});

	it('records Retrying with the attempt and the next time after every failed attempt but the last', () => {
		const retrying = (runData['Record Retrying'] ?? []).flatMap((run) => run.data?.main[0] ?? []).map((item) => item.json);
		const always = retrying.filter((r) => r.email === 'always@example.com');
		expect(always.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
		expect(always.every((r) => r.status === 'Retrying' && !Number.isNaN(Date.parse(String(r.nextAttemptAt))))).toBe(true);
		expect(retrying.filter((r) => r.email === 'twice@example.com').map((r) => r.attempt)).toEqual([1, 2]);
	});

	it('waits the schedule’s delays, 1, 5, 15, 30 and 60 “minutes”, from the one setting', () => {
		const waits = (runData['Schedule Next Attempt'] ?? [])
			.flatMap((run) => run.data?.main[0] ?? [])
			.filter((item) => item.json.email === 'always@example.com')
			.map((item) => item.json.waitSeconds);
		expect(waits).toEqual([1, 5, 15, 30, 60].map((minutes) => minutes * SECONDS_PER_MINUTE));
	});

	it('notifies once for the lead that failed for good and once for the lead to review', () => {
		const notified = (runData['Notify by Email'] ?? []).flatMap((run) => run.data?.main[0] ?? []).map((item) => item.json);
		expect(notified.map((lead) => [lead.email, lead.status]).sort()).toEqual([
			['always@example.com', 'Failed'],
			['applied@example.com', 'Needs Review'],
		]);
	});

	it('never writes the token into the data table', () => {
		expect(JSON.stringify(rows)).not.toContain(TOKEN);
	});
});
