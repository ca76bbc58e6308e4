/**
 * The Ory → Zoho and S-360 → Zoho templates in n8n's queue mode: PostgreSQL, Redis, a main
 * process, one `n8n webhook` process taking the triggers' calls and two `n8n worker`s running the
 * executions (test/harness/queue.ts). What only a multi-process deployment shows:
 * - one Zoho token for the whole deployment, not one per worker;
 * - Zoho calls of both workers against an org that allows 5 at once: 429s absorbed, nothing lost;
 * - a redelivery taken by another process than the first delivery syncs nothing twice.
 * The senders behave as the real ones (test/doubles/orySender.ts, s360Sender.ts): Ory gives an
 * attempt 30 s and tries 3 times; S-360 gives a POST 60 s and resends the bucket on its next run.
 * So when n8n 2.41's webhook process never receives a worker's result (n8n-io/n8n#35219, a few
 * runs in ten), the request is not waited on forever: the sender gives up on it and retries, and
 * the specs check that the record still reached Zoho exactly once.
 * Figures are printed for the README and the closing note.
 */
import { readFileSync } from 'node:fs';

import { QueueDeployment } from '../harness/queue';
import { ZohoDouble } from '../doubles/zohoDouble';
import { S360Sender } from '../doubles/s360Sender';
import { OrySender, type OryDelivery, type OrySenderOptions } from '../doubles/orySender';
import { s360Contacts, type ContactDataResult } from '../doubles/fixtures/s360/contacts';
import {
	oryBody,
	oryHeaderCredential,
	oryHeaders,
	oryIdentity,
	oryWebhookPath,
	oryZohoCredential,
	templateWorkflow,
	ZOHO_CLIENT,
} from '../e2e/fixtures/oryFixtures';
import { S360_TOKEN, s360TemplateWorkflow, s360TokenCredential, s360WebhookPath } from '../e2e/fixtures/s360Fixtures';

const ORY = 'queue-ory';
const S360 = 'queue-s360';
/** The same template with a credential whose token no process has seen yet. */
const S360_COLD = 'queue-s360-cold';
const DETAILS = ['GENERAL', 'ADDRESSES', 'AUTHORIZATIONS', 'CRITERIA'];
/** Zoho Free: 5 calls at once per org. Each worker's limiter allows the node's 4, so two workers exceed it. */
const ORG_CONCURRENCY = 5;

