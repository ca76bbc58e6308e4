/**
 * A local HTTP double of S-360's contact service in its REST-RPC form, for jest specs, the e2e
 * specs and the benchmark:
 *
 *   POST {baseUrl}/tnco/backend-apis/contactInformationPublicService/<version>/<method>
 *   Authorization: Bearer <HS256 JWT>
 *
 * Faithful to SecuTix's public pages, ugly parts included: the JWT is checked (signature with the
 * partner's secret, sub/aud/iss, iat in epoch MILLISECONDS and under `maxTokenAgeMs` old on
 * arrival, exp at most 30 s after iat, a clock skew allowance); calls beyond `limit` in any window
 * of `windowMs` per institution are refused with 509 (or 429), counted on ARRIVAL, refused ones
 * included (a client that hammers stays refused); a refusal is answered 200 with a statusCode
 * other than "success" (the 2xx-carrying-an-error S-360 answers with); a fault can store a contact
 * and then drop the connection (applied-then-dropped); latency is settable.
 *
 * Choices where the public record is silent (written down in the node's README section):
 * - saveIndividualContactData takes `{ individualContactData: ContactData }` and answers
 *   `{ statusCode: "success", contactNumber }`; a contactNumber in the ContactData updates that
 *   contact (unknown number: statusCode CONTACT_NOT_FOUND), none creates one.
 * - searchContact takes `{ searchCriteria: { email } }` and answers `{ statusCode: "success", contacts: [{ contactNumber }] }`.
 * - getContactData takes `{ contactNumber, details }`; an unknown number is `statusCode: CONTACT_NOT_FOUND` in a 200.
 * - A JWT problem is 401 `{ statusCode: "UNAUTHORIZED", statusDetail }`; a token for another
 *   institution than the host's is 403.
 * - Validation errors: `{ statusCode: "INVALID_DATA", statusDetail, field }` in a 200.
 *
 * S-360 is one system: a contact this double stores is what its firehose pushes. Every applied
 * save (a create, an update, a save whose connection was then dropped) and every spec-side
 * back-office edit (`editInBackOffice`) bumps the contact's lastModificationDate and is reported
 * to `onContactChange` listeners; an S360Sender given this double as `contacts` queues the contact
 * and reads its CURRENT data (`contactData`, the getContactData answer) when it sends.
 * Choice (unknown publicly, the unkind option): a save that changed nothing is queued too, like
 * any other save; a refused save (INVALID_DATA, CONTACT_NOT_FOUND ...) is not.
 * Choice: lastModificationDate is an ISO instant in UTC with milliseconds; opt-ins come back in
 * the v2_21 fixtures' form (`authorized` and `lastUpdate`), not the `value` the save sent;
 * individualContact and addresses come back under the names and in the form the save sent them.
 *
 * Dependency-free (node:http, node:crypto) so the benchmark can load it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const S360_REST_PREFIX = '/tnco/backend-apis/contactInformationPublicService/';

export interface S360Partner {
	institution: string;
	virtualOperator: string;
	partnerName: string;
	secret: string;
}

export interface S360ContactDoubleOptions {
	partner: S360Partner;
	/** More partners (e.g. one institution per spec, so each has its own window in the node's limiter). */
	partners?: S360Partner[];
	/** Calls per window per institution; the next is refused. Default 60 (the older per-endpoint limit). */
	limit?: number;
	/** Length of the window in ms. Default 60 000. */
	windowMs?: number;
	/** The status of a rate refusal: 509 today, 429 announced. Default 509. */
	rateStatus?: 509 | 429;
	/** When set, a rate refusal carries `Retry-After: <seconds>`. */
	retryAfterSeconds?: number;
	latencyMs?: number;
	/** How old a token's iat may be on arrival. Default 1000 ms (the REST standards page). */
	maxTokenAgeMs?: number;
	/** Allowance for the client's clock running ahead (an iat in the future). Default 1000 ms. */
	clockSkewMs?: number;
	versions?: string[];
}

