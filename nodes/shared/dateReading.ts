import { DateTime } from 'luxon';

/**
 * Reading one value as a date (dates.ts is the API around it). A value is read only in a form
 * that says which date it is: a day and month whose order the text does not show are read in
 * the order the user chose under Date Input Format, or refused; never guessed.
 */

/**
 * How numbers are read. 'auto': only 10 digits (epoch seconds), 13 digits (epoch milliseconds)
 * and 8 digits (yyyyMMdd) are dates. 'epochSeconds' / 'epochMilliseconds': every number is
 * epoch time in that unit, whatever its length. Text in another form is read the same in all three.
 */
export type NumberReading = 'auto' | 'epochSeconds' | 'epochMilliseconds';

/** What the user's Date Input Format says (see readInputFormat). */
export type InputFormat =
	| { kind: 'none' }
	/** dd/MM/yyyy or MM/dd/yyyy: the order of day and month in slash, dot and dash dates. */
	| { kind: 'order'; format: string; dayFirst: boolean }
	/** Any other Luxon format, matched exactly before the forms that need no choice. */
	| { kind: 'luxon'; format: string };

export interface ReadingRules {
	timeZone: string;
	numbers: NumberReading;
	inputFormat: InputFormat;
}

/** Quoted in every rejection so the user sees what to send instead. */
const ACCEPTED_DATE_FORMS =
	'ISO 8601 date or date-time (2024-03-07, 2024-03-07T14:05:09Z, 2024-03-07T14:05:09.123+05:30), ' +
	'yyyyMMdd (20240307), a date with an English month name (7 March 2024, Mar 7, 2024), ' +
	'day and month with slashes, dots or dashes where one of them is above 12 (31/12/2024, 12.31.2024) ' +
	'or in the order chosen under Date Input Format, ' +
	'epoch seconds (10 digits, 1709820309) or milliseconds (13 digits, 1709820309000), ' +
	'a JS Date or a luxon DateTime';

const INPUT_QUOTE_LIMIT = 50;

export class InvalidDateError extends Error {
	readonly input: unknown;
	/** Why the input was refused, without the quoted input or the list of accepted forms. */
	readonly reason: string;

	constructor(input: unknown, reason: string, message?: string) {
		super(
			message ??
				`Cannot read ${quoteInput(input)} as a date: ${reason}. Accepted forms: ${ACCEPTED_DATE_FORMS}.`,
		);
		this.name = 'InvalidDateError';
		this.input = input;
		this.reason = reason;
	}
}

/** A short, printable rendering of any input, for error messages. */
export function quoteInput(input: unknown): string {
	let rendered: string;
	if (typeof input === 'string') {
		return JSON.stringify(truncate(input));
	} else if (input === undefined || typeof input === 'function' || typeof input === 'symbol') {
		rendered = String(input);
	} else if (typeof input === 'number' || typeof input === 'bigint') {
		rendered = String(input);
	} else if (isJsDate(input)) {
		rendered = Number.isNaN(input.getTime()) ? 'Invalid Date' : input.toISOString();
	} else {
		try {
			rendered = JSON.stringify(input) ?? String(input);
		} catch {
			rendered = Object.prototype.toString.call(input);
		}
	}
	return truncate(rendered);
}

export function truncate(text: string): string {
	return text.length > INPUT_QUOTE_LIMIT ? `${text.slice(0, INPUT_QUOTE_LIMIT)}…` : text;
}

/** Dates from any realm (a vm sandbox's too): compared by type tag rather than instanceof. */
export function isJsDate(value: unknown): value is Date {
	return Object.prototype.toString.call(value) === '[object Date]';
}

// ---------------------------------------------------------------------------------------------
// The user's Date Input Format

const ORDER_FORMAT = /^(d{1,2}|M{1,2})([/.-])(d{1,2}|M{1,2})\2yyyy$/;
const inputFormats = new Map<string, InputFormat | InvalidDateError>();

