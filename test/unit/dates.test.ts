import { DateTime, Settings } from 'luxon';

import { type DateInputFormat, type DateOutputFormat, formatDate, InvalidDateError, parseDate } from '../../nodes/shared/dates';

/** 2024-03-07T14:05:09.123Z, the instant most tests use. */
const REFERENCE_MILLIS = 1709820309123;
const REFERENCE_SECONDS = 1709820309;

/** The end of every InvalidDateError message about a value. */
const ACCEPTED_FORMS =
	'Accepted forms: ISO 8601 date or date-time (2024-03-07, 2024-03-07T14:05:09Z, 2024-03-07T14:05:09.123+05:30), ' +
	'yyyyMMdd (20240307), MM/dd/yyyy (03/07/2024), dd.MM.yyyy (07.03.2024), ' +
	'epoch seconds (10 digits, 1709820309) or milliseconds (13 digits, 1709820309000), a JS Date or a luxon DateTime.';

/** ISO string of a parsed value in its own zone, the easiest thing to compare. */
function parsedIso(value: unknown, timeZone?: string, inputFormat?: DateInputFormat): string | null {
	return parseDate(value, { timeZone, inputFormat }).toISO();
}

/** Runs `action` and returns what it threw, failing the test if it threw nothing. */
function thrownBy(action: () => unknown): InvalidDateError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidDateError);
		return error as InvalidDateError;
	}
	throw new Error('expected an InvalidDateError, but nothing was thrown');
}

