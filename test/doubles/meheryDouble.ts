/**
 * A local HTTP double of MeherY's Customer Profiles update endpoint, for jest specs and the
 * benchmark. It reproduces the contract in /work/shared/reference/external-apis.md, ugly parts
 * included: a parameter whose name is not a code of the tenant's customer master is silently
 * ignored (answered 200, value dropped), a date not in MM-DD-YY is silently dropped too, errors
 * arrive inside a 200 envelope as well as with 4xx, and calls beyond a concurrency limit get 429.
 * What stands in front of it is unkind too: a redirect (a moved domain, a login wall) answered
 * before any key is checked, and 2xx answers that are not MeherY's (an HTML page, an empty body).
 * Where the public record is silent the choice is written as "Choice:"; when unsure it is the
 * stricter one.
 *
 *   POST {baseUrl}/xms/data/api/v1/profile/update?tnt=<tenant>      (seed, Swagger)
 *   POST {baseUrl}/nexus/xms/api/v1/profile/update?tnt=<tenant>     (guide since Aug 2025)
 *
 * Dependency-free on purpose (node:http, node:crypto only) so a plain node benchmark can load it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export const MEHERY_UPDATE_PATHS = ['/xms/data/api/v1/profile/update', '/nexus/xms/api/v1/profile/update'] as const;

const STANDARD_CODES = ['firstName', 'lastName'];
const CONTACT_CODE = /^(?:phone|email|altPhone|altEmail)[1-9]\d*$/;
const UNIQUE_CODE = /^(?:phone|email)[1-9]\d*$/;
const MEHERY_DATE = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])-\d{2}$/;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REQUEST_LOG_LIMIT = 2000;

export interface MeheryTenantConfig {
	code: string;
	apiKey: string;
	/** When set, a request that sends x-api-id must send this one (403 otherwise). */
	apiId?: string;
	/** When true, a request without x-api-id is refused with 401. Default false (Swagger: optional). */
	requireApiId?: boolean;
	/** The tenant's own customer-master codes (beyond firstName, lastName, phoneN, emailN, altPhoneN, altEmailN). */
	customCodes?: string[];
	/** Custom codes of type date: MM-DD-YY only, anything else silently dropped. */
	dateCodes?: string[];
}

export interface MeheryDoubleOptions {
	tenants?: MeheryTenantConfig[];
	/** Calls in flight at once; the next gets 429. Default 10. */
	maxConcurrentCalls?: number;
	latencyMs?: number;
	/** When set, every 429 carries `Retry-After: <seconds>`. */
	retryAfterSeconds?: number;
}

export interface MeheryIssue {
	field: string | null;
	code: string;
	codes?: string[];
	codeKey?: string;
	description: string;
	descriptionKey?: string;
	possibleValues?: string[];
	body?: unknown;
	traceId?: string;
}

/** A queued answer: `status` with an envelope built from these parts, instead of the normal handling. */
export interface MeheryFault {
	status: number;
	/** The envelope's status string. Default 'error' for errors, else 'success'. */
	envelopeStatus?: string;
	errors?: MeheryIssue[];
	warnings?: MeheryIssue[];
	/** When true the update is still applied (a warning-only answer). Default false. */
	apply?: boolean;
	/** A raw non-JSON body (what a gateway answers), sent as text/html unless `contentType` says otherwise. */
	rawBody?: string;
	contentType?: string;
	headers?: Record<string, string>;
	times?: number;
}

export interface MeheryRequestLogEntry {
	method: string;
	path: string;
	tenant: string | null;
	headers: Record<string, string | string[] | undefined>;
	contentType: string;
	/** The parameters as MeherY read them (every value a string for form bodies). */
	params: Record<string, unknown>;
	/** Codes the tenant's master does not know, dropped without a word to the caller. */
	ignoredCodes: string[];
	status?: number;
}

export interface MeheryCounters {
	/** Every request, refused ones included. */
	requests: number;
	/** Updates applied to a stored profile (created or changed). */
	updates: number;
	rateLimited: number;
	unauthorized: number;
	notFound: number;
	maxConcurrentSeen: number;
}

export interface MeheryProfile {
	profileId: string;
	[code: string]: unknown;
}

function emptyCounters(): MeheryCounters {
	return { requests: 0, updates: 0, rateLimited: 0, unauthorized: 0, notFound: 0, maxConcurrentSeen: 0 };
}