/**
 * The Date Input Format as a rule, or an InvalidDateError (thrown for `value`) saying what is
 * wrong with it. dd/MM/yyyy and MM/dd/yyyy (with any of / . -) only fix the order of day and
 * month, so 7/3/1991 and 07.03.1991 read alike; any other Luxon format is matched as written.
 * A format with a two-digit year is refused: its century would be a guess.
 */
export function readInputFormat(value: unknown, requested: string | undefined): InputFormat {
	const format = requested?.trim() ?? '';
	if (format === '') return { kind: 'none' };
	let known = inputFormats.get(format);
	if (known === undefined) {
		known = interpretInputFormat(format);
		// Formats come from node parameters: few distinct ones per n8n instance.
		if (inputFormats.size < 1000) inputFormats.set(format, known);
	}
	if (known instanceof InvalidDateError) throw new InvalidDateError(value, known.reason, known.message);
	return known;
}

function interpretInputFormat(format: string): InputFormat | InvalidDateError {
	const order = ORDER_FORMAT.exec(format);
	if (order !== null && order[1][0] !== order[3][0]) return { kind: 'order', format, dayFirst: order[1][0] === 'd' };
	const tokens = DateTime.fromFormatExplain('', format, { locale: 'en-US' })
		.tokens.filter((token) => !token.literal && /^[A-Za-z]+$/.test(token.val))
		.map((token) => token.val);
	const refuse = (reason: string) =>
		new InvalidDateError(
			format,
			reason,
			`The Date Input Format ${JSON.stringify(truncate(format))} ${reason}: use dd/MM/yyyy (day first), MM/dd/yyyy (month first) or a Luxon format with yyyy, MM and dd, such as d MMMM yyyy.`,
		);
	if (tokens.some((token) => token === 'yy' || token === 'kk' || token === 'ii')) {
		return refuse('has a two-digit year, whose century would be a guess');
	}
	const hasYear = tokens.some((token) => /^y+$/.test(token));
	const hasMonthAndDay = tokens.some((token) => /^[ML]{1,4}$/.test(token)) && tokens.some((token) => /^d{1,2}$/.test(token));
	const hasOrdinal = tokens.some((token) => /^o{1,3}$/.test(token));
	if (!hasYear || !(hasMonthAndDay || hasOrdinal)) return refuse('does not name a year, a month and a day');
	return { kind: 'luxon', format };
}

// ---------------------------------------------------------------------------------------------
// Values