describe('queue mode: main, a webhook process and two workers on Postgres and Redis', () => {
	const double = new ZohoDouble({
		clients: [{ ...ZOHO_CLIENT, refreshTokens: ['queue-refresh', 'queue-cold-refresh'] }],
		maxConcurrentCalls: ORG_CONCURRENCY,
	});
	const ory = oryHeaderCredential('queue-ory-auth');
	const s360 = s360TokenCredential('queue-s360-auth');
	let zoho: ReturnType<typeof oryZohoCredential>;
	let zohoCold: ReturnType<typeof oryZohoCredential>;
	let deployment: QueueDeployment;
	let nextContact = 1;

	function contacts(count: number, prefix: string): ContactDataResult[] {
		const batch = s360Contacts('v2_21', count, { prefix, first: nextContact, changedAt: '2026-12-01T10:00:00' });
		nextContact += count;
		return batch;
	}

	function emailOf(contact: ContactDataResult): string {
		const individual = contact.individualContact as { email?: string };
		const [address] = (contact.addresses ?? []) as Array<{ email?: string }>;
		return (individual.email ?? address?.email)!;
	}

	function sender(options: { bucketSize: number; workflowId?: string }): S360Sender {
		return new S360Sender({
			url: deployment.webhookUrl(s360WebhookPath(options.workflowId ?? S360)),
			details: DETAILS,
			bucketSize: options.bucketSize,
			batchSize: 1000,
			auth: { type: 'customParameter', name: 'token', value: S360_TOKEN, in: 'query' },
		});
	}

	/** S-360 senders, each with `perSender` new contacts queued; returns them and what they hold. */
	function queuedSenders(count: number, perSender: number, prefix: string, options: { bucketSize: number; workflowId?: string }) {
		const senders = Array.from({ length: count }, () => sender(options));
		const sent = senders.map((s) => {
			const batch = contacts(perSender, prefix);
			s.change(...batch);
			return batch;
		});
		return { senders, sent };
	}

	/** One registration delivered as Ory does: up to 3 attempts of 30 s, one trigger id (test/doubles/orySender.ts). */
	async function deliverOry(email: string, triggerId: string, onAttempt?: OrySenderOptions['onAttempt']): Promise<OryDelivery> {
		const identity = oryIdentity({ email, name: { first: 'Queue', last: email.split('@')[0] } });
		const ory = new OrySender({ url: deployment.webhookUrl(oryWebhookPath(ORY)), headers: oryHeaders(null), onAttempt });
		return await ory.deliver(JSON.stringify(oryBody('seed', 'registration', identity)), triggerId);
	}

	/** Attempts Ory gave up on after its 30 s: an answer lost (n8n-io/n8n#35219) or only late (a loaded queue). */
	function timedOutAttempts(delivery: OryDelivery): number {
		return delivery.attempts.filter((attempt) => attempt.outcome === 'timeout').length;
	}

	/**
	 * What a delivery ended with, for the assertions: `acknowledged` (an attempt answered 200),
	 * `answer lost` (no 200, but an attempt timed out: its run went on in a worker and the webhook
	 * process never got the result, so it holds the delivery as running and answers Ory's later
	 * attempts 503), else the statuses seen. Either way the record's count at Zoho is checked apart.
	 */
	function outcomeOf(delivery: OryDelivery): string {
		if (delivery.attempts.some((attempt) => attempt.outcome === 200)) return 'acknowledged';
		const lost = delivery.attempts.findIndex((attempt) => attempt.outcome === 'timeout');
		if (lost >= 0 && delivery.attempts.slice(lost + 1).every((attempt) => attempt.outcome === 503 || attempt.outcome === 'timeout')) {
			return 'answer lost';
		}
		return delivery.attempts.map((attempt) => String(attempt.outcome)).join(',');
	}

	/** S-360 POSTs its sender gave up on without an answer (the 60 s processing timeout) or whose connection dropped. */
	function s360Unanswered(senders: S360Sender[]): number {
		return senders.reduce((sum, s) => sum + s.log.filter((entry) => entry.status === 0).length, 0);
	}

	function storedTimes(email: string): number {
		return double.records('Contacts').filter((record) => record.Email === email).length;
	}

	/** How many upsert calls Zoho accepted (2xx) that carried a record with this email. */
	function upsertsOf(email: string): number {
		return double.requests.filter(
			(request) =>
				request.path.endsWith('/Contacts/upsert') &&
				request.status !== undefined &&
				request.status < 300 &&
				((request.body as { data?: Array<{ Email?: string }> })?.data ?? []).some((r) => r.Email === email),
		).length;
	}

	/** Executions each worker ran, from the workers' own logs. */
	function executionsPerWorker(): number[] {
		return deployment.workers.map((worker) => (readFileSync(worker.logFile, 'utf8').match(/Worker started execution/g) ?? []).length);
	}

	beforeAll(async () => {
		await double.start();
		zoho = oryZohoCredential('queue-zoho', double, 'queue-refresh');
		zohoCold = oryZohoCredential('queue-zoho-cold', double, 'queue-cold-refresh');
		deployment = await QueueDeployment.start({
			name: 'queue',
			credentials: [ory, s360, zoho, zohoCold],
			workflows: [templateWorkflow(ORY, ory, zoho), s360TemplateWorkflow(S360, s360, zoho), s360TemplateWorkflow(S360_COLD, s360, zohoCold)],
		});
		await deployment.webhook.waitForWebhook(s360WebhookPath(S360));
		await deployment.webhook.waitForWebhook(s360WebhookPath(S360_COLD));
		await deployment.webhook.waitForWebhook(oryWebhookPath(ORY));
	}, 300_000);

	afterAll(async () => {
		await deployment?.stop();
		await double.stop();
	}, 120_000);

	it('mints one Zoho token for the first run and stores it with the credential', async () => {
		const first = contacts(1, 'warm');
		const s = sender({ bucketSize: 1 });
		s.change(...first);
		await s.drain();
		expect(s.counters.acknowledged).toBe(1);
		expect(storedTimes(emailOf(first[0]))).toBe(1);
		expect(upsertsOf(emailOf(first[0]))).toBe(1);
		expect(double.counters.tokenRequests).toBe(1);
	});

	it('runs both flows on both workers against an org allowing 5 calls at once: 429s absorbed, nothing lost, no second token', async () => {
		// Slow enough that the calls of both workers overlap: each worker keeps to the node's 4, together up to 8.
		double.setLatency(150);
		const tokenRequestsBefore = double.counters.tokenRequests;
		const rateLimitedBefore = double.counters.rateLimited;
		const { senders, sent } = queuedSenders(8, 100, 'load', { bucketSize: 10 });
		const oryEmails = Array.from({ length: 30 }, (_, n) => `ory-queue-${n}@example.test`);
		const [, oryDeliveries] = await Promise.all([
			Promise.all(senders.map(async (s) => await s.drain())),
			Promise.all(oryEmails.map(async (email, n) => await deliverOry(email, `queue-trigger-${n}`))),
		]);
		double.setLatency(0);

		const s360Emails = sent.flat().map(emailOf);
		const lost = [...s360Emails, ...oryEmails].filter((email) => storedTimes(email) === 0).length;
		const duplicated = [...s360Emails, ...oryEmails].filter((email) => storedTimes(email) > 1).length;
		const perWorker = executionsPerWorker();
		// Why a run failed (and its sender retried), for the figures.
		const failedRuns = [...(await deployment.main.executions(ORY)), ...(await deployment.main.executions(S360))].filter((e) => e.status === 'error');
		const failures = await Promise.all(
			failedRuns.map(async (execution) => (await deployment.main.executionData(execution.id)).resultData.error?.message ?? 'unknown'),
		);
		const figures = {
			contacts: s360Emails.length + oryEmails.length,
			s360Deliveries: senders.reduce((sum, s) => sum + s.counters.deliveries, 0),
			s360Retries: senders.reduce((sum, s) => sum + s.counters.retries, 0),
			s360Drops: senders.reduce((sum, s) => sum + s.counters.drops, 0),
			s360Unanswered: s360Unanswered(senders),
			oryOutcomes: [...new Set(oryDeliveries.flatMap((delivery) => delivery.attempts.map((attempt) => attempt.outcome)))],
			oryRetries: oryDeliveries.reduce((sum, delivery) => sum + delivery.attempts.length - 1, 0),
			oryAttemptsTimedOut: oryDeliveries.reduce((sum, delivery) => sum + timedOutAttempts(delivery), 0),
			executionsPerWorker: perWorker,
			failedRuns: failures,
			zohoCallsInFlightMax: double.counters.maxConcurrentSeen,
			orgLimit: ORG_CONCURRENCY,
			rateLimited: double.counters.rateLimited - rateLimitedBefore,
			tokenRefreshes: double.counters.tokenRequests - tokenRequestsBefore,
			lost,
			duplicated,
		};
		console.log(`queue mode, load: ${JSON.stringify(figures)}`);

		expect(perWorker.every((count) => count > 0)).toBe(true);
		// Each worker's limiter holds the node's Concurrent Calls (4); only the org's 429s bound the sum.
		expect(figures.zohoCallsInFlightMax).toBeLessThanOrEqual(4 * deployment.workers.length);
		expect(oryDeliveries.map(outcomeOf).filter((outcome) => outcome !== 'acknowledged' && outcome !== 'answer lost')).toEqual([]);
		expect(figures.s360Drops).toBe(0);
		expect(lost).toBe(0);
		expect(duplicated).toBe(0);
		expect(figures.tokenRefreshes).toBe(0);
	});

	it('renews a token Zoho rejects at most once per process, and the processes share what one of them stored', async () => {
		double.expireAccessTokens();
		const tokenRequestsBefore = double.counters.tokenRequests;
		const { senders, sent } = queuedSenders(4, 20, 'expired', { bucketSize: 10 });
		await Promise.all(senders.map(async (s) => await s.drain()));
		const refreshes = double.counters.tokenRequests - tokenRequestsBefore;
		console.log(
			`queue mode, token rejected by Zoho: ${refreshes} refresh(es) across ${deployment.workers.length} workers; S-360 answers ${JSON.stringify(senders.map((s) => s.log.map((entry) => `${entry.status}/${Math.round(entry.ackMs)}ms`)))}`,
		);
		expect(sent.flat().map(emailOf).filter((email) => storedTimes(email) !== 1)).toEqual([]);
		expect(refreshes).toBeGreaterThanOrEqual(1);
		expect(refreshes).toBeLessThanOrEqual(deployment.workers.length);
	});

	it('mints at most one token per worker when both start on a credential with no token at the same moment', async () => {
		const tokenRequestsBefore = double.counters.tokenRequests;
		const { senders, sent } = queuedSenders(8, 5, 'cold', { bucketSize: 5, workflowId: S360_COLD });
		await Promise.all(senders.map(async (s) => await s.drain()));
		const refreshes = double.counters.tokenRequests - tokenRequestsBefore;
		console.log(`queue mode, cold start (8 deliveries at once, no stored token): ${refreshes} refresh(es) across ${deployment.workers.length} workers`);
		expect(sent.flat().map(emailOf).filter((email) => storedTimes(email) !== 1)).toEqual([]);
		expect(refreshes).toBeGreaterThanOrEqual(1);
		expect(refreshes).toBeLessThanOrEqual(deployment.workers.length);
	});

	// n8n-io/n8n#35219 made to happen: the webhook process's Redis subscriptions are held back
	// (test/harness/queue.ts, RedisSubscriptionGate) while the worker runs, so its result never
	// reaches the process that holds the sender's request.
	it('resends an S-360 bucket whose answer the webhook process never got, after S-360’s 60 s, and writes each contact once', async () => {
		const bucket = contacts(3, 'answer-lost');
		const s = sender({ bucketSize: 3 });
		s.change(...bucket);
		await deployment.webhookResults.hold();
		try {
			await s.tick();
		} finally {
			deployment.webhookResults.release();
		}
		expect(s.log.map((entry) => entry.status)).toEqual([0]);
		expect(bucket.map((contact) => upsertsOf(emailOf(contact)))).toEqual([1, 1, 1]);

		await s.drain();
		console.log(`queue mode, S-360 answer lost: ${JSON.stringify(s.log.map((entry) => `${entry.status}/${Math.round(entry.ackMs)}ms`))}`);
		expect(s.counters.acknowledged).toBe(1);
		expect(s.counters.drops).toBe(0);
		expect(bucket.map((contact) => upsertsOf(emailOf(contact)))).toEqual([1, 1, 1]);
		expect(bucket.map((contact) => storedTimes(emailOf(contact)))).toEqual([1, 1, 1]);
		const [resent] = await deployment.main.executions(S360);
		const output = await deployment.main.nodeOutput(resent.id, 'Zoho CRM Upsert Contact');
		expect(output[0].map((item) => item.status)).toEqual(['skipped', 'skipped', 'skipped']);
	});

	it('retries an Ory delivery whose answer the webhook process never got, after Ory’s 30 s, and writes the record once', async () => {
		const email = 'ory-answer-lost@example.test';
		await deployment.webhookResults.hold();
		let delivery: OryDelivery;
		try {
			// The gate opens once Ory has given up on the first attempt: later runs answer as usual.
			delivery = await deliverOry(email, 'queue-trigger-answer-lost', () => deployment.webhookResults.release());
		} finally {
			deployment.webhookResults.release();
		}
		console.log(`queue mode, Ory answer lost: ${JSON.stringify(delivery.attempts.map((attempt) => `${attempt.outcome}/${attempt.ms}ms`))}`);
		expect(delivery.attempts[0].outcome).toBe('timeout');
		expect(['acknowledged', 'answer lost']).toContain(outcomeOf(delivery));
		expect(upsertsOf(email)).toBe(1);
		expect(storedTimes(email)).toBe(1);
	});

	it('skips an S-360 redelivery that a restarted webhook process takes, with nothing in its memory', async () => {
		const bucket = contacts(5, 'redelivered');
		const first = sender({ bucketSize: 5 });
		first.change(...bucket);
		await first.drain();
		expect(first.counters.acknowledged).toBe(1);
		const upsertsBefore = bucket.map((contact) => upsertsOf(emailOf(contact)));
		expect(upsertsBefore).toEqual([1, 1, 1, 1, 1]);

		await deployment.restartWebhookProcess();
		await deployment.webhook.waitForWebhook(s360WebhookPath(S360));
		const again = sender({ bucketSize: 5 });
		again.change(...bucket);
		await again.drain();

		expect(again.counters.acknowledged).toBe(1);
		expect(bucket.map((contact) => upsertsOf(emailOf(contact)))).toEqual(upsertsBefore);
		expect(bucket.map((contact) => storedTimes(emailOf(contact)))).toEqual([1, 1, 1, 1, 1]);
		const [latest] = await deployment.main.executions(S360);
		const output = await deployment.main.nodeOutput(latest.id, 'Zoho CRM Upsert Contact');
		expect(output[0].map((item) => item.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
		console.log(`queue mode, S-360 redelivery on a new webhook process: ${JSON.stringify({ upsertCallsBefore: upsertsBefore, upsertCallsAfter: bucket.map((c) => upsertsOf(emailOf(c))) })}`);
	});

	it('skips an Ory retry that a restarted webhook process takes, and answers it 200', async () => {
		const email = 'ory-redelivered@example.test';
		const first = await deliverOry(email, 'queue-trigger-redelivered');
		expect(['acknowledged', 'answer lost']).toContain(outcomeOf(first));
		expect(upsertsOf(email)).toBe(1);

		await deployment.restartWebhookProcess();
		await deployment.webhook.waitForWebhook(oryWebhookPath(ORY));
		const again = await deliverOry(email, 'queue-trigger-redelivered');
		console.log(`queue mode, Ory redelivery on a new webhook process: ${JSON.stringify({ first: first.attempts.map((a) => a.outcome), again: again.attempts.map((a) => a.outcome) })}`);
		expect(again.final).toBe(200);
		expect(upsertsOf(email)).toBe(1);
		expect(storedTimes(email)).toBe(1);
	});
});
