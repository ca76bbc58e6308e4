/**
 * The sending side of the Zoho CRM double: the Notifications API (`actions/watch` enable,
 * details, update, disable, with channel expiry and its maximum), notifications POSTed to the
 * notify URL when a spec changes records in the double, workflow-rule webhooks in each body type
 * of seed 003, and record reads by ids (`GET /<Module>?ids=…&fields=…`). Attach it to a
 * ZohoDouble: `new ZohoNotifications(zoho, options)`.
 *
 * Faithful where Zoho is ugly:
 * - a channel asked for an expiry past the maximum (one week in v4+, one day in v2–v3), or for
 *   none, silently lives one hour; an expired channel sends nothing and is gone from details;
 * - expiries are answered in the org's zone (+05:30 here), not UTC;
 * - one notification carries every id of one change (several per bulk upsert or update);
 * - the channel's token is echoed in every notification, whoever receives it;
 * - a notification or webhook that fails (non-2xx, refused, no answer in 10 s) is sent once more
 *   after `retryDelayMs` (Zoho: 15 minutes) and then never again;
 * - a record read without `fields` is refused (required from v3), more than 100 ids or 50 fields
 *   too, and a read that finds none of the ids is 204 with no body.
 *
 * Every record change the double makes is sent: an API upsert too (Zoho notifies for API writes),
 * with Modified_Time bumped, also when the upsert changed no value (unknown publicly; the unkind
 * option). A spec edits "in Zoho's UI" with zoho.createRecords / updateRecords.
 * How long Zoho takes to send is not published: `hold()` keeps deliveries back and `release()`
 * sends them in order, so a spec decides which of two racing changes arrives first.
 *
 * Dependency-free (node:http, node:url) so the benchmark can load it.
 */
import { request as httpRequest } from 'node:http';

import type { Answer, ZohoDouble, ZohoModule, ZohoRecordChange } from './zohoDouble';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
const ORG_OFFSET_MINUTES = 330;
const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_TOKEN_CHARS = 50;
const MAX_IDS_PER_READ = 100;
const MAX_FIELDS_PER_READ = 50;
/** Zoho refuses a user-defined body longer than this when the webhook is saved. */
export const MAX_USER_DEFINED_BODY_CHARS = 10_000;

export interface ZohoNotificationsOptions {
	/** Zoho's maximum channel life. Default: one week (API v4 and later). */
	maxChannelLifetimeMs?: number;
	/** The life of a channel asked for no expiry or one past the maximum. Default: one hour. */
	fallbackLifetimeMs?: number;
	/** The delay before the one retry of a failed delivery. Default: 15 minutes, as Zoho. */
	retryDelayMs?: number;
	/**
	 * Where a request to a notify URL lands: the load balancer in front of a queue-mode n8n, which
	 * sends the public webhook URL to the webhook process. Default: the URL itself.
	 */
	route?: (url: string) => string;
}

export interface WatchChannel {
	channelId: number;
	events: string[];
	notifyUrl: string;
	token?: string;
	expiresAt: number;
	region: string;
	/** What happened to the channel, oldest first: the renewal figure of the README comes from here. */
	history: Array<{ at: number; action: 'enabled' | 'updated' | 'disabled'; expiresAt: number; askedExpiry?: string }>;
}

export interface Delivery {
	kind: 'notification' | 'workflowRule';
	url: string;
	method: string;
	attempt: 1 | 2;
	at: number;
	body: string;
	headers: Record<string, string>;
	/** The receiver's status; undefined when the connection failed or timed out. */
	status?: number;
	/** The receiver's answer body (Zoho ignores it; specs read it). */
	answer?: string;
	error?: string;
}

export type WorkflowRuleBodyType = 'form-data' | 'form-urlencoded' | 'json' | 'xml' | 'query';

export interface WorkflowRuleWebhook {
	url: string;
	method: 'POST' | 'GET';
	/** How the parameters travel: form-data or form-urlencoded body, a user-defined JSON or XML body
	 * (`template` with `${Module.API_Name}` merge fields), or only the query string (`query`). */
	bodyType: WorkflowRuleBodyType;
	/** Entity parameters: name → API name of the record's field, merged per record. */
	entityParams: Record<string, string>;
	/** Custom parameters (tokens), sent as configured. */
	customParams?: Record<string, string>;
	/** For json / xml: the user-defined body. Merge fields `${Contacts.Email}` are replaced. */
	template?: string;
	headers?: Record<string, string>;
	/** How dates and date-times are written (Zoho: chosen per webhook). Default: as stored. */
	formatValue?: (apiName: string, value: unknown) => string;
}

