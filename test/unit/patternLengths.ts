/**
 * Which lengths the digit strings matched by one of libphonenumber's national-number patterns can
 * have when they begin with a given prefix: exact, by running the pattern as a set of states over
 * the prefix and then over any digit, never by sampling. The phone specs use it to prove the
 * per-country rules in nodes/shared/phones.ts against libphonenumber's metadata (for instance that
 * no German national number begins with 0, so "+49 030…" can only carry a typed trunk 0).
 *
 * It understands the subset of regular expressions the metadata uses (digits, \d, [..] classes,
 * groups, |, ?, *, +, {n}, {n,}, {n,m}) and throws on anything else, so a pattern it cannot read
 * fails the spec instead of being misread.
 */

type PatternNode =
	| { kind: 'digits'; digits: ReadonlySet<string> }
	| { kind: 'sequence'; parts: PatternNode[] }
	| { kind: 'choice'; options: PatternNode[] }
	| { kind: 'repeat'; node: PatternNode; min: number; max: number };

const ALL_DIGITS: ReadonlySet<string> = new Set('0123456789');
/** Longer than any national number (libphonenumber's longest is 17 digits). */
const LENGTH_CAP = 20;

export function parsePattern(source: string): PatternNode {
	let at = 0;
	const fail = (why: string): never => {
		throw new Error(`pattern ${JSON.stringify(source)} at ${at}: ${why}`);
	};
	const parseChoice = (): PatternNode => {
		const options = [parseSequence()];
		while (source[at] === '|') {
			at++;
			options.push(parseSequence());
		}
		return options.length === 1 ? options[0] : { kind: 'choice', options };
	};
	const parseSequence = (): PatternNode => {
		const parts: PatternNode[] = [];
		while (at < source.length && source[at] !== '|' && source[at] !== ')') parts.push(parseQuantified(parseAtom()));
		return { kind: 'sequence', parts };
	};
	const parseAtom = (): PatternNode => {
		const char = source[at];
		if (char === '(') {
			at += source.startsWith('(?:', at) ? 3 : 1;
			const inner = parseChoice();
			if (source[at] !== ')') fail('unclosed group');
			at++;
			return inner;
		}
		if (char === '[') return parseClass();
		if (char === '\\') {
			if (source[at + 1] !== 'd') fail('only \\d is understood');
			at += 2;
			return { kind: 'digits', digits: ALL_DIGITS };
		}
		if (char !== undefined && /\d/.test(char)) {
			at++;
			return { kind: 'digits', digits: new Set(char) };
		}
		return fail(`unexpected ${JSON.stringify(char)}`);
	};
	const parseClass = (): PatternNode => {
		at++;
		const digits = new Set<string>();
		while (source[at] !== ']') {
			if (at >= source.length) fail('unclosed class');
			if (source.startsWith('\\d', at)) {
				ALL_DIGITS.forEach((digit) => digits.add(digit));
				at += 2;
				continue;
			}
			const from = source[at];
			if (!/\d/.test(from)) fail('only digits and ranges of digits in a class');
			if (source[at + 1] === '-' && source[at + 2] !== ']') {
				const to = source[at + 2];
				for (let digit = Number(from); digit <= Number(to); digit++) digits.add(String(digit));
				at += 3;
			} else {
				digits.add(from);
				at++;
			}
		}
		at++;
		return { kind: 'digits', digits };
	};
	const parseQuantified = (node: PatternNode): PatternNode => {
		for (;;) {
			const char = source[at];
			if (char === '?') node = { kind: 'repeat', node, min: 0, max: 1 };
			else if (char === '*') node = { kind: 'repeat', node, min: 0, max: LENGTH_CAP };
			else if (char === '+') node = { kind: 'repeat', node, min: 1, max: LENGTH_CAP };
			else if (char === '{') {
				const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
				if (match === null) fail('malformed {n,m}');
				const min = Number(match![1]);
				const max = match![2] === undefined ? min : match![3] === '' ? LENGTH_CAP : Number(match![3]);
				node = { kind: 'repeat', node, min, max };
				at += match![0].length - 1;
			} else return node;
			at++;
		}
	};
	const tree = parseChoice();
	if (at !== source.length) fail('unbalanced )');
	return tree;
}

/** A state: how much of the prefix has been matched, and how many digits so far. */
type State = string;
const state = (matched: number, length: number): State => `${matched}:${length}`;
const split = (value: State): [number, number] => value.split(':').map(Number) as [number, number];

function advance(node: PatternNode, states: ReadonlySet<State>, prefix: string): Set<State> {
	switch (node.kind) {
		case 'digits': {
			const next = new Set<State>();
			for (const current of states) {
				const [matched, length] = split(current);
				if (length >= LENGTH_CAP) continue;
				if (matched < prefix.length) {
					if (node.digits.has(prefix[matched])) next.add(state(matched + 1, length + 1));
				} else if (node.digits.size > 0) next.add(state(matched, length + 1));
			}
			return next;
		}
		case 'sequence':
			return node.parts.reduce((current, part) => advance(part, current, prefix), new Set(states));
		case 'choice': {
			const next = new Set<State>();
			for (const option of node.options) advance(option, states, prefix).forEach((reached) => next.add(reached));
			return next;
		}
		case 'repeat': {
			let current = new Set(states);
			for (let count = 0; count < node.min; count++) current = advance(node.node, current, prefix);
			const reached = new Set(current);
			for (let count = node.min; count < node.max && current.size > 0; count++) {
				current = advance(node.node, current, prefix);
				const before = reached.size;
				current.forEach((value) => reached.add(value));
				// Nothing new: more repetitions reach nothing more (for *, + and large {n,m}).
				if (reached.size === before) break;
			}
			return reached;
		}
	}
}

/** The lengths of the strings `pattern` matches in full that begin with `prefix` (exact). */
export function lengthsBeginningWith(pattern: string, prefix: string): number[] {
	const ends = advance(parsePattern(pattern), new Set([state(0, 0)]), prefix);
	const lengths = new Set<number>();
	for (const end of ends) {
		const [matched, length] = split(end);
		if (matched === prefix.length) lengths.add(length);
	}
	return [...lengths].sort((a, b) => a - b);
}

/** Every digit string of at most `maxLength` digits that `pattern` matches in full, in order. */
export function stringsMatching(pattern: string, maxLength: number): string[] {
	const full = new RegExp(`^(?:${pattern})$`);
	const found: string[] = [];
	const walk = (prefix: string) => {
		if (prefix !== '' && full.test(prefix)) found.push(prefix);
		if (prefix.length >= maxLength) return;
		for (let digit = 0; digit <= 9; digit++) {
			if (lengthsBeginningWith(pattern, `${prefix}${digit}`).length > 0) walk(`${prefix}${digit}`);
		}
	};
	walk('');
	return found;
}
