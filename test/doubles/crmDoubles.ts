/**
 * Local HTTP doubles of the Generic CRM Webhook's targets, on one 127.0.0.1 server, for jest
 * specs and the benchmark. Each reproduces the contract of external-apis.md ("Generic CRM
 * targets"), unkind parts included; where the public record is silent the choice is marked
 * "Choice:".
 *
 *   Salesforce Web-to-Lead  POST {base}/salesforce/servlet/servlet.WebToLead?encoding=UTF-8
 *   HubSpot                 POST {base}/hubspot/crm/v3/objects/contacts[/batch/upsert]
 *   Pipedrive               POST {base}/pipedrive/v1/persons
 *   Zapier catch hook       POST {base}/zapier/hooks/catch/{account}/{hook}/
 *   Custom endpoint         any  {base}/custom/{anything}; GET answers a "thank you" page
 *
 * Dependency-free (node:http, node:crypto) so a plain node benchmark can load it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface ReceivedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	rawBody: string;
	/** JSON, form or multipart fields, parsed by Content-Type. */
	fields: Record<string, unknown>;
}

/** What the custom endpoint does with a lead, chosen per email. */
export type CustomScript =
	| { kind: 'fail'; times: number; status: number; body?: unknown; headers?: Record<string, string> }
	| { kind: 'redirect'; status: number; location: string; /** Only the first N requests; default all. */ times?: number }
	/**
	 * Post/Redirect/Get, as web forms and some CRMs do it: the lead is stored, then the answer is
	 * `status` with a Location (`{id}` replaced by the new lead's id). Only the first N requests;
	 * default all: a POST that follows the redirect is one more lead.
	 */
	| { kind: 'postRedirectGet'; status: number; location: string; times?: number }
	/** The status and headers (e.g. 303 or 304 without a Location) with an empty body, storing nothing. */
	| { kind: 'bare'; status: number; headers?: Record<string, string> }
	| { kind: 'hang' }
	/**
	 * The lead is stored, then the connection is dropped unanswered: a create the CRM applied
	 * while its answer was lost. Only the first N requests; default all.
	 */
	| { kind: 'storeThenDrop'; times?: number }
	| { kind: 'answer'; status: number; body: unknown };

export interface CrmDoublesOptions {
	/** Added to every answer (not to hangs). Default 0. */
	latencyMs?: number;
	hubspotToken?: string;
	pipedriveToken?: string;
	salesforceOrgId?: string;
	/** Web-to-Lead's daily cap. Default 500. */
	salesforceDailyLimit?: number;
	/** Known catch hooks, "account/hook". Default ['123456/abcdef']. */
	zapierHooks?: string[];
}

export interface StoredContact {
	id: string;
	properties: Record<string, unknown>;
}

function parseFields(contentType: string, raw: string): Record<string, unknown> {
	if (raw === '') return {};
	if (contentType.includes('application/json')) {
		try {
			const parsed = JSON.parse(raw) as unknown;
			return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
		} catch {
			return { __invalidJson: raw };
		}
	}
	if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
	const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
	if (contentType.includes('multipart/form-data') && boundary) {
		const fields: Record<string, unknown> = {};
		for (const part of raw.split(`--${boundary}`)) {
			const match = /name="([^"]*)"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
			if (match) fields[match[1]] = match[2];
		}
		return fields;
	}
	return {};
}

export class CrmDoubles {
	private server?: Server;
	private readonly openSockets = new Set<import('node:net').Socket>();
	private nextId = 1000;
	readonly options: Required<CrmDoublesOptions>;

