/**
 * What Ory Actions send (the shapes people's Jsonnet templates produce) turned into the
 * trigger's one output item.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	buildOutputItem,
	detectEvent,
	eventFromName,
	extractEmail,
	extractNames,
	normalizeOryPayload,
	type OryPayload,
} from '../../nodes/OryWebhookTrigger/payload';
import { CONCEPT_ALIASES } from '../../nodes/shared/fieldMapping';

const IDENTITY = {
	id: '9f425a8d-7efc-4768-8f23-7647a74fdf13',
	schema_id: 'default',
	traits: { email: 'ada@example.com', name: { first: 'Ada', last: 'Lovelace' } },
	metadata_public: { plan: 'free' },
};
const REGISTRATION_FLOW = {
	id: 'a4f1c1f5-0000-4000-8000-000000000001',
	type: 'browser',
	request_url: 'https://auth.example.com/self-service/registration/browser?return_to=https://app.example.com',
	transient_payload: { consent: true },
};

function payloadOf(body: unknown, queryEvent?: unknown): OryPayload {
	const result = normalizeOryPayload(body, { queryEvent });
	if (!result.ok) throw new Error(`expected a payload, got: ${result.message}`);
	return result.payload;
}

describe('normalizeOryPayload: accepted shapes', () => {
	it('reads the Ory Zoho handler shape {identity: {id, traits}}', () => {
		const payload = payloadOf({ identity: { id: IDENTITY.id, traits: IDENTITY.traits } });
		expect(payload.shape).toBe('identity');
		expect(payload.identity).toEqual({ id: IDENTITY.id, traits: IDENTITY.traits });
		expect(payload.traits).toEqual(IDENTITY.traits);
		expect(payload.flow).toBeNull();
	});

	it('reads a {ctx: {identity, flow}} body', () => {
		const payload = payloadOf({ ctx: { identity: IDENTITY, flow: REGISTRATION_FLOW } });
		expect(payload.shape).toBe('ctx');
		expect(payload.identity).toEqual(IDENTITY);
		expect(payload.flow).toEqual(REGISTRATION_FLOW);
	});

	it('reads the full context sent by function(ctx) ctx', () => {
		const payload = payloadOf({
			identity: IDENTITY,
			flow: REGISTRATION_FLOW,
			request_headers: { 'User-Agent': ['Mozilla/5.0'] },
			request_method: 'POST',
			request_url: 'https://auth.example.com/self-service/registration?flow=a4f1',
			request_cookies: {},
		});
		expect(payload.shape).toBe('context');
		expect(payload.identity).toEqual(IDENTITY);
		expect(payload.flow).toEqual(REGISTRATION_FLOW);
	});

	it('reads a bare identity sent by function(ctx) ctx.identity', () => {
		const payload = payloadOf(IDENTITY);
		expect(payload.shape).toBe('bareIdentity');
		expect(payload.identity).toEqual(IDENTITY);
		expect(payload.traits).toEqual(IDENTITY.traits);
	});

	it('accepts a flow without identity (hooks that run before the identity exists)', () => {
		const payload = payloadOf({ flow: REGISTRATION_FLOW });
		expect(payload.shape).toBe('flowOnly');
		expect(payload.identity).toBeNull();
		expect(payload.event).toBe('registration');
	});

	it('takes the transient payload from the flow', () => {
		expect(payloadOf({ identity: IDENTITY, flow: REGISTRATION_FLOW }).transientPayload).toEqual({ consent: true });
	});

	it('prefers a transient payload the template put at the top', () => {
		const body = { identity: IDENTITY, flow: REGISTRATION_FLOW, transient_payload: { source: 'jsonnet' } };
		expect(payloadOf(body).transientPayload).toEqual({ source: 'jsonnet' });
	});
});

describe('normalizeOryPayload: refused bodies', () => {
	it.each([
		['an array', [IDENTITY]],
		['a string', 'identity'],
		['null', null],
	])('refuses %s as not an object', (_label, body) => {
		expect(normalizeOryPayload(body)).toEqual({ ok: false, message: 'The body must be a JSON object' });
	});

	it('refuses an object with neither identity nor flow, pointing at the Jsonnet template', () => {
		const result = normalizeOryPayload({ email: 'ada@example.com' });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.message).toMatch(/neither an identity nor a flow.*Jsonnet/);
	});

	it('refuses an identity that is not an object', () => {
		expect(normalizeOryPayload({ identity: 'ada@example.com' }).ok).toBe(false);
	});
});

describe('detectEvent', () => {
	it('uses the event named by the shipped Jsonnet', () => {
		expect(payloadOf({ event: 'settings', identity: IDENTITY }).event).toBe('settings');
	});

	it('uses an event named inside ctx', () => {
		expect(payloadOf({ ctx: { event: 'login', identity: IDENTITY } }).event).toBe('login');
	});

	it('prefers the named event over the flow URL', () => {
		expect(payloadOf({ event: 'settings', identity: IDENTITY, flow: REGISTRATION_FLOW }).event).toBe('settings');
	});

	it('uses ?event= from the webhook URL when the body names none', () => {
		expect(payloadOf({ identity: IDENTITY }, 'registration').event).toBe('registration');
	});

	it.each([
		['registration', 'https://auth.example.com/self-service/registration/browser'],
		['settings', 'http://127.0.0.1:4433/self-service/settings/api'],
		['login', 'https://x.projects.oryapis.com/self-service/login/browser?aal=aal1'],
		['recovery', 'https://auth.example.com/self-service/recovery?flow=1'],
		['verification', 'https://auth.example.com/self-service/verification/browser'],
	])('reads %s from the flow request URL %s', (event, url) => {
		expect(payloadOf({ identity: IDENTITY, flow: { request_url: url } }).event).toBe(event);
	});

	it('falls back to the flow UI action URL', () => {
		const flow = { ui: { action: 'https://auth.example.com/self-service/settings?flow=abc' } };
		expect(payloadOf({ identity: IDENTITY, flow }).event).toBe('settings');
	});

	it('falls back to the context request URL', () => {
		const body = { identity: IDENTITY, request_url: 'https://auth.example.com/self-service/login?flow=abc' };
		expect(detectEvent(body)).toBe('login');
	});

	it('answers unknown when nothing names the flow', () => {
		expect(payloadOf({ identity: IDENTITY }).event).toBe('unknown');
	});

	it('answers unknown for an event name that is no Ory flow', () => {
		expect(payloadOf({ event: 'logout', identity: IDENTITY }).event).toBe('unknown');
	});
});

describe('eventFromName', () => {
	it.each([
		['Registration', 'registration'],
		['registration.after', 'registration'],
		['after_settings', 'settings'],
		[' LOGIN ', 'login'],
	])('reads %j as %s', (name, event) => {
		expect(eventFromName(name)).toBe(event);
	});

	it('does not match a flow name inside another word', () => {
		expect(eventFromName('relogin')).toBeUndefined();
	});

	it('ignores non-strings', () => {
		expect(eventFromName(42)).toBeUndefined();
	});
});

/** `{a: {b: value}}` for the alias 'a.b': traits in which the alias names `value`. */
function atPath(alias: string, value: string): IDataObject {
	return alias
		.split('.')
		.reverse()
		.reduce<unknown>((inner, step) => ({ [step]: inner }), value) as IDataObject;
}

