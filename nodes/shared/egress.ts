/**
 * Where a node may send a request whose URL a user typed: never into the network n8n runs in.
 *
 * Three layers, all applied before anything is sent:
 * 1. Checks without DNS (node code may not import `dns`): the scheme, IP literals in every spelling
 *    the WHATWG URL parser accepts (it turns `2130706433`, `0x7f.1` and `127.1` into `127.0.0.1`,
 *    and compresses IPv6) and every IPv6 form that carries an IPv4 address (./ipAddresses.ts), host
 *    names that name the local machine, a cloud metadata service or a private naming zone
 *    (`localhost`, `metadata.google.internal`, `*.internal`, …), and names that spell an address
 *    a wildcard DNS service answers with (`169.254.169.254.nip.io`, ./ipInHostNames.ts).
 * 2. n8n's own egress filter (`helpers.getSecureEgressFilter`, n8n ≥ 2.12) in enforced mode, unless
 *    private targets are allowed: it resolves the name and applies n8n's blocked ranges and names.
 * 3. The name's addresses, resolved through n8n's lookup (the same filter's `createSecureLookup`)
 *    and judged like IP literals, with or without "Allow Private Network Targets": a name that
 *    resolves to a metadata address is refused like the address.
 *
 * What is not caught: on an n8n without the filter (1.x, 2.x before 2.12) layer 1 is all there is,
 * so a name outside the wildcard services that resolves inside the network passes; a name whose
 * lookup fails here is not judged by its addresses (the request then resolves it on its own); and
 * DNS rebinding (a name that resolves differently when the request connects). Only n8n's
 * connect-time lookup (`N8N_SSRF_PROTECTION_ENABLED=true`) closes the last; the node says so in
 * its option descriptions.
 */
import { classifyIpAddress, parseIpAddress, type AddressClass } from './ipAddresses';
import { spelledAddressesToJudge } from './ipInHostNames';

export interface EgressPolicy {
	/** Loopback, private, link-local, unique-local, CGNAT and intranet targets are allowed (never metadata). */
	allowPrivateNetwork: boolean;
	/** `http://` is allowed (the request, credentials included, travels unencrypted). */
	allowPlainHttp: boolean;
}

export const DEFAULT_EGRESS_POLICY: EgressPolicy = Object.freeze({ allowPrivateNetwork: false, allowPlainHttp: false });

export type EgressRefusalReason = AddressClass | 'invalidUrl' | 'scheme' | 'plainHttp' | 'localName' | 'blockedByN8n';

export interface EgressRefusal {
	reason: EgressRefusalReason;
	/** Safe to show: names the host, never the path or query (a token may sit there). */
	message: string;
}

/** One answer of a lookup with `{ all: true }`, as node's `dns.lookup` gives it. */
export interface LookupAddressLike {
	address: string;
	family: number;
}

/** n8n's `createSecureLookup()`: node's `dns.lookup` signature, called here with `{ all: true }`. */
export type LookupLike = (
	hostname: string,
	options: { all: true },
	callback: (error: Error | null, addresses: LookupAddressLike[] | string, family?: number) => void,
) => void;

/** The subset of n8n's NodeEgressFilter (n8n-workflow ≥ 2.12) this guard uses. */
export interface EgressFilterLike {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
	createSecureLookup?: () => LookupLike;
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

/** `subject`: what the reason is about, "it" (the host) or "its name resolves to X, which". */
function refusal(reason: EgressRefusalReason, url: string, subject = 'it'): EgressRefusal {
	const advice =
		reason === 'plainHttp'
			? ' Turn on "Allow Plain HTTP" only for a server you control on a network you trust.'
			: PRIVATE_REASONS.has(reason)
				? ' Turn on "Allow Private Network Targets" only for a CRM on your own network.'
				: '';
	return { reason, message: `Refused to send to ${describeTarget(url)}: ${subject} ${REASON_TEXT[reason]}.${advice}` };
}

/** Whether the policy sends to a host of this kind (undefined: a public host). */
function allows(reason: EgressRefusalReason | undefined, policy: EgressPolicy): boolean {
	// Metadata, multicast, reserved and the unspecified address are never a CRM: no option opens them.
	return reason === undefined || (policy.allowPrivateNetwork && PRIVATE_REASONS.has(reason));
}

/**
 * The checks that need no DNS: scheme, IP literals, local and metadata names, names that spell an
 * address. Returns the refusal, or undefined when the URL may be tried (subject to DNS checks).
 */
export function checkUrlWithoutDns(url: string, policy: EgressPolicy = DEFAULT_EGRESS_POLICY): EgressRefusal | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return refusal('invalidUrl', url);
	}
	if (parsed.protocol === 'http:') {
		if (!policy.allowPlainHttp) return refusal('plainHttp', url);
	} else if (parsed.protocol !== 'https:') {
		return refusal('scheme', url);
	}
	const host = parsed.hostname;
	// The URL parser leaves an IPv4 host dotted and an IPv6 one in brackets.
	const literal = parseIpAddress(host);
	if (literal) {
		const reason = classifyIpAddress(literal);
		return allows(reason, policy) ? undefined : refusal(reason!, url);
	}
	const nameReason = classifyHostName(host);
	if (!allows(nameReason, policy)) return refusal(nameReason!, url);
	const spelled = spelledAddressesToJudge(host).find(({ addressClass }) => !allows(addressClass, policy));
	if (spelled) return refusal(spelled.addressClass!, url, `its name spells the address ${spelled.address}, which`);
	return undefined;
}