export interface WorkflowRule {
	module: ZohoModule;
	on: Array<'create' | 'edit'>;
	webhook: WorkflowRuleWebhook;
}

function orgTime(milliseconds: number): string {
	const local = new Date(milliseconds + ORG_OFFSET_MINUTES * 60_000).toISOString().slice(0, 19);
	const sign = ORG_OFFSET_MINUTES >= 0 ? '+' : '-';
	const abs = Math.abs(ORG_OFFSET_MINUTES);
	return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function watchError(code: string, message: string, details: Record<string, unknown>): Answer {
	return { status: 400, body: { watch: [{ code, details, message, status: 'error' }] } };
}

const OPERATION_OF: Record<string, 'insert' | 'update' | 'delete'> = { create: 'insert', edit: 'update', delete: 'delete' };

export class ZohoNotifications {
	readonly channels = new Map<number, WatchChannel>();
	readonly deliveries: Delivery[] = [];
	private readonly rules: WorkflowRule[] = [];
	private readonly maxLifetimeMs: number;
	private readonly fallbackLifetimeMs: number;
	private readonly retryDelayMs: number;
	private readonly route: (url: string) => string;
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private readonly inFlight = new Set<Promise<void>>();
	private holding = false;
	private readonly held: Array<{ request: Omit<Delivery, 'attempt' | 'at'>; attempt: 1 | 2 }> = [];

	constructor(
		private readonly zoho: ZohoDouble,
		options: ZohoNotificationsOptions = {},
	) {
		this.maxLifetimeMs = options.maxChannelLifetimeMs ?? 7 * DAY_MS;
		this.fallbackLifetimeMs = options.fallbackLifetimeMs ?? HOUR_MS;
		this.retryDelayMs = options.retryDelayMs ?? 15 * 60_000;
		this.route = options.route ?? ((url) => url);
		zoho.extendApi({
			handles: (resource) => resource === 'actions/watch' || /^(Contacts|Leads)$/i.test(resource),
			answer: (request) => (request.resource === 'actions/watch' ? this.answerWatch(request) : this.answerRead(request)),
		});
		zoho.onRecordChange((change) => this.notify(change));
	}

	/** Channels still alive now. */
	liveChannels(now = Date.now()): WatchChannel[] {
		return [...this.channels.values()].filter((channel) => channel.expiresAt > now);
	}

	/** Adds a workflow rule whose webhook fires when a record of `module` is created or edited. */
	addWorkflowRule(rule: WorkflowRule): void {
		if (rule.webhook.template !== undefined && rule.webhook.template.length > MAX_USER_DEFINED_BODY_CHARS) {
			throw new Error(`Zoho refuses a user-defined body over ${MAX_USER_DEFINED_BODY_CHARS} characters`);
		}
		this.rules.push(rule);
	}

	/** Resolves once every delivery started so far (retries not yet due excluded) has its answer. */
	async settled(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
	}

	/** Keeps every delivery from now on back (first tries and retries) until release(). */
	hold(): void {
		this.holding = true;
	}

	/** Deliveries held back so far. */
	get heldCount(): number {
		return this.held.length;
	}

	/** Sends the held deliveries in the order they were made, and stops holding. */
	release(): void {
		this.holding = false;
		for (const { request, attempt } of this.held.splice(0)) this.deliver(request, attempt);
	}

	/** Failed deliveries whose one retry is not yet due. */
	get pendingRetries(): number {
		return this.timers.size;
	}

	/** Cancels pending retries. */
	stop(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	// -------------------------------------------------------------------------------------------
	// actions/watch

	private expiryFor(asked: unknown, now: number): number {
		const at = typeof asked === 'string' ? Date.parse(asked) : NaN;
		// Past the maximum or absent: one hour, without a word.
		if (!Number.isFinite(at) || at - now > this.maxLifetimeMs) return now + this.fallbackLifetimeMs;
		return at;
	}

	private answerWatch(request: { method: string; url: URL; region: string; raw: string }): Answer {
		const now = Date.now();
		switch (request.method) {
			case 'GET': {
				const id = request.url.searchParams.get('channel_id');
				const module = request.url.searchParams.get('module');
				const found = this.liveChannels(now).filter(
					(channel) => (id === null || String(channel.channelId) === id) && (module === null || channel.events.some((event) => event.startsWith(`${module}.`))),
				);
				if (found.length === 0) return { status: 204, body: '' };
				return {
					status: 200,
					body: {
						watch: found.map((channel) => ({
							notify_on_related_action: false,
							channel_expiry: orgTime(channel.expiresAt),
							resource_uri: `${this.zoho.apiUrl(channel.region)}/crm/v8/${channel.events[0].split('.')[0]}`,
							resource_id: '5725767000000002175',
							notify_url: channel.notifyUrl,
							resource_name: channel.events[0].split('.')[0],
							// Details answer the id as a string, enable as a number.
							channel_id: String(channel.channelId),
							events: channel.events,
							token: channel.token ?? null,
						})),
						info: { per_page: 200, count: found.length, page: 1, more_records: false },
					},
				};
			}
			case 'DELETE': {
				const ids = (request.url.searchParams.get('channel_ids') ?? '').split(',').filter(Boolean);
				if (ids.length === 0) return watchError('REQUIRED_PARAM_MISSING', 'required param missing', { param: 'channel_ids' });
				return {
					status: 200,
					body: {
						watch: ids.map((id) => {
							const channel = this.channels.get(Number(id));
							if (!channel || channel.expiresAt <= now) {
								return { code: 'INVALID_DATA', details: { channel_id: id }, message: 'invalid channel id', status: 'error' };
							}
							channel.history.push({ at: now, action: 'disabled', expiresAt: now });
							channel.expiresAt = now;
							return { code: 'SUCCESS', details: { channel_id: id }, message: 'Successfully unsubscribed from actions-watch', status: 'success' };
						}),
					},
				};
			}
			case 'POST':
			case 'PUT':
			case 'PATCH':
				return this.writeWatch(request.method, request.raw, request.region, now);
			default:
				return { status: 400, body: { code: 'INVALID_REQUEST_METHOD', details: {}, message: 'The http request method type is not a valid one', status: 'error' } };
		}
	}

	private writeWatch(method: string, raw: string, region: string, now: number): Answer {
		let body: unknown;
		try {
			body = JSON.parse(raw);
		} catch {
			return { status: 400, body: { code: 'INVALID_DATA', details: {}, message: 'the request body is not a valid JSON', status: 'error' } };
		}
		const entry = (body as { watch?: unknown[] })?.watch?.[0] as Record<string, unknown> | undefined;
		if (!entry || typeof entry !== 'object') return watchError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'watch' });
		if (typeof entry.channel_id !== 'number' || !Number.isSafeInteger(entry.channel_id)) {
			return watchError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'channel_id' });
		}
		const events = entry.events;
		if (!Array.isArray(events) || events.length === 0 || !events.every((event) => typeof event === 'string' && /^(Contacts|Leads)\.(create|edit|delete|all)$/.test(event))) {
			return watchError('INVALID_DATA', 'invalid data', { api_name: 'events' });
		}
		if (typeof entry.token === 'string' && entry.token.length > MAX_TOKEN_CHARS) return watchError('INVALID_DATA', 'invalid data', { api_name: 'token', maximum_length: MAX_TOKEN_CHARS });
		const existing = this.channels.get(entry.channel_id);
		if (method !== 'POST' && (!existing || existing.expiresAt <= now)) return watchError('INVALID_DATA', 'invalid data', { api_name: 'channel_id' });
		const notifyUrl = typeof entry.notify_url === 'string' ? entry.notify_url : existing?.notifyUrl;
		if (!notifyUrl) return watchError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'notify_url' });
		if (typeof entry.channel_expiry === 'string' && Date.parse(entry.channel_expiry) <= now) return watchError('INVALID_DATA', 'invalid data', { api_name: 'channel_expiry' });
		const expiresAt = this.expiryFor(entry.channel_expiry, now);
		const channel: WatchChannel = {
			channelId: entry.channel_id,
			events: events as string[],
			notifyUrl,
			token: typeof entry.token === 'string' ? entry.token : method === 'PATCH' ? existing?.token : undefined,
			expiresAt,
			region,
			history: existing?.history ?? [],
		};
		channel.history.push({
			at: now,
			action: method === 'POST' && (!existing || existing.expiresAt <= now) ? 'enabled' : 'updated',
			expiresAt,
			askedExpiry: typeof entry.channel_expiry === 'string' ? entry.channel_expiry : undefined,
		});
		this.channels.set(channel.channelId, channel);
		const module = channel.events[0].split('.')[0];
		return {
			status: 200,
			body: {
				watch: [
					{
						code: 'SUCCESS',
						details: {
							events: [
								{
									channel_expiry: orgTime(expiresAt),
									resource_uri: `${this.zoho.apiUrl(region)}/crm/v8/${module}`,
									resource_id: '5725767000000002175',
									resource_name: module,
									channel_id: channel.channelId,
								},
							],
						},
						message: method === 'POST' ? 'Successfully subscribed for actions-watch of the given module' : 'Successfully updated the subscribe details',
						status: 'success',
					},
				],
			},
		};
	}

	// -------------------------------------------------------------------------------------------
	// Record reads by ids

	private answerRead(request: { method: string; url: URL; region: string; resource: string }): Answer {
		if (request.method !== 'GET') return { status: 400, body: { code: 'INVALID_REQUEST_METHOD', details: {}, message: 'The http request method type is not a valid one', status: 'error' } };
		const module = (['Contacts', 'Leads'] as const).find((name) => name.toLowerCase() === request.resource.toLowerCase()) as ZohoModule;
		const fieldsParam = request.url.searchParams.get('fields');
		if (!fieldsParam) return { status: 400, body: { code: 'REQUIRED_PARAM_MISSING', details: { param: 'fields' }, message: 'One of the expected parameter is missing', status: 'error' } };
		const fields = fieldsParam.split(',').filter(Boolean);
		if (fields.length > MAX_FIELDS_PER_READ) return { status: 400, body: { code: 'LIMIT_EXCEEDED', details: { param: 'fields', limit: MAX_FIELDS_PER_READ }, message: 'limit exceeded', status: 'error' } };
		const ids = (request.url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
		if (ids.length > MAX_IDS_PER_READ) return { status: 400, body: { code: 'LIMIT_EXCEEDED', details: { param: 'ids', limit: MAX_IDS_PER_READ }, message: 'limit exceeded', status: 'error' } };
		const stored = this.zoho.records(module, request.region);
		const found = stored.filter((record) => ids.length === 0 || ids.includes(record.id));
		if (found.length === 0) return { status: 204, body: '' };
		const data = found.map((record) => {
			const picked: Record<string, unknown> = { id: record.id };
			// Zoho answers every field asked for, null when the record has no value.
			for (const field of fields) picked[field] = record[field] ?? null;
			return picked;
		});
		return { status: 200, body: { data, info: { per_page: 200, count: data.length, page: 1, more_records: false } } };
	}

	// -------------------------------------------------------------------------------------------
	// Sending

	private notify(change: ZohoRecordChange): void {
		const now = Date.now();
		const operationName = Object.entries(OPERATION_OF).find(([, operation]) => operation === change.operation)?.[0] as string;
		for (const channel of this.liveChannels(now)) {
			if (channel.region !== change.region) continue;
			if (!channel.events.some((event) => event === `${change.module}.${operationName}` || event === `${change.module}.all`)) continue;
			const url = new URL(channel.notifyUrl);
			const body: Record<string, unknown> = {
				server_time: now,
				query_params: Object.fromEntries(url.searchParams),
				module: change.module,
				resource_uri: `${this.zoho.apiUrl(change.region)}/crm/v8/${change.module}`,
				ids: change.ids,
				operation: change.operation,
				channel_id: channel.channelId,
				token: channel.token ?? null,
			};
			if (change.operation === 'update') body.affected_fields = change.ids.map((id) => ({ [id]: change.affectedFields[id] ?? [] }));
			this.deliver({ kind: 'notification', url: channel.notifyUrl, method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
		}
		if (change.operation === 'delete') return;
		const on = change.operation === 'insert' ? 'create' : 'edit';
		for (const rule of this.rules) {
			if (rule.module !== change.module || !rule.on.includes(on)) continue;
			const records = this.zoho.records(change.module, change.region).filter((record) => change.ids.includes(record.id));
			// A workflow rule fires once per record.
			for (const record of records) this.deliver(workflowRuleRequest(rule, record));
		}
	}

	/** Sends a workflow-rule webhook for `record` now, as the rule would (for specs that pick the moment). */
	fireWorkflowRule(rule: WorkflowRule, record: Record<string, unknown>): void {
		this.deliver(workflowRuleRequest(rule, record));
	}

	private deliver(request: Omit<Delivery, 'attempt' | 'at'>, attempt: 1 | 2 = 1): void {
		if (this.holding) {
			this.held.push({ request, attempt });
			return;
		}
		const sending = this.send({ ...request, attempt, at: Date.now() }).then((delivery) => {
			const failed = delivery.status === undefined || delivery.status < 200 || delivery.status >= 300;
			if (failed && attempt === 1) {
				const timer = setTimeout(() => {
					this.timers.delete(timer);
					this.deliver(request, 2);
				}, this.retryDelayMs);
				this.timers.add(timer);
			}
		});
		this.inFlight.add(sending);
		void sending.finally(() => this.inFlight.delete(sending));
	}

	private send(delivery: Delivery): Promise<Delivery> {
		this.deliveries.push(delivery);
		return new Promise((resolve) => {
			const bytes = Buffer.from(delivery.body, 'utf8');
			const req = httpRequest(
				this.route(delivery.url),
				{
					method: delivery.method,
					headers: { ...delivery.headers, ...(bytes.length ? { 'content-length': String(bytes.length) } : {}), 'user-agent': 'ZohoCRM-Webhook' },
					timeout: DELIVERY_TIMEOUT_MS,
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						delivery.status = res.statusCode;
						delivery.answer = Buffer.concat(chunks).toString('utf8');
						resolve(delivery);
					});
				},
			);
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (error) => {
				delivery.error = error.message;
				resolve(delivery);
			});
			req.end(bytes.length ? bytes : undefined);
		});
	}
}

