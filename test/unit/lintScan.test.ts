import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The lint step's run of n8n's verification scanner (scripts/scan-package.mjs, an ES module, so
// run as the lint step runs it: in its own Node process) on a one-node package in a temp dir.
// The fixture is otherwise clean, so the global alone decides the verdict.
const scanScript = path.resolve(__dirname, '../../scripts/scan-package.mjs');
// Each run loads ESLint and the scanner's rule sets in a fresh Node process: seconds, more on a busy machine.
jest.setTimeout(120_000);

const fixturePackageJson = {
	name: 'n8n-nodes-fixture',
	version: '0.1.0',
	description: 'A one-node package the scanner spec lints.',
	keywords: ['n8n-community-node-package'],
	license: 'MIT',
	homepage: 'https://example.com',
	author: { name: 'Fixture', email: 'fixture@example.com' },
	files: ['dist'],
	peerDependencies: { 'n8n-workflow': '*' },
	n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Fixture/Fixture.node.js'] },
};

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'contact-sync-scan-spec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeFixture(files: Record<string, string>) {
	writeFileSync(path.join(dir, 'package.json'), JSON.stringify(fixturePackageJson, null, 2));
	for (const [file, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		writeFileSync(path.join(dir, file), text);
	}
}

function scan(side: 'sources' | 'tarball') {
	const run = spawnSync(process.execPath, [scanScript, dir, side], { encoding: 'utf8', timeout: 120_000 });
	return { status: run.status, output: run.stdout + run.stderr };
}

describe("the lint step's run of n8n's verification scanner", () => {
	it('fails on a source file that reads process.env, naming the rule and the file', () => {
		writeFixture({ 'nodes/Fixture/Fixture.node.ts': 'export const region = process.env.REGION;\n' });
		const { status, output } = scan('sources');
		expect(status).toBe(1);
		expect(output).toMatch(/Fixture\.node\.ts\n\s+1:\d+\s+error\s+Use of restricted global 'process'.*@n8n\/community-nodes\/no-restricted-globals/);
		expect(output).toContain('n8n scanner sources: FAILED (ESLint violations found)');
	});

	it('passes the same source file without the global', () => {
		writeFixture({ 'nodes/Fixture/Fixture.node.ts': "export const region = 'eu';\n" });
		const { status, output } = scan('sources');
		expect(output).toContain('n8n scanner sources: passed');
		expect(status).toBe(0);
	});

	it('fails on a compiled file of the tarball that reads process.env', () => {
		writeFixture({ 'dist/nodes/Fixture/Fixture.node.js': '"use strict";\nexports.region = process.env.REGION;\n' });
		const { status, output } = scan('tarball');
		expect(status).toBe(1);
		expect(output).toMatch(/Fixture\.node\.js\n\s+2:\d+\s+error\s+Use of restricted global 'process'.*@n8n\/community-nodes\/no-restricted-globals/);
	});

	it('passes the same compiled file without the global', () => {
		writeFixture({ 'dist/nodes/Fixture/Fixture.node.js': '"use strict";\nexports.region = "eu";\n' });
		const { status, output } = scan('tarball');
		expect(output).toContain('n8n scanner tarball: passed');
		expect(status).toBe(0);
	});

	it('fails when it finds nothing to scan, which the scanner itself passes', () => {
		const { status, output } = scan('tarball');
		expect(status).toBe(1);
		expect(output).toContain('n8n scanner tarball: FAILED (No files found to analyze)');
	});
});
