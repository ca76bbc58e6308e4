/**
 * The date options of every node that reformats dates, defined once so each node offers the
 * same choice under the same name (dates.ts names these options in its errors).
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TWO_DIGIT_YEAR_START } from './dates';

/** An entry of a node's Options collection. */
export const DATE_INPUT_FORMAT_OPTION: INodeProperties = {
	displayName: 'Date Input Format',
	name: 'dateInputFormat',
	type: 'string',
	default: '',
	placeholder: 'dd/MM/yyyy',
	description:
		'How your dates write day and month when the date itself does not say which is which: dd/MM/yyyy (day first) or MM/dd/yyyy (month first), for slashes, dots and dashes alike, or any Luxon format such as d MMMM yyyy. Empty: 07/03/1991 fails before any call, because it may be 7 March or 3 July; ISO dates (1991-03-07), yyyyMMdd, dates with a month name and dates whose first or second number is above 12 are read without it.',
};

/** An entry of the Options collection of a node that writes years with two digits. */
export const TWO_DIGIT_YEARS_COVER_OPTION: INodeProperties = {
	displayName: 'Two-Digit Years Cover',
	name: 'twoDigitYearStart',
	type: 'number',
	typeOptions: { minValue: 1000, maxValue: 9900, numberPrecision: 0 },
	default: DEFAULT_TWO_DIGIT_YEAR_START,
	description:
		'First of the 100 years a two-digit year stands for: 1930 means 1930–2029, so 1945-03-07 is sent as 03-07-45. A date outside those years fails before any call, naming the date, because its two digits would be read as another century (12-10-15 for 1815-12-10 would be read as 2015). Does not apply to a four-digit date format.',
};
