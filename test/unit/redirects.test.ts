/**
 * The redirect policy of every request to a URL a user typed (nodes/shared/redirects.ts), with a
 * scripted sender: which 3xx is followed, which is a success, which fails as "may have been
 * applied", and that the egress guard sees every URL before anything is sent to it.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions, type IHttpRequestOptions, type INode } from 'n8n-workflow';
import { DEFAULT_EGRESS_POLICY, type EgressRefusal } from '../../nodes/shared/egress';
import { ServiceRequestError, type ServiceResponse } from '../../nodes/shared/http';
import {
	describeLocation,
	memoisedEgressGuard,
	NothingSentError,
	resolveRedirect,
	sameOriginOrUpgrade,
	sendServiceRequestUnderRedirectPolicy,
	sendUnderRedirectPolicy,
	type RedirectPolicy,
} from '../../nodes/shared/redirects';

const SECRET = 'sk-live-redirect-0123456789';
const START = 'https://crm.example.com/api/leads';
const REQUEST: IHttpRequestOptions = { method: 'POST', url: START, body: '{"email":"a@example.com"}', headers: { 'x-api-key': SECRET } };

type Answer = { status: number; location?: string; attempts?: number; body?: unknown };

/** A sender answering the scripted answers in order; records every request it was given. */
function scripted(...answers: Answer[]) {
	const sent: IHttpRequestOptions[] = [];
	const send = async (request: IHttpRequestOptions): Promise<ServiceResponse> => {
		sent.push(request);
		const answer = answers[Math.min(sent.length, answers.length) - 1];
		return {
			statusCode: answer.status,
			headers: answer.location === undefined ? {} : { location: answer.location },
			body: answer.body ?? '',
			attempts: answer.attempts ?? 1,
			resentAfterSend: false,
		};
	};
	return { send, sent };
}

/** A guard that refuses the given URLs and records every URL it was asked about. */
function guardRefusing(...refused: string[]) {
	const checked: string[] = [];
	const guard = async (url: string): Promise<EgressRefusal | undefined> => {
		checked.push(url);
		return refused.includes(url) ? { reason: 'metadata', message: `Refused to send to ${url}: it is a cloud metadata service.` } : undefined;
	};
	return { guard, checked };
}

function policy(extra: Partial<RedirectPolicy> = {}): RedirectPolicy {
	return { service: 'Example CRM', guard: guardRefusing().guard, secrets: [SECRET], seeOtherIsSuccess: false, ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<ServiceRequestError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ServiceRequestError);
	return error as ServiceRequestError;
}

