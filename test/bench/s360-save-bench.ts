/**
 * `npm run bench:s360-save [-- --n 300 --limit 60 --window 2000 --latency 20 --repeat 3]`
 *
 * N contacts posted in one request to a Webhook node ("When Last Node Finishes", all entries),
 * split into one item each, saved in S-360 against the contact-service double, whose load limiter
 * accepts `--limit` calls per `--window` ms (S-360's per-minute limit compressed in time) and
 * refuses the rest with 509, counting every arrival. Timed from the request to the answer.
 *
 *   - S-360 Save Contact (this package), Always Create (one call per contact), its credential set
 *     to the same limit and window.
 *   - each also as two runs started at once with half the contacts each: the limit is the
 *     institution's, whatever number of executions call it.
 *   - n8n's HTTP Request node as a user would set it against the same limit: Batching with
 *     `limit` items per batch and a `window` ms interval, On Error: Continue. It cannot sign a JWT
 *     per call, so the caller signs one per contact beforehand; its double accepts tokens up to
 *     10 minutes old (S-360 accepts one second: with the real check every batch after the first
 *     would be refused for a stale iat, which this bench leaves out to compare the rate alone).
 *
 * The floor is ⌈N ÷ limit⌉ windows; the table gives each scenario's median wall time and its ratio
 * to the floor, the 509s received, the calls sent past the limit (arrivals beyond the limit in any
 * window), and the contacts lost (not stored in the double).
 */
