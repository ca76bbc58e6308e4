import { DateTime, IANAZone } from 'luxon';

import {
	InvalidDateError,
	ISO_DATE_TIME_PATTERN,
	parseInZone,
	quoteInput,
	readInputFormat,
	truncate,
	type NumberReading,
} from './dateReading';

/**
 * Reading dates from any source and writing them in the form each target expects. Everything
 * that parses or formats a date goes through here, so every node accepts the same inputs and
 * refuses the same ambiguities: a value is read as a date only when its form (or the user's
 * Date Input Format) says which date it is, and written only in a form that keeps it; otherwise
 * it is an error naming the value, never a guess.
 */

export { InvalidDateError, isJsDate, type NumberReading } from './dateReading';

export type DateOutputFormat =
	| 'meheryDate'
	| 'meheryDateFourDigitYear'
	| 'zohoDate'
	| 'zohoDateTime'
	| 'isoDateTime'
	| 'isoDate';

export interface DateOptions {
	/** IANA zone name such as 'Europe/Berlin'; undefined or '' means 'UTC'. */
	timeZone?: string;
	/** How numbers are read; defaults to 'auto'. */
	numbers?: NumberReading;
	/**
	 * The user's Date Input Format: dd/MM/yyyy or MM/dd/yyyy (the order of day and month in
	 * slash, dot and dash dates) or any Luxon format. Empty: only forms that say which date they are.
	 */
	inputFormat?: string;
	/** First of the 100 years a two-digit year output stands for; defaults to 1930 (1930–2029). */
	twoDigitYearStart?: number;
}

export const DEFAULT_TWO_DIGIT_YEAR_START = 1930;
const DEFAULT_TIME_ZONE = 'UTC';

interface OutputFormatDefinition {
	luxonFormat: string;
	/** The output carries no time of day, so it is a calendar date (see formatDate). */
	dateOnly: boolean;
	/** The output drops the century, so only dates inside the declared 100 years are written. */
	twoDigitYear?: boolean;
}

