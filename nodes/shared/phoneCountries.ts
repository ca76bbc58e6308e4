/**
 * Phone numbering rules of the countries the phone normaliser (phones.ts) reads, as data: the
 * calling code, the trunk prefix dialled before a national number, the international prefixes
 * dialled before a country code, and which lengths a national number can have. Taken from
 * libphonenumber's metadata (libphonenumber-js 1.13.18, the dev dependency) and proven against it
 * by test/unit/phones.test.ts, which fails when a value here and the metadata part.
 */

export interface PhoneCountry {
	/** ITU calling code, without '+'. */
	callingCode: string;
	/** Dialled before a national number inside the country (0 in most, 1 in the US and Canada, 8 in Russia); none where numbers are always dialled in full. */
	trunkPrefix?: string;
	/**
	 * Dialled before a country code to call abroad (00, 011 in the US, 810 in Russia): every one of
	 * up to 5 digits (a longer one, such as Australia's 14xx 0011, is followed by more digits than a
	 * national number has).
	 */
	internationalPrefixes: readonly string[];
	/**
	 * National numbers that begin like an international prefix and a country code would (Russia's
	 * 14-digit 8 10 8… numbers), with their lengths: a number typed so is ambiguous at those lengths.
	 */
	nationalNumbersLikeInternational?: Readonly<Record<string, readonly number[]>>;
	/**
	 * The lengths a national (significant) number can have, by its first two digits (up to six where
	 * it begins with 0 or the trunk prefix's digit, where a typed prefix and the number itself can be
	 * confused), as `prefixes:lengths` groups separated by ';': '22-28,40,5,000800:8,9' says that
	 * numbers beginning with 22…28, 40, any of 50…59, or 000800 have 8 or 9 digits. A number of any
	 * other length, or beginning otherwise, is not one of this country's.
	 */
	nationalLengths: string;
	/** The longest fixed-line national number: a local number (one typed without its area code) is always shorter. */
	longestFixedLine: number;
	/**
	 * Digits that may be dialled before a national number without being part of it (carrier
	 * selection, text relay, Argentina's mobile 15): a number beginning with one is ambiguous.
	 */
	otherDiallingPrefixes?: readonly string[];
	/** Why a number typed without + or an international prefix cannot be read with certainty at all, where that is so. */
	nationalNumbersUnreadable?: string;
}

