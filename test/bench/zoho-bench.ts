/**
 * `npm run bench:zoho [-- --n 10000 --latency 50 --repeat 5 --on-error continueErrorOutput --builtin --only noop,zoho4,zoho10,v2zoho4,v2zoho10]`
 *
 * What a user waits for: N contacts posted to a Webhook node that answers when the last node has
 * finished ("When Last Node Finishes", its default First Entry JSON answer), through Split Out into
 * the node under test, timed from the request to the answer. n8n answers that webhook only after it
 * has saved the execution (its workflowExecuteAfter hooks run before the answer), and it saves every
 * execution with its data as a default install does (the harness's EXECUTIONS_DATA_SAVE_* are n8n's
 * defaults; this bench changes none): so every item a node outputs is serialised and stored inside
 * the time measured. Each round checks that the saved execution holds the node's N output items.
 *
 * Every scenario is a workflow of the same n8n, run interleaved --repeat times after a warm-up;
 * the Zoho double answers each call `--latency` ms after it arrived, with an org concurrency of 10.
 *   - the floor: the same workflow, the same items, a No-Op node in place of the target
 *   - this package's Zoho CRM Upsert Contact with its defaults (auto-mapping, On Error = Stop
 *     Workflow unless --on-error says otherwise), at 4 and at 10 calls at once, in version 1 and in
 *     version 2 (Map Fields on Map Automatically, as a node added today)
 *   - template style: the fields set by three {{ $json.x }} expressions, auto-map off, next to a
 *     Set node evaluating the same three expressions over the same items
 *   - with --builtin: n8n's built-in Zoho CRM node, contact → upsert (one call per item; slow)
 * The contacts look like a real export (ten columns: eight Zoho has a field for, an id and a
 * timestamp it has not); --columns 3 sends only email and the two names.
 * The physical floor of a scenario in a round is that round's No-Op time (or the Set node's, for
 * the template style) plus ⌈batches ÷ concurrency⌉ × per-call latency: the waiting on Zoho no
 * client can avoid. The table gives medians, and the range of the per-round ratios.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
const REPEAT = arg('repeat', 5);
/** The node's On Error setting; unset, as in a node just added: Stop Workflow. */
const ON_ERROR = textArg('on-error', '');
const WARM_UP_N = arg('warm-up-n', 1_000);
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

/** Version 2, as a node added today has it: Map Fields (n8n's resource mapper) on Map Automatically, matched on Email. */
function zohoNodeV2(concurrency: number): Record<string, unknown> {
	return {
		...zohoNode(concurrency),
		typeVersion: 2,
		parameters: {
			authentication: 'refreshToken',
			module: 'Contacts',
			columns: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: ['Email'], schema: [] },
			options: { concurrency },
		},
	};
}

const ZOHO_CREDENTIAL = { zohoCrmRefreshTokenApi: { id: 'bench-cred', name: 'Bench Zoho' } };

function zohoNode(concurrency: number, parameters: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		type: 'n8n-nodes-contact-sync.zohoCrmUpsertContact',
		typeVersion: 1,
		...(ON_ERROR ? { onError: ON_ERROR } : {}),
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
				// Answers with the last node's first item, as the node does by default in this mode.
				parameters: { httpMethod: 'POST', path: scenario.id, responseMode: 'lastNode', options: {} },
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
	/** CPU time the n8n process spent from the request to the answer: less noisy than wall time on a busy machine. */
	cpuSeconds: number;
}

