/**
 * The tests' raw HTTP client (test/harness/rawHttp) against servers that refuse an upload before
 * reading its body, as n8n does with a 413: the answer when one could be read, else a refusal
 * marked closedByServer, never a thrown EPIPE / ECONNRESET.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';

import { rawSend, rawSendMayBeRefused } from '../harness/rawHttp';

/** Larger than the socket buffers of both ends together: the client is still sending when refused. */
const UPLOAD = Buffer.alloc(64 * 1024 * 1024, 'a');
const REFUSAL = '{"error":"Request body is larger than 5242880 bytes"}';
const REFUSAL_HEAD = `HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(REFUSAL)}\r\nconnection: close\r\n\r\n`;

type AnyServer = HttpServer | TcpServer;

async function listen(server: AnyServer): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** A bare TCP server that reads a request's head, then does `afterHead` without reading the body. */
function refusingAfterHead(afterHead: (socket: Socket) => void): TcpServer {
	return createTcpServer((socket) => {
		let head = '';
		const onData = (chunk: Buffer) => {
			head += chunk.toString('latin1');
			if (!head.includes('\r\n\r\n')) return;
			socket.removeListener('data', onData);
			socket.pause();
			afterHead(socket);
		};
		socket.on('data', onData);
		socket.on('error', () => undefined);
	});
}

describe('rawSendMayBeRefused (the tests\' raw HTTP client)', () => {
	const servers: AnyServer[] = [];
	const serve = async (server: AnyServer) => {
		servers.push(server);
		return await listen(server);
	};

	afterEach(async () => {
		for (const server of servers.splice(0)) {
			if ('closeAllConnections' in server) server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('returns the answer of a server that read the whole request', async () => {
		const url = await serve(
			createHttpServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (chunk: Buffer) => chunks.push(chunk));
				req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-received': String(Buffer.concat(chunks).length) }).end('{"status":"ok"}'));
			}),
		);

		const outcome = await rawSendMayBeRefused(url, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

		expect(outcome).toEqual({ status: 200, headers: expect.objectContaining({ 'x-received': '7' }), body: '{"status":"ok"}' });
	});

	it('returns a server\'s 413 sent before the body was read, although the connection then broke', async () => {
		const url = await serve(refusingAfterHead((socket) => socket.write(REFUSAL_HEAD + REFUSAL, () => socket.resetAndDestroy())));

		const outcome = await rawSendMayBeRefused(url, { body: UPLOAD });

		expect(outcome).toEqual({ status: 413, headers: expect.objectContaining({ 'content-type': 'application/json' }), body: REFUSAL });
	});

	it('returns what arrived of an answer the broken connection cut short', async () => {
		const half = REFUSAL.slice(0, 20);
		const url = await serve(refusingAfterHead((socket) => socket.write(REFUSAL_HEAD + half, () => socket.resetAndDestroy())));

		const outcome = await rawSendMayBeRefused(url, { body: UPLOAD });

		expect(outcome).toEqual({ status: 413, headers: expect.objectContaining({ 'content-length': String(REFUSAL.length) }), body: half });
	});

	it('returns a refusal marked closedByServer when the server closed the connection mid-upload without an answer', async () => {
		const url = await serve(refusingAfterHead((socket) => socket.resetAndDestroy()));

		const outcome = await rawSendMayBeRefused(url, { body: UPLOAD });

		expect(outcome).toEqual({ closedByServer: true, code: expect.stringMatching(/^(EPIPE|ECONNRESET)$/) });
	});

	it('returns the 413 or the refusal, never an error, from a server that answers 413 and destroys the socket on reading the head', async () => {
		const url = await serve(
			createHttpServer((req, res) => {
				res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(REFUSAL);
				req.socket.destroy();
			}),
		);

		const outcome = await rawSendMayBeRefused(url, { body: UPLOAD });

		expect([{ status: 413, body: REFUSAL }, { closedByServer: true }]).toContainEqual(
			'closedByServer' in outcome ? { closedByServer: outcome.closedByServer } : { status: outcome.status, body: outcome.body },
		);
	});
});

describe('rawSend (a request that must be answered)', () => {
	let server: TcpServer;
	let url: string;

	beforeAll(async () => {
		server = refusingAfterHead((socket) => socket.resetAndDestroy());
		url = await listen(server);
	});

	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
	});

	it('fails saying the server closed the connection before answering', async () => {
		await expect(rawSend(url, { body: UPLOAD })).rejects.toThrow(/^POST http:\/\/127\.0\.0\.1:\d+\/hook: the server closed the connection before answering \((EPIPE|ECONNRESET)\)$/);
	});
});
