/** MeherY codes, item → profile mapping, phone E.164, request building and envelope reading. */
import { mapProfile, type ProfileSettings } from '../../nodes/MeheryProfileUpdate/profile';
import { MEHERY_PROFILE, meheryTenantSchema, unknownCodeProblem } from '../../nodes/MeheryProfileUpdate/schema';
import {
	buildUpdateRequest,
	envelopeFailure,
	meheryUpdateUrl,
	previewOf,
	readEnvelope,
	type MeheryCredentials,
} from '../../nodes/MeheryProfileUpdate/transport';

const settings = (extra: Partial<ProfileSettings> = {}): ProfileSettings => ({
	inputFields: 'codes',
	inputPath: '',
	ignoreKeys: '',
	fields: [],
	...extra,
});

const CREDENTIALS: MeheryCredentials = {
	baseUrl: 'https://demo.mehery.com/',
	tenant: 'demo',
	apiKey: 'key-abcdef-123456',
	apiPath: 'xms',
};

const tenant = meheryTenantSchema([
	{ code: 'dateOfBirth', kind: 'date' },
	{ code: 'loyaltyTier', kind: 'text' },
]).schema;

describe('MeherY codes', () => {
	it('names the closest code when a code differs only in case', () => {
		expect(unknownCodeProblem('firstname', MEHERY_PROFILE)).toBe('`firstname` is not a MeherY field code — did you mean `firstName`?');
	});

	it('names the phoneN code when a Zoho-style spelling is used', () => {
		expect(unknownCodeProblem('Phone_3', MEHERY_PROFILE)).toBe('`Phone_3` is not a MeherY field code — did you mean `phone3`?');
	});

	it('accepts every phoneN, emailN, altPhoneN and altEmailN code', () => {
		expect(['phone7', 'email12', 'altPhone2', 'altEmail3'].map((code) => unknownCodeProblem(code, MEHERY_PROFILE))).toEqual([
			undefined,
			undefined,
			undefined,
			undefined,
		]);
	});

	it('accepts a declared custom code and refuses it when undeclared', () => {
		expect(unknownCodeProblem('loyaltyTier', tenant)).toBeUndefined();
		expect(unknownCodeProblem('loyaltyTier', MEHERY_PROFILE)).toMatch(/^`loyaltyTier` is not a MeherY field code/);
	});

	it('refuses a custom code that repeats a standard code, or is declared twice, or is not an identifier', () => {
		const { problems } = meheryTenantSchema([
			{ code: 'email1', kind: 'email' },
			{ code: 'tier', kind: 'text' },
			{ code: 'tier', kind: 'text' },
			{ code: 'date of birth', kind: 'date' },
		]);
		expect(problems).toHaveLength(3);
	});
});

