/**
 * What a request to a URL a user typed does with a redirect. The HTTP client never follows one
 * (`disableFollowRedirect`): n8n's would turn a POST answered 301/302/303 into a GET without its
 * body and carry the request's headers, a credential among them, to whatever host the Location
 * names, where any 200 (a login page) would then read as the service's success. Here:
 *
 * - 307 and 308 keep the method and the body by definition: followed when the Location is on the
 *   same origin (or its https upgrade) and the egress guard allows it, at most MAX_REDIRECTS times.
 * - 303 See Other says the request was processed and names where its result is. The caller says
 *   whether that is its success (a CRM's "created, see there") or not (an API that answers in its
 *   body); the Location is reported without its query or user info, where tokens sit.
 * - Every other 3xx, a 303 without a Location and a 307/308 anywhere else fail, saying that the
 *   request may have been applied: it reached the server, and it is not sent anywhere again.
 *
 * Every URL is checked by the egress guard before anything is sent to it; a refusal of the
 * request's own URL means nothing was sent.
 */
import { NodeOperationError, type IHttpRequestOptions } from 'n8n-workflow';
import { checkUrl, describeTarget, type EgressHelpersLike, type EgressPolicy, type EgressRefusal } from './egress';
import { redactSecrets, serviceApiError } from './errors';
import { getHeader } from './headers';
import { requestWithRetry, sendWith, ServiceRequestError, type HttpContext, type ServiceCall, type ServiceResponse } from './http';

export const MAX_REDIRECTS = 5;

/** The egress verdict on one URL; undefined: it may be sent to. */
export type EgressGuard = (url: string) => Promise<EgressRefusal | undefined>;

/** One verdict per URL for as long as the guard lives (an execution): n8n's filter resolves DNS on each check. */
export function memoisedEgressGuard(policy: EgressPolicy, helpers?: EgressHelpersLike): EgressGuard {
	const verdicts = new Map<string, Promise<EgressRefusal | undefined>>();
	return async (url) => {
		let verdict = verdicts.get(url);
		if (!verdict) {
			verdict = checkUrl(url, policy, helpers);
			verdicts.set(url, verdict);
		}
		return await verdict;
	};
}

export interface RedirectPolicy {
	/** The service's name as users know it, for messages. */
	service: string;
	guard: EgressGuard;
	/** Values that must never appear in a message (a Location may echo a token). */
	secrets: Array<string | undefined>;
	/** A 303 See Other with a Location is this caller's success: the service did it and points to the result. */
	seeOtherIsSuccess: boolean;
}

export interface PolicyResponse<T = unknown> extends ServiceResponse<T> {
	/** The origin of the URL that gave this answer. */
	answeredBy: string;
	/** A 303's Location the policy accepted as success: origin and path, secrets redacted. */
	seeOther?: string;
}

/** The egress guard refused the request's own URL: nothing was sent. */
export class NothingSentError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NothingSentError';
	}
}

/** Sends one hop (with its own retries) and resolves with any answer below 400. */
export type HopSender<T> = (request: IHttpRequestOptions) => Promise<ServiceResponse<T>>;

const MAY_HAVE_BEEN_APPLIED = 'it may have been applied, so it was not sent again';

/** The absolute URL a redirect's Location names, resolved against the request's URL. */
export function resolveRedirect(from: string, location: string): string | undefined {
	try {
		return new URL(location, from).toString();
	} catch {
		return undefined;
	}
}

/** Same origin, or the same host name moving from http to https: the credential may go there. */
export function sameOriginOrUpgrade(from: string, to: string): boolean {
	const a = new URL(from);
	const b = new URL(to);
	if (a.hostname !== b.hostname) return false;
	if (a.protocol === 'http:' && b.protocol === 'https:') return true;
	return a.protocol === b.protocol && a.port === b.port;
}

/** A Location for a message: scheme, host and path; never user info, query or fragment. */
export function describeLocation(url: string, secrets: Array<string | undefined> = []): string {
	try {
		const parsed = new URL(url);
		const path = parsed.pathname.length > 100 ? `${parsed.pathname.slice(0, 100)}…` : parsed.pathname;
		return redactSecrets(`${parsed.protocol}//${parsed.host}${path}`, secrets);
	} catch {
		return 'an unreadable address';
	}
}

/**
 * Sends `request` under the policy above. Resolves with the final answer (a 2xx, a 4xx/5xx the
 * sender returns, or a 303 the policy accepts); throws NothingSentError when the guard refused
 * the first URL, and ServiceRequestError (may have been applied, with the attempts made) when a
 * redirect is not followed. An error the sender throws on a later hop carries every attempt.
 */
