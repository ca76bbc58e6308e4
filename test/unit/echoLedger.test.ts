/**
 * The echo ledger (nodes/shared/echoLedger.ts): what the package wrote to a record, recognised when
 * the service reports it back; a genuine edit afterwards passes; the newest change known per record.
 */
import { comparable, EchoLedger, holdsValues, MAX_REMEMBERED_RECORDS } from '../../nodes/shared/echoLedger';

const HOUR = 60 * 60_000;

function ledgerAt(start = 1_000_000) {
	const clock = { now: start };
	return { ledger: new EchoLedger(() => clock.now), clock };
}

describe('echo ledger: a write reported back', () => {
	it('is an echo when every written field it carries holds the written value', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['email:ada@example.com'], { First_Name: 'Ada', Email: 'ada@example.com' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1', 'email:ada@example.com'], { First_Name: 'Ada', Email: 'ada@example.com', Phone: '+41 44 000' })).toBe(true);
	});

	it('is an echo while the write is still waiting for its answer', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['email:ada@example.com'], { First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('crm', ['email:ada@example.com'], { First_Name: 'Ada' })).toBe(true);
	});

	it('is found under a key the answer added (the id of a created record)', () => {
		const { ledger } = ledgerAt();
		const ticket = ledger.beginWrite('crm', ['email:ada@example.com'], { First_Name: 'Ada' }, HOUR);
		ledger.confirm(ticket, ['id:42']);
		expect(ledger.isEcho('crm', ['id:42'], { First_Name: 'Ada' })).toBe(true);
	});

	it('compares as services store values: trimmed, emails without case, numbers as text, empty as null', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { Email: 'Ada@Example.com', Age: 36, Note: '' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { Email: ' ada@example.com', Age: '36', Note: null })).toBe(true);
	});

	it('is not an echo when a written field holds another value (an edit made afterwards)', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada', Last_Name: 'Lovelace' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada', Last_Name: 'King' })).toBe(false);
	});

	it('is not an echo when the source lists a changed field the write did not set', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada', Phone: '+41 44 000' }, ['Phone'])).toBe(false);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada', Phone: '+41 44 000' }, ['First_Name'])).toBe(true);
	});

	it('is not an echo when the change carries none of the written fields', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { Last_Name: 'Lovelace' })).toBe(false);
	});

	it('is not an echo in another system, or for another record', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('other', ['id:1'], { First_Name: 'Ada' })).toBe(false);
		expect(ledger.isEcho('crm', ['id:2'], { First_Name: 'Ada' })).toBe(false);
	});

	it('is forgotten once its time is up', () => {
		const { ledger, clock } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		clock.now += HOUR;
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada' })).toBe(false);
	});

	it('is forgotten when the write was withdrawn (refused, not applied)', () => {
		const { ledger } = ledgerAt();
		const ticket = ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		ledger.withdraw(ticket);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada' })).toBe(false);
	});

	it('compares with the record as the last write left it: services report the current record', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Augusta' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Augusta' })).toBe(true);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada' })).toBe(false);
	});

	it('passes an edit of a field the write did not set, once a view of the record was received', () => {
		const { ledger } = ledgerAt();
		ledger.noteView('crm', ['id:1'], { First_Name: 'Ada', City: 'Zürich' }, HOUR);
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Augusta' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Augusta', City: 'Zürich' })).toBe(true);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Augusta', City: 'Basel' })).toBe(false);
	});

	it('passes a value set back to what was written, after an edit received in between', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		ledger.noteView('crm', ['id:1'], { First_Name: 'Bob' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada' })).toBe(false);
	});

	it('does not count the record’s key: a change that matches only on its email is not an echo', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['email:ada@example.com'], { Email: 'ada@example.com', First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('crm', ['email:ada@example.com'], { Email: 'ada@example.com' })).toBe(false);
	});

	it('is not an echo when a field the source lists as changed is not in the change to compare', () => {
		const { ledger } = ledgerAt();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada', Mailing_City: 'Zürich' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { First_Name: 'Ada' }, ['Mailing_City'])).toBe(false);
	});

	it('keeps long values as a digest and still tells them apart', () => {
		const { ledger } = ledgerAt();
		const long = 'x'.repeat(500);
		ledger.beginWrite('crm', ['id:1'], { Note: long, First_Name: 'Ada' }, HOUR);
		expect(ledger.isEcho('crm', ['id:1'], { Note: long, First_Name: 'Ada' })).toBe(true);
		expect(ledger.isEcho('crm', ['id:1'], { Note: `${long}y`, First_Name: 'Ada' })).toBe(false);
	});
});

