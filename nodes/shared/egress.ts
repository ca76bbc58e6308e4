/**
 * Where a node may send a request whose URL a user typed: never into the network n8n runs in.
 *
 * Two layers, both applied before anything is sent:
 * 1. This file's own checks, without DNS (node code may not import `dns`): the scheme, IP literals
 *    in every spelling the WHATWG URL parser accepts (it turns `2130706433`, `0x7f.1` and `127.1`
 *    into `127.0.0.1`, and compresses IPv6), IPv4 embedded in IPv6 (mapped, compatible, NAT64,
 *    6to4), and host names that name the local machine, a cloud metadata service or a private
 *    naming zone (`localhost`, `metadata.google.internal`, `*.internal`, `*.local`, …).
 * 2. n8n's own egress filter (`helpers.getSecureEgressFilter`, n8n ≥ 2.12), where the running n8n
 *    has it: it resolves the host name and refuses it when any address is in n8n's blocked ranges.
 *
 * What cannot be checked without that filter: a public-looking name whose DNS answer is private
 * (`crm.example.com → 10.0.0.5`), and DNS rebinding (a name that resolves differently when the
 * request connects). Only n8n's connect-time lookup (`N8N_SSRF_PROTECTION_ENABLED=true`) closes
 * the second; the node says so in its option descriptions.
 */

export interface EgressPolicy {
	/** Loopback, private, link-local, unique-local, CGNAT and metadata targets are allowed. */
	allowPrivateNetwork: boolean;
	/** `http://` is allowed (the request, credentials included, travels unencrypted). */
	allowPlainHttp: boolean;
}

export const DEFAULT_EGRESS_POLICY: EgressPolicy = Object.freeze({ allowPrivateNetwork: false, allowPlainHttp: false });

export type EgressRefusalReason =
	| 'invalidUrl'
	| 'scheme'
	| 'plainHttp'
	| 'loopback'
	| 'private'
	| 'linkLocal'
	| 'uniqueLocal'
	| 'sharedAddressSpace'
	| 'metadata'
	| 'unspecified'
	| 'reserved'
	| 'multicast'
	| 'localName'
	| 'blockedByN8n';

export interface EgressRefusal {
	reason: EgressRefusalReason;
	/** Safe to show: names the host, never the path or query (a token may sit there). */
	message: string;
}

/** The subset of n8n's NodeEgressFilter (n8n-workflow ≥ 2.12) this guard uses. */
export interface EgressFilterLike {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
}

/** What the node needs of its context to reach n8n's filter, when the running n8n has one. */
export interface EgressHelpersLike {
	getSecureEgressFilter?: (policy?: 'safe' | 'enforced' | 'unsafe') => EgressFilterLike;
}

const METADATA_NAMES = new Set([
	'metadata.google.internal',
	'metadata.goog',
	'metadata',
	'instance-data',
	'instance-data.ec2.internal',
	'metadata.azure.internal',
	'metadata.oraclecloud.com',
	'metadata.platformequinix.com',
]);

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'broadcasthost']);

/** Zones that only ever resolve inside a private network (RFC 6761/6762/8375, ICANN's .internal). */
const PRIVATE_ZONES = ['localhost', 'local', 'internal', 'intranet', 'lan', 'home.arpa', 'localdomain', 'corp', 'private', 'cluster.local'];

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

