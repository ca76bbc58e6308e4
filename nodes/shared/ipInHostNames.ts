/**
 * Host names that spell an IP address. Wildcard DNS services answer a name with the address
 * written in it (`169.254.169.254.nip.io`, `169-254-169-254.sslip.io`, `a9fea9fe.nip.io`,
 * `fd00-ec2--254.sslip.io`); rebinding services answer with either of two
 * (`7f000001.a9fea9fe.rbndr.us`). Node code may not resolve names itself (no `dns`), so where
 * n8n offers no lookup this is how the egress guard sees through them.
 *
 * Names are unbounded (sslip.io serves any domain delegated to it), so spelling is a floor, not
 * the rule: resolving the name (./egress.ts, through n8n's lookup) is. Under the services below
 * every spelled address counts; under any other name, only a spelled cloud metadata address does,
 * as no CRM's name spells one, while a name like `build-10-0-0-1.example.com` may be public.
 */
import { classifyIpAddress, formatIpv4, parseIpAddress, parseIpv6, type AddressClass } from './ipAddresses';

/** Services whose names resolve to the address they spell (rbndr.us and 1u.ms: to any of them). */
const ADDRESS_ECHO_DOMAINS = ['nip.io', 'sslip.io', 'xip.io', 'traefik.me', 'local-ip.co', 'rbndr.us', '1u.ms'];

export interface SpelledAddress {
	/** The address as the name spells it, in its canonical form. */
	address: string;
	/** What the address is; undefined for a public one. */
	addressClass: AddressClass | undefined;
}

/** Every IPv4 (dotted, dashed or 8 hex digits) and dashed IPv6 address a host name spells. */
export function addressesSpelledBy(host: string): string[] {
	const name = host.toLowerCase().replace(/\.+$/, '');
	const found = new Set<string>();
	// Four numbers joined by dots or dashes, at every starting number (overlapping runs too).
	const dottedOrDashed = /(?<![0-9])(?=((?:\d{1,3}[.-]){3}\d{1,3})(?![0-9]))/g;
	for (const match of name.matchAll(dottedOrDashed)) {
		const text = match[1].replace(/-/g, '.');
		if (parseIpAddress(text)) found.add(text);
	}
	for (const token of name.split(/[.-]/)) {
		if (/^[0-9a-f]{8}$/.test(token)) found.add(formatIpv4(parseInt(token, 16)));
	}
	// sslip.io's IPv6: groups joined by dashes, "--" for "::" (`--1`, `fd00-ec2--254`).
	for (const label of name.split('.')) {
		if (!label.includes('-')) continue;
		const groups = parseIpv6(label.replace(/-/g, ':'));
		if (groups) found.add(groups.map((group) => group.toString(16)).join(':'));
	}
	return [...found];
}

function isAddressEchoName(name: string): boolean {
	return ADDRESS_ECHO_DOMAINS.some((domain) => name === domain || name.endsWith(`.${domain}`));
}

/**
 * The addresses a host name spells that the guard must judge: all of them under an address-echo
 * service, the cloud metadata ones under any other name.
 */
export function spelledAddressesToJudge(host: string): SpelledAddress[] {
	const name = host.toLowerCase().replace(/\.+$/, '');
	const echo = isAddressEchoName(name);
	const judged: SpelledAddress[] = [];
	for (const address of addressesSpelledBy(name)) {
		const addressClass = classifyIpAddress(parseIpAddress(address)!);
		if (echo || addressClass === 'metadata') judged.push({ address, addressClass });
	}
	return judged;
}
