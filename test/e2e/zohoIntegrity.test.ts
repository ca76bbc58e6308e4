/**
 * Zoho CRM Upsert Contact never writes a wrong record, in a real n8n against the Zoho double: a
 * call Zoho applied and then dropped or answered 500 is resent only when every record in it is
 * keyed, a hung call is abandoned and the run ends, an all-failed 400 keeps Zoho's per-record
 * reasons, Stop Workflow with an invalid item writes nothing, and the calls of many executions
 * with one credential stay within the node's limit, whatever the number of executions.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import { zohoDoubleCredential, zohoUpsertWorkflow } from './fixtures/workflows';

const CLIENT = { clientId: 'integrity-client', clientSecret: 'integrity-client-secret' };
const REGION = 'eu';
const WORKFLOWS = ['keyed', 'keyless', 'timeout', 'stop', 'burst'] as const;

type Item = Record<string, unknown>;

describe('Zoho CRM Upsert Contact never writes a wrong record', () => {
	const double = new ZohoDouble({
		clients: [{ ...CLIENT, refreshTokens: WORKFLOWS.map((name) => `refresh-${name}`) }],
		maxConcurrentCalls: 5,
	});
	let n8n: N8nProcess;

	beforeAll(async () => {
		await double.start();
		const credential = (name: string) => zohoDoubleCredential(name, double, CLIENT, { region: REGION });
		n8n = await startN8n({
			name: 'zoho-integrity',
			credentials: WORKFLOWS.map(credential),
			workflows: [
				zohoUpsertWorkflow('integrity-keyed', { id: 'keyed', name: 'Zoho keyed' }),
				zohoUpsertWorkflow('integrity-keyless', { id: 'keyless', name: 'Zoho keyless' }, { options: { requireDuplicateCheckValue: false } }),
				zohoUpsertWorkflow('integrity-timeout', { id: 'timeout', name: 'Zoho timeout' }, { options: { timeout: 2 } }),
				zohoUpsertWorkflow('integrity-stop', { id: 'stop', name: 'Zoho stop' }, {}, { onError: 'stopWorkflow' }),
				zohoUpsertWorkflow('integrity-burst', { id: 'burst', name: 'Zoho burst' }, { options: { concurrency: 4, batchSize: 10 } }),
			],
		});
		await Promise.all(WORKFLOWS.map((name) => n8n.waitForWebhook(`integrity-${name}`)));
	});

	afterAll(async () => {
		await n8n?.stop();
		await double.stop();
	});

	beforeEach(() => {
		double.clearFaults();
		double.resetCounters();
	});

	async function post(name: string, contacts: Item[]): Promise<number> {
		const response = await fetch(n8n.webhookUrl(`integrity-${name}`), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ contacts }),
		});
		await response.arrayBuffer();
		return response.status;
	}

	/** Runs one execution of the workflow and returns the node's [success, failed] outputs. */
	async function upsert(name: string, contacts: Item[]): Promise<[Item[], Item[]]> {
		const before = (await n8n.executions(`integrity-${name}`)).length;
		expect(await post(name, contacts)).toBe(200);
		const [execution] = await n8n.waitForExecutions(`integrity-${name}`, before + 1);
		const [success = [], failed = []] = await n8n.nodeOutput(execution.id, 'Zoho CRM Upsert Contact');
		return [success, failed];
	}

	const stored = (lastName: string) => double.records('Contacts', REGION).filter((record) => record.Last_Name === lastName);

	it('resends a keyed batch that Zoho applied and then dropped, and ends with each record stored once', async () => {
		double.injectUpsertFault(REGION, { kind: 'applyThenDrop' });
		const contacts = [1, 2, 3].map((i) => ({ email: `dropped${i}@example.com`, last_name: 'Dropped' }));
		const [success, failed] = await upsert('keyed', contacts);
		expect(failed).toEqual([]);
		expect(success.map((item) => item.attempts)).toEqual([2, 2, 2]);
		// The resend found the records its first attempt wrote: Zoho says "update", which may be ours.
		expect(success.every((item) => item.action === 'update' && item.actionUncertain === true)).toBe(true);
		expect(stored('Dropped')).toHaveLength(contacts.length);
	});

	it.each(['applyThenDrop', 'applyThenError500'] as const)(
		'does not resend a batch with a keyless record after %s, and fails its items as maybe applied',
		async (kind) => {
			double.injectUpsertFault(REGION, { kind });
			const lastName = `Keyless-${kind}`;
			const contacts = [{ email: `keyed-${kind}@example.com`, last_name: lastName }, { last_name: lastName, first_name: 'NoEmail' }];
			const [success, failed] = await upsert('keyless', contacts);
			expect(success).toEqual([]);
			expect(failed).toHaveLength(contacts.length);
			for (const item of failed) {
				expect(String(item.error)).toContain('the call may or may not have been applied, so it was not sent again');
				expect(item.details).toMatchObject({ attempts: 1, mayHaveBeenApplied: true });
			}
			// Applied once, never twice: no duplicate of the record without an email.
			expect(stored(lastName)).toHaveLength(contacts.length);
		},
	);

	it('fails an item without any duplicate-check value before any call, by default', async () => {
		const [success, failed] = await upsert('keyed', [
			{ email: 'has-key@example.com', last_name: 'Default' },
			{ last_name: 'Default', first_name: 'NoKey' },
		]);
		expect(success).toHaveLength(1);
		expect(failed).toHaveLength(1);
		expect(String(failed[0].error)).toContain('no value for the duplicate-check field Email');
		expect(stored('Default')).toHaveLength(1);
	});

	it('abandons a call Zoho never answers after the per-attempt timeout, resends it when keyed, and the run ends', async () => {
		double.injectUpsertFault(REGION, { kind: 'hang' });
		const [success, failed] = await upsert('timeout', [{ email: 'hung@example.com', last_name: 'Hung' }]);
		expect(failed).toEqual([]);
		expect(success[0]).toMatchObject({ status: 'success', attempts: 2 });
		expect(stored('Hung')).toHaveLength(1);
	});

	it('keeps Zoho’s per-record code and field when every record of a batch fails (HTTP 400 with data[])', async () => {
		const [success, failed] = await upsert('keyed', [
			{ email: 'bad1@example.com', last_name: 'AllBad', phone: 'call me maybe' },
			{ email: 'bad2@example.com', last_name: 'AllBad', phone: 'not a phone' },
		]);
		expect(success).toEqual([]);
		expect(failed.map((item) => (item.details as Item).code)).toEqual(['INVALID_DATA', 'INVALID_DATA']);
		expect(failed.map((item) => (item.details as Item).field)).toEqual(['Phone', 'Phone']);
		expect(failed.every((item) => !String(item.error).includes('HTTP 400'))).toBe(true);
	});

	it('with Stop Workflow, an item that cannot be mapped stops the run before any record is written', async () => {
		const before = (await n8n.executions('integrity-stop')).length;
		await post('stop', [
			{ email: 'valid-stop@example.com', last_name: 'StopRun' },
			{ email: 'no-last-name@example.com', first_name: 'Only' },
		]);
		const [execution] = await n8n.waitForExecutions('integrity-stop', before + 1);
		expect(execution.status).toBe('error');
		expect(double.counters.upsertCalls).toBe(0);
		expect(stored('StopRun')).toHaveLength(0);
	});

	it('keeps 20 executions with one credential within its 4 calls at once, so an org allowing 5 answers no 429', async () => {
		const before = (await n8n.executions('integrity-burst')).length;
		const runs = Array.from({ length: 20 }, (_, run) =>
			Array.from({ length: 40 }, (_, i) => ({ email: `burst-${run}-${i}@example.com`, last_name: 'Burst' })),
		);
		const statuses = await Promise.all(runs.map((contacts) => post('burst', contacts)));
		expect(statuses.every((status) => status === 200)).toBe(true);
		const executions = await n8n.waitForExecutions('integrity-burst', before + runs.length);
		expect(executions.slice(0, runs.length).every((execution) => execution.status === 'success')).toBe(true);
		expect(double.counters.maxConcurrentSeen).toBeLessThanOrEqual(4);
		expect(double.counters.rateLimited).toBe(0);
		expect(stored('Burst')).toHaveLength(runs.flat().length);
	});
});
