/**
 * `npm start`: the editor at http://localhost:5678 with this package installed
 * (exactly as Settings → Community Nodes would install it), n8n's SQLite in the
 * git-ignored `.n8n-local/`, and the workflow templates of `templates/` imported.
 * Stops with Ctrl+C.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, startN8n, type WorkflowFile } from '../test/harness/n8n';

function templates(): WorkflowFile[] {
	const dir = path.join(PROJECT_ROOT, 'templates');
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		// Shipped templates carry no id (n8n gives one on import from the editor); the file name is one.
		.map((file) => ({ id: path.basename(file, '.json'), ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<WorkflowFile, 'id'>) }) as WorkflowFile)
		.filter((workflow) => Array.isArray(workflow.nodes));
}

async function main(): Promise<void> {
	const port = Number(process.env.PORT ?? 5678);
	const workflows = templates();
	console.log(`Starting n8n on http://localhost:${port} with n8n-nodes-contact-sync and ${workflows.length} template(s)…`);
	const n8n = await startN8n({
		name: 'local',
		port,
		userFolder: path.join(PROJECT_ROOT, '.n8n-local'),
		keepUserFolder: true,
		workflows,
		publish: [], // templates need your credentials before they can be published
		env: {
			N8N_LISTEN_ADDRESS: '0.0.0.0',
			N8N_HOST: 'localhost',
			WEBHOOK_URL: `http://localhost:${port}/`,
			N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
		},
		logToConsole: true,
	});
	console.log(`\nn8n is ready: http://localhost:${port}`);
	console.log('Owner account: owner@example.test / Harness-Passw0rd! (change it under Settings → Personal)');
	console.log('Press Ctrl+C to stop.');
	const stop = async () => {
		await n8n.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
	// n8n runs in its own process group: a closed terminal must stop it too.
	process.on('SIGHUP', () => void stop());
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
