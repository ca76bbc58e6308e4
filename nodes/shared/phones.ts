/**
 * Phone numbers as typed → E.164 (+<country code><national number>), only where the country rules
 * in phoneCountries.ts allow exactly one reading. A number is read every way it could have been
 * typed (after + or an international prefix, with or without the trunk prefix, with the country
 * code but no +, as a local number); it is rewritten when exactly one reading fits and none of the
 * others could, and is otherwise left as typed with the reason, never guessed.
 */
import { PHONE_COUNTRIES, type PhoneCountry } from './phoneCountries';

export type { PhoneCountry } from './phoneCountries';

export type PhoneReading = { e164: string; reason?: undefined } | { e164?: undefined; reason: string };

/** The countries a default country may be, by ISO code. */
export const PHONE_COUNTRY_CODES: readonly string[] = Object.keys(PHONE_COUNTRIES);

/** The rules of an ISO country code (any case), or undefined for a country the node has none for. */
export function phoneCountry(code: string): PhoneCountry | undefined {
	const key = code.trim().toUpperCase();
	return Object.prototype.hasOwnProperty.call(PHONE_COUNTRIES, key) ? PHONE_COUNTRIES[key] : undefined;
}

/** nationalLengths read: a number's first two to six digits → the lengths it can have. */
export function nationalLengthsByPrefix(spec: string): Map<string, number[]> {
	const byPrefix = new Map<string, number[]>();
	const span = (item: string): string[] => {
		const [from, to = from] = item.split('-');
		return Array.from({ length: Number(to) - Number(from) + 1 }, (_, index) => String(Number(from) + index).padStart(from.length, '0'));
	};
	for (const group of spec.split(';')) {
		const [prefixes, lengths] = group.trim().split(':');
		const lengthList = lengths.split(',').flatMap(span).map(Number);
		for (const prefix of prefixes.split(',').flatMap(span)) {
			// One digit stands for the ten two-digit prefixes it begins.
			for (const key of prefix.length === 1 ? span(`${prefix}0-${prefix}9`) : [prefix]) byPrefix.set(key, lengthList);
		}
	}
	return byPrefix;
}

const NATIONAL_LENGTHS = new Map(Object.values(PHONE_COUNTRIES).map((country) => [country, nationalLengthsByPrefix(country.nationalLengths)]));
const ANY_LENGTH = new Map([...NATIONAL_LENGTHS].map(([country, byPrefix]) => [country, new Set([...byPrefix.values()].flat())]));

const COUNTRIES_BY_CALLING_CODE = new Map<string, Array<[string, PhoneCountry]>>();
for (const [code, country] of Object.entries(PHONE_COUNTRIES)) {
	const sharing = COUNTRIES_BY_CALLING_CODE.get(country.callingCode) ?? [];
	sharing.push([code, country]);
	COUNTRIES_BY_CALLING_CODE.set(country.callingCode, sharing);
}

// "(0)" is the trunk prefix written for readers at home, to be left out from abroad: +44 (0)20….
const ZERO_IN_BRACKETS = /\(\s*0\s*\)/g;
const ZERO_MARK = 'z';
const SEPARATORS = /[\s.\-/()\u00a0]/g;
const E164_DIGITS = 15;
const TYPED_ANYWHERE = ['00', '011'];

/** A reading that may be right: a number (E.164), or one the node cannot check (unknown country). */
type Outcome = { e164: string } | { unknowable: string } | { impossible: string };

/**
 * `typed` in E.164 when exactly one reading of it fits, a number without + or an international
 * prefix being one of `defaultCountry` (the key of a PHONE_COUNTRIES entry); otherwise why not.
 */
export function toE164(typed: string, defaultCountry: string): PhoneReading {
	const country = phoneCountry(defaultCountry);
	if (country === undefined) return { reason: `"${defaultCountry}" is not a country the node has phone rules for` };
	const text = typed.trim();
	if (/[^\d\s.\-/()\u00a0+]/.test(text)) {
		return { reason: 'it holds characters other than digits, spaces and + - . / ( ) (an extension or a word)' };
	}
	if ((text.match(ZERO_IN_BRACKETS) ?? []).length > 1) return { reason: '"(0)" stands in it more than once' };
	const compact = text.replace(ZERO_IN_BRACKETS, ZERO_MARK).replace(SEPARATORS, '');
	if (compact.lastIndexOf('+') > 0) return { reason: 'a + stands inside it, not at its start' };
	if (!/\d/.test(compact)) return { reason: 'it has no digits' };
	const outcome = compact.startsWith('+')
		? readInternational(compact.slice(1))
		: readNational(compact, defaultCountry.trim().toUpperCase(), country);
	if ('e164' in outcome) return { e164: outcome.e164 };
	return { reason: 'unknowable' in outcome ? outcome.unknowable : outcome.impossible };
}

