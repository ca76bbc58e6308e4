import { DateTime, IANAZone } from 'luxon';

/**
 * Reading dates from the sources (Ory, S-360, chatbots, Zoho) and writing them in the forms
 * each target expects (Zoho CRM, MeherY). Everything that parses or formats a date goes
 * through here, so every node accepts the same inputs and refuses the same ambiguities.
 */

export type DateOutputFormat = 'meheryDate' | 'zohoDate' | 'zohoDateTime' | 'isoDateTime' | 'isoDate';

export interface DateOptions {
	/** IANA zone name such as 'Europe/Berlin'; undefined or '' means 'UTC'. */
	timeZone?: string;
}

export const DEFAULT_TIME_ZONE = 'UTC';

export const DATE_OUTPUT_FORMATS: Record<DateOutputFormat, { luxonFormat: string; description: string }> = {
	meheryDate: {
		luxonFormat: 'MM-dd-yy',
		description: "MeherY's MM-DD-YY, e.g. 03-07-91",
	},
	zohoDate: {
		luxonFormat: 'yyyy-MM-dd',
		description: 'Zoho CRM date field, e.g. 2024-03-07',
	},
	zohoDateTime: {
		luxonFormat: "yyyy-MM-dd'T'HH:mm:ssZZ",
		description: 'Zoho CRM date-time field, seconds and offset, e.g. 2024-03-07T14:05:09+05:30',
	},
	isoDateTime: {
		luxonFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
		description: 'ISO 8601 date-time with milliseconds and offset, e.g. 2024-03-07T14:05:09.123+00:00',
	},
	isoDate: {
		luxonFormat: 'yyyy-MM-dd',
		description: 'ISO 8601 calendar date, e.g. 2024-03-07',
	},
};

/** Quoted in every rejection so the user sees what to send instead. */
export const ACCEPTED_DATE_FORMS =
	'ISO 8601 date or date-time (2024-03-07, 2024-03-07T14:05:09Z, 2024-03-07T14:05:09.123+05:30), ' +
	'MM/dd/yyyy (03/07/2024), dd.MM.yyyy (07.03.2024), ' +
	'epoch seconds or milliseconds (1709820309 or 1709820309000), a JS Date or a luxon DateTime';

/**
 * Epoch numbers with an absolute value at or above this are milliseconds, below it seconds.
 * 1e11 seconds is the year 5138 and 1e11 milliseconds is 1973-03-03, so every realistic
 * seconds value and every milliseconds value after March 1973 is read correctly.
 */
export const EPOCH_MILLISECONDS_THRESHOLD = 1e11;

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

function truncate(text: string): string {
	return text.length > INPUT_QUOTE_LIMIT ? `${text.slice(0, INPUT_QUOTE_LIMIT)}…` : text;
}

/** Resolves the zone option; only IANA names are accepted so results never depend on the server. */
export function resolveTimeZone(value: unknown, options?: DateOptions): string {
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

export function parseDate(value: unknown, options?: DateOptions): DateTime {
	const timeZone = resolveTimeZone(value, options);
	let parsed: DateTime | undefined;
	let failure: unknown;
	try {
		parsed = parseInZone(value, timeZone);
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

export function formatDate(value: unknown, format: DateOutputFormat, options?: DateOptions): string {
	const definition = DATE_OUTPUT_FORMATS[format];
	if (definition === undefined) {
		throw new InvalidDateError(
			value,
			`unknown output format ${quoteInput(format)}`,
			`Unknown date output format ${quoteInput(format)}: use one of ${Object.keys(DATE_OUTPUT_FORMATS).join(', ')}.`,
		);
	}
	// Pinned locale and calendar: a global luxon default such as 'ar-EG' must not change the digits.
	return parseDate(value, options).toFormat(definition.luxonFormat, {
		locale: 'en-US',
		numberingSystem: 'latn',
		outputCalendar: 'gregory',
	});
}

export function isDateLike(value: unknown): boolean {
	try {
		parseDate(value);
		return true;
	} catch {
		// parseDate turns every failure, luxon's included, into an InvalidDateError.
		return false;
	}
}

function parseInZone(value: unknown, timeZone: string): DateTime {
	if (typeof value === 'string') return parseDateString(value, timeZone);
	if (typeof value === 'number') return parseEpoch(value, value, timeZone);
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

function isJsDate(value: unknown): value is Date {
	// toString tag rather than instanceof, so Dates from another realm (vm sandbox) count too.
	return Object.prototype.toString.call(value) === '[object Date]';
}

const NUMERIC_PATTERN = /^-?\d+(?:\.\d+)?$/;
const ISO_DATE_PATTERN = /^(\d+)-(\d{1,2})-(\d{1,2})$/;
const US_DATE_PATTERN = /^(\d{1,2})\/(\d{1,2})\/(\d+)$/;
const EUROPEAN_DATE_PATTERN = /^(\d{1,2})\.(\d{1,2})\.(\d+)$/;
// Date, 'T' or a space, HH:mm, optional :ss and fraction, optional Z or ±HH[[:]mm].
const ISO_DATE_TIME_PATTERN =
	/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)((?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)$/;

function parseDateString(raw: string, timeZone: string): DateTime {
	const text = raw.trim();
	if (text === '') throw new InvalidDateError(raw, 'the value is empty');

	if (NUMERIC_PATTERN.test(text)) return parseEpoch(raw, Number(text), timeZone);

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

function parseEpoch(input: unknown, epoch: number, timeZone: string): DateTime {
	if (!Number.isFinite(epoch)) throw new InvalidDateError(input, 'epoch numbers must be finite');
	const milliseconds = Math.abs(epoch) >= EPOCH_MILLISECONDS_THRESHOLD ? epoch : epoch * 1000;
	const parsed = DateTime.fromMillis(Math.round(milliseconds), { zone: timeZone });
	if (!parsed.isValid) throw new InvalidDateError(input, 'the epoch value is outside the supported range');
	return parsed;
}

/** A calendar date is midnight in the chosen zone, so formatting it in that zone keeps its day. */
function calendarDate(input: unknown, yearText: string, monthText: string, dayText: string, timeZone: string): DateTime {
	if (yearText.length === 2) {
		throw new InvalidDateError(input, 'two-digit years are ambiguous; write the year with four digits');
	}
	if (yearText.length !== 4) throw new InvalidDateError(input, 'the year must have four digits');
	const year = Number(yearText);
	const month = Number(monthText);
	const day = Number(dayText);
	if (month < 1 || month > 12) throw new InvalidDateError(input, `month ${month} does not exist`);
	const monthStart = DateTime.fromObject({ year, month, day: 1 }, { zone: DEFAULT_TIME_ZONE });
	const daysInMonth = monthStart.daysInMonth ?? 31;
	if (day < 1 || day > daysInMonth) {
		const monthName = monthStart.toFormat('LLLL yyyy', { locale: 'en-US', numberingSystem: 'latn' });
		throw new InvalidDateError(input, `${monthName} has no day ${day}`);
	}
	// At a midnight DST gap (e.g. America/Santiago) luxon moves to 01:00 of the same day.
	return DateTime.fromObject({ year, month, day }, { zone: timeZone });
}
