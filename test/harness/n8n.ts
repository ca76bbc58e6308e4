/**
 * Drives a real, stock n8n process for end-to-end tests and benchmarks.
 *
 * The package is installed the way Settings → Community Nodes installs it: its
 * `npm pack` tarball is unpacked into `<user folder>/.n8n/nodes/node_modules/`,
 * so node types carry the package name (`n8n-nodes-contact-sync.*`), exactly as
 * in a user's workflows. n8n runs on its embedded SQLite in a throw-away user
 * folder, on free loopback ports, and is stopped with its whole process group.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseFlatted } from 'flatted';
import { rawSend } from './rawHttp';

/** The repository root, whether this file runs from test/ (jest) or compiled (.build-scripts/). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
	for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'test', 'harness', 'install-n8n.sh'))) return dir;
	}
	throw new Error(`no project root above ${start}`);
}
export const PACKAGE_NAME = 'n8n-nodes-contact-sync';
const OWNER = { email: 'owner@example.test', firstName: 'Test', lastName: 'Owner', password: 'Harness-Passw0rd!' };
const ENCRYPTION_KEY = 'contact-sync-test-encryption-key';
const READY_LOG_LINE = 'Editor is now accessible via';
/** Upper bounds on the harness's own calls to n8n (not expectations of speed): no wait is unbounded. */
const STATUS_POLL_TIMEOUT_MS = 10_000;
const REST_TIMEOUT_MS = 300_000;

/**
 * The n8n the harness runs: 2.41.1 on Node 24 by default; `N8N_VERSION=1.123.81`
 * (the last 1.x line) runs on Node 22, the oldest Node its isolated-vm builds on.
 */
export const DEFAULT_N8N_VERSION = '2.41.1';
const NODE_FOR_N8N_MAJOR: Record<number, string> = { 1: '22.23.5', 2: '24.21.0' };

export interface N8nTarget {
	version: string;
	major: number;
	nodeVersion: string;
}

export function n8nTarget(env: NodeJS.ProcessEnv = process.env): N8nTarget {
	const version = env.N8N_VERSION || DEFAULT_N8N_VERSION;
	const major = Number(version.split('.')[0]);
	const nodeVersion = env.N8N_NODE_VERSION || NODE_FOR_N8N_MAJOR[major];
	if (!nodeVersion) throw new Error(`no Node.js version known for n8n ${version}; set N8N_NODE_VERSION`);
	return { version, major, nodeVersion };
}

export interface N8nInstall extends N8nTarget {
	nodeBin: string;
	n8nBin: string;
}

