/**
 * The Ory Webhook Trigger in a real n8n against a hostile corpus (fixtures/oryHostileCorpus):
 * every request gets the status it must, starts an execution only when it may (execution
 * counts read from n8n before and after), carries hostile strings through as plain data,
 * and n8n stays healthy. A body refused for its size may be refused mid-upload: n8n answers
 * 413 and closes the connection while the rest is still being sent, and the client reads either
 * the 413 or only the closed connection; both are the refusal.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { isClosedByServer, jsonOf, rawSend, rawSendMayBeRefused } from '../harness/rawHttp';
import { HOSTILE_CORPUS, SMALL_LIMIT_KB, type HostileCase, type HostileWorkflow } from './fixtures/oryHostileCorpus';
import {
	oryBasicCredential,
	oryBody,
	oryCookieCredential,
	oryHeaderCredential,
	oryHeaders,
	oryIdentity,
	oryNoOpWorkflow,
	oryWebhookPath,
	TRIGGER_NAME,
} from './fixtures/oryFixtures';

const WORKFLOWS: Record<HostileWorkflow, string> = {
	header: 'ory-hostile-header',
	cookie: 'ory-hostile-cookie',
	basic: 'ory-hostile-basic',
	small: 'ory-hostile-small',
};

interface Outcome {
	name: string;
	expected: number;
	/** The status answered, or 'closed' for a connection n8n closed mid-upload instead. */
	status: number | 'closed';
	newExecutions: number;
}

describe('Ory Webhook Trigger against a hostile corpus', () => {
	const header = oryHeaderCredential('hostile-header');
	const cookie = oryCookieCredential('hostile-cookie');
	const basic = oryBasicCredential('hostile-basic');
	const outcomes: Outcome[] = [];
	let n8n: N8nProcess;

	async function executionCount(workflowId: string): Promise<number> {
		return (await n8n.executions(workflowId)).length;
	}

	beforeAll(async () => {
		n8n = await startN8n({
			name: 'ory-hostile',
			credentials: [header, cookie, basic],
			workflows: [
				oryNoOpWorkflow(WORKFLOWS.header, header),
				oryNoOpWorkflow(WORKFLOWS.cookie, cookie),
				oryNoOpWorkflow(WORKFLOWS.basic, basic),
				oryNoOpWorkflow(WORKFLOWS.small, header, { settings: { maxBodyKb: SMALL_LIMIT_KB } }),
			],
		});
		await Promise.all(Object.values(WORKFLOWS).map((id) => n8n.waitForWebhook(oryWebhookPath(id))));
	});

	afterAll(async () => {
		await n8n?.stop();
		if (outcomes.length > 0) {
			const byStatus = new Map<number | 'closed', number>();
			for (const outcome of outcomes) byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
			const right = outcomes.filter((outcome) => outcome.status === outcome.expected || outcome.status === 'closed').length;
			const lines = outcomes.map((o) => `  ${String(o.status).padEnd(4)} ${o.newExecutions} exec  ${o.name}`);
			// The figure the issue asks to see: corpus size and results.
			process.stdout.write(
				`\nHostile corpus: ${outcomes.length} requests, ${right} answered as expected; by status: ${[...byStatus]
					.sort((a, b) => String(a[0]).localeCompare(String(b[0])))
					.map(([status, count]) => `${status}×${count}`)
					.join(', ')}\n${lines.join('\n')}\n`,
			);
		}
	});

	it('holds at least 50 requests', () => {
		expect(HOSTILE_CORPUS.length).toBeGreaterThanOrEqual(50);
	});

	it.each(HOSTILE_CORPUS.map((entry): [string, HostileCase] => [
		`${entry.name} → ${entry.status}${entry.starts ? ', one execution' : ', no execution'}`,
		entry,
	]))('%s', async (_title, entry) => {
		const workflowId = WORKFLOWS[entry.workflow];
		const before = await executionCount(workflowId);
		const url = n8n.webhookUrl(oryWebhookPath(workflowId));
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
			if (entry.request.method !== 'HEAD') expect(jsonOf(response)).toEqual({ error: expect.any(String) });
			return;
		}
		expect(after).toBe(before + 1);
		const [latest] = await n8n.executions(workflowId);
		expect(latest.status).toBe('success');
		if (entry.verbatim) {
			const [[item]] = await n8n.nodeOutput(latest.id, TRIGGER_NAME);
			expect(item[entry.verbatim.field]).toEqual(entry.verbatim.value);
		}
	});

	it('offers POST in the Allow header of a 405', async () => {
		const response = await rawSend(n8n.webhookUrl(oryWebhookPath(WORKFLOWS.header)), { method: 'PUT', headers: oryHeaders() });
		expect(response.headers.allow).toBe('POST');
	});

	it('challenges for basic auth in the 401 of the basic-auth trigger', async () => {
		const response = await rawSend(n8n.webhookUrl(oryWebhookPath(WORKFLOWS.basic)), { headers: oryHeaders(), body: '{}' });
		expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
	});

	it('never echoes a sent secret in a 401', async () => {
		const response = await rawSend(n8n.webhookUrl(oryWebhookPath(WORKFLOWS.header)), {
			headers: oryHeaders(null, { 'x-webhook-secret': 'guess-f3a9c1d27b8e' }),
			body: '{}',
		});
		expect(response.status).toBe(401);
		expect(response.body).not.toContain('guess-f3a9c1d27b8e');
	});

	it('never echoes the body in a 400 for malformed JSON, only where it broke', async () => {
		const response = await rawSend(n8n.webhookUrl(oryWebhookPath(WORKFLOWS.header)), {
			headers: oryHeaders(),
			body: '{"identity": {"traits": {"email": "secret-person@example.test"}',
		});
		expect(response.status).toBe(400);
		expect(jsonOf(response)).toEqual({ error: 'Malformed JSON: unexpected end of input at position 63 (line 1, column 64)' });
	});

	it('leaves n8n healthy and still serving Ory after the corpus', async () => {
		const health = await fetch(`${n8n.baseUrl}/healthz`);
		expect(health.status).toBe(200);
		const before = await executionCount(WORKFLOWS.header);
		const response = await rawSend(n8n.webhookUrl(oryWebhookPath(WORKFLOWS.header)), {
			headers: oryHeaders(),
			body: JSON.stringify(oryBody('jsonnet', 'registration', oryIdentity({ email: 'after@example.test' }))),
		});
		expect(response.status).toBe(200);
		await n8n.waitForExecutions(WORKFLOWS.header, before + 1);
	});
});