export interface StoredContact {
	contactNumber: string;
	individualContact: Record<string, unknown>;
	addresses?: Array<Record<string, unknown>>;
	authorizations?: Array<Record<string, unknown>>;
	contactCriteria?: Array<Record<string, unknown>>;
	/** How many saves reached this contact (the create included). */
	saves: number;
	/** ISO instant of the contact's creation. */
	creationDate: string;
	/** ISO instant of the last applied save or back-office edit: what the firehose pushes as the change time. */
	lastModificationDate: string;
}

/** What a seed may leave out: the double numbers it and stamps it now. */
export type ContactSeedInput = Omit<StoredContact, 'saves' | 'contactNumber' | 'creationDate' | 'lastModificationDate'> &
	Partial<Pick<StoredContact, 'contactNumber' | 'creationDate' | 'lastModificationDate'>>;

/** A back-office edit: individualContact fields merged in, sections given replace the stored ones. */
export interface BackOfficeEdit {
	individualContact?: Record<string, unknown>;
	addresses?: Array<Record<string, unknown>>;
	authorizations?: Array<Record<string, unknown>>;
	contactCriteria?: Array<Record<string, unknown>>;
}

/** getContactData's ContactDataResult, as the firehose pushes it (before the details filter). */
export type ContactData = Record<string, unknown> & { contactNumber: string };

export interface S360Fault {
	/** Which method it applies to; default any. */
	method?: string;
	/** Store the contact (as a success would), then destroy the connection without an answer. */
	applyThenDrop?: boolean;
	/** Answer with this status and body instead (nothing applied). */
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	times?: number;
}