describe('extractNames', () => {
	it.each([
		['firstName / lastName', { firstName: 'Ada', lastName: 'Lovelace' }],
		['first_name / last_name', { first_name: 'Ada', last_name: 'Lovelace' }],
		['given_name / family_name (OIDC)', { given_name: 'Ada', family_name: 'Lovelace' }],
		['name.first / name.last (Ory preset schema)', { name: { first: 'Ada', last: 'Lovelace' } }],
		['name.given / name.family', { name: { given: 'Ada', family: 'Lovelace' } }],
		['a single name string', { name: 'Ada Lovelace' }],
	])('reads %s', (_label, traits) => {
		expect(extractNames(traits)).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
	});

	it('reads a name under every alias auto-mapping knows (one list: CONCEPT_ALIASES)', () => {
		const read = (concept: 'firstName' | 'lastName') =>
			CONCEPT_ALIASES[concept].map((alias) => extractNames(atPath(alias, 'X'))[concept]);
		expect(read('firstName')).toEqual(CONCEPT_ALIASES.firstName.map(() => 'X'));
		expect(read('lastName')).toEqual(CONCEPT_ALIASES.lastName.map(() => 'X'));
	});

	it('splits a full name at its last space', () => {
		expect(extractNames({ name: 'Ada King Lovelace' })).toEqual({ firstName: 'Ada King', lastName: 'Lovelace' });
	});

	it('takes a one-word name as the last name', () => {
		expect(extractNames({ name: 'Cher' })).toEqual({ firstName: null, lastName: 'Cher' });
	});

	it('fills only the missing part from a full name', () => {
		expect(extractNames({ firstName: 'Augusta', name: 'Ada Lovelace' })).toEqual({
			firstName: 'Augusta',
			lastName: 'Lovelace',
		});
	});

	it('prefers firstName over given_name over name.first', () => {
		const traits = { firstName: 'A', given_name: 'B', name: { first: 'C', last: 'L' } };
		expect(extractNames(traits).firstName).toBe('A');
	});

	it('trims names and treats blanks as missing', () => {
		expect(extractNames({ firstName: '  Ada ', lastName: '   ' })).toEqual({ firstName: 'Ada', lastName: null });
	});

	it('ignores names that are not strings', () => {
		expect(extractNames({ firstName: 42, lastName: ['Lovelace'] })).toEqual({ firstName: null, lastName: null });
	});

	it('answers nulls without traits', () => {
		expect(extractNames(null)).toEqual({ firstName: null, lastName: null });
	});

	it('keeps unicode names as they are', () => {
		expect(extractNames({ name: { first: 'Zoë', last: '李' } })).toEqual({ firstName: 'Zoë', lastName: '李' });
	});
});