export function parseInZone(value: unknown, rules: ReadingRules): DateTime {
	if (typeof value === 'string') return parseDateString(value, rules);
	if (typeof value === 'number') return parseNumber(value, value, String(value), rules);
	if (isJsDate(value)) {
		if (Number.isNaN(value.getTime())) throw new InvalidDateError(value, 'the Date object is invalid');
		return DateTime.fromMillis(value.getTime(), { zone: rules.timeZone });
	}
	// isDateTime also recognises DateTimes from another copy of luxon (n8n's own), which we rebuild.
	if (DateTime.isDateTime(value)) {
		if (!value.isValid) {
			throw new InvalidDateError(value, `the luxon DateTime is invalid (${value.invalidReason ?? 'no reason given'})`);
		}
		return DateTime.fromMillis(value.toMillis(), { zone: rules.timeZone });
	}
	throw new InvalidDateError(value, `a value of type ${describeType(value)} is not a date`);
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

const NUMERIC_PATTERN = /^-?\d+(?:\.\d+)?$/;
const ISO_DATE_PATTERN = /^(\d+)-(\d{1,2})-(\d{1,2})$/;
/** Day and month in either order, then the year: 07/03/1991, 7.3.1991, 07-03-1991. */
const DAY_MONTH_PATTERN = /^(\d{1,2})([/.-])(\d{1,2})\2(\d+)$/;
// Date, 'T' or a space, HH:mm, optional :ss and fraction, optional Z or ±HH[[:]mm].
export const ISO_DATE_TIME_PATTERN =
	/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)((?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)$/;

function parseDateString(raw: string, rules: ReadingRules): DateTime {
	const text = raw.trim();
	if (text === '') throw new InvalidDateError(raw, 'the value is empty');
	const { inputFormat } = rules;

	if (inputFormat.kind === 'luxon') {
		const custom = readWithLuxonFormat(raw, text, inputFormat.format, rules.timeZone);
		if (custom !== undefined) return custom;
	}

	if (NUMERIC_PATTERN.test(text)) return parseNumber(raw, Number(text), text, rules);

	const isoDate = ISO_DATE_PATTERN.exec(text);
	if (isoDate) return calendarDate(raw, isoDate[1], isoDate[2], isoDate[3], rules.timeZone);

	const dayMonth = DAY_MONTH_PATTERN.exec(text);
	if (dayMonth) {
		if (inputFormat.kind === 'luxon') {
			throw new InvalidDateError(raw, `the text does not match the Date Input Format ${JSON.stringify(truncate(inputFormat.format))}`);
		}
		return dayMonthDate(raw, dayMonth[1], dayMonth[3], dayMonth[4], rules);
	}

	const isoDateTime = ISO_DATE_TIME_PATTERN.exec(text);
	if (isoDateTime) {
		const [, year, month, day, time, offset] = isoDateTime;
		// Checked first so an impossible day gets the same message as in a date-only input.
		calendarDate(raw, year, month, day, rules.timeZone);
		const normalised = `${year}-${month}-${day}T${time.replace(',', '.')}${offset.toUpperCase()}`;
		// Without an offset luxon reads the wall time in `zone`; with one it converts to `zone`.
		const parsed = DateTime.fromISO(normalised, { zone: rules.timeZone });
		if (!parsed.isValid) throw new InvalidDateError(raw, `the time of day ${time} does not exist`);
		return parsed;
	}

	const named = monthNameDate(raw, text, rules.timeZone);
	if (named !== undefined) return named;

	if (inputFormat.kind === 'luxon') {
		throw new InvalidDateError(
			raw,
			`the text matches neither the Date Input Format ${JSON.stringify(truncate(inputFormat.format))} nor another accepted form`,
		);
	}
	throw new InvalidDateError(raw, 'the text is not in any accepted form');
}

/** The value read with the user's Luxon format, or undefined when the text does not match it. */
function readWithLuxonFormat(raw: string, text: string, format: string, timeZone: string): DateTime | undefined {
	const options = { zone: timeZone, locale: 'en-US', numberingSystem: 'latn' } as const;
	if (DateTime.fromFormatExplain(text, format, options).rawMatches === null) return undefined;
	const parsed = DateTime.fromFormat(text, format, options);
	const readAs = `read with the Date Input Format ${JSON.stringify(truncate(format))}`;
	if (!parsed.isValid) {
		throw new InvalidDateError(raw, `${readAs}, ${parsed.invalidExplanation ?? parsed.invalidReason ?? 'it is not a valid date'}`);
	}
	if (parsed.year < 1000 || parsed.year > 9999) throw new InvalidDateError(raw, `${readAs}, the year must have four digits`);
	return parsed;
}

const MONTH_NAMES = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December',
];

/**
 * A day and month in an order the text does not show. Only one reading can be a date when one
 * number is above 12 (13/01/2024 is 13 January); when both are 12 or less, the order chosen
 * under Date Input Format decides, and without one the value is refused naming both readings.
 */
