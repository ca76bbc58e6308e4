/**
 * `npm run bench:zoho [-- --n 10000 --latency 50 --builtin-n 10000]`
 *
 * N contacts through a real n8n into the Zoho double (fixed latency per API
 * call, Standard edition concurrency of 10), three ways, each in a fresh n8n:
 *   - this package's Zoho CRM Upsert Contact (batches of 100, --concurrency calls at once, default 4)
 *   - n8n's built-in Zoho CRM node, contact → upsert (its OAuth2 credential
 *     pointed at the double)
 *   - the floor: the same items through a No-Op node
 * Prints API calls, token refreshes, execution time, peak memory and ratios.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startN8n, type CredentialFile, type WorkflowFile } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const N = arg('n', 10_000);
const LATENCY = arg('latency', 50);
const BUILTIN_N = arg('builtin-n', N);
/** The node's Concurrent Calls option (its default is 4, under the Free edition's 5). */
const CONCURRENCY = arg('concurrency', 4);
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret' };

interface Scenario {
	label: string;
	count: number;
	node: Record<string, unknown>;
	credential?: (double: ZohoDouble) => CredentialFile;
}

function workflow(scenario: Scenario): WorkflowFile {
	return {
		id: 'bench',
		name: `Bench ${scenario.label}`,
		nodes: [
			{
				id: 'hook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'bench-hook',
				parameters: { httpMethod: 'POST', path: 'bench', responseMode: 'lastNode', responseData: 'noData', options: {} },
			},
			{
				id: 'split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.contacts', options: {} },
			},
			{ id: 'target', name: 'Target', position: [440, 0], ...scenario.node },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Target', type: 'main', index: 0 }]] },
		},
	};
}

/** POST without a client-side timeout: the built-in node takes minutes for 10,000 items. */
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

function peakRssMb(pid: number | undefined): number {
	if (!pid) return NaN;
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /VmHWM:\s+(\d+) kB/.exec(status);
	return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

function currentRssMb(pid: number | undefined): number {
	if (!pid) return NaN;
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

interface Result {
	label: string;
	count: number;
	calls: number;
	refreshes: number;
	seconds: number;
	idleMb: number;
	peakMb: number;
	stored: number;
}

async function run(scenario: Scenario): Promise<Result> {
	const double = new ZohoDouble({
		clients: [{ ...CLIENT, refreshTokens: ['bench-refresh'] }],
		maxConcurrentCalls: 10,
		latencyMs: LATENCY,
	});
	await double.start();
	const n8n = await startN8n({
		name: `bench-${scenario.label.replace(/\W+/g, '-')}`,
		credentials: scenario.credential ? [scenario.credential(double)] : [],
		workflows: [workflow(scenario)],
		env: { N8N_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', N8N_PAYLOAD_SIZE_MAX: '64' },
	});
	try {
		await n8n.waitForWebhook('bench');
		const idleMb = currentRssMb(n8n.pid);
		const contacts = Array.from({ length: scenario.count }, (_, i) => ({
			email: `bench${i}@example.com`,
			first_name: `First${i}`,
			last_name: `Last${i}`,
		}));
		double.resetCounters();
		// The webhook answers when the workflow has finished: the wall time a user waits.
		const started = process.hrtime.bigint();
		const status = await postWithoutTimeout(n8n.webhookUrl('bench'), JSON.stringify({ contacts }));
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		if (status !== 200) {
			const [failed] = await n8n.executions('bench');
			const detail = failed ? (await n8n.executionData(failed.id)).resultData.error?.message : 'no execution';
			throw new Error(`${scenario.label}: webhook answered ${status}: ${detail}`);
		}
		const [execution] = await n8n.waitForExecutions('bench', 1, 600_000);
		if (execution.status !== 'success') throw new Error(`${scenario.label}: execution ${execution.status}`);
		return {
			label: scenario.label,
			count: scenario.count,
			calls: double.counters.upsertCalls,
			refreshes: double.counters.refreshes,
			seconds,
			idleMb,
			peakMb: peakRssMb(n8n.pid),
			stored: double.records('Contacts').length,
		};
	} finally {
		await n8n.stop();
		await double.stop();
	}
}

const scenarios: Scenario[] = [
	{
		label: 'floor (No-Op)',
		count: N,
		node: { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
	},
	{
		label: 'this package',
		count: N,
		node: {
			type: 'n8n-nodes-contact-sync.zohoCrmUpsertContact',
			typeVersion: 1,
			credentials: { zohoCrmRefreshTokenApi: { id: 'bench-cred', name: 'Bench Zoho' } },
			parameters: { authentication: 'refreshToken', module: 'Contacts', autoMap: true, options: { concurrency: CONCURRENCY } },
		},
		credential: (double) => ({
			id: 'bench-cred',
			name: 'Bench Zoho',
			type: 'zohoCrmRefreshTokenApi',
			data: { dataCenter: 'custom', accountsUrl: double.accountsUrl(), apiUrl: double.apiUrl(), ...CLIENT, refreshToken: 'bench-refresh' },
		}),
	},
	{
		label: 'n8n built-in Zoho CRM',
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
		credential: (double) => ({
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
		}),
	},
];

async function main(): Promise<void> {
	const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
	console.log(
		`Zoho upsert benchmark: N=${N} (built-in: ${BUILTIN_N}), ${LATENCY} ms per Zoho call, org concurrency 10, node concurrency ${CONCURRENCY}`,
	);
	const results: Result[] = [];
	for (const scenario of scenarios) {
		if (only && !scenario.label.includes(only)) continue;
		process.stdout.write(`running ${scenario.label}… `);
		const result = await run(scenario);
		results.push(result);
		console.log(`${result.seconds.toFixed(1)} s`);
	}
	console.log('\n| scenario | items | API calls | token refreshes | wall time | per 1,000 items | peak RSS (idle) | records in double |');
	console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
	for (const r of results) {
		console.log(
			`| ${r.label} | ${r.count} | ${r.calls} | ${r.refreshes} | ${r.seconds.toFixed(2)} s | ${((r.seconds / r.count) * 1000).toFixed(3)} s | ${r.peakMb} MB (${r.idleMb} MB) | ${r.stored} |`,
		);
	}
	const ours = results.find((r) => r.label === 'this package');
	const builtin = results.find((r) => r.label.startsWith('n8n built-in'));
	const floor = results.find((r) => r.label.startsWith('floor'));
	const perItem = (r: Result) => r.seconds / r.count;
	if (ours && builtin) console.log(`\nspeed vs built-in node: ${(perItem(builtin) / perItem(ours)).toFixed(1)}× faster per item`);
	if (ours && floor) console.log(`time vs floor (No-Op): ${(perItem(ours) / perItem(floor)).toFixed(2)}×`);
	if (ours) console.log(`calls per 100 items: ${((ours.calls / ours.count) * 100).toFixed(2)} (goal ≤ 1)`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