function merge(template: string, record: Record<string, unknown>, format: (apiName: string, value: unknown) => string, escape: (text: string) => string): string {
	return template.replace(/\$\{[A-Za-z]+\.([A-Za-z0-9_ ]+)\}/g, (_whole, apiName: string) => escape(format(apiName.trim(), record[apiName.trim()])));
}

const asText = (_apiName: string, value: unknown) => (value === null || value === undefined ? '' : String(value));
const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);
const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The request a workflow rule's webhook sends for `record`. */
export function workflowRuleRequest(rule: WorkflowRule, record: Record<string, unknown>): Omit<Delivery, 'attempt' | 'at'> {
	const { webhook } = rule;
	const format = webhook.formatValue ?? asText;
	const params = new URLSearchParams();
	for (const [name, apiName] of Object.entries(webhook.entityParams)) params.append(name, format(apiName, record[apiName]));
	for (const [name, value] of Object.entries(webhook.customParams ?? {})) params.append(name, value);
	const url = new URL(webhook.url);
	const headers: Record<string, string> = { ...webhook.headers };
	let body = '';
	const inQuery = webhook.method === 'GET' || webhook.bodyType === 'query' || webhook.bodyType === 'json' || webhook.bodyType === 'xml';
	if (inQuery) for (const [name, value] of params) url.searchParams.append(name, value);
	if (webhook.method === 'POST') {
		switch (webhook.bodyType) {
			case 'form-urlencoded':
				headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
				body = params.toString();
				break;
			case 'form-data': {
				const boundary = `----ZohoBoundary${Math.random().toString(16).slice(2)}`;
				headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
				body = [...params].map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
				break;
			}
			case 'json':
				headers['content-type'] = 'application/json';
				body = merge(webhook.template ?? '{}', record, format, jsonEscape);
				break;
			case 'xml':
				headers['content-type'] = 'application/xml';
				body = merge(webhook.template ?? '<record/>', record, format, xmlEscape);
				break;
			case 'query':
				break;
		}
	}
	return { kind: 'workflowRule', url: url.toString(), method: webhook.method, body, headers };
}