/**
 * Every check before a request to `url`: the ones without DNS, n8n's egress filter unless private
 * targets are allowed, then the addresses the name resolves to. Undefined: the URL may be used.
 */
export async function checkUrl(
	url: string,
	policy: EgressPolicy,
	helpers?: EgressHelpersLike,
): Promise<EgressRefusal | undefined> {
	const own = checkUrlWithoutDns(url, policy);
	if (own) return own;
	if (!policy.allowPrivateNetwork) {
		const filter = egressFilterOf(helpers);
		const verdict = filter ? await filter.validateUrl(url) : { ok: true as const };
		if (!verdict.ok) {
			// n8n's message names the blocked address or host, never the path.
			return {
				reason: 'blockedByN8n',
				message: `Refused to send to ${describeTarget(url)}: ${verdict.error.message}. Turn on "Allow Private Network Targets" only for a CRM on your own network.`,
			};
		}
	}
	return await checkResolvedAddresses(url, policy, helpers);
}

/**
 * The addresses the URL's host name resolves to, judged like IP literals: any one the policy does
 * not allow refuses the URL. n8n's filter alone would not do: with private targets allowed it is
 * not asked, and its default ranges leave out the metadata addresses outside 169.254/16, carrier-
 * grade NAT and the IPv6 forms that carry an IPv4 address.
 */
async function checkResolvedAddresses(url: string, policy: EgressPolicy, helpers?: EgressHelpersLike): Promise<EgressRefusal | undefined> {
	const host = new URL(url).hostname;
	if (parseIpAddress(host)) return undefined;
	const lookup = lookupOf(helpers);
	if (!lookup) return undefined;
	for (const address of await resolve(lookup, host)) {
		const parsed = parseIpAddress(address);
		const reason = parsed ? classifyIpAddress(parsed) : undefined;
		if (!allows(reason, policy)) return refusal(reason!, url, `its name resolves to ${address}, which`);
	}
	return undefined;
}

/**
 * Every address of `host`, or none when the lookup fails: the request then resolves the name on
 * its own and fails or connects by itself (a refusal here would break a proxy-only network).
 */
async function resolve(lookup: LookupLike, host: string): Promise<string[]> {
	return await new Promise((settle) => {
		try {
			lookup(host, { all: true }, (error, addresses) => {
				settle(error || !Array.isArray(addresses) ? [] : addresses.map((answer) => answer.address));
			});
		} catch {
			settle([]);
		}
	});
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

/**
 * A lookup that answers with every address of a name, unfiltered, from n8n's filter in its
 * 'unsafe' mode (a plain `dns.lookup`): this guard judges the answers itself, as n8n's enforced
 * lookup would refuse the private addresses the user allowed and not say which address it saw.
 * Nothing is sent through it. Undefined on an n8n without the filter or its lookup.
 */
export function lookupOf(helpers?: EgressHelpersLike): LookupLike | undefined {
	if (!helpers || typeof helpers.getSecureEgressFilter !== 'function') return undefined;
	try {
		const filter = helpers.getSecureEgressFilter('unsafe');
		return typeof filter?.createSecureLookup === 'function' ? filter.createSecureLookup() : undefined;
	} catch {
		return undefined;
	}
}
