/**
 * n8n in queue mode, the way scaled deployments run it: PostgreSQL and Redis, one main process
 * (editor and API, production webhooks off), one `n8n webhook` process that takes the triggers'
 * HTTP calls, and workers that run the executions. Everything on loopback, in throw-away folders,
 * started and stopped by the suite.
 *
 * PostgreSQL comes from the machine (`/usr/lib/postgresql/<v>/bin`), Redis from `redis-server`
 * (installed with apt-get when missing, as chromium for the editor specs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
	ensureDebianPackage,
	ensureN8nInstalled,
	freePort,
	freePortPair,
	installPackageInto,
	n8nEnvironment,
	n8nTarget,
	N8nProcess,
	packPackage,
	PROJECT_ROOT,
	type CredentialFile,
	type N8nRole,
	type WorkflowFile,
} from './n8n';

const DATABASE = 'n8n';

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** The newest PostgreSQL server binaries on the machine. */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
	if (!versions.length) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
	versions.sort((a, b) => Number(b) - Number(a));
	return path.join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root, it runs as the machine's `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
	const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
	if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, and no postgres user to run PostgreSQL as');
	return { uid, gid };
}

export interface Postgres {
	port: number;
	stop(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBinDir();
	const user = postgresUser();
	// A folder of its own: the postgres user cannot enter the suite's private work folder.
	const dir = mkdtempSync(path.join(tmpdir(), 'n8n-queue-postgres-'));
	if (user) chownSync(dir, user.uid, user.gid);
	const data = path.join(dir, 'data');
	const asUser = user ? { uid: user.uid, gid: user.gid } : {};
	const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
		encoding: 'utf8',
		...asUser,
	});
	if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
	const port = await freePort();
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
	const started = spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start'], {
		encoding: 'utf8',
		...asUser,
	});
	if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}`);
	const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', DATABASE], {
		encoding: 'utf8',
		...asUser,
	});
	if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
	return {
		port,
		stop: async () => {
			spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], { ...asUser });
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export interface Redis {
	port: number;
	stop(): Promise<void>;
}

export async function startRedis(workDir: string): Promise<Redis> {
	const redisServer = ensureDebianPackage('redis-server', 'redis-server');
	const port = await freePort();
	const log = createWriteStream(path.join(workDir, 'redis.log'));
	const child: ChildProcess = spawn(
		redisServer,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workDir],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	await waitFor(
		() =>
			new Promise<boolean>((resolve) => {
				const socket = createConnection({ host: '127.0.0.1', port }, () => {
					socket.write('PING\r\n');
				});
				socket.once('data', (chunk) => {
					socket.destroy();
					resolve(chunk.toString().startsWith('+PONG'));
				});
				socket.once('error', () => resolve(false));
			}),
		'redis',
	);
	return {
		port,
		stop: async () => {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				await exited;
			}
		},
	};
}

/** A RESP command that subscribes: `*<n>\r\n$9\r\nsubscribe\r\n` (or psubscribe), as ioredis sends it. */
const SUBSCRIBE_COMMAND = /\*\d+\r\n\$(9|10)\r\n(p?subscribe|P?SUBSCRIBE)\r\n/;

interface GatedConnection {
	client: Socket;
	upstream: Socket;
	subscriber: boolean;
	/** What the client sent while its subscriptions were held back. */
	held: Buffer[];
	closed: Promise<void>;
}

/**
 * A TCP proxy between one n8n process and Redis that can hold back the process's pub/sub
 * subscriptions. While held, what workers publish (their results: Bull's `global:progress`)
 * never reaches the process and is not replayed later, which is what a webhook process that
 * "never receives a worker's result" (n8n-io/n8n#35219) looks like from outside. Everything
 * else (queueing jobs, reading them) passes unchanged.
 */
export class RedisSubscriptionGate {
	private readonly connections = new Set<GatedConnection>();
	private holding = false;

	private constructor(
		private readonly server: Server,
		readonly port: number,
		private readonly redisPort: number,
	) {}

	static async start(redisPort: number): Promise<RedisSubscriptionGate> {
		const port = await freePort();
		const server = createServer();
		const gate = new RedisSubscriptionGate(server, port, redisPort);
		server.on('connection', (client) => gate.accept(client));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		return gate;
	}

	private accept(client: Socket): void {
		const upstream = createConnection({ host: '127.0.0.1', port: this.redisPort });
		let markClosed: () => void = () => undefined;
		const connection: GatedConnection = { client, upstream, subscriber: false, held: [], closed: new Promise((resolve) => (markClosed = resolve)) };
		this.connections.add(connection);
		client.on('data', (chunk: Buffer) => {
			if (!connection.subscriber && SUBSCRIBE_COMMAND.test(chunk.toString('latin1'))) connection.subscriber = true;
			if (connection.subscriber && this.holding) connection.held.push(chunk);
			else upstream.write(chunk);
		});
		upstream.on('data', (chunk: Buffer) => client.write(chunk));
		// Closed gracefully (FIN), never reset: n8n takes a Redis error other than a refused connection as fatal.
		const close = () => {
			client.end();
			upstream.end();
		};
		client.on('end', close);
		upstream.on('end', close);
		client.on('error', close);
		upstream.on('error', close);
		let open = 2;
		const onClose = () => {
			if (--open > 0) return;
			this.connections.delete(connection);
			markClosed();
		};
		client.on('close', onClose);
		upstream.on('close', onClose);
	}

	/**
	 * Ends the process's subscriber connections and holds back its resubscriptions: from when this
	 * resolves until release(), nothing published reaches the process.
	 */
	async hold(): Promise<void> {
		this.holding = true;
		const subscribers = [...this.connections].filter((connection) => connection.subscriber && connection.held.length === 0);
		for (const connection of subscribers) {
			connection.client.end();
			connection.upstream.end();
		}
		await withDeadline(Promise.all(subscribers.map(async (connection) => await connection.closed)), 30_000, 'the subscriber connections to close');
	}

	/** Lets the held subscriptions through: the process hears new messages again, not the ones it missed. */
	release(): void {
		this.holding = false;
		for (const connection of this.connections) {
			for (const chunk of connection.held.splice(0)) connection.upstream.write(chunk);
		}
	}

	async stop(): Promise<void> {
		for (const connection of this.connections) {
			connection.client.destroy();
			connection.upstream.destroy();
		}
		await new Promise((resolve) => this.server.close(resolve));
	}
}

async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
	});
	try {
		return await Promise.race([promise, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

export interface QueueOptions {
	name: string;
	workflows: WorkflowFile[];
	credentials: CredentialFile[];
	/** How many `n8n worker` processes; default 2. */
	workers?: number;
	/** Environment for every process. */
	env?: Record<string, string>;
}

/** A queue-mode deployment: main, one webhook process, workers, and the Postgres and Redis they share. */
export class QueueDeployment {
	webhook!: N8nProcess;
	readonly workers: N8nProcess[] = [];
	/** Between the webhook process and Redis: holds back the workers' results on demand. */
	webhookResults!: RedisSubscriptionGate;

	private constructor(
		readonly workDir: string,
		readonly main: N8nProcess,
		private readonly sharedEnv: Record<string, string>,
		private readonly tarball: string,
		private readonly name: string,
		private readonly postgres: Postgres,
		private readonly redis: Redis,
	) {}

	static async start(options: QueueOptions): Promise<QueueDeployment> {
		const install = ensureN8nInstalled(n8nTarget());
		const workDir = mkdtempSync(path.join(tmpdir(), `n8n-queue-${options.name}-`));
		const postgres = await startPostgres();
		const redis = await startRedis(workDir).catch(async (error: unknown) => {
			await postgres.stop();
			throw error;
		});
		const sharedEnv: Record<string, string> = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: DATABASE,
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			...options.env,
		};
		const tarball = packPackage(path.join(workDir, 'pack'));
		const mainPort = await freePortPair();
		const main = QueueDeployment.process(install, workDir, 'main', 'start', mainPort, tarball, options.name, {
			...sharedEnv,
			// Production webhooks go to the webhook process only.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		});
		const deployment = new QueueDeployment(workDir, main, sharedEnv, tarball, options.name, postgres, redis);
		try {
			deployment.webhookResults = await RedisSubscriptionGate.start(redis.port);
			const importDir = path.join(workDir, 'import');
			mkdirSync(path.join(importDir, 'workflows'), { recursive: true });
			writeFileSync(path.join(importDir, 'credentials.json'), JSON.stringify(options.credentials));
			main.cli(['import:credentials', `--input=${path.join(importDir, 'credentials.json')}`]);
			for (const workflow of options.workflows) {
				writeFileSync(path.join(importDir, 'workflows', `${workflow.id}.json`), JSON.stringify({ active: false, settings: {}, ...workflow }));
			}
			main.cli(['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`]);
			for (const workflow of options.workflows) main.activate(workflow.id);
			await main.start();
			await deployment.startWebhookProcess();
			for (let index = 0; index < (options.workers ?? 2); index++) {
				const worker = QueueDeployment.process(install, workDir, `worker${index + 1}`, 'worker', await freePortPair(), tarball, options.name, sharedEnv);
				deployment.workers.push(worker);
				await worker.start();
			}
		} catch (error) {
			await deployment.stop();
			throw error;
		}
		return deployment;
	}

	private static process(
		install: ReturnType<typeof ensureN8nInstalled>,
		workDir: string,
		label: string,
		role: N8nRole,
		port: number,
		tarball: string,
		name: string,
		env: Record<string, string>,
	): N8nProcess {
		// Each process has its own user folder with the package installed, as separate machines would.
		const userFolder = path.join(workDir, label);
		mkdirSync(userFolder, { recursive: true });
		if (!existsSync(path.join(userFolder, '.n8n', 'nodes', 'node_modules'))) installPackageInto(userFolder, tarball);
		const logDir = path.join(PROJECT_ROOT, '.test-work');
		mkdirSync(logDir, { recursive: true });
		const logFile = path.join(logDir, `${name}-queue-${label}-${port}.log`);
		return new N8nProcess(install, userFolder, port, n8nEnvironment(userFolder, port, env), logFile, true, false, role);
	}

	/** Production webhook URLs are served by the webhook process. */
	webhookUrl(webhookPath: string): string {
		return this.webhook.webhookUrl(webhookPath);
	}

	/** Starts the webhook process (again): a new process with nothing in memory, on a new port. */
	async startWebhookProcess(): Promise<void> {
		const install = this.main.install;
		this.webhook = QueueDeployment.process(install, this.workDir, 'webhook', 'webhook', await freePortPair(), this.tarball, this.name, {
			...this.sharedEnv,
			QUEUE_BULL_REDIS_PORT: String(this.webhookResults.port),
		});
		await this.webhook.start();
	}

	async restartWebhookProcess(): Promise<void> {
		await this.webhook.stop();
		await this.startWebhookProcess();
	}

	/** Every process's log, for a failure report. */
	logFiles(): string[] {
		return [this.main, this.webhook, ...this.workers].filter(Boolean).map((process) => process.logFile);
	}

	async stop(): Promise<void> {
		for (const process of [...this.workers, this.webhook, this.main]) await process?.stop().catch(() => undefined);
		await this.webhookResults?.stop();
		await this.redis.stop();
		await this.postgres.stop();
		rmSync(this.workDir, { recursive: true, force: true });
	}
}
