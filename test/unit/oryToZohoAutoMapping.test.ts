/**
 * Auto-mapping never invents fields: the Ory Webhook Trigger's own output item, fed to the Zoho
 * schemas with auto-mapping on, fills Email, First_Name and Last_Name and nothing else, although
 * the item nests `identity.state`, `flow.state`, `transientPayload.source` and the like.
 */
import type { IDataObject } from 'n8n-workflow';

import { buildOutputItem, normalizeOryPayload } from '../../nodes/OryWebhookTrigger/payload';
import { findAutoMappedValues, mapContact } from '../../nodes/shared/fieldMapping';
import { ZOHO_CONTACTS, ZOHO_LEADS } from '../../nodes/ZohoCrmUpsertContact/schema';

/** What Kratos puts in ctx.identity after a registration with the preset email + name schema. */
const IDENTITY = {
	id: '9f425a8d-7efc-4768-8f23-7647a74fdf13',
	schema_id: 'preset://email',
	schema_url: 'https://auth.example.com/schemas/cHJlc2V0Oi8vZW1haWw',
	state: 'active',
	state_changed_at: '2024-03-07T14:05:09.123Z',
	traits: { email: 'Ada.Lovelace@Example.com', name: { first: 'Ada', last: 'Lovelace' } },
	verifiable_addresses: [
		{
			id: 'b6a3c6e2-0000-4000-8000-000000000001',
			value: 'ada.lovelace@example.com',
			verified: false,
			via: 'email',
			status: 'sent',
			created_at: '2024-03-07T14:05:09.123Z',
			updated_at: '2024-03-07T14:05:09.123Z',
		},
	],
	recovery_addresses: [{ id: 'b6a3c6e2-0000-4000-8000-000000000002', value: 'ada.lovelace@example.com', via: 'email' }],
	metadata_public: null,
	created_at: '2024-03-07T14:05:09.123Z',
	updated_at: '2024-03-07T14:05:09.123Z',
	organization_id: null,
};

const FLOW = {
	id: 'a4f1c1f5-0000-4000-8000-000000000001',
	type: 'browser',
	state: 'choose_method',
	expires_at: '2024-03-07T15:05:09.123Z',
	issued_at: '2024-03-07T14:05:09.123Z',
	request_url: 'https://auth.example.com/self-service/registration/browser?return_to=https://app.example.com',
	ui: { action: 'https://auth.example.com/self-service/registration?flow=a4f1c1f5', method: 'POST', nodes: [] },
	transient_payload: { newsletter: true, source: 'pricing-page' },
};

/** The full context a `function(ctx) ctx` Jsonnet template sends. */
const FULL_CONTEXT = {
	identity: IDENTITY,
	flow: FLOW,
	request_headers: { 'User-Agent': ['Mozilla/5.0'], 'Accept-Language': ['en-GB'] },
	request_method: 'POST',
	request_url: 'https://auth.example.com/self-service/registration?flow=a4f1c1f5',
	request_cookies: {},
};

const IDS = { requestId: 'c0ffee00-0000-4000-8000-000000000001', triggerId: 'c0ffee00-0000-4000-8000-000000000002' };

/** The trigger's output item for a body, exactly as the trigger builds it. */
function triggerOutput(body: unknown): IDataObject {
	const normalised = normalizeOryPayload(body);
	if (!normalised.ok) throw new Error(`expected an Ory payload, got: ${normalised.message}`);
	return buildOutputItem(normalised.payload, IDS);
}

const BODIES: Array<[string, unknown]> = [
	['the full context', FULL_CONTEXT],
	['{ctx: …}', { ctx: FULL_CONTEXT }],
	["the Ory Zoho integration's {identity: {id, traits}}", { identity: { id: IDENTITY.id, traits: IDENTITY.traits } }],
	['a bare identity', IDENTITY],
];

describe('auto-mapping the Ory Webhook Trigger output into Zoho CRM', () => {
	test('the trigger output nests values that share names with Zoho concepts (the trap this guards)', () => {
		const output = triggerOutput(FULL_CONTEXT);
		expect(output.identity).toMatchObject({ state: 'active' });
		expect(output.flow).toMatchObject({ state: 'choose_method' });
		expect(output.transientPayload).toEqual({ newsletter: true, source: 'pricing-page' });
	});

	test.each(BODIES)('from %s, Contacts gets exactly Email, First_Name and Last_Name', (_shape, body) => {
		const result = mapContact({ itemIndex: 0, schema: ZOHO_CONTACTS, input: triggerOutput(body) });
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({ Email: 'ada.lovelace@example.com', First_Name: 'Ada', Last_Name: 'Lovelace' });
	});

	test.each(BODIES)('from %s, Leads gets exactly Email, First_Name and Last_Name', (_shape, body) => {
		const result = mapContact({ itemIndex: 0, schema: ZOHO_LEADS, input: triggerOutput(body) });
		expect(result.problems).toEqual([]);
		expect(result.fields).toEqual({ Email: 'ada.lovelace@example.com', First_Name: 'Ada', Last_Name: 'Lovelace' });
	});

	test('the values come from the top-level keys the trigger extracted', () => {
		expect(findAutoMappedValues(triggerOutput(FULL_CONTEXT), ZOHO_CONTACTS).map((mapped) => mapped.sourcePath)).toEqual([
			'email',
			'firstName',
			'lastName',
		]);
	});

	test('without top-level names, the traits are read at their documented paths and still nothing else', () => {
		const { email: _email, firstName: _first, lastName: _last, ...rest } = triggerOutput(FULL_CONTEXT);
		expect(findAutoMappedValues(rest, ZOHO_CONTACTS)).toEqual([
			{ field: 'Email', value: 'Ada.Lovelace@Example.com', sourcePath: 'traits.email' },
			{ field: 'First_Name', value: 'Ada', sourcePath: 'traits.name.first' },
			{ field: 'Last_Name', value: 'Lovelace', sourcePath: 'traits.name.last' },
		]);
	});
});