function dayMonthDate(raw: string, firstText: string, secondText: string, yearText: string, rules: ReadingRules): DateTime {
	const { inputFormat, timeZone } = rules;
	if (inputFormat.kind === 'order') {
		const [day, month] = inputFormat.dayFirst ? [firstText, secondText] : [secondText, firstText];
		return calendarDate(raw, yearText, month, day, timeZone, `${inputFormat.format} (the Date Input Format)`);
	}
	// The year first: a two-digit year is refused whatever the order.
	checkYear(raw, yearText);
	const first = Number(firstText);
	const second = Number(secondText);
	const isMonth = (number: number) => number >= 1 && number <= 12;
	if (isMonth(first) && isMonth(second) && first !== second) {
		const year = Number(yearText);
		throw new InvalidDateError(
			raw,
			`it is ${first} ${MONTH_NAMES[second - 1]} ${year} if the day comes first and ${second} ${MONTH_NAMES[first - 1]} ${year} ` +
				'if the month does; choose the order under Date Input Format (dd/MM/yyyy or MM/dd/yyyy), or send the date as yyyy-MM-dd',
		);
	}
	if (!isMonth(first) && !isMonth(second)) throw new InvalidDateError(raw, `neither ${first} nor ${second} is a month`);
	// Equal numbers read alike in both orders.
	return isMonth(second)
		? calendarDate(raw, yearText, secondText, firstText, timeZone)
		: calendarDate(raw, yearText, firstText, secondText, timeZone);
}

const MONTH_NUMBERS: ReadonlyMap<string, number> = new Map(
	MONTH_NAMES.flatMap((name, index) => [
		[name.toLowerCase(), index + 1],
		[name.slice(0, 3).toLowerCase(), index + 1],
		...(name === 'September' ? [['sept', 9] as [string, number]] : []),
	]),
);
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_NUMBERS: ReadonlyMap<string, number> = new Map(
	WEEKDAY_NAMES.flatMap((name, index) => [
		[name.toLowerCase(), index],
		[name.slice(0, 3).toLowerCase(), index],
	]),
);
const WEEKDAY_PREFIX = /^([a-z]+)\.?,?\s+/i;
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?\\.?';
const NAME = '([a-z]+)\\.?';
// 7 March 1991, 7th of March, 1991, 07-Mar-1991 · March 7, 1991, Mar 07 1991 · 1991 March 7, 1991-Mar-07.
const DAY_NAME_YEAR = new RegExp(`^${DAY}(?:\\s+of)?[\\s/-]*${NAME}[\\s,/-]+(\\d+)$`, 'i');
const NAME_DAY_YEAR = new RegExp(`^${NAME}[\\s/-]*${DAY}[\\s,/-]+(\\d+)$`, 'i');
const YEAR_NAME_DAY = new RegExp(`^(\\d{4})[\\s/-]+${NAME}[\\s/-]+${DAY}$`, 'i');

/** A date with an English month name (and optionally a weekday, which must be right), or undefined. */
function monthNameDate(raw: string, text: string, timeZone: string): DateTime | undefined {
	let rest = text;
	let weekday: number | undefined;
	const prefix = WEEKDAY_PREFIX.exec(text);
	if (prefix !== null && WEEKDAY_NUMBERS.has(prefix[1].toLowerCase())) {
		weekday = WEEKDAY_NUMBERS.get(prefix[1].toLowerCase());
		rest = text.slice(prefix[0].length);
	}
	let parts: { day: string; name: string; year: string } | undefined;
	let match = DAY_NAME_YEAR.exec(rest);
	if (match !== null) parts = { day: match[1], name: match[2], year: match[3] };
	else if ((match = NAME_DAY_YEAR.exec(rest)) !== null) parts = { name: match[1], day: match[2], year: match[3] };
	else if ((match = YEAR_NAME_DAY.exec(rest)) !== null) parts = { year: match[1], name: match[2], day: match[3] };
	const month = parts === undefined ? undefined : MONTH_NUMBERS.get(parts.name.toLowerCase());
	if (parts === undefined || month === undefined) return undefined;
	const date = calendarDate(raw, parts.year, String(month), parts.day, timeZone);
	if (weekday !== undefined && date.weekday % 7 !== weekday) {
		const written = `${date.day} ${MONTH_NAMES[month - 1]} ${date.year}`;
		throw new InvalidDateError(raw, `${written} is a ${WEEKDAY_NAMES[date.weekday % 7]}, not a ${WEEKDAY_NAMES[weekday]}`);
	}
	return date;
}

