import type { IDataObject } from 'n8n-workflow';

import { normalizeContact as normalize, readBucket } from '../../nodes/S360FirehoseTrigger/payload';
import { DateTime } from 'luxon';

import { parseDate } from '../../nodes/shared/dates';
import { s360Contact, withDetails, type ContactSeed } from '../doubles/fixtures/s360/contacts';

/** The fixtures are plain JSON; the normaliser reads them as n8n data. */
const normalizeContact = (raw: object, options?: Parameters<typeof normalize>[1]) => normalize(raw as IDataObject, options);

const SEED: ContactSeed = {
	contactNumber: '100042',
	email: 'ada@example.test',
	firstName: 'Ada',
	lastName: 'Lovelace',
	birthDate: '1985-04-12',
	phone: '+41 22 555 0042',
	mobile: '+41 79 555 0042',
	language: 'fr',
	street: 'Rue du Marché 12',
	postalCode: '1204',
	city: 'Genève',
	country: 'CH',
	optIns: { NEWSLETTER: true, PARTNER_OFFERS: false },
	criteria: { FAVOURITE_GENRE: 'OPERA' },
	changedAt: '2026-11-30T09:15:00.000Z',
};

describe('readBucket', () => {
	const contact = s360Contact('v2_21', SEED);

	it('reads a single ContactDataResult as a bucket of one', () => {
		expect(readBucket(contact)).toEqual({ ok: true, shape: 'single', contacts: [contact] });
	});

	it('reads a JSON array of ContactDataResults', () => {
		const other = s360Contact('v2_21', { ...SEED, contactNumber: '100043' });
		expect(readBucket([contact, other])).toEqual({ ok: true, shape: 'array', contacts: [contact, other] });
	});

	it.each(['contacts', 'contactDataResults', 'data', 'items'])('reads an array wrapped under "%s"', (key) => {
		expect(readBucket({ [key]: [contact], count: 1, sentAt: '2026-11-30T09:15:00Z' })).toEqual({
			ok: true,
			shape: 'wrapped',
			wrapperKey: key,
			contacts: [contact],
		});
	});

	it('reads a single contact wrapped under a key, as S-360’s order webhook wraps its payload', () => {
		expect(readBucket({ contactDataResult: contact })).toMatchObject({ ok: true, wrapperKey: 'contactDataResult', contacts: [contact] });
	});

	it('picks the list holding contacts when a wrapper also carries an empty list', () => {
		expect(readBucket({ errors: [], contacts: [contact] })).toMatchObject({ ok: true, wrapperKey: 'contacts' });
	});

	it('accepts an empty array, bare or wrapped, with no contacts', () => {
		expect(readBucket([])).toEqual({ ok: true, shape: 'array', contacts: [] });
		expect(readBucket({ contacts: [] })).toEqual({ ok: true, shape: 'wrapped', wrapperKey: 'contacts', contacts: [] });
	});

	it.each([
		['an array of numbers', [1, 2]],
		['an array of strings', ['100042']],
		['an array holding null', [null]],
		['an array of arrays', [[{ contactNumber: '1' }]]],
		['a wrapper of numbers', { contacts: [1, 2, 3] }],
		['a wrapper of strings', { contacts: ['a'] }],
		['a wrapper of nulls', { contacts: [null] }],
	])('refuses %s', (_name, body) => {
		expect(readBucket(body)).toEqual({ ok: false, message: expect.stringMatching(/^Entry 0 of the bucket is .*, not a ContactDataResult object$/) });
	});

	it('refuses a contact without contactNumber, naming its position', () => {
		expect(readBucket([contact, { individualContact: { firstName: 'X' } }])).toEqual({ ok: false, message: 'Entry 1 of the bucket has no contactNumber' });
	});

	it('refuses an object that neither is nor wraps contacts', () => {
		expect(readBucket({ email: 'a@example.test', name: 'x' })).toMatchObject({ ok: false });
		expect(readBucket({})).toMatchObject({ ok: false });
	});

	it('refuses a wrapper with two lists of contacts', () => {
		expect(readBucket({ a: [contact], b: [contact] })).toEqual({ ok: false, message: 'The body wraps several lists (a, b): send the contacts under one key' });
	});

	it('refuses JSON values that are not objects or arrays', () => {
		for (const body of [null, 42, 'contacts', true]) expect(readBucket(body)).toMatchObject({ ok: false });
	});
});

