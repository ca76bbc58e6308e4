/**
 * A small E.164 normaliser for the common cases, without libphonenumber (the package has no
 * runtime dependencies). It knows separators, the `+` and `00` international prefixes, a national
 * trunk `0` and the calling code of a default country. It does not know per-country number
 * lengths or numbering plans: a number it cannot read with certainty is refused, never guessed.
 */

/** Calling codes by ISO 3166-1 alpha-2; national numbers of these countries drop a leading trunk 0. */
export const CALLING_CODES: Readonly<Record<string, string>> = {
	AE: '971', AR: '54', AT: '43', AU: '61', BD: '880', BE: '32', BR: '55', CA: '1', CH: '41', CL: '56',
	CN: '86', CO: '57', CZ: '420', DE: '49', DK: '45', EG: '20', ES: '34', FI: '358', FR: '33', GB: '44',
	GR: '30', HK: '852', ID: '62', IE: '353', IL: '972', IN: '91', IT: '39', JP: '81', KE: '254', KR: '82',
	LK: '94', MA: '212', MX: '52', MY: '60', NG: '234', NL: '31', NO: '47', NZ: '64', PH: '63', PK: '92',
	PL: '48', PT: '351', QA: '974', RO: '40', RU: '7', SA: '966', SE: '46', SG: '65', TH: '66', TR: '90',
	UA: '380', US: '1', VN: '84', ZA: '27',
};

// Italian numbers keep their leading 0 after the calling code (+39 06 …): no trunk prefix to drop.
const KEEPS_LEADING_ZERO = new Set(['IT']);

export type PhoneResult = { value: string; problem?: undefined } | { value?: undefined; problem: string };

const SEPARATORS = /[\s().\-/\u00a0]/g;
// E.164: at most 15 digits after '+'; fewer than 8 is no reachable number anywhere.
const E164 = /^\+[1-9]\d{7,14}$/;

/** `raw` (already trimmed, non-empty) as +<country><number>, or why that cannot be done. */
export function toE164(raw: string, defaultCountry: string): PhoneResult {
	const quoted = JSON.stringify(raw);
	// Extensions ("x12", "ext. 12") have no E.164 form.
	if (/[a-z]/i.test(raw)) return { problem: `${quoted} is not a phone number that can be written in E.164` };
	let digits = raw.replace(SEPARATORS, '');
	if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
	if (!digits.startsWith('+')) {
		const country = defaultCountry.trim().toUpperCase();
		const callingCode = CALLING_CODES[country];
		if (callingCode === undefined) {
			return { problem: `${quoted} has no country code and the default country "${defaultCountry}" is not one the node knows` };
		}
		if (!/^\d+$/.test(digits)) return { problem: `${quoted} is not a phone number` };
		const national = KEEPS_LEADING_ZERO.has(country) ? digits : digits.replace(/^0/, '');
		digits = `+${callingCode}${national}`;
	}
	if (!E164.test(digits)) return { problem: `${quoted} is not a phone number that can be written in E.164 (got ${digits})` };
	return { value: digits };
}