/**
 * A number (or a string of one, `text`) as a date. Its length decides, because a number alone
 * does not say what it is: 19910307 read as epoch seconds would be a day in August 1970.
 */
function parseNumber(input: unknown, value: number, text: string, rules: ReadingRules): DateTime {
	const { numbers, timeZone } = rules;
	if (!Number.isFinite(value)) throw new InvalidDateError(input, 'the number is not finite');
	if (numbers === 'epochSeconds') return epochDate(input, value * 1000, timeZone);
	if (numbers === 'epochMilliseconds') return epochDate(input, value, timeZone);

	// Leading zeros do not count: the string '0020240307' means what the number 20240307 means.
	const [integerPart, fraction] = text.replace(/^-/, '').replace(/^0+(?=\d)/, '').split('.');
	// String(1e21) is '1e+21': exponent notation only happens far beyond 13 digits.
	const digits = /^\d+$/.test(integerPart) ? integerPart.length : Infinity;
	if (digits === 10) return epochDate(input, value * 1000, timeZone);
	if (digits === 13) return epochDate(input, value, timeZone);
	if (digits === 8 && fraction === undefined && value >= 0) {
		return calendarDate(input, integerPart.slice(0, 4), integerPart.slice(4, 6), integerPart.slice(6), timeZone, 'yyyyMMdd');
	}
	const shown = Number.isFinite(digits) ? `a ${digits}-digit number` : 'this number';
	throw new InvalidDateError(
		input,
		`${shown} is neither epoch seconds (10 digits), epoch milliseconds (13 digits) nor a yyyyMMdd date (8 digits)`,
	);
}

function epochDate(input: unknown, milliseconds: number, timeZone: string): DateTime {
	const parsed = DateTime.fromMillis(Math.round(milliseconds), { zone: timeZone });
	if (!parsed.isValid) throw new InvalidDateError(input, 'the epoch value is outside the supported range');
	return parsed;
}

function checkYear(input: unknown, yearText: string, readAs?: string): void {
	const prefix = readAs === undefined ? '' : `read as ${readAs}, `;
	if (yearText.length === 2) throw new InvalidDateError(input, `${prefix}two-digit years are ambiguous; write the year with four digits`);
	if (yearText.length !== 4) throw new InvalidDateError(input, `${prefix}the year must have four digits`);
}

/**
 * A calendar date is midnight in the chosen zone, so formatting it in that zone keeps its day.
 * `readAs` names the form the digits were read in, when the input does not show it.
 */
function calendarDate(
	input: unknown,
	yearText: string,
	monthText: string,
	dayText: string,
	timeZone: string,
	readAs?: string,
): DateTime {
	const refuse = (reason: string) => new InvalidDateError(input, readAs === undefined ? reason : `read as ${readAs}, ${reason}`);
	checkYear(input, yearText, readAs);
	const year = Number(yearText);
	const month = Number(monthText);
	const day = Number(dayText);
	if (month < 1 || month > 12) throw refuse(`month ${month} does not exist`);
	const monthStart = DateTime.fromObject({ year, month, day: 1 }, { zone: 'UTC' });
	const daysInMonth = monthStart.daysInMonth ?? 31;
	if (day < 1 || day > daysInMonth) throw refuse(`${MONTH_NAMES[month - 1]} ${year} has no day ${day}`);
	// At a midnight DST gap (e.g. America/Santiago) luxon moves to 01:00 of the same day.
	return DateTime.fromObject({ year, month, day }, { zone: timeZone });
}
