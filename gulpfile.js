const { src, dest } = require('gulp');

/** tsc builds the code; n8n also needs each node's and credential's icons beside the built files. */
function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports['build:icons'] = copyIcons;