/** MeherY's answer envelope, every key present as the Swagger lists them. */
export function meheryEnvelope(parts: { status: string; message?: string; data?: unknown; errors?: MeheryIssue[]; warnings?: MeheryIssue[]; path?: string }) {
	return {
		status: parts.status,
		statusKey: parts.status.toUpperCase(),
		message: parts.message ?? null,
		messageKey: null,
		data: parts.data ?? null,
		results: [],
		errors: parts.errors ?? [],
		warnings: parts.warnings ?? [],
		warningKey: null,
		error: null,
		exception: null,
		details: null,
		extra: null,
		logs: [],
		meta: null,
		pagination: null,
		params: null,
		query: null,
		redirectUrl: null,
		serverVersion: 'double-1.0',
		traces: [],
		timestamp: Date.now(),
		traceid: randomUUID(),
		path: parts.path ?? null,
	};
}

export class MeheryDouble {
	counters: MeheryCounters = emptyCounters();
	requests: MeheryRequestLogEntry[] = [];

	private readonly tenants = new Map<string, MeheryTenantConfig>();
	private readonly store = new Map<string, MeheryProfile[]>();
	/** tenant → "code=value" of every unique key → profile. */
	private readonly index = new Map<string, Map<string, MeheryProfile>>();
	private maxConcurrentCalls: number;
	private readonly retryAfterSeconds: number | undefined;
	private latencyMs: number;
	private faults: Array<MeheryFault & { remaining: number }> = [];
	private redirects: Array<{ status: number; location: string; remaining: number }> = [];
	private inFlight = 0;
	private server: Server | undefined;
	private url: string | undefined;
	private sequence = 0;

	constructor(options: MeheryDoubleOptions = {}) {
		for (const tenant of options.tenants ?? [{ code: 'demo', apiKey: 'demo-api-key-0001' }]) this.tenants.set(tenant.code, tenant);
		this.maxConcurrentCalls = options.maxConcurrentCalls ?? 10;
		this.retryAfterSeconds = options.retryAfterSeconds;
		this.latencyMs = options.latencyMs ?? 0;
	}