/** Dotted IPv4 (the URL parser's canonical form) to a 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	let value = 0;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part)) return undefined;
		const octet = Number(part);
		if (octet > 255) return undefined;
		value = value * 256 + octet;
	}
	return value;
}

/** An IPv6 literal (brackets allowed, zone id dropped) to its eight 16-bit groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
	let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
	body = body.split('%')[0].toLowerCase();
	if (!body.includes(':')) return undefined;
	let tail: number[] = [];
	const lastColon = body.lastIndexOf(':');
	const last = body.slice(lastColon + 1);
	if (last.includes('.')) {
		const v4 = parseIpv4(last);
		if (v4 === undefined) return undefined;
		tail = [Math.floor(v4 / 65536), v4 % 65536];
		body = body.slice(0, lastColon + 1) + '0';
	}
	const halves = body.split('::');
	if (halves.length > 2) return undefined;
	const toGroups = (part: string): number[] | undefined => {
		if (part === '') return [];
		const groups: number[] = [];
		for (const group of part.split(':')) {
			if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
			groups.push(parseInt(group, 16));
		}
		return groups;
	};
	const head = toGroups(halves[0]);
	const rest = halves.length === 2 ? toGroups(halves[1]) : [];
	if (!head || !rest) return undefined;
	let groups: number[];
	if (halves.length === 2) {
		const missing = 8 - head.length - rest.length;
		if (missing < 1) return undefined;
		groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
	} else {
		groups = head;
	}
	if (tail.length) groups = [...groups.slice(0, 6), ...tail];
	return groups.length === 8 ? groups : undefined;
}

function inV4(ip: number, base: string, prefix: number): boolean {
	const size = 2 ** (32 - prefix);
	const start = parseIpv4(base)!;
	return ip >= start && ip < start + size;
}

/** Why an IPv4 address is not a public internet host, or undefined when it is one. */
export function classifyIpv4(ip: number): EgressRefusalReason | undefined {
	if (ip === parseIpv4('169.254.169.254') || ip === parseIpv4('169.254.170.2') || ip === parseIpv4('100.100.100.200')) {
		return 'metadata';
	}
	if (inV4(ip, '0.0.0.0', 8)) return 'unspecified';
	if (inV4(ip, '127.0.0.0', 8)) return 'loopback';
	if (inV4(ip, '10.0.0.0', 8) || inV4(ip, '172.16.0.0', 12) || inV4(ip, '192.168.0.0', 16)) return 'private';
	if (inV4(ip, '169.254.0.0', 16)) return 'linkLocal';
	if (inV4(ip, '100.64.0.0', 10)) return 'sharedAddressSpace';
	if (inV4(ip, '224.0.0.0', 4)) return 'multicast';
	if (
		inV4(ip, '192.0.0.0', 24) ||
		inV4(ip, '192.0.2.0', 24) ||
		inV4(ip, '198.18.0.0', 15) ||
		inV4(ip, '198.51.100.0', 24) ||
		inV4(ip, '203.0.113.0', 24) ||
		inV4(ip, '240.0.0.0', 4)
	) {
		return 'reserved';
	}
	return undefined;
}

/** Why an IPv6 address is not a public internet host, or undefined when it is one. */
export function classifyIpv6(groups: number[]): EgressRefusalReason | undefined {
	const allZeroUpTo = (n: number) => groups.slice(0, n).every((g) => g === 0);
	const embeddedV4 = groups[6] * 65536 + groups[7];
	if (allZeroUpTo(8)) return 'unspecified';
	if (allZeroUpTo(7) && groups[7] === 1) return 'loopback';
	// ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated) reach the IPv4 address.
	if (allZeroUpTo(5) && (groups[5] === 0xffff || groups[5] === 0)) return classifyIpv4(embeddedV4) ?? 'reserved';
	// NAT64 64:ff9b::a.b.c.d translates to the IPv4 address.
	if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return classifyIpv4(embeddedV4);
	// 6to4 2002:AABB:CCDD:: tunnels to the IPv4 address AA.BB.CC.DD.
	if (groups[0] === 0x2002) return classifyIpv4(groups[1] * 65536 + groups[2]);
	// AWS's IPv6 instance metadata endpoint, fd00:ec2::254.
	if (groups[0] === 0xfd00 && groups[1] === 0x0ec2 && groups.slice(2, 7).every((g) => g === 0) && groups[7] === 0x254) {
		return 'metadata';
	}
	if ((groups[0] & 0xfe00) === 0xfc00) return 'uniqueLocal';
	if ((groups[0] & 0xffc0) === 0xfe80) return 'linkLocal';
	// Site-local (deprecated, still routed privately by some networks).
	if ((groups[0] & 0xffc0) === 0xfec0) return 'private';
	if ((groups[0] & 0xff00) === 0xff00) return 'multicast';
	if (groups[0] === 0x2001 && groups[1] === 0x0db8) return 'reserved';
	return undefined;
}

/** Why a host name (not an IP literal) names something inside the network, or undefined. */
export function classifyHostName(host: string): EgressRefusalReason | undefined {
	const name = host.toLowerCase().replace(/\.+$/, '');
	if (name === '') return 'invalidUrl';
	if (METADATA_NAMES.has(name)) return 'metadata';
	if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return 'loopback';
	// A single label ("crm", "intranet") is resolved through the local search domains.
	if (!name.includes('.')) return 'localName';
	if (PRIVATE_ZONES.some((zone) => name === zone || name.endsWith(`.${zone}`))) return 'localName';
	return undefined;
}

