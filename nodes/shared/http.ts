/**
 * The one request path of this package. Every call to a service goes through
 * `sendServiceRequest`: n8n's request helpers underneath (so credentials,
 * proxies and n8n's own hooks apply), bounded retries on 429, 5xx and
 * connection failures with exponential backoff and full jitter, a per-attempt
 * timeout, a total time budget that is a hard deadline, and failures shaped
 * into NodeApiError with the service's own code.
 *
 * Retries never duplicate a write: a failure is either *before send* (the
 * service cannot have acted: refused connection, DNS failure, 429) and always
 * retried, or *after send* (reset, timeout, 5xx: the service may have applied
 * the call) and retried only when the caller declares the request replayable.
 */
import {
	sleep,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IN8nHttpFullResponse,
	type ITriggerFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { redactSecrets, serviceApiError, type ServiceFailure } from './errors';
import { getHeader } from './headers';

// Hook and trigger contexts too: a trigger subscribes on activation and renews its subscription.
export type HttpContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions | ITriggerFunctions;

export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** No retry is started once this much time has passed since the first attempt. */
	budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	budgetMs: 120_000,
};

export interface ServiceCall {
	/** The service's name as users know it, for error messages. */
	service: string;
	/** n8n credential type to authenticate with; omit for unauthenticated calls. */
	credentialType?: string;
	/** Credentials to use instead of loading them (e.g. with a cached access token filled in). */
	credentialsDecrypted?: ICredentialDataDecryptedObject;
	itemIndex?: number;
	retry?: Partial<RetryPolicy>;
	/** Values that must never appear in an error (tokens, keys, passwords). */
	secrets?: Array<string | undefined>;
	/** Reads the service's own error code and message out of an error body. */
	describeError?: (body: unknown, status: number) => Partial<ServiceFailure> | undefined;
	/**
	 * Set for every OAuth2 credential: the token type n8n signs with ("Bearer" for most; any other
	 * value makes n8n's OAuth2 client put the token in the query string, not in a header). A 401
	 * then reaches n8n, which refreshes the token and repeats the request once.
	 */
	oauth2TokenType?: string;
	/** Statuses the caller handles itself (returned, not thrown), e.g. 401 to refresh a token. */
	passThroughStatuses?: number[];
	/** Error answers the caller reads itself, whatever their status (per-record results in a 400). */
	returnsAnswer?: (status: number, body: unknown) => boolean;
	/**
	 * Whether the request may be sent again after it may have reached the service (a keyed upsert,
	 * a read). Default: true for GET, HEAD, OPTIONS, PUT and DELETE, false otherwise. A request that
	 * is not replayable and failed after send is not resent: its failure says it may have been applied.
	 */
	replayable?: boolean;
	/** Time one attempt may take before it is abandoned (default 30 s), within the retry budget. */
	timeoutMs?: number;
}

export interface ServiceResponse<T = unknown> {
	statusCode: number;
	headers: IDataObject;
	body: T;
	attempts: number;
	/** An earlier attempt may have reached the service: what this answer says "updated" may be what it wrote. */
	resentAfterSend: boolean;
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

/** Connection failures that happen before the request left: the service cannot have acted on it. */
const BEFORE_SEND_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Connection failures after the request may have been received: reset, timeout, broken pipe. */
const AFTER_SEND_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);
const AFTER_SEND_MESSAGE = /socket hang up|ECONNRESET|timeout of \d+ ?ms exceeded|timed? ?out/i;

const SAFE_TO_REPLAY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export function isRetryableStatus(status: number): boolean {
	return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

export type NetworkFailureStage = 'beforeSend' | 'afterSend';

/** n8n's own words for a connection failure, when it wrapped the error and its code (NodeError's COMMON_ERRORS). */
const BEFORE_SEND_MESSAGE = /ECONNREFUSED|refused the connection|DNS server returned an error|host is unreachable/i;
const N8N_AFTER_SEND_MESSAGE = /closed unexpectedly|connection timed out|connection was aborted/i;

/** The first error code along the cause chain: n8n wraps the socket error once or twice. */
function errorCode(error: unknown): string | undefined {
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		if (typeof current.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(current.code)) return current.code;
		current = current.cause as typeof current;
	}
	return undefined;
}

/** Where a connection failure happened, or undefined when it is no transient connection problem. */
export function networkFailureStage(error: unknown): NetworkFailureStage | undefined {
	const code = errorCode(error);
	if (code && BEFORE_SEND_CODES.has(code)) return 'beforeSend';
	if (code && AFTER_SEND_CODES.has(code)) return 'afterSend';
	const message = (error as { message?: unknown } | undefined)?.message;
	const text = typeof message === 'string' ? message : '';
	if (BEFORE_SEND_MESSAGE.test(text)) return 'beforeSend';
	if (AFTER_SEND_MESSAGE.test(text) || N8N_AFTER_SEND_MESSAGE.test(text)) return 'afterSend';
	return undefined;
}

