#!/usr/bin/env node
/**
 * First step of `npm start` and `npm test`: on a fresh clone nothing has run
 * `npm install`, so the build's own tools (rimraf, tsc, gulp) are missing. This
 * script needs nothing but Node: it runs `npm ci` when node_modules is missing or
 * does not match package-lock.json, and does nothing otherwise (a few ms).
 *
 * "Matches" means: every dev dependency named in package.json is installed at
 * the exact version package-lock.json records. That catches a fresh clone and a
 * pulled lock file that added or bumped a package, without hashing the tree.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, lstatSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function staleReason() {
	const modules = path.join(root, 'node_modules');
	if (!existsSync(modules)) return 'node_modules is missing';
	const manifest = readJson(path.join(root, 'package.json'));
	const lock = readJson(path.join(root, 'package-lock.json'));
	const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
	for (const name of Object.keys(wanted)) {
		const locked = lock.packages && lock.packages[`node_modules/${name}`];
		if (!locked) return `${name} is not in package-lock.json (run npm install)`;
		const installedManifest = path.join(modules, name, 'package.json');
		if (!existsSync(installedManifest)) return `${name} is not installed`;
		const installed = readJson(installedManifest).version;
		if (installed !== locked.version) return `${name} is ${installed}, package-lock.json wants ${locked.version}`;
	}
	return undefined;
}

const reason = staleReason();
if (reason) {
	const modules = path.join(root, 'node_modules');
	// A node_modules that is a link belongs to another checkout: installing
	// through it would change that checkout under its owner's feet.
	if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
		console.error(`[bootstrap] ${reason}, but node_modules is a link to another checkout; install there.`);
		process.exit(1);
	}
	console.error(`[bootstrap] ${reason}: running npm ci`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);
}