/** Digits after + or an international prefix: a country code, then that country's national number. */
function readInternational(digits: string): Outcome {
	if (digits.startsWith(ZERO_MARK)) return { impossible: '"(0)" stands before the country code' };
	// Calling codes are prefix-free (ITU E.164), so at most one begins the digits.
	const callingCode = [...COUNTRIES_BY_CALLING_CODE.keys()].find((code) => digits.startsWith(code));
	if (callingCode === undefined) return { unknowable: 'its country code is not one the node has phone rules for' };
	let national = digits.slice(callingCode.length);
	const sharing = COUNTRIES_BY_CALLING_CODE.get(callingCode)!;
	const trunkWritten = national.startsWith(ZERO_MARK);
	if (trunkWritten) {
		if (!sharing.every(([, country]) => country.trunkPrefix === '0')) {
			return { impossible: `"(0)" stands for a trunk prefix 0, which +${callingCode} numbers do not have` };
		}
		national = national.slice(1);
	}
	if (national.includes(ZERO_MARK)) return { impossible: '"(0)" is read only right after a country code or at the start' };
	// A number of a shared calling code (+1: US, CA) is one of any of those countries.
	const numbers = new Set<string>();
	for (const [code, country] of sharing) {
		// With "(0)" the trunk prefix was typed: 0 and what follows may be a carrier code (Colombia's 03…).
		const prefix = otherDiallingPrefix(trunkWritten ? `0${national}` : national, country);
		if (prefix !== undefined) return { unknowable: otherDiallingPrefixReason(prefix, code) };
		const trunk = country.trunkPrefix;
		// After a trunk prefix comes a number written the national way, which some countries' are not read in.
		const nationalWay = trunkWritten || (trunk !== undefined && national.startsWith(trunk));
		if (nationalWay && country.nationalNumbersUnreadable !== undefined) return { unknowable: country.nationalNumbersUnreadable };
		if (isNationalNumber(national, country)) numbers.add(national);
		// A trunk prefix typed after the country code (+44 020…), where the rest is a number.
		if (!trunkWritten && trunk !== undefined && national.startsWith(trunk) && isNationalNumber(national.slice(trunk.length), country)) {
			numbers.add(national.slice(trunk.length));
		}
		// A 0 where the country has no trunk prefix may be one typed from habit (+39 0349… for the mobile +39 349…).
		if (trunk === undefined && national.startsWith('0') && isNationalNumber(national.slice(1), country)) {
			return { unknowable: `the 0 after +${callingCode} may be a trunk prefix typed from habit, which ${code} numbers do not have` };
		}
	}
	// …of a length every one of them has (Canada's 7-digit service numbers are not diallable from abroad).
	const diallable = [...numbers].filter((number) => sharing.every(([, country]) => ANY_LENGTH.get(country)!.has(number.length)));
	if (diallable.length === 0) return { impossible: `no +${callingCode} number is ${national.length} digits long beginning so` };
	if (diallable.length > 1) return { unknowable: severalReadings(diallable.map((reading) => `+${callingCode}${reading}`)) };
	return inE164(callingCode, diallable[0]);
}

