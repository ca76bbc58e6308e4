/**
 * IP addresses for the egress guard (./egress.ts): parsing and what kind of host an address is,
 * including every IPv6 form that carries an IPv4 address a packet can end up at (mapped,
 * compatible, SIIT-translated, NAT64 well-known and local-use prefixes, 6to4, Teredo). Such an
 * address is judged as the IPv4 address it carries: `[64:ff9b::a9fe:a9fe]` is the metadata service.
 */

/** Why an address is not a public internet host. */
export type AddressClass =
	| 'loopback'
	| 'private'
	| 'linkLocal'
	| 'uniqueLocal'
	| 'sharedAddressSpace'
	| 'metadata'
	| 'unspecified'
	| 'reserved'
	| 'multicast';

export type IpAddress = { version: 4; value: number } | { version: 6; groups: number[] };

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

export function formatIpv4(value: number): string {
	return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
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

/** A dotted IPv4 or an IPv6 literal (as DNS answers or a URL host spell them), or undefined. */
export function parseIpAddress(text: string): IpAddress | undefined {
	const groups = parseIpv6(text);
	if (groups) return { version: 6, groups };
	const value = parseIpv4(text);
	return value === undefined ? undefined : { version: 4, value };
}

export function classifyIpAddress(address: IpAddress): AddressClass | undefined {
	return address.version === 4 ? classifyIpv4(address.value) : classifyIpv6(address.groups);
}

/**
 * Cloud credential endpoints: AWS/GCP/Azure/OCI instance metadata, ECS task metadata, EKS Pod
 * Identity, Alibaba, Oracle Cloud Classic, and Azure's WireServer (a public address that answers
 * only inside Azure and hands out the VM's extension settings).
 */
const METADATA_IPV4 = new Set(
	['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '192.0.0.192', '168.63.129.16'].map((ip) => parseIpv4(ip)!),
);

/** AWS instance metadata and EKS Pod Identity (fd00:ec2::254, ::23), GCP's (fd20:ce::254). */
const METADATA_IPV6 = ['fd00:ec2::254', 'fd00:ec2::23', 'fd20:ce::254'].map((ip) => parseIpv6(ip)!);

function inV4(ip: number, base: string, prefix: number): boolean {
	const size = 2 ** (32 - prefix);
	const start = parseIpv4(base)!;
	return ip >= start && ip < start + size;
}

/** Why an IPv4 address is not a public internet host, or undefined when it is one. */
export function classifyIpv4(ip: number): AddressClass | undefined {
	if (METADATA_IPV4.has(ip)) return 'metadata';
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

/** The IPv4 address in the given four bytes of an IPv6 address (as 16 bytes). */
function ipv4At(bytes: number[], offsets: number[]): number {
	return offsets.reduce((value, offset) => value * 256 + bytes[offset], 0);
}

/**
 * 64:ff9b:1::/48 (RFC 8215) is NAT64 for one operator, who picks the prefix length within it, so
 * the IPv4 address may sit at any place RFC 6052 allows for a /96, /48, /56 or /64 prefix: every
 * reading is judged. 0.0.0.0/8 is left out, as it is only how the zero bits of an address in one
 * layout read in the others (and no translator forwards to it).
 */
function classifyNat64LocalUse(groups: number[]): AddressClass | undefined {
	const bytes = groups.flatMap((group) => [group >>> 8, group & 255]);
	const layouts = [[12, 13, 14, 15]];
	// Byte 8 is RFC 6052's "u" octet, zero in the /48, /56 and /64 layouts.
	if (bytes[8] === 0) layouts.push([6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12]);
	for (const offsets of layouts) {
		const reading = classifyIpv4(ipv4At(bytes, offsets));
		if (reading && reading !== 'unspecified') return reading;
	}
	return undefined;
}

/** Why an IPv6 address is not a public internet host, or undefined when it is one. */
export function classifyIpv6(groups: number[]): AddressClass | undefined {
	const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
	const embeddedV4 = groups[6] * 65536 + groups[7];
	if (zero(0, 8)) return 'unspecified';
	if (zero(0, 7) && groups[7] === 1) return 'loopback';
	// ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated) and ::ffff:0:a.b.c.d (SIIT's
	// IPv4-translated form) reach the IPv4 address.
	if (zero(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return classifyIpv4(embeddedV4) ?? 'reserved';
	if (zero(0, 4) && groups[4] === 0xffff && groups[5] === 0) return classifyIpv4(embeddedV4) ?? 'reserved';
	// NAT64 64:ff9b::a.b.c.d translates to the IPv4 address; 64:ff9b:1::/48 is NAT64 too.
	if (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)) return classifyIpv4(embeddedV4);
	if (groups[0] === 0x64 && groups[1] === 0xff9b && groups[2] === 1) return classifyNat64LocalUse(groups);
	// 6to4 2002:AABB:CCDD:: tunnels to the IPv4 address AA.BB.CC.DD.
	if (groups[0] === 0x2002) return classifyIpv4(groups[1] * 65536 + groups[2]);
	// Teredo 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC reaches the client at CCCC:CCCC XOR ffff:ffff,
	// through the server at SSSS:SSSS.
	if (groups[0] === 0x2001 && groups[1] === 0) {
		return classifyIpv4((embeddedV4 ^ 0xffffffff) >>> 0) ?? classifyIpv4(groups[2] * 65536 + groups[3]);
	}
	if (METADATA_IPV6.some((metadata) => metadata.every((group, i) => group === groups[i]))) return 'metadata';
	if ((groups[0] & 0xfe00) === 0xfc00) return 'uniqueLocal';
	if ((groups[0] & 0xffc0) === 0xfe80) return 'linkLocal';
	// Site-local (deprecated, still routed privately by some networks).
	if ((groups[0] & 0xffc0) === 0xfec0) return 'private';
	if ((groups[0] & 0xff00) === 0xff00) return 'multicast';
	if (groups[0] === 0x2001 && groups[1] === 0x0db8) return 'reserved';
	return undefined;
}
