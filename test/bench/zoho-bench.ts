/**
 * `npm run bench:zoho [-- --n 10000 --latency 50 --repeat 3 --on-error continueErrorOutput --builtin --only noop,zoho4]`
 *
 * N contacts through one real n8n into the Zoho double (fixed latency per API call, org
 * concurrency 10), every scenario a workflow of the same n8n, run interleaved --repeat times
 * (median reported):
 *   - the floor: the same items through a No-Op node
 *   - this package's Zoho CRM Upsert Contact, auto-mapping, at 4 and at 10 calls at once
 *   - template style: the fields set by three {{ $json.x }} expressions, auto-map off, next to a
 *     Set node evaluating the same three expressions over the same items
 *   - with --builtin: n8n's built-in Zoho CRM node, contact → upsert (one call per item; slow)
 * The physical floor of a scenario is the No-Op time (or the Set node's, for the template style)
 * plus ⌈batches ÷ concurrency⌉ × per-call latency: the waiting on Zoho no client can avoid.
 */
import { readFileSync } from 'node:fs';
import { startN8n, type CredentialFile, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { rawSend } from '../harness/rawHttp';
import { ZohoDouble } from '../doubles/zohoDouble';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

function textArg(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? process.argv[index + 1] : fallback;
}

const N = arg('n', 10_000);
const LATENCY = arg('latency', 50);
const BUILTIN_N = arg('builtin-n', 1_000);
const REPEAT = arg('repeat', 3);
const ON_ERROR = textArg('on-error', 'continueErrorOutput');
const BATCH = 100;
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret' };

interface Scenario {
	id: string;
	label: string;
	count: number;
	node: Record<string, unknown>;
	/** Calls in flight at once, for the physical floor; undefined: no calls. */
	concurrency?: number;
	/** The scenario whose time is this one's floor without the waiting on Zoho. */
	floorOf?: string;
}

const ZOHO_CREDENTIAL = { zohoCrmRefreshTokenApi: { id: 'bench-cred', name: 'Bench Zoho' } };

function zohoNode(concurrency: number, parameters: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		type: 'n8n-nodes-contact-sync.zohoCrmUpsertContact',
		typeVersion: 1,
		onError: ON_ERROR,
		credentials: ZOHO_CREDENTIAL,
		parameters: { authentication: 'refreshToken', module: 'Contacts', autoMap: true, options: { concurrency }, ...parameters },
	};
}

const TEMPLATE_FIELDS = { Email: '={{ $json.email }}', First_Name: '={{ $json.first_name }}', Last_Name: '={{ $json.last_name }}' };

function workflow(scenario: Scenario): WorkflowFile {
	return {
		id: scenario.id,
		name: `Bench ${scenario.label}`,
		nodes: [
			{
				id: `${scenario.id}-hook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${scenario.id}-hook`,
				parameters: { httpMethod: 'POST', path: scenario.id, responseMode: 'lastNode', responseData: 'noData', options: {} },
			},
			{
				id: `${scenario.id}-split`,
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.contacts', options: {} },
			},
			{ id: `${scenario.id}-target`, name: 'Target', position: [440, 0], ...scenario.node },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Target', type: 'main', index: 0 }]] },
		},
	};
}

/** POST without a client-side timeout: the built-in node takes minutes for 10,000 items. */
async function postWithoutTimeout(url: string, body: string): Promise<number> {
	return (await rawSend(url, { headers: { 'content-type': 'application/json' }, body })).status;
}

