/**
 * `npm run bench:zoho-trigger [-- --rounds-1 100 --rounds-10 50 --rounds-100 20 --warmup 5]`
 *
 * Records per second and acknowledgement time (median, p99) of the Zoho CRM Trigger in its
 * default mode (Automatic, Acknowledge After Success) for Zoho notifications carrying 1, 10 and
 * 100 record ids, next to n8n's own nodes doing the same job: a Webhook node (responseMode
 * lastNode) receiving the same notification and an HTTP Request node reading the same records
 * from the same Zoho double (`GET /crm/v8/Contacts?ids=…&fields=…`), then Split Out. A third
 * row is the Webhook node alone (receiving only, reading nothing), the floor of any answer.
 * Same n8n process, one client, the workflows taking turns notification by notification; every
 * notification names fresh records, so the trigger's redelivery check drops nothing.
 *   - trigger:          Zoho CRM Trigger (reads the records itself, 100 ids per call) → No Operation
 *   - webhook+http:     Webhook → HTTP Request (Zoho token as header) → Split Out `data` → No Operation
 *   - webhook:          Webhook → No Operation
 * Acknowledgement = notification sent → whole answer received (the run has ended by then).
 * records/s = records acknowledged / the sum of their acknowledgement times.
 * Writes the table to .test-work/zoho-trigger-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { PROJECT_ROOT, startN8n, type CredentialFile, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications } from '../doubles/zohoNotifications';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const SIZES = [1, 10, 100];
const ROUNDS: Record<number, number> = { 1: arg('rounds-1', 100), 10: arg('rounds-10', 50), 100: arg('rounds-100', 20) };
const WARMUP = arg('warmup', 5);
const PKG = 'n8n-nodes-contact-sync';
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-secret-71c2', refreshTokens: ['bench-refresh'] };
const FIELDS = 'Email,First_Name,Last_Name,Phone,Mobile,Date_of_Birth,Modified_Time,Created_Time';
const NO_OP = { name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };

function zohoCredential(zoho: ZohoDouble): CredentialFile {
	return {
		id: 'bench-zoho',
		name: 'Bench Zoho',
		type: 'zohoCrmRefreshTokenApi',
		data: { dataCenter: 'custom', accountsUrl: zoho.accountsUrl(), apiUrl: zoho.apiUrl(), clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, refreshToken: CLIENT.refreshTokens[0] },
	};
}

function triggerWorkflow(credential: CredentialFile): WorkflowFile {
	return {
		id: 'trigger',
		name: 'Bench Zoho CRM Trigger',
		nodes: [
			{
				id: 'trigger-node',
				name: 'Zoho CRM Trigger',
				type: `${PKG}.zohoCrmTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'trigger',
				credentials: { zohoCrmRefreshTokenApi: { id: credential.id, name: credential.name } },
				parameters: { source: 'notifications', module: 'Contacts', events: ['create', 'edit'], responseMode: 'lastNode' },
			},
			{ id: 'trigger-noop', position: [220, 0], ...NO_OP },
		],
		connections: { 'Zoho CRM Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	};
}

function webhookWorkflow(id: string, zoho: ZohoDouble, accessToken: string | undefined): WorkflowFile {
	const hook = {
		id: `${id}-hook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: id,
		parameters: { httpMethod: 'POST', path: id, responseMode: 'lastNode', responseData: 'noData', options: {} },
	};
	if (accessToken === undefined) {
		return { id, name: `Bench ${id}`, nodes: [hook, { id: `${id}-noop`, position: [220, 0], ...NO_OP }], connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } } };
	}
	return {
		id,
		name: `Bench ${id}`,
		nodes: [
			hook,
			{
				id: `${id}-read`,
				name: 'Read Records',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					url: `=${zoho.apiUrl()}/crm/v8/Contacts?ids={{ $json.body.ids.join(',') }}&fields=${FIELDS}`,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Zoho-oauthtoken ${accessToken}` }] },
					options: {},
				},
			},
			{ id: `${id}-split`, name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [440, 0], parameters: { fieldToSplitOut: 'data', options: {} } },
			{ id: `${id}-noop`, position: [660, 0], ...NO_OP },
		],
		connections: {
			Webhook: { main: [[{ node: 'Read Records', type: 'main', index: 0 }]] },
			'Read Records': { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
		},
	};
}

function percentile(sorted: number[], p: number): number {
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

interface Row {
	idsPerNotification: number;
	workflow: string;
	notifications: number;
	non200: number;
	recordsPerSecond: number;
	medianAckMs: number;
	p99AckMs: number;
}

async function post(n8n: N8nProcess, webhookPath: string, body: unknown): Promise<{ status: number; ms: number }> {
	const started = performance.now();
	const response = await fetch(n8n.webhookUrl(webhookPath), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	await response.arrayBuffer();
	return { status: response.status, ms: performance.now() - started };
}

async function main(): Promise<void> {
	const zoho = new ZohoDouble({ clients: [CLIENT] });
	const notifications = new ZohoNotifications(zoho);
	await zoho.start();
	const credential = zohoCredential(zoho);
	// The HTTP Request node gets a token minted once, as a user would paste it.
	const accessToken = zoho.mintAccessToken();
	const n8n = await startN8n({
		name: 'zoho-trigger-bench',
		credentials: [credential],
		workflows: [triggerWorkflow(credential), webhookWorkflow('webhook-http', zoho, accessToken), webhookWorkflow('webhook', zoho, undefined)],
		env: { N8N_LOG_LEVEL: 'warn' },
	});
	const rows: Row[] = [];
	try {
		const targets = [
			{ name: 'trigger', path: 'trigger/zoho-crm' },
			{ name: 'webhook+http', path: 'webhook-http' },
			{ name: 'webhook', path: 'webhook' },
		];
		for (const target of targets) await n8n.waitForWebhook(target.path);
		await n8n.waitUntil(async () => notifications.liveChannels().length === 1, 'the trigger’s subscription');
		const [channel] = notifications.liveChannels();
		const notification = (ids: string[]) => ({
			server_time: Date.now(),
			query_params: {},
			module: 'Contacts',
			resource_uri: `${zoho.apiUrl()}/crm/v8/Contacts`,
			ids,
			operation: 'insert',
			channel_id: channel.channelId,
			token: channel.token,
		});
		// Until n8n has saved the channel, the trigger answers 503.
		await n8n.waitUntil(async () => (await post(n8n, 'trigger/zoho-crm', { ...notification([]), token: 'wrong' })).status === 401, 'the saved channel');
		let serial = 0;
		for (const size of SIZES) {
			const logs = new Map(targets.map((target) => [target.name, [] as Array<{ status: number; ms: number }>]));
			for (let round = 0; round < WARMUP + ROUNDS[size]; round++) {
				const records = zoho.seedRecords(
					'Contacts',
					Array.from({ length: size }, () => {
						serial++;
						return { Last_Name: `Bench${serial}`, First_Name: 'Zoe', Email: `bench${serial}@example.test`, Phone: '+44 20 7946 0000', Date_of_Birth: '1990-01-02' };
					}),
				);
				const body = notification(records.map((record) => record.id));
				for (const target of targets) {
					const result = await post(n8n, target.path, body);
					if (round >= WARMUP) logs.get(target.name)!.push(result);
				}
			}
			for (const target of targets) {
				const log = logs.get(target.name)!;
				const ack = log.map((entry) => entry.ms).sort((a, b) => a - b);
				const acknowledged = log.filter((entry) => entry.status === 200);
				const round = (value: number) => Math.round(value * 10) / 10;
				rows.push({
					idsPerNotification: size,
					workflow: target.name,
					notifications: log.length,
					non200: log.length - acknowledged.length,
					recordsPerSecond: Math.round((acknowledged.length * size) / (acknowledged.reduce((sum, entry) => sum + entry.ms, 0) / 1000)),
					medianAckMs: round(percentile(ack, 50)),
					p99AckMs: round(percentile(ack, 99)),
				});
			}
		}
		const executions = await n8n.executions();
		const report = {
			n8n: n8n.install.version,
			clients: 1,
			warmupPerSize: WARMUP,
			executionsRecorded: executions.length,
			executionsFailed: executions.filter((execution) => execution.status !== 'success').length,
			zohoRecordReads: zoho.requests.filter((request) => request.method === 'GET' && request.path.includes('/Contacts?')).length,
			rows,
		};
		console.table(rows);
		console.log(JSON.stringify(report, null, 2));
		const out = path.join(PROJECT_ROOT, '.test-work', 'zoho-trigger-bench.json');
		mkdirSync(path.dirname(out), { recursive: true });
		writeFileSync(out, JSON.stringify(report, null, 2));
		console.log(`written to ${out}`);
	} finally {
		await n8n.stop();
		notifications.stop();
		await zoho.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
