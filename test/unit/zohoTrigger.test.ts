/**
 * Zoho CRM Trigger pieces: the channel on the wire and its renewal, record reads and their
 * normalisation, and the two ways a change arrives, run on n8n's own contexts against the Zoho
 * double and its sending side (test/doubles/zohoNotifications.ts).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { ZohoCrmUpsertContact } from '../../nodes/ZohoCrmUpsertContact/ZohoCrmUpsertContact.node';
import { openZohoSession, type ZohoSession } from '../../nodes/ZohoCrmUpsertContact/transport';
import {
	channelDetails,
	disableChannel,
	enableChannel,
	EXPIRY_MARGIN_MS,
	FALLBACK_CHANNEL_LIFETIME_MS,
	MAX_CHANNEL_LIFETIME_MS,
	newChannelId,
	newVerificationToken,
	renewChannel,
	requestedExpiry,
	type Channel,
} from '../../nodes/ZohoCrmTrigger/channel';
import { readNotification } from '../../nodes/ZohoCrmTrigger/notification';
import { normaliseRecord, readFields, readRecordsByIds } from '../../nodes/ZohoCrmTrigger/records';
import { renewalDue, renewIfDue } from '../../nodes/ZohoCrmTrigger/renewal';
import { readWorkflowRuleDelivery } from '../../nodes/ZohoCrmTrigger/workflowRule';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications } from '../doubles/zohoNotifications';
import { prepareRun } from './fakes/n8nContext';

const DAY = 24 * 60 * 60_000;
const CLIENT = { clientId: 'trigger-client', clientSecret: 'trigger-secret-4b5c', refreshTokens: ['1000.trigger-refresh.a1'] };

let zoho: ZohoDouble;
let notifications: ZohoNotifications;
let credentials: Record<string, ICredentialDataDecryptedObject>;

function context() {
	return prepareRun({ nodeType: new ZohoCrmUpsertContact(), parameters: { authentication: 'refreshToken' }, credentials, items: [] }).context;
}

async function session(): Promise<{ ctx: ReturnType<typeof context>; zohoSession: ZohoSession }> {
	const ctx = context();
	return { ctx, zohoSession: await openZohoSession(ctx, 'refreshToken') };
}

function channel(extra: Partial<Channel> = {}): Channel {
	return { channelId: newChannelId(), token: newVerificationToken(), notifyUrl: 'https://n8n.example.test/webhook/abc/zoho-crm', events: ['Contacts.create', 'Contacts.edit'], ...extra };
}

beforeAll(async () => {
	zoho = new ZohoDouble({ clients: [CLIENT] });
	notifications = new ZohoNotifications(zoho);
	await zoho.start();
	credentials = {
		zohoCrmRefreshTokenApi: {
			dataCenter: 'custom',
			accountsUrl: zoho.accountsUrl('us'),
			apiUrl: zoho.apiUrl('us'),
			clientId: CLIENT.clientId,
			clientSecret: CLIENT.clientSecret,
			refreshToken: CLIENT.refreshTokens[0],
		},
	};
});

afterAll(async () => {
	notifications.stop();
	await zoho.stop();
});

describe('the notification channel', () => {
	it('asks for the lifetime chosen, and never for more than Zoho’s one-week maximum less a margin', () => {
		const now = Date.UTC(2026, 11, 5);
		expect(requestedExpiry(now, 2 * 60_000)).toBe(now + 2 * 60_000);
		expect(requestedExpiry(now, 30 * DAY)).toBe(now + MAX_CHANNEL_LIFETIME_MS - EXPIRY_MARGIN_MS);
	});

	it('picks channel ids Zoho can echo as a JSON number unchanged, and tokens within Zoho’s 50 characters', () => {
		for (let i = 0; i < 50; i++) {
			expect(Number.isSafeInteger(Number(newChannelId()))).toBe(true);
			expect(newVerificationToken().length).toBeLessThanOrEqual(50);
		}
		expect(newVerificationToken()).not.toBe(newVerificationToken());
	});

	it('enables a channel with the notify URL, events, token and expiry, and reads the expiry Zoho answered in its own zone', async () => {
		const { ctx, zohoSession } = await session();
		const wanted = channel();
		const asked = requestedExpiry(Date.now(), DAY);
		const expiresAt = await enableChannel(ctx, zohoSession, wanted, asked);
		expect(expiresAt).toBe(Math.floor(asked / 1000) * 1000);
		const stored = notifications.channels.get(Number(wanted.channelId))!;
		expect(stored).toMatchObject({ notifyUrl: wanted.notifyUrl, events: wanted.events, token: wanted.token });
		expect(stored.history[0].askedExpiry).toMatch(/\+00:00$/);
	});

	it('learns the one hour Zoho grants a channel asked for more than its maximum', async () => {
		const { ctx, zohoSession } = await session();
		const now = Date.now();
		const expiresAt = await enableChannel(ctx, zohoSession, channel(), now + 8 * DAY, now);
		expect(expiresAt - now).toBeLessThanOrEqual(FALLBACK_CHANNEL_LIFETIME_MS + 1000);
		expect(expiresAt - now).toBeGreaterThan(FALLBACK_CHANNEL_LIFETIME_MS - 5000);
	});

	it('renews a channel with a new expiry (PATCH), keeping its id, notify URL and token', async () => {
		const { ctx, zohoSession } = await session();
		const wanted = channel();
		await enableChannel(ctx, zohoSession, wanted, Date.now() + 60 * 60_000);
		const later = requestedExpiry(Date.now(), 2 * DAY);
		const renewed = await renewChannel(ctx, zohoSession, wanted, later);
		expect(renewed).toBe(Math.floor(later / 1000) * 1000);
		const stored = notifications.channels.get(Number(wanted.channelId))!;
		expect(stored.history.map((entry) => entry.action)).toEqual(['enabled', 'updated']);
		expect(stored.token).toBe(wanted.token);
		const patch = zoho.requests.filter((request) => request.method === 'PATCH').pop()!;
		expect(patch.path).toBe('/api/us/crm/v8/actions/watch');
	});

	it('fails a renewal of a channel Zoho no longer holds with Zoho’s code', async () => {
		const { ctx, zohoSession } = await session();
		await expect(renewChannel(ctx, zohoSession, channel(), Date.now() + DAY)).rejects.toThrow(/renew the notification channel/);
	});

	it('reads a channel’s details, and nothing for a channel that is disabled; disabling twice is not an error', async () => {
		const { ctx, zohoSession } = await session();
		const wanted = channel();
		const expiresAt = await enableChannel(ctx, zohoSession, wanted, Date.now() + DAY);
		expect(await channelDetails(ctx, zohoSession, wanted.channelId, 'Contacts')).toEqual({ notifyUrl: wanted.notifyUrl, events: wanted.events, expiresAt });
		await disableChannel(ctx, zohoSession, wanted.channelId);
		expect(await channelDetails(ctx, zohoSession, wanted.channelId, 'Contacts')).toBeUndefined();
		await expect(disableChannel(ctx, zohoSession, wanted.channelId)).resolves.toBeUndefined();
	});
});

describe('renewal', () => {
	it('is due once at most half of the life Zoho granted is left', () => {
		const granted = { grantedAt: 0, expiresAt: 7 * DAY };
		expect(renewalDue(granted, 3.5 * DAY - 1)).toBe(false);
		expect(renewalDue(granted, 3.5 * DAY)).toBe(true);
		// A channel Zoho kept one hour although a week was asked is renewed after half an hour, not at once.
		expect(renewalDue({ grantedAt: 0, expiresAt: 60 * 60_000 }, 29 * 60_000)).toBe(false);
	});

	it('renews a channel before it lapses, and leaves it alone until half its life is gone', async () => {
		const { ctx } = await session();
		const wanted = channel();
		const lifetimeMs = 2 * DAY;
		let clock = Date.now();
		const target = { nodeKey: `renew-${wanted.channelId}`, channel: wanted, module: 'Contacts', lifetimeMs };
		// First check after a restart: nothing known, the channel is not in Zoho: enabled again.
		const first = await renewIfDue(ctx, async () => await openZohoSession(ctx, 'refreshToken'), target, () => clock);
		expect(first.action).toBe('reenabled');
		const firstExpiry = (first as { expiresAt: number }).expiresAt;
		clock += lifetimeMs / 2 - 60_000;
		expect((await renewIfDue(ctx, async () => await openZohoSession(ctx, 'refreshToken'), target, () => clock)).action).toBe('none');
		clock += 60_000;
		const renewed = await renewIfDue(ctx, async () => await openZohoSession(ctx, 'refreshToken'), target, () => clock);
		expect(renewed).toMatchObject({ action: 'renewed', previousExpiry: firstExpiry });
		expect((renewed as { expiresAt: number }).expiresAt).toBeGreaterThan(firstExpiry);
		expect(clock).toBeLessThan(firstExpiry);
	});
});

describe('record reads by id', () => {
	it('reads 250 changed records in 3 calls of at most 100 ids, each asking for the normalised fields', async () => {
		const created = zoho.seedRecords('Contacts', Array.from({ length: 250 }, (_, i) => ({ Last_Name: `Reader${i}`, Email: `reader${i}@example.test` })));
		const { ctx, zohoSession } = await session();
		zoho.requests.length = 0;
		const found = await readRecordsByIds(ctx, zohoSession, 'Contacts', created.map((record) => record.id), readFields([]));
		expect(found.size).toBe(250);
		const reads = zoho.requests.filter((request) => request.method === 'GET' && request.path.includes('/Contacts?'));
		expect(reads).toHaveLength(3);
		const params = new URL(`http://x${reads[0].path}`).searchParams;
		expect(params.get('ids')!.split(',')).toHaveLength(100);
		expect(params.get('fields')).toBe('Email,First_Name,Last_Name,Phone,Mobile,Date_of_Birth,Modified_Time,Created_Time');
	});

	it('answers nothing for ids Zoho no longer has (its 204 without a body)', async () => {
		const { ctx, zohoSession } = await session();
		expect((await readRecordsByIds(ctx, zohoSession, 'Contacts', ['9999999999999999999'], readFields([]))).size).toBe(0);
	});

	it('refuses more than Zoho’s 50 fields before any call', async () => {
		const { ctx, zohoSession } = await session();
		const many = Array.from({ length: 45 }, (_, i) => `Custom_${i}`);
		await expect(readRecordsByIds(ctx, zohoSession, 'Contacts', ['1'], readFields(many))).rejects.toThrow(/at most 50/);
	});
});

describe('normalisation', () => {
	const record: IDataObject = {
		id: '5725767000001234567',
		Email: ' Ada@Example.TEST ',
		First_Name: 'Ada',
		Last_Name: 'Lovelace',
		Phone: '+44 20 7946 0000',
		Mobile: null,
		Date_of_Birth: '1815-12-10',
		Modified_Time: '2026-12-05T14:05:09+05:30',
	};

	it('gives id, email, names, phones, birthDate as ISO, changedAt in UTC, operation, affected fields and the raw record', () => {
		expect(normaliseRecord(record, { module: 'Contacts', operation: 'edit', affectedFields: ['Email'] })).toEqual({
			id: '5725767000001234567',
			module: 'Contacts',
			operation: 'edit',
			email: 'ada@example.test',
			firstName: 'Ada',
			lastName: 'Lovelace',
			phone: '+44 20 7946 0000',
			mobile: null,
			birthDate: '1815-12-10',
			changedAt: '2026-12-05T08:35:09.000Z',
			affectedFields: ['Email'],
			deliveryKey: expect.stringMatching(/^Contacts:5725767000001234567@2026-12-05T08:35:09\.000Z#[0-9a-f]{32}$/),
			warnings: [],
			record,
		});
	});

	it('keys a change on id and Modified_Time, and tells apart two edits within the same second by content', () => {
		const first = normaliseRecord(record, { module: 'Contacts', operation: 'edit' });
		expect(normaliseRecord({ ...record }, { module: 'Contacts', operation: 'edit' }).deliveryKey).toBe(first.deliveryKey);
		expect(normaliseRecord({ ...record, Phone: '+44 20 7946 0001' }, { module: 'Contacts', operation: 'edit' }).deliveryKey).not.toBe(first.deliveryKey);
	});

	it('reads a workflow rule’s dates in the format and time zone set for the webhook', () => {
		const sent = { id: '1', Date_of_Birth: '10/12/1815', Modified_Time: '05/12/2026 14:05' };
		const item = normaliseRecord(sent, { module: 'Contacts', operation: null, reading: { dateFormat: 'dd/MM/yyyy', dateTimeFormat: 'dd/MM/yyyy HH:mm', timeZone: 'Asia/Kolkata' } });
		expect(item.birthDate).toBe('1815-12-10');
		expect(item.changedAt).toBe('2026-12-05T08:35:00.000Z');
	});

	it('keeps an unreadable date out of birthDate and says why', () => {
		const item = normaliseRecord({ id: '1', Date_of_Birth: '12/10/1815' }, { module: 'Contacts', operation: null, reading: { dateFormat: 'yyyy-MM-dd', dateTimeFormat: '', timeZone: 'UTC' } });
		expect(item.birthDate).toBeNull();
		expect(item.warnings[0]).toMatch(/Date_of_Birth could not be read as a date in the format yyyy-MM-dd/);
	});
});

describe('notifications', () => {
	const body = {
		server_time: 1764943509000,
		query_params: {},
		module: 'Contacts',
		resource_uri: 'https://www.zohoapis.com/crm/v8/Contacts',
		ids: ['5725767000001234567', '5725767000001234568'],
		affected_fields: [{ '5725767000001234567': ['Email', 'Phone'] }, { '5725767000001234568': ['Last_Name'] }],
		operation: 'update',
		channel_id: 123456789012,
		token: 'tok',
	};

	it('reads ids, operation, affected fields per id, channel and token', () => {
		const read = readNotification(body);
		expect(read.ok && read.notification).toEqual({
			channelId: '123456789012',
			token: 'tok',
			module: 'Contacts',
			operation: 'edit',
			ids: ['5725767000001234567', '5725767000001234568'],
			affectedFields: new Map([
				['5725767000001234567', ['Email', 'Phone']],
				['5725767000001234568', ['Last_Name']],
			]),
			serverTime: '1764943509000',
		});
	});

	it('refuses record ids sent as JSON numbers, which have lost their last digits', () => {
		expect(readNotification({ ...body, ids: [5725767000001234567] })).toEqual({ ok: false, message: expect.stringMatching(/strings of digits/) });
	});
});

describe('workflow-rule deliveries', () => {
	it('reads entity parameters by API name or plain name, leaving the token out', () => {
		const delivery = readWorkflowRuleDelivery({ token: 'secret', contactId: '77' }, { email: 'a@b.test', First_Name: 'Ann', 'date of birth': '1990-01-02' }, 'token');
		expect(delivery.record).toEqual({ id: '77', Email: 'a@b.test', First_Name: 'Ann', Date_of_Birth: '1990-01-02' });
		expect(delivery.received).toEqual({ contactId: '77', email: 'a@b.test', First_Name: 'Ann', 'date of birth': '1990-01-02' });
	});

	it('keeps the fields it has no API name for in the record, under the names the webhook gave them, but never the token', () => {
		const delivery = readWorkflowRuleDelivery({ token: 'secret' }, { id: '8', Mailing_Street: 'Rue du Lac 5', Contact_Number: '1001', operation: 'edit', empty: '' }, 'token');
		expect(delivery.record).toEqual({ id: '8', Mailing_Street: 'Rue du Lac 5', Contact_Number: '1001' });
		expect(delivery.operation).toBe('edit');
	});

	it('reads a user-defined JSON body wrapped in data', () => {
		expect(readWorkflowRuleDelivery({}, { data: [{ id: '5', Last_Name: 'Lee' }] }, undefined).record).toEqual({ id: '5', Last_Name: 'Lee' });
	});
});
