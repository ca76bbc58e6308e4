import { DateTime, IANAZone } from 'luxon';

/**
 * Reading dates from any source and writing them in the form each target expects. Everything
 * that parses or formats a date goes through here, so every node accepts the same inputs and
 * refuses the same ambiguities: a value is read as a date only when its form says which date
 * it is, otherwise it is an error naming the value, never a guess.
 */

export type DateOutputFormat = 'meheryDate' | 'zohoDate' | 'zohoDateTime' | 'isoDateTime' | 'isoDate';

/**
 * How numbers are read. 'auto': only 10 digits (epoch seconds), 13 digits (epoch milliseconds)
 * and 8 digits (yyyyMMdd) are dates. 'epochSeconds' / 'epochMilliseconds': every number is
 * epoch time in that unit, whatever its length. Text in another form is read the same in all three.
 */
export type DateInputFormat = 'auto' | 'epochSeconds' | 'epochMilliseconds';

export interface DateOptions {
	/** IANA zone name such as 'Europe/Berlin'; undefined or '' means 'UTC'. */
	timeZone?: string;
	/** Defaults to 'auto'. */
	inputFormat?: DateInputFormat;
}

const DEFAULT_TIME_ZONE = 'UTC';

interface OutputFormatDefinition {
	luxonFormat: string;
	/** The output carries no time of day, so it is a calendar date (see formatDate). */
	dateOnly: boolean;
}