	/** Every request received, any path, in arrival order. */
	readonly requests: ReceivedRequest[] = [];
	/** Web-to-Lead leads Salesforce created, and the errors it emailed to the org admin instead. */
	readonly salesforceLeads: Array<Record<string, unknown>> = [];
	readonly salesforceAdminEmails: string[] = [];
	/** HubSpot contacts by lowercased email. */
	readonly hubspotContacts = new Map<string, StoredContact>();
	readonly pipedrivePersons: Array<Record<string, unknown>> = [];
	readonly zapierEvents: Array<Record<string, unknown>> = [];
	/** Leads the custom endpoint accepted, every arrival (duplicates included). */
	readonly customLeads: Array<Record<string, unknown>> = [];

	private readonly customScripts = new Map<string, CustomScript>();
	private readonly customAttempts = new Map<string, number>();
	private hubspotRateLimited = 0;
	private pipedriveRateLimited = 0;
	private pipedriveEnvelopeFailures = 0;
	private inFlight = 0;
	/** Highest number of requests in flight at once. */
	peakInFlight = 0;

	constructor(options: CrmDoublesOptions = {}) {
		this.options = {
			latencyMs: options.latencyMs ?? 0,
			hubspotToken: options.hubspotToken ?? 'pat-na1-double-token',
			pipedriveToken: options.pipedriveToken ?? 'pipedrive-double-token',
			salesforceOrgId: options.salesforceOrgId ?? '00D5g000004TEST',
			salesforceDailyLimit: options.salesforceDailyLimit ?? 500,
			zapierHooks: options.zapierHooks ?? ['123456/abcdef'],
		};
	}

	get baseUrl(): string {
		const address = this.server?.address() as AddressInfo | undefined;
		if (!address) throw new Error('the CRM doubles are not started');
		return `http://127.0.0.1:${address.port}`;
	}

	salesforceUrl(): string {
		return `${this.baseUrl}/salesforce/servlet/servlet.WebToLead?encoding=UTF-8`;
	}
	hubspotUrl(): string {
		return `${this.baseUrl}/hubspot`;
	}
	pipedriveUrl(): string {
		return `${this.baseUrl}/pipedrive/v1/persons`;
	}
	zapierUrl(hook = this.options.zapierHooks[0]): string {
		return `${this.baseUrl}/zapier/hooks/catch/${hook}/`;
	}
	customUrl(path = 'leads'): string {
		return `${this.baseUrl}/custom/${path}`;
	}

