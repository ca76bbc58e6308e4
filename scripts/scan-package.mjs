#!/usr/bin/env node
/**
 * n8n's verification scanner, run offline: `analyzePackage` of `@n8n/scan-community-package`
 * (pinned in devDependencies) on a directory, with the file patterns n8n's own scan uses for
 * that side. n8n's scan (`analyzePackageByName`) first needs an npm provenance attestation and
 * downloads the attested GitHub source and the published tarball; the lint step gives
 * `analyzePackage` the working tree and the `npm pack` tarball instead, so nothing is fetched.
 *
 * CLI (used by the specs): `node scripts/scan-package.mjs <dir> sources|tarball`; exits 1 on a finding.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

// The scanner makes a temp dir when loaded, for downloads this use never makes; `tmp` removes it
// at exit only when asked to. Ask the scanner's own copy of `tmp`.
const scannerFile = fileURLToPath(import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs'));
createRequire(scannerFile)('tmp').setGracefulCleanup();

/** What n8n's scan lints on each side (`analyzePackageByName`, scanner 0.32.0): the attested
 * source's shippable files, and the tarball's compiled JavaScript and package.json (its `.d.ts`
 * files only trip the `.ts` filename rules there). */
export const SCAN_PATTERNS = {
	sources: SOURCE_FILE_PATTERNS,
	tarball: ['**/*.js', 'package.json'],
};

/**
 * Scans `dir` and prints one summary line, plus the scanner's report when it finds something.
 * Returns the number of failed scans (0 or 1): a finding, a crash of the analysis, and an empty
 * scan (the scanner passes a directory with nothing to lint) all count.
 */
export async function scanPackage(label, dir, side) {
	const started = Date.now();
	const result = await analyzePackage(dir, SCAN_PATTERNS[side]);
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	// 0.32.0 sets a message on a pass only when it found no file to lint.
	const failed = !result.passed || result.message !== undefined;
	if (result.details?.trim()) process.stdout.write(result.details.trimEnd() + '\n');
	const verdict = failed ? `FAILED (${result.message ?? 'no reason given'})` : 'passed';
	console.log(`n8n scanner ${label}: ${verdict}, ${seconds} s`);
	return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const [dir, side] = process.argv.slice(2);
	if (!dir || !(side in SCAN_PATTERNS)) {
		console.error('usage: node scripts/scan-package.mjs <dir> sources|tarball');
		process.exit(2);
	}
	process.exit(await scanPackage(side, path.resolve(dir), side));
}