export function isRetryableNetworkError(error: unknown): boolean {
	return networkFailureStage(error) !== undefined;
}

/** The default of ServiceCall.replayable: methods that mean the same when sent twice. */
export function isReplayableByDefault(method: string | undefined): boolean {
	return SAFE_TO_REPLAY_METHODS.has((method ?? 'GET').toUpperCase());
}

const NOT_RESENT = 'the call may or may not have been applied, so it was not sent again';

/**
 * Delay before the next attempt: a server's Retry-After (seconds or HTTP date)
 * wins, capped by the policy; else exponential backoff with full jitter.
 */
export function retryDelayMs(
	attempt: number,
	policy: RetryPolicy,
	retryAfter?: string | string[],
	now: number = Date.now(),
	random: () => number = Math.random,
): number {
	const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
	if (header !== undefined && header !== '') {
		const seconds = Number(header);
		if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
		const date = Date.parse(header);
		if (!Number.isNaN(date)) return Math.min(Math.max(date - now, 0), policy.maxDelayMs);
	}
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(random() * ceiling);
}

function parseBody(body: unknown): unknown {
	if (typeof body === 'string' && /^\s*[[{]/.test(body)) {
		try {
			return JSON.parse(body);
		} catch {
			return body;
		}
	}
	if (typeof Buffer !== 'undefined' && Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
	return body;
}

/** Default reading of an error body: `code`/`message` or `error`/`error_description`. */
export function describeErrorBody(body: unknown): Partial<ServiceFailure> {
	if (body && typeof body === 'object') {
		const b = body as Record<string, unknown>;
		const code = b.code ?? b.errorCode ?? b.error_code ?? (typeof b.error === 'string' ? b.error : undefined);
		const message =
			b.message ?? b.error_description ?? b.description ?? (typeof b.error === 'string' ? b.error : undefined);
		return {
			code: code !== undefined ? String(code) : undefined,
			message: message !== undefined ? String(message) : undefined,
			details: b.details,
		};
	}
	if (typeof body === 'string' && body.trim()) return { message: body.trim().slice(0, 500) };
	return {};
}

/** A request that failed after its retries, before it is shaped for n8n. */
export class ServiceRequestError extends Error {
	constructor(readonly failure: ServiceFailure) {
		super(failure.message);
		this.name = 'ServiceRequestError';
	}
}

export type SendFunction = (options: IHttpRequestOptions) => Promise<IN8nHttpFullResponse>;

/**
 * Sends one request through `send` with retries. Resolves with the parsed
 * response for 2xx/3xx (and `passThroughStatuses`); throws ServiceRequestError.
 * Used directly where no node context exists (a credential's token refresh).
 */
export async function requestWithRetry<T = unknown>(
	send: SendFunction,
	request: IHttpRequestOptions,
	call: ServiceCall,
): Promise<ServiceResponse<T>> {
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...call.retry };
	const replayable = call.replayable ?? isReplayableByDefault(request.method);
	const attemptTimeoutMs = call.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
	const started = Date.now();
	let lastFailure: ServiceFailure = { service: call.service, message: 'no attempt was made' };
	let resentAfterSend = false;

	for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
		let retryAfter: string | string[] | undefined;
		let response: IN8nHttpFullResponse | undefined;
		// The budget is a deadline: no attempt may outlast it.
		const remainingMs = policy.budgetMs - (Date.now() - started);
		const timeout = Math.max(1, Math.min(attemptTimeoutMs, remainingMs));
		try {
			response = await send({ ...request, timeout, returnFullResponse: true, ignoreHttpStatusErrors: true });
		} catch (error) {
			// n8n throws some HTTP answers anyway (an OAuth2 401 it could not cure by a refresh).
			response = answerCarriedBy(error);
			if (!response) {
				const err = error as { message?: string; code?: string };
				const code = errorCode(error) ?? err.code;
				// Messages of connection errors can quote the URL, and with it a token in the query.
				const message = redactSecrets(err.message ?? String(error), call.secrets);
				const stage = networkFailureStage(error);
				if (stage === undefined) {
					lastFailure = { service: call.service, code, message, attempts: attempt, cause: error };
					break;
				}
				if (stage === 'afterSend' && !replayable) {
					lastFailure = {
						service: call.service,
						code,
						message: `the connection failed after the request was sent (${code ?? message}); ${NOT_RESENT}`,
						hint: `Check in ${call.service} whether the records arrived before sending them again.`,
						attempts: attempt,
						mayHaveBeenApplied: true,
					};
					break;
				}
				resentAfterSend ||= stage === 'afterSend';
				lastFailure = {
					service: call.service,
					code,
					message: `could not reach the service (${code ?? message})`,
					hint: 'Check the URL and that the service is reachable from n8n.',
					attempts: attempt,
				};
			}
		}
		if (response) {
			const status = response.statusCode;
			const body = parseBody(response.body) as T;
			if (status < 400 || call.passThroughStatuses?.includes(status) || call.returnsAnswer?.(status, body)) {
				return { statusCode: status, headers: response.headers ?? {}, body, attempts: attempt, resentAfterSend };
			}
			const described = { ...describeErrorBody(body), ...call.describeError?.(body, status) };
			lastFailure = {
				service: call.service,
				status,
				code: described.code,
				message: described.message ?? `HTTP ${status}`,
				hint: described.hint,
				details: described.details,
				attempts: attempt,
			};
			if (!isRetryableStatus(status)) break;
			// A 429 was refused unprocessed; a 5xx may come after the service acted.
			if (status !== 429 && !replayable) {
				lastFailure = {
					...lastFailure,
					message: `${lastFailure.message}; ${NOT_RESENT}`,
					hint: lastFailure.hint ?? `Check in ${call.service} whether the records arrived before sending them again.`,
					mayHaveBeenApplied: true,
				};
				break;
			}
			resentAfterSend ||= status !== 429;
			retryAfter = getHeader(response.headers, 'retry-after');
		}
		if (attempt === policy.maxAttempts) break;
		const delay = retryDelayMs(attempt, policy, retryAfter);
		if (Date.now() + delay - started >= policy.budgetMs) break;
		await sleep(delay);
	}
	throw new ServiceRequestError(lastFailure);
}

interface HttpAnswerLike {
	status?: unknown;
	statusCode?: unknown;
	headers?: unknown;
	data?: unknown;
	body?: unknown;
}

/** The HTTP answer inside a thrown error (axios-style `response`, or the cause n8n wrapped), if any. */
function answerCarriedBy(error: unknown): IN8nHttpFullResponse | undefined {
	const outer = error as { response?: HttpAnswerLike; cause?: { response?: HttpAnswerLike } } | undefined;
	for (const answer of [outer?.response, outer?.cause?.response]) {
		const status = answer?.status ?? answer?.statusCode;
		if (typeof status === 'number') {
			return {
				statusCode: status,
				headers: (answer?.headers ?? {}) as IDataObject,
				body: (answer?.data ?? answer?.body) as IN8nHttpFullResponse['body'],
			};
		}
	}
	return undefined;
}

/** How requestWithRetry sends in a node: n8n's helpers, with the call's credential. */
export function sendWith(ctx: HttpContext, call: ServiceCall): SendFunction {
	return async (options) => {
		if (call.credentialType) {
			// n8n refreshes an OAuth2 token only when the request throws a 401: let that one throw.
			if (call.oauth2TokenType) options = { ...options, ignoreHttpStatusErrors: { ignore: true, except: [401] } };
			const additional = {
				...(call.credentialsDecrypted
					? { credentialsDecrypted: { id: '', name: '', type: call.credentialType, data: call.credentialsDecrypted } }
					: {}),
				...(call.oauth2TokenType ? { oauth2: { tokenType: call.oauth2TokenType } } : {}),
			};
			return (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				call.credentialType,
				options,
				Object.keys(additional).length ? additional : undefined,
			)) as IN8nHttpFullResponse;
		}
		return (await ctx.helpers.httpRequest(options)) as IN8nHttpFullResponse;
	};
}

