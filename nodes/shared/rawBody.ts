/**
 * Reading a webhook request's body as raw bytes, with the trigger's own size limit, so a
 * trigger can answer 400/413/415 in its own words instead of n8n's generic ones.
 *
 * Why this is needed: before it calls a node's `webhook()`, n8n parses JSON bodies itself and
 * answers a malformed one with its own 422 "Failed to parse request body", without asking the
 * node (n8n 2.x, webhook-helpers `parseRequestBody`). It skips that parsing for a node of
 * typeVersion 1 whose `options.binaryData` parameter is true. RAW_BODY_PARAMETER sets exactly
 * that as a hidden parameter, and readRawRequestBody then reads the untouched stream.
 * Should a future n8n parse the body anyway, `req.rawBody` holds the bytes and is used
 * instead; only n8n's own 422 for malformed JSON would then reach the caller.
 */
import type { INodeProperties } from 'n8n-workflow';

import { getHeader } from './headers';

/**
 * Hidden parameter of a version-1 webhook node that makes n8n hand over the body unparsed.
 * The node must not also declare a parameter named `options`.
 */
export const RAW_BODY_PARAMETER: INodeProperties = {
	displayName: 'Raw Body',
	name: 'options',
	type: 'hidden',
	default: { binaryData: true },
};

/** The parts of Node's IncomingMessage (what n8n's express request is) this module uses. */
export interface RawBodySource {
	headers: Record<string, string | string[] | undefined>;
	/** Set by n8n when it has already read the body. */
	rawBody?: Buffer | string;
	readableEnded?: boolean;
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

export type RawBodyResult =
	| { ok: true; bytes: Buffer }
	| { ok: false; status: 400 | 413 | 415; message: string };

const INCOMPLETE_BODY = 'The request body could not be read to its end';

/** The one wording of a 413, wherever the size is found out. */
export function tooLargeMessage(maxBytes: number): string {
	return `Request body is larger than ${maxBytes} bytes`;
}

function tooLarge(maxBytes: number): RawBodyResult {
	return { ok: false, status: 413, message: tooLargeMessage(maxBytes) };
}

/**
 * Bytes as UTF-8 text, or undefined when they are not UTF-8: refused rather than replaced
 * silently. Strips one leading BOM.
 */
export function decodeUtf8(bytes: Buffer): string | undefined {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
}

/** The Content-Length the sender declared, when it is one plain number (a repeated one is ignored). */
export function declaredContentLength(headers: RawBodySource['headers']): number | undefined {
	const declared = getHeader(headers, 'content-length');
	return typeof declared === 'string' && /^\s*\d+\s*$/.test(declared) ? Number(declared) : undefined;
}

/**
 * The request's body bytes, at most `maxBytes` of them. A declared Content-Length over the
 * limit is refused before anything is read; a body that turns out larger while streaming is
 * refused as soon as it passes the limit (the rest is never buffered). Compressed bodies are
 * refused with 415: nodes may not load zlib, and no webhook sender this package serves
 * compresses. Never rejects.
 */
export async function readRawRequestBody(request: RawBodySource, maxBytes: number): Promise<RawBodyResult> {
	const encoding = getHeader(request.headers, 'content-encoding');
	const encodingName = (Array.isArray(encoding) ? encoding.join(',') : encoding ?? '').trim().toLowerCase();
	if (encodingName !== '' && encodingName !== 'identity') {
		return { ok: false, status: 415, message: 'Unsupported Content-Encoding: send the body uncompressed' };
	}

	if (request.rawBody !== undefined && request.rawBody !== null) {
		const bytes = Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody, 'utf8');
		return bytes.length > maxBytes ? tooLarge(maxBytes) : { ok: true, bytes };
	}

	const declared = declaredContentLength(request.headers);
	if (declared !== undefined && declared > maxBytes) return tooLarge(maxBytes);
	if (request.readableEnded === true) return { ok: true, bytes: Buffer.alloc(0) };

	return await new Promise<RawBodyResult>((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const settle = (result: RawBodyResult) => {
			if (settled) return;
			settled = true;
			request.removeListener('data', onData);
			request.removeListener('end', onEnd);
			request.removeListener('error', onError);
			request.removeListener('close', onClose);
			resolve(result);
		};
		const onData = (chunk: Buffer | string) => {
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8');
			size += bytes.length;
			// With no listener left the stream keeps flowing and Node discards the rest.
			if (size > maxBytes) settle(tooLarge(maxBytes));
			else chunks.push(bytes);
		};
		const onEnd = () => settle({ ok: true, bytes: Buffer.concat(chunks, size) });
		// An error, or 'close' before 'end': the client went away mid-body.
		const onError = () => settle({ ok: false, status: 400, message: INCOMPLETE_BODY });
		const onClose = () => settle({ ok: false, status: 400, message: INCOMPLETE_BODY });
		request.on('data', onData);
		request.on('end', onEnd);
		request.on('error', onError);
		request.on('close', onClose);
	});
}
