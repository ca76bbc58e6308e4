/**
 * The S-360 Firehose Trigger in a real n8n against a hostile corpus
 * (fixtures/s360HostileCorpus): every request gets the status it must, starts an execution
 * only when it may (execution counts read from n8n before and after), carries hostile strings
 * through as plain data, and n8n stays healthy. A body refused for its size may be refused
 * mid-upload: n8n answers 413 and closes the connection while the rest is still being sent, and
 * the client reads either the 413 or only the closed connection; both are the refusal.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { isClosedByServer, jsonOf, rawSend, rawSendMayBeRefused } from '../harness/rawHttp';
import { S360_HOSTILE_CORPUS, SMALL_LIMIT_KB, type S360HostileCase, type S360HostileWorkflow } from './fixtures/s360HostileCorpus';
import {
	S360_TOKEN,
	S360_TRIGGER,
	s360BasicCredential,
	s360NoAuthCredential,
	s360NoOpWorkflow,
	s360TokenCredential,
	s360WebhookPath,
} from './fixtures/s360Fixtures';

const WORKFLOWS: Record<S360HostileWorkflow, string> = {
	token: 's360-hostile-token',
	queryOnly: 's360-hostile-query',
	basic: 's360-hostile-basic',
	none: 's360-hostile-none',
	small: 's360-hostile-small',
};

interface Outcome {
	name: string;
	expected: number;
	/** The status answered, or 'closed' for a connection n8n closed mid-upload instead. */
	status: number | 'closed';
	newExecutions: number;
}

