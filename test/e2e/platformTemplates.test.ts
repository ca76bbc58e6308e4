/**
 * Every template in templates/ (however many land later) imports into the running
 * n8n as shipped, and uses only node types that n8n has loaded: this package's
 * under its package name, n8n's own as they exist in that n8n version. Runs on
 * 2.x (project e2e) and on the last 1.x (project e2e-n8n1).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, startN8n, type N8nProcess, type WorkflowFile } from '../harness/n8n';

const templateDir = path.join(PROJECT_ROOT, 'templates');
const templates = readdirSync(templateDir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(templateDir, file), 'utf8')) as WorkflowFile }))
	.filter(({ workflow }) => Array.isArray(workflow.nodes));

describe('the shipped templates in a real n8n', () => {
	let n8n: N8nProcess;
	let nodeTypes: string[];

	beforeAll(async () => {
		n8n = await startN8n({ name: 'platform-templates' });
		nodeTypes = await n8n.nodeTypeNames();
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('ships at least one template', () => {
		expect(templates.length).toBeGreaterThan(0);
	});

	it.each(templates.map(({ file, workflow }) => [file, workflow] as const))(
		'%s uses only node types this n8n has loaded',
		(_file, workflow) => {
			const used = (workflow.nodes as Array<{ type: string }>).map((node) => node.type);
			expect(used.filter((type) => !nodeTypes.includes(type))).toEqual([]);
		},
	);

	it.each(templates.map(({ file, workflow }) => [file, workflow] as const))(
		'%s imports as shipped through the editor’s API',
		async (_file, workflow) => {
			const { status, data } = await n8n.rest<{ id: string; nodes: unknown[] }>('POST', '/workflows', workflow);
			expect({ status, data: status === 200 ? 'ok' : data }).toEqual({ status: 200, data: 'ok' });
			expect(data.nodes).toHaveLength(workflow.nodes.length);
		},
	);
});
