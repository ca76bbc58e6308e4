/**
 * The Ory Webhook Trigger's webhook() on a faked webhook context: which key a delivery is
 * remembered under, and what a redelivery gets while, and after, the first attempt runs. The
 * response object stands in for n8n's: a spec ends it the way n8n does when the run ends.
 * (The same behaviours in a real n8n: test/e2e/oryToZoho.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { OryWebhookTrigger } from '../../nodes/OryWebhookTrigger/OryWebhookTrigger.node';

const SECRET = 'f3a9c1d27b8e4f60a5d2c9e1b7a4f803';

class FakeResponse {
	statusCode = 200;
	headersSent = false;
	headers: Record<string, string> = {};
	body = '';
	writeHead(status: number, headers: Record<string, string> = {}) {
		this.statusCode = status;
		this.headers = { ...this.headers, ...headers };
		this.headersSent = true;
		return this;
	}
	getHeader(name: string) {
		return this.headers[name] ?? this.headers[name.toLowerCase()];
	}
	write(chunk: string | Buffer) {
		this.body += chunk.toString();
		return true;
	}
	end(chunk?: string | Buffer) {
		if (chunk !== undefined) this.body += chunk.toString();
		this.headersSent = true;
		return this;
	}
	/** What n8n does when the run has ended: answer with this status and body. */
	answer(status: number, body: string) {
		this.writeHead(status, { 'content-type': 'application/json' });
		this.end(body);
	}
}

let workflowSequence = 0;

/** One trigger node of one workflow; each call of `deliver` is one HTTP request to it. */
function triggerOf(settings: Record<string, unknown> = {}) {
	const workflowId = `wf-${++workflowSequence}`;
	const node = new OryWebhookTrigger();
	const deliver = (headers: Record<string, string>, body: unknown = { identity: { id: 'i-1', traits: { email: 'ada@example.test' } } }) => {
		const response = new FakeResponse();
		const context = {
			getRequestObject: () => ({
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, ...headers },
				query: {},
				rawBody: Buffer.from(JSON.stringify(body)),
			}),
			getResponseObject: () => response,
			getCredentials: async () => ({ authType: 'headerKey', headerName: 'X-Webhook-Secret', secret: SECRET }),
			getNodeParameter: (name: string, fallback: unknown) => (name === 'settings' ? settings : fallback),
			getNode: () => ({ id: 'trigger-1', name: 'Ory Webhook Trigger' }),
			getWorkflow: () => ({ id: workflowId }),
		} as unknown as IWebhookFunctions;
		return { response, result: node.webhook.call(context) };
	};
	return { deliver };
}

function started(result: IWebhookResponseData): boolean {
	return result.workflowData !== undefined;
}

const attempt = (triggerId: string) => ({ 'ory-webhook-trigger-id': triggerId, 'ory-webhook-request-id': randomUUID() });

describe('Ory Webhook Trigger redeliveries', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('starts a run for the first attempt of a delivery, with the body as received', async () => {
		const body = { identity: { id: 'i-1', traits: { email: 'ada@example.test' } }, tenant: 'acme' };
		const result = await triggerOf().deliver(attempt(randomUUID()), body).result;
		expect(result.workflowData?.[0][0].json).toMatchObject({ email: 'ada@example.test', body });
	});

	it('keys deliveries on the trigger id: a retry with a new request id replays the first answer', async () => {
		const { deliver } = triggerOf();
		const triggerId = randomUUID();
		const first = deliver(attempt(triggerId));
		expect(started(await first.result)).toBe(true);
		first.response.answer(200, '{"done":true}');
		const retry = deliver(attempt(triggerId));
		expect(await retry.result).toEqual({ noWebhookResponse: true });
		expect([retry.response.statusCode, retry.response.body]).toEqual([200, '{"done":true}']);
	});

	it('keys deliveries on the request id when Ory sends no trigger id', async () => {
		const { deliver } = triggerOf();
		const requestId = randomUUID();
		const first = deliver({ 'ory-webhook-request-id': requestId });
		expect(started(await first.result)).toBe(true);
		first.response.answer(200, '{}');
		expect(started(await deliver({ 'ory-webhook-request-id': requestId }).result)).toBe(false);
		expect(started(await deliver({ 'ory-webhook-request-id': randomUUID() }).result)).toBe(true);
	});

	it('runs the retry of a delivery whose run n8n answered 500', async () => {
		const { deliver } = triggerOf();
		const triggerId = randomUUID();
		const first = deliver(attempt(triggerId));
		await first.result;
		first.response.answer(500, '{"message":"Error in workflow"}');
		expect(started(await deliver(attempt(triggerId)).result)).toBe(true);
	});

	it('makes a retry wait for the running first attempt and runs it when that attempt fails', async () => {
		const { deliver } = triggerOf();
		const triggerId = randomUUID();
		const first = deliver(attempt(triggerId));
		await first.result;
		const retry = deliver(attempt(triggerId));
		first.response.answer(500, '{"message":"Error in workflow"}');
		expect(started(await retry.result)).toBe(true);
	});

	it('answers 503 with Retry-After, starting nothing, when the first attempt still runs after 20 s', async () => {
		const { deliver } = triggerOf();
		const triggerId = randomUUID();
		await deliver(attempt(triggerId)).result;
		const retry = deliver(attempt(triggerId));
		await jest.advanceTimersByTimeAsync(20_000);
		expect(await retry.result).toEqual({ noWebhookResponse: true });
		expect(retry.response.statusCode).toBe(503);
		expect(retry.response.headers['Retry-After']).toBe('10');
		expect(JSON.parse(retry.response.body)).toEqual({ error: 'An earlier attempt of this delivery is still running: retry later' });
	});

	it('starts every attempt when Deduplicate On is Off', async () => {
		const { deliver } = triggerOf({ deduplicateOn: 'off' });
		const triggerId = randomUUID();
		const first = deliver(attempt(triggerId));
		await first.result;
		first.response.answer(200, '{}');
		expect(started(await deliver(attempt(triggerId)).result)).toBe(true);
	});
});
