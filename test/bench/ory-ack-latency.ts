/**
 * `npm run build && npm run build:scripts && node .build-scripts/test/bench/ory-ack-latency.js [-- --n 1000 --warmup 50]`
 *
 * Acknowledgement latency of the Ory Webhook Trigger in "Acknowledge at Once" mode (what Ory
 * with response.ignore: true waits for) against n8n's own Webhook node answering "Immediately"
 * (responseMode onReceived), in the same n8n process, same downstream node (No Operation),
 * one client, requests of the three workflows interleaved so drift hits all alike:
 *   - ory:          Ory Webhook Trigger, header secret, Ory-shaped body with a fresh
 *                   Ory-Webhook-Request-ID each time (so the redelivery check runs too)
 *   - native+auth:  n8n Webhook node with Header Auth on the same header and secret
 *   - native:       n8n Webhook node without authentication
 * Latency = connection opened and request sent → whole answer received, hrtime on the client.
 * Prints median, p90, p99, mean and max per workflow, and writes them to .test-work/.
 * `--engine legacy` runs n8n with its pre-2.x expression engine: n8n skips acquiring an
 * expression isolate only for its own Webhook node, so this separates that cost from the
 * trigger's own work.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT, startN8n, type CredentialFile, type WorkflowFile } from '../harness/n8n';
import { rawSend } from '../harness/rawHttp';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

function textArg(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? process.argv[index + 1] : fallback;
}

const N = arg('n', 1000);
/** n8n's expression engine: 'vm' (2.x default, isolated-vm with a pool of 1) or 'legacy'. */
const ENGINE = textArg('engine', 'vm');
const WARMUP = arg('warmup', 50);
const SECRET = 'f3a9c1d27b8e4f60a5d2c9e1b7a4f803';
const PKG = 'n8n-nodes-contact-sync';

const oryCredential: CredentialFile = {
	id: 'bench-ory',
	name: 'Bench Ory',
	type: 'oryWebhookApi',
	data: { authType: 'headerKey', headerName: 'X-Webhook-Secret', acceptBearer: true, secret: SECRET },
};
const headerAuthCredential: CredentialFile = {
	id: 'bench-header',
	name: 'Bench header auth',
	type: 'httpHeaderAuth',
	data: { name: 'X-Webhook-Secret', value: SECRET },
};

