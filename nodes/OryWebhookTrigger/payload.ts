/**
 * What Ory Actions send, turned into one flat item. Pure functions: no n8n, no I/O.
 *
 * A `web_hook` body is whatever the configured Jsonnet template returns, so the shapes vary.
 * Accepted here:
 *   - the Ory Zoho integration's `{identity: {id, traits}}` (optionally with `event`, `flow`);
 *   - `{ctx: {...}}`, from a template that returns `{ctx: ctx}`;
 *   - the full context, from `function(ctx) ctx`: `identity`, `flow`, `request_headers`,
 *     `request_method`, `request_url`, `request_cookies`, `session`;
 *   - a bare identity, from `function(ctx) ctx.identity`: `{id, traits, ...}`.
 */
import type { IDataObject } from 'n8n-workflow';

import { CONCEPT_ALIASES, normaliseFieldName, splitFullName } from '../shared/fieldMapping';
import { isObject } from '../shared/objects';

const ORY_EVENTS = ['registration', 'settings', 'login', 'recovery', 'verification'] as const;
export type OryEvent = (typeof ORY_EVENTS)[number];
/** An event the payload does not name. */
const UNKNOWN_EVENT = 'unknown';
type DetectedEvent = OryEvent | typeof UNKNOWN_EVENT;

export type PayloadShape = 'identity' | 'ctx' | 'context' | 'bareIdentity' | 'flowOnly';

export interface OryPayload {
	shape: PayloadShape;
	event: DetectedEvent;
	identity: IDataObject | null;
	traits: IDataObject | null;
	flow: IDataObject | null;
	transientPayload: IDataObject | null;
	/** The body as received, unknown keys included. */
	body: IDataObject;
}

type NormalizeResult = { ok: true; payload: OryPayload } | { ok: false; message: string };

function objectOrNull(value: unknown): IDataObject | null {
	return isObject(value) ? value : null;
}

/**
 * Finds the identity, flow and event in any accepted shape. Fails (for a 400) when the body is
 * not an object or carries neither an identity nor a flow: then the Jsonnet template is not
 * the one this node expects and nothing useful could reach the workflow.
 */
export function normalizeOryPayload(body: unknown, hints: { queryEvent?: unknown } = {}): NormalizeResult {
	if (!isObject(body)) return { ok: false, message: 'The body must be a JSON object' };

	let root: IDataObject = body;
	let shape: PayloadShape;
	if (isObject(body.ctx)) {
		root = body.ctx;
		shape = 'ctx';
	} else if (isObject(body.identity)) {
		shape = isContext(body) ? 'context' : 'identity';
	} else if (isObject(body.traits)) {
		shape = 'bareIdentity';
	} else {
		shape = 'flowOnly';
	}

	const identity = shape === 'bareIdentity' ? root : objectOrNull(root.identity);
	const flow = objectOrNull(root.flow);
	if (identity === null && flow === null) {
		return {
			ok: false,
			message:
				'The body carries neither an identity nor a flow: set the Jsonnet body template shipped with this node (templates/ory/) in the Ory webhook',
		};
	}
	if (identity === null) shape = 'flowOnly';

	const transientPayload =
		objectOrNull(body.transient_payload) ?? objectOrNull(root.transient_payload) ?? objectOrNull(flow?.transient_payload);
	return {
		ok: true,
		payload: {
			shape,
			event: detectEvent(body, root, flow, hints.queryEvent),
			identity,
			traits: objectOrNull(identity?.traits),
			flow,
			transientPayload,
			body,
		},
	};
}

function isContext(body: IDataObject): boolean {
	return ['flow', 'request_headers', 'request_url', 'request_method', 'request_cookies', 'session'].some(
		(key) => body[key] !== undefined,
	);
}

/**
 * The flow the hook ran in, best evidence first: an `event` named in the body (the shipped
 * Jsonnet fills it in), an `?event=` in the webhook URL, then the flow's own URLs, whose path
 * names the flow (`/self-service/registration/browser`, `/self-service/settings?flow=…`).
 */
export function detectEvent(
	body: IDataObject,
	root: IDataObject = body,
	flow: IDataObject | null = objectOrNull(root.flow),
	queryEvent?: unknown,
): DetectedEvent {
	const named = eventFromName(body.event) ?? eventFromName(root.event) ?? eventFromName(queryEvent);
	if (named !== undefined) return named;
	const ui = objectOrNull(flow?.ui);
	for (const url of [flow?.request_url, ui?.action, root.request_url]) {
		const fromUrl = eventFromUrl(url);
		if (fromUrl !== undefined) return fromUrl;
	}
	return UNKNOWN_EVENT;
}

const EVENT_WORDS = ORY_EVENTS.map((event) => ({ event, pattern: new RegExp(`(^|[^a-z])${event}([^a-z]|$)`) }));