describe('S-360 Firehose Trigger against a hostile corpus', () => {
	const token = s360TokenCredential('hostile-token');
	const queryOnly = s360TokenCredential('hostile-query', 'query');
	const basic = s360BasicCredential('hostile-basic');
	const none = s360NoAuthCredential('hostile-none');
	const outcomes: Outcome[] = [];
	let n8n: N8nProcess;

	async function executionCount(workflowId: string): Promise<number> {
		return (await n8n.executions(workflowId)).length;
	}

	beforeAll(async () => {
		n8n = await startN8n({
			name: 's360-hostile',
			credentials: [token, queryOnly, basic, none],
			workflows: [
				s360NoOpWorkflow(WORKFLOWS.token, token),
				s360NoOpWorkflow(WORKFLOWS.queryOnly, queryOnly),
				s360NoOpWorkflow(WORKFLOWS.basic, basic),
				s360NoOpWorkflow(WORKFLOWS.none, none),
				s360NoOpWorkflow(WORKFLOWS.small, token, { settings: { maxBodyKb: SMALL_LIMIT_KB } }),
			],
		});
		await Promise.all(Object.values(WORKFLOWS).map((id) => n8n.waitForWebhook(s360WebhookPath(id))));
	});

	afterAll(async () => {
		await n8n?.stop();
		if (outcomes.length > 0) {
			const byStatus = new Map<number | 'closed', number>();
			for (const outcome of outcomes) byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
			const right = outcomes.filter((outcome) => outcome.status === outcome.expected || outcome.status === 'closed').length;
			const executions = outcomes.reduce((sum, outcome) => sum + outcome.newExecutions, 0);
			// The figure the issue asks to see: corpus size and results.
			process.stdout.write(
				`\nS-360 hostile corpus: ${outcomes.length} requests, ${right} answered as expected, ${executions} executions; by status: ${[...byStatus]
					.sort((a, b) => String(a[0]).localeCompare(String(b[0])))
					.map(([status, count]) => `${status}×${count}`)
					.join(', ')}\n${outcomes.map((o) => `  ${String(o.status).padEnd(4)} ${o.newExecutions} exec  ${o.name}`).join('\n')}\n`,
			);
		}
	});

	it('holds at least 50 requests', () => {
		expect(S360_HOSTILE_CORPUS.length).toBeGreaterThanOrEqual(50);
	});

	it.each(S360_HOSTILE_CORPUS.map((entry): [string, S360HostileCase] => [
		`${entry.name} → ${entry.status}${entry.starts ? ', one execution' : ', no execution'}`,
		entry,
	]))('%s', async (_title, entry) => {
		const workflowId = WORKFLOWS[entry.workflow];
		const before = await executionCount(workflowId);
		const url = n8n.webhookUrl(s360WebhookPath(workflowId));
		// Only a size refusal may come as a closed connection; any other request must be answered.
		const outcome = entry.mayCloseMidUpload ? await rawSendMayBeRefused(url, entry.request) : await rawSend(url, entry.request);
		let after = await executionCount(workflowId);
		if (isClosedByServer(outcome)) {
			outcomes.push({ name: entry.name, expected: entry.status, status: 'closed', newExecutions: after - before });
			expect(after).toBe(before);
			return;
		}
		const response = outcome;
		if (entry.starts && response.status === 200) after = (await n8n.waitForExecutions(workflowId, before + 1)).length;
		outcomes.push({ name: entry.name, expected: entry.status, status: response.status, newExecutions: after - before });

		expect(response.status).toBe(entry.status);
		if (!entry.starts) {
			expect(after).toBe(before);
			if (entry.request.method !== 'HEAD') {
				expect(jsonOf(response)).toEqual(entry.status === 200 ? { status: 'empty', contacts: 0 } : { error: expect.any(String) });
			}
			return;
		}
		expect(after).toBe(before + 1);
		const [latest] = await n8n.executions(workflowId);
		expect(latest.status).toBe('success');
		if (entry.verbatim) {
			const [[item]] = await n8n.nodeOutput(latest.id, S360_TRIGGER);
			expect(item[entry.verbatim.field]).toEqual(entry.verbatim.value);
		}
	});

	it('offers POST in the Allow header of a 405', async () => {
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(WORKFLOWS.token)), { method: 'PUT', query: `?token=${S360_TOKEN}` });
		expect(response.headers.allow).toBe('POST');
	});

	it('challenges for basic auth in the 401 of the basic-auth trigger', async () => {
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(WORKFLOWS.basic)), { headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
	});

	it('never echoes a sent token in a 401', async () => {
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(WORKFLOWS.token)), { body: '{}', query: '?token=guess-c1d27b8e4f60' });
		expect(response.status).toBe(401);
		expect(response.body).not.toContain('guess-c1d27b8e4f60');
	});

	it('never echoes the body in a 400 for malformed JSON, only where it broke', async () => {
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(WORKFLOWS.token)), {
			headers: { 'content-type': 'application/json' },
			body: '[{"contactNumber":"1","individualContact":{"email":"secret-person@example.test"}',
			query: `?token=${S360_TOKEN}`,
		});
		expect(response.status).toBe(400);
		expect(jsonOf(response)).toEqual({ error: 'Malformed JSON: unexpected end of input at position 80 (line 1, column 81)' });
	});

	it('leaves n8n healthy and still taking S-360 pushes after the corpus', async () => {
		const health = await fetch(`${n8n.baseUrl}/healthz`);
		expect(health.status).toBe(200);
		const before = await executionCount(WORKFLOWS.token);
		const response = await rawSend(n8n.webhookUrl(s360WebhookPath(WORKFLOWS.token)), {
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify([{ contactNumber: 'AFTER-1' }, { contactNumber: 'AFTER-2' }]),
			query: `?token=${S360_TOKEN}`,
		});
		expect(response.status).toBe(200);
		const [latest] = await n8n.waitForExecutions(WORKFLOWS.token, before + 1);
		expect(await n8n.nodeOutput(latest.id, S360_TRIGGER)).toEqual([[expect.objectContaining({ contactNumber: 'AFTER-1' }), expect.objectContaining({ contactNumber: 'AFTER-2' })]]);
	});
});
