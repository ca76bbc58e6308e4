import { asS360Credentials, authRules, checkCredentialSettings, checkS360Auth, type S360Credentials } from '../../nodes/S360FirehoseTrigger/auth';

const TOKEN = 'c1d27b8e4f60a5d2c9e1b7a4f803f3a9';
const token = (extra: Partial<S360Credentials> = {}): S360Credentials => ({
	authType: 'customParameter',
	parameterName: 'token',
	token: TOKEN,
	parameterIn: 'either',
	...extra,
});
const basic: S360Credentials = { authType: 'basicAuth', user: 's360', password: 'b7e2d94c1a6f4e0d8c3b5a7f9e1d2c4b', parameterIn: 'either' };

function check(credentials: S360Credentials, request: { headers?: Record<string, string | string[]>; query?: Record<string, unknown> }) {
	return checkS360Auth({ headers: request.headers ?? {}, query: request.query ?? {} }, authRules(credentials));
}

describe('S-360 credential rules', () => {
	it('lets every request through with None', () => {
		expect(check({ authType: 'none', parameterIn: 'either' }, {})).toEqual({ ok: true });
	});

	it('accepts the token in the query string or in a header by default', () => {
		expect(check(token(), { query: { token: TOKEN } })).toEqual({ ok: true });
		expect(check(token(), { headers: { token: TOKEN } })).toEqual({ ok: true });
	});

	it('accepts the token only where configured', () => {
		expect(check(token({ parameterIn: 'query' }), { headers: { token: TOKEN } })).toMatchObject({ ok: false, reason: 'missing' });
		expect(check(token({ parameterIn: 'header' }), { query: { token: TOKEN } })).toMatchObject({ ok: false, reason: 'missing' });
	});

	it('refuses a token one character off, in either place', () => {
		const off = `${TOKEN.slice(0, -1)}0`;
		expect(check(token(), { query: { token: off } })).toMatchObject({ ok: false, reason: 'invalid' });
		expect(check(token(), { headers: { token: off } })).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('refuses a wrong token in one place even when the other is missing', () => {
		expect(check(token(), { query: { token: 'wrong' }, headers: {} })).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('says where to send a missing token', () => {
		expect(check(token(), {})).toEqual({ ok: false, reason: 'missing', message: 'Missing token: send it as a query parameter or a header' });
	});

	it('refuses a token sent twice in the query string', () => {
		expect(check(token(), { query: { token: [TOKEN, TOKEN] } })).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('never authorizes with an empty configured token', () => {
		expect(check(token({ token: '' }), { query: { token: '' }, headers: { token: '' } })).toMatchObject({ ok: false });
	});

	it('checks Login/Password as basic auth', () => {
		const header = (value: string) => ({ headers: { authorization: `Basic ${Buffer.from(value).toString('base64')}` } });
		expect(check(basic, header(`s360:${basic.password}`))).toEqual({ ok: true });
		expect(check(basic, header('s360:wrong'))).toMatchObject({ ok: false, reason: 'invalid' });
		expect(check(basic, {})).toMatchObject({ ok: false, reason: 'missing' });
	});

	it('reads an unknown authentication choice as a token rule, which fails closed', () => {
		const credentials = asS360Credentials({ authType: 'kerberos' });
		expect(credentials.authType).toBe('customParameter');
		expect(check(credentials, { query: { token: '' } })).toMatchObject({ ok: false });
	});
});

describe('the S-360 credential’s Test', () => {
	it('shows the custom parameter line for S-360’s form without the token', () => {
		const result = checkCredentialSettings(token());
		expect(result).toEqual({
			ok: true,
			message:
				'Ready. In S-360: URL: this trigger’s Production URL; Login and Password empty; Authentication mode: NONE; Custom parameters: token=<the token of this credential> (accepted in the query string or a header).',
		});
		expect(result.message).not.toContain(TOKEN);
	});

	it('shows Login and never the password for basic auth', () => {
		const result = checkCredentialSettings(basic);
		expect(result.ok).toBe(true);
		expect(result.message).toContain('Login: s360');
		expect(result.message).not.toContain(basic.password!);
	});

	it('passes None with a warning that anyone with the URL can push', () => {
		expect(checkCredentialSettings({ authType: 'none', parameterIn: 'either' })).toMatchObject({ ok: true, message: expect.stringContaining('anyone who knows the URL') });
	});

	it.each([
		['a short token', token({ token: 'hunter2' }), /use at least 16/],
		['an empty token', token({ token: '' }), /The token is empty/],
		['a token with "&"', token({ token: `${TOKEN}&x=1` }), /cannot be sent unchanged/],
		['a parameter name with "="', token({ parameterName: 'a=b' }), /cannot be a key/],
		['a header name HTTP sets itself', token({ parameterName: 'Authorization' }), /set or rewritten/],
		['a name that is no header name, accepted in headers', token({ parameterName: 'tok en' }), /cannot be a key|not a valid header name/],
		['a login with ":"', { ...basic, user: 'a:b' }, /separate user and password/],
		['a short password', { ...basic, password: 'short' }, /use at least 16/],
	])('fails %s', (_name, credentials, message) => {
		const result = checkCredentialSettings(credentials);
		expect(result.ok).toBe(false);
		expect(result.message).toMatch(message);
	});
});
