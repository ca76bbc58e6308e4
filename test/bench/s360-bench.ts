/**
 * `npm run bench:s360 [-- --rounds-1 200 --rounds-10 100 --rounds-100 40 --warmup 10 --engine vm|legacy]`
 *
 * Throughput (contacts per second) and acknowledgement latency (median, p99) of the S-360
 * Firehose Trigger in its default mode, "Acknowledge After Success", at bucket sizes 1, 10
 * and 100, next to n8n's own Webhook node answering when the last node finishes (responseMode
 * lastNode) followed by Split Out: the same buckets, in the same n8n process, one client, the
 * workflows taking turns bucket by bucket so drift hits all alike. Every workflow ends in a No
 * Operation node. The buckets are pushed by the S-360 sender double, each contact new (so the
 * trigger's redelivery check runs and drops nothing):
 *   - s360:         S-360 Firehose Trigger, token in the query string
 *   - native:       Webhook node without authentication → Split Out `body`
 *   - native+auth:  Webhook node with Header Auth → Split Out `body`
 * Acknowledgement = request sent → whole answer received (the run has ended by then).
 * contacts/s = contacts acknowledged / the sum of their acknowledgement times.
 * Writes the table to .test-work/s360-bench-<engine>.json.
 * BENCH_POOL=<n> sets n8n's N8N_EXPRESSION_ENGINE_POOL_SIZE (default 1): with the vm engine n8n
 * starts an expression isolate per execution, and a workflow with a credential waits on more.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT, startN8n, type CredentialFile, type WorkflowFile } from '../harness/n8n';
import { S360Sender, type S360SenderAuth } from '../doubles/s360Sender';
import { CONTACT_SERVICE_VERSIONS, s360Contacts, type ContactDataResult } from '../doubles/fixtures/s360/contacts';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const BUCKET_SIZES = [1, 10, 100];
const ROUNDS: Record<number, number> = { 1: arg('rounds-1', 200), 10: arg('rounds-10', 100), 100: arg('rounds-100', 40) };
const WARMUP = arg('warmup', 10);
/** n8n's expression engine: 'vm' (the 2.x default) or 'legacy' (see bench:ory for why it matters). */
const ENGINE = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'vm';
const TOKEN = 'c1d27b8e4f60a5d2c9e1b7a4f803f3a9';
const PKG = 'n8n-nodes-contact-sync';
const DETAILS = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'];

const s360Credential: CredentialFile = {
	id: 'bench-s360',
	name: 'Bench S-360',
	type: 's360FirehoseApi',
	data: { authType: 'customParameter', parameterName: 'token', token: TOKEN, parameterIn: 'either' },
};
const headerAuthCredential: CredentialFile = {
	id: 'bench-header',
	name: 'Bench header auth',
	type: 'httpHeaderAuth',
	data: { name: 'token', value: TOKEN },
};

const NO_OP = { name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };

const s360Workflow: WorkflowFile = {
	id: 's360',
	name: 'Bench S-360 Firehose Trigger',
	nodes: [
		{
			id: 's360-trigger',
			name: 'Trigger',
			type: `${PKG}.s360FirehoseTrigger`,
			typeVersion: 1,
			position: [0, 0],
			webhookId: 's360',
			credentials: { s360FirehoseApi: { id: s360Credential.id, name: s360Credential.name } },
			parameters: { responseMode: 'lastNode' },
		},
		{ id: 's360-noop', position: [220, 0], ...NO_OP },
	],
	connections: { Trigger: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
};

function nativeWorkflow(id: string, auth: boolean): WorkflowFile {
	return {
		id,
		name: `Bench ${id}`,
		nodes: [
			{
				id: `${id}-hook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id,
				...(auth ? { credentials: { httpHeaderAuth: { id: headerAuthCredential.id, name: headerAuthCredential.name } } } : {}),
				parameters: {
					httpMethod: 'POST',
					path: id,
					responseMode: 'lastNode',
					responseData: 'noData',
					...(auth ? { authentication: 'headerAuth' } : {}),
					options: {},
				},
			},
			{ id: `${id}-split`, name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [220, 0], parameters: { fieldToSplitOut: 'body', options: {} } },
			{ id: `${id}-noop`, position: [440, 0], ...NO_OP },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		},
	};
}

const TARGETS: Array<{ name: string; path: string; auth: S360SenderAuth }> = [
	{ name: 's360', path: 's360/s360', auth: { type: 'customParameter', name: 'token', value: TOKEN, in: 'query' } },
	{ name: 'native', path: 'native', auth: { type: 'none' } },
	{ name: 'native+auth', path: 'native-auth', auth: { type: 'customParameter', name: 'token', value: TOKEN, in: 'header' } },
];

let nextContact = 1;
function freshContacts(count: number): ContactDataResult[] {
	return Array.from({ length: count }, (_, index) =>
		s360Contacts(CONTACT_SERVICE_VERSIONS[index % CONTACT_SERVICE_VERSIONS.length], 1, { prefix: 'bench', first: nextContact++ })[0],
	);
}

function percentile(sorted: number[], p: number): number {
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

interface Row {
	bucketSize: number;
	workflow: string;
	buckets: number;
	non200: number;
	contactsPerSecond: number;
	medianAckMs: number;
	p99AckMs: number;
}

async function main(): Promise<void> {
	const n8n = await startN8n({
		name: 's360-bench',
		credentials: [s360Credential, headerAuthCredential],
		workflows: [s360Workflow, nativeWorkflow('native', false), nativeWorkflow('native-auth', true)],
		env: { N8N_EXPRESSION_ENGINE: ENGINE, ...(process.env.BENCH_POOL ? { N8N_EXPRESSION_ENGINE_POOL_SIZE: process.env.BENCH_POOL } : {}), ...(process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {}) },
	});
	const rows: Row[] = [];
	try {
		for (const target of TARGETS) await n8n.waitForWebhook(target.path);
		for (const bucketSize of BUCKET_SIZES) {
			const rounds = ROUNDS[bucketSize];
			// Always a JSON array, which both the trigger and Split Out read as a list of contacts.
			const senders = TARGETS.map(
				(target) =>
					new S360Sender({ url: n8n.webhookUrl(target.path), bucketSize, batchSize: bucketSize, details: DETAILS, auth: target.auth, framing: 'array' }),
			);
			for (let round = 0; round < WARMUP + rounds; round++) {
				const contacts = freshContacts(bucketSize);
				for (const sender of senders) {
					if (round === WARMUP) sender.resetCounters();
					sender.change(...contacts);
					await sender.tick();
				}
			}
			TARGETS.forEach((target, index) => {
				const log = senders[index].log;
				const ack = log.map((entry) => entry.ackMs).sort((a, b) => a - b);
				const acknowledged = log.filter((entry) => entry.status === 200);
				const round = (value: number) => Math.round(value * 10) / 10;
				rows.push({
					bucketSize,
					workflow: target.name,
					buckets: log.length,
					non200: log.length - acknowledged.length,
					contactsPerSecond: Math.round((acknowledged.length * bucketSize) / (acknowledged.reduce((sum, entry) => sum + entry.ackMs, 0) / 1000)),
					medianAckMs: round(percentile(ack, 50)),
					p99AckMs: round(percentile(ack, 99)),
				});
			});
		}
		const executions = await n8n.executions();
		const report = {
			n8n: '2.41.1',
			expressionEngine: ENGINE,
			clients: 1,
			warmupBucketsPerSize: WARMUP,
			details: DETAILS,
			executionsRecorded: executions.length,
			executionsFailed: executions.filter((execution) => execution.status !== 'success').length,
			rows,
		};
		console.table(rows);
		console.log(JSON.stringify(report, null, 2));
		const out = path.join(PROJECT_ROOT, '.test-work', `s360-bench-${ENGINE}.json`);
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