describe('extractEmail', () => {
	it('reads the email under every alias auto-mapping knows (one list: CONCEPT_ALIASES)', () => {
		expect(CONCEPT_ALIASES.email.map((alias) => extractEmail({ traits: atPath(alias, 'ada@example.com') }))).toEqual(
			CONCEPT_ALIASES.email.map(() => 'ada@example.com'),
		);
	});

	it('reads traits.email', () => {
		expect(extractEmail(IDENTITY)).toBe('ada@example.com');
	});

	it('reads the first of traits.emails', () => {
		expect(extractEmail({ traits: { emails: ['', 'ada@example.com'] } })).toBe('ada@example.com');
	});

	it('falls back to the first email verifiable address', () => {
		const identity = {
			traits: { phone: '+441234' },
			verifiable_addresses: [
				{ via: 'sms', value: '+441234' },
				{ via: 'email', value: 'ada@example.com' },
			],
		};
		expect(extractEmail(identity)).toBe('ada@example.com');
	});

	it('falls back to the recovery addresses', () => {
		expect(extractEmail({ traits: {}, recovery_addresses: [{ via: 'email', value: 'r@example.com' }] })).toBe(
			'r@example.com',
		);
	});

	it('answers null when there is none', () => {
		expect(extractEmail({ traits: { username: 'ada' } })).toBeNull();
		expect(extractEmail(null)).toBeNull();
	});
});

describe('buildOutputItem', () => {
	it('emits the documented fields for a registration', () => {
		const body = { identity: IDENTITY, flow: REGISTRATION_FLOW };
		expect(buildOutputItem(payloadOf(body), { requestId: 'req-1', triggerId: 'trig-1' })).toEqual({
			event: 'registration',
			identityId: IDENTITY.id,
			email: 'ada@example.com',
			firstName: 'Ada',
			lastName: 'Lovelace',
			traits: IDENTITY.traits,
			identity: IDENTITY,
			flow: REGISTRATION_FLOW,
			transientPayload: { consent: true },
			requestId: 'req-1',
			triggerId: 'trig-1',
			body,
		});
	});

	it('keeps every key, as null, when a part is missing', () => {
		const body = { identity: { traits: {} } };
		expect(buildOutputItem(payloadOf(body), { requestId: null, triggerId: null })).toEqual({
			event: 'unknown',
			identityId: null,
			email: null,
			firstName: null,
			lastName: null,
			traits: {},
			identity: { traits: {} },
			flow: null,
			transientPayload: null,
			requestId: null,
			triggerId: null,
			body,
		});
	});

	it('keeps the keys a Jsonnet template adds beside the ones it knows, in the raw body', () => {
		const body = { event: 'registration', identity: IDENTITY, tenant: 'acme', utm: { source: 'newsletter', campaign: 'spring' } };
		const item = buildOutputItem(payloadOf(body), { requestId: null, triggerId: null });
		expect(item.body).toEqual({
			event: 'registration',
			identity: IDENTITY,
			tenant: 'acme',
			utm: { source: 'newsletter', campaign: 'spring' },
		});
	});
});