/** Installs (or reuses from the cache) the pinned Node and n8n of the target. */
export function ensureN8nInstalled(target: N8nTarget = n8nTarget()): N8nInstall {
	const script = path.join(PROJECT_ROOT, 'test', 'harness', 'install-n8n.sh');
	const result = spawnSync('bash', [script], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, N8N_VERSION: target.version, N8N_NODE_VERSION: target.nodeVersion },
	});
	if (result.status !== 0) throw new Error(`installing n8n ${target.version} failed (exit ${result.status})`);
	const [, nodeBinDir, n8nDir] = result.stdout.trim().split('\n').pop()!.split('|');
	return {
		...target,
		nodeBin: path.join(nodeBinDir, 'node'),
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** A binary the suites need from the machine, installed with apt-get when missing (test/harness/ensure-debian-package.sh). */
export function ensureDebianPackage(binary: string, debianPackage: string): string {
	const script = path.join(PROJECT_ROOT, 'test', 'harness', 'ensure-debian-package.sh');
	const result = spawnSync('bash', [script, binary, debianPackage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	if (result.status !== 0) throw new Error(`${debianPackage} is missing (see the message above)`);
	return result.stdout.trim().split('\n').pop()!;
}

/** Packs the built package (dist/ must exist) and returns the tarball path. */
export function packPackage(destination: string): string {
	mkdirSync(destination, { recursive: true });
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', destination], {
		cwd: PROJECT_ROOT,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
	return path.join(destination, result.stdout.trim().split('\n').pop()!);
}

/** Unpacks a package tarball where n8n's community-package installer would put it. */
export function installPackageInto(userFolder: string, tarball: string): void {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	const result = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
	if (result.status !== 0) throw new Error(`unpacking ${tarball} failed`);
	writeFileSync(
		path.join(userFolder, '.n8n', 'nodes', 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: 'file:' + tarball } }),
	);
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}
export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StartOptions {
	/** Used in the user folder's name and log file, to find them after a failure. */
	name: string;
	workflows?: WorkflowFile[];
	credentials?: CredentialFile[];
	/** Workflows to publish (activate) before start; default: every workflow given. */
	publish?: string[];
	env?: Record<string, string>;
	/** Fixed port (npm start uses 5678); default: a free one. */
	port?: number;
	userFolder?: string;
	/** Skip installing the package (a control run of stock n8n). */
	withoutPackage?: boolean;
	keepUserFolder?: boolean;
	/** Also print n8n's log (npm start). */
	logToConsole?: boolean;
	/** Which n8n to run; default from N8N_VERSION (see n8nTarget). */
	target?: N8nTarget;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
}

/** Which n8n process: the main one (`n8n start`), or a queue-mode webhook process or worker. */
export type N8nRole = 'start' | 'webhook' | 'worker';

/** What each role prints once it is ready for work. */
const ROLE_READY_LINE: Record<N8nRole, string> = {
	start: READY_LOG_LINE,
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
};

export class N8nProcess {
	private child?: ChildProcess;
	private cookie = '';
	private exited?: Promise<void>;

	constructor(
		readonly install: N8nInstall,
		readonly userFolder: string,
		readonly port: number,
		readonly env: Record<string, string>,
		readonly logFile: string,
		private readonly keepUserFolder: boolean,
		private readonly logToConsole = false,
		readonly role: N8nRole = 'start',
	) {}

	/** Process id of the n8n main process (for memory readings). */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath}`;
	}

	/** Runs an n8n CLI command against this instance's user folder and database. */
	cli(args: string[]): string {
		const result = spawnSync(this.install.nodeBin, [this.install.n8nBin, ...args], {
			env: this.env,
			encoding: 'utf8',
			timeout: 180_000,
		});
		if (result.status !== 0) {
			throw new Error(`n8n ${args.join(' ')} failed (${result.status}): ${result.stdout}\n${result.stderr}`);
		}
		return result.stdout;
	}

	/** Activates a workflow from the CLI; takes effect when n8n (re)starts. */
	activate(workflowId: string): void {
		// 2.x separates saving from publishing; 1.x has only the active flag.
		if (this.install.major >= 2) this.cli(['publish:workflow', `--id=${workflowId}`]);
		else this.cli(['update:workflow', `--id=${workflowId}`, '--active=true']);
	}

	async start(): Promise<void> {
		const log = createWriteStream(this.logFile, { flags: 'a' });
		this.child = spawn(this.install.nodeBin, [this.install.n8nBin, this.role], {
			env: this.env,
			detached: true, // its own process group, so stop() also ends the task runner
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child.stdout!.pipe(log);
		this.child.stderr!.pipe(log);
		if (this.logToConsole) {
			this.child.stdout!.pipe(process.stdout);
			this.child.stderr!.pipe(process.stderr);
		}
		const child = this.child;
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
		// Both 1.x and 2.x print this line only after activating the published
		// workflows; /healthz/readiness answers earlier.
		const readyLine = ROLE_READY_LINE[this.role];
		// n8n logs its ready line at info level: below that (a benchmark's 'warn') it never shows,
		// and readiness plus the caller's own waitForWebhook are all there is to go by.
		let ready = !['info', 'debug'].includes(this.env.N8N_LOG_LEVEL ?? 'info') && this.role !== 'worker';
		let tail = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			// Searched before trimming: at debug level the line can sit deep inside a long chunk.
			const text = tail + chunk.toString('utf8');
			if (text.includes(readyLine)) ready = true;
			tail = text.slice(-200);
		});
		// A worker serves no HTTP: its log line is the only sign.
		await this.waitUntil(
			async () => ready && (this.role === 'worker' || (await this.fetchStatus('/healthz/readiness')) === 200),
			`n8n ${this.role} readiness`,
		);
		if (this.role === 'start') await this.setupOwner();
	}

	/** Polls until `check` is true, failing with the log's tail if n8n dies or time runs out. */
	async waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 180_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let exitedEarly = false;
		void this.exited?.then(() => (exitedEarly = true));
		for (;;) {
			if (exitedEarly) throw new Error(`n8n exited while waiting for ${what}; log: ${this.logFile}`);
			if (await check().catch(() => false)) return;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log: ${this.logFile}`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	private async fetchStatus(urlPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<number> {
		// Bounded, so a poll that n8n never answers counts as "not yet" and waitUntil's deadline holds.
		const response = await fetch(this.baseUrl + urlPath, { method, headers, signal: AbortSignal.timeout(STATUS_POLL_TIMEOUT_MS) });
		await response.arrayBuffer();
		return response.status;
	}

	/**
	 * Production webhooks register a moment after readiness. A CORS preflight (an
	 * OPTIONS with an Origin) makes n8n look the path up: 404 until it is registered.
	 * Without an Origin, n8n answers every OPTIONS with 204.
	 */
	async waitForWebhook(webhookPath: string, method = 'POST'): Promise<void> {
		await this.waitUntil(async () => await this.servesWebhook(webhookPath, method), `webhook ${webhookPath}`);
	}

	/**
	 * Waits until n8n no longer serves the webhook: n8n 2.x unpublishes through an outbox drained
	 * after the REST call returns, and runs the trigger's delete hook before it drops the webhook.
	 */
	async waitForWebhookGone(webhookPath: string, method = 'POST'): Promise<void> {
		await this.waitUntil(async () => !(await this.servesWebhook(webhookPath, method)), `webhook ${webhookPath} removed`);
	}

	private async servesWebhook(webhookPath: string, method: string): Promise<boolean> {
		const status = await this.fetchStatus(`/webhook/${webhookPath}`, 'OPTIONS', { origin: 'http://127.0.0.1', 'access-control-request-method': method });
		return status === 204;
	}

	private async setupOwner(): Promise<void> {
		const response = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'contact-sync-harness' },
			body: JSON.stringify(OWNER),
		});
		if (!response.ok) {
			// Already set up (a reused user folder): log in instead.
			const login = await fetch(`${this.baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': 'contact-sync-harness' },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
			});
			if (!login.ok) throw new Error(`owner login failed: ${login.status} ${await login.text()}`);
			this.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
			return;
		}
		await response.arrayBuffer();
		this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
	}

	/** Calls n8n's internal REST API as the owner (what the editor does). */
	async rest<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; data: T }> {
		// A connection of its own per call (fetch would reuse one that n8n's keep-alive timeout may be
		// closing just then on a loaded machine: "other side closed"), and a POST is never resent.
		const response = await rawSend(`${this.baseUrl}/rest${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'contact-sync-harness',
				cookie: this.cookie,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(REST_TIMEOUT_MS),
		}).catch((error: unknown) => {
			throw new Error(`n8n REST ${method} /rest${urlPath} got no answer: ${(error as Error).message}; log: ${this.logFile}`);
		});
		const text = response.body;
		let parsed: { data?: T } | undefined;
		try {
			parsed = JSON.parse(text) as { data?: T };
		} catch {
			parsed = undefined;
		}
		return { status: response.status, data: (parsed?.data ?? parsed ?? text) as T };
	}

	/** Node and credential type names n8n has loaded. */
	async nodeTypeNames(): Promise<string[]> {
		const response = await fetch(`${this.baseUrl}/types/nodes.json`, { headers: { cookie: this.cookie } });
		const types = (await response.json()) as Array<{ name: string }>;
		return types.map((t) => t.name);
	}

	async credentialTypeNames(): Promise<string[]> {
		const response = await fetch(`${this.baseUrl}/types/credentials.json`, { headers: { cookie: this.cookie } });
		const types = (await response.json()) as Array<{ name: string }>;
		return types.map((t) => t.name);
	}

	/** Every execution (of one workflow), newest first; n8n pages its list by 100. */
	async executions(workflowId?: string): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let cursor: string | null | undefined;
		do {
			const params = new URLSearchParams({ limit: '100' });
			if (workflowId) params.set('filter', JSON.stringify({ workflowId }));
			if (cursor) params.set('cursor', cursor);
			const { status, data } = await this.rest<{ results: ExecutionSummary[]; nextCursor?: string | null }>(
				'GET',
				`/executions?${params.toString()}`,
			);
			if (status !== 200) throw new Error(`listing executions failed: ${status} ${JSON.stringify(data)}`);
			all.push(...data.results);
			cursor = data.nextCursor;
		} while (cursor);
		return all;
	}

	/** Waits until `count` executions of a workflow have finished (any status). */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 120_000): Promise<ExecutionSummary[]> {
		let latest: ExecutionSummary[] = [];
		await this.waitUntil(
			async () => {
				latest = (await this.executions(workflowId)).filter((e) => !['running', 'new', 'waiting'].includes(e.status));
				return latest.length >= count;
			},
			`${count} executions of ${workflowId}`,
			timeoutMs,
		);
		return latest;
	}

	/** The run data of one execution: node name → output items per run (main outputs). */
	async executionData(executionId: string): Promise<ExecutionData> {
		const { status, data } = await this.rest<{ data: string; status: string }>('GET', `/executions/${executionId}`);
		if (status !== 200) throw new Error(`reading execution ${executionId} failed: ${status}`);
		return parseFlatted(data.data) as ExecutionData;
	}

	/** Output items of a node in an execution: [outputIndex][item].json */
	async nodeOutput(executionId: string, nodeName: string): Promise<Array<Array<Record<string, unknown>>>> {
		const data = await this.executionData(executionId);
		const runs = data.resultData.runData[nodeName];
		if (!runs) return [];
		const outputs = runs[0].data?.main ?? [];
		return outputs.map((items) => (items ?? []).map((item) => item.json));
	}

	async testCredential(credential: { id?: string; name: string; type: string; data: Record<string, unknown> }) {
		return await this.rest<{ status: string; message: string }>('POST', '/credentials/test', { credentials: credential });
	}

	async stop(): Promise<void> {
		const child = this.child;
		if (child?.pid && child.exitCode === null) {
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				// already gone
			}
			const killTimer = setTimeout(() => {
				try {
					process.kill(-child.pid!, 'SIGKILL');
				} catch {
					// already gone
				}
			}, 20_000);
			await this.exited;
			clearTimeout(killTimer);
			// Anything of its group still alive (task runner) goes too.
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// none left
			}
		}
		if (!this.keepUserFolder) rmSync(this.userFolder, { recursive: true, force: true });
	}
}