function peakRssMb(pid: number | undefined): number {
	if (!pid) return NaN;
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /VmHWM:\s+(\d+) kB/.exec(status);
	return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

interface Result {
	calls: number;
	refreshes: number;
	seconds: number;
	stored: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function runOnce(n8n: N8nProcess, double: ZohoDouble, scenario: Scenario, round: number): Promise<Result> {
	const contacts = Array.from({ length: scenario.count }, (_, i) => ({
		email: `${scenario.id}-${round}-${i}@example.com`,
		first_name: `First${i}`,
		last_name: `Last${i}`,
	}));
	const storedBefore = double.records('Contacts').length;
	double.resetCounters();
	const executionsBefore = (await n8n.executions(scenario.id)).length;
	// The webhook answers when the workflow has finished: the wall time a user waits.
	const started = process.hrtime.bigint();
	const status = await postWithoutTimeout(n8n.webhookUrl(scenario.id), JSON.stringify({ contacts }));
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (status !== 200) throw new Error(`${scenario.label}: webhook answered ${status}`);
	const executions = await n8n.waitForExecutions(scenario.id, executionsBefore + 1, 600_000);
	if (executions[0].status !== 'success') throw new Error(`${scenario.label}: execution ${executions[0].status}`);
	return {
		calls: double.counters.upsertCalls,
		refreshes: double.counters.refreshes,
		seconds,
		stored: double.records('Contacts').length - storedBefore,
	};
}

const scenarios: Scenario[] = [
	{ id: 'noop', label: 'floor: No-Op', count: N, node: { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} } },
	{ id: 'zoho4', label: 'Zoho CRM Upsert Contact, auto-map, 4 calls at once', count: N, node: zohoNode(4), concurrency: 4, floorOf: 'noop' },
	{ id: 'zoho10', label: 'Zoho CRM Upsert Contact, auto-map, 10 calls at once', count: N, node: zohoNode(10), concurrency: 10, floorOf: 'noop' },
	{
		id: 'set3',
		label: 'Set node, the same three {{ $json.x }} expressions',
		count: N,
		node: {
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: Object.entries(TEMPLATE_FIELDS).map(([name, value], index) => ({ id: `a${index}`, name, value, type: 'string' })),
				},
				options: {},
			},
		},
	},
	{
		id: 'template4',
		label: 'Zoho CRM Upsert Contact, three expressions, auto-map off, 4 at once',
		count: N,
		node: zohoNode(4, { autoMap: false, contactFields: TEMPLATE_FIELDS }),
		concurrency: 4,
		floorOf: 'set3',
	},
	{
		id: 'template10',
		label: 'Zoho CRM Upsert Contact, three expressions, auto-map off, 10 at once',
		count: N,
		node: zohoNode(10, { autoMap: false, contactFields: TEMPLATE_FIELDS }),
		concurrency: 10,
		floorOf: 'set3',
	},
];

const BUILTIN: Scenario = {
	id: 'builtin',
	label: 'n8n built-in Zoho CRM, contact → upsert',
	count: BUILTIN_N,
	node: {
		type: 'n8n-nodes-base.zohoCrm',
		typeVersion: 1,
		credentials: { zohoOAuth2Api: { id: 'bench-oauth', name: 'Bench Zoho OAuth2' } },
		parameters: {
			resource: 'contact',
			operation: 'upsert',
			lastName: '={{ $json.last_name }}',
			additionalFields: { Email: '={{ $json.email }}', First_Name: '={{ $json.first_name }}' },
		},
	},
};

function credentials(double: ZohoDouble): CredentialFile[] {
	return [
		{
			id: 'bench-cred',
			name: 'Bench Zoho',
			type: 'zohoCrmRefreshTokenApi',
			data: { dataCenter: 'custom', accountsUrl: double.accountsUrl(), apiUrl: double.apiUrl(), ...CLIENT, refreshToken: 'bench-refresh' },
		},
		{
			id: 'bench-oauth',
			name: 'Bench Zoho OAuth2',
			type: 'zohoOAuth2Api',
			data: {
				...CLIENT,
				authUrl: `${double.accountsUrl()}/oauth/v2/auth`,
				accessTokenUrl: `${double.accountsUrl()}/oauth/v2/token`,
				scope: 'ZohoCRM.modules.ALL',
				authentication: 'body',
				grantType: 'authorizationCode',
				oauthTokenData: {
					access_token: double.mintAccessToken('us', 'bench-refresh'),
					refresh_token: 'bench-refresh',
					api_domain: double.apiUrl(),
					// What Zoho's token endpoint reports; Zoho accepts Bearer beside Zoho-oauthtoken.
					token_type: 'Bearer',
					expires_in: 3600,
				},
			},
		},
	];
}

