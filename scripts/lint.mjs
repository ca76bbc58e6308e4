#!/usr/bin/env node
/**
 * Lints with n8n's own configuration: the ESLint config `@n8n/node-cli` exports
 * (what `n8n-node lint` runs; pinned in devDependencies, named in eslint.config.mjs),
 * on the files the package ships. Two additions, both as n8n's verification scan does them:
 * inline `eslint-disable` comments are ignored, and a second pass lints the
 * files of the `npm pack` tarball that users install. Any error or warning fails.
 * Then n8n's verification scanner itself (`analyzePackage`, scripts/scan-package.mjs) on the
 * sources and the same tarball, and `n8n-node cloud-support`'s status check.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import n8nConfig from '../eslint.config.mjs';
import { scanPackage } from './scan-package.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The tarball is compiled JavaScript, which n8n's config (written for TypeScript sources, and
// ignoring dist/) does not reach. Of its rules, those that judge compiled output apply there:
// the community-nodes rules (n8n Cloud's import and global restrictions, usableAsTool, credential
// fields...) and no-console. The rest would misjudge tsc's output (CommonJS require, `var`
// helpers, n8n-nodes-base reading a default imported from another module as missing): n8n's
// verification scan splits the tarball from the sources the same way.
const judgesCompiledOutput = (rule) => rule.startsWith('@n8n/community-nodes/') || rule === 'no-console';
const isGlobalIgnore = (block) => block.files === undefined && Object.keys(block).every((key) => key === 'ignores' || key === 'name');
const tarballConfig = n8nConfig
	.filter((block) => !isGlobalIgnore(block))
	.map((block) => {
		if (block.files === undefined || block.files.includes('package.json')) return block;
		const rules = Object.fromEntries(Object.entries(block.rules ?? {}).filter(([rule]) => judgesCompiledOutput(rule)));
		return { ...block, files: ['**/*.js'], rules };
	});

async function lint(label, cwd, config, patterns) {
	const eslint = new ESLint({ cwd, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: config });
	const results = await eslint.lintFiles(patterns);
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const formatter = await eslint.loadFormatter('stylish');
	const report = await formatter.format(results);
	if (report.trim()) process.stdout.write(report + '\n');
	console.log(`lint ${label}: ${results.length} files, ${errors} errors, ${warnings} warnings`);
	return errors + warnings;
}

// The sources of what ships; n8n's config has rules for TypeScript and package.json only.
let problems = await lint('sources', root, n8nConfig, ['package.json', '{nodes,credentials}/**/*.ts']);

// The tarball: what `npm install n8n-nodes-contact-sync` puts on a user's disk.
const packDir = mkdtempSync(path.join(tmpdir(), 'contact-sync-pack-'));
try {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop();
	const unpacked = path.join(packDir, 'package');
	execFileSync('tar', ['-xzf', path.join(packDir, tarball), '-C', packDir]);
	problems += await lint('packed tarball', unpacked, tarballConfig, ['**/*.js', 'package.json']);

	// n8n's scanner fails on errors only, as n8n's gate does; the passes above already fail on the
	// warnings of the same rule sets.
	problems += await scanPackage('sources', root, 'sources');
	problems += await scanPackage('packed tarball', unpacked, 'tarball');
} finally {
	rmSync(packDir, { recursive: true, force: true });
}

problems += cloudSupportStatus();

if (problems > 0) {
	console.error(`lint failed: ${problems} findings`);
	process.exit(1);
}

/**
 * `n8n-node cloud-support` without an argument only reports (enable/disable would rewrite
 * package.json and eslint.config.mjs): eligible when package.json has `n8n.strict: true` and
 * eslint.config.mjs is n8n's default config, unmodified. Its verdict is kept, its banner is not.
 */
function cloudSupportStatus() {
	const cli = path.join(root, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs');
	const { FORCE_COLOR: _forceColor, ...env } = process.env;
	const run = spawnSync(process.execPath, [cli, 'cloud-support'], {
		cwd: root,
		env: { ...env, NO_COLOR: '1' },
		stdio: ['ignore', 'pipe', 'pipe'],
		encoding: 'utf8',
	});
	const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
	const enabled = run.status === 0 && output.includes('Cloud support is ENABLED');
	if (!enabled) process.stdout.write(output.trimEnd() + '\n');
	console.log(`n8n-node cloud-support: ${enabled ? 'ENABLED (strict mode, default eslint.config.mjs)' : 'NOT eligible'}`);
	return enabled ? 0 : 1;
}