export interface ExecutionData {
	resultData: {
		error?: { message: string; description?: string };
		runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message: string } }>>;
		lastNodeExecuted?: string;
	};
}

export function n8nEnvironment(userFolder: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	// Only what n8n needs from ours: PATH and HOME; the rest is set explicitly.
	for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key]!;
	return {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_RUNNERS_BROKER_PORT: String(port + 1),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_PRUNE: 'false',
		N8N_RELEASE_TYPE: 'dev',
		...extra,
	};
}

/** Two consecutive free ports (n8n and its task broker). */
export async function freePortPair(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await freePort();
		if (port < 65000 && (await isPortFree(port + 1))) return port;
	}
	throw new Error('no free port pair on loopback');
}

async function isPortFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * Starts n8n with this package installed, the given credentials and workflows
 * imported and published, and an owner account logged in for REST calls.
 */
export async function startN8n(options: StartOptions): Promise<N8nProcess> {
	const install = ensureN8nInstalled(options.target ?? n8nTarget());
	const workRoot = path.join(PROJECT_ROOT, '.test-work');
	mkdirSync(workRoot, { recursive: true });
	const userFolder = options.userFolder ?? mkdtempSync(path.join(tmpdir(), `n8n-${options.name}-`));
	const port = options.port ?? (await freePortPair());
	const env = n8nEnvironment(userFolder, port, options.env);
	const logFile = path.join(workRoot, `${options.name}-n8n${install.version}-${port}.log`);
	const n8n = new N8nProcess(install, userFolder, port, env, logFile, options.keepUserFolder ?? false, options.logToConsole);

	if (!options.withoutPackage) {
		const tarball = packPackage(path.join(userFolder, 'pack'));
		installPackageInto(userFolder, tarball);
	}
	const importDir = path.join(userFolder, 'import');
	mkdirSync(importDir, { recursive: true });
	if (options.credentials?.length) {
		const file = path.join(importDir, 'credentials.json');
		writeFileSync(file, JSON.stringify(options.credentials));
		n8n.cli(['import:credentials', `--input=${file}`]);
	}
	if (options.workflows?.length) {
		const dir = path.join(importDir, 'workflows');
		mkdirSync(dir, { recursive: true });
		for (const workflow of options.workflows) {
			// One file per workflow id: without an id every workflow would overwrite the last one.
			if (!workflow.id) throw new Error(`workflow "${workflow.name}" has no id to import it by`);
			writeFileSync(path.join(dir, `${workflow.id}.json`), JSON.stringify({ active: false, settings: {}, ...workflow }));
		}
		n8n.cli(['import:workflow', '--separate', `--input=${dir}`]);
		for (const id of options.publish ?? options.workflows.map((w) => w.id)) n8n.activate(id);
	}
	try {
		await n8n.start();
	} catch (error) {
		await n8n.stop();
		throw error;
	}
	return n8n;
}

/** Lists leftover user folders of earlier runs (diagnostics). */
export function leftoverUserFolders(): string[] {
	return readdirSync(tmpdir()).filter((name) => name.startsWith('n8n-'));
}
