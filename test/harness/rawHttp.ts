/**
 * The tests' one raw HTTP client: sends requests fetch will not (any method, repeated headers,
 * lying lengths, a body cut short) on a fresh connection, and reads the answer as it came.
 *
 * A server may refuse a request before reading its body (a 413 for a declared or growing size)
 * and close the connection while the client is still sending. What the client then sees is a
 * race: the answer if it was read before the connection broke, else only the broken write
 * (EPIPE) or a reset (ECONNRESET). Both are the server's refusal; rawSendMayBeRefused returns
 * either, and rawSend, for requests that must be answered, fails naming which happened.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** The server closed the connection before any answer could be read. */
export interface ClosedByServer {
	closedByServer: true;
	/** What the client saw: EPIPE (a write into the closed connection) or ECONNRESET. */
	code: string;
}

export type RawOutcome = RawResponse | ClosedByServer;

export interface RawRequest {
	method?: string;
	headers?: Record<string, string | string[]>;
	body?: Buffer | string;
	/** Send only this many bytes of the body, then wait for the answer (a sender that lies about Content-Length). */
	sendOnly?: number;
	/** Send the body in chunks without Content-Length. */
	chunked?: boolean;
	/** Appended to the URL, e.g. '?event=registration'. */
	query?: string;
	/** Gives up (rejects) when aborted, even where part of an answer arrived. */
	signal?: AbortSignal;
}

/** The errors a client sees when the server closed the connection on it. */
const CLOSED_BY_SERVER_CODES = new Set(['EPIPE', 'ECONNRESET']);

export function isClosedByServer(outcome: RawOutcome): outcome is ClosedByServer {
	return 'closedByServer' in outcome;
}

/** Sends the request; resolves with the answer, or with the refusal of a server that closed the connection without one. */
export async function rawSendMayBeRefused(url: string, options: RawRequest = {}): Promise<RawOutcome> {
	const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
	const headers: Record<string, string | string[]> = { ...(options.headers ?? {}) };
	const hasLength = Object.keys(headers).some((name) => name.toLowerCase() === 'content-length');
	if (body !== undefined && !options.chunked && !hasLength) headers['content-length'] = String(body.length);

	return await new Promise<RawOutcome>((resolve, reject) => {
		let response: IncomingMessage | undefined;
		const chunks: Buffer[] = [];
		let settled = false;
		const settle = (outcome: RawOutcome) => {
			if (settled) return;
			settled = true;
			// Given up by the caller: whatever arrived is not the answer.
			if (options.signal?.aborted) reject(options.signal.reason);
			else resolve(outcome);
			request.destroy();
		};
		// What arrived counts, also when the connection broke before the answer's end.
		const answer = (): RawResponse => ({
			status: response!.statusCode ?? 0,
			headers: response!.headers,
			body: Buffer.concat(chunks).toString('utf8'),
		});

		const request = httpRequest(
			url + (options.query ?? ''),
			{ method: options.method ?? 'POST', headers, agent: false, signal: options.signal },
			(incoming) => {
				response = incoming;
				incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
				incoming.on('end', () => settle(answer()));
				incoming.on('error', () => settle(answer()));
				incoming.on('close', () => settle(answer()));
			},
		);
		request.on('error', (error: NodeJS.ErrnoException) => {
			if (settled) return;
			if (response) {
				settle(answer());
			} else if (error.code !== undefined && CLOSED_BY_SERVER_CODES.has(error.code)) {
				settle({ closedByServer: true, code: error.code });
			} else {
				settled = true;
				reject(error);
			}
		});

		if (body === undefined) {
			request.end();
		} else if (options.sendOnly !== undefined) {
			request.write(body.subarray(0, options.sendOnly));
		} else if (options.chunked) {
			for (let start = 0; start < body.length; start += 64 * 1024) request.write(body.subarray(start, start + 64 * 1024));
			request.end();
		} else {
			request.end(body);
		}
	});
}

/** Sends a request that must be answered: a connection closed without an answer fails, saying so. */
export async function rawSend(url: string, options: RawRequest = {}): Promise<RawResponse> {
	const outcome = await rawSendMayBeRefused(url, options);
	if (isClosedByServer(outcome)) {
		throw new Error(`${options.method ?? 'POST'} ${url}: the server closed the connection before answering (${outcome.code})`);
	}
	return outcome;
}

export function jsonOf(response: RawResponse): unknown {
	try {
		return JSON.parse(response.body) as unknown;
	} catch {
		return undefined;
	}
}