describe('sendUnderRedirectPolicy', () => {
	it('asks the HTTP client never to follow a redirect itself, on every hop', async () => {
		const { send, sent } = scripted({ status: 307, location: '/api/leads-v2' }, { status: 201 });
		await sendUnderRedirectPolicy(send, REQUEST, policy());
		expect(sent.map((request) => request.disableFollowRedirect)).toEqual([true, true]);
	});

	it.each([307, 308])('follows a %i to the same origin with the same method, body and headers', async (status) => {
		const { send, sent } = scripted({ status, location: '/api/leads-v2?x=1' }, { status: 201, body: { id: 7 } });
		const response = await sendUnderRedirectPolicy(send, REQUEST, policy());
		expect(sent.map((request) => [request.method, request.url, request.body, request.headers])).toEqual([
			['POST', START, REQUEST.body, REQUEST.headers],
			['POST', 'https://crm.example.com/api/leads-v2?x=1', REQUEST.body, REQUEST.headers],
		]);
		expect(response).toMatchObject({ statusCode: 201, body: { id: 7 }, attempts: 2, answeredBy: 'https://crm.example.com' });
	});

	it('follows an http → https upgrade of the same host', async () => {
		const { send, sent } = scripted({ status: 308, location: 'https://crm.example.com/api/leads' }, { status: 200 });
		await sendUnderRedirectPolicy(send, { ...REQUEST, url: 'http://crm.example.com/api/leads' }, policy());
		expect(sent[1].url).toBe('https://crm.example.com/api/leads');
	});

	it.each([
		['another host', 'https://elsewhere.example.net/api/leads'],
		['another port of the same host', 'https://crm.example.com:8443/api/leads'],
		['a downgrade to http', 'http://crm.example.com/api/leads'],
		['a sub-domain', 'https://eu.crm.example.com/api/leads'],
	])('does not follow a 307 to %s: the credential stays with its host', async (_case, location) => {
		const { send, sent } = scripted({ status: 307, location });
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
		expect(sent).toHaveLength(1);
		expect(failure).toMatchObject({ status: 307, attempts: 1, mayHaveBeenApplied: true });
		expect(failure.message).toContain('credentials are never sent to another host; it may have been applied, so it was not sent again');
	});

	it.each([301, 302, 300, 305])(
		'fails a %i without following it, naming the Location without its query, user info or secrets',
		async (status) => {
			const { send, sent } = scripted({ status, location: `https://user:pw@login.example.net/${SECRET}/start?token=abc#frag` });
			const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
			expect(sent).toHaveLength(1);
			expect(failure).toMatchObject({ service: 'Example CRM', status, attempts: 1, mayHaveBeenApplied: true });
			expect(failure.message).toBe(
				`a redirect to https://login.example.net/[redacted]/start, not followed: a POST is never repeated after a ${status}; it may have been applied, so it was not sent again`,
			);
		},
	);

	it('takes a 303 with a Location as success when the caller says so, without sending anything more', async () => {
		const { send, sent } = scripted({ status: 303, location: '/api/leads/42?session=s3cr3t' });
		const response = await sendUnderRedirectPolicy(send, REQUEST, policy({ seeOtherIsSuccess: true }));
		expect(sent).toHaveLength(1);
		expect(response).toMatchObject({ statusCode: 303, attempts: 1, seeOther: 'https://crm.example.com/api/leads/42' });
	});

	it('fails a 303 where the caller expects its answer in the body', async () => {
		const { send } = scripted({ status: 303, location: 'https://login.example.net/' });
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
		expect(failure.message).toBe(`"see other" https://login.example.net/ instead of Example CRM's answer; it may have been applied, so it was not sent again`);
	});

	it.each([
		['a 303 without a Location', { status: 303 }, '"see other" without a usable Location'],
		['a 307 without a Location', { status: 307 }, 'a redirect without a usable Location'],
		['a 304', { status: 304 }, '"not modified", which is no answer to a POST'],
	])('fails %s as may have been applied, even where a 303 is a success', async (_case, answer, reason) => {
		const { send } = scripted(answer);
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy({ seeOtherIsSuccess: true })));
		expect(failure).toMatchObject({ status: answer.status, attempts: 1, mayHaveBeenApplied: true });
		expect(failure.message).toBe(`${reason}; it may have been applied, so it was not sent again`);
	});

	it('counts the attempts of every hop, retries included', async () => {
		const { send } = scripted({ status: 307, location: '/a', attempts: 2 }, { status: 302, location: '/b', attempts: 3 });
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
		expect(failure.attempts).toBe(5);
	});

	it('adds the earlier hops to the attempts of a failure the sender throws on a later hop', async () => {
		let call = 0;
		const send = async (): Promise<ServiceResponse> => {
			call++;
			if (call === 1) return { statusCode: 307, headers: { Location: '/v2' }, body: '', attempts: 1, resentAfterSend: false };
			throw new ServiceRequestError({ service: 'Example CRM', status: 503, message: 'HTTP 503', attempts: 1, mayHaveBeenApplied: true });
		};
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
		expect(failure).toMatchObject({ status: 503, attempts: 2, mayHaveBeenApplied: true });
	});

	it('stops after 5 redirects', async () => {
		const { send, sent } = scripted({ status: 307, location: '/api/leads' });
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy()));
		expect(sent).toHaveLength(6);
		expect(failure.message).toBe('redirected more than 5 times; it may have been applied, so it was not sent again');
	});

	it('checks the first URL and every Location with the egress guard before sending to it', async () => {
		const { guard, checked } = guardRefusing();
		const { send } = scripted({ status: 307, location: '/v2' }, { status: 200 });
		await sendUnderRedirectPolicy(send, REQUEST, policy({ guard }));
		expect(checked).toEqual([START, 'https://crm.example.com/v2']);
	});

	it('sends nothing when the guard refuses the first URL, and says so', async () => {
		const { send, sent } = scripted({ status: 200 });
		const error = await sendUnderRedirectPolicy(send, REQUEST, policy({ guard: guardRefusing(START).guard })).catch((e: unknown) => e);
		expect(sent).toEqual([]);
		expect(error).toBeInstanceOf(NothingSentError);
		expect((error as Error).message).toBe(`Refused to send to ${START}: it is a cloud metadata service.`);
	});

	it('does not follow a Location the guard refuses, saying the request may have been applied', async () => {
		const target = 'https://crm.example.com/internal';
		const { send, sent } = scripted({ status: 307, location: target });
		const { failure } = await failureOf(sendUnderRedirectPolicy(send, REQUEST, policy({ guard: guardRefusing(target).guard })));
		expect(sent).toHaveLength(1);
		expect(failure.message).toBe(
			`redirected to a refused target; it may have been applied, so it was not sent again. Refused to send to ${target}: it is a cloud metadata service.`,
		);
	});

	it('returns an answer of 400 or more as the sender gave it', async () => {
		const { send } = scripted({ status: 409, body: { message: 'exists' } });
		expect(await sendUnderRedirectPolicy(send, REQUEST, policy())).toMatchObject({ statusCode: 409, body: { message: 'exists' } });
	});
});