describe('normalizeContact', () => {
	const expected = {
		contactNumber: '100042',
		email: 'ada@example.test',
		firstName: 'Ada',
		lastName: 'Lovelace',
		birthDate: '1985-04-12',
		phone: '+41 22 555 0042',
		mobile: '+41 79 555 0042',
		language: 'fr',
		address: { street: 'Rue du Marché 12', street2: null, postalCode: '1204', city: 'Genève', state: null, country: 'CH' },
		optIns: { NEWSLETTER: true, PARTNER_OFFERS: false },
		criteria: { FAVOURITE_GENRE: 'OPERA' },
	};

	it.each(['v2_7', 'v2_14', 'v2_21'] as const)('reads the same person from a %s ContactDataResult of a Swiss institution', (version) => {
		expect(normalizeContact(s360Contact(version, SEED), { timeZone: 'Europe/Zurich' })).toMatchObject(expected);
	});

	it('keeps the raw contact untouched', () => {
		const raw = s360Contact('v2_14', SEED);
		const copy = structuredClone(raw);
		const item = normalizeContact(raw);
		expect(item.raw).toBe(raw);
		expect(raw).toEqual(copy);
	});

	const birthDateOf = (birthDate: unknown, timeZone?: string) =>
		normalizeContact({ contactNumber: '1', individualContact: { birthDate } }, { timeZone }).birthDate;

	describe('a birth date is the same day for the same instant, however S-360 writes it', () => {
		// Local midnight of 7 March 1991 in Zurich (CET, +01:00) is 1991-03-06T23:00Z.
		const midnight = Date.UTC(1991, 2, 6, 23);
		const writings: Array<[string, unknown]> = [
			['epoch milliseconds', midnight],
			['epoch milliseconds as text', String(midnight)],
			['UTC with milliseconds', '1991-03-06T23:00:00.000Z'],
			['UTC without milliseconds', '1991-03-06T23:00:00Z'],
			['the institution’s offset', '1991-03-07T00:00:00+01:00'],
			['the institution’s offset with milliseconds', '1991-03-07T00:00:00.000+01:00'],
			['an offset without a colon', '1991-03-07T00:00:00+0100'],
			['another zone’s offset', '1991-03-06T18:00:00-05:00'],
		];

		it.each(writings)('reads %s as 7 March 1991 in Europe/Zurich', (_form, birthDate) => {
			expect(birthDateOf(birthDate, 'Europe/Zurich')).toBe('1991-03-07');
		});

		it.each(writings)('reads %s as 6 March 1991 in UTC, the day of that instant there', (_form, birthDate) => {
			expect(birthDateOf(birthDate)).toBe('1991-03-06');
		});

		it('gives every writing of many instants the day luxon gives that instant, in several zones', () => {
			const zones = ['UTC', 'Europe/Zurich', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Etc/GMT+12'];
			const mismatches: string[] = [];
			let compared = 0;
			// Every 151 days and a few hours, so the instants fall at all times of day, over 125 years.
			for (let instant = Date.UTC(1905, 0, 1); instant < Date.UTC(2030, 0, 1); instant += 151 * 86_400_000 + 12_345_678) {
				const inOwnZone = DateTime.fromMillis(instant, { zone: 'Europe/Zurich' });
				const writings = [instant, new Date(instant).toISOString(), inOwnZone.toISO(), inOwnZone.toISO({ suppressMilliseconds: true })];
				for (const zone of zones) {
					const expected = DateTime.fromMillis(instant, { zone }).toISODate();
					for (const written of writings) {
						const day = birthDateOf(written, zone);
						if (day !== expected) mismatches.push(`${String(written)} in ${zone}: ${String(day)}, luxon ${String(expected)}`);
						compared++;
					}
				}
			}
			expect(mismatches).toEqual([]);
			expect(compared).toBeGreaterThan(7_000);
		});
	});

	it.each([
		['19910307', '1991-03-07'],
		[' 19910307 ', '1991-03-07'],
		['20240229', '2024-02-29'],
	])('reads the 8-digit string %j as yyyyMMdd, %s, never as epoch milliseconds', (birthDate, day) => {
		expect(birthDateOf(birthDate, 'Europe/Zurich')).toBe(day);
		expect(birthDateOf(birthDate, 'Pacific/Kiritimati')).toBe(day);
	});

	it.each(['20241301', '20230229'])('leaves the 8-digit string %s that is no yyyyMMdd date null, with a warning', (birthDate) => {
		const item = normalizeContact({ contactNumber: '1', individualContact: { birthDate } });
		expect(item.birthDate).toBeNull();
		expect(item.warnings).toEqual(['birthDate could not be read as a date']);
	});

	it.each([
		['1985-04-12', '1985-04-12'],
		['2024-02-29', '2024-02-29'],
		['0999-04-12', '0999-04-12'],
		['7 March 1991', '1991-03-07'],
		['1991-03-07T00:00:00', '1991-03-07'],
		['1991-03-07T23:30:00', '1991-03-07'],
	])('reads the date %s, written without an instant, as that date in any zone', (birthDate, day) => {
		for (const zone of ['UTC', 'Pacific/Kiritimati', 'Etc/GMT+12']) expect(birthDateOf(birthDate, zone)).toBe(day);
	});

	it.each(['2023-02-29', '07/03/1991', '2023-02-29T00:00:00.000+01:00', '1991-03-07T24:30:00Z'])(
		'refuses the birth date %s as the shared date helper does',
		(birthDate) => {
			expect(() => parseDate(birthDate)).toThrow();
			expect(birthDateOf(birthDate)).toBeNull();
		},
	);

	it.each([
		'2026-11-30T09:15:00.000Z',
		'2026-11-30T10:15:00+01:00',
		'2026-11-30T10:15:00.5-03:30',
		'2026-02-30T10:15:00Z',
		'2026-11-30T24:00:00Z',
		1_764_494_100_123,
		-86_400_000,
	])('reads the change timestamp %s as the shared date helper does', (lastModificationDate) => {
		const expected = (() => {
			try {
				return parseDate(lastModificationDate, { numbers: 'epochMilliseconds' }).toUTC().toISO();
			} catch {
				return String(lastModificationDate);
			}
		})();
		expect(normalizeContact({ contactNumber: '1', lastModificationDate }).changedAt).toBe(expected);
	});

	it('leaves an unreadable birth date null with a warning', () => {
		const item = normalizeContact({ contactNumber: '1', individualContact: { birthDate: '31/31/1985' } });
		expect(item.birthDate).toBeNull();
		expect(item.warnings).toEqual(['birthDate could not be read as a date']);
	});

	it('reads only what a GENERAL-only push carries, the other sections empty', () => {
		const item = normalizeContact(withDetails(s360Contact('v2_21', SEED), ['GENERAL']));
		expect(item).toMatchObject({ email: 'ada@example.test', address: null, optIns: {}, criteria: {} });
		expect(item.sections).toEqual(['individualContact']);
	});

	it('reads a contact that has nothing but its number', () => {
		expect(normalizeContact({ contactNumber: 77 })).toMatchObject({
			contactNumber: '77',
			contactId: null,
			email: null,
			firstName: null,
			birthDate: null,
			address: null,
			optIns: {},
			criteria: {},
			changedAt: null,
			sections: [],
		});
	});

	it('takes the main address, not the first', () => {
		const item = normalizeContact(s360Contact('v2_14', SEED));
		expect(item.address?.city).toBe('Genève');
	});

	it('never guesses an opt-in it cannot read', () => {
		const item = normalizeContact({ contactNumber: '1', authorizations: [{ authorizationCode: 'SMS', value: 'MAYBE' }, { authorizationCode: 'MAIL', value: 'Y' }] });
		expect(item.optIns).toEqual({ MAIL: true });
		expect(item.warnings).toEqual(['authorization SMS has an unreadable value']);
	});

	it('gathers the values of a criterion listed once per value', () => {
		const item = normalizeContact({ contactNumber: '1', contactCriteria: [{ criterionCode: 'GENRE', value: 'OPERA' }, { criterionCode: 'GENRE', value: 'JAZZ' }] });
		expect(item.criteria).toEqual({ GENRE: ['OPERA', 'JAZZ'] });
	});

	it('keys a delivery on the contact number and its change timestamp', () => {
		const item = normalizeContact(s360Contact('v2_21', SEED));
		expect(item.changedAt).toBe('2026-11-30T09:15:00.000Z');
		expect(item.deliveryKey).toBe('100042@2026-11-30T09:15:00.000Z');
	});

	it('keys a contact without a change timestamp on a hash of its content', () => {
		const first = normalizeContact(s360Contact('v2_7', SEED));
		const same = normalizeContact(s360Contact('v2_7', SEED));
		const changed = normalizeContact(s360Contact('v2_7', { ...SEED, lastName: 'Byron' }));
		expect(first.deliveryKey).toMatch(/^100042@sha256:[0-9a-f]{32}$/);
		expect(same.deliveryKey).toBe(first.deliveryKey);
		expect(changed.deliveryKey).not.toBe(first.deliveryKey);
	});

	it('hashes content regardless of key order', () => {
		const a = normalizeContact({ contactNumber: '1', individualContact: { firstName: 'A', lastName: 'B' } });
		const b = normalizeContact({ individualContact: { lastName: 'B', firstName: 'A' }, contactNumber: '1' });
		expect(a.deliveryKey).toBe(b.deliveryKey);
	});

	it('carries __proto__ keys as plain data', () => {
		const raw = JSON.parse('{"contactNumber":"1","authorizations":[{"authorizationCode":"__proto__","authorized":true}],"contactCriteria":[{"criterionCode":"__proto__","value":"x"}]}');
		const item = normalizeContact(raw);
		expect(Object.getPrototypeOf(item.optIns)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(item.optIns, '__proto__')).toBe(true);
		expect(({} as Record<string, unknown>).x).toBeUndefined();
	});
});