/** The legacy `request` helper: the only one n8n gives a credential test. */
export type LegacyRequestHelper = ICredentialTestFunctions['helpers']['request'];

/**
 * How requestWithRetry sends in a credential test: the legacy helper, never following a redirect
 * (the redirect policy in ./redirects.ts decides), with `authenticate` applied first when the
 * credential has no n8n helper to apply it.
 */
export function sendWithLegacyRequest(
	request: LegacyRequestHelper,
	authenticate: (options: IHttpRequestOptions) => IHttpRequestOptions = (options) => options,
): SendFunction {
	return async (options) => {
		const authed = authenticate(options);
		const response = (await request({
			uri: authed.url,
			method: authed.method,
			headers: authed.headers,
			qs: authed.qs,
			body: authed.body,
			auth: authed.auth,
			timeout: authed.timeout,
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			followRedirect: false,
			followAllRedirects: false,
		})) as { statusCode: number; headers: IDataObject; body: unknown };
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body as IN8nHttpFullResponse['body'] };
	};
}

/**
 * The request path of every node: n8n's helpers (with the node's credential),
 * retries, and a NodeApiError with the service's own code when it fails.
 */
export async function sendServiceRequest<T = unknown>(
	ctx: HttpContext,
	request: IHttpRequestOptions,
	call: ServiceCall,
): Promise<ServiceResponse<T>> {
	const outcome = await requestWithRetry<T>(sendWith(ctx, call), request, call).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('response' in outcome) return outcome.response;
	if (outcome.error instanceof ServiceRequestError) {
		throw serviceApiError(ctx.getNode(), outcome.error.failure, { itemIndex: call.itemIndex, secrets: call.secrets });
	}
	throw outcome.error;
}
