import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DeliveryLedger } from '../../nodes/shared/redelivery';
import { S360FirehoseTrigger } from '../../nodes/S360FirehoseTrigger/S360FirehoseTrigger.node';
import { claimContacts } from '../../nodes/S360FirehoseTrigger/redelivery';
import { normalizeContact, type NormalizedContact } from '../../nodes/S360FirehoseTrigger/payload';

// claimContacts reads the clock itself, so the ledger entries must be written at the real "now":
// a fixed date stops matching once the redelivery window has passed since it.
const NOW = Date.now();

function contacts(...numbers: string[]): NormalizedContact[] {
	return numbers.map((contactNumber) => normalizeContact({ contactNumber, lastModificationDate: '2026-11-30T09:15:00.000Z' }));
}

const keys = (list: NormalizedContact[]) => list.map((contact) => contact.deliveryKey);

describe('claiming a bucket’s contacts in the redelivery ledger', () => {
	it('claims every contact of a first delivery', async () => {
		const ledger = new DeliveryLedger<true>();
		const bucket = contacts('1', '2', '3');
		expect(await claimContacts(ledger, bucket, 1000)).toEqual({ state: 'claimed', contacts: bucket });
	});

	it('drops the contacts already synced at the same change', async () => {
		const ledger = new DeliveryLedger<true>();
		const [one, two, three] = contacts('1', '2', '3');
		ledger.begin(one.deliveryKey, NOW);
		ledger.succeed(one.deliveryKey, true, NOW);
		const claim = await claimContacts(ledger, [one, two, three], 1000);
		expect(claim.state === 'claimed' && keys(claim.contacts)).toEqual(keys([two, three]));
	});

	it('claims nothing for a bucket made only of synced contacts', async () => {
		const ledger = new DeliveryLedger<true>();
		const bucket = contacts('1', '2');
		for (const key of keys(bucket)) {
			ledger.begin(key, NOW);
			ledger.succeed(key, true, NOW);
		}
		expect(await claimContacts(ledger, bucket, 1000)).toEqual({ state: 'claimed', contacts: [] });
	});

	it('claims the contacts of a run still unanswered after the abandon time, and lets its waiters go', async () => {
		const ledger = new DeliveryLedger<true>({ abandonRunningAfterMs: 60_000 });
		const bucket = contacts('1', '2');
		const stuck = bucket.map((contact) => ledger.begin(contact.deliveryKey, Date.now() - 61_000));
		expect(stuck.map((begun) => begun.state)).toEqual(['new', 'new']);
		const waiting = ledger.begin(bucket[0].deliveryKey, Date.now() - 61_000);
		expect(await claimContacts(ledger, bucket, 1000)).toEqual({ state: 'claimed', contacts: bucket });
		expect(waiting.state === 'running' && (await waiting.settled)).toBe('failed');
	});

	it('keeps waiting for a run younger than the abandon time', async () => {
		const ledger = new DeliveryLedger<true>({ abandonRunningAfterMs: 60_000 });
		const bucket = contacts('1');
		ledger.begin(bucket[0].deliveryKey, Date.now() - 30_000);
		expect(await claimContacts(ledger, bucket, 50)).toEqual({ state: 'busy' });
	});

	it('waits for a running delivery of a contact and drops it when that run succeeds', async () => {
		const ledger = new DeliveryLedger<true>();
		const [one, two] = contacts('1', '2');
		ledger.begin(one.deliveryKey, NOW);
		const claiming = claimContacts(ledger, [one, two], 60_000);
		ledger.succeed(one.deliveryKey, true, NOW);
		const claim = await claiming;
		expect(claim.state === 'claimed' && keys(claim.contacts)).toEqual(keys([two]));
	});

	it('claims a contact again when the running delivery it waited for failed', async () => {
		const ledger = new DeliveryLedger<true>();
		const [one, two] = contacts('1', '2');
		ledger.begin(one.deliveryKey, NOW);
		const claiming = claimContacts(ledger, [one, two], 60_000);
		ledger.fail(one.deliveryKey);
		const claim = await claiming;
		expect(claim.state === 'claimed' && keys(claim.contacts).sort()).toEqual(keys([one, two]).sort());
	});

	it('is busy when the wait runs out, and keeps none of the bucket claimed', async () => {
		const ledger = new DeliveryLedger<true>();
		const [one, two] = contacts('1', '2');
		ledger.begin(one.deliveryKey, NOW);
		expect(await claimContacts(ledger, [one, two], 0)).toEqual({ state: 'busy' });
		expect(ledger.begin(two.deliveryKey, Date.now())).toEqual({ state: 'new' });
	});
});

