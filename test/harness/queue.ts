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
import { createConnection } from 'node:net';
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
		this.webhook = QueueDeployment.process(install, this.workDir, 'webhook', 'webhook', await freePortPair(), this.tarball, this.name, this.sharedEnv);
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
		await this.redis.stop();
		await this.postgres.stop();
		rmSync(this.workDir, { recursive: true, force: true });
	}
}