export interface RecordedCall {
	method: string;
	at: number;
	status: number;
	/** The decoded JWT claims, when a token came. */
	claims?: Record<string, unknown>;
	body: unknown;
	authorization?: string;
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export class S360ContactDouble {
	readonly calls: RecordedCall[] = [];
	readonly contacts = new Map<string, StoredContact>();
	private server: Server | undefined;
	private port = 0;
	private nextNumber = 1000;
	private arrivals: number[] = [];
	private faults: Array<S360Fault & { remaining: number }> = [];
	private readonly sockets = new Set<Socket>();
	private options: Required<Omit<S360ContactDoubleOptions, 'retryAfterSeconds' | 'partners'>> & { retryAfterSeconds?: number };
	private readonly partners: S360Partner[];
	private readonly changeListeners: Array<(contactNumber: string) => void> = [];

	constructor(options: S360ContactDoubleOptions) {
		this.options = {
			limit: 60,
			windowMs: 60_000,
			rateStatus: 509,
			latencyMs: 0,
			maxTokenAgeMs: 1000,
			clockSkewMs: 1000,
			versions: ['v2_21', 'v2_20'],
			...options,
		};
		this.partners = [options.partner, ...(options.partners ?? [])];
	}

	/** Accepts tokens of one more partner or institution from now on. */
	addPartner(partner: S360Partner): void {
		this.partners.push(partner);
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Changes settings between specs (limit, window, latency, rate status, Retry-After). */
	configure(options: Partial<S360ContactDoubleOptions>): void {
		this.options = { ...this.options, ...options };
	}

	injectFault(fault: S360Fault): void {
		this.faults.push({ ...fault, remaining: fault.times ?? 1 });
	}

	reset(): void {
		this.calls.length = 0;
		this.contacts.clear();
		this.arrivals = [];
		this.faults = [];
	}

	/** Calls refused for rate so far. */
	get rateRefusals(): number {
		return this.calls.filter((call) => call.status === this.options.rateStatus || call.status === 429 || call.status === 509).length;
	}

	/** The most calls that arrived within any window of `windowMs` (refused ones included). */
	maxArrivalsInAnyWindow(windowMs = this.options.windowMs): number {
		const times = this.calls.map((call) => call.at).sort((a, b) => a - b);
		let most = 0;
		let start = 0;
		for (let end = 0; end < times.length; end++) {
			while (times[end] - times[start] >= windowMs) start++;
			most = Math.max(most, end - start + 1);
		}
		return most;
	}

	contactByEmail(email: string): StoredContact[] {
		return [...this.contacts.values()].filter((contact) => contact.individualContact.email === email);
	}

	/** Stores a contact directly, as if it existed in S-360 before the spec (not reported as a change). */
	seed(contact: ContactSeedInput): StoredContact {
		const now = new Date().toISOString();
		const stored: StoredContact = {
			saves: 0,
			creationDate: now,
			lastModificationDate: now,
			...contact,
			contactNumber: contact.contactNumber ?? String(this.nextNumber++),
		};
		this.contacts.set(stored.contactNumber, stored);
		return stored;
	}

	/** A user creates the contact in S-360's back office: stored (see seed) and queued in the firehose. */
	createInBackOffice(contact: ContactSeedInput): StoredContact {
		const stored = this.seed(contact);
		this.emitChange(stored.contactNumber);
		return stored;
	}

	/** Calls `listener` with the contact number after every applied save and back-office edit (what S-360's firehose queues). */
	onContactChange(listener: (contactNumber: string) => void): void {
		this.changeListeners.push(listener);
	}

	/**
	 * A user edits the contact in S-360's back office: fields change, lastModificationDate is
	 * bumped (to `at`, default now) and the contact is queued in the firehose like any change.
	 */
	editInBackOffice(contactNumber: string, edit: BackOfficeEdit, at: Date = new Date()): StoredContact {
		const stored = this.contacts.get(contactNumber);
		if (!stored) throw new Error(`S360ContactDouble: no contact ${contactNumber}`);
		if (edit.individualContact) stored.individualContact = { ...stored.individualContact, ...edit.individualContact };
		for (const key of ['addresses', 'authorizations', 'contactCriteria'] as const) if (edit[key]) stored[key] = edit[key];
		stored.lastModificationDate = at.toISOString();
		this.emitChange(contactNumber);
		return stored;
	}

	/**
	 * The contact as getContactData answers and the firehose pushes it (v2_21 names; every
	 * section, the sender filters them by its details list); undefined when there is none.
	 */
	contactData(contactNumber: string): ContactData | undefined {
		const stored = this.contacts.get(contactNumber);
		if (!stored) return undefined;
		return structuredClone({
			contactNumber: stored.contactNumber,
			contactId: Number(stored.contactNumber.replace(/\D/g, '')) || 1,
			individualContact: stored.individualContact,
			creationDate: stored.creationDate,
			lastModificationDate: stored.lastModificationDate,
			endValidityDate: null,
			function: null,
			hasWarning: false,
			hasAdvantages: false,
			createdFrom: { salesChannel: 'INTERNET', pointOfSale: 'WEBSHOP' },
			addresses: stored.addresses ?? [],
			// S-360 answers consent in its own form, whatever form the save used.
			authorizations: (stored.authorizations ?? []).map((authorization) => {
				const { value, authorized, ...rest } = authorization;
				const granted = authorized ?? (value === true || value === 'true' || value === 'YES');
				return { ...rest, authorized: granted, lastUpdate: rest.lastUpdate ?? stored.lastModificationDate };
			}),
			contactCriteria: stored.contactCriteria ?? [],
			contactQualities: [],
			indicators: [],
			advantages: [],
			contactConnections: [],
			contactFileHistoryCriteria: null,
			financialData: { vatNumber: null, accountingCode: null },
		});
	}

	private emitChange(contactNumber: string): void {
		for (const listener of this.changeListeners) listener(contactNumber);
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const at = Date.now();
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const text = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://double');
		const method = url.pathname.startsWith(S360_REST_PREFIX) ? url.pathname.slice(S360_REST_PREFIX.length).split('/')[1] ?? '' : '';
		const call: RecordedCall = { method, at, status: 0, body: undefined, authorization: req.headers.authorization };
		this.calls.push(call);
		const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			call.status = status;
			const payload = typeof body === 'string' ? body : JSON.stringify(body);
			res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
			res.end(payload);
		};
		if (this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));

		// The load limiter stands in front of everything: it counts every arrival of the institution.
		this.arrivals = this.arrivals.filter((time) => at - time < this.options.windowMs);
		this.arrivals.push(at);
		if (this.arrivals.length > this.options.limit) {
			const headers: Record<string, string> = this.options.retryAfterSeconds !== undefined ? { 'retry-after': String(this.options.retryAfterSeconds) } : {};
			return answer(this.options.rateStatus, this.options.rateStatus === 509 ? '<html><body>Bandwidth Limit Exceeded</body></html>' : { statusCode: 'TOO_MANY_REQUESTS' }, headers);
		}

		const [version] = url.pathname.slice(S360_REST_PREFIX.length).split('/');
		if (req.method !== 'POST' || !url.pathname.startsWith(S360_REST_PREFIX) || !this.options.versions.includes(version ?? '')) {
			return answer(404, '<html><body>Not Found</body></html>');
		}
		if (!/application\/json/i.test(req.headers['content-type'] ?? '')) return answer(415, { statusCode: 'UNSUPPORTED_MEDIA_TYPE' });
		const jwt = this.checkJwt(req.headers.authorization, at);
		call.claims = jwt.claims;
		if (jwt.problem) return answer(jwt.status ?? 401, { statusCode: 'UNAUTHORIZED', statusDetail: jwt.problem });
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			return answer(400, { statusCode: 'INVALID_JSON', statusDetail: 'the body is not JSON' });
		}
		call.body = body;

