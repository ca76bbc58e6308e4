/**
 * The Ory Webhook credential: the rule the trigger enforces for each of Ory's auth types, and
 * what its Test button reports (it makes no request: the secret is one n8n receives).
 */
import {
	asOryCredentials,
	authRule,
	checkCredentialSettings,
	type OryWebhookCredentials,
} from '../../nodes/OryWebhookTrigger/auth';
import { checkWebhookAuth } from '../../nodes/shared/webhookAuth';

const SECRET = 'f3a9c1d27b8e4f60a5d2c9e1b7a4f803';

function header(credentials: Partial<OryWebhookCredentials> = {}): OryWebhookCredentials {
	return { authType: 'headerKey', headerName: 'X-Webhook-Secret', acceptBearer: true, secret: SECRET, ...credentials };
}

describe('asOryCredentials', () => {
	it('defaults to the header key and accepts Bearer unless switched off', () => {
		expect(asOryCredentials({ secret: SECRET })).toMatchObject({ authType: 'headerKey', acceptBearer: true, secret: SECRET });
	});

	it('keeps Bearer off when switched off', () => {
		expect(asOryCredentials({ authType: 'headerKey', acceptBearer: false }).acceptBearer).toBe(false);
	});

	it('falls back to the header key for an unknown type', () => {
		expect(asOryCredentials({ authType: 'magic' }).authType).toBe('headerKey');
	});
});

describe('authRule: what each auth type lets through', () => {
	it('accepts the secret in X-Webhook-Secret (the Ory Zoho handler’s header)', () => {
		const result = checkWebhookAuth({ headers: { 'x-webhook-secret': SECRET } }, authRule(header()));
		expect(result.ok).toBe(true);
	});

	it('accepts Authorization: Bearer <secret> too', () => {
		const result = checkWebhookAuth({ headers: { authorization: `Bearer ${SECRET}` } }, authRule(header()));
		expect(result.ok).toBe(true);
	});

	it('refuses Bearer when switched off', () => {
		const rule = authRule(header({ acceptBearer: false }));
		expect(checkWebhookAuth({ headers: { authorization: `Bearer ${SECRET}` } }, rule).ok).toBe(false);
	});

	it('accepts a custom header name, whatever its case', () => {
		const rule = authRule(header({ headerName: 'X-Ory-Key' }));
		expect(checkWebhookAuth({ headers: { 'x-ory-key': SECRET } }, rule).ok).toBe(true);
	});

	it('accepts Ory’s api_key named Authorization with the value "Bearer <secret>"', () => {
		const rule = authRule(header({ headerName: 'Authorization', secret: `Bearer ${SECRET}` }));
		expect(checkWebhookAuth({ headers: { authorization: `Bearer ${SECRET}` } }, rule).ok).toBe(true);
	});

	it('uses X-Webhook-Secret when the header name is blank', () => {
		expect(authRule(header({ headerName: '  ' }))).toMatchObject({ type: 'headerKey', headerName: 'X-Webhook-Secret' });
	});

	it('accepts the secret in the named cookie', () => {
		const rule = authRule({ authType: 'cookieKey', cookieName: 'ory_webhook_secret', secret: SECRET });
		expect(checkWebhookAuth({ headers: { cookie: `a=1; ory_webhook_secret=${SECRET}` } }, rule).ok).toBe(true);
	});

	it('accepts basic auth', () => {
		const rule = authRule({ authType: 'basicAuth', user: 'ory', password: SECRET });
		const authorization = `Basic ${Buffer.from(`ory:${SECRET}`).toString('base64')}`;
		expect(checkWebhookAuth({ headers: { authorization } }, rule).ok).toBe(true);
	});

	it('lets nothing through when the secret is empty', () => {
		const rule = authRule(header({ secret: '' }));
		expect(checkWebhookAuth({ headers: { 'x-webhook-secret': '' } }, rule).ok).toBe(false);
	});
});

describe('checkCredentialSettings (the Test button)', () => {
	it('passes good header settings and prints the matching Ory auth block', () => {
		const result = checkCredentialSettings(header());
		expect(result.ok).toBe(true);
		expect(result.message).toContain('auth: {type: api_key, config: {in: header, name: X-Webhook-Secret, value: <the secret>}}');
	});

	it('never repeats the secret in its message', () => {
		expect(checkCredentialSettings(header()).message).not.toContain(SECRET);
		expect(checkCredentialSettings({ authType: 'basicAuth', user: 'ory', password: SECRET }).message).not.toContain(SECRET);
	});

	it('refuses an empty secret', () => {
		expect(checkCredentialSettings(header({ secret: '' }))).toEqual({ ok: false, message: 'The secret is empty' });
	});

	it('refuses a secret shorter than 16 characters', () => {
		const result = checkCredentialSettings(header({ secret: 'short-secret' }));
		expect(result.ok).toBe(false);
		expect(result.message).toMatch(/12 characters: use at least 16/);
	});

	it.each([
		['a line break', `${SECRET}\nX-Injected: 1`],
		['a space at the end', `${SECRET} `],
		['non-ASCII characters', `${SECRET}é`],
	])('refuses a secret with %s', (_label, secret) => {
		expect(checkCredentialSettings(header({ secret })).ok).toBe(false);
	});

	it.each(['Content-Type', 'content-length', 'Host', 'Cookie', 'Ory-Webhook-Request-ID'])(
		'refuses the header name %s, which HTTP or Ory sets itself',
		(headerName) => {
			expect(checkCredentialSettings(header({ headerName })).message).toMatch(/set or rewritten/);
		},
	);

	it('refuses a header name with spaces', () => {
		expect(checkCredentialSettings(header({ headerName: 'X Webhook Secret' })).message).toMatch(/not a valid header name/);
	});

	it('passes Authorization as the header name', () => {
		expect(checkCredentialSettings(header({ headerName: 'Authorization', secret: `Bearer ${SECRET}` })).ok).toBe(true);
	});

	it('passes good cookie settings', () => {
		const result = checkCredentialSettings({ authType: 'cookieKey', cookieName: 'ory_webhook_secret', secret: SECRET });
		expect(result).toEqual({
			ok: true,
			message: 'Ready. In Ory: auth: {type: api_key, config: {in: cookie, name: ory_webhook_secret, value: <the secret>}}',
		});
	});

	it('refuses a cookie name n8n strips from webhook requests', () => {
		const result = checkCredentialSettings({ authType: 'cookieKey', cookieName: 'n8n-auth', secret: SECRET });
		expect(result.message).toMatch(/n8n removes its own cookies/);
	});

	it('refuses a cookie secret with a semicolon', () => {
		expect(checkCredentialSettings({ authType: 'cookieKey', cookieName: 'k', secret: `${SECRET};x` }).ok).toBe(false);
	});

	it('passes good basic auth settings', () => {
		expect(checkCredentialSettings({ authType: 'basicAuth', user: 'ory', password: SECRET }).ok).toBe(true);
	});

	it('refuses a basic auth user containing ":"', () => {
		const result = checkCredentialSettings({ authType: 'basicAuth', user: 'ory:hooks', password: SECRET });
		expect(result.message).toMatch(/contains ":"/);
	});

	it('refuses an empty basic auth user', () => {
		expect(checkCredentialSettings({ authType: 'basicAuth', user: '', password: SECRET }).message).toBe('The user is empty');
	});

	it('refuses a short basic auth password', () => {
		expect(checkCredentialSettings({ authType: 'basicAuth', user: 'ory', password: 'pw' }).ok).toBe(false);
	});
});
