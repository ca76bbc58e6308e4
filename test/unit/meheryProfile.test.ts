/** MeherY codes, item → profile mapping, phone E.164, request building and envelope reading. */
import { mapProfile, type ProfileSettings } from '../../nodes/MeheryProfileUpdate/profile';
import { toE164 } from '../../nodes/MeheryProfileUpdate/phone';
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

describe('E.164 phones', () => {
	it('drops the trunk 0 and adds the default country', () => expect(toE164('030 1234567', 'DE').value).toBe('+49301234567'));
	it('reads 00 as the international prefix', () => expect(toE164('0044 20 7946 0000', 'DE').value).toBe('+442079460000'));
	it('keeps the Italian leading 0', () => expect(toE164('06 1234 5678', 'IT').value).toBe('+390612345678'));
	it('refuses an extension', () => expect(toE164('555-0100 ext 12', 'US').problem).toBeDefined());
	it('refuses an unknown default country', () => expect(toE164('5550100', 'XX').problem).toMatch(/default country/));
	it('refuses a number too short for E.164', () => expect(toE164('+49 12', 'DE').problem).toBeDefined());
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
