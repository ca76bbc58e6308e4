import { DateTime, IANAZone, Settings } from 'luxon';

import {
	calendarDayOf,
	type DateOptions,
	type DateOutputFormat,
	formatDate,
	InvalidDateError,
	type NumberReading,
	parseDate,
	UnwritableDateError,
} from '../../nodes/shared/dates';

/** 2024-03-07T14:05:09.123Z, the instant most tests use. */
const REFERENCE_MILLIS = 1709820309123;
const REFERENCE_SECONDS = 1709820309;

/** The end of every InvalidDateError message about a value. */
const ACCEPTED_FORMS =
	'Accepted forms: ISO 8601 date or date-time (2024-03-07, 2024-03-07T14:05:09Z, 2024-03-07T14:05:09.123+05:30), ' +
	'yyyyMMdd (20240307), a date with an English month name (7 March 2024, Mar 7, 2024), ' +
	'day and month with slashes, dots or dashes where one of them is above 12 (31/12/2024, 12.31.2024) ' +
	'or in the order chosen under Date Input Format, ' +
	'epoch seconds (10 digits, 1709820309) or milliseconds (13 digits, 1709820309000), a JS Date or a luxon DateTime.';

/** ISO string of a parsed value in its own zone, the easiest thing to compare. */
function parsedIso(value: unknown, timeZone?: string, numbers?: NumberReading): string | null {
	return parseDate(value, { timeZone, numbers }).toISO();
}