describe('an item becomes a MeherY profile', () => {
	it('sends the seed’s codes as they are, dates as MM-DD-YY, emails lowercased, phones trimmed', () => {
		const { fields, problems } = mapProfile(
			{ firstName: 'Ada', lastName: 'Lovelace', email1: 'ADA@Example.com', phone1: ' +44 20 7946 0000 ', dateOfBirth: '1991-03-07' },
			tenant,
			settings(),
		);
		expect(problems).toEqual([]);
		expect(fields).toEqual({ firstName: 'Ada', lastName: 'Lovelace', email1: 'ada@example.com', phone1: '+44 20 7946 0000', dateOfBirth: '03-07-91' });
	});

	it('formats a date-time in the chosen time zone', () => {
		const { fields } = mapProfile({ email1: 'a@b.co', dateOfBirth: '2024-03-07T22:30:00Z' }, tenant, settings({ timeZone: 'Asia/Kolkata' }));
		expect(fields.dateOfBirth).toBe('03-08-24');
	});

	it('fails an item with an undeclared code, naming it and the closest code', () => {
		const { problems } = mapProfile({ email1: 'a@b.co', firstname: 'Ada' }, tenant, settings());
		expect(problems).toEqual(['`firstname` is not a MeherY field code — did you mean `firstName`?']);
	});

	it('fails an item that has no phoneN or emailN', () => {
		const { problems } = mapProfile({ firstName: 'Ada', altEmail1: 'a@b.co' }, tenant, settings());
		expect(problems).toEqual([expect.stringMatching(/^no unique key: MeherY finds the profile/)]);
	});

	it('counts phone7 as a unique key', () => {
		expect(mapProfile({ phone7: '12345678' }, tenant, settings()).problems).toEqual([]);
	});

	it('maps Zoho CRM names automatically: Email → email1, First_Name → firstName, Mobile → phone2, Phone → phone1', () => {
		const { fields } = mapProfile(
			{ body: { Email: 'z@zoho.test', First_Name: 'Zed', Last_Name: 'Ho', Mobile: '98765 43210', Phone: '044 1234 5678', Owner: 'x' } },
			tenant,
			settings({ inputFields: 'autoMap', inputPath: 'body' }),
		);
		expect(fields).toEqual({ firstName: 'Zed', lastName: 'Ho', phone1: '044 1234 5678', phone2: '98765 43210', email1: 'z@zoho.test' });
	});

	it('refuses a Zoho date in two-digit-year form rather than guessing its century', () => {
		const { problems } = mapProfile({ email1: 'a@b.co', dateOfBirth: '03-07-91' }, tenant, settings());
		expect(problems[0]).toMatch(/dateOfBirth/);
	});

	it('refuses a slash date that may be 7 March or 3 July, naming the value and the option to set', () => {
		const { fields, problems } = mapProfile({ email1: 'a@b.co', dateOfBirth: '07/03/1991' }, tenant, settings());
		expect(fields).not.toHaveProperty('dateOfBirth');
		expect(problems).toEqual([
			expect.stringMatching(
				/^field "dateOfBirth" has an invalid date: Cannot read "07\/03\/1991" as a date: it is 7 March 1991 if the day comes first and 3 July 1991 if the month does; choose the order under Date Input Format/,
			),
		]);
	});

	it('reads such a date in the order chosen under Date Input Format', () => {
		expect(mapProfile({ email1: 'a@b.co', dateOfBirth: '07/03/1991' }, tenant, settings({ dateInputFormat: 'dd/MM/yyyy' })).fields.dateOfBirth).toBe('03-07-91');
		expect(mapProfile({ email1: 'a@b.co', dateOfBirth: '07/03/1991' }, tenant, settings({ dateInputFormat: 'MM/dd/yyyy' })).fields.dateOfBirth).toBe('07-03-91');
	});

	it('lets explicit Fields override the input and checks their codes too', () => {
		const ok = mapProfile({ email1: 'a@b.co', firstName: 'Old' }, tenant, settings({ fields: [{ code: 'firstName', value: 'New' }] }));
		expect(ok.fields.firstName).toBe('New');
		const bad = mapProfile({ email1: 'a@b.co' }, tenant, settings({ fields: [{ code: 'lastname', value: 'X' }] }));
		expect(bad.problems).toEqual(['`lastname` is not a MeherY field code — did you mean `lastName`?']);
	});

	it('leaves out ignored input keys', () => {
		const { fields, problems } = mapProfile({ email1: 'a@b.co', token: 'x' }, tenant, settings({ ignoreKeys: 'token' }));
		expect(problems).toEqual([]);
		expect(fields).toEqual({ email1: 'a@b.co' });
	});

	it('writes every phone code in E.164 when a default country is set', () => {
		const { fields } = mapProfile({ phone1: '098765 43210', altPhone1: '+1 (415) 555-0100' }, tenant, settings({ defaultCountry: 'IN' }));
		expect(fields).toEqual({ phone1: '+919876543210', altPhone1: '+14155550100' });
	});
});

/** Phones are unique keys in MeherY: a wrong rewrite updates, or creates, another person's profile. */
describe('phones in E.164 only where that is certainly right', () => {
	it.each([
		['+44 (0)20 7946 0958', 'GB', '+442079460958'],
		['1 (555) 123-4567', 'US', '+15551234567'],
		['91 98765 43210', 'IN', '+919876543210'],
		['8 912 345-67-89', 'RU', '+79123456789'],
		['011 44 20 7946 0958', 'US', '+442079460958'],
		['810 44 20 7946 0958', 'RU', '+442079460958'],
	])('%s from %s is sent as %s', (typed, defaultCountry, e164) => {
		expect(mapProfile({ phone1: typed }, tenant, settings({ defaultCountry }))).toStrictEqual({ fields: { phone1: e164 }, problems: [] });
	});

	it('sends a phone it cannot read with certainty exactly as mapped, and says so on the item', () => {
		const result = mapProfile({ phone1: '49 30 1234567', phone2: '011 44 20 7946 0958', email1: 'a@b.co' }, tenant, settings({ defaultCountry: 'DE' }));
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({ phone1: '49 30 1234567', phone2: '011 44 20 7946 0958', email1: 'a@b.co' });
		expect(result.phoneNotes).toEqual([
			{ field: 'phone1', value: '49 30 1234567', note: 'sent as typed: it may be a local number dialled without its area code' },
			{
				field: 'phone2',
				value: '011 44 20 7946 0958',
				note: 'sent as typed: it may be an international number dialled with 011, which is not how DE dials abroad (00)',
			},
		]);
	});

	it('fails the item before any call when the default country is one it has no rules for, naming the choices', () => {
		const { problems } = mapProfile({ phone1: '5550100' }, tenant, settings({ defaultCountry: 'XX' }));
		expect(problems).toEqual([
			expect.stringMatching(/^Default Country for Phones "XX" is not a country the node has phone rules for: use one of AE, AR, .*, ZA, or leave it empty to send phones as mapped$/),
		]);
	});

	it('sends phones exactly as mapped (trimmed) when no default country is set', () => {
		expect(mapProfile({ phone1: ' 8 912 345-67-89 ' }, tenant, settings())).toStrictEqual({ fields: { phone1: '8 912 345-67-89' }, problems: [] });
	});
});