// The Zoho double runs in this process: the garbage of this process's own bookkeeping (bodies,
// the saved executions read back) is collected before each timed run, never by a pause of the
// double in the middle of one, which would add to Zoho's latency a wait no real Zoho has.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** User + system CPU time of a process so far, in seconds (Linux /proc). */
function cpuSecondsOf(pid: number | undefined): number {
	if (!pid) return NaN;
	// Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** Columns per contact: 10 (default) as below, or 3 (email and the two names alone). */
const COLUMNS = arg('columns', 10);

/** A contact as an export or a form tool sends it: some columns Zoho has a field for, some not. */
function contact(prefix: string, i: number): Record<string, string> {
	if (COLUMNS === 3) return { email: `${prefix}-${i}@example.com`, first_name: `First${i}`, last_name: `Last${i}` };
	return {
		id: `${prefix}-${i}`,
		email: `${prefix}-${i}@example.com`,
		first_name: `First${i}`,
		last_name: `Last${i}`,
		phone: `+1 212 555 ${String(i % 10_000).padStart(4, '0')}`,
		company: `Company ${i % 500}`,
		job_title: i % 2 ? 'Buyer' : 'Engineer',
		city: 'Berlin',
		country: 'Germany',
		created_at: '2024-11-05T09:30:00Z',
	};
}

async function runOnce(n8n: N8nProcess, double: ZohoDouble, scenario: Scenario, round: number): Promise<Result> {
	const contacts = Array.from({ length: scenario.count }, (_, i) => contact(`${scenario.id}-${round}`, i));
	const body = JSON.stringify({ contacts });
	double.resetCounters();
	const executionsBefore = (await n8n.executions(scenario.id)).length;
	collectGarbage();
	// From the request to the webhook's answer, which n8n sends once the workflow has finished
	// and its execution is saved: the wall time a user waits.
	const cpuBefore = cpuSecondsOf(n8n.pid);
	const started = process.hrtime.bigint();
	const status = await postWithoutTimeout(n8n.webhookUrl(scenario.id), body);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const cpuSeconds = cpuSecondsOf(n8n.pid) - cpuBefore;
	if (status !== 200) throw new Error(`${scenario.label}: webhook answered ${status}`);
	const executions = await n8n.waitForExecutions(scenario.id, executionsBefore + 1, 600_000);
	if (executions[0].status !== 'success') throw new Error(`${scenario.label}: execution ${executions[0].status}`);
	// The saved execution holds every item the target output: nothing was left unsaved.
	const saved = (await n8n.nodeOutput(executions[0].id, 'Target'))[0] ?? [];
	if (saved.length !== scenario.count) throw new Error(`${scenario.label}: ${saved.length} of ${scenario.count} output items saved`);
	return {
		calls: double.counters.upsertCalls,
		refreshes: double.counters.refreshes,
		seconds,
		cpuSeconds,
	};
}

const scenarios: Scenario[] = [
	{ id: 'noop', label: 'floor: No-Op', count: N, node: { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} } },
	{ id: 'zoho4', label: 'Zoho CRM Upsert Contact, auto-map, 4 calls at once', count: N, node: zohoNode(4), concurrency: 4, floorOf: 'noop' },
	{ id: 'zoho10', label: 'Zoho CRM Upsert Contact, auto-map, 10 calls at once', count: N, node: zohoNode(10), concurrency: 10, floorOf: 'noop' },
	{ id: 'v2zoho4', label: 'Zoho CRM Upsert Contact v2, Map Automatically, 4 calls at once', count: N, node: zohoNodeV2(4), concurrency: 4, floorOf: 'noop' },
	{ id: 'v2zoho10', label: 'Zoho CRM Upsert Contact v2, Map Automatically, 10 calls at once', count: N, node: zohoNodeV2(10), concurrency: 10, floorOf: 'noop' },
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
	const saving = Object.entries(n8n.env)
		.filter(([name]) => name.startsWith('EXECUTIONS_DATA_SAVE'))
		.map(([name, value]) => `${name}=${value}`);
	console.log(
		`Zoho upsert benchmark: N=${N} contacts of ${COLUMNS} columns, ${LATENCY} ms per Zoho call, org concurrency 10, batches of ${BATCH}, On Error ${ON_ERROR || 'unset (Stop Workflow)'}, ${REPEAT} interleaved rounds in one n8n; execution saving: ${saving.join(' ') || 'n8n defaults'}`,
	);
	const runs = new Map<string, Result[]>();
	try {
		for (const scenario of chosen) await n8n.waitForWebhook(scenario.id);
		// A warm-up round per workflow: n8n prepares each workflow on first use, and V8 compiles.
		for (const scenario of chosen) await runOnce(n8n, double, { ...scenario, count: scenario.id === 'builtin' ? 50 : WARM_UP_N }, -1);
		let refreshes = 0;
		let sent = 0;
		// Read once before and once after the rounds: the double copies every record it holds.
		const storedBefore = double.records('Contacts').length;
		for (let round = 0; round < REPEAT; round++) {
			for (const scenario of chosen) {
				if (scenario.id === 'builtin' && round > 0) continue;
				const result = await runOnce(n8n, double, scenario, round);
				refreshes += result.refreshes;
				if (scenario.concurrency !== undefined || scenario.id === 'builtin') sent += scenario.count;
				runs.set(scenario.id, [...(runs.get(scenario.id) ?? []), result]);
				console.log(`round ${round + 1}: ${scenario.label}: ${result.seconds.toFixed(2)} s (n8n CPU ${result.cpuSeconds.toFixed(2)} s)`);
			}
		}
		const peakMb = peakRssMb(n8n.pid);
		const stored = double.records('Contacts').length - storedBefore;
		const seconds = (id: string) => median((runs.get(id) ?? []).map((r) => r.seconds));
		console.log('\n| scenario | items | API calls | wall time (median) | physical floor (median) | vs floor | per round | n8n CPU (median) |');
		console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
		for (const scenario of chosen) {
			const results = runs.get(scenario.id) ?? [];
			const time = seconds(scenario.id);
			let floorText = '–';
			let ratioText = '–';
			let roundsText = '–';
			if (scenario.concurrency !== undefined && scenario.floorOf) {
				const waiting = Math.ceil(Math.ceil(scenario.count / BATCH) / scenario.concurrency) * (LATENCY / 1000);
				const floors = (runs.get(scenario.floorOf) ?? []).map((floorRun) => floorRun.seconds + waiting);
				// Each round against the floor measured in the same round, next to it.
				const ratios = results.map((result, round) => result.seconds / floors[round]).sort((a, b) => a - b);
				floorText = `${median(floors).toFixed(2)} s`;
				ratioText = `${(time / median(floors)).toFixed(2)}×`;
				roundsText = `${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}×`;
			}
			console.log(
				`| ${scenario.label} | ${scenario.count} | ${results[0]?.calls ?? 0} | ${time.toFixed(2)} s | ${floorText} | ${ratioText} | ${roundsText} | ${median(results.map((r) => r.cpuSeconds)).toFixed(2)} s |`,
			);
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