/**
 * The trigger's webhook() on a faked webhook context. The response object stands in for n8n's:
 * a spec answers it the way n8n does (acknowledging after success: 200 when the run succeeded,
 * 500 when it failed; acknowledging at once: 200 as soon as the run has started).
 */
class FakeResponse {
	statusCode = 200;
	headersSent = false;
	headers: Record<string, string> = {};
	body = '';
	writeHead(status: number, headers: Record<string, string> = {}) {
		this.statusCode = status;
		this.headers = { ...this.headers, ...headers };
		this.headersSent = true;
		return this;
	}
	getHeader(name: string) {
		return this.headers[name] ?? this.headers[name.toLowerCase()];
	}
	write(chunk: string | Buffer) {
		this.body += chunk.toString();
		return true;
	}
	end(chunk?: string | Buffer) {
		if (chunk !== undefined) this.body += chunk.toString();
		this.headersSent = true;
		return this;
	}
	/** What n8n does: answer with this status and no body. */
	answer(status: number) {
		this.writeHead(status, {});
		this.end();
	}
}

let workflowSequence = 0;

/** One trigger node of one workflow; each call of `deliver` is one HTTP request to it. */
function triggerOf(responseMode: 'lastNode' | 'onReceived') {
	const workflowId = `s360-wf-${++workflowSequence}`;
	const node = new S360FirehoseTrigger();
	const deliver = (bucket: unknown[]) => {
		const response = new FakeResponse();
		const context = {
			getRequestObject: () => ({
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				query: {},
				rawBody: Buffer.from(JSON.stringify(bucket)),
			}),
			getResponseObject: () => response,
			getCredentials: async () => ({ authType: 'none' }),
			getNodeParameter: (name: string, fallback: unknown) => (name === 'responseMode' ? responseMode : fallback),
			getNode: () => ({ id: 'trigger-1', name: 'S-360 Firehose Trigger' }),
			getWorkflow: () => ({ id: workflowId }),
			// The zone birth dates are read in, when the credential names none.
			getTimezone: () => 'Europe/Zurich',
		} as unknown as IWebhookFunctions;
		return { response, result: node.webhook.call(context) };
	};
	return { deliver };
}

const started = (result: IWebhookResponseData) => (result.workflowData?.[0] ?? []).map((item) => item.json.deliveryKey);

describe('the S-360 trigger remembers only contacts whose run succeeded', () => {
	const bucket = [
		{ contactNumber: '101', lastModificationDate: '2026-11-30T09:15:00.000Z' },
		{ contactNumber: '102', lastModificationDate: '2026-11-30T09:15:00.000Z' },
	];
	const bucketKeys = ['101@2026-11-30T09:15:00.000Z', '102@2026-11-30T09:15:00.000Z'];

	it('acknowledging after success: a re-push after a successful run is answered alreadySynced and starts nothing', async () => {
		const { deliver } = triggerOf('lastNode');
		const first = deliver(bucket);
		expect(started(await first.result)).toEqual(bucketKeys);
		first.response.answer(200);
		const again = deliver(bucket);
		expect(started(await again.result)).toEqual([]);
		expect(JSON.parse(again.response.body)).toEqual({ status: 'alreadySynced', contacts: 2 });
	});

	it('acknowledging after success: a re-push after a failed run runs every contact again', async () => {
		const { deliver } = triggerOf('lastNode');
		const first = deliver(bucket);
		await first.result;
		first.response.answer(500);
		expect(started(await deliver(bucket).result)).toEqual(bucketKeys);
	});

	it('acknowledging at once: a re-push after the run was acknowledged runs every contact again, as nothing tells the trigger the run succeeded', async () => {
		const { deliver } = triggerOf('onReceived');
		const first = deliver(bucket);
		expect(started(await first.result)).toEqual(bucketKeys);
		// n8n's 200 once the run has started; the run then fails, and nobody tells the trigger.
		first.response.answer(200);
		const again = deliver(bucket);
		expect(started(await again.result)).toEqual(bucketKeys);
		expect(again.response.headersSent).toBe(false);
	});

	it('acknowledging at once: a copy arriving before n8n has answered waits for the start of the first run, then runs', async () => {
		const { deliver } = triggerOf('onReceived');
		const first = deliver(bucket);
		await first.result;
		let copyStarted = false;
		const copy = deliver(bucket).result.then((result) => {
			copyStarted = true;
			return result;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(copyStarted).toBe(false);
		first.response.answer(200);
		expect(started(await copy)).toEqual(bucketKeys);
	});
});