describe('the request on the wire', () => {
	it('posts to the seed’s path with the tenant in the query', () => {
		expect(meheryUpdateUrl(CREDENTIALS)).toBe('https://demo.mehery.com/xms/data/api/v1/profile/update?tnt=demo');
		expect(meheryUpdateUrl({ ...CREDENTIALS, apiPath: 'nexus' })).toBe('https://demo.mehery.com/nexus/xms/api/v1/profile/update?tnt=demo');
		expect(meheryUpdateUrl({ ...CREDENTIALS, apiPath: 'custom', customPath: '/v2/profile' })).toBe('https://demo.mehery.com/v2/profile?tnt=demo');
	});

	it('sends form-data parts named by the codes', () => {
		const request = buildUpdateRequest(CREDENTIALS, { firstName: 'Ada', email1: 'a@b.co' }, 'formData', 'BOUNDARY');
		expect((request.headers as Record<string, string>)['content-type']).toBe('multipart/form-data; boundary=BOUNDARY');
		expect(request.body).toBe(
			'--BOUNDARY\r\nContent-Disposition: form-data; name="firstName"\r\n\r\nAda\r\n' +
				'--BOUNDARY\r\nContent-Disposition: form-data; name="email1"\r\n\r\na@b.co\r\n--BOUNDARY--\r\n',
		);
	});

	it('sends x-api-key, and x-api-id only when the credential has one', () => {
		expect(buildUpdateRequest(CREDENTIALS, {}, 'json').headers).not.toHaveProperty('x-api-id');
		expect(buildUpdateRequest({ ...CREDENTIALS, apiId: 'id-1' }, {}, 'json').headers).toMatchObject({ 'x-api-key': CREDENTIALS.apiKey, 'x-api-id': 'id-1' });
	});

	it('previews the request without the key', () => {
		const preview = previewOf(buildUpdateRequest(CREDENTIALS, { email1: 'a@b.co' }, 'json'), { email1: 'a@b.co' }, [CREDENTIALS.apiKey]);
		expect(JSON.stringify(preview)).not.toContain(CREDENTIALS.apiKey);
		expect(preview).toMatchObject({ method: 'POST', body: '{"email1":"a@b.co"}', headers: { 'x-api-key': '[redacted]' } });
	});
});

describe('MeherY’s envelope', () => {
	it('fails a 200 with errors[], with the field, code and description', () => {
		const failure = envelopeFailure(
			readEnvelope({ status: 'error', errors: [{ field: 'email1', code: 'INVALID_EMAIL', description: 'Email is invalid' }], error: null }),
		);
		expect(failure).toMatchObject({ code: 'INVALID_EMAIL', message: 'field email1 — Email is invalid' });
	});

	it('fails a 200 whose status is not a success, even without errors[]', () => {
		expect(envelopeFailure(readEnvelope({ status: 'FAILED', message: 'Not updated', errors: [] }))?.message).toBe('Not updated');
	});

	it('accepts a success with warnings', () => {
		const envelope = readEnvelope({ status: 'success', warnings: [{ field: 'altPhone1', code: 'DUPLICATE' }], error: null });
		expect(envelopeFailure(envelope)).toBeUndefined();
		expect(envelope.warnings).toHaveLength(1);
	});
});

describe('MeherY dates never lose their century', () => {
	const birthDate = (dateOfBirth: string, extra: Partial<ProfileSettings> = {}) =>
		mapProfile({ email1: 'a@b.co', dateOfBirth }, tenant, settings(extra));

	it('sends 1945-03-07 as 03-07-45: 1945 is inside the default Two-Digit Years Cover, 1930–2029', () => {
		expect(birthDate('1945-03-07')).toEqual({ fields: { email1: 'a@b.co', dateOfBirth: '03-07-45' }, problems: [] });
	});

	it('fails 1815-12-10 before any call, naming the date: 12-10-15 would be read as 2015', () => {
		const { fields, problems } = birthDate('1815-12-10');
		expect(fields).not.toHaveProperty('dateOfBirth');
		expect(problems).toEqual([
			'field "dateOfBirth" cannot be sent: "1815-12-10" is 1815-12-10, outside 1930–2029, the years a two-digit year stands for ' +
				'(Two-Digit Years Cover): "15" would be read as 2015. Set Two-Digit Years Cover to a window that holds 1815, ' +
				'or choose a date format with a four-digit year if the field accepts one.',
		]);
	});

	it('fails 1945-03-07 when Two-Digit Years Cover starts at 1950', () => {
		expect(birthDate('1945-03-07', { twoDigitYearStart: 1950 }).problems).toEqual([
			expect.stringContaining('"1945-03-07" is 1945-03-07, outside 1950–2049'),
		]);
	});

	it('sends 2045-03-07 as 03-07-45 when Two-Digit Years Cover starts at 1950', () => {
		expect(birthDate('2045-03-07', { twoDigitYearStart: 1950 }).fields.dateOfBirth).toBe('03-07-45');
	});

	it('sends the century with the MM-DD-YYYY Date Format, whatever the window', () => {
		expect(birthDate('1815-12-10', { dateFormat: 'fourDigitYear' })).toEqual({
			fields: { email1: 'a@b.co', dateOfBirth: '12-10-1815' },
			problems: [],
		});
	});
});
