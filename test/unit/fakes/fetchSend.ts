/**
 * A `send` (nodes/shared/http.ts SendFunction) on Node's fetch that honours the parts of n8n's
 * IHttpRequestOptions this package uses, the way n8n's own httpRequest does: url + qs, method,
 * headers, a string / URLSearchParams / JSON body, `json`, `returnFullResponse` and
 * `ignoreHttpStatusErrors` (without it, a status >= 400 throws an axios-like error carrying
 * `response.status`). Connection failures surface as fetch's TypeError with the socket error as
 * `cause` (cause.code = ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, …).
 */
import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

function withQuery(url: string, qs: IDataObject | undefined): string {
	if (!qs || Object.keys(qs).length === 0) return url;
	const target = new URL(url);
	for (const [key, value] of Object.entries(qs)) {
		if (value !== undefined && value !== null) target.searchParams.append(key, String(value));
	}
	return target.toString();
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function encodeBody(options: IHttpRequestOptions, headers: Record<string, string>): string | undefined {
	const { body } = options;
	if (body === undefined || body === null || body === '') return undefined;
	if (typeof body === 'string') return body;
	if (body instanceof URLSearchParams) {
		if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
		return body.toString();
	}
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	// n8n (axios) sends a plain object as JSON.
	if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
	return JSON.stringify(body);
}

function parseText(text: string): unknown {
	if (text === '') return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export async function fetchSend(options: IHttpRequestOptions): Promise<IN8nHttpFullResponse> {
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {})) {
		if (value !== undefined) headers[key] = String(value);
	}
	if (options.json && !hasHeader(headers, 'accept')) headers.accept = 'application/json';
	const method = (options.method ?? 'GET').toUpperCase();
	const body = method === 'GET' ? undefined : encodeBody(options, headers);
	const response = await fetch(withQuery(options.url, options.qs), { method, headers, body });
	const text = await response.text();
	const responseHeaders: IDataObject = {};
	response.headers.forEach((value, key) => {
		responseHeaders[key] = value;
	});
	// Like axios in n8n: a JSON answer is parsed whatever `json` says.
	const parsed = parseText(text);
	if (response.status >= 400 && !options.ignoreHttpStatusErrors) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
			response: { status: response.status, headers: responseHeaders, data: parsed },
		});
	}
	const full = { statusCode: response.status, headers: responseHeaders, body: parsed } as IN8nHttpFullResponse;
	return options.returnFullResponse ? full : (parsed as IN8nHttpFullResponse);
}
