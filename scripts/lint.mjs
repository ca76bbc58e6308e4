#!/usr/bin/env node
/**
 * Lints exactly as n8n's community-package verification does: the
 * `@n8n/eslint-plugin-community-nodes` recommended set plus the community,
 * credentials and nodes sets of `eslint-plugin-n8n-nodes-base`, with inline
 * `eslint-disable` comments ignored. Two passes: the sources, and the files of
 * the `npm pack` tarball that users install. Any error or warning fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';
import tsParser from '@typescript-eslint/parser';
import nodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const config = defineConfig(
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': nodesBase } },
	{ files: ['package.json'], rules: { ...nodesBase.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...nodesBase.configs.credentials.rules,
			// The same two rules n8n's scanner switches off for community packages.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...nodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	{ files: ['**/*.ts'], languageOptions: { parser: tsParser } },
);

async function lint(label, cwd, patterns) {
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

let problems = await lint('sources', root, ['package.json', '{nodes,credentials}/**/*.{js,ts,json}']);

// The tarball: what `npm install n8n-nodes-contact-sync` puts on a user's disk.
const packDir = mkdtempSync(path.join(tmpdir(), 'contact-sync-pack-'));
try {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop();
	const unpacked = path.join(packDir, 'package');
	execFileSync('tar', ['-xzf', path.join(packDir, tarball), '-C', packDir]);
	problems += await lint('packed tarball', unpacked, ['**/*.js', 'package.json']);
} finally {
	rmSync(packDir, { recursive: true, force: true });
}

if (problems > 0) {
	console.error(`lint failed: ${problems} findings`);
	process.exit(1);
}