/** The calendar date a value is read as, with these options. */
function readDay(value: unknown, options?: DateOptions): string | null {
	return parseDate(value, options).toISODate();
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
				`a ${digits}-digit number is neither epoch seconds (10 digits), epoch milliseconds (13 digits) nor a yyyyMMdd date (8 digits)`,
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

	describe('numbers read as epoch time in a chosen unit', () => {
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

		it('an epoch unit still reads text dates as dates', () => {
			expect(parsedIso('2024-03-07', undefined, 'epochSeconds')).toBe('2024-03-07T00:00:00.000Z');
		});

		it('refuses an epoch beyond what a date can hold', () => {
			expect(thrownBy(() => parseDate(1e17, { numbers: 'epochMilliseconds' })).reason).toBe(
				'the epoch value is outside the supported range',
			);
		});

		it('refuses an unknown way of reading numbers and lists the known ones', () => {
			expect(thrownBy(() => parseDate(REFERENCE_SECONDS, { numbers: 'seconds' as NumberReading })).message).toBe(
				'Unknown way to read numbers as dates "seconds": use one of auto, epochSeconds, epochMilliseconds.',
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

	describe('day and month with slashes, dots or dashes, without a Date Input Format', () => {
		it.each(['07/03/1991', '07.03.1991', '07-03-1991', '3/7/1991'])(
			'refuses %s, where both numbers could be the month, naming both readings and what to do',
			(text) => {
				const error = thrownBy(() => parseDate(text));
				expect(error.message).toContain(`Cannot read "${text}" as a date: it is `);
				expect(error.reason).toMatch(/^it is (7 March|3 July) 1991 if the day comes first and (3 July|7 March) 1991 if the month does; /);
				expect(error.reason).toMatch(
					/choose the order under Date Input Format \(dd\/MM\/yyyy or MM\/dd\/yyyy\), or send the date as yyyy-MM-dd$/,
				);
			},
		);

		it('names the day-first reading first', () => {
			expect(thrownBy(() => parseDate('07/03/1991')).reason).toMatch(/^it is 7 March 1991 if the day comes first and 3 July 1991 if the month does/);
		});

		it.each([
			['13/01/2024', '2024-01-13'],
			['31/12/2024', '2024-12-31'],
			['31.12.2024', '2024-12-31'],
			['25-12-2024', '2024-12-25'],
		])('reads %s as day first: its first number is above 12, so it is the day', (text, day) => {
			expect(readDay(text)).toBe(day);
		});

		it.each([
			['12/31/2024', '2024-12-31'],
			['03.13.2024', '2024-03-13'],
			['3/17/2024', '2024-03-17'],
			['12-25-2024', '2024-12-25'],
		])('reads %s as month first: its second number is above 12, so it is the day', (text, day) => {
			expect(readDay(text)).toBe(day);
		});

		it('reads a date whose day and month are the same number, as both orders agree', () => {
			expect(readDay('07/07/1991')).toBe('1991-07-07');
		});

		it('refuses a date in which neither number is a month', () => {
			expect(thrownBy(() => parseDate('13/13/2024')).reason).toBe('neither 13 nor 13 is a month');
		});

		it('reads midnight in the chosen zone', () => {
			expect(parsedIso('13/03/2024', 'America/Los_Angeles')).toBe('2024-03-13T00:00:00.000-07:00');
		});
	});

	describe('day and month in the order chosen under Date Input Format', () => {
		it.each(['07/03/1991', '7/3/1991', '07.03.1991', '07-03-1991'])('dd/MM/yyyy reads %s as 7 March 1991', (text) => {
			expect(readDay(text, { inputFormat: 'dd/MM/yyyy' })).toBe('1991-03-07');
		});

		it.each(['07/03/1991', '7.3.1991'])('MM/dd/yyyy reads %s as 3 July 1991', (text) => {
			expect(readDay(text, { inputFormat: 'MM/dd/yyyy' })).toBe('1991-07-03');
		});

		it('an order written with dots or dashes, or one-letter tokens, is the same order', () => {
			expect(readDay('07/03/1991', { inputFormat: 'dd.MM.yyyy' })).toBe('1991-03-07');
			expect(readDay('07/03/1991', { inputFormat: 'M-d-yyyy' })).toBe('1991-07-03');
		});

		it('refuses a month above 12 in the chosen order instead of swapping', () => {
			expect(thrownBy(() => parseDate('13/01/2024', { inputFormat: 'MM/dd/yyyy' })).reason).toBe(
				'read as MM/dd/yyyy (the Date Input Format), month 13 does not exist',
			);
		});

		it('still refuses a two-digit year in the chosen order', () => {
			expect(thrownBy(() => parseDate('07/03/91', { inputFormat: 'dd/MM/yyyy' })).reason).toBe(
				'read as dd/MM/yyyy (the Date Input Format), two-digit years are ambiguous; write the year with four digits',
			);
		});

		it('still reads forms that need no choice', () => {
			const options = { inputFormat: 'MM/dd/yyyy' };
			expect(['1991-03-07', '19910307', '7 March 1991', '1991-03-07T10:00:00Z'].map((text) => readDay(text, options))).toEqual(
				Array(4).fill('1991-03-07'),
			);
		});

		it('reads text in a free Luxon format', () => {
			expect(readDay('1991/07/03', { inputFormat: 'yyyy/dd/MM' })).toBe('1991-03-07');
			expect(readDay('07 de March 1991', { inputFormat: "dd 'de' MMMM yyyy" })).toBe('1991-03-07');
		});

		it('reads a free Luxon format before the forms that need no choice', () => {
			expect(readDay('1991-07-03', { inputFormat: 'yyyy-dd-MM' })).toBe('1991-03-07');
		});

		it('reads a free Luxon format in the chosen zone', () => {
			expect(parseDate('1991/07/03', { inputFormat: 'yyyy/dd/MM', timeZone: 'Asia/Kolkata' }).toISO()).toBe('1991-03-07T00:00:00.000+05:30');
		});

		it('refuses a slash date that does not match a free Luxon format, instead of guessing its order', () => {
			expect(thrownBy(() => parseDate('31/12/2024', { inputFormat: 'yyyy/dd/MM' })).reason).toBe(
				'the text does not match the Date Input Format "yyyy/dd/MM"',
			);
		});

		it('refuses text that matches a free Luxon format but is no date', () => {
			expect(thrownBy(() => parseDate('1991/31/02', { inputFormat: 'yyyy/dd/MM' })).reason).toBe(
				'read with the Date Input Format "yyyy/dd/MM", you specified 31 (of type number) as a day, which is invalid',
			);
		});

		it('refuses a year of fewer than four digits read with a free Luxon format', () => {
			expect(thrownBy(() => parseDate('91/07/03', { inputFormat: 'y/dd/MM' })).reason).toBe(
				'read with the Date Input Format "y/dd/MM", the year must have four digits',
			);
		});

		it('says which format text in no accepted form did not match', () => {
			expect(thrownBy(() => parseDate('soon', { inputFormat: 'yyyy/dd/MM' })).reason).toBe(
				'the text matches neither the Date Input Format "yyyy/dd/MM" nor another accepted form',
			);
		});

		it.each([
			['dd/MM/yy', 'has a two-digit year, whose century would be a guess'],
			['MMM yy', 'has a two-digit year, whose century would be a guess'],
			['hello', 'does not name a year, a month and a day'],
			['MM/yyyy', 'does not name a year, a month and a day'],
		])('refuses the Date Input Format %s: %s', (inputFormat, reason) => {
			const error = thrownBy(() => parseDate('2024-03-07', { inputFormat }));
			expect(error.message).toBe(
				`The Date Input Format ${JSON.stringify(inputFormat)} ${reason}: use dd/MM/yyyy (day first), MM/dd/yyyy (month first) or a Luxon format with yyyy, MM and dd, such as d MMMM yyyy.`,
			);
			expect(error.input).toBe('2024-03-07');
		});

		it('treats an empty or blank Date Input Format as none chosen', () => {
			expect(thrownBy(() => parseDate('07/03/1991', { inputFormat: '  ' })).reason).toMatch(/^it is 7 March 1991/);
		});
	});

	describe('dates with an English month name', () => {
		it.each([
			'7 March 1991',
			'07 Mar 1991',
			'7th March 1991',
			'7th of March, 1991',
			'07-Mar-1991',
			'07-MAR-1991',
			'March 7, 1991',
			'Mar. 7 1991',
			'march 7th, 1991',
			'1991 March 7',
			'1991-Mar-07',
			'Thursday, 7 March 1991',
			'Thu, Mar 7, 1991',
		])('reads %s as 7 March 1991', (text) => {
			expect(readDay(text)).toBe('1991-03-07');
		});

		it('reads Sept as September', () => {
			expect(readDay('Sept 9, 2024')).toBe('2024-09-09');
		});

		it('reads midnight in the chosen zone', () => {
			expect(parsedIso('7 March 1991', 'Asia/Tokyo')).toBe('1991-03-07T00:00:00.000+09:00');
		});

		it('refuses a weekday that is not the date’s', () => {
			expect(thrownBy(() => parseDate('Friday, 7 March 1991')).reason).toBe('7 March 1991 is a Thursday, not a Friday');
		});

		it('refuses a day the month does not have', () => {
			expect(thrownBy(() => parseDate('31 February 2024')).reason).toBe('February 2024 has no day 31');
		});

		it('refuses a two-digit year', () => {
			expect(thrownBy(() => parseDate('March 7, 91')).reason).toBe('two-digit years are ambiguous; write the year with four digits');
		});

		it('refuses a word that is not an English month name', () => {
			expect(thrownBy(() => parseDate('7 Marhc 1991')).reason).toBe('the text is not in any accepted form');
			expect(thrownBy(() => parseDate('7 März 1991')).reason).toBe('the text is not in any accepted form');
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
			['00/10/2024', 'October 2024 has no day 0'],
			['10.00.2024', 'October 2024 has no day 0'],
			['00/00/2024', 'neither 0 nor 0 is a month'],
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

		it('checks a zone name once: later reads in that zone give the same result without building an Intl formatter again', () => {
			const first = parseDate('2026-12-05T10:15:00+05:30', { timeZone: 'America/Santiago' }).toISO();
			const check = jest.spyOn(IANAZone, 'isValidZone');
			try {
				for (let read = 0; read < 5; read++) {
					expect(parseDate('2026-12-05T10:15:00+05:30', { timeZone: 'America/Santiago' }).toISO()).toBe(first);
				}
				expect(check).not.toHaveBeenCalled();
			} finally {
				check.mockRestore();
			}
		});

		it('refuses an unknown zone on every read: a refused name is never remembered', () => {
			for (let read = 0; read < 3; read++) {
				expect(thrownBy(() => parseDate('2024-03-07', { timeZone: 'Atlantis/Capital' })).message).toContain('Unknown time zone "Atlantis/Capital"');
			}
		});
	});

	describe('whitespace', () => {
		it.each([
			[' 2024-03-07 ', '2024-03-07T00:00:00.000Z'],
			['\t03/17/2024\n', '2024-03-17T00:00:00.000Z'],
			['  17.03.2024', '2024-03-17T00:00:00.000Z'],
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
			['a written-out date in another language', '7. März 2024', 'the text is not in any accepted form'],
			['a time without a date', '14:05', 'the text is not in any accepted form'],
			['an ISO week date', '2024-W10-4', 'the text is not in any accepted form'],
			['an ISO ordinal date', '2024-067', 'the text is not in any accepted form'],
			['a compact ISO date-time', '20240307T140509Z', 'the text is not in any accepted form'],
			['a slash date with a time', '03/07/2024 14:05', 'the text is not in any accepted form'],
			['a date-time with a one-digit month', '2024-3-07T14:05:09Z', 'the text is not in any accepted form'],
			['a date-time with an hour only', '2024-03-07T14Z', 'the text is not in any accepted form'],
			['an offset beyond 23 hours', '2024-03-07T14:05:09+25:00', 'the text is not in any accepted form'],
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
			for (const value of ['', '07/03/2024', '2023-02-29', '03/07/24', true, Number.NaN, 12345, '20241301']) {
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
			expect(formatDate('2000-01-02', 'meheryDate')).toBe('01-02-00');
		});

		it('writes zohoDateTime without milliseconds even when the input has them', () => {
			expect(formatDate('2024-03-07T14:05:09.999Z', 'zohoDateTime')).toBe('2024-03-07T14:05:09+00:00');
		});

		it('formats every accepted input form', () => {
			const inputs: unknown[] = [
				'2024-03-07',
				'03/07/2024 as MM/dd/yyyy',
				'07.03.2024 as dd/MM/yyyy',
				'7 March 2024',
				'2024-03-07T10:00:00Z',
				'20240307',
				20240307,
				'1709805600',
				1709805600000,
				new Date('2024-03-07T10:00:00Z'),
				DateTime.fromISO('2024-03-07T10:00:00Z'),
			];
			const formatted = inputs.map((input) => {
				const ordered = typeof input === 'string' ? / as (.+)$/.exec(input) : null;
				if (ordered === null) return formatDate(input, 'zohoDate');
				return formatDate((input as string).slice(0, ordered.index), 'zohoDate', { inputFormat: ordered[1] });
			});
			expect(formatted).toEqual(Array(inputs.length).fill('2024-03-07'));
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
		const dateOnlyInputs: Array<[string, string | undefined]> = [
			['2024-03-07', undefined],
			['20240307', undefined],
			['7 March 2024', undefined],
			['03/07/2024', 'MM/dd/yyyy'],
			['07.03.2024', 'dd/MM/yyyy'],
		];
		const cases = zones.flatMap((timeZone) => dateOnlyInputs.map(([input, inputFormat]) => [input, inputFormat, timeZone]));

		it.each(cases)('keeps 7 March 2024 for %s (Date Input Format %s) in %s', (input, inputFormat, timeZone) => {
			const options = { timeZone, inputFormat };
			expect(formatDate(input, 'zohoDate', options)).toBe('2024-03-07');
			expect(formatDate(input, 'isoDate', options)).toBe('2024-03-07');
			expect(formatDate(input, 'meheryDate', options)).toBe('03-07-24');
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
			expect(thrownBy(() => formatDate('07/03/2024', 'zohoDate')).reason).toMatch(/^it is 7 March 2024 if the day comes first/);
		});

		it('throws for an unknown zone', () => {
			expect(thrownBy(() => formatDate('2024-03-07', 'zohoDate', { timeZone: 'Mars/Base' })).message).toContain(
				'Unknown time zone "Mars/Base"',
			);
		});

		it('refuses an unknown output format and lists the known ones', () => {
			const error = thrownBy(() => formatDate('2024-03-07', 'usDate' as DateOutputFormat));
			expect(error.message).toBe(
				'Unknown date output format "usDate": use one of meheryDate, meheryDateFourDigitYear, zohoDate, zohoDateTime, isoDateTime, isoDate.',
			);
		});
	});
});

describe('formatDate with a two-digit year keeps the century or refuses', () => {
	it('writes a date inside the default window 1930–2029 (1945-03-07 → 03-07-45)', () => {
		expect(formatDate('1945-03-07', 'meheryDate')).toBe('03-07-45');
		expect(formatDate('1930-01-01', 'meheryDate')).toBe('01-01-30');
		expect(formatDate('2029-12-31', 'meheryDate')).toBe('12-31-29');
	});

	it('refuses 1815-12-10 under the default window, naming the date, the window and what to do', () => {
		const error = thrownBy(() => formatDate('1815-12-10', 'meheryDate'));
		expect(error).toBeInstanceOf(UnwritableDateError);
		expect(error.message).toBe(
			'"1815-12-10" is 1815-12-10, outside 1930–2029, the years a two-digit year stands for (Two-Digit Years Cover): ' +
				'"15" would be read as 2015. Set Two-Digit Years Cover to a window that holds 1815, ' +
				'or choose a date format with a four-digit year if the field accepts one.',
		);
	});

	it.each(['1929-12-31', '2030-01-01'])('refuses %s, just outside the default window', (date) => {
		expect(() => formatDate(date, 'meheryDate')).toThrow(UnwritableDateError);
	});

	it('follows the declared window: from 1950, 1945-03-07 fails and 2045-03-07 is written', () => {
		expect(thrownBy(() => formatDate('1945-03-07', 'meheryDate', { twoDigitYearStart: 1950 })).message).toContain(
			'outside 1950–2049, the years a two-digit year stands for (Two-Digit Years Cover): "45" would be read as 2045.',
		);
		expect(formatDate('2045-03-07', 'meheryDate', { twoDigitYearStart: 1950 })).toBe('03-07-45');
	});

	it('judges the year of the date in the chosen zone', () => {
		expect(() => formatDate('2029-12-31T20:00:00Z', 'meheryDate', { timeZone: 'Asia/Tokyo' })).toThrow(UnwritableDateError);
		expect(formatDate('2029-12-31T20:00:00Z', 'meheryDate')).toBe('12-31-29');
	});

	it('refuses a window start that is not a year from 1000 to 9900', () => {
		for (const start of [99, 9901, 1950.5, Number.NaN]) {
			expect(thrownBy(() => formatDate('1991-03-07', 'meheryDate', { twoDigitYearStart: start })).message).toMatch(
				/^Two-Digit Years Cover must be a year from 1000 to 9900/,
			);
		}
	});

	it('writes any four-digit year in the four-digit format, whatever the window', () => {
		expect(formatDate('1815-12-10', 'meheryDateFourDigitYear')).toBe('12-10-1815');
		expect(formatDate('1945-03-07', 'meheryDateFourDigitYear', { twoDigitYearStart: 1950 })).toBe('03-07-1945');
	});

	it('leaves formats with a four-digit year unchecked', () => {
		expect(formatDate('1815-12-10', 'zohoDate')).toBe('1815-12-10');
	});
});

describe('calendarDayOf', () => {
	const zones = ['UTC', 'Europe/Zurich', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Etc/GMT+12', 'America/Santiago'];
	// Around DST changes, midnights, historic local mean time (1890) and the far future.
	const instants = [
		Date.UTC(1890, 5, 1, 23, 45),
		Date.UTC(1906, 11, 8, 23, 0),
		Date.UTC(1969, 11, 31, 23, 59, 59, 999),
		-1,
		0,
		Date.UTC(1991, 2, 6, 23, 0),
		Date.UTC(2024, 2, 10, 6, 59, 59),
		Date.UTC(2024, 2, 31, 1, 0),
		Date.UTC(2024, 8, 8, 3, 59),
		Date.UTC(2024, 8, 8, 4, 0),
		Date.UTC(9999, 11, 31, 12),
		Date.UTC(999, 0, 1, 12),
	];
	const cases = zones.flatMap((zone) => instants.map((instant) => [instant, zone] as const));

	it.each(cases)('gives the day of %p in %s as luxon does', (instant, zone) => {
		expect(calendarDayOf(instant, zone)).toBe(DateTime.fromMillis(instant, { zone }).toISODate());
	});

	it('agrees with luxon over a day of instants every 7 minutes in Zurich and Kolkata', () => {
		for (let instant = Date.UTC(1991, 2, 6, 12); instant < Date.UTC(1991, 2, 7, 12); instant += 7 * 60_000) {
			for (const zone of ['Europe/Zurich', 'Asia/Kolkata']) {
				expect(calendarDayOf(instant, zone)).toBe(DateTime.fromMillis(instant, { zone }).toISODate());
			}
		}
	});

	it('refuses an unknown zone', () => {
		expect(thrownBy(() => calendarDayOf(0, 'Mars/Base')).message).toContain('Unknown time zone "Mars/Base"');
	});
});
