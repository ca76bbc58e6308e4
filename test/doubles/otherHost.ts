/**
 * A host that is not the service: a login page, a parked domain, a captive portal or the new home
 * of a moved API. It answers every request, whatever its method, path or headers, with 200 and an
 * HTML page, which is what a client that follows a redirect there reads as "success". It records
 * what reached it, so a spec can show that no request, and no credential, ever arrived.
 *
 * Its own 127.0.0.1 port makes it another origin than any other double.
 * Dependency-free (node:http) so a plain node benchmark can load it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtherHostRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export const OTHER_HOST_PAGE = [
	'<!DOCTYPE html>',
	'<html lang="en">',
	'<head><meta charset="utf-8"><title>Sign in</title><link rel="stylesheet" href="/assets/login.css"></head>',
	'<body>',
	'  <main class="login"><h1>Sign in to continue</h1>',
	'    <form action="/login" method="post"><input name="user"><input name="password" type="password"><button>Sign in</button></form>',
	'  </main>',
	'</body>',
	'</html>',
].join('\n');

export class OtherHost {
	readonly requests: OtherHostRequest[] = [];
	private server: Server | undefined;

	async start(): Promise<void> {
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				res.end(OTHER_HOST_PAGE);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		this.server = server;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	}

	get baseUrl(): string {
		const address = this.server?.address() as AddressInfo | undefined;
		if (!address) throw new Error('the other host is not started');
		return `http://127.0.0.1:${address.port}`;
	}

	/** A URL on this host, with a query that must never appear in a message. */
	url(path = '/login'): string {
		return `${this.baseUrl}${path}?session=otherhost-secret-query`;
	}
}