import { createHmac } from 'node:crypto';
import { startN8n, type CredentialFile, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { S360ContactDouble, type S360Partner } from '../doubles/s360ContactDouble';

function arg(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

const N = arg('n', 300);
const LIMIT = arg('limit', 60);
const WINDOW_MS = arg('window', 2000);
const LATENCY = arg('latency', 20);
const REPEAT = arg('repeat', 3);
const SECRET = 'bench-s360-secret-2b7d9e4f';
const PARTNER: S360Partner = { institution: 'BENCH', virtualOperator: 'BENCH_B2C', partnerName: 'ContactSync', secret: SECRET };
const PKG = 'n8n-nodes-contact-sync';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
function signJwt(now = Date.now()): string {
	const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(JSON.stringify({ sub: PARTNER.institution, aud: PARTNER.virtualOperator, iss: PARTNER.partnerName, iat: now, exp: now + 30_000 }));
	return `${head}.${payload}.${createHmac('sha256', SECRET).update(`${head}.${payload}`).digest('base64url')}`;
}

function workflow(id: string, target: Record<string, unknown>): WorkflowFile {
	return {
		id,
		name: `bench ${id}`,
		nodes: [
			{
				id: `${id}-webhook`,
				name: 'Contacts',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id,
				parameters: { httpMethod: 'POST', path: id, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				id: `${id}-split`,
				name: 'Split',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [200, 0],
				parameters: { fieldToSplitOut: 'body.contacts', include: 'noOtherFields', options: {} },
			},
			{ id: `${id}-target`, name: 'Target', position: [400, 0], ...target },
		],
		connections: {
			Contacts: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Target', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

interface Scenario {
	id: string;
	label: string;
	double: S360ContactDouble;
	/** Contacts as the caller posts them. */
	contacts: (round: number) => Array<Record<string, unknown>>;
	/** Runs started at once, each with its share of the contacts (one credential, one limit). */
	runs: number;
}

interface Round {
	ms: number;
	refusals: number;
	pastLimit: number;
	lost: number;
	failedItems: number;
	/** The distinct errors of failed items. */
	errors: string[];
}

async function runRound(n8n: N8nProcess, scenario: Scenario, round: number): Promise<Round> {
	scenario.double.reset();
	// Let the previous round's calls leave every window (the node's limiter and the double's).
	await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
	const contacts = scenario.contacts(round);
	const share = Math.ceil(contacts.length / scenario.runs);
	const started = Date.now();
	const answers = await Promise.all(
		Array.from({ length: scenario.runs }, async (_, run) => {
			const response = await fetch(n8n.webhookUrl(scenario.id), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ contacts: contacts.slice(run * share, (run + 1) * share) }),
			});
			return await response.text();
		}),
	);
	const ms = Date.now() - started;
	const items = answers.flatMap((text) => {
		try {
			return JSON.parse(text) as Array<Record<string, unknown>>;
		} catch {
			return [];
		}
	});
	const stored = new Set([...scenario.double.contacts.values()].map((contact) => String(contact.individualContact.email)));
	const lost = contacts.filter((contact) => !stored.has(String(contact.Email).toLowerCase())).length;
	return {
		ms,
		refusals: scenario.double.rateRefusals,
		pastLimit: Math.max(0, scenario.double.maxArrivalsInAnyWindow(WINDOW_MS) - LIMIT),
		lost,
		failedItems: items.filter((item) => item.error !== undefined).length,
		errors: [...new Set(items.filter((item) => item.error !== undefined).map((item) => (typeof item.error === 'object' ? JSON.stringify(item.error).slice(0, 200) : String(item.error))))],
	};
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
	const nodeDouble = new S360ContactDouble({ partner: PARTNER, limit: LIMIT, windowMs: WINDOW_MS, latencyMs: LATENCY });
	const httpDouble = new S360ContactDouble({ partner: PARTNER, limit: LIMIT, windowMs: WINDOW_MS, latencyMs: LATENCY, maxTokenAgeMs: 600_000 });
	await Promise.all([nodeDouble.start(), httpDouble.start()]);
	const credential: CredentialFile = {
		id: 'bench-s360',
		name: 'Bench S-360',
		type: 's360ContactApi',
		data: {
			baseUrl: nodeDouble.baseUrl,
			institution: PARTNER.institution,
			virtualOperator: PARTNER.virtualOperator,
			partnerName: PARTNER.partnerName,
			secret: SECRET,
			serviceVersion: 'v2_21',
			rateLimit: LIMIT,
			rateWindowSeconds: WINDOW_MS / 1000,
			allowPrivateNetwork: true,
			allowPlainHttp: true,
		},
	};
	const nodeWorkflow = workflow('bench-s360-node', {
		type: `${PKG}.s360SaveContact`,
		typeVersion: 1,
		onError: 'continueRegularOutput',
		credentials: { s360ContactApi: { id: credential.id, name: credential.name } },
		parameters: { inputFields: 'autoMap', withoutContactNumber: 'create', options: {} },
	});
	const httpWorkflow = workflow('bench-s360-http', {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		onError: 'continueRegularOutput',
		parameters: {
			method: 'POST',
			url: `${httpDouble.baseUrl}/tnco/backend-apis/contactInformationPublicService/v2_21/saveIndividualContactData`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Authorization', value: '=Bearer {{ $json.jwt }}' }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ individualContactData: { individualContact: { lastName: $json.Last_Name, email: $json.Email } } }) }}',
			options: { batching: { batch: { batchSize: LIMIT, batchInterval: WINDOW_MS } } },
		},
	});
	const n8n = await startN8n({ name: 'bench-s360-save', credentials: [credential], workflows: [nodeWorkflow, httpWorkflow] });
	try {
		await Promise.all([nodeWorkflow.id, httpWorkflow.id].map((path) => n8n.waitForWebhook(path)));
		const people = (round: number, prefix: string) =>
			Array.from({ length: N }, (_, i) => ({ Last_Name: `Bench${i}`, Email: `${prefix}${round}-${i}@example.test` }));
		const httpContacts = (round: number, prefix: string) => people(round, prefix).map((contact) => ({ ...contact, jwt: signJwt() }));
		const httpLabel = `HTTP Request, batching ${LIMIT} / ${WINDOW_MS} ms`;
		const scenarios: Scenario[] = [
			{ id: nodeWorkflow.id, label: 'S-360 Save Contact, one run', double: nodeDouble, runs: 1, contacts: (round) => people(round, 'node') },
			{ id: httpWorkflow.id, label: `${httpLabel}, one run`, double: httpDouble, runs: 1, contacts: (round) => httpContacts(round, 'http') },
			{ id: nodeWorkflow.id, label: 'S-360 Save Contact, two runs at once', double: nodeDouble, runs: 2, contacts: (round) => people(round, 'node2-') },
			{ id: httpWorkflow.id, label: `${httpLabel}, two runs at once`, double: httpDouble, runs: 2, contacts: (round) => httpContacts(round, 'http2-') },
		];
		const floorMs = Math.ceil(N / LIMIT) * WINDOW_MS;
		const results = new Map<string, Round[]>(scenarios.map((scenario) => [scenario.label, []]));
		for (let round = 0; round < REPEAT; round++) {
			for (const scenario of scenarios) results.get(scenario.label)!.push(await runRound(n8n, scenario, round));
		}
		const lines = [
			`${N} contacts, limit ${LIMIT} calls per ${WINDOW_MS} ms window (double latency ${LATENCY} ms), median of ${REPEAT} rounds; floor ⌈N ÷ limit⌉ windows = ${floorMs} ms`,
			'',
			'| scenario | wall time | × floor | 509s | calls past the limit | contacts lost | failed items |',
			'|---|---|---|---|---|---|---|',
			...scenarios.map((scenario) => {
				const rounds = results.get(scenario.label)!;
				const ms = median(rounds.map((r) => r.ms));
				const worst = (pick: (r: Round) => number) => Math.max(...rounds.map(pick));
				return `| ${scenario.label} | ${ms} ms | ${(ms / floorMs).toFixed(2)} | ${worst((r) => r.refusals)} | ${worst((r) => r.pastLimit)} | ${worst((r) => r.lost)} | ${worst((r) => r.failedItems)} |`;
			}),
			'',
			'509s, calls past the limit, contacts lost and failed items: the worst round.',
			...scenarios.flatMap((scenario) => {
				const errors = [...new Set(results.get(scenario.label)!.flatMap((round) => round.errors))];
				return errors.length ? [`${scenario.label}: ${errors.slice(0, 3).join(' | ')}`] : [];
			}),
		];
		process.stdout.write(`${lines.join('\n')}\n`);
	} finally {
		await n8n.stop();
		await Promise.all([nodeDouble.stop(), httpDouble.stop()]);
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