async function main(): Promise<void> {
	const only = textArg('only', '').split(',').filter(Boolean);
	const chosen = (process.argv.includes('--builtin') ? [...scenarios, BUILTIN] : scenarios).filter(
		(scenario) => only.length === 0 || only.includes(scenario.id),
	);
	console.log(
		`Zoho upsert benchmark: N=${N}, ${LATENCY} ms per Zoho call, org concurrency 10, batches of ${BATCH}, On Error ${ON_ERROR}, median of ${REPEAT} interleaved rounds in one n8n`,
	);
	const double = new ZohoDouble({ clients: [{ ...CLIENT, refreshTokens: ['bench-refresh'] }], maxConcurrentCalls: 10, latencyMs: LATENCY });
	await double.start();
	const n8n = await startN8n({
		name: 'bench-zoho',
		credentials: credentials(double),
		workflows: chosen.map(workflow),
		env: {
			N8N_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
			N8N_PAYLOAD_SIZE_MAX: '64',
			// e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile n8n.
			...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
		},
	});
	const runs = new Map<string, Result[]>();
	try {
		for (const scenario of chosen) await n8n.waitForWebhook(scenario.id);
		// A warm-up round of 200 items per workflow: n8n prepares each workflow on first use.
		for (const scenario of chosen) await runOnce(n8n, double, { ...scenario, count: 200 }, -1);
		let refreshes = 0;
		let stored = 0;
		let sent = 0;
		for (let round = 0; round < REPEAT; round++) {
			for (const scenario of chosen) {
				if (scenario.id === 'builtin' && round > 0) continue;
				const result = await runOnce(n8n, double, scenario, round);
				refreshes += result.refreshes;
				if (scenario.concurrency !== undefined || scenario.id === 'builtin') {
					stored += result.stored;
					sent += scenario.count;
				}
				runs.set(scenario.id, [...(runs.get(scenario.id) ?? []), result]);
				console.log(`round ${round + 1}: ${scenario.label}: ${result.seconds.toFixed(2)} s`);
			}
		}
		const peakMb = peakRssMb(n8n.pid);
		const seconds = (id: string) => median((runs.get(id) ?? []).map((r) => r.seconds));
		console.log('\n| scenario | items | API calls | wall time (median) | physical floor | vs floor |');
		console.log('|---|---:|---:|---:|---:|---:|');
		for (const scenario of chosen) {
			const [first] = runs.get(scenario.id) ?? [];
			const time = seconds(scenario.id);
			let floorText = '–';
			let ratioText = '–';
			if (scenario.concurrency !== undefined && scenario.floorOf) {
				const waiting = Math.ceil(Math.ceil(scenario.count / BATCH) / scenario.concurrency) * (LATENCY / 1000);
				const floor = seconds(scenario.floorOf) + waiting;
				floorText = `${floor.toFixed(2)} s`;
				ratioText = `${(time / floor).toFixed(2)}×`;
			}
			console.log(`| ${scenario.label} | ${scenario.count} | ${first?.calls ?? 0} | ${time.toFixed(2)} s | ${floorText} | ${ratioText} |`);
		}
		console.log(`\ntoken refreshes over all rounds: ${refreshes}; records stored ${stored} of ${sent} sent; peak RSS of n8n: ${peakMb} MB`);
		const builtin = runs.get('builtin')?.[0];
		if (builtin) {
			console.log(`built-in node vs this node, per item: ${(builtin.seconds / BUILTIN_N / (seconds('zoho4') / N)).toFixed(0)}× slower`);
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