export async function sendUnderRedirectPolicy<T>(
	send: HopSender<T>,
	request: IHttpRequestOptions,
	policy: RedirectPolicy,
): Promise<PolicyResponse<T>> {
	const { service, secrets } = policy;
	let url = request.url;
	const refused = await policy.guard(url);
	if (refused) throw new NothingSentError(redactSecrets(refused.message, secrets));
	const method = (request.method ?? 'GET').toUpperCase();
	let attempts = 0;
	let resentAfterSend = false;
	for (let hop = 0; ; hop++) {
		const response = await send({ ...request, url, disableFollowRedirect: true }).catch((error: unknown) => {
			throw withEarlierAttempts(error, attempts);
		});
		attempts += response.attempts;
		resentAfterSend ||= response.resentAfterSend;
		const { statusCode: status } = response;
		const answer: PolicyResponse<T> = { ...response, attempts, resentAfterSend, answeredBy: describeTarget(url) };
		if (status < 300 || status >= 400) return answer;

		const location = getHeader(response.headers, 'location');
		const next = resolveRedirect(url, Array.isArray(location) ? location[0] : (location ?? ''));
		const named = location && next ? describeLocation(next, secrets) : undefined;
		// The message follows "<service> answered <status>: ".
		const refuse = (what: string, moved = false, why = ''): never => {
			const check = `Check in ${service} whether it arrived before sending it again.`;
			throw new ServiceRequestError({
				service,
				status,
				message: `${what}; ${MAY_HAVE_BEEN_APPLIED}${why ? `. ${why}` : ''}`,
				hint: moved ? `If ${service} moved and you trust the new address, set the credential's URL to it. ${check}` : check,
				attempts,
				mayHaveBeenApplied: true,
			});
		};
		if (status === 303) {
			if (!named) return refuse('"see other" without a usable Location');
			if (policy.seeOtherIsSuccess) return { ...answer, seeOther: named };
			return refuse(`"see other" ${named} instead of ${service}'s answer`, true);
		}
		if (status === 304) return refuse(`"not modified", which is no answer to a ${method}`);
		if (status !== 307 && status !== 308) {
			return refuse(`a redirect${named ? ` to ${named}` : ''}, not followed: a ${method} is never repeated after a ${status}`, true);
		}
		if (!named) return refuse('a redirect without a usable Location');
		if (hop + 1 > MAX_REDIRECTS) return refuse(`redirected more than ${MAX_REDIRECTS} times`);
		const refusedHop = await policy.guard(next!);
		if (refusedHop) return refuse('redirected to a refused target', false, redactSecrets(refusedHop.message, secrets));
		// The credential (a header or query token) must not follow the request to another host.
		if (!sameOriginOrUpgrade(url, next!)) {
			return refuse(`redirected from ${describeTarget(url)} to ${describeTarget(next!)}; credentials are never sent to another host`, true);
		}
		url = next!;
	}
}

/** A later hop's failure counts the attempts of the hops before it. */
function withEarlierAttempts(error: unknown, earlier: number): unknown {
	if (earlier === 0) return error;
	if (error instanceof ServiceRequestError) {
		return new ServiceRequestError({ ...error.failure, attempts: (error.failure.attempts ?? 1) + earlier });
	}
	const context = (error as { context?: Record<string, unknown> } | undefined)?.context;
	if (context && typeof context === 'object') context.attempts = (Number(context.attempts) || 1) + earlier;
	return error;
}

/**
 * The request path of a node whose URL a user typed: sendServiceRequest's retries per hop, the
 * redirect policy, and a NodeApiError (or, when nothing was sent, a NodeOperationError) with the
 * item index when it fails.
 */
export async function sendServiceRequestUnderRedirectPolicy<T = unknown>(
	ctx: HttpContext,
	request: IHttpRequestOptions,
	call: ServiceCall,
	policy: RedirectPolicy,
): Promise<PolicyResponse<T>> {
	const send = sendWith(ctx, call);
	const outcome = await sendUnderRedirectPolicy<T>(async (hop) => await requestWithRetry<T>(send, hop, call), request, policy).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('response' in outcome) return outcome.response;
	if (outcome.error instanceof ServiceRequestError) {
		throw serviceApiError(ctx.getNode(), outcome.error.failure, { itemIndex: call.itemIndex, secrets: call.secrets });
	}
	if (outcome.error instanceof NothingSentError) {
		throw new NodeOperationError(ctx.getNode(), outcome.error.message, {
			itemIndex: call.itemIndex,
			description: `Nothing was sent to ${call.service}.`,
		});
	}
	throw outcome.error;
}