		const fault = this.faults.find((candidate) => candidate.remaining > 0 && (!candidate.method || candidate.method === method));
		if (fault) {
			fault.remaining--;
			this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
			if (fault.applyThenDrop) {
				this.apply(method, body);
				call.status = -1;
				req.socket.destroy();
				return;
			}
			return answer(fault.status ?? 500, fault.body ?? { statusCode: 'ERROR' }, fault.headers);
		}
		const result = this.apply(method, body);
		return answer(result.status, result.body);
	}

	private checkJwt(header: string | undefined, now: number): { problem?: string; status?: number; claims?: Record<string, unknown> } {
		const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
		if (!token) return { problem: 'no Bearer token' };
		const [head, payload, signature] = token.split('.');
		if (!head || !payload || !signature) return { problem: 'malformed token' };
		let claims: Record<string, unknown>;
		try {
			const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
			if (header.alg !== 'HS256') return { problem: 'alg must be HS256' };
			claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
		} catch {
			return { problem: 'malformed token' };
		}
		// The partner is known by its name (iss); its secret checks the signature.
		const partner = this.partners.find((candidate) => candidate.partnerName === claims.iss && candidate.institution === claims.sub) ??
			this.partners.find((candidate) => candidate.partnerName === claims.iss);
		if (!partner) return { problem: 'unknown partner (iss)', claims };
		const expected = createHmac('sha256', partner.secret).update(`${head}.${payload}`).digest();
		const given = Buffer.from(signature, 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'invalid signature' };
		if (claims.aud !== partner.virtualOperator) return { problem: 'wrong virtual operator (aud)', claims };
		if (claims.sub !== partner.institution) return { problem: 'wrong institution (sub)', status: 403, claims };
		const iat = Number(claims.iat);
		const exp = Number(claims.exp);
		// Milliseconds: an iat in seconds is 50 years old.
		if (!Number.isFinite(iat) || now - iat > this.options.maxTokenAgeMs) return { problem: 'token too old (iat, epoch milliseconds)', claims };
		if (iat - now > this.options.clockSkewMs) return { problem: 'token issued in the future (iat)', claims };
		if (!Number.isFinite(exp) || exp <= now) return { problem: 'token expired (exp)', claims };
		if (exp - iat > 30_000) return { problem: 'exp more than 30 s after iat', claims };
		return { claims };
	}

	private apply(method: string, body: Record<string, unknown>): { status: number; body: unknown } {
		if (method === 'getContactData') {
			const contact = this.contacts.get(String(body.contactNumber ?? ''));
			if (!contact) return { status: 200, body: { statusCode: 'CONTACT_NOT_FOUND', statusDetail: `no contact ${String(body.contactNumber)}` } };
			return { status: 200, body: { statusCode: 'success', contactData: this.contactData(contact.contactNumber) } };
		}
		if (method === 'searchContact') {
			const email = (body.searchCriteria as Record<string, unknown> | undefined)?.email;
			if (typeof email !== 'string') return { status: 200, body: { statusCode: 'INVALID_DATA', statusDetail: 'searchCriteria is empty', field: 'searchCriteria' } };
			return { status: 200, body: { statusCode: 'success', contacts: this.contactByEmail(email).map((contact) => ({ contactNumber: contact.contactNumber })) } };
		}
		if (method === 'saveIndividualContactData') {
			const data = body.individualContactData as Record<string, unknown> | undefined;
			if (!data || typeof data !== 'object') return { status: 200, body: { statusCode: 'INVALID_DATA', statusDetail: 'individualContactData is missing', field: 'individualContactData' } };
			const individual = (data.individualContact ?? {}) as Record<string, unknown>;
			const invalid = this.validate(individual);
			if (invalid) return { status: 200, body: { statusCode: 'INVALID_DATA', ...invalid } };
			const number = data.contactNumber === undefined ? undefined : String(data.contactNumber);
			let stored: StoredContact;
			if (number !== undefined) {
				const existing = this.contacts.get(number);
				if (!existing) return { status: 200, body: { statusCode: 'CONTACT_NOT_FOUND', statusDetail: `no contact ${number}`, field: 'contactNumber' } };
				stored = existing;
				stored.individualContact = { ...stored.individualContact, ...individual };
			} else {
				if (individual.lastName === undefined) return { status: 200, body: { statusCode: 'MISSING_MANDATORY', statusDetail: 'lastName is mandatory for a new individual', field: 'individualContact.lastName' } };
				const now = new Date().toISOString();
				stored = { contactNumber: String(this.nextNumber++), individualContact: { ...individual }, saves: 0, creationDate: now, lastModificationDate: now };
				this.contacts.set(stored.contactNumber, stored);
			}
			stored.saves++;
			stored.lastModificationDate = new Date().toISOString();
			for (const key of ['addresses', 'authorizations', 'contactCriteria'] as const) {
				if (Array.isArray(data[key])) stored[key] = data[key] as Array<Record<string, unknown>>;
			}
			// Every applied save is queued in the firehose, one that changed nothing included (see the header).
			this.emitChange(stored.contactNumber);
			return { status: 200, body: { statusCode: 'success', contactNumber: stored.contactNumber } };
		}
		return { status: 404, body: { statusCode: 'UNKNOWN_METHOD', statusDetail: method } };
	}

	private validate(individual: Record<string, unknown>): { statusDetail: string; field: string } | undefined {
		if (individual.email !== undefined && !EMAIL_SHAPE.test(String(individual.email))) {
			return { statusDetail: 'email is not a valid address', field: 'individualContact.email' };
		}
		if (individual.birthDate !== undefined && !ISO_DAY.test(String(individual.birthDate))) {
			return { statusDetail: 'birthDate must be yyyy-MM-dd', field: 'individualContact.birthDate' };
		}
		if (individual.languageCode !== undefined && !/^[a-z]{2}$/i.test(String(individual.languageCode))) {
			return { statusDetail: 'unknown language code', field: 'individualContact.languageCode' };
		}
		return undefined;
	}
}