describe('the pieces of the policy', () => {
	it('resolves a relative Location against the request URL', () => {
		expect(resolveRedirect('https://a.example/x/y?q=1', '../z')).toBe('https://a.example/z');
		expect(resolveRedirect('https://a.example/x', '//b.example/p')).toBe('https://b.example/p');
	});

	it('tells the same origin and its https upgrade from anything else', () => {
		expect(sameOriginOrUpgrade('https://a.example/x', 'https://a.example:443/y')).toBe(true);
		expect(sameOriginOrUpgrade('http://a.example/x', 'https://a.example/y')).toBe(true);
		expect(sameOriginOrUpgrade('https://a.example/x', 'http://a.example/y')).toBe(false);
		expect(sameOriginOrUpgrade('https://a.example/x', 'https://b.example/y')).toBe(false);
	});

	it('describes a Location by scheme, host and path only', () => {
		expect(describeLocation('https://u:p@host.example:8443/a/b?token=t#f')).toBe('https://host.example:8443/a/b');
		expect(describeLocation(`https://host.example/${SECRET}`, [SECRET])).toBe('https://host.example/[redacted]');
	});

	it('asks the egress check once per URL for as long as the guard lives', async () => {
		const validated: string[] = [];
		const helpers = {
			getSecureEgressFilter: () => ({
				validateUrl: async (url: string) => {
					validated.push(url);
					return { ok: true as const };
				},
			}),
		};
		const guard = memoisedEgressGuard(DEFAULT_EGRESS_POLICY, helpers);
		await Promise.all([guard('https://a.example/'), guard('https://a.example/'), guard('https://b.example/')]);
		expect(validated).toEqual(['https://a.example/', 'https://b.example/']);
	});
});

describe('sendServiceRequestUnderRedirectPolicy (in a node)', () => {
	const NODE: INode = { id: 'n1', name: 'Example', type: 'n8n-nodes-contact-sync.example', typeVersion: 1, position: [0, 0], parameters: {} };

	function context(...answers: Answer[]) {
		const { send, sent } = scripted(...answers);
		const ctx = {
			getNode: () => NODE,
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					const answer = await send(options);
					return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
				},
			},
		} as unknown as IExecuteFunctions;
		return { ctx, sent };
	}

	it('fails a redirect that is not followed with a NodeApiError of the item: status, attempts, may have been applied', async () => {
		const { ctx, sent } = context({ status: 302, location: 'https://login.example.net/start?ticket=t' });
		const error = await sendServiceRequestUnderRedirectPolicy(ctx, REQUEST, { service: 'Example CRM', itemIndex: 3, secrets: [SECRET] }, policy()).catch(
			(e: unknown) => e,
		);
		expect(sent).toHaveLength(1);
		expect(error).toBeInstanceOf(NodeApiError);
		const apiError = error as NodeApiError;
		expect(apiError.message).toBe(
			'Example CRM answered 302: a redirect to https://login.example.net/start, not followed: a POST is never repeated after a 302; it may have been applied, so it was not sent again',
		);
		expect(apiError.context).toMatchObject({ itemIndex: 3, serviceStatus: 302, attempts: 1, mayHaveBeenApplied: true });
	});

	it('fails a refused URL with a NodeOperationError of the item saying nothing was sent', async () => {
		const { ctx, sent } = context({ status: 200 });
		const error = await sendServiceRequestUnderRedirectPolicy(ctx, REQUEST, { service: 'Example CRM', itemIndex: 1 }, policy({ guard: guardRefusing(START).guard })).catch(
			(e: unknown) => e,
		);
		expect(sent).toEqual([]);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).description).toBe('Nothing was sent to Example CRM.');
		expect((error as NodeOperationError).context.itemIndex).toBe(1);
	});

	it('resolves with the final answer and every attempt', async () => {
		const { ctx } = context({ status: 308, location: '/api/leads-v2' }, { status: 200, body: '{"ok":true}' });
		const response = await sendServiceRequestUnderRedirectPolicy(ctx, REQUEST, { service: 'Example CRM' }, policy());
		expect(response).toMatchObject({ statusCode: 200, body: { ok: true }, attempts: 2 });
	});
});