	async start(port = 0): Promise<string> {
		if (this.server) throw new Error('MeheryDouble is already started');
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'content-type': 'text/plain' });
					res.end(`mehery double failure: ${String(error)}`);
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

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	}

	get baseUrl(): string {
		if (!this.url) throw new Error('MeheryDouble is not started');
		return this.url;
	}

	setLatency(ms: number): void {
		this.latencyMs = ms;
	}

	/** Calls in flight at once before 429 (Infinity: no limit). */
	setMaxConcurrentCalls(limit: number): void {
		this.maxConcurrentCalls = limit;
	}

	resetCounters(): void {
		this.counters = emptyCounters();
		this.requests = [];
	}

	/** Queues a canned answer, consumed by the next `times` update requests that pass auth. */
	injectFault(fault: MeheryFault): void {
		this.faults.push({ ...fault, remaining: fault.times ?? 1 });
	}

	/**
	 * The next `times` requests, whatever their key or path, are answered `status` with this
	 * Location and no body, as a proxy or a moved domain in front of MeherY answers.
	 */
	redirectNext(status: number, location: string, times = 1): void {
		this.redirects.push({ status, location, remaining: times });
	}

	clearFaults(): void {
		this.faults = [];
		this.redirects = [];
	}

	/** Copies of a tenant's stored profiles, oldest first. */
	profiles(tenant: string): MeheryProfile[] {
		return structuredClone(this.store.get(tenant) ?? []);
	}

	/** The stored profile with this unique key (e.g. 'email1', 'ada@example.com'), if any. */
	profileBy(tenant: string, code: string, value: string): MeheryProfile | undefined {
		const profile = this.index.get(tenant)?.get(`${code}=${value}`);
		return profile === undefined ? undefined : structuredClone(profile);
	}

	clearProfiles(): void {
		this.store.clear();
		this.index.clear();
	}

	// -------------------------------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const raw = await readBody(req);
		this.counters.requests += 1;
		const entry: MeheryRequestLogEntry = {
			method: req.method ?? 'GET',
			path: url.pathname + url.search,
			tenant: url.searchParams.get('tnt'),
			headers: { ...req.headers },
			contentType: String(req.headers['content-type'] ?? ''),
			params: {},
			ignoredCodes: [],
		};
		this.requests.push(entry);
		if (this.requests.length > REQUEST_LOG_LIMIT) this.requests.shift();
		const answer = (status: number, body: unknown, headers: Record<string, string> = {}, contentType?: string) => {
			entry.status = status;
			const text = typeof body === 'string' ? body : JSON.stringify(body);
			res.writeHead(status, { 'content-type': contentType ?? (typeof body === 'string' ? 'text/html' : 'application/json'), ...headers });
			res.end(text);
		};
		const redirect = this.redirects.find((candidate) => candidate.remaining > 0);
		if (redirect !== undefined) {
			redirect.remaining -= 1;
			this.redirects = this.redirects.filter((candidate) => candidate.remaining > 0);
			return answer(redirect.status, '', { location: redirect.location });
		}
		const fail = (status: number, code: string, description: string) =>
			answer(status, meheryEnvelope({ status: 'error', message: description, errors: [{ field: null, code, description }], path: url.pathname }));

		if (!(MEHERY_UPDATE_PATHS as readonly string[]).includes(url.pathname)) {
			this.counters.notFound += 1;
			return fail(404, 'NOT_FOUND', `No handler for ${url.pathname}`);
		}
		// Choice: the tenant is resolved before the key, so a wrong tenant is a 404 whatever the key.
		const tenant = entry.tenant === null ? undefined : this.tenants.get(entry.tenant);
		if (tenant === undefined) {
			this.counters.notFound += 1;
			return fail(404, 'TENANT_NOT_FOUND', `Tenant ${JSON.stringify(entry.tenant)} not found`);
		}
		const key = header(req, 'x-api-key');
		const apiId = header(req, 'x-api-id');
		if (key !== tenant.apiKey || (tenant.requireApiId && apiId === undefined)) {
			this.counters.unauthorized += 1;
			return fail(401, 'UNAUTHORIZED', 'Invalid or missing API key');
		}
		if (apiId !== undefined && tenant.apiId !== undefined && apiId !== tenant.apiId) {
			this.counters.unauthorized += 1;
			return fail(403, 'FORBIDDEN', 'API id not allowed for this key');
		}
		if (req.method !== 'POST') return fail(405, 'METHOD_NOT_ALLOWED', `Request method '${req.method}' is not supported`);

		const attempted = this.inFlight + 1;
		this.counters.maxConcurrentSeen = Math.max(this.counters.maxConcurrentSeen, attempted);
		if (attempted > this.maxConcurrentCalls) {
			this.counters.rateLimited += 1;
			const headers: Record<string, string> = this.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.retryAfterSeconds) };
			entry.status = 429;
			res.writeHead(429, { 'content-type': 'application/json', ...headers });
			res.end(JSON.stringify(meheryEnvelope({ status: 'error', message: 'Too many requests', errors: [{ field: null, code: 'TOO_MANY_REQUESTS', description: 'Too many concurrent requests' }] })));
			return;
		}
		this.inFlight += 1;
		try {
			if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
			const parsed = parseParams(entry.contentType, raw);
			if ('problem' in parsed) return fail(parsed.status, parsed.code, parsed.problem);
			entry.params = parsed.params;

			const fault = this.faults.find((candidate) => candidate.remaining > 0);
			if (fault !== undefined) {
				fault.remaining -= 1;
				this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
				if (fault.rawBody !== undefined) return answer(fault.status, fault.rawBody, fault.headers, fault.contentType);
				const warnings = fault.warnings ?? [];
				let data: unknown = null;
				if (fault.apply) {
					const applied = this.apply(tenant, parsed.params, entry);
					if ('errors' in applied) return answer(200, meheryEnvelope({ status: 'error', errors: applied.errors, warnings, path: url.pathname }));
					data = { profileId: applied.profile.profileId };
				}
				const status = fault.envelopeStatus ?? (fault.errors?.length ? 'error' : 'success');
				return answer(fault.status, meheryEnvelope({ status, errors: fault.errors, warnings, data, path: url.pathname }), fault.headers);
			}

			const applied = this.apply(tenant, parsed.params, entry);
			// Errors of the profile itself come back with HTTP 200, inside the envelope.
			if ('errors' in applied) return answer(200, meheryEnvelope({ status: 'error', message: 'Profile not updated', errors: applied.errors, path: url.pathname }));
			return answer(200, meheryEnvelope({ status: 'success', message: 'Profile updated', data: { profileId: applied.profile.profileId }, path: url.pathname }));
		} finally {
			this.inFlight -= 1;
		}
	}

	private knows(tenant: MeheryTenantConfig, code: string): boolean {
		return STANDARD_CODES.includes(code) || CONTACT_CODE.test(code) || (tenant.customCodes ?? []).includes(code) || (tenant.dateCodes ?? []).includes(code);
	}

	private apply(
		tenant: MeheryTenantConfig,
		params: Record<string, unknown>,
		entry: MeheryRequestLogEntry,
	): { profile: MeheryProfile } | { errors: MeheryIssue[] } {
		const known: Record<string, string> = {};
		for (const [code, value] of Object.entries(params)) {
			// Silently ignored: the seed's "values will not update correctly".
			if (!this.knows(tenant, code)) {
				entry.ignoredCodes.push(code);
				continue;
			}
			const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
			// Choice: a date code not in MM-DD-YY is dropped without a word, as the guide warns.
			if ((tenant.dateCodes ?? []).includes(code) && !MEHERY_DATE.test(text)) {
				entry.ignoredCodes.push(code);
				continue;
			}
			known[code] = text;
		}
		const errors: MeheryIssue[] = [];
		for (const [code, value] of Object.entries(known)) {
			if (/^(?:alt)?[eE]mail\d+$/.test(code) && value !== '' && !EMAIL_SHAPE.test(value)) {
				errors.push({ field: code, code: 'INVALID_EMAIL', codes: ['INVALID_EMAIL'], description: `${value} is not a valid email address` });
			}
		}
		const keys = Object.entries(known).filter(([code, value]) => UNIQUE_CODE.test(code) && value !== '');
		if (keys.length === 0) {
			errors.push({ field: null, code: 'PROFILE_KEY_MISSING', description: 'No unique phone or email to find the profile by' });
		}
		if (errors.length) return { errors };

		const index = this.index.get(tenant.code) ?? new Map<string, MeheryProfile>();
		this.index.set(tenant.code, index);
		let profile = keys.map(([code, value]) => index.get(`${code}=${value}`)).find((found) => found !== undefined);
		if (profile === undefined) {
			profile = { profileId: `prf-${++this.sequence}` };
			const list = this.store.get(tenant.code) ?? [];
			list.push(profile);
			this.store.set(tenant.code, list);
		}
		for (const [code, value] of Object.entries(known)) if (value !== '') profile[code] = value;
		for (const [code, value] of keys) index.set(`${code}=${value}`, profile);
		this.counters.updates += 1;
		return { profile };
	}
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	if (value === undefined) return undefined;
	return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