const REASON_TEXT: Record<EgressRefusalReason, string> = {
	invalidUrl: 'is not a valid URL',
	scheme: 'uses a scheme other than https',
	plainHttp: 'uses plain http:// (unencrypted)',
	loopback: 'is a loopback address (this machine)',
	private: 'is a private network address',
	linkLocal: 'is a link-local address',
	uniqueLocal: 'is an IPv6 unique-local (private) address',
	sharedAddressSpace: 'is in the carrier-grade NAT range 100.64.0.0/10',
	metadata: 'is a cloud metadata service',
	unspecified: 'is the unspecified address',
	reserved: 'is a reserved or documentation address',
	multicast: 'is a multicast address',
	localName: 'names a host of a private naming zone',
	blockedByN8n: "is refused by n8n's SSRF protection",
};

/** The host part of a URL, for messages: never the path, query or user info. */
export function describeTarget(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}`;
	} catch {
		return 'the URL';
	}
}

function refusal(reason: EgressRefusalReason, url: string, opens: boolean): EgressRefusal {
	const advice = opens
		? reason === 'plainHttp'
			? ' Turn on "Allow Plain HTTP" only for a server you control on a network you trust.'
			: ' Turn on "Allow Private Network Targets" only for a CRM on your own network.'
		: '';
	return { reason, message: `Refused to send to ${describeTarget(url)}: it ${REASON_TEXT[reason]}.${advice}` };
}

/**
 * Reasons the "Allow Private Network Targets" option lifts. A cloud metadata service is not among
 * them: it hands out the machine's cloud credentials and is never a CRM.
 */
const PRIVATE_REASONS = new Set<EgressRefusalReason>([
	'loopback',
	'private',
	'linkLocal',
	'uniqueLocal',
	'sharedAddressSpace',
	'localName',
	'blockedByN8n',
]);

/**
 * The checks that need no DNS: scheme, IP literals, local and metadata names.
 * Returns the refusal, or undefined when the URL may be tried (subject to n8n's filter).
 */
export function checkUrlWithoutDns(url: string, policy: EgressPolicy = DEFAULT_EGRESS_POLICY): EgressRefusal | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return refusal('invalidUrl', url, false);
	}
	if (parsed.protocol === 'http:') {
		if (!policy.allowPlainHttp) return refusal('plainHttp', url, true);
	} else if (parsed.protocol !== 'https:') {
		return refusal('scheme', url, false);
	}
	const host = parsed.hostname;
	let reason: EgressRefusalReason | undefined;
	const v6 = host.startsWith('[') ? parseIpv6(host) : undefined;
	const v4 = v6 ? undefined : parseIpv4(host);
	if (v6) reason = classifyIpv6(v6);
	else if (v4 !== undefined) reason = classifyIpv4(v4);
	else reason = classifyHostName(host);
	if (reason === undefined) return undefined;
	if (PRIVATE_REASONS.has(reason) && policy.allowPrivateNetwork) return undefined;
	// Metadata, multicast, reserved and the unspecified address are never a CRM: no option opens them.
	return refusal(reason, url, PRIVATE_REASONS.has(reason));
}

/**
 * Every check before a request to `url`: this file's own, then n8n's egress filter (which also
 * resolves the name) where the running n8n offers one. Undefined: the URL may be used.
 */
export async function checkUrl(
	url: string,
	policy: EgressPolicy,
	helpers?: EgressHelpersLike,
): Promise<EgressRefusal | undefined> {
	const own = checkUrlWithoutDns(url, policy);
	if (own) return own;
	if (policy.allowPrivateNetwork) return undefined;
	const filter = egressFilterOf(helpers);
	if (!filter) return undefined;
	const verdict = await filter.validateUrl(url);
	if (verdict.ok) return undefined;
	// n8n's message names the blocked address or host, never the path.
	return {
		reason: 'blockedByN8n',
		message: `Refused to send to ${describeTarget(url)}: ${verdict.error.message}. Turn on "Allow Private Network Targets" only for a CRM on your own network.`,
	};
}

/**
 * n8n's filter with its blocked ranges enforced even where the instance leaves SSRF protection
 * off (the default), or undefined on an n8n that predates it.
 */
export function egressFilterOf(helpers?: EgressHelpersLike): EgressFilterLike | undefined {
	if (!helpers || typeof helpers.getSecureEgressFilter !== 'function') return undefined;
	try {
		return helpers.getSecureEgressFilter('enforced');
	} catch {
		// An n8n build whose filter service is not registered: fall back to this file's checks.
		return undefined;
	}
}