const DATE_OUTPUT_FORMATS: Record<DateOutputFormat, OutputFormatDefinition> = {
	// MM-DD-YY, e.g. 03-07-91.
	meheryDate: { luxonFormat: 'MM-dd-yy', dateOnly: true },
	// e.g. 2024-03-07.
	zohoDate: { luxonFormat: 'yyyy-MM-dd', dateOnly: true },
	// Seconds and offset, e.g. 2024-03-07T14:05:09+05:30.
	zohoDateTime: { luxonFormat: "yyyy-MM-dd'T'HH:mm:ssZZ", dateOnly: false },
	// Milliseconds and offset, e.g. 2024-03-07T14:05:09.123+00:00.
	isoDateTime: { luxonFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", dateOnly: false },
	isoDate: { luxonFormat: 'yyyy-MM-dd', dateOnly: true },
};

const DATE_INPUT_FORMATS: readonly DateInputFormat[] = ['auto', 'epochSeconds', 'epochMilliseconds'];

/** Quoted in every rejection so the user sees what to send instead. */
const ACCEPTED_DATE_FORMS =
	'ISO 8601 date or date-time (2024-03-07, 2024-03-07T14:05:09Z, 2024-03-07T14:05:09.123+05:30), ' +
	'yyyyMMdd (20240307), MM/dd/yyyy (03/07/2024), dd.MM.yyyy (07.03.2024), ' +
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
function quoteInput(input: unknown): string {
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

function truncate(text: string): string {
	return text.length > INPUT_QUOTE_LIMIT ? `${text.slice(0, INPUT_QUOTE_LIMIT)}…` : text;
}

/** Resolves the zone option; only IANA names are accepted so results never depend on the server. */
function resolveTimeZone(value: unknown, options?: DateOptions): string {
	const requested = options?.timeZone?.trim();
	if (requested === undefined || requested === '') return DEFAULT_TIME_ZONE;
	if (!IANAZone.isValidZone(requested)) {
		throw new InvalidDateError(
			value,
			`unknown time zone ${JSON.stringify(truncate(requested))}`,
			`Unknown time zone ${JSON.stringify(truncate(requested))}: use an IANA zone name such as "UTC", "Europe/Berlin" or "Asia/Kolkata".`,
		);
	}
	return requested;
}

function resolveInputFormat(value: unknown, options?: DateOptions): DateInputFormat {
	const requested = options?.inputFormat ?? 'auto';
	if (!DATE_INPUT_FORMATS.includes(requested)) {
		throw new InvalidDateError(
			value,
			`unknown input format ${quoteInput(requested)}`,
			`Unknown date input format ${quoteInput(requested)}: use one of ${DATE_INPUT_FORMATS.join(', ')}.`,
		);
	}
	return requested;
}

export function parseDate(value: unknown, options?: DateOptions): DateTime {
	const timeZone = resolveTimeZone(value, options);
	const inputFormat = resolveInputFormat(value, options);
	let parsed: DateTime | undefined;
	let failure: unknown;
	try {
		parsed = parseInZone(value, timeZone, inputFormat);
	} catch (error) {
		failure = error;
	}
	// Thrown outside the catch: n8n's lint keeps raw throws out of catch blocks.
	if (failure instanceof InvalidDateError) throw failure;
	// Luxon throws instead of returning invalid DateTimes when Settings.throwOnInvalid is on.
	if (parsed === undefined) {
		throw new InvalidDateError(value, failure instanceof Error ? failure.message : String(failure));
	}
	if (!parsed.isValid) {
		throw new InvalidDateError(value, parsed.invalidExplanation ?? parsed.invalidReason ?? 'not a valid date');
	}
	return parsed;
}

/**
 * The value in `format`, in the chosen zone. For a date-only format, an ISO date-time at exactly
 * midnight UTC ('1991-03-07T00:00:00Z', '…T00:00:00.000+00:00') is the calendar date it names:
 * that is how most systems serialise a plain date, and moving it into a zone west of UTC would
 * write the day before. Every other date-time is converted to the chosen zone.
 */
export function formatDate(value: unknown, format: DateOutputFormat, options?: DateOptions): string {
	const definition = DATE_OUTPUT_FORMATS[format];
	if (definition === undefined) {
		throw new InvalidDateError(
			value,
			`unknown output format ${quoteInput(format)}`,
			`Unknown date output format ${quoteInput(format)}: use one of ${Object.keys(DATE_OUTPUT_FORMATS).join(', ')}.`,
		);
	}
	let parsed: DateTime;
	if (definition.dateOnly && isMidnightUtcDateTime(value)) {
		// The zone is still checked, so a wrong zone name fails the same way for every value.
		resolveTimeZone(value, options);
		parsed = parseDate(value, { ...options, timeZone: DEFAULT_TIME_ZONE });
	} else {
		parsed = parseDate(value, options);
	}
	// Pinned locale and calendar: a global luxon default such as 'ar-EG' must not change the digits.
	return parsed.toFormat(definition.luxonFormat, {
		locale: 'en-US',
		numberingSystem: 'latn',
		outputCalendar: 'gregory',
	});
}

const MIDNIGHT_TIME = /^00:00(?::00(?:[.,]0+)?)?$/;
const UTC_OFFSET = /^(?:Z|[+-]00(?::?00)?)$/i;

function isMidnightUtcDateTime(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	const match = ISO_DATE_TIME_PATTERN.exec(value.trim());
	return match !== null && MIDNIGHT_TIME.test(match[4]) && UTC_OFFSET.test(match[5]);
}

function parseInZone(value: unknown, timeZone: string, inputFormat: DateInputFormat): DateTime {
	if (typeof value === 'string') return parseDateString(value, timeZone, inputFormat);
	if (typeof value === 'number') return parseNumber(value, value, String(value), timeZone, inputFormat);
	if (isJsDate(value)) {
		if (Number.isNaN(value.getTime())) throw new InvalidDateError(value, 'the Date object is invalid');
		return DateTime.fromMillis(value.getTime(), { zone: timeZone });
	}
	// isDateTime also recognises DateTimes from another copy of luxon (n8n's own), which we rebuild.
	if (DateTime.isDateTime(value)) {
		if (!value.isValid) {
			throw new InvalidDateError(value, `the luxon DateTime is invalid (${value.invalidReason ?? 'no reason given'})`);
		}
		return DateTime.fromMillis(value.toMillis(), { zone: timeZone });
	}
	throw new InvalidDateError(value, `a value of type ${describeType(value)} is not a date`);
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/** Dates from any realm (a vm sandbox's too): compared by type tag rather than instanceof. */
export function isJsDate(value: unknown): value is Date {
	return Object.prototype.toString.call(value) === '[object Date]';
}

const NUMERIC_PATTERN = /^-?\d+(?:\.\d+)?$/;
const ISO_DATE_PATTERN = /^(\d+)-(\d{1,2})-(\d{1,2})$/;
const US_DATE_PATTERN = /^(\d{1,2})\/(\d{1,2})\/(\d+)$/;
const EUROPEAN_DATE_PATTERN = /^(\d{1,2})\.(\d{1,2})\.(\d+)$/;
// Date, 'T' or a space, HH:mm, optional :ss and fraction, optional Z or ±HH[[:]mm].
const ISO_DATE_TIME_PATTERN =
	/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)((?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)$/;

function parseDateString(raw: string, timeZone: string, inputFormat: DateInputFormat): DateTime {
	const text = raw.trim();
	if (text === '') throw new InvalidDateError(raw, 'the value is empty');

	if (NUMERIC_PATTERN.test(text)) return parseNumber(raw, Number(text), text, timeZone, inputFormat);

	const isoDate = ISO_DATE_PATTERN.exec(text);
	if (isoDate) return calendarDate(raw, isoDate[1], isoDate[2], isoDate[3], timeZone);

	const usDate = US_DATE_PATTERN.exec(text);
	if (usDate) {
		const [, month, day, year] = usDate;
		if (Number(month) > 12) {
			throw new InvalidDateError(
				raw,
				`slash dates are read as MM/dd/yyyy (month first) and ${month} is not a month; write day-first dates as dd.MM.yyyy`,
			);
		}
		return calendarDate(raw, year, month, day, timeZone);
	}

	const europeanDate = EUROPEAN_DATE_PATTERN.exec(text);
	if (europeanDate) {
		const [, day, month, year] = europeanDate;
		if (Number(month) > 12) {
			throw new InvalidDateError(
				raw,
				`dotted dates are read as dd.MM.yyyy (day first) and ${month} is not a month; write month-first dates as MM/dd/yyyy`,
			);
		}
		return calendarDate(raw, year, month, day, timeZone);
	}

	const isoDateTime = ISO_DATE_TIME_PATTERN.exec(text);
	if (isoDateTime) {
		const [, year, month, day, time, offset] = isoDateTime;
		// Checked first so an impossible day gets the same message as in a date-only input.
		calendarDate(raw, year, month, day, timeZone);
		const normalised = `${year}-${month}-${day}T${time.replace(',', '.')}${offset.toUpperCase()}`;
		// Without an offset luxon reads the wall time in `zone`; with one it converts to `zone`.
		const parsed = DateTime.fromISO(normalised, { zone: timeZone });
		if (!parsed.isValid) throw new InvalidDateError(raw, `the time of day ${time} does not exist`);
		return parsed;
	}

	throw new InvalidDateError(raw, 'the text is not in any accepted form');
}

/**
 * A number (or a string of one, `text`) as a date. Its length decides, because a number alone
 * does not say what it is: 19910307 read as epoch seconds would be a day in August 1970.
 */
function parseNumber(input: unknown, value: number, text: string, timeZone: string, inputFormat: DateInputFormat): DateTime {
	if (!Number.isFinite(value)) throw new InvalidDateError(input, 'the number is not finite');
	if (inputFormat === 'epochSeconds') return epochDate(input, value * 1000, timeZone);
	if (inputFormat === 'epochMilliseconds') return epochDate(input, value, timeZone);

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
		`${shown} is neither epoch seconds (10 digits), epoch milliseconds (13 digits) nor a yyyyMMdd date (8 digits); ` +
			'choose an epoch input format to read other numbers as epoch time',
	);
}

function epochDate(input: unknown, milliseconds: number, timeZone: string): DateTime {
	const parsed = DateTime.fromMillis(Math.round(milliseconds), { zone: timeZone });
	if (!parsed.isValid) throw new InvalidDateError(input, 'the epoch value is outside the supported range');
	return parsed;
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
	if (yearText.length === 2) throw refuse('two-digit years are ambiguous; write the year with four digits');
	if (yearText.length !== 4) throw refuse('the year must have four digits');
	const year = Number(yearText);
	const month = Number(monthText);
	const day = Number(dayText);
	if (month < 1 || month > 12) throw refuse(`month ${month} does not exist`);
	const monthStart = DateTime.fromObject({ year, month, day: 1 }, { zone: DEFAULT_TIME_ZONE });
	const daysInMonth = monthStart.daysInMonth ?? 31;
	if (day < 1 || day > daysInMonth) {
		const monthName = monthStart.toFormat('LLLL yyyy', { locale: 'en-US', numberingSystem: 'latn' });
		throw refuse(`${monthName} has no day ${day}`);
	}
	// At a midnight DST gap (e.g. America/Santiago) luxon moves to 01:00 of the same day.
	return DateTime.fromObject({ year, month, day }, { zone: timeZone });
}
