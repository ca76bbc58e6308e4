/**
 * What goes on the wire to S-360's contact service (REST-RPC, JSON): the per-call JWT, the URL of
 * a method, one call under the credential's rate window with its retries, and the reading of
 * S-360's answer. Every attempt takes a place in the shared rate window first and is signed just
 * before it leaves, so its iat is fresh when S-360 receives it.
 */
import { createHmac } from 'node:crypto';
import { sleep, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';
import { DEFAULT_EGRESS_POLICY, type EgressHelpersLike, type EgressPolicy } from '../shared/egress';
import { answerExcerpt, type ServiceFailure } from '../shared/errors';
import {
	DEFAULT_RETRY_POLICY,
	requestWithRetry,
	retryDelayMs,
	ServiceRequestError,
	type SendFunction,
	type ServiceResponse,
} from '../shared/http';
import { getHeader } from '../shared/headers';
import { isObject } from '../shared/objects';
import { acquireRatePlace, pauseRate, type RateWindow } from '../shared/rateLimiter';
import { memoisedEgressGuard, sendUnderRedirectPolicy, type RedirectPolicy } from '../shared/redirects';
import { credentialKey } from '../shared/tokenCache';

export const S360_SERVICE = 'S-360';

export interface S360Credentials {
	baseUrl: string;
	institution: string;
	virtualOperator: string;
	partnerName: string;
	secret: string;
	serviceVersion: string;
	rateLimit: number;
	rateWindowSeconds: number;
	expirySeconds: number;
	policy: EgressPolicy;
}

function positive(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

export function asS360Credentials(data: IDataObject): S360Credentials {
	return {
		baseUrl: String(data.baseUrl ?? '').trim(),
		institution: String(data.institution ?? '').trim(),
		virtualOperator: String(data.virtualOperator ?? '').trim(),
		partnerName: String(data.partnerName ?? '').trim(),
		secret: String(data.secret ?? ''),
		serviceVersion: String(data.serviceVersion ?? '').trim() || 'v2_21',
		rateLimit: Math.floor(positive(data.rateLimit, 180)),
		rateWindowSeconds: positive(data.rateWindowSeconds, 60),
		expirySeconds: Math.min(30, positive(data.expirySeconds, 30)),
		policy: { allowPrivateNetwork: data.allowPrivateNetwork === true, allowPlainHttp: data.allowPlainHttp === true },
	};
}

/** Why the credential cannot be used, or undefined. */
export function credentialProblem(credentials: S360Credentials): string | undefined {
	let url: URL;
	try {
		url = new URL(credentials.baseUrl);
	} catch {
		return `the base URL ${JSON.stringify(credentials.baseUrl)} is not a URL (e.g. https://mosa.demo-ws.secutix.com)`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the base URL must start with https://';
	if (credentials.institution === '') return 'the institution code is empty';
	if (credentials.virtualOperator === '') return 'the virtual operator is empty';
	if (credentials.partnerName === '') return 'the partner name is empty';
	if (credentials.secret === '') return 'the shared secret is empty';
	if (!/^v\d+_\d+$/.test(credentials.serviceVersion)) return `the contact service version "${credentials.serviceVersion}" is not like v2_21`;
	return undefined;
}

/** The institution a SecuTix host names (mosa in mosa.ws.secutix.com / mosa.demo-ws.secutix.com), if it is one. */
export function institutionOfHost(baseUrl: string): string | undefined {
	try {
		const match = /^([^.]+)\.(?:[a-z-]*ws)\.secutix\.com$/i.exec(new URL(baseUrl).hostname);
		return match?.[1];
	} catch {
		return undefined;
	}
}

export function s360Secrets(credentials: S360Credentials): string[] {
	return [credentials.secret];
}

export function rateWindowOf(credentials: S360Credentials): RateWindow {
	return { limit: credentials.rateLimit, windowMs: Math.round(credentials.rateWindowSeconds * 1000) };
}

/**
 * The rate window's key: S-360 counts per institution across all endpoints, so every credential
 * for the same host and institution shares one window (never the secret itself).
 */
export function rateKeyOf(credentials: S360Credentials): string {
	let origin = credentials.baseUrl;
	try {
		origin = new URL(credentials.baseUrl).origin;
	} catch {
		// credentialProblem has refused it already.
	}
	return `s360:${credentialKey(origin.toLowerCase(), credentials.institution.toUpperCase())}`;
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * An HS256 JWT as SecuTix's REST standards ask: sub = institution code, aud = virtual operator,
 * iss = partner name, iat in epoch milliseconds; exp in the same unit (choice: the page gives
 * iat's unit and "at most 30 s" for exp), `expirySeconds` after iat.
 */
export function signJwt(credentials: S360Credentials, now: number = Date.now()): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(
		JSON.stringify({
			sub: credentials.institution,
			aud: credentials.virtualOperator,
			iss: credentials.partnerName,
			iat: now,
			exp: now + Math.round(credentials.expirySeconds * 1000),
		}),
	);
	const signature = createHmac('sha256', credentials.secret).update(`${header}.${payload}`).digest('base64url');
	return `${header}.${payload}.${signature}`;
}

export function methodUrl(credentials: S360Credentials, method: string): string {
	const base = credentials.baseUrl.replace(/\/+$/, '');
	return `${base}/tnco/backend-apis/contactInformationPublicService/${encodeURIComponent(credentials.serviceVersion)}/${method}`;
}

export function redirectPolicyOf(credentials: S360Credentials, helpers?: EgressHelpersLike): RedirectPolicy {
	return {
		service: S360_SERVICE,
		guard: memoisedEgressGuard(credentials.policy ?? DEFAULT_EGRESS_POLICY, helpers),
		secrets: s360Secrets(credentials),
		// S-360 answers in its body: a redirect is never its success.
		seeOtherIsSuccess: false,
	};
}

/** S-360's verdict in an answer: statusCode/statusDetail, at the top or under result/return. */
export interface S360Status {
	statusCode?: string;
	statusDetail?: string;
	field?: string;
	contactNumber?: string;
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function readStatus(body: unknown): S360Status {
	if (!isObject(body)) return {};
	const inner = [body.result, body.return, body.response].find(isObject);
	const source = inner !== undefined && textOf(body.statusCode) === undefined ? inner : body;
	const errors = Array.isArray(source.errors) ? source.errors.filter(isObject) : [];
	const first = errors[0];
	return {
		statusCode: textOf(source.statusCode) ?? textOf(first?.code),
		statusDetail: textOf(source.statusDetail) ?? textOf(source.message) ?? textOf(first?.message),
		field: textOf(source.field) ?? textOf(source.fieldName) ?? textOf(first?.field),
		contactNumber: textOf(source.contactNumber),
	};
}

/** Choice (S-360 publishes no list): "success" (any case) is success, every other statusCode a refusal. */
export function isSuccess(status: S360Status): boolean {
	return status.statusCode !== undefined && /^(?:success|ok)$/i.test(status.statusCode);
}

/** Reads S-360's code and message out of an error answer for the shared HTTP path. */
export function describeS360Error(body: unknown, status: number): Partial<ServiceFailure> {
	const read = readStatus(body);
	const hints: Record<number, string> = {
		401: 'S-360 refused the JWT: check the shared secret, partner name (iss), virtual operator (aud) and institution code (sub), and that n8n’s clock is right.',
		403: 'S-360 refused this partner for the institution: check the institution code and virtual operator.',
		404: 'S-360 does not know this method or version at this host: check the base URL (institution) and the contact service version.',
	};
	return {
		code: read.statusCode,
		message: read.statusDetail ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `HTTP ${status}`),
		hint: hints[status],
		details: read.field ? { field: read.field } : undefined,
	};
}

/** 509 (S-360 today) and 429 (announced) both mean: refused for rate, nothing done. */
export const RATE_REFUSALS = [509, 429];

export interface S360Call {
	method: string;
	body: IDataObject;
	/** Whether the call means the same when S-360 receives it twice (a read, an update by contact number). */
	replayable: boolean;
	/** Attempts in all, rate refusals included. */
	maxAttempts?: number;
	/** Time one attempt may take (default 30 s). */
	timeoutMs?: number;
}

export interface S360Answer extends ServiceResponse {
	/** Milliseconds spent waiting for places in the rate window. */
	waitedMs: number;
	/** Answers of 509/429 received (each was resent after the window). */
	rateRefusals: number;
}

const DEFAULT_MAX_ATTEMPTS = 6;

const CONNECTION_FAILURE = /^(?:ECONNREFUSED|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|ECONNABORTED|ESOCKETTIMEDOUT|EPIPE|UND_ERR_SOCKET)$/;

/**
 * Whether a failed attempt may be sent again. The shared request path already marks a failure
 * after send of a call that is not replayable as may-have-been-applied; what is left is a
 * connection failure, or a 5xx of a replayable call.
 */
function isRetryableFailure(failure: ServiceFailure): boolean {
	if (failure.mayHaveBeenApplied) return false;
	if (failure.status === undefined) return CONNECTION_FAILURE.test(failure.code ?? '');
	return failure.status >= 500 && failure.status !== 501;
}

function retryAfterMs(headers: IDataObject, windowMs: number, now: number): number {
	const header = getHeader(headers, 'retry-after');
	const value = Array.isArray(header) ? header[0] : header;
	if (value !== undefined && value !== '') {
		const seconds = Number(value);
		if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
		const date = Date.parse(value);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	return windowMs;
}

/**
 * One S-360 call: each attempt waits for its place in the credential's rate window, is signed
 * and sent once. A 401 is sent once more with a fresh token. A 509/429 (refused, not applied) pauses the window for every caller until
 * Retry-After or a whole window has passed, then the same call is sent again, a create too. A
 * failure after the request may have reached S-360 is resent only when the call is replayable.
 * Resolves with any other answer (2xx, or a 4xx S-360 explains); throws ServiceRequestError.
 */
export async function callS360(
	send: SendFunction,
	credentials: S360Credentials,
	policy: RedirectPolicy,
	call: S360Call,
): Promise<S360Answer> {
	const window = rateWindowOf(credentials);
	const key = rateKeyOf(credentials);
	const maxAttempts = call.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
	const secrets = s360Secrets(credentials);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: methodUrl(credentials, call.method),
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify(call.body),
	};
	let waitedMs = 0;
	let rateRefusals = 0;
	let resentAfterSend = false;
	let resignedAfter401 = false;
	for (let attempt = 1; ; attempt++) {
		const hop = async (hopRequest: IHttpRequestOptions): Promise<ServiceResponse> => {
			const place = await acquireRatePlace(key, window);
			waitedMs += place.waitedMs;
			try {
				const signed: IHttpRequestOptions = {
					...hopRequest,
					headers: { ...(hopRequest.headers as IDataObject), authorization: `Bearer ${signJwt(credentials)}` },
				};
				return await requestWithRetry(send, signed, {
					service: S360_SERVICE,
					secrets,
					describeError: describeS360Error,
					replayable: call.replayable,
					retry: { maxAttempts: 1 },
					timeoutMs: call.timeoutMs,
					passThroughStatuses: RATE_REFUSALS,
					// S-360 explains a refusal of the request in its body: the node reads it per item.
					returnsAnswer: (status) => status === 400 || status === 422,
				});
			} finally {
				place.done();
			}
		};
		const outcome = await sendUnderRedirectPolicy(hop, request, policy).then(
			(answer) => ({ answer }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) {
			const { error } = outcome;
			if (!(error instanceof ServiceRequestError)) throw error;
			const failure: ServiceFailure = { ...error.failure, attempts: attempt };
			// S-360 refuses a token whose iat is over a second old on arrival, and a busy n8n can take
			// that long between signing and sending: a 401 (refused, nothing applied) gets one fresh token.
			if (failure.status === 401 && !resignedAfter401 && attempt < maxAttempts) {
				resignedAfter401 = true;
				continue;
			}
			if (attempt >= maxAttempts || !isRetryableFailure(failure)) throw new ServiceRequestError(failure);
			resentAfterSend ||= call.replayable;
			await sleep(retryDelayMs(attempt, DEFAULT_RETRY_POLICY));
			continue;
		}
		const response = outcome.answer;
		if (RATE_REFUSALS.includes(response.statusCode)) {
			rateRefusals++;
			pauseRate(key, Date.now() + retryAfterMs(response.headers, window.windowMs, Date.now()));
			if (attempt >= maxAttempts) {
				throw new ServiceRequestError({
					service: S360_SERVICE,
					status: response.statusCode,
					message: `refused for rate ${attempt} times (${answerExcerpt(response.body, secrets, 120) || 'no body'}); S-360 did not apply it`,
					hint: 'Lower Calls per Window in the credential: another client may share this institution’s limit.',
					attempts: attempt,
				});
			}
			continue;
		}
		return { ...response, attempts: attempt, resentAfterSend, waitedMs, rateRefusals };
	}
}
