/**
 * The phone normaliser (nodes/shared/phones.ts): a number is written in E.164 only where its
 * reading is certain, and otherwise left as typed with the reason. Its country rules
 * (nodes/shared/phoneCountries.ts) are proven here against libphonenumber's metadata, and its
 * answers are cross-checked against libphonenumber-js over thousands of generated numbers.
 */
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/metadata.max.json';
import mobileExamples from 'libphonenumber-js/examples.mobile.json';
import { PHONE_COUNTRIES } from '../../nodes/shared/phoneCountries';
import { nationalLengthsByPrefix, PHONE_COUNTRY_CODES, phoneCountry, toE164 } from '../../nodes/shared/phones';
import { lengthsBeginningWith, stringsMatching } from './patternLengths';

/** libphonenumber-js's reader of its metadata; its typings do not declare it. */
interface NumberingPlan {
	callingCode(): string;
	IDDPrefix(): string;
	nationalPrefix(): string | number | undefined;
	nationalPrefixForParsing(): string | number | undefined;
	nationalPrefixTransformRule(): string | number | undefined;
	possibleLengths(): number[];
	type(type: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
const { Metadata } = require('libphonenumber-js/core') as {
	Metadata: new (metadata: unknown) => { selectNumberingPlan(country: string): void; numberingPlan: NumberingPlan };
};

function numberingPlan(country: string): NumberingPlan {
	const metadata = new Metadata(maxMetadata);
	metadata.selectNumberingPlan(country);
	return metadata.numberingPlan;
}

// The metadata stores an absent value as 0.
const text = (value: string | number | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** Every kind of number libphonenumber tells apart (isValid is true for a number of one of them). */
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'PERSONAL_NUMBER', 'VOIP', 'PAGER', 'UAN', 'VOICEMAIL'];

/** The lengths of the numbers of `plan` that are valid for libphonenumber and begin with `prefix`. */
function validLengthsBeginningWith(plan: NumberingPlan, prefix: string): number[] {
	const lengths = new Set<number>();
	for (const type of NUMBER_TYPES) {
		const description = plan.type(type);
		if (description === undefined || !description.pattern()) continue;
		const typeLengths = description.possibleLengths() ?? plan.possibleLengths();
		for (const length of lengthsBeginningWith(description.pattern(), prefix)) {
			if (typeLengths.includes(length) && plan.possibleLengths().includes(length)) lengths.add(length);
		}
	}
	return [...lengths].sort((a, b) => a - b);
}

/**
 * The national-prefix-for-parsing rules the dialling prefixes were written for: libphonenumber
 * reads a national number after these as well as after the trunk prefix. A change in the metadata
 * fails the spec until otherDiallingPrefixes is reviewed.
 */
const NATIONAL_PREFIX_RULES: Record<string, string> = {
	AR: '0?(?:(11|2(?:2(?:02?|[13]|2[13-79]|4[1-6]|5[2457]|6[124-8]|7[1-4]|8[13-6]|9[1267])|3(?:02?|1[467]|2[03-6]|3[13-8]|[49][2-6]|5[2-8]|[67])|4(?:7[3-578]|9)|6(?:[0136]|2[24-6]|4[6-8]?|5[15-8])|80|9(?:0[1-3]|[19]|2\\d|3[1-6]|4[02568]?|5[2-4]|6[2-46]|72?|8[23]?))|3(?:3(?:2[79]|6|8[2578])|4(?:0[0-24-9]|[12]|3[5-8]?|4[24-7]|5[4-68]?|6[02-9]|7[126]|8[2379]?|9[1-36-8])|5(?:1|2[1245]|3[237]?|4[1-46-9]|6[2-4]|7[1-6]|8[2-5]?)|6[24]|7(?:[069]|1[1568]|2[15]|3[145]|4[13]|5[14-8]|7[2-57]|8[126])|8(?:[01]|2[15-7]|3[2578]?|4[13-6]|5[4-8]?|6[1-357-9]|7[36-8]?|8[5-8]?|9[124])))15)?',
	AU: '(183[12])|0',
	BR: '(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\\d{10,11}))?',
	CN: '(1(?:[12]\\d|79)\\d\\d)|0',
	CO: '0([3579]|4(?:[14]4|56))?',
	GB: '0|180020',
	JP: '(000[2569]\\d{4,6})$|(?:(?:003768)0?)|0',
	KR: '0(8(?:[1-46-8]|5\\d\\d))?',
};

describe('the phone rules of each country are libphonenumber\'s (libphonenumber-js 1.13.18)', () => {
	const countries = Object.entries(PHONE_COUNTRIES);

	it('covers the 54 countries the node offered before', () => {
		expect(PHONE_COUNTRY_CODES).toHaveLength(54);
	});

	it.each(countries)('%s: calling code, trunk prefix and longest fixed-line number', (code, country) => {
		const plan = numberingPlan(code);
		expect(country.callingCode).toBe(getCountryCallingCode(code as CountryCode));
		expect(country.trunkPrefix).toBe(text(plan.nationalPrefix()));
		expect(country.longestFixedLine).toBe(Math.max(...plan.type('FIXED_LINE')!.possibleLengths()!));
	});

	it.each(countries)('%s: the lengths of its valid numbers, by their first two digits (up to six after 0 or the trunk digit)', (code, country) => {
		const plan = numberingPlan(code);
		const trunk = text(plan.nationalPrefix());
		const expected = new Map<string, number[]>();
		const visit = (prefix: string, lengths: number[]) => {
			const longer = Array.from({ length: 10 }, (_, digit) => [`${prefix}${digit}`, validLengthsBeginningWith(plan, `${prefix}${digit}`)] as const);
			const refined = (prefix[0] === '0' || prefix[0] === trunk) && prefix.length < 6 && longer.some(([, after]) => after.join() !== lengths.join());
			if (!refined) expected.set(prefix, lengths);
			else longer.filter(([, after]) => after.length > 0).forEach(([next, after]) => visit(next, after));
		};
		for (let prefix = 0; prefix <= 99; prefix++) {
			const digits = String(prefix).padStart(2, '0');
			const lengths = validLengthsBeginningWith(plan, digits);
			if (lengths.length > 0) visit(digits, lengths);
		}
		const sorted = (map: Map<string, number[]>) => new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
		expect(sorted(nationalLengthsByPrefix(country.nationalLengths))).toEqual(sorted(expected));
	});

	it.each(countries)('%s: its international prefixes of up to 5 digits, all of them', (code, country) => {
		expect(country.internationalPrefixes).toEqual(stringsMatching(numberingPlan(code).IDDPrefix(), 5));
	});

	it.each(countries)('%s: national numbers begin like an international prefix and a country code only where listed', (code, country) => {
		const plan = numberingPlan(code);
		const trunk = text(plan.nationalPrefix());
		const alike: Record<string, number[]> = {};
		for (const prefix of country.internationalPrefixes) {
			// A country code never begins with 0: what follows the prefix is 1–9.
			for (let digit = 1; digit <= 9; digit++) {
				const lengths = new Set(validLengthsBeginningWith(plan, `${prefix}${digit}`));
				if (trunk !== undefined && prefix.startsWith(trunk)) {
					validLengthsBeginningWith(plan, `${prefix.slice(trunk.length)}${digit}`).forEach((length) => lengths.add(length + trunk.length));
				}
				if (lengths.size > 0) alike[`${prefix}${digit}`] = [...lengths].sort((a, b) => a - b);
			}
		}
		expect(country.nationalNumbersLikeInternational ?? {}).toEqual(alike);
	});

	it.each(countries)('%s: a national number follows nothing but the trunk prefix, or the dialling prefixes are listed', (code, country) => {
		const plan = numberingPlan(code);
		const parsing = text(plan.nationalPrefixForParsing());
		if (NATIONAL_PREFIX_RULES[code] !== undefined) {
			expect(parsing).toBe(NATIONAL_PREFIX_RULES[code]);
			expect(country.otherDiallingPrefixes?.length).toBeGreaterThan(0);
		} else {
			expect(parsing).toBe(country.trunkPrefix);
			expect(country.otherDiallingPrefixes).toBeUndefined();
		}
		// Where libphonenumber rewrites the national number it reads, the prefixes are listed; Argentina's
		// mobile 15 (which becomes a 9) may follow an area code, so its national numbers are not read at all.
		if (text(plan.nationalPrefixTransformRule()) !== undefined) expect(NATIONAL_PREFIX_RULES[code]).toBeDefined();
		expect(country.nationalNumbersUnreadable !== undefined).toBe(code === 'AR');
	});

	it('no calling code begins another, so a number has at most one', () => {
		const codes = [...new Set(countries.map(([, country]) => country.callingCode))];
		const clashes = codes.filter((code) => codes.some((other) => other !== code && other.startsWith(code)));
		expect(clashes).toEqual([]);
	});
});

describe('phones that are certainly right are written in E.164', () => {
	it.each([
		['+44 (0)20 7946 0958', 'GB', '+442079460958', '(0) after the country code is the trunk prefix'],
		['+44 (0)20 7946 0958', 'US', '+442079460958', 'the same from any default country'],
		['+44 020 7946 0958', 'GB', '+442079460958', 'a trunk 0 typed after +44 (no UK number begins with 0)'],
		['1 (555) 123-4567', 'US', '+15551234567', 'the US trunk prefix 1'],
		['(415) 555-0100', 'US', '+14155550100', 'a US number without its trunk prefix'],
		['91 98765 43210', 'IN', '+919876543210', 'India\'s country code without + (no Indian 12-digit number begins with 9)'],
		['098765 43210', 'IN', '+919876543210', 'the Indian trunk 0'],
		['98765-43210', 'IN', '+919876543210', 'an Indian mobile number as usually written'],
		['8 912 345-67-89', 'RU', '+79123456789', 'the Russian trunk prefix 8'],
		['+7 8 912 345 67 89', 'RU', '+79123456789', 'a Russian trunk 8 typed after +7'],
		['8 800 555 35 35', 'RU', '+78005553535', 'a Russian 800 number, whose own 8 stays'],
		['011 44 20 7946 0958', 'US', '+442079460958', 'the US international prefix 011'],
		['810 44 20 7946 0958', 'RU', '+442079460958', 'the Russian international prefix 810'],
		['8 10 49 30 1234567', 'RU', '+49301234567', 'and 8~10, as Russians write it'],
		['0044 20 7946 0958', 'DE', '+442079460958', 'the international prefix 00'],
		['0039 06 1234 5678', 'IT', '+390612345678', 'an Italian number keeps its leading 0'],
		['030 1234567', 'DE', '+49301234567', 'the German trunk 0'],
		['(0)30 1234567', 'DE', '+49301234567', '(0) at the start is the trunk prefix'],
		['33 6 12 34 56 78', 'FR', '+33612345678', 'France\'s country code without +'],
		['612.345.678', 'ES', '+34612345678', 'a Spanish number (no trunk prefix), dots as separators'],
	])('%s from %s → %s: %s', (typed, country, e164) => {
		expect(toE164(typed, country)).toEqual({ e164 });
	});
});

describe('phones that cannot be read with certainty are left as typed, with the reason', () => {
	it.each([
		['011 44 20 7946 0958', 'GB', /may be an international number dialled with 011, which is not how GB dials abroad \(00\)/, '011 is no international prefix in the UK'],
		['00 56 2 2123 6552', 'CO', /may be an international number dialled with 00, which is not how CO dials abroad/, 'Colombia dials abroad with 005: +62… by its plan, +56… as most would mean it'],
		['49 30 1234567', 'DE', /local number/, 'a German number may have 11 digits, or be local'],
		['06 1234 5678', 'IT', /local number/, 'Italian fixed-line numbers have up to 12 digits'],
		['+39 (0)6 1234 5678', 'IT', /\(0\)" stands for a trunk prefix 0, which \+39 numbers do not have/, 'Italian numbers have no trunk prefix'],
		['+44 20 (0)7946 0958', 'GB', /right after a country code/, '(0) inside the number'],
		['810 81 3 1234 5678', 'RU', /may be an international number or a number of RU/, 'Russia has 14-digit numbers beginning 8108'],
		['+36 1 234 5678', 'DE', /country code is not one the node has phone rules for/, 'Hungary has no rules here'],
		['001 36 1 234 5678', 'HK', /begins with 00 and 001, both international prefixes in HK/, '00 1… or 001 36…'],
		['555-0100 ext 12', 'US', /characters other than digits/, 'an extension'],
		['44 20 7946 0958', 'US', /not a length a number of US can have/, 'a UK number without + is not a US number'],
		['15 2345 6789', 'AR', /mobile 15 after an area code/, 'Argentina\'s mobile 15'],
		['011 15 2345 6789', 'AR', /mobile 15 after an area code/, 'and after an area code'],
		['+54 15 2345 6789', 'DE', /begins with 15, which in AR may be dialled before a number/, 'no Argentine number begins with 15'],
		['+1 555 0100', 'US', /no \+1 number is 7 digits long/, 'too short'],
		['+49 30 1234567890123', 'DE', /more than the 15 digits E.164 allows/, 'too long'],
	])('%s from %s: %s (%s)', (typed, country, reason) => {
		const reading = toE164(typed, country);
		expect(reading.e164).toBeUndefined();
		expect(reading.reason).toMatch(reason);
	});

	it('names a default country it has no rules for', () => {
		expect(phoneCountry('xx')).toBeUndefined();
		expect(toE164('5550100', 'XX').reason).toBe('"XX" is not a country the node has phone rules for');
	});
});

/** A seeded generator (mulberry32): the corpus is the same on every run. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface CorpusNumber {
	country: string;
	callingCode: string;
	national: string;
}

/** Valid numbers of each country: its mobile example with new last digits, and random numbers of valid lengths. */
function validNumbers(random: () => number, perCountry: number): CorpusNumber[] {
	const digit = () => String(Math.floor(random() * 10));
	const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
	const numbers: CorpusNumber[] = [];
	for (const [country, rules] of Object.entries(PHONE_COUNTRIES)) {
		const example = (mobileExamples as Record<string, string>)[country];
		const found = new Set<string>();
		for (let attempt = 0; attempt < 4000 && found.size < perCountry; attempt++) {
			let national: string;
			if (attempt % 2 === 0 && example !== undefined) {
				const keep = Math.max(2, example.length - 4 - Math.floor(random() * 3));
				national = example.slice(0, keep) + Array.from({ length: example.length - keep }, digit).join('');
			} else {
				const [first, lengths] = pick([...nationalLengthsByPrefix(rules.nationalLengths)]);
				national = first + Array.from({ length: pick(lengths) - first.length }, digit).join('');
			}
			const parsed = parsePhoneNumberFromString(`+${rules.callingCode}${national}`);
			if (parsed?.isValid() && parsed.nationalNumber === national) found.add(national);
		}
		found.forEach((national) => numbers.push({ country, callingCode: rules.callingCode, national }));
	}
	return numbers;
}

/** `digits` cut into groups and joined the way people write numbers. */
function written(digits: string, random: () => number): string {
	const separator = ['', ' ', ' ', '-', '.', ' - ', '/'][Math.floor(random() * 7)];
	const groups: string[] = [];
	for (let at = 0; at < digits.length; ) {
		const size = 2 + Math.floor(random() * 3);
		groups.push(digits.slice(at, at + size));
		at += size;
	}
	if (groups.length > 2 && random() < 0.3) groups[0] = `(${groups[0]})`;
	return groups.join(separator);
}

interface TypedNumber {
	/** The country of the valid number typed. */
	country: string;
	shape: string;
	typed: string;
	defaultCountry: string;
}

/** One valid number typed in the shapes people use, dialled from its own country and from others. */
function typedShapes(number: CorpusNumber, random: () => number): TypedNumber[] {
	const own = PHONE_COUNTRIES[number.country];
	const elsewhere = PHONE_COUNTRY_CODES[Math.floor(random() * PHONE_COUNTRY_CODES.length)];
	const { callingCode, national } = number;
	const write = (digits: string) => written(digits, random);
	const shapes: Array<Omit<TypedNumber, 'country'>> = [
		{ shape: '+cc', typed: `+${callingCode} ${write(national)}`, defaultCountry: number.country },
		{ shape: '+cc from elsewhere', typed: `+${callingCode} ${write(national)}`, defaultCountry: elsewhere },
		{ shape: '+cc unseparated', typed: `+${callingCode}${national}`, defaultCountry: elsewhere },
		{ shape: '+cc (0)', typed: `+${callingCode} (0)${write(national)}`, defaultCountry: number.country },
		{ shape: '+cc 0', typed: `+${callingCode} 0${write(national)}`, defaultCountry: elsewhere },
		{ shape: 'national', typed: write(national), defaultCountry: number.country },
		{ shape: 'cc without +', typed: `${callingCode} ${write(national)}`, defaultCountry: number.country },
		{ shape: 'cc without +, unseparated', typed: `${callingCode}${national}`, defaultCountry: number.country },
		{ shape: '00 cc from elsewhere', typed: `00 ${callingCode} ${write(national)}`, defaultCountry: elsewhere },
		{ shape: '011 cc from elsewhere', typed: `011 ${callingCode} ${write(national)}`, defaultCountry: elsewhere },
		{ shape: '8 10 cc from Russia', typed: `8 10 ${callingCode} ${write(national)}`, defaultCountry: 'RU' },
		{ shape: '00cc at home', typed: `00${callingCode}${national}`, defaultCountry: number.country },
		{ shape: '(0) national', typed: `(0)${write(national)}`, defaultCountry: number.country },
	];
	if (own.trunkPrefix !== undefined) {
		shapes.push({ shape: 'trunk national', typed: write(`${own.trunkPrefix}${national}`), defaultCountry: number.country });
	}
	for (const prefix of PHONE_COUNTRIES[elsewhere].internationalPrefixes) {
		shapes.push({ shape: 'own international prefix of elsewhere', typed: `${prefix} ${callingCode} ${write(national)}`, defaultCountry: elsewhere });
	}
	return shapes.map((shape) => ({ ...shape, country: number.country }));
}

/** libphonenumber's E.164 for what was typed, when it deems the number valid. */
function libphonenumberE164({ typed, defaultCountry }: TypedNumber): string | undefined {
	const parsed = parsePhoneNumberFromString(typed, defaultCountry as CountryCode);
	return parsed?.isValid() ? parsed.number : undefined;
}

/*
 * The corpora are seeded, so every run compares the same numbers. PHONE_SEED, PHONE_PER_COUNTRY and
 * PHONE_ARBITRARY draw other or larger ones for a run by hand (the same specs hold for seeds 1–8 at
 * 40 numbers per country and 100,000 arbitrary strings).
 */
describe('cross-check against libphonenumber-js', () => {
	const random = seededRandom(Number(process.env.PHONE_SEED ?? 19));
	const numbers = validNumbers(random, Number(process.env.PHONE_PER_COUNTRY ?? 12));
	const corpus = numbers.flatMap((number) => typedShapes(number, random));
	const results = corpus.map((entry) => ({ ...entry, mine: toE164(entry.typed, entry.defaultCountry).e164, theirs: libphonenumberE164(entry) }));
	const rewritten = results.filter((result) => result.mine !== undefined);
	const mismatches = rewritten.filter((result) => result.mine !== result.theirs);

	afterAll(() => {
		const byShape = new Map<string, { rewritten: number; total: number }>();
		for (const result of results) {
			const counts = byShape.get(result.shape) ?? { rewritten: 0, total: 0 };
			counts.total++;
			if (result.mine !== undefined) counts.rewritten++;
			byShape.set(result.shape, counts);
		}
		const shapes = [...byShape].map(([shape, { rewritten, total }]) => `${shape} ${rewritten}/${total}`).join(', ');
		console.log(
			`phone cross-check: ${results.length} typed numbers (${numbers.length} valid numbers of ${PHONE_COUNTRY_CODES.length} countries) compared with libphonenumber-js, ` +
				`${rewritten.length} written in E.164, ${results.length - rewritten.length} left as typed, ${mismatches.length} mismatches. Written in E.164 by shape: ${shapes}`,
		);
	});

	it('compares thousands of typed numbers, from valid numbers of every supported country', () => {
		expect(new Set(numbers.map((number) => number.country)).size).toBe(PHONE_COUNTRY_CODES.length);
		expect(results.length).toBeGreaterThan(5000);
	});

	it('every number it writes in E.164 is libphonenumber\'s E.164 of a number libphonenumber deems valid (mismatches = 0)', () => {
		expect(mismatches.slice(0, 20)).toEqual([]);
	});

	it('writes every +country code form of a valid number in E.164, unless that country\'s rules leave it open', () => {
		const open = (result: (typeof results)[number]) => {
			const national = result.theirs?.slice(1 + PHONE_COUNTRIES[result.country].callingCode.length) ?? '';
			const country = PHONE_COUNTRIES[result.country];
			return (
				// more digits than E.164 allows (libphonenumber accepts a 14-digit German number)
				(result.theirs?.length ?? 0) > 16 ||
				// a 0 that may be a trunk prefix typed from habit where the country has none (+39 0312…)
				(country.trunkPrefix === undefined && national.startsWith('0') && result.shape !== '+cc (0)') ||
				// (0) where the country has no trunk prefix 0, or its national numbers are not read (Argentina)
				(result.shape === '+cc (0)' && (country.trunkPrefix !== '0' || country.nationalNumbersUnreadable !== undefined)) ||
				// a length not every country of a shared calling code has (Canada's 7-digit +1 numbers)
				Object.values(PHONE_COUNTRIES).some(
					(other) => other.callingCode === country.callingCode && !new Set([...nationalLengthsByPrefix(other.nationalLengths).values()].flat()).has(national.length),
				) ||
				// a carrier or service prefix (Brazil's 90, Colombia's 0 + carrier)
				(country.otherDiallingPrefixes ?? []).some((prefix) => national.startsWith(prefix) || (result.shape === '+cc (0)' && `0${national}`.startsWith(prefix)))
			);
		};
		const plus = results.filter((result) => result.shape.startsWith('+cc') && result.shape !== '+cc 0' && result.theirs !== undefined);
		expect(plus.filter((result) => result.mine === undefined && !open(result)).map((result) => result.typed)).toEqual([]);
		expect(plus.filter((result) => result.mine !== undefined).length).toBeGreaterThan(plus.length * 0.9);
	});
});

describe('cross-check against libphonenumber-js on arbitrary digits', () => {
	const random = seededRandom(Number(process.env.PHONE_SEED ?? 1903));
	const prefixes = ['', '', '0', '00', '+', '011', '8', '1', '(0)'];
	const corpus = Array.from({ length: Number(process.env.PHONE_ARBITRARY ?? 20000) }, (): TypedNumber => {
		const digits = Array.from({ length: 6 + Math.floor(random() * 10) }, () => String(Math.floor(random() * 10))).join('');
		const prefix = prefixes[Math.floor(random() * prefixes.length)];
		const defaultCountry = PHONE_COUNTRY_CODES[Math.floor(random() * PHONE_COUNTRY_CODES.length)];
		return { country: defaultCountry, shape: 'arbitrary', typed: written(`${prefix}${digits}`, random), defaultCountry };
	});
	const rewritten = corpus.flatMap((entry) => {
		const mine = toE164(entry.typed, entry.defaultCountry).e164;
		if (mine === undefined) return [];
		const theirs = parsePhoneNumberFromString(entry.typed, entry.defaultCountry as CountryCode);
		const mineValid = parsePhoneNumberFromString(mine)?.isValid() ?? false;
		return [{ ...entry, mine, mineValid, theirs: theirs?.number, theirsValid: theirs?.isValid() ?? false, possible: theirs?.isPossible() ?? false }];
	});

	it('never reads a number differently from libphonenumber where either reading is a valid number, and rewrites only numbers of possible length', () => {
		const unassigned = rewritten.filter((result) => !result.mineValid);
		const readOtherwise = rewritten.filter((result) => result.mine !== result.theirs);
		console.log(
			`phone cross-check on arbitrary digits: ${corpus.length} strings, ${rewritten.length} written in E.164; ` +
				`${unassigned.length} of those are in ranges libphonenumber deems unassigned (the node knows lengths and leading digits, not every assigned range); ` +
				`${readOtherwise.length} read otherwise than libphonenumber reads them, where neither reading is a valid number`,
		);
		expect(rewritten.filter((result) => !result.possible).slice(0, 20)).toEqual([]);
		expect(readOtherwise.filter((result) => result.mineValid || result.theirsValid).slice(0, 20)).toEqual([]);
	});
});