const DATE_OUTPUT_FORMATS: Record<DateOutputFormat, OutputFormatDefinition> = {
	// MM-DD-YY, e.g. 03-07-91.
	meheryDate: { luxonFormat: 'MM-dd-yy', dateOnly: true, twoDigitYear: true },
	// MM-DD-YYYY, e.g. 03-07-1991, for fields that take the century.
	meheryDateFourDigitYear: { luxonFormat: 'MM-dd-yyyy', dateOnly: true },
	// e.g. 2024-03-07.
	zohoDate: { luxonFormat: 'yyyy-MM-dd', dateOnly: true },
	// Seconds and offset, e.g. 2024-03-07T14:05:09+05:30.
	zohoDateTime: { luxonFormat: "yyyy-MM-dd'T'HH:mm:ssZZ", dateOnly: false },
	// Milliseconds and offset, e.g. 2024-03-07T14:05:09.123+00:00.
	isoDateTime: { luxonFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", dateOnly: false },
	isoDate: { luxonFormat: 'yyyy-MM-dd', dateOnly: true },
};

const NUMBER_READINGS: readonly NumberReading[] = ['auto', 'epochSeconds', 'epochMilliseconds'];

/**
 * Zone names found valid. Luxon checks a name by building an Intl.DateTimeFormat, the largest cost
 * of reading a date (half of a Zoho record's normalisation); the zones this n8n knows do not change
 * while it runs, and names come from node parameters: few distinct ones.
 */
const validZones = new Set<string>([DEFAULT_TIME_ZONE]);

/** Resolves the zone option; only IANA names are accepted so results never depend on the server. */
function resolveTimeZone(value: unknown, options?: DateOptions): string {
	const requested = options?.timeZone?.trim();
	if (requested === undefined || requested === '') return DEFAULT_TIME_ZONE;
	if (validZones.has(requested)) return requested;
	if (IANAZone.isValidZone(requested)) {
		if (validZones.size < 1000) validZones.add(requested);
	} else {
		throw new InvalidDateError(
			value,
			`unknown time zone ${JSON.stringify(truncate(requested))}`,
			`Unknown time zone ${JSON.stringify(truncate(requested))}: use an IANA zone name such as "UTC", "Europe/Berlin" or "Asia/Kolkata".`,
		);
	}
	return requested;
}

function resolveNumberReading(value: unknown, options?: DateOptions): NumberReading {
	const requested = options?.numbers ?? 'auto';
	if (!NUMBER_READINGS.includes(requested)) {
		throw new InvalidDateError(
			value,
			`unknown number reading ${quoteInput(requested)}`,
			`Unknown way to read numbers as dates ${quoteInput(requested)}: use one of ${NUMBER_READINGS.join(', ')}.`,
		);
	}
	return requested;
}

export function parseDate(value: unknown, options?: DateOptions): DateTime {
	const rules = {
		timeZone: resolveTimeZone(value, options),
		numbers: resolveNumberReading(value, options),
		inputFormat: readInputFormat(value, options?.inputFormat),
	};
	let parsed: DateTime | undefined;
	let failure: unknown;
	try {
		parsed = parseInZone(value, rules);
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
 * write the day before. Every other date-time is converted to the chosen zone. A format with a
 * two-digit year writes only dates inside the 100 years from `twoDigitYearStart`.
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
	// Checked before the value, so a wrong window fails the same way for every value.
	const windowStart = definition.twoDigitYear ? resolveTwoDigitYearStart(value, options) : undefined;
	let parsed: DateTime;
	if (definition.dateOnly && isMidnightUtcDateTime(value)) {
		// The zone is still checked, so a wrong zone name fails the same way for every value.
		resolveTimeZone(value, options);
		parsed = parseDate(value, { ...options, timeZone: DEFAULT_TIME_ZONE });
	} else {
		parsed = parseDate(value, options);
	}
	if (windowStart !== undefined) checkTwoDigitYearWindow(value, parsed, windowStart);
	// Pinned locale and calendar: a global luxon default such as 'ar-EG' must not change the digits.
	return parsed.toFormat(definition.luxonFormat, {
		locale: 'en-US',
		numberingSystem: 'latn',
		outputCalendar: 'gregory',
	});
}

function resolveTwoDigitYearStart(value: unknown, options?: DateOptions): number {
	const start = options?.twoDigitYearStart ?? DEFAULT_TWO_DIGIT_YEAR_START;
	if (!Number.isInteger(start) || start < 1000 || start > 9900) {
		throw new InvalidDateError(
			value,
			`Two-Digit Years Cover ${quoteInput(start)} is not a year`,
			`Two-Digit Years Cover must be a year from 1000 to 9900 (the first of the 100 years a two-digit year stands for), not ${quoteInput(start)}.`,
		);
	}
	return start;
}

/** A two-digit year is read back in the declared window, so a date outside it would come back in another century. */
function checkTwoDigitYearWindow(value: unknown, parsed: DateTime, start: number): void {
	const end = start + 99;
	if (parsed.year >= start && parsed.year <= end) return;
	const twoDigits = parsed.year % 100;
	const readBack = start + ((twoDigits - (start % 100) + 100) % 100);
	throw new UnwritableDateError(
		value,
		`${parsed.toISODate()} is outside ${start}–${end}`,
		`${quoteInput(value)} is ${parsed.toISODate()}, outside ${start}–${end}, the years a two-digit year stands for ` +
			`(Two-Digit Years Cover): "${String(twoDigits).padStart(2, '0')}" would be read as ${readBack}. Set Two-Digit Years Cover ` +
			`to a window that holds ${parsed.year}, or choose a date format with a four-digit year if the field accepts one.`,
	);
}

/** A date that was read but cannot be written in the chosen format without changing it. */
export class UnwritableDateError extends InvalidDateError {
	constructor(input: unknown, reason: string, message: string) {
		super(input, reason, message);
		this.name = 'UnwritableDateError';
	}
}

const MIDNIGHT_TIME = /^00:00(?::00(?:[.,]0+)?)?$/;
const UTC_OFFSET = /^(?:Z|[+-]00(?::?00)?)$/i;

function isMidnightUtcDateTime(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	const match = ISO_DATE_TIME_PATTERN.exec(value.trim());
	return match !== null && MIDNIGHT_TIME.test(match[4]) && UTC_OFFSET.test(match[5]);
}

// ---------------------------------------------------------------------------------------------
// The day of an instant, without a DateTime per value

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** Years 1000–9999, where the formatter's numeric year is the ISO year. */
const FOUR_DIGIT_YEARS = { from: Date.UTC(1000, 0, 2), to: Date.UTC(9999, 11, 30) };

/**
 * The calendar day (yyyy-MM-dd) of an epoch instant in `timeZone`, as
 * `DateTime.fromMillis(ms, { zone }).toISODate()` gives it, a few times faster: for code that
 * reads one per record of large batches. Throws InvalidDateError for an unknown zone.
 */
export function calendarDayOf(milliseconds: number, timeZone: string): string {
	const zone = resolveTimeZone(milliseconds, { timeZone });
	if (!Number.isFinite(milliseconds) || milliseconds < FOUR_DIGIT_YEARS.from || milliseconds > FOUR_DIGIT_YEARS.to) {
		const day = DateTime.fromMillis(milliseconds, { zone }).toISODate();
		if (day === null) throw new InvalidDateError(milliseconds, 'the epoch value is outside the supported range');
		return day;
	}
	if (zone === DEFAULT_TIME_ZONE) return new Date(milliseconds).toISOString().slice(0, 10);
	let formatter = dayFormatters.get(zone);
	if (formatter === undefined) {
		formatter = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
		dayFormatters.set(zone, formatter);
	}
	let year = '';
	let month = '';
	let day = '';
	for (const part of formatter.formatToParts(milliseconds)) {
		if (part.type === 'year') year = part.value;
		else if (part.type === 'month') month = part.value;
		else if (part.type === 'day') day = part.value;
	}
	return `${year}-${month}-${day}`;
}