/** Digits typed without +: dialled from `code` (an international or a national number). */
function readNational(digits: string, code: string, country: PhoneCountry): Outcome {
	if (digits.includes(ZERO_MARK)) {
		if (digits.indexOf(ZERO_MARK) !== 0) return { impossible: '"(0)" is read only right after a country code or at the start' };
		if (country.trunkPrefix !== '0') return { impossible: `"(0)" stands for a trunk prefix 0, which ${code} numbers do not have` };
		digits = `0${digits.slice(1)}`;
	}

	// Dialled abroad: an international prefix, then a country code (which never begins with 0).
	// Where one prefix begins another (Hong Kong's 00 and 002), the digits after the shorter may be the longer's.
	const begunWith = country.internationalPrefixes.filter((prefix) => digits.startsWith(prefix));
	if (begunWith.length > 1) return { unknowable: `it begins with ${begunWith.join(' and ')}, both international prefixes in ${code}` };
	const ownPrefixes = begunWith.filter((prefix) => dialsAbroad(digits, prefix));
	// Most of the world dials abroad with 00, North America with 011: typed from elsewhere, a number
	// beginning so may be international even where the default country dials abroad otherwise. (One
	// to a country without rules here is not counted: the default country's reading stands.)
	const typedElsewhere = TYPED_ANYWHERE.find(
		(prefix) => !country.internationalPrefixes.includes(prefix) && dialsAbroad(digits, prefix) && 'e164' in readInternational(digits.slice(prefix.length)),
	);
	if (typedElsewhere !== undefined) {
		const own = country.internationalPrefixes.length === 1 ? country.internationalPrefixes[0] : country.internationalPrefixes.slice(0, 3).join(', ') + '…';
		return { unknowable: `it may be an international number dialled with ${typedElsewhere}, which is not how ${code} dials abroad (${own})` };
	}
	if (ownPrefixes.length === 1) {
		const alsoNational = Object.entries(country.nationalNumbersLikeInternational ?? {}).some(
			([prefix, lengths]) => digits.startsWith(prefix) && lengths.includes(digits.length),
		);
		if (alsoNational) return { unknowable: `it may be an international number or a number of ${code}` };
		// Where the country dials abroad with this prefix, no other national number begins with it (proven per country).
		return readInternational(digits.slice(ownPrefixes[0].length));
	}

	if (country.nationalNumbersUnreadable !== undefined) return { unknowable: country.nationalNumbersUnreadable };
	const prefix = otherDiallingPrefix(digits, country);
	if (prefix !== undefined) return { unknowable: otherDiallingPrefixReason(prefix, code) };
	const trunk = country.trunkPrefix;
	const startsWithTrunk = trunk !== undefined && digits.startsWith(trunk);
	const readings: Outcome[] = [];
	if (startsWithTrunk && isNationalNumber(digits.slice(trunk.length), country)) {
		readings.push(inE164(country.callingCode, digits.slice(trunk.length)));
	}
	// Typed without the trunk prefix, as numbers in the US, India or Russia often are.
	if (isNationalNumber(digits, country)) readings.push(inE164(country.callingCode, digits));
	// The country code typed without + (91 98765 43210).
	if (digits.startsWith(country.callingCode)) readings.push(readInternational(digits));
	// A local number cannot begin with the trunk prefix, which is what opens a call beyond the area.
	if (!startsWithTrunk && digits.length < country.longestFixedLine) {
		return { unknowable: 'it may be a local number dialled without its area code' };
	}
	return single(readings, `it is not a length a number of ${code} can have, with or without its trunk prefix or country code`);
}

/** The one E.164 number among the readings, or why there is none. */
function single(readings: Outcome[], none?: string): Outcome {
	const unknowable = readings.find((reading) => 'unknowable' in reading);
	if (unknowable !== undefined) return unknowable;
	const numbers = [...new Set(readings.flatMap((reading) => ('e164' in reading ? [reading.e164] : [])))];
	if (numbers.length === 1) return { e164: numbers[0] };
	if (numbers.length > 1) return { unknowable: severalReadings(numbers) };
	const impossible = readings.find((reading): reading is { impossible: string } => 'impossible' in reading);
	return { impossible: none ?? impossible?.impossible ?? 'it is not a phone number the node can read' };
}

function inE164(callingCode: string, national: string): Outcome {
	if (callingCode.length + national.length > E164_DIGITS) return { impossible: `it has more than the ${E164_DIGITS} digits E.164 allows` };
	return { e164: `+${callingCode}${national}` };
}

function dialsAbroad(digits: string, prefix: string): boolean {
	return digits.startsWith(prefix) && /[1-9]/.test(digits.charAt(prefix.length));
}

function isNationalNumber(digits: string, country: PhoneCountry): boolean {
	if (!/^\d+$/.test(digits)) return false;
	const byPrefix = NATIONAL_LENGTHS.get(country)!;
	// The longest prefix listed decides: a number beginning 000800 in India, one beginning 21 by its first two digits.
	for (let length = Math.min(6, digits.length); length >= 2; length--) {
		const lengths = byPrefix.get(digits.slice(0, length));
		if (lengths !== undefined) return lengths.includes(digits.length);
	}
	return false;
}

function otherDiallingPrefix(digits: string, country: PhoneCountry): string | undefined {
	return country.otherDiallingPrefixes?.find((prefix) => digits.startsWith(prefix));
}

function otherDiallingPrefixReason(prefix: string, code: string): string {
	return `it begins with ${prefix}, which in ${code} may be dialled before a number (a carrier or service prefix) rather than be part of it`;
}

function severalReadings(numbers: string[]): string {
	return `it may be ${numbers.join(' or ')}`;
}
