/**
 * Reading a webhook body as raw bytes with the trigger's own limit (nodes/shared/rawBody.ts),
 * which the Ory Webhook Trigger uses so that it, not n8n, answers 400/413/415. Runs against a
 * real Node HTTP server and raw sockets, since streaming and early refusal are the point.
 */
import { createServer, type IncomingMessage, type Server } from 'http';
import { connect } from 'net';
import type { AddressInfo } from 'net';

import { RAW_BODY_PARAMETER, readRawRequestBody, type RawBodyResult } from '../../nodes/shared/rawBody';

const LIMIT = 1024;

let server: Server;
let port: number;
let lastResult: Promise<RawBodyResult> | undefined;

beforeAll(async () => {
	server = createServer((req, res) => {
		lastResult = readRawRequestBody(req as IncomingMessage & { rawBody?: Buffer }, LIMIT);
		void lastResult.then((result) => {
			const body = result.ok ? JSON.stringify({ bytes: result.bytes.toString('base64') }) : JSON.stringify(result);
			res.writeHead(result.ok ? 200 : result.status, { 'content-type': 'application/json', connection: 'close' });
			res.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

async function post(body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
	const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body });
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Sends raw HTTP over a socket and resolves with the status line's code (or 'closed'). */
async function rawRequest(head: string, body: string | undefined, endSocket: 'keepOpen' | 'destroyAfterBody'): Promise<number | 'closed'> {
	return await new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1', () => {
			socket.write(head);
			if (body !== undefined) socket.write(body);
			if (endSocket === 'destroyAfterBody') socket.destroy();
		});
		let received = '';
		socket.on('data', (chunk) => {
			received += chunk.toString('latin1');
			const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
			if (match) {
				resolve(Number(match[1]));
				socket.destroy();
			}
		});
		socket.on('close', () => resolve('closed'));
		socket.on('error', () => resolve('closed'));
	});
}

describe('readRawRequestBody', () => {
	it('returns the exact bytes sent, byte order mark and unicode included', async () => {
		const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë 李"}', 'utf8')]);
		const { status, json } = await post(body, { 'content-type': 'application/json' });
		expect(status).toBe(200);
		expect(Buffer.from(json.bytes as string, 'base64').equals(body)).toBe(true);
	});

	it('accepts a body of exactly the limit', async () => {
		expect((await post('x'.repeat(LIMIT))).status).toBe(200);
	});

	it('refuses a body one byte over the limit with 413', async () => {
		const { status, json } = await post('x'.repeat(LIMIT + 1));
		expect(status).toBe(413);
		expect(json.message).toBe(`Request body is larger than ${LIMIT} bytes`);
	});

	it('refuses a declared Content-Length over the limit before any body arrives', async () => {
		// Headers only: a reader waiting for the body would never answer.
		const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n`;
		expect(await rawRequest(head, undefined, 'keepOpen')).toBe(413);
	});

	it('refuses a chunked body as soon as it passes the limit', async () => {
		const chunk = 'y'.repeat(600);
		const head = `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`;
		// Two chunks pass the limit; the terminating chunk is never sent.
		const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`;
		expect(await rawRequest(head, body, 'keepOpen')).toBe(413);
	});

	it('reports a client that goes away mid-body as a body not read to its end', async () => {
		lastResult = undefined;
		const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n`;
		await rawRequest(head, '{"partial":', 'destroyAfterBody');
		for (let attempt = 0; attempt < 100 && lastResult === undefined; attempt++) {
			await new Promise((resolve) => setImmediate(resolve));
		}
		expect(await lastResult).toEqual({ ok: false, status: 400, message: 'The request body could not be read to its end' });
	});

	it.each(['gzip', 'deflate', 'br'])('refuses a %s-compressed body with 415', async (encoding) => {
		const { status, json } = await post('{}', { 'content-encoding': encoding });
		expect(status).toBe(415);
		expect(json.message).toMatch(/Content-Encoding/);
	});

	it('accepts Content-Encoding: identity', async () => {
		expect((await post('{}', { 'content-encoding': 'identity' })).status).toBe(200);
	});

	it('uses the bytes n8n already read when it has', async () => {
		const request = { headers: {}, rawBody: Buffer.from('{"a":1}'), on: jest.fn(), removeListener: jest.fn() };
		expect(await readRawRequestBody(request, LIMIT)).toEqual({ ok: true, bytes: Buffer.from('{"a":1}') });
		expect(request.on).not.toHaveBeenCalled();
	});

	it('applies the limit to bytes n8n already read', async () => {
		const request = { headers: {}, rawBody: 'z'.repeat(LIMIT + 1), on: jest.fn(), removeListener: jest.fn() };
		expect((await readRawRequestBody(request, LIMIT)).ok).toBe(false);
	});

	it('answers an empty body for a stream already consumed', async () => {
		const request = { headers: {}, readableEnded: true, on: jest.fn(), removeListener: jest.fn() };
		expect(await readRawRequestBody(request, LIMIT)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
	});
});

describe('RAW_BODY_PARAMETER', () => {
	it('is the hidden options.binaryData = true that makes n8n skip parsing a version-1 webhook node’s body', () => {
		expect(RAW_BODY_PARAMETER).toMatchObject({ name: 'options', type: 'hidden', default: { binaryData: true } });
	});
});