/** By ISO 3166-1 alpha-2 code: the countries the Default Country for Phones option accepts. */
export const PHONE_COUNTRIES: Readonly<Record<string, PhoneCountry>> = {
	AE: {
		callingCode: '971', trunkPrefix: '0', longestFixedLine: 8,
		internationalPrefixes: ['00'],
		nationalLengths: '22-28,32-38,42-48,62-68,72-78,92-98:8; 40,50,52-56,58,60,70,90:9; 80:5-12',
	},
	AR: {
		callingCode: '54', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '11,22-24,26,28,29,33-38,60,67,81:10; 80:10,11; 91-93:11',
		otherDiallingPrefixes: ['15'],
		nationalNumbersUnreadable: 'an Argentine number typed without +54 may carry the mobile 15 after an area code of 2 to 4 digits',
	},
	AT: {
		callingCode: '43', trunkPrefix: '0', longestFixedLine: 13,
		internationalPrefixes: ['00'],
		nationalLengths: '11:4; 12-19,50,51,57,59:5-13; 21,22,25-29,33-36,38,42,43,47,48,52-56,61,62,64,65,67-69,72,74-77,79:7-13; 31,46,66,73:6-13; 78,80,81,86,89,90,93:9-13; 82:8-13',
	},
	AU: {
		callingCode: '61', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['0011', '0014', '0015', '0016', '0018', '0019'],
		nationalLengths: '13:6,8,10,12; 14,2-4,70-75,77-79,85-89:9; 16:5-9; 18:7,10; 19:10',
		otherDiallingPrefixes: ['1831', '1832'],
	},
	BD: {
		callingCode: '880', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '11,13-19,22,23,96:10; 24,25,50,67,72,82:9; 27-29,36,41,47,59,70,76:8; 30,32,34,40,42,46,52,62,92:7-9; 31,33,48,49,53-55,57,58,60,63,65,68,69,74,75,77-79:8,9; 35,45,83,85-87,94:7,8; 37:8,10; 38,44:7-10; 43,64,66:8-10; 51,71,84,91,98:7; 56:6,8,9; 73:6,8; 80:7,10; 81:6,7; 90:7,9; 93:6; 95:6,9',
	},
	BE: {
		callingCode: '32', trunkPrefix: '0', longestFixedLine: 8,
		internationalPrefixes: ['00'],
		nationalLengths: '10-16,19,22-28,32-38,42,43,5,60,61,63-65,67-69,70,71,78,80-87,89,90,92-94:8; 45-49:9',
	},
	BR: {
		callingCode: '55', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['0012', '0014', '0015', '0021', '0022', '0023', '0025', '0031', '0041', '0043', '0055', '0065', '0099'],
		nationalLengths: '11-19,21,22,24,27,28,31-35,37,38,41,42,44-47,49,51,53-55,61-69,71,73-75,77,79,81-89,91-99:10,11; 30:8,10; 40:8; 43,48:8,10,11; 50,80,90:9,10',
		otherDiallingPrefixes: ['012', '014', '015', '021', '022', '023', '025', '031', '041', '043', '055', '065', '099', '90'],
	},
	CA: {
		callingCode: '1', trunkPrefix: '1', longestFixedLine: 10,
		internationalPrefixes: ['011'],
		nationalLengths: '20,22-28,30,34-36,38,40-43,45-47,50-54,56-58,60-64,67,68,70,74,75,77,78,80-88,90,94:10; 31:7',
	},
	CH: {
		callingCode: '41', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '21,22,24,26,27,31-34,41,43,44,51,52,55,56,58,61,62,68,69,71-79,80,81,84,87,90,91:9; 86:12',
	},
	CL: {
		callingCode: '56', longestFixedLine: 9,
		internationalPrefixes: ['00', '1100', '1110', '1120', '1130', '1140', '1150', '1160', '1190', '1200', '1220', '1230', '1240', '1250', '1510', '1530', '1540', '1550', '1580', '1690', '1700', '1710', '1760', '1770', '1800', '1810', '1880'],
		nationalLengths: '12:11; 21-23,26,32-35,41-45,51-53,55,57,58,61,63-65,67,71-73,75,8,91-99:9; 60:9-11',
	},
	CN: {
		callingCode: '86', trunkPrefix: '0', longestFixedLine: 11,
		internationalPrefixes: ['00'],
		nationalLengths: '10,21:7,8,10,12; 13-15,17-19:11; 16:8,11; 20,22-25,27-29:7,8,10; 31,37,41,43,45,53,55,57,59,73,75,76,79,85,87,89,95:7-11; 33-35,39,42,46-48,54,56,58,63,66,69,70-72,74,77,81-83,88,90,91,93,94,97,99:7-10; 40,80:10; 51,52:7-9,11',
		otherDiallingPrefixes: ['11', '12', '179'],
	},
	CO: {
		callingCode: '57', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00414', '00444', '00456', '005', '007', '009'],
		nationalLengths: '18,19:11; 30-33,35,37,60,90,94:10; 46:8',
		otherDiallingPrefixes: ['03', '04', '05', '07', '09'],
	},
	CZ: {
		callingCode: '420', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '2,31,32,35,37-39,41,46-49,51,53-59,60,70-73,77,79,80,81,83,84,90,91,95,97:9; 93:11; 96:9-12',
	},
	DE: {
		callingCode: '49', trunkPrefix: '0', longestFixedLine: 15,
		internationalPrefixes: ['00'],
		nationalLengths: '13:7,10; 15:11,13; 16:4-14; 17:10-13; 18:8-14; 2,33-39,41-48,5,60-68,7,80-88,9:6-15; 30,40,69,89:5-15; 32:9,11-13; 49:6-13',
	},
	DK: {
		callingCode: '45', longestFixedLine: 8,
		internationalPrefixes: ['00'],
		nationalLengths: '2,30-36,38,39,4-7,80-82,86-89,90-94,96-99:8',
	},
	EG: {
		callingCode: '20', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '10-12,80,90:10; 13,2,40,45-48,50,55,62,64-66,68,69,82,84,86,88,92,93,95-97:9; 15:8-10; 3:8; 57:8,9',
	},
	ES: {
		callingCode: '34', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '40,51,6,70-74,78,80-88,90-98:9',
	},
	FI: {
		callingCode: '358', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00', '990', '991', '994', '99511', '99532', '99533', '99541', '99555', '99559', '99577', '99588', '99590', '99599', '996', '999'],
		nationalLengths: '10,29,30,39,40-48,50,75:6-10; 13-17:6-9; 19,21-28,31-38,51-58,61-68,81-88,90-98:5-9; 20:5-10; 60:8-10; 70:8-12; 71:9; 73:10; 80:7-9',
	},
	FR: {
		callingCode: '33', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '1-3,41-49,5,6,73-79,80-86,88,89,9:9',
	},
	GB: {
		callingCode: '44', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '11,20,23,24,28,29,30,33,34,37,55,56,7,87,90,91,98:10; 12-19:9,10; 80:7,9,10; 84:7,10',
		otherDiallingPrefixes: ['180020'],
	},
	GR: {
		callingCode: '30', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '21-28,50,68,69,70,81,82,85,87,90,94:10; 80:10-12',
	},
	HK: {
		callingCode: '852', longestFixedLine: 8,
		internationalPrefixes: ['00', '001', '002', '0030', '0050', '0059', '006', '007', '008', '009'],
		nationalLengths: '21-29,30,31,34-39,40,42,44,46,47,51-59,6,7,81-84,91-98:8; 80:9; 90:5-8,11',
	},
	ID: {
		callingCode: '62', trunkPrefix: '0', longestFixedLine: 11,
		internationalPrefixes: ['008', '009'],
		nationalLengths: '001803:11-17; 007803:13; 15:7; 17:9-11; 21,31:7-10; 22,80:8-10; 23,25-29,32-38,40-48,51-56,62-65,70-77,90-92,95-98:8-11; 24:9,10; 61:7-11; 81-83,85-89:9-12',
	},
	IE: {
		callingCode: '353', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '10-14,16,17,19,21:8,9; 15,18:8-10; 22,24-29,47,58,62,63,67-69,93,95-99:7; 23,41-44,46,49,52,53,56,57,59,64-66,70,71,74,76,81,82,90,94:9; 40,45,50,51,61,91:8; 48:10; 83,85-89:9,10',
	},
	IL: {
		callingCode: '972', trunkPrefix: '0', longestFixedLine: 12,
		internationalPrefixes: ['00', '0105', '012', '013', '014', '015', '016', '017', '018', '019'],
		nationalNumbersLikeInternational: { '0121': [9], '0125': [8], '0151': [12, 13], '0153': [12, 13], '0159': [11], '0191': [11], '0199': [11] },
		nationalLengths: '12:7,8,10; 15:10-12; 17-19:10; 2-4,8,9:8; 50-56,58,59,71-74,76-79:9',
	},
	IN: {
		callingCode: '91', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '000800:13; 11-17,19,2,30-38,4,51-59,6-9:10; 18:8-13',
	},
	IT: {
		callingCode: '39', longestFixedLine: 12,
		internationalPrefixes: ['00'],
		nationalLengths: '01-07,080,081,0823-0825,0827,0828,0832,0833,0835,0836,085,0861-0865,0871-0875,0881-0885,089,09:6-11; 0831:6-12; 0878,14,16,19:9; 17,31,43,55:10; 32-38:9-12; 39:9,10; 80,84:6,9; 89:6,8-10',
	},
	JP: {
		callingCode: '81', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['010'],
		nationalLengths: '0037,0066,0078:10-17; 007770,007771:8; 007775,11-19,22-29,31-39,42-49,52-59,61-69,72-79,82-89,92-99:9; 007778,008821,008822,008824,008825,20,50,70,80,90:10; 60:9,10',
		otherDiallingPrefixes: ['00'],
	},
	KE: {
		callingCode: '254', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['000'],
		nationalLengths: '10-14,18,41,43,46,50,58,62,7,90:9; 20,40,66:8,9; 42,44,45,51-57,59,60,61,64,65,67-69:7-9; 80:9,10',
	},
	KR: {
		callingCode: '82', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['001', '002', '00345', '00365', '00391', '005', '006', '00700', '00727', '0073', '00755', '00761', '00762', '00766', '008', '009'],
		nationalLengths: '00308:11,12; 00368:12; 00798:12-14; 10-12,17,19:9,10; 15,16,18:8-10; 21-29:8,9; 30,60,80:9; 31-33,41-44,51-55,61-64:5,6,9,10; 50:10,11; 70:10',
		otherDiallingPrefixes: ['081', '082', '083', '084', '085', '086', '087', '088'],
	},
	LK: {
		callingCode: '94', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '11,12,19,21,23-27,31-38,41,45,47,51,52,54,55,57,60,63,65-67,70-72,74-78,81,82,91,92,99:9',
	},
	MA: {
		callingCode: '212', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '51-55,59,6,70-73,75-78,80,89:9',
	},
	MX: {
		callingCode: '52', longestFixedLine: 10,
		internationalPrefixes: ['00', '09'],
		nationalLengths: '20,22-24,27-29,30-35,37-39,41-49,50,55,56,58,59,61-69,71-79,80-84,86-89,90-93,95-99:10',
	},
	MY: {
		callingCode: '60', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '10,12,14,32-39:9; 11:10; 13,15-19:9,10; 42-49,52-59,62-69,72-79,82-89,9:8',
	},
	NG: {
		callingCode: '234', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['009'],
		nationalLengths: '20,71,72,81,90,91:10; 70,80:10-14',
	},
	NL: {
		callingCode: '31', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '10,11,13,15-18,20,22-26,29,30-36,38,40,41,43,45-49,5,61-66,68,7,84,85,87,88,91:9; 14:5,6; 80,90:7-10; 97:11',
	},
	NO: {
		callingCode: '47', longestFixedLine: 8,
		internationalPrefixes: ['00'],
		nationalLengths: '02,03,05-09:5; 21-24,31-33,35,37,38,40,41,45-48,51-53,55-57,61-64,66-69,70-78,80-82,85,88,9:8',
	},
	NZ: {
		callingCode: '64', trunkPrefix: '0', longestFixedLine: 8,
		internationalPrefixes: ['00', '0161'],
		nationalLengths: '11:10-14; 20,22,28,29:9,10; 21,27,80,90:8-10; 24,32-37,39,42-49,62,63,65-69,72-75,77-79,92-99:8; 26:8,9; 50:7,9,10; 70:9; 81-87,89:5-10',
	},
	PH: {
		callingCode: '63', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '18:11-13; 20-22,29:6; 23-28:6,9; 32-36,38,42-49,52-56,62-65,68,72,74,75,77,78,82-87:9; 81,89,9:10; 88:8-10',
	},
	PK: {
		callingCode: '92', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '12:9; 21,42:10,11; 22,25,40,41,44,46-49,51-53,55-57,61-68,71,74,81,86,91:9-11; 23,24,29,45,54,60,72,82-85,92-94,96,99:9,10,12; 30-37,39,58:10; 80:8,11; 90:8',
	},
	PL: {
		callingCode: '48', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '12-18,22-26,29,32-34,41-44,46,48,52,54-56,58,59,61-63,65,67,68,71,74-77,81-87,89,91,94,95:7,9; 21,39,45,47,50,51,53,57,60,66,69,70,72,73,78,79,88:9; 30:7; 64:6-9; 80:9,10',
	},
	PT: {
		callingCode: '351', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '16,21-29,30,60,62-66,68,70,76,80,88,91-94,96:9',
	},
	QA: {
		callingCode: '974', longestFixedLine: 8,
		internationalPrefixes: ['00'],
		nationalNumbersLikeInternational: { '008': [11] },
		nationalLengths: '00800,00801:11; 21,23,26:7; 3,40-42,44,49,5-7:8; 80:7,9',
	},
	RO: {
		callingCode: '40', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '21,23-26,31:6,9; 33-37,7,80,90:9',
	},
	RU: {
		callingCode: '7', trunkPrefix: '8', longestFixedLine: 10,
		internationalPrefixes: ['810'],
		nationalNumbersLikeInternational: { '8108': [14] },
		nationalLengths: '30,33-36,38,39,40-42,47-49,800,803,804,808,809,811-818,820,821,831,833-836,840-848,851,855-857,860-863,865-867,869,871-873,877-879,9:10; 8108:14',
	},
	SA: {
		callingCode: '966', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '11-14,16,17,50,51,53-59,92:9; 80:10',
	},
	SE: {
		callingCode: '46', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '10,70,72-79:9; 11,13,16,21,23,26,33,35,36,40,42,44,46,60,63,8:7-9; 12,14,15,17-19,22,24,27-29,30-32,34,37-39,41,43,45,47-49,5,61,62,64-66,68,69,91,92,95-98:8,9; 20:6-9; 25,67:8,9,12; 90,93,94:7-10; 99:7,10',
	},
	SG: {
		callingCode: '65', longestFixedLine: 8,
		internationalPrefixes: ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011', '012', '013', '014', '015', '016', '017', '018', '019', '020', '021', '022', '023', '024', '025', '026', '027', '028', '029', '030', '031', '032', '033', '034', '035', '036', '037', '038', '039'],
		nationalLengths: '18,19,70:11; 31,32,6,81-89,90-98:8; 80:8,10',
	},
	TH: {
		callingCode: '66', trunkPrefix: '0', longestFixedLine: 8,
		internationalPrefixes: ['001', '002', '003', '004', '005', '006', '007', '008', '009'],
		nationalNumbersLikeInternational: { '0018': [13] },
		nationalLengths: '001800:13; 10,16,2,32-39,42-45,52-56,73-77:8; 14,60-68,8,9:9; 18,19:8,10',
	},
	TR: {
		callingCode: '90', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '21-28,31-39,41-43,45-48,5,81,85,88,89,90:10; 44:7,10; 80:10,12,13',
	},
	UA: {
		callingCode: '380', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '31-39,41,43-48,50-57,61-69,71-73,75,77,79,89,91-99:9; 80,90:9,10',
	},
	US: {
		callingCode: '1', trunkPrefix: '1', longestFixedLine: 10,
		internationalPrefixes: ['011'],
		nationalLengths: '20-28,30-36,38,40-48,50-58,60-68,70-78,80-88,90-95,97,98:10',
	},
	VN: {
		callingCode: '84', trunkPrefix: '0', longestFixedLine: 10,
		internationalPrefixes: ['00'],
		nationalLengths: '12:8,9; 14,16,3,51,52,55,56,58,59,67,70,76-78,81-89,9:9; 18:8-10; 19:7-10; 2:10; 69:7,8; 79:7,9',
	},
	ZA: {
		callingCode: '27', trunkPrefix: '0', longestFixedLine: 9,
		internationalPrefixes: ['00'],
		nationalLengths: '1,20-24,27,28,31-36,39,4,50-54,56-58,6,7,80,85,87,90-92:9; 81-84:5-9; 86:9,10',
	},
};
