import { DeliveryLedger } from '../../nodes/shared/redelivery';
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