type Parsed = { params: Record<string, unknown> } | { problem: string; status: number; code: string };

function parseParams(contentType: string, raw: Buffer): Parsed {
	const type = contentType.split(';')[0].trim().toLowerCase();
	const text = raw.toString('utf8');
	if (type === 'application/json') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return { problem: 'Malformed JSON body', status: 400, code: 'BAD_REQUEST' };
		}
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			return { problem: 'The body must be a JSON object of field codes', status: 400, code: 'BAD_REQUEST' };
		}
		return { params: parsed as Record<string, unknown> };
	}
	if (type === 'application/x-www-form-urlencoded') {
		return { params: Object.fromEntries(new URLSearchParams(text)) };
	}
	if (type === 'multipart/form-data') {
		const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
		if (boundary === null) return { problem: 'Multipart body without boundary', status: 400, code: 'BAD_REQUEST' };
		return parseMultipart(text, boundary[1] ?? boundary[2].trim());
	}
	// Choice: an empty body without content type is an empty parameter set, as a form servlet reads it.
	if (text.trim() === '') return { params: {} };
	return { problem: `Content type '${contentType}' not supported`, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' };
}

function parseMultipart(text: string, boundary: string): Parsed {
	const params: Record<string, unknown> = {};
	const delimiter = `--${boundary}`;
	const closing = text.indexOf(`${delimiter}--`);
	if (!text.startsWith(delimiter) || closing === -1) return { problem: 'Malformed multipart body', status: 400, code: 'BAD_REQUEST' };
	const parts = text.slice(delimiter.length, closing).split(`\r\n${delimiter}`);
	for (const part of parts) {
		const separator = part.indexOf('\r\n\r\n');
		if (separator === -1) return { problem: 'Malformed multipart part', status: 400, code: 'BAD_REQUEST' };
		const head = part.slice(0, separator);
		let value = part.slice(separator + 4);
		if (value.endsWith('\r\n')) value = value.slice(0, -2);
		const name = /name="([^"]*)"/i.exec(head);
		if (name === null) return { problem: 'Multipart part without name', status: 400, code: 'BAD_REQUEST' };
		params[name[1].replace(/%22/g, '"').replace(/%0D/g, '\r').replace(/%0A/g, '\n')] = value;
	}
	return { params };
}
