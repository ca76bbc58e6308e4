/**
 * The harness itself: a stock n8n starts with this package installed under its
 * package name, runs an imported, published workflow on a real webhook call,
 * and its execution can be read back.
 */
import path from 'node:path';
import { startN8n, PACKAGE_NAME, type N8nProcess } from '../harness/n8n';
import { webhookEchoWorkflow } from './fixtures/workflows';

describe('a real n8n with this package installed', () => {
	let n8n: N8nProcess;

	beforeAll(async () => {
		n8n = await startN8n({ name: 'harness', workflows: [webhookEchoWorkflow('harness-echo')] });
		await n8n.waitForWebhook('harness-echo');
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('loads every node and credential the package declares, under the package name', async () => {
		const pkg = require('../../package.json') as { n8n: { nodes: string[]; credentials: string[] } };
		const nodeTypes = await n8n.nodeTypeNames();
		const credentialTypes = await n8n.credentialTypeNames();
		for (const file of pkg.n8n.nodes) {
			const nodeModule = require(`../../${file}`) as Record<string, new () => { description: { name: string } }>;
			// n8n takes the export named like the file, as here.
			const NodeClass = nodeModule[path.basename(file, '.node.js')];
			expect(nodeTypes).toContain(`${PACKAGE_NAME}.${new NodeClass().description.name}`);
		}
		for (const file of pkg.n8n.credentials) {
			const credentialModule = require(`../../${file}`) as Record<string, new () => { name: string }>;
			const CredentialClass = credentialModule[path.basename(file, '.credentials.js')];
			expect(credentialTypes).toContain(new CredentialClass().name);
		}
		expect(nodeTypes.some((name) => name.startsWith('CUSTOM.'))).toBe(false);
	});

	it('runs a published webhook workflow and answers with its last node output', async () => {
		const response = await fetch(n8n.webhookUrl('harness-echo'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'Ada@Example.com' }),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ echoed: 'Ada@Example.com', via: 'harness' });
	});

	it('records the execution with each node output readable', async () => {
		const executions = await n8n.waitForExecutions('harness-echo', 1);
		expect(executions[0].status).toBe('success');
		const output = await n8n.nodeOutput(executions[0].id, 'Shape');
		expect(output[0]).toEqual([{ echoed: 'Ada@Example.com', via: 'harness' }]);
	});
});