describe('parseDate', () => {
	describe('ISO 8601 strings', () => {
		it('reads a date-only string as midnight UTC by default', () => {
			expect(parsedIso('2024-03-07')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads a date-only string as midnight in the chosen zone', () => {
			expect(parsedIso('2024-03-07', 'Asia/Kolkata')).toBe('2024-03-07T00:00:00.000+05:30');
		});

		it('reads a UTC date-time with milliseconds', () => {
			expect(parseDate('2024-03-07T14:05:09.123Z').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads a UTC date-time without milliseconds', () => {
			expect(parseDate('2024-03-07T14:05:09Z').toMillis()).toBe(REFERENCE_SECONDS * 1000);
		});

		it('keeps the instant of a date-time with an offset and shows it in the chosen zone', () => {
			const parsed = parseDate('2024-03-07T19:35:09.123+05:30', { timeZone: 'Europe/Berlin' });
			expect(parsed.toMillis()).toBe(REFERENCE_MILLIS);
			expect(parsed.toISO()).toBe('2024-03-07T15:05:09.123+01:00');
		});

		it('reads offsets written as +HHmm and as +HH', () => {
			expect(parseDate('2024-03-07T19:35:09.123+0530').toMillis()).toBe(REFERENCE_MILLIS);
			expect(parseDate('2024-03-07T09:05:09.123-05').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads a date-time without an offset as wall time in the chosen zone', () => {
			expect(parsedIso('2024-03-07T14:05:09', 'Asia/Kolkata')).toBe('2024-03-07T14:05:09.000+05:30');
		});

		it('reads a date-time without an offset as UTC when no zone is chosen', () => {
			expect(parsedIso('2024-03-07T14:05:09')).toBe('2024-03-07T14:05:09.000Z');
		});

		it('reads a date-time without seconds', () => {
			expect(parsedIso('2024-03-07T14:05Z')).toBe('2024-03-07T14:05:00.000Z');
		});

		it('reads a space instead of T between date and time, as SQL exports write it', () => {
			expect(parseDate('2024-03-07 14:05:09.123Z').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads a lower-case t and z', () => {
			expect(parseDate('2024-03-07t14:05:09.123z').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads a comma as the decimal sign of the seconds, as ISO 8601 allows', () => {
			expect(parseDate('2024-03-07T14:05:09,123Z').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('cuts fractions finer than milliseconds down to milliseconds', () => {
			expect(parseDate('2024-03-07T14:05:09.123987Z').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads 24:00 as midnight at the end of the day, as ISO 8601 allows', () => {
			expect(parsedIso('2024-03-07T24:00:00Z')).toBe('2024-03-08T00:00:00.000Z');
		});

		it('accepts one-digit month and day in a year-first date (2024-1-5 is 5 January)', () => {
			expect(parsedIso('2024-1-5')).toBe('2024-01-05T00:00:00.000Z');
		});
	});

	describe('epoch numbers (input format auto)', () => {
		it('reads a 10-digit number as epoch seconds', () => {
			expect(parseDate(REFERENCE_SECONDS).toMillis()).toBe(REFERENCE_SECONDS * 1000);
		});

		it('reads a 13-digit number as epoch milliseconds', () => {
			expect(parseDate(REFERENCE_MILLIS).toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads the largest 10-digit number as seconds (2286) and the smallest 13-digit one as milliseconds (2001)', () => {
			expect(parsedIso(9_999_999_999)).toBe('2286-11-20T17:46:39.000Z');
			expect(parsedIso(1_000_000_000_000)).toBe('2001-09-09T01:46:40.000Z');
		});

		it('reads a negative 10-digit number as seconds before 1970', () => {
			expect(parsedIso(-1_000_000_000)).toBe('1938-04-24T22:13:20.000Z');
		});

		it('keeps the fraction of fractional seconds as milliseconds', () => {
			expect(parseDate(1709820309.123).toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('rounds fractional milliseconds to whole milliseconds', () => {
			expect(parseDate(1709820309122.6).toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('shows the instant in the chosen zone', () => {
			expect(parsedIso(REFERENCE_MILLIS, 'Asia/Kolkata')).toBe('2024-03-07T19:35:09.123+05:30');
		});

		it.each([
			['NaN', Number.NaN],
			['Infinity', Number.POSITIVE_INFINITY],
			['-Infinity', Number.NEGATIVE_INFINITY],
		])('refuses %s as not finite', (quoted, value) => {
			const error = thrownBy(() => parseDate(value));
			expect(error.reason).toBe('the number is not finite');
			expect(error.message).toContain(`Cannot read ${quoted} as a date`);
		});
	});

	describe('8-digit numbers are yyyyMMdd dates, never epoch seconds', () => {
		it('reads the number 19910307 as 7 March 1991', () => {
			expect(parsedIso(19910307)).toBe('1991-03-07T00:00:00.000Z');
		});

		it("reads the string '20240307' as 7 March 2024", () => {
			expect(parsedIso('20240307')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads a yyyyMMdd date as midnight in the chosen zone, so it keeps its day there', () => {
			expect(parsedIso(19910307, 'America/Los_Angeles')).toBe('1991-03-07T00:00:00.000-08:00');
			expect(formatDate('19910307', 'zohoDate', { timeZone: 'Pacific/Kiritimati' })).toBe('1991-03-07');
		});

		it.each([
			['20241301', 'read as yyyyMMdd, month 13 does not exist'],
			['20240007', 'read as yyyyMMdd, month 0 does not exist'],
			['20230229', 'read as yyyyMMdd, February 2023 has no day 29'],
			['20240431', 'read as yyyyMMdd, April 2024 has no day 31'],
			['20240300', 'read as yyyyMMdd, March 2024 has no day 0'],
		])('refuses %s: %s', (text, reason) => {
			expect(thrownBy(() => parseDate(text)).reason).toBe(reason);
			expect(thrownBy(() => parseDate(Number(text))).reason).toBe(reason);
		});

		it('accepts the leap day 20240229', () => {
			expect(parseDate('20240229').toISODate()).toBe('2024-02-29');
		});

		it('refuses an 8-digit number with a fraction instead of guessing', () => {
			expect(thrownBy(() => parseDate('20240307.5')).reason).toMatch(/^a 8-digit number is neither epoch seconds/);
		});

		it('refuses a negative 8-digit number', () => {
			expect(thrownBy(() => parseDate(-19910307)).reason).toMatch(/^a 8-digit number is neither epoch seconds/);
		});
	});

	describe('numbers of any other length are refused, naming the value', () => {
		it.each([
			[0, 1],
			[86_400, 5],
			[668_304_000, 9],
			[99_999_999_999, 11],
			[100_000_000_000, 12],
			[17_098_203_091_230, 14],
			[1e17, 18],
		])('refuses %p (%p digits)', (value, digits) => {
			const error = thrownBy(() => parseDate(value));
			expect(error.reason).toBe(
				`a ${digits}-digit number is neither epoch seconds (10 digits), epoch milliseconds (13 digits) nor a yyyyMMdd date (8 digits); ` +
					'choose an epoch input format to read other numbers as epoch time',
			);
			expect(error.message).toContain(`Cannot read ${String(value)} as a date`);
		});

		it('refuses a short digit string, quoting it', () => {
			expect(thrownBy(() => parseDate('-86400')).message).toContain('Cannot read "-86400" as a date: a 5-digit number is neither');
		});

		it('refuses a number too large to write without an exponent', () => {
			expect(thrownBy(() => parseDate(1e21)).reason).toMatch(/^this number is neither epoch seconds/);
		});

		it('counts the digits of the value, not leading zeros', () => {
			expect(parsedIso('0020240307')).toBe('2024-03-07T00:00:00.000Z');
			expect(thrownBy(() => parseDate('0000086400')).reason).toMatch(/^a 5-digit number/);
		});
	});

	describe('explicit epoch input formats', () => {
		it('epochSeconds reads a number of any length as seconds', () => {
			expect(parsedIso(668_304_000, undefined, 'epochSeconds')).toBe('1991-03-07T00:00:00.000Z');
			expect(parsedIso(19910307, undefined, 'epochSeconds')).toBe('1970-08-19T10:38:27.000Z');
		});

		it('epochSeconds reads zero and negative numbers', () => {
			expect(parsedIso(0, undefined, 'epochSeconds')).toBe('1970-01-01T00:00:00.000Z');
			expect(parsedIso('-86400', undefined, 'epochSeconds')).toBe('1969-12-31T00:00:00.000Z');
		});

		it('epochMilliseconds reads a number of any length as milliseconds', () => {
			expect(parsedIso('86400000', undefined, 'epochMilliseconds')).toBe('1970-01-02T00:00:00.000Z');
			expect(parsedIso(REFERENCE_SECONDS, undefined, 'epochMilliseconds')).toBe('1970-01-20T18:57:00.309Z');
		});

		it('an epoch input format still reads text dates as dates', () => {
			expect(parsedIso('2024-03-07', undefined, 'epochSeconds')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('refuses an epoch beyond what a date can hold', () => {
			expect(thrownBy(() => parseDate(1e17, { inputFormat: 'epochMilliseconds' })).reason).toBe(
				'the epoch value is outside the supported range',
			);
		});

		it('refuses an unknown input format and lists the known ones', () => {
			expect(thrownBy(() => parseDate(REFERENCE_SECONDS, { inputFormat: 'seconds' as DateInputFormat })).message).toBe(
				'Unknown date input format "seconds": use one of auto, epochSeconds, epochMilliseconds.',
			);
		});
	});

	describe('numeric strings', () => {
		it('reads a string of 10 digits as seconds', () => {
			expect(parseDate('1709820309').toMillis()).toBe(REFERENCE_SECONDS * 1000);
		});

		it('reads a string of 13 digits as milliseconds', () => {
			expect(parseDate('1709820309123').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('reads a string with fractional seconds', () => {
			expect(parseDate('1709820309.123').toMillis()).toBe(REFERENCE_MILLIS);
		});

		it.each(['1.7e9', '+1709820309', '1709820309.', '0x65E9CA15', '1_709_820_309'])(
			'refuses %s as not a plain decimal number',
			(text) => {
				expect(thrownBy(() => parseDate(text)).reason).toBe('the text is not in any accepted form');
			},
		);
	});

	describe('MM/dd/yyyy (slash, month first)', () => {
		it('reads the first part as the month', () => {
			expect(parsedIso('03/07/2024')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads one-digit month and day', () => {
			expect(parsedIso('3/7/2024')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads a date whose day is above 12', () => {
			expect(parsedIso('12/31/2024')).toBe('2024-12-31T00:00:00.000Z');
		});

		it('reads midnight in the chosen zone', () => {
			expect(parsedIso('03/07/2024', 'America/Los_Angeles')).toBe('2024-03-07T00:00:00.000-08:00');
		});

		it('refuses a first part above 12 and says slashes are month first instead of swapping', () => {
			const error = thrownBy(() => parseDate('13/01/2024'));
			expect(error.reason).toBe(
				'slash dates are read as MM/dd/yyyy (month first) and 13 is not a month; write day-first dates as dd.MM.yyyy',
			);
			expect(error.message).toContain('Cannot read "13/01/2024" as a date: slash dates are read as MM/dd/yyyy');
		});

		it('refuses a day-first date such as 31/12/2024', () => {
			expect(thrownBy(() => parseDate('31/12/2024')).reason).toContain('31 is not a month');
		});
	});

	describe('dd.MM.yyyy (dots, day first)', () => {
		it('reads the first part as the day', () => {
			expect(parsedIso('07.03.2024')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads one-digit day and month', () => {
			expect(parsedIso('7.3.2024')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('reads midnight in the chosen zone', () => {
			expect(parsedIso('07.03.2024', 'Europe/Berlin')).toBe('2024-03-07T00:00:00.000+01:00');
		});

		it('refuses a second part above 12 and says dots are day first instead of swapping', () => {
			expect(thrownBy(() => parseDate('03.13.2024')).reason).toBe(
				'dotted dates are read as dd.MM.yyyy (day first) and 13 is not a month; write month-first dates as MM/dd/yyyy',
			);
		});
	});

	describe('calendar-invalid dates', () => {
		it.each([
			['2023-02-29', 'February 2023 has no day 29'],
			['1900-02-29', 'February 1900 has no day 29'],
			['31.04.2024', 'April 2024 has no day 31'],
			['02/30/2024', 'February 2024 has no day 30'],
			['2024-01-00', 'January 2024 has no day 0'],
			['2024-01-32', 'January 2024 has no day 32'],
			['2024-13-01', 'month 13 does not exist'],
			['2024-00-10', 'month 0 does not exist'],
			['00/10/2024', 'month 0 does not exist'],
			['10.00.2024', 'month 0 does not exist'],
			['2023-02-29T10:00:00Z', 'February 2023 has no day 29'],
		])('refuses %s: %s', (text, reason) => {
			expect(thrownBy(() => parseDate(text)).reason).toBe(reason);
		});

		it.each(['2024-02-29', '2000-02-29', '02/29/2024', '29.02.2024'])('accepts the leap day %s', (text) => {
			expect(parseDate(text).toISODate()).toBe(text.startsWith('2000') ? '2000-02-29' : '2024-02-29');
		});

		it.each([
			['2024-03-07T25:00:00Z', 'the time of day 25:00:00 does not exist'],
			['2024-03-07T14:60:00Z', 'the time of day 14:60:00 does not exist'],
			['2024-03-07T14:05:60Z', 'the time of day 14:05:60 does not exist'],
			['2024-03-07T24:30:00Z', 'the time of day 24:30:00 does not exist'],
		])('refuses the impossible time in %s', (text, reason) => {
			expect(thrownBy(() => parseDate(text)).reason).toBe(reason);
		});
	});

	describe('years', () => {
		it.each(['03/07/24', '07.03.24', '24-03-07'])('refuses the two-digit year in %s as ambiguous', (text) => {
			expect(thrownBy(() => parseDate(text)).reason).toBe(
				'two-digit years are ambiguous; write the year with four digits',
			);
		});

		it.each(['03/07/202', '07.03.20245', '202-03-07'])('refuses the year in %s as not four digits', (text) => {
			expect(thrownBy(() => parseDate(text)).reason).toBe('the year must have four digits');
		});
	});

	describe('JS Date objects', () => {
		it('keeps the instant of a Date', () => {
			expect(parseDate(new Date(REFERENCE_MILLIS)).toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('shows a Date in the chosen zone', () => {
			expect(parsedIso(new Date(REFERENCE_MILLIS), 'Asia/Kolkata')).toBe('2024-03-07T19:35:09.123+05:30');
		});

		it('refuses an invalid Date', () => {
			const error = thrownBy(() => parseDate(new Date('not a date')));
			expect(error.reason).toBe('the Date object is invalid');
			expect(error.message).toContain('Cannot read Invalid Date as a date');
		});
	});

	describe('luxon DateTime objects', () => {
		it('keeps the instant and moves it to the chosen zone', () => {
			const berlin = DateTime.fromMillis(REFERENCE_MILLIS, { zone: 'Europe/Berlin' });
			expect(parsedIso(berlin, 'Asia/Kolkata')).toBe('2024-03-07T19:35:09.123+05:30');
		});

		it('moves a DateTime from another zone to UTC by default', () => {
			const kolkata = DateTime.fromMillis(REFERENCE_MILLIS, { zone: 'Asia/Kolkata' });
			expect(parsedIso(kolkata)).toBe('2024-03-07T14:05:09.123Z');
		});

		it("rebuilds a DateTime from another copy of luxon (such as n8n's) as a DateTime of this copy", () => {
			const foreignDateTime = { isLuxonDateTime: true, isValid: true, toMillis: () => REFERENCE_MILLIS };
			const parsed = parseDate(foreignDateTime);
			expect(parsed).toBeInstanceOf(DateTime);
			expect(parsed.toMillis()).toBe(REFERENCE_MILLIS);
		});

		it('refuses an invalid DateTime and passes on its reason', () => {
			const invalid = DateTime.invalid('corrupted upstream');
			expect(thrownBy(() => parseDate(invalid)).reason).toBe('the luxon DateTime is invalid (corrupted upstream)');
		});
	});

	describe('time zones', () => {
		it('uses UTC when no options are given', () => {
			expect(parseDate('2024-03-07').zoneName).toBe('UTC');
		});

		it('uses UTC when the zone is an empty string, the default of an empty node parameter', () => {
			expect(parseDate('2024-03-07', { timeZone: '' }).zoneName).toBe('UTC');
		});

		it('trims the zone name', () => {
			expect(parseDate('2024-03-07', { timeZone: ' Asia/Tokyo ' }).zoneName).toBe('Asia/Tokyo');
		});

		it('refuses an unknown zone with a message naming it', () => {
			const error = thrownBy(() => parseDate('2024-03-07', { timeZone: 'Mars/Olympus_Mons' }));
			expect(error.message).toBe(
				'Unknown time zone "Mars/Olympus_Mons": use an IANA zone name such as "UTC", "Europe/Berlin" or "Asia/Kolkata".',
			);
			expect(error.input).toBe('2024-03-07');
		});

		it('refuses a fixed-offset name that is not an IANA zone', () => {
			expect(thrownBy(() => parseDate('2024-03-07', { timeZone: 'UTC+3' })).message).toContain(
				'Unknown time zone "UTC+3"',
			);
		});

		it("refuses 'local', so no result depends on the server's zone", () => {
			expect(thrownBy(() => parseDate('2024-03-07', { timeZone: 'local' })).message).toContain(
				'Unknown time zone "local"',
			);
		});

		it('checks the zone even when the value is valid in any zone', () => {
			expect(() => parseDate(REFERENCE_MILLIS, { timeZone: 'Nowhere/Special' })).toThrow(InvalidDateError);
		});
	});

	describe('whitespace', () => {
		it.each([
			[' 2024-03-07 ', '2024-03-07T00:00:00.000Z'],
			['\t03/07/2024\n', '2024-03-07T00:00:00.000Z'],
			['  07.03.2024', '2024-03-07T00:00:00.000Z'],
			[' 1709820309 ', '2024-03-07T14:05:09.000Z'],
			['\n2024-03-07T14:05:09.123Z\r\n', '2024-03-07T14:05:09.123Z'],
		])('trims %j before reading it', (text, iso) => {
			expect(parsedIso(text)).toBe(iso);
		});

		it('keeps the untrimmed text as the input of the error', () => {
			expect(thrownBy(() => parseDate(' tomorrow ')).input).toBe(' tomorrow ');
		});
	});

	describe('rejections', () => {
		it.each([
			['an empty string', '', 'the value is empty'],
			['a string of spaces', '   ', 'the value is empty'],
			['a word', 'tomorrow', 'the text is not in any accepted form'],
			['now', 'now', 'the text is not in any accepted form'],
			['a written-out date', 'March 7, 2024', 'the text is not in any accepted form'],
			['a time without a date', '14:05', 'the text is not in any accepted form'],
			['an ISO week date', '2024-W10-4', 'the text is not in any accepted form'],
			['an ISO ordinal date', '2024-067', 'the text is not in any accepted form'],
			['a compact ISO date-time', '20240307T140509Z', 'the text is not in any accepted form'],
			['a slash date with a time', '03/07/2024 14:05', 'the text is not in any accepted form'],
			['a date-time with a one-digit month', '2024-3-07T14:05:09Z', 'the text is not in any accepted form'],
			['a date-time with an hour only', '2024-03-07T14Z', 'the text is not in any accepted form'],
			['an offset beyond 23 hours', '2024-03-07T14:05:09+25:00', 'the text is not in any accepted form'],
			['a dash date with the year last', '07-03-2024', 'the text is not in any accepted form'],
			['a date with mixed separators', '03/07.2024', 'the text is not in any accepted form'],
		])('refuses %s', (_description, text, reason) => {
			const error = thrownBy(() => parseDate(text));
			expect(error.reason).toBe(reason);
			expect(error.input).toBe(text);
		});

		it.each([
			['true', true, 'boolean'],
			['false', false, 'boolean'],
			['null', null, 'null'],
			['undefined', undefined, 'undefined'],
			['{}', {}, 'object'],
			['[]', [], 'array'],
			['an object with a date inside', { date: '2024-03-07' }, 'object'],
			['a bigint', BigInt(REFERENCE_SECONDS), 'bigint'],
		])('refuses %s as a value of the wrong type', (_description, value, typeName) => {
			expect(thrownBy(() => parseDate(value)).reason).toBe(`a value of type ${typeName} is not a date`);
		});
	});

	describe('InvalidDateError', () => {
		it('is an Error named InvalidDateError', () => {
			const error = thrownBy(() => parseDate('tomorrow'));
			expect(error).toBeInstanceOf(Error);
			expect(error.name).toBe('InvalidDateError');
		});

		it('quotes the input, gives the reason and lists the accepted forms', () => {
			expect(thrownBy(() => parseDate('tomorrow')).message).toBe(
				`Cannot read "tomorrow" as a date: the text is not in any accepted form. ${ACCEPTED_FORMS}`,
			);
		});

		it('ends every message about a value with the accepted forms', () => {
			for (const value of ['', '13/01/2024', '2023-02-29', '03/07/24', true, Number.NaN, 12345, '20241301']) {
				expect(thrownBy(() => parseDate(value)).message.endsWith(ACCEPTED_FORMS)).toBe(true);
			}
		});

		it('cuts a long input to 50 characters in the message and keeps it whole on the error', () => {
			const longText = 'x'.repeat(80);
			const error = thrownBy(() => parseDate(longText));
			expect(error.message).toContain(`Cannot read "${'x'.repeat(50)}…" as a date`);
			expect(error.input).toBe(longText);
		});

		it('quotes an object as JSON', () => {
			expect(thrownBy(() => parseDate({ date: 'soon' })).message).toContain('Cannot read {"date":"soon"} as a date');
		});

		it('quotes an object that cannot be turned into JSON by its type tag', () => {
			const circular: Record<string, unknown> = {};
			circular.self = circular;
			expect(thrownBy(() => parseDate(circular)).message).toContain('Cannot read [object Object] as a date');
		});

		it('quotes undefined and booleans as they are written in code', () => {
			expect(thrownBy(() => parseDate(undefined)).message).toContain('Cannot read undefined as a date');
			expect(thrownBy(() => parseDate(false)).message).toContain('Cannot read false as a date');
		});
	});
});

describe('formatDate', () => {
	describe('each output format, in UTC', () => {
		it.each<[DateOutputFormat, string]>([
			['meheryDate', '03-07-24'],
			['zohoDate', '2024-03-07'],
			['zohoDateTime', '2024-03-07T14:05:09+00:00'],
			['isoDateTime', '2024-03-07T14:05:09.123+00:00'],
			['isoDate', '2024-03-07'],
		])('writes %s as %s', (format, expected) => {
			expect(formatDate(REFERENCE_MILLIS, format)).toBe(expected);
		});

		it("writes meheryDate as MeherY's MM-DD-YY, with a leading zero and a two-digit year", () => {
			expect(formatDate('1991-03-07', 'meheryDate')).toBe('03-07-91');
		});

		it('writes the year 2000 as 00 in meheryDate', () => {
			expect(formatDate('01/02/2000', 'meheryDate')).toBe('01-02-00');
		});

		it('writes zohoDateTime without milliseconds even when the input has them', () => {
			expect(formatDate('2024-03-07T14:05:09.999Z', 'zohoDateTime')).toBe('2024-03-07T14:05:09+00:00');
		});

		it('formats every accepted input form', () => {
			const inputs: unknown[] = [
				'2024-03-07',
				'03/07/2024',
				'07.03.2024',
				'2024-03-07T10:00:00Z',
				'20240307',
				20240307,
				'1709805600',
				1709805600000,
				new Date('2024-03-07T10:00:00Z'),
				DateTime.fromISO('2024-03-07T10:00:00Z'),
			];
			expect(inputs.map((input) => formatDate(input, 'zohoDate'))).toEqual(Array(inputs.length).fill('2024-03-07'));
		});
	});

	describe('time-zone conversion', () => {
		it('writes zohoDateTime with the offset of the chosen zone', () => {
			expect(formatDate(REFERENCE_MILLIS, 'zohoDateTime', { timeZone: 'Asia/Kolkata' })).toBe(
				'2024-03-07T19:35:09+05:30',
			);
		});

		it('writes isoDateTime with the offset of the chosen zone', () => {
			expect(formatDate(REFERENCE_MILLIS, 'isoDateTime', { timeZone: 'America/New_York' })).toBe(
				'2024-03-07T09:05:09.123-05:00',
			);
		});

		it('moves a late-evening UTC instant to the next day east of UTC', () => {
			expect(formatDate('2024-03-07T23:30:00Z', 'zohoDate', { timeZone: 'Asia/Kolkata' })).toBe('2024-03-08');
		});

		it('moves an early-morning UTC instant to the previous day west of UTC', () => {
			expect(formatDate('2024-03-07T03:00:00Z', 'meheryDate', { timeZone: 'America/Los_Angeles' })).toBe('03-06-24');
		});

		it('converts an instant written with one offset into another zone', () => {
			expect(formatDate('2024-03-07T23:30:00-08:00', 'zohoDateTime', { timeZone: 'Europe/Berlin' })).toBe(
				'2024-03-08T08:30:00+01:00',
			);
		});

		it('writes a date-only input as midnight in the chosen zone for date-time formats', () => {
			expect(formatDate('2024-03-07', 'zohoDateTime', { timeZone: 'Asia/Kolkata' })).toBe('2024-03-07T00:00:00+05:30');
		});

		it('writes a zone of a half-hour-and-a-quarter offset', () => {
			expect(formatDate(REFERENCE_MILLIS, 'zohoDateTime', { timeZone: 'Asia/Kathmandu' })).toBe(
				'2024-03-07T19:50:09+05:45',
			);
		});
	});

	describe('daylight saving time', () => {
		it('switches from -05:00 to -04:00 at the New York spring-forward instant', () => {
			const options = { timeZone: 'America/New_York' };
			expect(formatDate('2024-03-10T06:59:59Z', 'zohoDateTime', options)).toBe('2024-03-10T01:59:59-05:00');
			expect(formatDate('2024-03-10T07:00:00Z', 'zohoDateTime', options)).toBe('2024-03-10T03:00:00-04:00');
		});

		it('writes the repeated autumn hour in New York with the offset of each instant', () => {
			const options = { timeZone: 'America/New_York' };
			expect(formatDate('2024-11-03T05:30:00Z', 'zohoDateTime', options)).toBe('2024-11-03T01:30:00-04:00');
			expect(formatDate('2024-11-03T06:30:00Z', 'zohoDateTime', options)).toBe('2024-11-03T01:30:00-05:00');
		});

		it('switches Berlin from +01:00 to +02:00 on the last Sunday of March', () => {
			const options = { timeZone: 'Europe/Berlin' };
			expect(formatDate('2024-03-31T00:59:59Z', 'zohoDateTime', options)).toBe('2024-03-31T01:59:59+01:00');
			expect(formatDate('2024-03-31T01:00:00Z', 'zohoDateTime', options)).toBe('2024-03-31T03:00:00+02:00');
		});

		it('moves a wall time that falls in the spring-forward gap one hour later, as luxon does', () => {
			expect(formatDate('2024-03-10T02:30:00', 'zohoDateTime', { timeZone: 'America/New_York' })).toBe(
				'2024-03-10T03:30:00-04:00',
			);
		});

		it('reads a wall time in the repeated autumn hour with the standard-time offset, as luxon does', () => {
			expect(formatDate('2024-11-03T01:30:00', 'zohoDateTime', { timeZone: 'America/New_York' })).toBe(
				'2024-11-03T01:30:00-05:00',
			);
		});

		it('keeps the day of a date-only input where midnight itself is skipped (Santiago, 8 Sept 2024)', () => {
			const options = { timeZone: 'America/Santiago' };
			expect(formatDate('2024-09-08', 'zohoDate', options)).toBe('2024-09-08');
			expect(formatDate('2024-09-08', 'zohoDateTime', options)).toBe('2024-09-08T01:00:00-03:00');
		});
	});

	describe('date-only inputs never shift their day', () => {
		const zones = [
			'Pacific/Kiritimati', // UTC+14, the farthest east
			'Pacific/Apia', // UTC+13
			'Asia/Tokyo',
			'UTC',
			'America/Los_Angeles',
			'Pacific/Pago_Pago', // UTC-11
			'Etc/GMT+12', // UTC-12, the farthest west
		];
		const dateOnlyInputs = ['2024-03-07', '03/07/2024', '07.03.2024'];
		const cases = zones.flatMap((timeZone) => dateOnlyInputs.map((input) => [input, timeZone]));

		it.each(cases)('keeps 7 March 2024 for %s in %s', (input, timeZone) => {
			expect(formatDate(input, 'zohoDate', { timeZone })).toBe('2024-03-07');
			expect(formatDate(input, 'isoDate', { timeZone })).toBe('2024-03-07');
			expect(formatDate(input, 'meheryDate', { timeZone })).toBe('03-07-24');
		});

		it.each(zones)('keeps New Year’s Eve across the year boundary in %s', (timeZone) => {
			expect(formatDate('12/31/2024', 'zohoDate', { timeZone })).toBe('2024-12-31');
		});
	});

	describe('a date-only output keeps the calendar date of an ISO date-time at exactly midnight UTC', () => {
		const zones = [
			'America/Los_Angeles',
			'Pacific/Pago_Pago', // UTC-11
			'Etc/GMT+12', // UTC-12, the farthest west
			'UTC',
			'Asia/Tokyo',
			'Pacific/Kiritimati', // UTC+14, the farthest east
		];
		const midnights = [
			'1991-03-07T00:00:00Z',
			'1991-03-07T00:00:00.000Z',
			'1991-03-07T00:00:00+00:00',
			'1991-03-07T00:00:00.000+00:00',
			'1991-03-07T00:00:00+0000',
			'1991-03-07T00:00Z',
			'1991-03-07 00:00:00.000000z',
		];
		const cases = zones.flatMap((timeZone) => midnights.map((input) => [input, timeZone]));

		it.each(cases)('writes 7 March 1991 for %s in %s', (input, timeZone) => {
			expect(formatDate(input, 'zohoDate', { timeZone })).toBe('1991-03-07');
			expect(formatDate(input, 'isoDate', { timeZone })).toBe('1991-03-07');
			expect(formatDate(input, 'meheryDate', { timeZone })).toBe('03-07-91');
		});

		it('still converts midnight UTC to the chosen zone for a date-time output', () => {
			expect(formatDate('1991-03-07T00:00:00Z', 'zohoDateTime', { timeZone: 'America/Los_Angeles' })).toBe(
				'1991-03-06T16:00:00-08:00',
			);
		});

		it('converts a date-time one millisecond after midnight UTC to the chosen zone, as any other', () => {
			expect(formatDate('1991-03-07T00:00:00.001Z', 'zohoDate', { timeZone: 'America/Los_Angeles' })).toBe('1991-03-06');
		});

		it('converts midnight at another offset to the chosen zone, as any other date-time', () => {
			expect(formatDate('1991-03-07T00:00:00+01:00', 'zohoDate', { timeZone: 'America/Los_Angeles' })).toBe('1991-03-06');
		});

		it('still refuses an impossible day at midnight UTC', () => {
			expect(thrownBy(() => formatDate('1991-02-30T00:00:00Z', 'zohoDate')).reason).toBe('February 1991 has no day 30');
		});

		it('still refuses an unknown zone for a midnight UTC date-time', () => {
			expect(
				thrownBy(() => formatDate('1991-03-07T00:00:00Z', 'zohoDate', { timeZone: 'Mars/Base' })).message,
			).toContain('Unknown time zone "Mars/Base"');
		});
	});

	describe('independence from global luxon settings', () => {
		const savedLocale = Settings.defaultLocale;
		const savedCalendar = Settings.defaultOutputCalendar;
		const savedNumbering = Settings.defaultNumberingSystem;
		const savedZone = Settings.defaultZone;

		afterEach(() => {
			Settings.defaultLocale = savedLocale;
			Settings.defaultOutputCalendar = savedCalendar;
			Settings.defaultNumberingSystem = savedNumbering;
			Settings.defaultZone = savedZone;
		});

		it('writes Latin digits and Gregorian years whatever the default locale and calendar', () => {
			Settings.defaultLocale = 'ar-EG';
			Settings.defaultNumberingSystem = 'arab';
			Settings.defaultOutputCalendar = 'buddhist';
			expect(formatDate(REFERENCE_MILLIS, 'zohoDateTime')).toBe('2024-03-07T14:05:09+00:00');
			expect(formatDate('1991-03-07', 'meheryDate')).toBe('03-07-91');
		});

		it('uses UTC, not the default luxon zone, when no zone is chosen', () => {
			Settings.defaultZone = 'Asia/Tokyo';
			expect(formatDate('2024-03-07T14:05:09', 'zohoDateTime')).toBe('2024-03-07T14:05:09+00:00');
		});
	});

	describe('errors', () => {
		it('throws the InvalidDateError of an unreadable value', () => {
			expect(thrownBy(() => formatDate('13/01/2024', 'zohoDate')).reason).toContain('slash dates are read as MM/dd/yyyy');
		});

		it('throws for an unknown zone', () => {
			expect(thrownBy(() => formatDate('2024-03-07', 'zohoDate', { timeZone: 'Mars/Base' })).message).toContain(
				'Unknown time zone "Mars/Base"',
			);
		});

		it('refuses an unknown output format and lists the known ones', () => {
			const error = thrownBy(() => formatDate('2024-03-07', 'usDate' as DateOutputFormat));
			expect(error.message).toBe(
				'Unknown date output format "usDate": use one of meheryDate, zohoDate, zohoDateTime, isoDateTime, isoDate.',
			);
		});
	});
});
