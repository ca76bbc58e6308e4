/**
 * `npm run bench:mehery [-- --n 1000 --latency 50 --concurrency 5 --limit 10 --repeat 3 --body formData]`
 *
 * N profiles through one real n8n into the MeherY double (fixed latency per call, at most --limit
 * calls in flight before 429), side by side in the same n8n process, each workflow
 * Webhook → Split Out → target, answering when done, the scenarios taking turns --repeat times
 * (median reported):
 *   - the floor's first term: the same items through a No-Op node
 *   - this package's MeherY Profile Update at --concurrency calls at once (default 5, the node's
 *     default) and at --limit (the most the tenant accepts)
 *   - n8n's HTTP Request node as a user configures it for MeherY: POST form-data per item,
 *     x-api-key by Header Auth, with its Batching option set to the same number of items per batch
 *     and no interval (how a user keeps it under the tenant's limit); and with batching off, against
 *     the tenant's limit and once more with no limit
 * Floor of a scenario = No-Op time + ⌈N ÷ calls at once⌉ × latency.
 */
import { startN8n, type WorkflowFile } from '../harness/n8n';
import { rawSend } from '../harness/rawHttp';
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
const REPEAT = arg('repeat', 3);
/** The node's Body Type: formData (the seed's Zoho setup, the default), urlencoded or json. */
const BODY = process.argv.includes('--body') ? process.argv[process.argv.indexOf('--body') + 1] : 'formData';
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

interface Result {
	label: string;
	seconds: number;
	requests: number;
	rateLimited: number;
	stored: number;
	status: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

interface Scenario {
	path: string;
	label: string;
	/** Calls in flight at once, for the floor; undefined: no limit of its own. */
	concurrency?: number;
	/** The MeherY double's limit during this scenario (Infinity: none). */
	tenantLimit?: number;
}

async function main(): Promise<void> {
	const double = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY }], maxConcurrentCalls: LIMIT, latencyMs: LATENCY });
	await double.start();
	const updateUrl = `${double.baseUrl}/xms/data/api/v1/profile/update?tnt=${TENANT}`;
	const meheryNode = (concurrency: number) => ({
		type: 'n8n-nodes-contact-sync.meheryProfileUpdate',
		typeVersion: 1,
		credentials: { meheryApi: { id: 'bench-mehery', name: 'Bench MeherY' } },
		parameters: { inputFields: 'codes', bodyType: BODY, options: { concurrency } },
	});
	const httpNode = (batchSize?: number) => ({
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
			options: batchSize === undefined ? {} : { batching: { batch: { batchSize, batchInterval: 0 } } },
		},
	});
	const levels = [...new Set([CONCURRENCY, LIMIT])];
	const scenarios: Scenario[] = [
		{ path: 'noop', label: 'No-Op (the floor’s first term)' },
		...levels.map((level) => ({ path: `node${level}`, label: `MeherY Profile Update, ${level} at once`, concurrency: level })),
		...levels.map((level) => ({ path: `http${level}`, label: `HTTP Request node, batches of ${level}, no interval`, concurrency: level })),
		{ path: 'http', label: `HTTP Request node, batching off, tenant limit ${LIMIT}` },
		{ path: 'http', label: 'HTTP Request node, batching off, no limit at MeherY', tenantLimit: Infinity },
	];
	const workflows = [
		workflow('noop', { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }),
		...levels.map((level) => workflow(`node${level}`, meheryNode(level))),
		...levels.map((level) => workflow(`http${level}`, httpNode(level))),
		workflow('http', httpNode()),
	];
	const n8n = await startN8n({
		name: 'bench-mehery',
		credentials: [
			{ id: 'bench-mehery', name: 'Bench MeherY', type: 'meheryApi', data: { baseUrl: double.baseUrl, tenant: TENANT, apiKey: API_KEY, apiPath: 'xms', allowPrivateNetwork: true, allowPlainHttp: true } },
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
	const runs = new Map<Scenario, Result[]>();
	try {
		await Promise.all(workflows.map((w) => n8n.waitForWebhook(w.id)));
		let round = 0;
		const measure = async (scenario: Scenario, count = N): Promise<Result> => {
			round += 1;
			const profiles = Array.from({ length: count }, (_, i) => ({
				firstName: `First${i}`,
				lastName: `Last${i}`,
				email1: `bench${round}-${i}@example.test`,
				phone1: `+4915${String(round).padStart(3, '0')}${String(i).padStart(7, '0')}`,
			}));
			double.resetCounters();
			double.clearProfiles();
			double.setMaxConcurrentCalls(scenario.tenantLimit ?? LIMIT);
			const started = process.hrtime.bigint();
			const { status } = await rawSend(n8n.webhookUrl(scenario.path), { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles }) });
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			double.setMaxConcurrentCalls(LIMIT);
			return { label: scenario.label, seconds, requests: double.counters.requests, rateLimited: double.counters.rateLimited, stored: double.profiles(TENANT).length, status };
		};
		// Warm-up: n8n compiles and caches on the first runs of each workflow.
		for (const scenario of scenarios) await measure(scenario, 100);
		for (let repeat = 0; repeat < REPEAT; repeat++) {
			for (const scenario of scenarios) {
				const result = await measure(scenario);
				runs.set(scenario, [...(runs.get(scenario) ?? []), result]);
				console.log(`round ${repeat + 1}: ${scenario.label}: ${result.seconds.toFixed(2)} s, HTTP ${result.status}, ${result.stored} stored`);
			}
		}
		const seconds = (scenario: Scenario) => median(runs.get(scenario)!.map((r) => r.seconds));
		const noop = seconds(scenarios[0]);
		const floor = (concurrency: number) => noop + (Math.ceil(N / concurrency) * LATENCY) / 1000;
		console.log(`\nMeherY benchmark: N=${N}, ${LATENCY} ms per call, tenant limit ${LIMIT} calls in flight, body ${BODY}, median of ${REPEAT} rounds in one n8n\n`);
		console.log('| scenario | wall time | floor | vs floor | calls to MeherY | 429 answers | profiles stored (of all rounds) |');
		console.log('|---|---:|---:|---:|---:|---:|---:|');
		for (const scenario of scenarios) {
			const results = runs.get(scenario)!;
			const time = seconds(scenario);
			const floorText = scenario.concurrency === undefined ? '–' : `${floor(scenario.concurrency).toFixed(2)} s`;
			const ratio = scenario.concurrency === undefined ? '–' : `${(time / floor(scenario.concurrency)).toFixed(2)}×`;
			const stored = results.reduce((sum, r) => sum + r.stored, 0);
			console.log(
				`| ${scenario.label} | ${time.toFixed(2)} s | ${floorText} | ${ratio} | ${results[0].requests} | ${results.reduce((sum, r) => sum + r.rateLimited, 0)} | ${stored} of ${N * results.length} |`,
			);
		}
		console.log('');
		for (const level of levels) {
			const ours = seconds(scenarios.find((s) => s.path === `node${level}`)!);
			const http = seconds(scenarios.find((s) => s.path === `http${level}`)!);
			console.log(`${level} at once: HTTP Request (batches of ${level}) ÷ this node = ${(http / ours).toFixed(2)}×; this node ÷ floor = ${(ours / floor(level)).toFixed(2)}× (goal ≤ 1.25)`);
		}
	} finally {
		await n8n.stop();
		await double.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