/** 'registration', 'Registration', 'registration.after', 'after_settings' → the flow named. */
export function eventFromName(value: unknown): OryEvent | undefined {
	if (typeof value !== 'string') return undefined;
	const lower = value.trim().toLowerCase();
	return EVENT_WORDS.find(({ pattern }) => pattern.test(lower))?.event;
}

function eventFromUrl(value: unknown): OryEvent | undefined {
	if (typeof value !== 'string') return undefined;
	const match = /\/self-service\/([a-z]+)/i.exec(value);
	return match ? eventFromName(match[1]) : undefined;
}

// ---------------------------------------------------------------------------
// Email and names

function text(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const trimmed = value.trim();
	return trimmed === '' ? null : trimmed;
}

function firstText(...values: unknown[]): string | null {
	for (const value of values) {
		const found = text(value);
		if (found !== null) return found;
	}
	return null;
}

/**
 * The first alias of CONCEPT_ALIASES (best first) naming a non-blank string in `traits`, read
 * the way auto-mapping reads an item: a plain alias is a key, a dotted one a path of keys
 * (`name.first`), every step compared after normaliseFieldName.
 */
function traitByAlias(traits: IDataObject, aliases: readonly string[]): string | null {
	for (const alias of aliases) {
		let current: unknown = traits;
		for (const step of alias.split('.').map(normaliseFieldName)) {
			if (!isObject(current)) {
				current = undefined;
				break;
			}
			const key = Object.keys(current).find((candidate) => normaliseFieldName(candidate) === step);
			current = key === undefined ? undefined : current[key];
		}
		const found = text(current);
		if (found !== null) return found;
	}
	return null;
}

/**
 * The trait auto-mapping would take as the email (CONCEPT_ALIASES.email: `email`, `mail`, …),
 * else the first string of `traits.emails`, else the identity's first email verifiable (then
 * recovery) address: schemas that name the trait otherwise still yield one.
 */
export function extractEmail(identity: IDataObject | null): string | null {
	if (identity === null) return null;
	const traits = objectOrNull(identity.traits);
	const emails = Array.isArray(traits?.emails) ? (traits.emails as unknown[]) : [];
	const fromTraits = traits === null ? null : traitByAlias(traits, CONCEPT_ALIASES.email);
	return fromTraits ?? firstText(...emails) ?? addressOf(identity.verifiable_addresses) ?? addressOf(identity.recovery_addresses);
}

function addressOf(addresses: unknown): string | null {
	if (!Array.isArray(addresses)) return null;
	for (const address of addresses) {
		if (isObject(address) && (address.via === undefined || address.via === 'email')) {
			const value = text(address.value);
			if (value !== null) return value;
		}
	}
	return null;
}

/**
 * First and last name under the names auto-mapping knows (CONCEPT_ALIASES.firstName /
 * lastName: `firstName`, `first_name`, `given_name` (OIDC), `name.first` (Ory's preset
 * schema), `name.given`, …), else one full-name string (CONCEPT_ALIASES.fullName) split at
 * its last space ('Ada King Lovelace' → 'Ada King' + 'Lovelace'). Missing parts are null.
 */
export function extractNames(traits: IDataObject | null): { firstName: string | null; lastName: string | null } {
	if (traits === null) return { firstName: null, lastName: null };
	let firstName = traitByAlias(traits, CONCEPT_ALIASES.firstName);
	let lastName = traitByAlias(traits, CONCEPT_ALIASES.lastName);
	const fullName = traitByAlias(traits, CONCEPT_ALIASES.fullName);
	if (fullName !== null && (firstName === null || lastName === null)) {
		const parts = splitFullName(fullName);
		firstName ??= parts.firstName ?? null;
		lastName ??= parts.lastName;
	}
	return { firstName, lastName };
}

// ---------------------------------------------------------------------------
// The output item

interface DeliveryIds {
	requestId: string | null;
	triggerId: string | null;
}

/**
 * The one item the trigger emits for a delivery. Every key is always present (null when
 * absent); `body` is the JSON body exactly as received, so keys a Jsonnet template adds
 * (`tenant`, UTM fields, …) reach the workflow.
 */
export function buildOutputItem(payload: OryPayload, ids: DeliveryIds): IDataObject {
	const { firstName, lastName } = extractNames(payload.traits);
	return {
		event: payload.event,
		identityId: text(payload.identity?.id),
		email: extractEmail(payload.identity),
		firstName,
		lastName,
		traits: payload.traits,
		identity: payload.identity,
		flow: payload.flow,
		transientPayload: payload.transientPayload,
		requestId: ids.requestId,
		triggerId: ids.triggerId,
		body: payload.body,
	};
}
