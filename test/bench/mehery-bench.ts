/**
 * `npm run bench:mehery [-- --n 1000 --latency 50 --concurrency 5 --limit 10]`
 *
 * N profiles through one real n8n into the MeherY double (fixed latency per call, at most --limit
 * calls in flight before 429), side by side in the same n8n process, each workflow
 * Webhook → Split Out → target, answering when done:
 *   - the floor's first term: the same items through a No-Op node
 *   - this package's MeherY Profile Update (--concurrency calls at once, default 5 = the node's default)
 *   - n8n's HTTP Request node as a user configures it for MeherY: POST form-data per item, x-api-key
 *     by Header Auth, batching off; against the tenant's limit, and once more with no limit
 * Floor = No-Op time + ⌈N ÷ concurrency⌉ × latency.
 */
import { request } from 'node:http';
import { startN8n, type WorkflowFile } from '../harness/n8n';
import { MeheryDouble } from '../doubles/meheryDouble';
import { webhookNode } from '../e2e/fixtures/workflows';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const N = arg('n', 1000);
const LATENCY = arg('latency', 50);
const CONCURRENCY = arg('concurrency', 5);
const LIMIT = arg('limit', 10);
const TENANT = 'bench';
const API_KEY = 'bench-mehery-key-0123456789';

function workflow(id: string, target: Record<string, unknown>): WorkflowFile {
	const hook = webhookNode(id, id, 'lastNode');
	return {
		id,
		name: `Bench ${id}`,
		nodes: [
			// The workflow answers when done, without a body: the wall time is the run's.
			{ ...hook, parameters: { ...(hook.parameters as object), responseData: 'noData' } },
			{
				id: `${id}-split`,
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.profiles', options: {} },
			},
			{ id: `${id}-target`, name: 'Target', position: [440, 0], ...target },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Target', type: 'main', index: 0 }]] },
		},
	};
}

const CODES = ['firstName', 'lastName', 'email1', 'phone1'];

function postWithoutTimeout(url: string, body: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.on('error', reject);
		req.end(body);
	});
}

interface Result {
	label: string;
	seconds: number;
	requests: number;
	rateLimited: number;
	stored: number;
	status: number;
}

async function main(): Promise<void> {
	const double = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY }], maxConcurrentCalls: LIMIT, latencyMs: LATENCY });
	await double.start();
	const updateUrl = `${double.baseUrl}/xms/data/api/v1/profile/update?tnt=${TENANT}`;
	const workflows = [
		workflow('noop', { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }),
		workflow('node', {
			type: 'n8n-nodes-contact-sync.meheryProfileUpdate',
			typeVersion: 1,
			credentials: { meheryApi: { id: 'bench-mehery', name: 'Bench MeherY' } },
			parameters: { inputFields: 'codes', bodyType: 'formData', options: { concurrency: CONCURRENCY } },
		}),
		workflow('http', {
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			// Without it the first 429 stops the run; with it every item reports its own answer.
			onError: 'continueRegularOutput',
			credentials: { httpHeaderAuth: { id: 'bench-header', name: 'Bench x-api-key' } },
			parameters: {
				method: 'POST',
				url: updateUrl,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				sendBody: true,
				contentType: 'multipart-form-data',
				bodyParameters: {
					parameters: CODES.map((code) => ({ parameterType: 'formData', name: code, value: `={{ $json.${code} }}` })),
				},
				options: {},
			},
		}),
	];
	const n8n = await startN8n({
		name: 'bench-mehery',
		credentials: [
			{ id: 'bench-mehery', name: 'Bench MeherY', type: 'meheryApi', data: { baseUrl: double.baseUrl, tenant: TENANT, apiKey: API_KEY, apiPath: 'xms' } },
			{ id: 'bench-header', name: 'Bench x-api-key', type: 'httpHeaderAuth', data: { name: 'x-api-key', value: API_KEY } },
		],
		workflows,
		env: {
			N8N_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
			N8N_PAYLOAD_SIZE_MAX: '64',
			// e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile n8n.
			...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
		},
	});
	const results: Result[] = [];
	try {
		await Promise.all(['noop', 'node', 'http'].map((path) => n8n.waitForWebhook(path)));
		let round = 0;
		const measure = async (label: string, path: string): Promise<Result> => {
			round += 1;
			const profiles = Array.from({ length: N }, (_, i) => ({
				firstName: `First${i}`,
				lastName: `Last${i}`,
				email1: `bench${round}-${i}@example.test`,
				phone1: `+4915${String(round).padStart(2, '0')}${String(i).padStart(7, '0')}`,
			}));
			double.resetCounters();
			double.clearProfiles();
			const started = process.hrtime.bigint();
			const status = await postWithoutTimeout(n8n.webhookUrl(path), JSON.stringify({ profiles }));
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			const result = { label, seconds, requests: double.counters.requests, rateLimited: double.counters.rateLimited, stored: double.profiles(TENANT).length, status };
			results.push(result);
			console.log(`${label}: ${seconds.toFixed(2)} s, HTTP ${status}`);
			return result;
		};
		// Warm-up: n8n compiles and caches on the first runs of each workflow.
		await measure('warm-up No-Op', 'noop');
		await measure('warm-up node', 'node');
		results.length = 0;
		const noop = await measure('No-Op (floor’s first term)', 'noop');
		const ours = await measure(`MeherY Profile Update, ${CONCURRENCY} at once`, 'node');
		const http = await measure(`HTTP Request node, batching off, tenant limit ${LIMIT}`, 'http');
		double.setMaxConcurrentCalls(Infinity);
		const httpUnlimited = await measure('HTTP Request node, batching off, no limit at MeherY', 'http');
		double.setMaxConcurrentCalls(LIMIT);

		const floorSeconds = noop.seconds + (Math.ceil(N / CONCURRENCY) * LATENCY) / 1000;
		console.log(`\nMeherY benchmark: N=${N}, ${LATENCY} ms per call, tenant limit ${LIMIT} calls in flight, node concurrency ${CONCURRENCY}, one n8n\n`);
		console.log('| scenario | wall time | calls to MeherY | 429 answers | profiles stored | answer |');
		console.log('|---|---:|---:|---:|---:|---:|');
		console.log(`| floor = No-Op ${noop.seconds.toFixed(2)} s + ⌈${N}/${CONCURRENCY}⌉ × ${LATENCY} ms | ${floorSeconds.toFixed(2)} s | – | – | – | – |`);
		for (const r of [noop, ours, http, httpUnlimited]) {
			console.log(`| ${r.label} | ${r.seconds.toFixed(2)} s | ${r.requests} | ${r.rateLimited} | ${r.stored} | ${r.status} |`);
		}
		console.log(`\nthis node ÷ floor: ${(ours.seconds / floorSeconds).toFixed(3)}× (goal ≤ 1.25)`);
		console.log(`HTTP Request (tenant limit) ÷ this node: ${(http.seconds / ours.seconds).toFixed(2)}×, ${N - http.stored} of ${N} profiles not stored`);
		console.log(`HTTP Request (no limit) ÷ this node: ${(httpUnlimited.seconds / ours.seconds).toFixed(2)}×`);
	} finally {
		await n8n.stop();
		await double.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
