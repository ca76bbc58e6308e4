/**
 * A local HTTP double of Zoho CRM: the accounts token endpoint and the CRM API (upsert, field
 * metadata, current user), for jest specs and the benchmark.
 *
 * It reproduces the contract in /work/shared/reference/external-apis.md, ugly parts included:
 * token failures answered with HTTP 200, throttling with HTTP 400, tokens bound to one data
 * centre, per-record errors inside a 2xx batch, silent truncation of long emails, unknown fields
 * silently dropped, concurrency refusals. Where the public record is silent the choice is written
 * next to the code as "Choice:". A double kinder than Zoho makes tests lie, so when unsure it is
 * the stricter one.
 *
 * Layout: every data centre ("region") is a path prefix on one 127.0.0.1 server.
 *   token:  POST {baseUrl}/accounts/{dc}/oauth/v2/token
 *   API:         {baseUrl}/api/{region}/crm/v{2..8}/...
 * An API region is a data centre ('us', the production host www.zohoapis.com) or one of its other
 * environments ('sandbox.us' = sandbox.zohoapis.com, 'developer.us' = developer.zohoapis.com):
 * `apiUrl('us', 'sandbox')`. Each region keeps its own records (`records(module, 'sandbox.us')`)
 * and its own counters (`countersFor('sandbox.us')`). A token minted at accounts/{dc} is valid in
 * every environment of that data centre, and the token response's api_domain is always the
 * production host `apiUrl(dc)`, also for a client that only uses the sandbox, as Zoho's is.
 *
 * API for specs (everything else is in the members' comments):
 *   start() / stop() / baseUrl, accountsUrl(dc), apiUrl(dc, environment?)
 *   records(module, region?), seedRecords(module, records, region?)
 *   counters (all regions), countersFor(region), resetCounters(), requests, tokenRequestLog
 *   injectFault(fault)        any request kind, all regions: status / dropConnection / tokenError
 *   injectUpsertFault(region, { kind, times? })   the next `times` (default 1) authenticated upsert
 *     calls to that API region, in injection order:
 *       'applyThenDrop'     records are stored, then the socket is destroyed without an answer
 *       'applyThenError500' records are stored, then 500 INTERNAL_ERROR is answered
 *       'hang'              the request is read and never answered: it holds a concurrency slot
 *                           until the client gives up (closes the socket) or stop() is called
 *       'error500'          500 INTERNAL_ERROR, nothing stored
 *       'error429'          429 TOO_MANY_REQUESTS (with Retry-After when configured), nothing stored
 *   clearFaults()             forgets both queues
 *   expireAccessTokens(), revokeRefreshToken(t), mintAccessToken(dc?), setLatency(ms)
 *
 * Upsert answers: one `data[]` entry per record, in order; HTTP 200 when all succeeded, 207 when
 * mixed, and HTTP 400 with the per-record error entries when every record failed, as Zoho does
 * (`batchStatus` overrides each, e.g. `allFailed: 207` for the 2xx-with-only-errors variant). A
 * record without a value in any duplicate-check field is inserted as a new record every time.
 *
 * Dependency-free on purpose (node:http, node:crypto only) so a plain node benchmark can load it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface ZohoClientConfig {
	clientId: string;
	clientSecret: string;
	refreshTokens: string[];
	/** When set, the client exists only in this data centre: its other accounts hosts answer
	 * invalid_client, as a real client registered in one DC does. Default: known everywhere. */
	region?: string;
}

/** HTTP statuses of an upsert batch. Zoho's real choice is unknown (see external-apis.md). */
export interface ZohoBatchStatus {
	/** Every record succeeded. Default 200. */
	allSucceeded?: number;
	/** Some succeeded, some failed. Default 207 (a bug report shows 207 for partial failure). */
	mixed?: number;
	/** Every record failed. Default 400 with the per-record entries in `data[]`, as the real API
	 * answers a batch whose every record fails (zoho/crm-oas upsertRecords examples). Set 207 to
	 * test the "2xx carrying only errors" variant. */
	allFailed?: number;
}

export interface ZohoDoubleOptions {
	/** Default: one client 'test-client' / 'test-secret' with refresh token 'test-refresh'. */
	clients?: ZohoClientConfig[];
	/** expires_in of minted access tokens, in seconds. Default 3600. */
	tokenLifetimeSeconds?: number;
	/** Token requests allowed per refresh token in a sliding window. Default 10 per 600000 ms. */
	refreshLimit?: { max: number; windowMs: number };
	/** Org API concurrency; calls beyond it get 429 TOO_MANY_REQUESTS. Default 10. */
	maxConcurrentCalls?: number;
	/** Added to every API (not token) call while it counts as in flight. Default 0. */
	latencyMs?: number;
	/** When set, every 429 carries `Retry-After: <seconds>`. Default: no header. */
	retryAfterSeconds?: number;
	batchStatus?: ZohoBatchStatus;
}

export interface ZohoCounters {
	/** Every request to a token endpoint. */
	tokenRequests: number;
	/** Token requests answered with an access token. */
	refreshes: number;
	/** Token requests answered without an access token (errors, throttling, faults, drops). */
	tokenFailures: number;
	/** Every request under /api/, refused ones included. */
	apiCalls: number;
	/** Upsert calls that passed concurrency, faults and auth and named a known module. */
	upsertCalls: number;
	/** Records in the `data` arrays the upsert handler processed record by record. */
	recordsReceived: number;
	/** Every 429 answered (concurrency refusals and injected 429s). */
	rateLimited: number;
	/** Peak number of API calls in flight, counting the arriving call, so a call refused for
	 * concurrency raises it above maxConcurrentCalls: a client that respects the limit keeps it
	 * at or below the limit. */
	maxConcurrentSeen: number;
	/** Every 401 answered by the API. */
	unauthorized: number;
}

/** What one API region (a data centre's production, sandbox or developer host) received. */
export interface ZohoRegionCounters {
	/** Every request under /api/{region}/, refused ones included. */
	apiCalls: number;
	/** Upsert calls that passed concurrency, faults and auth and named a known module. */
	upsertCalls: number;
	/** Records in the `data` arrays the upsert handler processed record by record. */
	recordsReceived: number;
	/** Every 401 answered by this region. */
	unauthorized: number;
}

export type ZohoEnvironment = 'production' | 'sandbox' | 'developer';

/** A fault for the next authenticated upsert calls to one API region (see the header). */
export interface ZohoUpsertFault {
	kind: 'applyThenDrop' | 'applyThenError500' | 'hang' | 'error500' | 'error429';
	/** How many upsert calls it hits. Default 1. */
	times?: number;
}

export interface ZohoRecord {
	id: string;
	Created_Time: string;
	Modified_Time: string;
	[field: string]: unknown;
}

export type ZohoModule = 'Contacts' | 'Leads';

/** Which requests a fault applies to. 'any' is every request, token endpoint included. */
export type ZohoFaultPath = 'token' | 'upsert' | 'fields' | 'users' | 'any';

