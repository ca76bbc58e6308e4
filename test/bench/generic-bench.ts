/**
 * `npm run bench:generic [-- --n 1000 --latency 50 --concurrency 4]`
 *
 * N leads through a real n8n into the Custom-endpoint double (a fixed latency per call), in one
 * benchmark run, each scenario in a fresh n8n:
 *   - the floor's first part: the same items through a No-Op node
 *   - this package's Generic CRM Webhook, Custom preset, one lead per call, --concurrency calls at once
 *   - n8n's HTTP Request node posting the same JSON (it starts every item's call at once)
 * and the floor: No-Op time + ⌈N ÷ concurrency⌉ × latency.
 */
import { startN8n, type CredentialFile, type WorkflowFile } from '../harness/n8n';
import { rawSend } from '../harness/rawHttp';
import { CrmDoubles } from '../doubles/crmDoubles';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const N = arg('n', 1000);
const LATENCY = arg('latency', 50);
const CONCURRENCY = arg('concurrency', 4);
const TOKEN = 'bench-bearer-token-1a2b3c';

interface Scenario {
	label: string;
	node: (double: CrmDoubles) => Record<string, unknown>;
	credential?: (double: CrmDoubles) => CredentialFile;
}

function workflow(scenario: Scenario, double: CrmDoubles): WorkflowFile {
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
				parameters: { fieldToSplitOut: 'body.leads', options: {} },
			},
			{ id: 'target', name: 'Target', position: [440, 0], ...scenario.node(double) },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Target', type: 'main', index: 0 }]] },
		},
	};
}

interface Result {
	label: string;
	calls: number;
	stored: number;
	peakInFlight: number;
	seconds: number;
}

async function run(scenario: Scenario): Promise<Result> {
	const double = new CrmDoubles({ latencyMs: LATENCY });
	await double.start();
	const n8n = await startN8n({
		name: `bench-generic-${scenario.label.replace(/\W+/g, '-')}`,
		credentials: scenario.credential ? [scenario.credential(double)] : [],
		workflows: [workflow(scenario, double)],
		env: { N8N_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', N8N_PAYLOAD_SIZE_MAX: '64' },
	});
	try {
		await n8n.waitForWebhook('bench');
		const leads = Array.from({ length: N }, (_, i) => ({ email: `bench${i}@example.com`, first_name: `First${i}`, last_name: `Last${i}` }));
		const started = process.hrtime.bigint();
		const { status } = await rawSend(n8n.webhookUrl('bench'), { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leads }) });
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		if (status !== 200) throw new Error(`${scenario.label}: webhook answered ${status}`);
		const [execution] = await n8n.waitForExecutions('bench', 1, 600_000);
		if (execution.status !== 'success') throw new Error(`${scenario.label}: execution ${execution.status}`);
		return {
			label: scenario.label,
			calls: double.requestsTo('/custom/').length,
			stored: double.customLeads.length,
			peakInFlight: double.peakInFlight,
			seconds,
		};
	} finally {
		await n8n.stop();
		await double.stop();
	}
}

const scenarios: Scenario[] = [
	{ label: 'No-Op', node: () => ({ type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }) },
	{
		label: 'Generic CRM Webhook (this package)',
		node: () => ({
			type: 'n8n-nodes-contact-sync.genericCrmWebhook',
			typeVersion: 1,
			credentials: { crmWebhookApi: { id: 'bench-crm', name: 'Bench CRM' } },
			parameters: { operation: 'sendLead', autoMap: true, options: { concurrency: CONCURRENCY } },
		}),
		credential: (double) => ({
			id: 'bench-crm',
			name: 'Bench CRM',
			type: 'crmWebhookApi',
			data: {
				preset: 'custom',
				url: double.customUrl(),
				authentication: 'bearer',
				token: TOKEN,
				allowPrivateNetwork: true,
				allowPlainHttp: true,
			},
		}),
	},
	{
		label: "n8n's HTTP Request node (every item's call at once)",
		node: (double) => ({
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: double.customUrl(),
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${TOKEN}` }] },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ email: $json.email, first_name: $json.first_name, last_name: $json.last_name }) }}',
				// Its Batching option only spaces batches by a fixed interval; it cannot cap calls in flight.
				options: {},
			},
		}),
	},
];

async function main(): Promise<void> {
	console.log(`Generic CRM benchmark: N=${N} leads, ${LATENCY} ms per call (Custom double), ${CONCURRENCY} calls at once`);
	const results: Result[] = [];
	for (const scenario of scenarios) {
		process.stdout.write(`running ${scenario.label}… `);
		const result = await run(scenario);
		results.push(result);
		console.log(`${result.seconds.toFixed(2)} s`);
	}
	const noOp = results[0];
	const floor = noOp.seconds + (Math.ceil(N / CONCURRENCY) * LATENCY) / 1000;
	console.log('\n| scenario | leads | calls to the double | leads stored | peak calls in flight | wall time | vs floor |');
	console.log('|---|---:|---:|---:|---:|---:|---:|');
	for (const r of results) {
		const ratio = r === noOp ? '–' : `${(r.seconds / floor).toFixed(2)}×`;
		console.log(`| ${r.label} | ${N} | ${r.calls} | ${r.stored} | ${r.peakInFlight} | ${r.seconds.toFixed(2)} s | ${ratio} |`);
	}
	console.log(
		`| floor: No-Op + ⌈${N} ÷ ${CONCURRENCY}⌉ × ${LATENCY} ms | ${N} | | | | ${floor.toFixed(2)} s | 1.00× |`,
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