	/** The custom endpoint's behaviour for leads with this email (lowercased). */
	scriptCustom(email: string, script: CustomScript): void {
		this.customScripts.set(email.toLowerCase(), script);
	}
	/** The next `count` HubSpot calls answer 429 with HubSpot's rate-limit headers and body. */
	rateLimitHubspot(count: number): void {
		this.hubspotRateLimited = count;
	}
	rateLimitPipedrive(count: number): void {
		this.pipedriveRateLimited = count;
	}
	/** The next `count` Pipedrive creates answer 200 with {success:false}. */
	failPipedriveEnvelope(count: number): void {
		this.pipedriveEnvelopeFailures = count;
	}
	/** Leads with this email the custom endpoint stored (a duplicate counts twice). */
	customLeadsFor(email: string): Array<Record<string, unknown>> {
		return this.customLeads.filter((lead) => String(lead.email ?? '').toLowerCase() === email.toLowerCase());
	}
	customAttemptsFor(email: string): number {
		return this.customAttempts.get(email.toLowerCase()) ?? 0;
	}
	requestsTo(prefix: string): ReceivedRequest[] {
		return this.requests.filter((request) => request.path.startsWith(prefix));
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		this.server.keepAliveTimeout = 60_000;
		this.server.on('connection', (socket) => {
			this.openSockets.add(socket);
			socket.on('close', () => this.openSockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		for (const socket of this.openSockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://double');
		const headers: Record<string, string> = {};
		for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(', ') : String(value ?? '');
		const request: ReceivedRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers,
			rawBody,
			fields: parseFields(headers['content-type'] ?? '', rawBody),
		};
		this.requests.push(request);
		this.inFlight++;
		this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
		try {
			if (request.path.startsWith('/custom/')) {
				const script = this.customScriptFor(request);
				if (script?.kind === 'hang') {
					const email = String(request.fields.email ?? '').toLowerCase();
					this.customAttempts.set(email, (this.customAttempts.get(email) ?? 0) + 1);
					return; // never answered; the client's timeout ends it
				}
				if (script?.kind === 'storeThenDrop') {
					const email = String(request.fields.email ?? '').toLowerCase();
					const attempt = (this.customAttempts.get(email) ?? 0) + 1;
					if (attempt <= (script.times ?? Infinity)) {
						this.customAttempts.set(email, attempt);
						this.customLeads.push({ ...request.fields });
						req.socket.destroy();
						return;
					}
				}
			}
			if (this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
			const answer = this.route(request);
			res.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
			res.end(answer.body);
		} finally {
			this.inFlight--;
		}
	}

	private route(request: ReceivedRequest): { status: number; contentType: string; headers?: Record<string, string>; body: string } {
		const json = (status: number, body: unknown, headers?: Record<string, string>) => ({
			status,
			contentType: 'application/json; charset=utf-8',
			headers,
			body: JSON.stringify(body),
		});
		const { path } = request;
		if (path === '/salesforce/servlet/servlet.WebToLead') return this.salesforce(request);
		if (path.startsWith('/hubspot/')) return this.hubspot(request, json);
		if (path === '/pipedrive/v1/persons') return this.pipedrive(request, json);
		const zapier = /^\/zapier\/hooks\/catch\/([^/]+\/[^/]+)\/?$/.exec(path);
		if (zapier) return this.zapier(request, zapier[1], json);
		if (path.startsWith('/custom/')) return this.custom(request, json);
		return json(404, { error: 'not found' });
	}

	/** Web-to-Lead: 200 with an HTML page whatever happens; what went wrong is emailed to the admin. */
	private salesforce(request: ReceivedRequest) {
		const page = (note: string) => ({
			status: 200,
			contentType: 'text/html;charset=UTF-8',
			body: `<html><head><meta http-equiv="Refresh" content="0; URL=https://www.salesforce.com"></head><body><!-- ${note} --></body></html>`,
		});
		const fields = request.fields as Record<string, string>;
		if (request.method !== 'POST') return page('ignored');
		if (fields.oid !== this.options.salesforceOrgId) {
			this.salesforceAdminEmails.push(`Web-to-Lead post with unknown oid ${String(fields.oid)} ignored`);
			return page('');
		}
		if (this.salesforceLeads.length >= this.options.salesforceDailyLimit) {
			this.salesforceAdminEmails.push('Web-to-Lead daily limit exceeded; lead stored in the pending queue');
			return page('');
		}
		// Choice: like a Lead without LastName/Company validation rules; the admin hears of an invalid email.
		if (fields.email && !/^[^@\s]+@[^@\s]+$/.test(fields.email)) {
			this.salesforceAdminEmails.push(`Web-to-Lead: invalid email ${fields.email}`);
			return page('');
		}
		this.salesforceLeads.push({ ...fields });
		return page('');
	}

	private hubspot(request: ReceivedRequest, json: (s: number, b: unknown, h?: Record<string, string>) => ReturnType<CrmDoubles['route']>) {
		const auth = request.headers.authorization ?? '';
		if (auth !== `Bearer ${this.options.hubspotToken}`) {
			return json(401, {
				status: 'error',
				message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
				correlationId: randomUUID(),
				category: 'INVALID_AUTHENTICATION',
			});
		}
		const rateHeaders = {
			'x-hubspot-ratelimit-daily': '250000',
			'x-hubspot-ratelimit-daily-remaining': '249000',
			'x-hubspot-ratelimit-interval-milliseconds': '10000',
			'x-hubspot-ratelimit-max': '100',
			'x-hubspot-ratelimit-remaining': this.hubspotRateLimited > 0 ? '0' : '90',
			'x-hubspot-ratelimit-secondly': '10',
			'x-hubspot-ratelimit-secondly-remaining': this.hubspotRateLimited > 0 ? '0' : '9',
		};
		if (this.hubspotRateLimited > 0) {
			this.hubspotRateLimited--;
			return json(
				429,
				{
					status: 'error',
					message: 'You have reached your ten_secondly_rolling limit.',
					errorType: 'RATE_LIMIT',
					correlationId: randomUUID(),
					policyName: 'TEN_SECONDLY_ROLLING',
					groupName: 'publicapi:private-app:app-id:0',
				},
				{ ...rateHeaders, 'retry-after': '1' },
			);
		}
		const body = request.fields as Record<string, unknown>;
		if (request.path === '/hubspot/crm/v3/objects/contacts' && request.method === 'POST') {
			const properties = (body.properties ?? {}) as Record<string, unknown>;
			const email = String(properties.email ?? '').toLowerCase();
			const existing = email ? this.hubspotContacts.get(email) : undefined;
			if (existing) {
				return json(
					409,
					{
						status: 'error',
						message: `Contact already exists. Existing ID: ${existing.id}`,
						correlationId: randomUUID(),
						category: 'CONFLICT',
					},
					rateHeaders,
				);
			}
			const contact = { id: String(this.nextId++), properties: { ...properties, email } };
			if (email) this.hubspotContacts.set(email, contact);
			return json(201, { id: contact.id, properties: contact.properties, createdAt: new Date().toISOString(), archived: false }, rateHeaders);
		}
		if (request.path === '/hubspot/crm/v3/objects/contacts/batch/upsert' && request.method === 'POST') {
			const inputs = Array.isArray(body.inputs) ? (body.inputs as Array<Record<string, unknown>>) : [];
			if (inputs.length === 0 || inputs.length > 100) {
				return json(400, {
					status: 'error',
					message: inputs.length ? 'Batch size exceeds the limit of 100' : 'Invalid input JSON',
					category: 'VALIDATION_ERROR',
					correlationId: randomUUID(),
				});
			}
			// HubSpot refuses the whole batch when an id appears twice (compared case-insensitively for emails).
			const ids = inputs.map((input) => String(input.id ?? '').toLowerCase());
			const duplicates = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
			if (duplicates.length) {
				return json(400, {
					status: 'error',
					message: `Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`,
					correlationId: randomUUID(),
					context: { ids: duplicates },
					category: 'VALIDATION_ERROR',
				});
			}
			const started = new Date().toISOString();
			const results = inputs.map((input) => {
				const email = String(input.id ?? '').toLowerCase();
				const properties = (input.properties ?? {}) as Record<string, unknown>;
				const existing = this.hubspotContacts.get(email);
				const contact = existing
					? { id: existing.id, properties: { ...existing.properties, ...properties, email } }
					: { id: String(this.nextId++), properties: { ...properties, email } };
				this.hubspotContacts.set(email, contact);
				return { id: contact.id, properties: contact.properties, new: !existing, archived: false };
			});
			// HubSpot promises no order for batch results.
			results.reverse();
			return json(200, { status: 'COMPLETE', results, startedAt: started, completedAt: new Date().toISOString() }, rateHeaders);
		}
		return json(404, { status: 'error', message: 'Unable to route request', category: 'OBJECT_NOT_FOUND' });
	}

	private pipedrive(request: ReceivedRequest, json: (s: number, b: unknown, h?: Record<string, string>) => ReturnType<CrmDoubles['route']>) {
		const token = request.query.api_token ?? request.headers['x-api-token'];
		if (token !== this.options.pipedriveToken) {
			return json(401, {
				success: false,
				error: 'unauthorized access',
				errorCode: 401,
				error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
			});
		}
		const rateHeaders = { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': this.pipedriveRateLimited > 0 ? '0' : '79', 'x-ratelimit-reset': '2' };
		if (this.pipedriveRateLimited > 0) {
			this.pipedriveRateLimited--;
			return json(
				429,
				{ success: false, error: 'Request over limit', errorCode: 429, error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.' },
				rateHeaders,
			);
		}
		if (request.method !== 'POST') return json(405, { success: false, error: 'Method not allowed', errorCode: 405 });
		const fields = request.fields as Record<string, unknown>;
		if (!fields.name || String(fields.name).trim() === '') {
			return json(400, { success: false, error: 'Name must be given.', error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null });
		}
		if (this.pipedriveEnvelopeFailures > 0) {
			this.pipedriveEnvelopeFailures--;
			// Choice: the envelope failure seen behind proxies and for some validation paths: a 200 saying success:false.
			return json(200, { success: false, error: 'Person could not be saved', error_info: 'Internal validation failed', data: null }, rateHeaders);
		}
		const person = { id: this.nextId++, ...fields };
		this.pipedrivePersons.push(person);
		return json(201, { success: true, data: { ...person, add_time: new Date().toISOString() }, related_objects: {} }, rateHeaders);
	}

	private zapier(request: ReceivedRequest, hook: string, json: (s: number, b: unknown) => ReturnType<CrmDoubles['route']>) {
		if (!this.options.zapierHooks.includes(hook)) {
			// Choice: an unknown hook answers 404 with an HTML page, as Zapier does for a deleted Zap.
			return { status: 404, contentType: 'text/html', body: '<html><body>Not Found</body></html>' };
		}
		const id = randomUUID();
		this.zapierEvents.push({ ...request.fields });
		return json(200, { attempt: id, id, request_id: id, status: 'success' });
	}

	private customScriptFor(request: ReceivedRequest): CustomScript | undefined {
		const email = String((request.fields as Record<string, unknown>).email ?? '').toLowerCase();
		return this.customScripts.get(email);
	}

	/**
	 * The custom endpoint: echoes what it received (headers and query included, the way many
	 * debugging endpoints do), so specs see that excerpts redact what the CRM echoes.
	 */
	private custom(request: ReceivedRequest, json: (s: number, b: unknown, h?: Record<string, string>) => ReturnType<CrmDoubles['route']>) {
		// The page a Post/Redirect/Get sends the browser to: HTML, whatever the request asked for.
		if (request.method === 'GET') return { status: 200, contentType: 'text/html; charset=utf-8', body: '<html><body><h1>Thank you!</h1></body></html>' };
		const email = String((request.fields as Record<string, unknown>).email ?? '').toLowerCase();
		const attempt = (this.customAttempts.get(email) ?? 0) + 1;
		this.customAttempts.set(email, attempt);
		const script = this.customScripts.get(email);
		if (script?.kind === 'redirect' && attempt <= (script.times ?? Infinity)) return { status: script.status, contentType: 'text/plain', headers: { location: script.location }, body: 'moved' };
		if (script?.kind === 'answer') return json(script.status, script.body);
		if (script?.kind === 'bare') return { status: script.status, contentType: 'text/plain', headers: script.headers, body: '' };
		if (script?.kind === 'postRedirectGet' && attempt <= (script.times ?? Infinity)) {
			const id = `lead-${this.nextId++}`;
			this.customLeads.push({ ...request.fields });
			return { status: script.status, contentType: 'text/plain', headers: { location: script.location.replace('{id}', id) }, body: '' };
		}
		if (script?.kind === 'fail' && attempt <= script.times) {
			return json(script.status, script.body ?? { status: 'error', message: `temporary failure ${attempt}` }, script.headers);
		}
		const id = `lead-${this.nextId++}`;
		this.customLeads.push({ ...request.fields });
		return json(request.method === 'POST' ? 201 : 200, {
			status: 'ok',
			id,
			// The credential first, as debugging endpoints tend to print it.
			echo: { authorization: request.headers.authorization, query: request.query, method: request.method, headers: request.headers, fields: request.fields },
		});
	}
}
