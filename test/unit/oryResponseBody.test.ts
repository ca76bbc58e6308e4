/**
 * Ory's answer formats for blocking web_hooks (response.parse: true), built from plain fields:
 * the `messages` body that interrupts a flow and the `identity` body that changes it.
 * Format: Kratos selfservice/hook/web_hook.go (parseWebhookResponse).
 */
import {
	applyAssignments,
	buildIdentityBody,
	buildMessagesBody,
	DEFAULT_MESSAGE_ID,
	instancePointer,
	ResponseBodyError,
	typedValue,
} from '../../nodes/OryRespond/responseBody';

describe('instancePointer', () => {
	it.each([
		['email', '#/traits/email'],
		['name.first', '#/traits/name/first'],
		['traits.email', '#/traits/email'],
		['#/traits/email', '#/traits/email'],
		['/traits/email', '#/traits/email'],
		['#/password', '#/password'],
		['', '#/'],
		['#', '#/'],
		[' email ', '#/traits/email'],
	])('points %j at %s', (field, pointer) => {
		expect(instancePointer(field)).toBe(pointer);
	});

	it('escapes / and ~ in trait names as JSON pointers require', () => {
		expect(instancePointer('a/b.c~d')).toBe('#/traits/a~1b/c~0d');
	});

	it('points at the whole form without a field', () => {
		expect(instancePointer(undefined)).toBe('#/');
	});
});

describe('buildMessagesBody', () => {
	it('builds Ory’s messages body for one field', () => {
		expect(buildMessagesBody([{ field: 'email', text: 'This email address is blocked', id: 4000001, type: 'error' }])).toEqual({
			messages: [
				{
					instance_ptr: '#/traits/email',
					messages: [{ id: 4000001, text: 'This email address is blocked', type: 'error' }],
				},
			],
		});
	});

	it('groups messages of the same field, in the order given', () => {
		const body = buildMessagesBody([
			{ field: 'email', text: 'first' },
			{ field: 'name.first', text: 'second' },
			{ field: 'traits.email', text: 'third', type: 'info' },
		]);
		expect(body).toEqual({
			messages: [
				{
					instance_ptr: '#/traits/email',
					messages: [
						{ id: DEFAULT_MESSAGE_ID, text: 'first', type: 'error' },
						{ id: DEFAULT_MESSAGE_ID, text: 'third', type: 'info' },
					],
				},
				{ instance_ptr: '#/traits/name/first', messages: [{ id: DEFAULT_MESSAGE_ID, text: 'second', type: 'error' }] },
			],
		});
	});

	it('defaults the id to Ory’s generic validation message', () => {
		expect(DEFAULT_MESSAGE_ID).toBe(4000001);
	});

	it('trims the text', () => {
		expect(buildMessagesBody([{ text: '  Not allowed  ' }]).messages[0].messages[0].text).toBe('Not allowed');
	});

	it('refuses no messages at all, because Ory would fail the flow instead of showing one', () => {
		expect(() => buildMessagesBody([])).toThrow(ResponseBodyError);
	});

	it('refuses a message without text, naming it', () => {
		expect(() => buildMessagesBody([{ text: 'ok' }, { text: '  ' }])).toThrow('Message 2 has no text');
	});

	it('refuses an id that is not a whole number', () => {
		expect(() => buildMessagesBody([{ text: 'x', id: 1.5 }])).toThrow('not a whole number');
	});
});

describe('typedValue', () => {
	it.each([
		['string', 'Ada', 'Ada'],
		['number', '42', 42],
		['number', '-1.5', -1.5],
		['boolean', 'TRUE', true],
		['boolean', 'false', false],
		['null', 'anything', null],
		['json', '["a", {"b": 1}]', ['a', { b: 1 }]],
	] as const)('reads a %s from %j', (type, input, expected) => {
		expect(typedValue(input, type)).toEqual(expected);
	});

	it('keeps non-string values of expressions as they are for JSON', () => {
		expect(typedValue({ a: 1 }, 'json')).toEqual({ a: 1 });
	});

	it.each([
		['number', 'twelve'],
		['number', ''],
		['boolean', 'yes'],
		['json', '{not json'],
	] as const)('refuses %s %j', (type, input) => {
		expect(() => typedValue(input, type)).toThrow(ResponseBodyError);
	});
});

describe('applyAssignments', () => {
	it('sets nested fields without losing the others', () => {
		const base = { email: 'ada@example.com', name: { first: 'ada', last: 'Lovelace' } };
		expect(applyAssignments(base, [{ path: 'name.first', value: 'Ada' }])).toEqual({
			email: 'ada@example.com',
			name: { first: 'Ada', last: 'Lovelace' },
		});
	});

	it('leaves the base untouched', () => {
		const base = { name: { first: 'ada' } };
		applyAssignments(base, [{ path: 'name.first', value: 'Ada' }]);
		expect(base).toEqual({ name: { first: 'ada' } });
	});

	it('creates missing objects on the way', () => {
		expect(applyAssignments(null, [{ path: 'crm.zoho.id', value: '42', valueType: 'number' }])).toEqual({
			crm: { zoho: { id: 42 } },
		});
	});

	it.each(['__proto__.polluted', 'constructor.prototype.x', 'a.prototype'])('refuses the unsafe path %s', (path) => {
		expect(() => applyAssignments({}, [{ path, value: 'x' }])).toThrow(ResponseBodyError);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it.each(['', 'a..b', '.a', 'a.'])('refuses the malformed path %j', (path) => {
		expect(() => applyAssignments({}, [{ path, value: 'x' }])).toThrow('empty or malformed');
	});
});

describe('buildIdentityBody', () => {
	const traits = { email: 'ada@example.com', name: { first: 'ada', last: 'lovelace' } };

	it('sends the whole traits with the changes, since Ory replaces them whole', () => {
		expect(
			buildIdentityBody({
				traits: {
					base: traits,
					assignments: [
						{ path: 'name.first', value: 'Ada' },
						{ path: 'name.last', value: 'Lovelace' },
					],
				},
			}),
		).toEqual({ identity: { traits: { email: 'ada@example.com', name: { first: 'Ada', last: 'Lovelace' } } } });
	});

	it('leaves out parts without changes, so Ory keeps them', () => {
		const body = buildIdentityBody({
			traits: { base: traits, assignments: [] },
			metadataPublic: { base: { plan: 'free' }, assignments: [{ path: 'crmSynced', value: 'true', valueType: 'boolean' }] },
			metadataAdmin: { base: null, assignments: [] },
		});
		expect(body).toEqual({ identity: { metadata_public: { plan: 'free', crmSynced: true } } });
	});

	it('writes admin metadata under metadata_admin', () => {
		const body = buildIdentityBody({ metadataAdmin: { base: null, assignments: [{ path: 'zohoId', value: '42' }] } });
		expect(body).toEqual({ identity: { metadata_admin: { zohoId: '42' } } });
	});

	it('replaces a part whole when no base is kept', () => {
		const body = buildIdentityBody({ traits: { base: null, assignments: [{ path: 'email', value: 'new@example.com' }] } });
		expect(body).toEqual({ identity: { traits: { email: 'new@example.com' } } });
	});

	it('refuses a change without any field', () => {
		expect(() => buildIdentityBody({ traits: { base: traits, assignments: [] } })).toThrow(ResponseBodyError);
	});
});