function withNoOp(id: string, trigger: Record<string, unknown>): WorkflowFile {
	return {
		id,
		name: `Bench ${id}`,
		nodes: [
			{ id: `${id}-trigger`, name: 'Trigger', position: [0, 0], webhookId: id, ...trigger },
			{ id: `${id}-noop`, name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { Trigger: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	};
}

const workflows: WorkflowFile[] = [
	withNoOp('ory', {
		type: `${PKG}.oryWebhookTrigger`,
		typeVersion: 1,
		credentials: { oryWebhookApi: { id: oryCredential.id, name: oryCredential.name } },
		parameters: { responseMode: 'onReceived' },
	}),
	withNoOp('native-auth', {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		credentials: { httpHeaderAuth: { id: headerAuthCredential.id, name: headerAuthCredential.name } },
		parameters: { httpMethod: 'POST', path: 'native-auth', responseMode: 'onReceived', authentication: 'headerAuth', options: {} },
	}),
	withNoOp('native', {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		parameters: { httpMethod: 'POST', path: 'native', responseMode: 'onReceived', options: {} },
	}),
];

function oryBody(index: number): string {
	return JSON.stringify({
		event: 'registration',
		identity: {
			id: randomUUID(),
			schema_id: 'default',
			state: 'active',
			traits: { email: `bench${index}@example.test`, name: { first: 'Bench', last: `User${index}` } },
			metadata_public: null,
			metadata_admin: null,
			verifiable_addresses: [{ value: `bench${index}@example.test`, via: 'email', verified: false }],
		},
		flow: { id: randomUUID(), type: 'browser', request_url: 'https://auth.example.test/self-service/registration/browser', transient_payload: null },
	});
}

/**
 * One request on a fresh connection (as a webhook sender makes them; a kept-alive socket was
 * once reset by n8n mid-run); resolves with the latency in ms once the whole answer arrived.
 */
async function timedPost(url: string, headers: Record<string, string>, body: string): Promise<{ ms: number; status: number }> {
	const payload = Buffer.from(body, 'utf8');
	const started = process.hrtime.bigint();
	const { status } = await rawSend(url, { headers: { 'content-type': 'application/json', ...headers }, body: payload });
	return { ms: Number(process.hrtime.bigint() - started) / 1e6, status };
}

function percentile(sorted: number[], p: number): number {
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

interface Summary {
	workflow: string;
	requests: number;
	non200: number;
	medianMs: number;
	p90Ms: number;
	p99Ms: number;
	meanMs: number;
	maxMs: number;
}

function summarise(workflow: string, samples: Array<{ ms: number; status: number }>): Summary {
	const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
	const round = (value: number) => Math.round(value * 100) / 100;
	return {
		workflow,
		requests: samples.length,
		non200: samples.filter((s) => s.status !== 200).length,
		medianMs: round(percentile(sorted, 50)),
		p90Ms: round(percentile(sorted, 90)),
		p99Ms: round(percentile(sorted, 99)),
		meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
		maxMs: round(sorted[sorted.length - 1]),
	};
}

async function main(): Promise<void> {
	const n8n = await startN8n({
		name: 'ory-ack-bench',
		credentials: [oryCredential, headerAuthCredential],
		workflows,
		env: { N8N_EXPRESSION_ENGINE: ENGINE },
	});
	try {
		const targets = [
			{ name: 'ory', path: 'ory/ory', headers: () => ({ 'x-webhook-secret': SECRET, 'ory-webhook-request-id': randomUUID(), 'ory-webhook-trigger-id': randomUUID() }) },
			{ name: 'native+auth', path: 'native-auth', headers: () => ({ 'x-webhook-secret': SECRET }) },
			{ name: 'native', path: 'native', headers: () => ({}) },
		];
		for (const target of targets) await n8n.waitForWebhook(target.path);

		const samples = new Map(targets.map((target) => [target.name, [] as Array<{ ms: number; status: number }>]));
		for (let round = 0; round < WARMUP + N; round++) {
			for (const target of targets) {
				const result = await timedPost(n8n.webhookUrl(target.path), target.headers(), oryBody(round));
				if (round >= WARMUP) samples.get(target.name)!.push(result);
			}
		}

		const summaries = targets.map((target) => summarise(target.name, samples.get(target.name)!));
		// Acknowledged runs may still be going: count them once all have ended.
		for (const workflow of workflows) await n8n.waitForExecutions(workflow.id, WARMUP + N);
		const executions = await n8n.executions();
		const failed = executions.filter((e) => e.status !== 'success');
		const failures = await Promise.all(
			failed.map(async (e) => ({
				workflowId: e.workflowId,
				status: e.status,
				error: (await n8n.executionData(e.id)).resultData.error?.message ?? null,
			})),
		);
		const report = {
			n8n: '2.41.1',
			expressionEngine: ENGINE,
			warmupPerWorkflow: WARMUP,
			requestsPerWorkflow: N,
			clients: 1,
			executionsRecorded: executions.length,
			executionsFailed: failures,
			summaries,
			oryOverNativeMedian: Math.round((summaries[0].medianMs / summaries[2].medianMs) * 100) / 100,
			oryOverNativeAuthMedian: Math.round((summaries[0].medianMs / summaries[1].medianMs) * 100) / 100,
		};
		console.table(summaries);
		console.log(JSON.stringify(report, null, 2));
		const out = path.join(PROJECT_ROOT, '.test-work', `ory-ack-latency-${ENGINE}.json`);
		mkdirSync(path.dirname(out), { recursive: true });
		writeFileSync(out, JSON.stringify(report, null, 2));
		console.log(`written to ${out}`);
	} finally {
		await n8n.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