export type ZohoFault =
	| {
			kind: 'status';
			status: number;
			/** Object → JSON; string → sent raw as text/html (what a gateway answers). Default:
			 * a Zoho-shaped body for the status. */
			body?: unknown;
			headers?: Record<string, string>;
			times?: number;
			/** Default 'upsert'. */
			path?: ZohoFaultPath;
	  }
	| { kind: 'dropConnection'; times?: number; /** Default 'upsert'. */ path?: ZohoFaultPath }
	| { kind: 'tokenError'; error: 'invalid_client' | 'invalid_code' | 'Access Denied'; times?: number };

export interface ZohoRequestLogEntry {
	method: string;
	/** Path with query string, e.g. '/api/us/crm/v8/Contacts/upsert'. */
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
	body: unknown;
	region: string;
	/** HTTP status answered; undefined while in flight or when the connection was dropped. */
	status?: number;
}

export interface ZohoTokenRequestLogEntry {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** Query-string and form-body parameters merged (body wins). */
	params: Record<string, string>;
	/** Where the parameters came from. */
	paramsIn: 'query' | 'body' | 'both' | 'none';
	region: string;
	status?: number;
}

/** A Zoho request-level error body: `{code, details, message, status: 'error'}`. */
export function zohoError(code: string, message: string, details: Record<string, unknown> = {}) {
	return { code, details, message, status: 'error' };
}

// ---------------------------------------------------------------------------------------------
// Contract constants
// ---------------------------------------------------------------------------------------------

const MAX_RECORDS_PER_UPSERT = 100;
const MAX_LIVE_TOKENS_PER_REFRESH_TOKEN = 10;
const EMAIL_STORED_LENGTH = 100;
const REQUEST_LOG_LIMIT = 1000;
const MIN_API_VERSION = 2;
const MAX_API_VERSION = 8;
const TOKEN_SCOPE = 'ZohoCRM.modules.ALL ZohoCRM.settings.fields.READ';
const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';
const DEFAULT_REGION = 'us';
const MODULES: readonly ZohoModule[] = ['Contacts', 'Leads'];
const TRIGGERS = ['workflow', 'approval', 'blueprint'];

const INVALID_TOKEN = zohoError('INVALID_TOKEN', 'invalid oauth token');
const INTERNAL_ERROR = zohoError('INTERNAL_ERROR', 'Internal Server Error');
const AUTHENTICATION_FAILURE = zohoError('AUTHENTICATION_FAILURE', 'Authentication failed');
const INVALID_URL_PATTERN = zohoError(
	'INVALID_URL_PATTERN',
	'Please check if the URL trying to access is a correct one',
);
const TOO_MANY_REQUESTS = zohoError(
	'TOO_MANY_REQUESTS',
	'The number of concurrent requests has exceeded the limit',
);
const ACCESS_DENIED = {
	error: 'Access Denied',
	error_description: 'You have made too many requests continuously. Please try again after some time.',
};

/** The user every call runs as; Created_By / Modified_By and the users endpoint report it. */
const CURRENT_USER = {
	id: '5725767000000411001',
	full_name: 'Double Admin',
	first_name: 'Double',
	last_name: 'Admin',
	email: 'admin@zoho-double.test',
	status: 'active',
	role: { name: 'CEO', id: '5725767000000026005' },
	profile: { name: 'Administrator', id: '5725767000000026011' },
};
const RECORD_OWNER = { name: CURRENT_USER.full_name, id: CURRENT_USER.id };

// ---------------------------------------------------------------------------------------------
// Field metadata (what GET settings/fields answers and what upsert validates against)
// ---------------------------------------------------------------------------------------------

type FieldDataType =
	| 'text'
	| 'textarea'
	| 'email'
	| 'phone'
	| 'picklist'
	| 'date'
	| 'datetime'
	| 'boolean'
	| 'lookup';

interface FieldDefinition {
	id: string;
	api_name: string;
	field_label: string;
	data_type: FieldDataType;
	system_mandatory: boolean;
	length: number;
	read_only: boolean;
	custom_field: boolean;
	pick_list_values?: Array<{ display_value: string; actual_value: string }>;
	lookup?: { module: { api_name: string } };
}

const LEAD_SOURCES = [
	'-None-',
	'Advertisement',
	'Cold Call',
	'Employee Referral',
	'External Referral',
	'Online Store',
	'Partner',
	'Public Relations',
	'Trade Show',
	'Web Download',
	'Web Research',
	'Chat',
];
const CUSTOMER_TIERS = ['-None-', 'Bronze', 'Silver', 'Gold', 'Platinum'];

function picklist(values: string[]) {
	return values.map((value) => ({ display_value: value, actual_value: value }));
}

function defineFields(module: ZohoModule): FieldDefinition[] {
	let sequence = 0;
	const field = (
		api_name: string,
		data_type: FieldDataType,
		length: number,
		extra: Partial<FieldDefinition> = {},
	): FieldDefinition => ({
		id: `57257670000000${module === 'Contacts' ? '1' : '2'}${String(++sequence).padStart(4, '0')}`,
		api_name,
		field_label: api_name.replace(/_/g, ' '),
		data_type,
		system_mandatory: false,
		length,
		read_only: false,
		custom_field: false,
		...extra,
	});
	const address =
		module === 'Contacts'
			? [
					field('Mailing_Street', 'text', 250),
					field('Mailing_City', 'text', 100),
					field('Mailing_State', 'text', 100),
					field('Mailing_Zip', 'text', 30),
					field('Mailing_Country', 'text', 100),
				]
			: [
					field('Street', 'text', 250),
					field('City', 'text', 100),
					field('State', 'text', 100),
					field('Zip_Code', 'text', 30),
					field('Country', 'text', 100),
				];
	const organisation =
		module === 'Contacts'
			? [
					field('Account_Name', 'lookup', 120, {
						field_label: 'Account Name',
						lookup: { module: { api_name: 'Accounts' } },
					}),
					field('Date_of_Birth', 'date', 20, { field_label: 'Date of Birth' }),
				]
			: [field('Company', 'text', 200)];
	return [
		field('Email', 'email', EMAIL_STORED_LENGTH),
		field('Secondary_Email', 'email', EMAIL_STORED_LENGTH, { field_label: 'Secondary Email' }),
		field('First_Name', 'text', 40, { field_label: 'First Name' }),
		field('Last_Name', 'text', 80, { field_label: 'Last Name', system_mandatory: true }),
		field('Phone', 'phone', 30),
		field('Mobile', 'phone', 30),
		...organisation,
		field('Title', 'text', 100),
		field('Lead_Source', 'picklist', 120, {
			field_label: 'Lead Source',
			pick_list_values: picklist(LEAD_SOURCES),
		}),
		...address,
		field('Description', 'textarea', 32000),
		field('Customer_Tier', 'picklist', 120, {
			field_label: 'Customer Tier',
			custom_field: true,
			pick_list_values: picklist(CUSTOMER_TIERS),
		}),
		field('Newsletter_Opt_In', 'boolean', 5, { field_label: 'Newsletter Opt In', custom_field: true }),
		field('Created_Time', 'datetime', 120, { field_label: 'Created Time', read_only: true }),
		field('Modified_Time', 'datetime', 120, { field_label: 'Modified Time', read_only: true }),
	];
}

