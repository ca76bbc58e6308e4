/**
 * The redelivery store behind "a request with an Ory-Webhook-Request-ID already processed
 * starts no second execution": bounded in time and size, safe with hostile ids.
 */
import {
	deliveryId,
	forgetRecentDeliveries,
	RecentDeliveries,
	recentDeliveriesFor,
	REDELIVERY_MAX_IDS,
	REDELIVERY_WINDOW_MS,
} from '../../nodes/OryWebhookTrigger/redelivery';

const T0 = 1_700_000_000_000;
const UUID = '2f0c6a9e-51b4-4a67-9d0f-6f3c1b7e8a21';

describe('deliveryId', () => {
	it('accepts a UUID', () => {
		expect(deliveryId(UUID)).toBe(UUID);
	});

	it('trims surrounding spaces', () => {
		expect(deliveryId(`  ${UUID} `)).toBe(UUID);
	});

	it.each([
		['absent', undefined],
		['empty', ''],
		['sent twice', [UUID, UUID]],
		['too long', 'a'.repeat(129)],
		['with spaces inside', 'a b'],
		['with a slash', 'a/b'],
		['with unicode', 'idé'],
	])('ignores an id that is %s', (_label, value) => {
		expect(deliveryId(value as string | string[] | undefined)).toBeNull();
	});
});

describe('RecentDeliveries', () => {
	it('claims a new id', () => {
		expect(new RecentDeliveries().claim(UUID, T0)).toBe(true);
	});

	it('refuses an id claimed before (a redelivery)', () => {
		const recent = new RecentDeliveries();
		recent.claim(UUID, T0);
		expect(recent.claim(UUID, T0 + 1000)).toBe(false);
	});

	it('keeps an id for the whole window', () => {
		const recent = new RecentDeliveries();
		recent.claim(UUID, T0);
		expect(recent.claim(UUID, T0 + REDELIVERY_WINDOW_MS - 1)).toBe(false);
	});

	it('forgets an id once the window has passed', () => {
		const recent = new RecentDeliveries();
		recent.claim(UUID, T0);
		expect(recent.claim(UUID, T0 + REDELIVERY_WINDOW_MS)).toBe(true);
	});

	it('keeps the window at 24 hours and the bound at 1,000 ids', () => {
		expect(REDELIVERY_WINDOW_MS).toBe(24 * 60 * 60 * 1000);
		expect(REDELIVERY_MAX_IDS).toBe(1000);
	});

	it('never holds more than its bound, dropping the oldest first', () => {
		const recent = new RecentDeliveries(REDELIVERY_WINDOW_MS, 3);
		['a', 'b', 'c', 'd'].forEach((id, index) => recent.claim(id, T0 + index));
		expect(recent.size).toBe(3);
		expect(recent.has('a', T0 + 10)).toBe(false);
		expect(recent.claim('d', T0 + 10)).toBe(false);
	});

	it('stays bounded under a flood of distinct ids', () => {
		const recent = new RecentDeliveries();
		for (let index = 0; index < 5000; index++) recent.claim(`id-${index}`, T0 + index);
		expect(recent.size).toBe(REDELIVERY_MAX_IDS);
		expect(recent.has('id-4999', T0 + 5000)).toBe(true);
		expect(recent.has('id-3999', T0 + 5000)).toBe(false);
	});

	it('treats ids that look like object keys as plain ids', () => {
		const recent = new RecentDeliveries();
		expect(recent.claim('constructor', T0)).toBe(true);
		expect(recent.claim('constructor', T0)).toBe(false);
		expect(recent.claim('toString', T0)).toBe(true);
	});
});

describe('the per-node stores of this process', () => {
	it('gives the same store for the same workflow and node', () => {
		expect(recentDeliveriesFor('wf-1:node-1')).toBe(recentDeliveriesFor('wf-1:node-1'));
	});

	it('keeps nodes apart', () => {
		recentDeliveriesFor('wf-2:node-a').claim(UUID, T0);
		expect(recentDeliveriesFor('wf-2:node-b').claim(UUID, T0)).toBe(true);
	});

	it('starts empty again after a node is forgotten (deactivated)', () => {
		recentDeliveriesFor('wf-3:node-1').claim(UUID, T0);
		forgetRecentDeliveries('wf-3:node-1');
		expect(recentDeliveriesFor('wf-3:node-1').claim(UUID, T0)).toBe(true);
	});
});