describe('echo ledger: the newest change known of a record', () => {
	it('is the newest of the changes seen from it and the changes written to it', () => {
		const { ledger } = ledgerAt();
		ledger.noteChange('crm', ['id:1'], 2_000, HOUR);
		ledger.beginWrite('crm', ['email:ada@example.com'], { First_Name: 'Ada' }, HOUR, 3_000);
		expect(ledger.newestKnown('crm', ['id:1'])).toBe(2_000);
		expect(ledger.newestKnown('crm', ['id:1', 'email:ada@example.com'])).toBe(3_000);
	});

	it('does not go back when an older change is noted later', () => {
		const { ledger } = ledgerAt();
		ledger.noteChange('crm', ['id:1'], 5_000, HOUR);
		ledger.noteChange('crm', ['id:1'], 4_000, HOUR);
		expect(ledger.newestKnown('crm', ['id:1'])).toBe(5_000);
	});

	it('is unknown for a record never written or seen, and once forgotten', () => {
		const { ledger, clock } = ledgerAt();
		expect(ledger.newestKnown('crm', ['id:1'])).toBeUndefined();
		ledger.noteChange('crm', ['id:1'], 5_000, HOUR);
		clock.now += HOUR;
		expect(ledger.newestKnown('crm', ['id:1'])).toBeUndefined();
	});
});

describe('echo ledger: a record as read from its service', () => {
	it('holds only what is known when it equals the last view received with the writes since', () => {
		const { ledger } = ledgerAt();
		ledger.noteView('crm', ['id:1'], { First_Name: 'Ada', Last_Name: 'Lovelace' }, HOUR);
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Augusta' }, HOUR);
		expect(ledger.holdsOnlyKnown('crm', ['id:1'], { First_Name: 'Augusta', Last_Name: 'Lovelace', Phone: '+41 44 000' })).toBe(true);
	});

	it('holds a change not known when a known field differs, written or not', () => {
		const { ledger } = ledgerAt();
		ledger.noteView('crm', ['id:1'], { First_Name: 'Ada', Last_Name: 'Lovelace' }, HOUR);
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Augusta' }, HOUR);
		expect(ledger.holdsOnlyKnown('crm', ['id:1'], { First_Name: 'Augusta', Last_Name: 'King' })).toBe(false);
		expect(ledger.holdsOnlyKnown('crm', ['id:1'], { First_Name: 'Ada', Last_Name: 'Lovelace' })).toBe(false);
	});

	it('cannot be judged for a record never written or seen, or with no field in common', () => {
		const { ledger } = ledgerAt();
		expect(ledger.holdsOnlyKnown('crm', ['id:1'], { First_Name: 'Ada' })).toBeUndefined();
		ledger.beginWrite('crm', ['id:1'], { First_Name: 'Ada' }, HOUR);
		expect(ledger.holdsOnlyKnown('crm', ['id:1'], { Last_Name: 'Lovelace' })).toBeUndefined();
	});
});

describe('a record that already holds what a write would set', () => {
	it('holds it when every written value is there as services store it, whatever else the record has', () => {
		expect(holdsValues({ First_Name: 'Ada', Email: 'ada@example.com', Phone: '+41' }, { First_Name: ' Ada ', Email: 'ADA@example.com' })).toBe(true);
	});

	it('does not when a written value differs or is missing', () => {
		expect(holdsValues({ First_Name: 'Ada' }, { First_Name: 'Augusta' })).toBe(false);
		expect(holdsValues({ First_Name: 'Ada' }, { First_Name: 'Ada', Last_Name: '' })).toBe(false);
	});

	it('does not for a write of nothing', () => {
		expect(holdsValues({ First_Name: 'Ada' }, {})).toBe(false);
	});
});

describe('echo ledger: bounded', () => {
	it('forgets the oldest records beyond its bound, keeping the newest', () => {
		const { ledger } = ledgerAt();
		for (let n = 0; n <= MAX_REMEMBERED_RECORDS; n++) ledger.noteChange('crm', [`id:${n}`], n, HOUR);
		expect(ledger.size).toBeLessThanOrEqual(MAX_REMEMBERED_RECORDS);
		expect(ledger.newestKnown('crm', [`id:${MAX_REMEMBERED_RECORDS}`])).toBe(MAX_REMEMBERED_RECORDS);
		expect(ledger.newestKnown('crm', ['id:0'])).toBeUndefined();
	});
});

describe('comparable values', () => {
	it('keeps case outside email addresses', () => {
		expect(comparable('Ada')).not.toBe(comparable('ada'));
	});

	it('reads objects without regard to key order', () => {
		expect(comparable({ a: 1, b: [2, { c: 3, d: 4 }] })).toBe(comparable({ b: [2, { d: 4, c: 3 }], a: 1 }));
	});
});