const FIELDS: Record<ZohoModule, FieldDefinition[]> = {
	Contacts: defineFields('Contacts'),
	Leads: defineFields('Leads'),
};

function findField(module: ZohoModule, apiName: string): FieldDefinition | undefined {
	return FIELDS[module].find((field) => field.api_name === apiName);
}

// ---------------------------------------------------------------------------------------------
// Value validation
// ---------------------------------------------------------------------------------------------

// Choice: Zoho's exact email grammar is undocumented; this accepts the ordinary addresses and
// refuses spaces, a missing '@' and a domain without a dot.
const EMAIL_PATTERN = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
// Zoho refuses phone values with letters (n8n issue #8508 shows expected_data_type "phone").
const PHONE_PATTERN = /^\+?[0-9()\-.\s]*[0-9][0-9()\-.\s]*$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

type ValueCheck = { value: unknown } | { details: Record<string, unknown> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCalendarDate(text: string): boolean {
	const match = DATE_PATTERN.exec(text);
	if (!match) return false;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A string-typed value: strings as they are, finite numbers as text, anything else refused. */
function asText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** Checks one incoming field value and returns what Zoho would store. */
function checkFieldValue(field: FieldDefinition, value: unknown): ValueCheck {
	const invalidType: ValueCheck = { details: { expected_data_type: field.data_type } };
	// Choice: null and '' clear a field (the mandatory Last_Name is checked before this).
	if (value === null || value === '') return { value: null };
	switch (field.data_type) {
		case 'email': {
			if (typeof value !== 'string' || !EMAIL_PATTERN.test(value)) return invalidType;
			// Zoho silently truncates, which is what defeats duplicate detection on long emails.
			return { value: value.slice(0, EMAIL_STORED_LENGTH) };
		}
		case 'boolean':
			return typeof value === 'boolean' ? { value } : invalidType;
		case 'date':
			return typeof value === 'string' && isCalendarDate(value) ? { value } : invalidType;
		case 'lookup':
			return checkLookupValue(value, invalidType);
		case 'datetime':
			return { value };
		default: {
			const text = asText(value);
			if (text === undefined) return invalidType;
			if (field.data_type === 'phone' && !PHONE_PATTERN.test(text)) return invalidType;
			if (text.length > field.length) return { details: { maximum_length: field.length } };
			return { value: text };
		}
	}
}

function checkLookupValue(value: unknown, invalidType: ValueCheck): ValueCheck {
	if (typeof value === 'string') return { value: { name: value } };
	if (!isPlainObject(value)) return invalidType;
	const id = asText(value.id);
	const name = typeof value.name === 'string' ? value.name : undefined;
	if (id !== undefined && !/^\d+$/.test(id)) return invalidType;
	if (id === undefined && name === undefined) return invalidType;
	return { value: { ...(name !== undefined && { name }), ...(id !== undefined && { id }) } };
}

/** How duplicate detection compares values: emails case-insensitively, the rest exactly. */
function addToIndex(index: Map<string, ZohoRecord[]>, field: FieldDefinition, record: ZohoRecord): void {
	const key = comparableValue(field, record[field.api_name]);
	if (key === undefined) return;
	const bucket = index.get(key);
	if (!bucket) index.set(key, [record]);
	else if (!bucket.includes(record)) bucket.push(record);
}

function comparableValue(field: FieldDefinition, value: unknown): string | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	if (field.data_type === 'email' && typeof value === 'string') return value.toLowerCase();
	return typeof value === 'string' ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** Zoho's timestamp format: ISO 8601 to the second with an offset, e.g. 2024-05-01T10:20:30+00:00. */
function zohoTimestamp(date: Date = new Date()): string {
	return `${date.toISOString().slice(0, 19)}+00:00`;
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function parseForLog(raw: string): unknown {
	if (raw === '') return undefined;
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

function defaultFaultBody(status: number, path: 'token' | 'api'): unknown {
	// Gateways in front of Zoho answer 502/503/504 with HTML, not JSON.
	if (status >= 501) {
		return `<html><head><title>${status}</title></head><body><h1>${status} Service Unavailable</h1></body></html>`;
	}
	if (path === 'token') {
		if (status === 400) return ACCESS_DENIED;
		return { error: status >= 500 ? 'server_error' : 'invalid_request' };
	}
	switch (status) {
		case 401:
			return INVALID_TOKEN;
		case 403:
			return zohoError('NO_PERMISSION', 'permission denied');
		case 404:
			return INVALID_URL_PATTERN;
		case 412:
			return zohoError('ALREADY_MODIFIED', 'the record has been modified since the given time');
		case 429:
			return TOO_MANY_REQUESTS;
		case 500:
			return INTERNAL_ERROR;
		default:
			return zohoError('INVALID_DATA', 'invalid data');
	}
}

function faultMatches(fault: ZohoFault, kind: RequestKind): boolean {
	if (fault.kind === 'tokenError') return kind === 'token';
	const path = fault.path ?? 'upsert';
	return path === 'any' || path === kind;
}

type RequestKind = 'token' | 'upsert' | 'fields' | 'users' | 'other';

type ApiRoute =
	| { name: 'upsert'; moduleName: string }
	| { name: 'fields' }
	| { name: 'users' }
	| { name: 'notFound' };

function matchApiRoute(pathname: string): ApiRoute {
	const match = /^\/crm\/v(\d+)\/(.+)$/.exec(pathname);
	if (!match) return { name: 'notFound' };
	const version = Number(match[1]);
	if (version < MIN_API_VERSION || version > MAX_API_VERSION) return { name: 'notFound' };
	const resource = match[2];
	if (resource === 'settings/fields') return { name: 'fields' };
	if (resource === 'users') return { name: 'users' };
	const upsert = /^([^/]+)\/upsert$/.exec(resource);
	// Module names in the path are case-insensitive: n8n's built-in Zoho node calls /contacts/upsert.
	if (upsert) return { name: 'upsert', moduleName: canonicalModule(decodeURIComponent(upsert[1])) };
	return { name: 'notFound' };
}

function routeKind(route: ApiRoute): RequestKind {
	return route.name === 'notFound' ? 'other' : route.name;
}

function canonicalModule(name: string): string {
	return (MODULES as readonly string[]).find((m) => m.toLowerCase() === name.toLowerCase()) ?? name;
}

function isModule(name: string): name is ZohoModule {
	return (MODULES as readonly string[]).includes(name);
}

interface AccessToken {
	refreshToken: string;
	region: string;
	expiresAt: number;
	invalidated: boolean;
}

interface PendingDelay {
	timer: ReturnType<typeof setTimeout>;
	resolve: () => void;
}

type PendingFault = ZohoFault & { remaining: number };
type PendingUpsertFault = ZohoUpsertFault & { remaining: number };

const ENVIRONMENT_PREFIXES: Record<ZohoEnvironment, string> = { production: '', sandbox: 'sandbox.', developer: 'developer.' };

/** The data centre of an API region: 'sandbox.us' → 'us'. */
function dataCentreOf(region: string): string {
	return region.replace(/^(sandbox|developer)\./, '');
}

export interface Answer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/** A record change the double made (upsert, createRecords, updateRecord, deleteRecords). */
export interface ZohoRecordChange {
	region: string;
	module: ZohoModule;
	operation: 'insert' | 'update' | 'delete';
	ids: string[];
	/** Per id, the API names of the fields the change wrote (updates). */
	affectedFields: Record<string, string[]>;
}

/**
 * More API resources, answered after the double's own checks (concurrency, faults) and Zoho's
 * authentication (test/doubles/zohoNotifications.ts adds actions/watch and record reads).
 */
export interface ZohoApiExtension {
	/** Whether this extension answers `resource` (the path after /crm/v{n}/, e.g. 'actions/watch', 'Contacts'). */
	handles(resource: string): boolean;
	answer(request: { method: string; url: URL; region: string; resource: string; raw: string }): Answer;
}

function emptyRegionCounters(): ZohoRegionCounters {
	return { apiCalls: 0, upsertCalls: 0, recordsReceived: 0, unauthorized: 0 };
}

function emptyCounters(): ZohoCounters {
	return {
		tokenRequests: 0,
		refreshes: 0,
		tokenFailures: 0,
		apiCalls: 0,
		upsertCalls: 0,
		recordsReceived: 0,
		rateLimited: 0,
		maxConcurrentSeen: 0,
		unauthorized: 0,
	};
}

// ---------------------------------------------------------------------------------------------
// The double
// ---------------------------------------------------------------------------------------------

export class ZohoDouble {
	counters: ZohoCounters = emptyCounters();
	/** API calls, oldest first, the last 1000 kept. Token calls are in tokenRequestLog. */
	requests: ZohoRequestLogEntry[] = [];
	/** Token endpoint calls, oldest first, the last 1000 kept. */
	tokenRequestLog: ZohoTokenRequestLogEntry[] = [];

	private readonly clients: ZohoClientConfig[];
	private readonly tokenLifetimeSeconds: number;
	private readonly refreshLimit: { max: number; windowMs: number };
	private readonly maxConcurrentCalls: number;
	private readonly retryAfterSeconds: number | undefined;
	private readonly batchStatus: Required<ZohoBatchStatus>;
	private latencyMs: number;

	private server: Server | undefined;
	private url: string | undefined;
	private inFlight = 0;
	private faults: PendingFault[] = [];
	private upsertFaults = new Map<string, PendingUpsertFault[]>();
	private regionCounters = new Map<string, ZohoRegionCounters>();
	private readonly pendingDelays = new Set<PendingDelay>();
	/** Calls answered 'hang': released (unanswered) by stop(). */
	private readonly hanging = new Set<() => void>();
	private readonly accessTokens = new Map<string, AccessToken>();
	private readonly tokensByRefreshToken = new Map<string, string[]>();
	private readonly tokenAttempts = new Map<string, number[]>();
	private readonly revokedRefreshTokens = new Set<string>();
	private readonly store = new Map<string, ZohoRecord[]>();
	/** Duplicate-detection indexes per region/module and field, kept up to date on every write,
	 * so a 10,000-record benchmark measures the node, not a quadratic scan in the double. */
	private readonly indexes = new Map<string, Map<string, ZohoRecord[]>>();
	private readonly idPrefix = String(randomInt(1_000_000, 10_000_000));
	private readonly apiExtensions: ZohoApiExtension[] = [];
	private readonly changeListeners: Array<(change: ZohoRecordChange) => void> = [];
	private idSequence = 0;

	constructor(options: ZohoDoubleOptions = {}) {
		this.clients = options.clients ?? [
			{ clientId: 'test-client', clientSecret: 'test-secret', refreshTokens: ['test-refresh'] },
		];
		this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
		this.refreshLimit = options.refreshLimit ?? { max: 10, windowMs: 600_000 };
		this.maxConcurrentCalls = options.maxConcurrentCalls ?? 10;
		this.latencyMs = options.latencyMs ?? 0;
		this.retryAfterSeconds = options.retryAfterSeconds;
		this.batchStatus = {
			allSucceeded: options.batchStatus?.allSucceeded ?? 200,
			mixed: options.batchStatus?.mixed ?? 207,
			allFailed: options.batchStatus?.allFailed ?? 400,
		};
	}

	/** Listens on 127.0.0.1 (port 0 = any free port) and returns the base URL. */
	async start(port = 0): Promise<string> {
		if (this.server) throw new Error('ZohoDouble is already started');
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				// A bug in the double must not look like a Zoho answer a node could accept.
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'content-type': 'text/plain' });
					res.end(`zoho double failure: ${String(error)}`);
				}
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return this.url;
	}

	/** Closes the server and every open connection; calls waiting on latency are abandoned. */
	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		for (const pending of this.pendingDelays) {
			clearTimeout(pending.timer);
			pending.resolve();
		}
		this.pendingDelays.clear();
		for (const release of this.hanging) release();
		this.hanging.clear();
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	}

	get baseUrl(): string {
		if (!this.url) throw new Error('ZohoDouble is not started');
		return this.url;
	}

	/** The accounts "host" of a data centre; the token endpoint is `${accountsUrl}/oauth/v2/token`. */
	accountsUrl(region: string = DEFAULT_REGION): string {
		return `${this.baseUrl}/accounts/${region}`;
	}

	/**
	 * The API "host" of a data centre in an environment. The production host is what the token
	 * response's api_domain reports; `apiUrl('us', 'sandbox')` is the region 'sandbox.us'.
	 */
	apiUrl(region: string = DEFAULT_REGION, environment: ZohoEnvironment = 'production'): string {
		return `${this.baseUrl}/api/${ENVIRONMENT_PREFIXES[environment]}${region}`;
	}

	resetCounters(): void {
		this.counters = emptyCounters();
		this.regionCounters.clear();
	}

	/** A copy of what one API region ('us', 'sandbox.us', …) received since the last reset. */
	countersFor(region: string = DEFAULT_REGION): ZohoRegionCounters {
		return { ...(this.regionCounters.get(region) ?? emptyRegionCounters()) };
	}

	/** Copies of the stored records of a module in a data centre, in insertion order. */
	records(module: ZohoModule, region: string = DEFAULT_REGION): ZohoRecord[] {
		return structuredClone(this.recordsOf(region, module));
	}

	/**
	 * Stores records as they are, without validation (so a spec can create the duplicates Zoho
	 * itself lets in, e.g. through imports). Missing id / Created_Time / Modified_Time are filled.
	 */
	seedRecords(
		module: ZohoModule,
		records: Array<Record<string, unknown>>,
		region: string = DEFAULT_REGION,
	): ZohoRecord[] {
		const now = zohoTimestamp();
		const seeded = records.map(
			(fields): ZohoRecord => ({
				...fields,
				id: typeof fields.id === 'string' ? fields.id : this.nextId(),
				Created_Time: typeof fields.Created_Time === 'string' ? fields.Created_Time : now,
				Modified_Time: typeof fields.Modified_Time === 'string' ? fields.Modified_Time : now,
			}),
		);
		this.recordsOf(region, module).push(...seeded);
		this.indexes.clear();
		return structuredClone(seeded);
	}

	/** Queues a fault; faults are consumed in order, each by the first request it matches. */
	injectFault(fault: ZohoFault): void {
		this.faults.push({ ...fault, remaining: fault.times ?? 1 });
	}

	/** Queues a fault for the next authenticated upsert calls to one API region (see the header). */
	injectUpsertFault(region: string, fault: ZohoUpsertFault): void {
		const queue = this.upsertFaults.get(region) ?? [];
		queue.push({ ...fault, remaining: fault.times ?? 1 });
		this.upsertFaults.set(region, queue);
	}

	clearFaults(): void {
		this.faults = [];
		this.upsertFaults.clear();
	}

	/** Every access token issued so far becomes invalid (→ 401 INVALID_TOKEN). */
	expireAccessTokens(): void {
		for (const token of this.accessTokens.values()) token.invalidated = true;
	}

	/** Later token requests with this refresh token answer 200 {"error":"invalid_code"}.
	 * Choice: access tokens already minted from it stay valid until they expire. */
	revokeRefreshToken(token: string): void {
		this.revokedRefreshTokens.add(token);
	}

	setLatency(ms: number): void {
		this.latencyMs = ms;
	}

	/** Mints an access token without the token endpoint (and without counting it), for specs
	 * that only exercise the API. */
	mintAccessToken(region: string = DEFAULT_REGION, refreshToken?: string): string {
		return this.mint(refreshToken ?? this.clients[0]?.refreshTokens[0] ?? 'seeded', region);
	}

	/** Answers more API resources (see ZohoApiExtension). */
	extendApi(extension: ZohoApiExtension): void {
		this.apiExtensions.push(extension);
	}

	/** Calls `listener` after every record change, as Zoho's notification and workflow engine sees it. */
	onRecordChange(listener: (change: ZohoRecordChange) => void): void {
		this.changeListeners.push(listener);
	}

	/** Creates records as a Zoho user would in the UI (no validation; see seedRecords) and reports the change. */
	createRecords(module: ZohoModule, records: Array<Record<string, unknown>>, region: string = DEFAULT_REGION): ZohoRecord[] {
		const created = this.seedRecords(module, records, region);
		this.emitChange({ region, module, operation: 'insert', ids: created.map((record) => record.id), affectedFields: {} });
		return created;
	}

	/** Changes fields of stored records (a new Modified_Time each) and reports one change for all of them. */
	updateRecords(module: ZohoModule, updates: Array<{ id: string; fields: Record<string, unknown> }>, region: string = DEFAULT_REGION): ZohoRecord[] {
		const records = this.recordsOf(region, module);
		const now = zohoTimestamp();
		const changed: ZohoRecord[] = [];
		for (const update of updates) {
			const record = records.find((candidate) => candidate.id === update.id);
			if (!record) throw new Error(`ZohoDouble: no ${module} record ${update.id}`);
			Object.assign(record, update.fields, { Modified_Time: now });
			changed.push(record);
		}
		this.indexes.clear();
		this.emitChange({
			region,
			module,
			operation: 'update',
			ids: changed.map((record) => record.id),
			affectedFields: Object.fromEntries(updates.map((update) => [update.id, Object.keys(update.fields)])),
		});
		return structuredClone(changed);
	}

	/** Deletes stored records and reports the change. */
	deleteRecords(module: ZohoModule, ids: string[], region: string = DEFAULT_REGION): void {
		const records = this.recordsOf(region, module);
		for (const id of ids) {
			const index = records.findIndex((record) => record.id === id);
			if (index >= 0) records.splice(index, 1);
		}
		this.indexes.clear();
		this.emitChange({ region, module, operation: 'delete', ids, affectedFields: {} });
	}

	private emitChange(change: ZohoRecordChange): void {
		if (change.ids.length === 0) return;
		for (const listener of this.changeListeners) listener(structuredClone(change));
	}

	// -------------------------------------------------------------------------------------------
	// Dispatch
	// -------------------------------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const token = /^\/accounts\/([A-Za-z0-9_.-]+)\/oauth\/v2\/token$/.exec(url.pathname);
		if (token) return this.handleToken(req, res, url, token[1]);
		const api = /^\/api\/([A-Za-z0-9_.-]+)(\/.*)?$/.exec(url.pathname);
		if (api) return this.handleApi(req, res, url, api[1], api[2] ?? '/');
		await readBody(req);
		this.write(res, { status: 404, body: INVALID_URL_PATTERN });
	}

	private write(res: ServerResponse, answer: Answer): void {
		if (res.destroyed || res.writableEnded) return;
		const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
		const contentType = typeof answer.body === 'string' ? 'text/html;charset=UTF-8' : JSON_CONTENT_TYPE;
		res.writeHead(answer.status, { 'content-type': contentType, ...answer.headers });
		res.end(text);
	}

	private countersOf(region: string): ZohoRegionCounters {
		let counters = this.regionCounters.get(region);
		if (!counters) {
			counters = emptyRegionCounters();
			this.regionCounters.set(region, counters);
		}
		return counters;
	}

	private takeUpsertFault(region: string): PendingUpsertFault | undefined {
		const queue = this.upsertFaults.get(region);
		const fault = queue?.[0];
		if (!queue || !fault) return undefined;
		fault.remaining -= 1;
		if (fault.remaining <= 0) queue.shift();
		return fault;
	}

	/** Never answers: resolves when the client closes the connection or the double stops. */
	private hangUntilAbandoned(res: ServerResponse): Promise<void> {
		return new Promise((resolve) => {
			const release = () => {
				this.hanging.delete(release);
				resolve();
			};
			this.hanging.add(release);
			res.on('close', release);
		});
	}

	private takeFault(kind: RequestKind): PendingFault | undefined {
		const index = this.faults.findIndex((fault) => faultMatches(fault, kind));
		if (index < 0) return undefined;
		const fault = this.faults[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.faults.splice(index, 1);
		return fault;
	}

	private faultAnswer(fault: PendingFault, path: 'token' | 'api'): Answer | 'drop' {
		if (fault.kind === 'dropConnection') return 'drop';
		if (fault.kind === 'tokenError') {
			return fault.error === 'Access Denied'
				? { status: 400, body: ACCESS_DENIED }
				: { status: 200, body: { error: fault.error } };
		}
		const headers = { ...this.retryAfterHeader(fault.status), ...fault.headers };
		return { status: fault.status, body: fault.body ?? defaultFaultBody(fault.status, path), headers };
	}

	private retryAfterHeader(status: number): Record<string, string> {
		return status === 429 && this.retryAfterSeconds !== undefined
			? { 'retry-after': String(this.retryAfterSeconds) }
			: {};
	}

	private delay(ms: number): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise((resolve) => {
			const pending: PendingDelay = {
				timer: setTimeout(() => {
					this.pendingDelays.delete(pending);
					resolve();
				}, ms),
				resolve,
			};
			this.pendingDelays.add(pending);
		});
	}

	private pushBounded<T>(log: T[], entry: T): void {
		log.push(entry);
		if (log.length > REQUEST_LOG_LIMIT) log.splice(0, log.length - REQUEST_LOG_LIMIT);
	}

	// -------------------------------------------------------------------------------------------
	// Token endpoint
	// -------------------------------------------------------------------------------------------

	private async handleToken(req: IncomingMessage, res: ServerResponse, url: URL, region: string) {
		this.counters.tokenRequests += 1;
		const raw = await readBody(req);
		const queryParams = Object.fromEntries(url.searchParams);
		// Like Zoho's accounts server, only a form body carries parameters; a JSON body is ignored.
		const isForm = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
		const bodyParams = isForm ? Object.fromEntries(new URLSearchParams(raw)) : {};
		const params = { ...queryParams, ...bodyParams };
		const inQuery = Object.keys(queryParams).length > 0;
		const inBody = Object.keys(bodyParams).length > 0;
		const logEntry: ZohoTokenRequestLogEntry = {
			method: req.method ?? '',
			path: req.url ?? '',
			headers: { ...req.headers },
			params,
			paramsIn: inQuery && inBody ? 'both' : inQuery ? 'query' : inBody ? 'body' : 'none',
			region,
		};
		this.pushBounded(this.tokenRequestLog, logEntry);

		const fault = this.takeFault('token');
		const answer = fault ? this.faultAnswer(fault, 'token') : this.answerToken(req.method, params, region);
		if (answer === 'drop') {
			this.counters.tokenFailures += 1;
			req.socket.destroy();
			return;
		}
		const body = answer.body as Record<string, unknown> | undefined;
		if (typeof body === 'object' && body !== null && typeof body.access_token === 'string') {
			this.counters.refreshes += 1;
		} else {
			this.counters.tokenFailures += 1;
		}
		logEntry.status = answer.status;
		this.write(res, answer);
	}

	private answerToken(method: string | undefined, params: Record<string, string>, region: string): Answer {
		// Choice: the accounts server's answer to a GET is undocumented; 405 is what HTTP says.
		if (method !== 'POST') {
			return { status: 405, body: { error: 'invalid_request' }, headers: { allow: 'POST' } };
		}
		// Every failure below is HTTP 200 with an `error` field, except throttling (HTTP 400).
		if (params.grant_type !== 'refresh_token') return { status: 200, body: { error: 'unsupported_grant_type' } };
		const refreshToken = params.refresh_token ?? '';
		if (this.isThrottled(refreshToken)) return { status: 400, body: ACCESS_DENIED };
		const client = this.clients.find((candidate) => candidate.clientId === params.client_id);
		if (
			!client ||
			client.clientSecret !== params.client_secret ||
			(client.region !== undefined && client.region !== region)
		) {
			return { status: 200, body: { error: 'invalid_client' } };
		}
		if (!client.refreshTokens.includes(refreshToken) || this.revokedRefreshTokens.has(refreshToken)) {
			return { status: 200, body: { error: 'invalid_code' } };
		}
		return {
			status: 200,
			body: {
				access_token: this.mint(refreshToken, region),
				scope: TOKEN_SCOPE,
				api_domain: this.apiUrl(region),
				token_type: 'Bearer',
				expires_in: this.tokenLifetimeSeconds,
			},
		};
	}

	/** Records the attempt, then says whether it exceeds the sliding window. Throttled attempts
	 * count too, so a client that keeps hammering stays locked out. */
	private isThrottled(refreshToken: string): boolean {
		const now = Date.now();
		const recent = (this.tokenAttempts.get(refreshToken) ?? []).filter(
			(at) => now - at < this.refreshLimit.windowMs,
		);
		recent.push(now);
		this.tokenAttempts.set(refreshToken, recent);
		return recent.length > this.refreshLimit.max;
	}

	private mint(refreshToken: string, region: string): string {
		const now = Date.now();
		const live = (this.tokensByRefreshToken.get(refreshToken) ?? []).filter((token) => {
			const state = this.accessTokens.get(token);
			return state !== undefined && !state.invalidated && state.expiresAt > now;
		});
		// At most 10 live access tokens per refresh token: the oldest is invalidated.
		while (live.length >= MAX_LIVE_TOKENS_PER_REFRESH_TOKEN) {
			const oldest = live.shift() as string;
			(this.accessTokens.get(oldest) as AccessToken).invalidated = true;
		}
		const token = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
		this.accessTokens.set(token, {
			refreshToken,
			region: dataCentreOf(region),
			expiresAt: now + this.tokenLifetimeSeconds * 1000,
			invalidated: false,
		});
		live.push(token);
		this.tokensByRefreshToken.set(refreshToken, live);
		return token;
	}

	// -------------------------------------------------------------------------------------------
	// API
	// -------------------------------------------------------------------------------------------

	private async handleApi(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		region: string,
		pathname: string,
	): Promise<void> {
		this.counters.apiCalls += 1;
		const regionCounters = this.countersOf(region);
		regionCounters.apiCalls += 1;
		const attempted = this.inFlight + 1;
		this.counters.maxConcurrentSeen = Math.max(this.counters.maxConcurrentSeen, attempted);
		const logEntry: ZohoRequestLogEntry = {
			method: req.method ?? '',
			path: req.url ?? '',
			headers: { ...req.headers },
			body: undefined,
			region,
		};
		const answer = (result: Answer) => {
			if (result.status === 401) {
				this.counters.unauthorized += 1;
				regionCounters.unauthorized += 1;
			}
			if (result.status === 429) this.counters.rateLimited += 1;
			logEntry.status = result.status;
			this.write(res, result);
		};

		if (attempted > this.maxConcurrentCalls) {
			logEntry.body = parseForLog(await readBody(req));
			this.pushBounded(this.requests, logEntry);
			answer({ status: 429, body: TOO_MANY_REQUESTS, headers: this.retryAfterHeader(429) });
			return;
		}

		this.inFlight += 1;
		try {
			const raw = await readBody(req);
			logEntry.body = parseForLog(raw);
			this.pushBounded(this.requests, logEntry);
			const receivedAt = performance.now();
			const route = matchApiRoute(pathname);
			const fault = this.takeFault(routeKind(route));
			const upsertFault =
				!fault && route.name === 'upsert' && !this.authenticate(req.headers.authorization, region)
					? this.takeUpsertFault(region)
					: undefined;
			if (!fault && !upsertFault) {
				// The latency is the time Zoho takes to answer, its own work included. Zoho serves the
				// calls in flight in parallel; this one-thread double would otherwise add its work on
				// each of them to the others' latency, a wait no client could avoid and Zoho never has.
				const result = this.answerApi(req, url, region, route, raw);
				await this.delay(this.latencyMs - (performance.now() - receivedAt));
				answer(result);
				return;
			}
			await this.delay(this.latencyMs);
			if (fault) {
				const result = this.faultAnswer(fault, 'api');
				if (result === 'drop') req.socket.destroy();
				else answer(result);
				return;
			}
			switch (upsertFault?.kind) {
				case 'applyThenDrop':
					this.answerApi(req, url, region, route, raw);
					req.socket.destroy();
					return;
				case 'applyThenError500':
					this.answerApi(req, url, region, route, raw);
					answer({ status: 500, body: INTERNAL_ERROR });
					return;
				case 'error500':
					answer({ status: 500, body: INTERNAL_ERROR });
					return;
				case 'error429':
					answer({ status: 429, body: TOO_MANY_REQUESTS, headers: this.retryAfterHeader(429) });
					return;
				case 'hang':
					await this.hangUntilAbandoned(res);
					return;
			}
		} finally {
			this.inFlight -= 1;
		}
	}

	private answerApi(req: IncomingMessage, url: URL, region: string, route: ApiRoute, raw: string): Answer {
		if (route.name === 'notFound') {
			const resource = /^\/api\/[^/]+\/crm\/v(\d+)\/(.+)$/.exec(url.pathname);
			const version = Number(resource?.[1]);
			const extension =
				resource && version >= MIN_API_VERSION && version <= MAX_API_VERSION
					? this.apiExtensions.find((candidate) => candidate.handles(decodeURIComponent(resource[2])))
					: undefined;
			// Choice: an unknown URL is refused before authentication, as a gateway would.
			if (!extension || !resource) return { status: 404, body: INVALID_URL_PATTERN };
			const authFailure = this.authenticate(req.headers.authorization, region);
			if (authFailure) return authFailure;
			return extension.answer({ method: req.method ?? '', url, region, resource: decodeURIComponent(resource[2]), raw });
		}
		const authFailure = this.authenticate(req.headers.authorization, region);
		if (authFailure) return authFailure;
		const expectedMethod = route.name === 'upsert' ? 'POST' : 'GET';
		if (req.method !== expectedMethod) {
			return {
				status: 400,
				body: zohoError('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one'),
			};
		}
		switch (route.name) {
			case 'upsert':
				return this.answerUpsert(region, route.moduleName, raw);
			case 'fields':
				return this.answerFields(url);
			case 'users':
				return this.answerUsers(url);
		}
	}

	private authenticate(header: string | undefined, region: string): Answer | undefined {
		const unauthorized = (body: unknown): Answer => ({ status: 401, body });
		if (header === undefined || header.trim() === '') return unauthorized(INVALID_TOKEN);
		// Zoho documents both schemes (use-access-token page): "Zoho-oauthtoken" and "Bearer".
		// Every other scheme (Basic, a bare token) is refused.
		const match = /^(?:Zoho-oauthtoken|Bearer) (\S+)$/.exec(header.trim());
		if (!match) return unauthorized(AUTHENTICATION_FAILURE);
		const token = this.accessTokens.get(match[1]);
		if (!token || token.invalidated || token.expiresAt <= Date.now()) return unauthorized(INVALID_TOKEN);
		// A token from another data centre is unknown here: the real "wrong DC" failure. It is
		// valid in every environment (production, sandbox, developer) of its own data centre.
		if (token.region !== dataCentreOf(region)) return unauthorized(INVALID_TOKEN);
		return undefined;
	}

	private answerFields(url: URL): Answer {
		const moduleName = url.searchParams.get('module');
		if (!moduleName) {
			return {
				status: 400,
				body: zohoError('REQUIRED_PARAM_MISSING', 'required param missing', { api_name: 'module' }),
			};
		}
		if (!isModule(moduleName)) return { status: 400, body: invalidModule() };
		return { status: 200, body: { fields: structuredClone(FIELDS[moduleName]) } };
	}

	private answerUsers(url: URL): Answer {
		const type = url.searchParams.get('type');
		const knownTypes = ['CurrentUser', 'AllUsers', 'ActiveUsers', 'AdminUsers', 'ActiveConfirmedUsers'];
		if (type !== null && !knownTypes.includes(type)) {
			return { status: 400, body: zohoError('INVALID_DATA', 'invalid data', { api_name: 'type' }) };
		}
		return {
			status: 200,
			body: {
				users: [structuredClone(CURRENT_USER)],
				info: { per_page: 200, count: 1, page: 1, more_records: false },
			},
		};
	}

	// -------------------------------------------------------------------------------------------
	// Upsert
	// -------------------------------------------------------------------------------------------

	private answerUpsert(region: string, moduleName: string, raw: string): Answer {
		// Choice: module API names are matched exactly ('Contacts', not 'contacts').
		if (!isModule(moduleName)) return { status: 400, body: invalidModule() };
		this.counters.upsertCalls += 1;
		this.countersOf(region).upsertCalls += 1;
		let body: unknown;
		try {
			body = JSON.parse(raw);
		} catch {
			return { status: 400, body: zohoError('INVALID_DATA', 'the request body is not a valid JSON') };
		}
		const requestError = checkUpsertRequest(body, moduleName);
		if (requestError) return { status: 400, body: requestError };
		const request = body as { data: unknown[]; duplicate_check_fields?: string[] };
		this.counters.recordsReceived += request.data.length;
		this.countersOf(region).recordsReceived += request.data.length;
		const duplicateCheckFields = request.duplicate_check_fields ?? ['Email'];
		const entries = request.data.map((record, index) =>
			this.upsertOne(region, moduleName, record, index, duplicateCheckFields),
		);
		for (const action of ['insert', 'update'] as const) {
			const written = entries
				.map((entry, index) => ({ entry, sent: request.data[index] }))
				.filter(({ entry }) => entry.status === 'success' && entry.action === action);
			this.emitChange({
				region,
				module: moduleName,
				operation: action,
				ids: written.map(({ entry }) => String((entry.details as Record<string, unknown>).id)),
				affectedFields:
					action === 'update'
						? Object.fromEntries(written.map(({ entry, sent }) => [String((entry.details as Record<string, unknown>).id), Object.keys(sent as object)]))
						: {},
			});
		}
		const succeeded = entries.filter((entry) => entry.status === 'success').length;
		const status =
			succeeded === entries.length
				? this.batchStatus.allSucceeded
				: succeeded === 0
					? this.batchStatus.allFailed
					: this.batchStatus.mixed;
		return { status, body: { data: entries } };
	}

	/** One record, in order: shape, mandatory Last_Name, field values, then duplicate detection. */
	private upsertOne(
		region: string,
		module: ZohoModule,
		record: unknown,
		index: number,
		duplicateCheckFields: string[],
	): Record<string, unknown> {
		const path = (apiName?: string) => `$.data[${index}]${apiName ? `.${apiName}` : ''}`;
		if (!isPlainObject(record)) {
			return recordError('INVALID_DATA', 'invalid data', { expected_data_type: 'jsonobject', json_path: path() });
		}
		const lastName = record.Last_Name;
		if (lastName === undefined || lastName === null || (typeof lastName === 'string' && lastName.trim() === '')) {
			return recordError('MANDATORY_NOT_FOUND', 'required field not found', {
				api_name: 'Last_Name',
				json_path: path('Last_Name'),
			});
		}
		const stored: Record<string, unknown> = {};
		const comparable = new Map<string, string>();
		for (const [apiName, value] of Object.entries(record)) {
			const field = findField(module, apiName);
			// Zoho silently ignores unknown fields and read-only ones; they are not stored.
			if (!field || field.read_only) continue;
			const check = checkFieldValue(field, value);
			if ('details' in check) {
				return recordError('INVALID_DATA', 'invalid data', {
					...check.details,
					api_name: apiName,
					json_path: path(apiName),
				});
			}
			stored[apiName] = check.value;
			// Duplicate detection compares the value as sent, before any truncation.
			const key = comparableValue(field, field.data_type === 'email' ? value : check.value);
			if (key !== undefined) comparable.set(apiName, key);
		}

		const records = this.recordsOf(region, module);
		for (const apiName of duplicateCheckFields) {
			const key = comparable.get(apiName);
			if (key === undefined) continue;
			const field = findField(module, apiName) as FieldDefinition;
			const matches = this.recordsMatching(region, module, field, key);
			if (matches.length === 0) continue;
			if (matches.length > 1) {
				return recordError('DUPLICATE_DATA', 'duplicate data', {
					api_name: apiName,
					json_path: path(apiName),
					duplicate_record: { id: matches[0].id },
				});
			}
			const existing = matches[0];
			const previous = { ...existing };
			Object.assign(existing, stored, { Modified_Time: zohoTimestamp() });
			this.reindex(region, module, existing, previous);
			return recordSuccess(existing, 'update', apiName);
		}

		const now = zohoTimestamp();
		const inserted: ZohoRecord = { ...stored, id: this.nextId(), Created_Time: now, Modified_Time: now };
		records.push(inserted);
		this.reindex(region, module, inserted);
		return recordSuccess(inserted, 'insert', null);
	}

	/** The stored records whose `field` compares equal to `key` (as a linear scan would find). */
	private recordsMatching(region: string, module: ZohoModule, field: FieldDefinition, key: string): ZohoRecord[] {
		const indexKey = `${region}/${module}|${field.api_name}`;
		let index = this.indexes.get(indexKey);
		if (!index) {
			index = new Map();
			for (const record of this.recordsOf(region, module)) addToIndex(index, field, record);
			this.indexes.set(indexKey, index);
		}
		return index.get(key) ?? [];
	}

	private reindex(region: string, module: ZohoModule, record: ZohoRecord, previous?: Record<string, unknown>): void {
		const prefix = `${region}/${module}|`;
		for (const [indexKey, index] of this.indexes) {
			if (!indexKey.startsWith(prefix)) continue;
			const field = findField(module, indexKey.slice(prefix.length)) as FieldDefinition;
			if (previous) {
				const old = comparableValue(field, previous[field.api_name]);
				const bucket = old === undefined ? undefined : index.get(old);
				if (bucket) {
					bucket.splice(bucket.indexOf(record) >>> 0, bucket.includes(record) ? 1 : 0);
					if (bucket.length === 0) index.delete(old as string);
				}
			}
			addToIndex(index, field, record);
		}
	}

	private recordsOf(region: string, module: ZohoModule): ZohoRecord[] {
		const key = `${region}/${module}`;
		let records = this.store.get(key);
		if (!records) {
			records = [];
			this.store.set(key, records);
		}
		return records;
	}

	/** Zoho record ids are 19-digit numeric strings. */
	private nextId(): string {
		this.idSequence += 1;
		return `${this.idPrefix}${String(this.idSequence).padStart(12, '0')}`;
	}
}

// ---------------------------------------------------------------------------------------------
// Upsert body helpers
// ---------------------------------------------------------------------------------------------

function invalidModule() {
	return zohoError('INVALID_MODULE', 'the module name given seems to be invalid', { resource_path_index: 0 });
}

function recordError(code: string, message: string, details: Record<string, unknown>) {
	return { code, details, message, status: 'error' };
}

function recordSuccess(record: ZohoRecord, action: 'insert' | 'update', duplicateField: string | null) {
	return {
		code: 'SUCCESS',
		duplicate_field: duplicateField,
		action,
		details: {
			Modified_Time: record.Modified_Time,
			Modified_By: { ...RECORD_OWNER },
			Created_Time: record.Created_Time,
			id: record.id,
			Created_By: { ...RECORD_OWNER },
		},
		message: action === 'insert' ? 'record added' : 'record updated',
		status: 'success',
	};
}

/** Request-level checks of an upsert body; undefined when the records can be processed. */
function checkUpsertRequest(body: unknown, module: ZohoModule): Record<string, unknown> | undefined {
	if (!isPlainObject(body)) {
		return zohoError('INVALID_DATA', 'invalid data', { expected_data_type: 'jsonobject' });
	}
	if (body.data === undefined || body.data === null) {
		return zohoError('REQUIRED_PARAM_MISSING', 'required param missing', { api_name: 'data' });
	}
	if (!Array.isArray(body.data) || body.data.length === 0) {
		return zohoError('INVALID_DATA', 'invalid data', {
			expected_data_type: 'jsonarray',
			api_name: 'data',
			json_path: '$.data',
		});
	}
	if (body.data.length > MAX_RECORDS_PER_UPSERT) {
		return zohoError('LIMIT_EXCEEDED', 'the number of records exceeds the limit', {
			limit: MAX_RECORDS_PER_UPSERT,
		});
	}
	const fields = body.duplicate_check_fields;
	if (fields !== undefined) {
		if (!Array.isArray(fields)) {
			return zohoError('INVALID_DATA', 'invalid data', {
				expected_data_type: 'jsonarray',
				api_name: 'duplicate_check_fields',
				json_path: '$.duplicate_check_fields',
			});
		}
		// Choice: a duplicate check field must be a writable field of the module.
		const unknownIndex = fields.findIndex((name) => {
			const field = typeof name === 'string' ? findField(module, name) : undefined;
			return !field || field.read_only;
		});
		if (unknownIndex >= 0) {
			return zohoError('INVALID_DATA', 'invalid data', {
				api_name: 'duplicate_check_fields',
				json_path: `$.duplicate_check_fields[${unknownIndex}]`,
			});
		}
	}
	const trigger = body.trigger;
	if (
		trigger !== undefined &&
		(!Array.isArray(trigger) || !trigger.every((name) => typeof name === 'string' && TRIGGERS.includes(name)))
	) {
		return zohoError('INVALID_DATA', 'invalid data', { api_name: 'trigger', json_path: '$.trigger' });
	}
	return undefined;
}
