/**
 * The network guard's two opt-ins, worded once for every credential that sends to a URL the user
 * types (nodes/shared/egress.ts enforces them). Not a credential type itself.
 */
import type { INodeProperties } from 'n8n-workflow';

/**
 * `target`: what the URL is called in this credential ("URL (and any redirect)", "base URL");
 * `useCase`: who should turn it on; `carried`: what travels with a request.
 */
export function networkGuardOptions(wording: { target: string; useCase: string; carried: string }): INodeProperties[] {
	return [
		{
			displayName: 'Allow Private Network Targets',
			name: 'allowPrivateNetwork',
			type: 'boolean',
			default: false,
			description: `Whether the ${wording.target} may be a loopback, private (10/8, 172.16/12, 192.168/16), link-local, IPv6 unique-local or carrier-grade NAT address, or an intranet name. This opens your own network to whoever can edit workflows using this credential: use it only for ${wording.useCase}. Cloud metadata services stay refused: by address (169.254.169.254, fd00:ec2::254, 100.100.100.200 and the like, also inside IPv6 forms such as 64:ff9b::/96), by name (metadata.google.internal, names that spell the address like 169.254.169.254.nip.io), and, on n8n 2.12 or later, by the addresses a name resolves to when checked. A name that resolves differently when the request connects (DNS rebinding) is caught only by n8n's own SSRF protection (N8N_SSRF_PROTECTION_ENABLED=true), within its blocked ranges.`,
		},
		{
			displayName: 'Allow Plain HTTP',
			name: 'allowPlainHttp',
			type: 'boolean',
			default: false,
			description: `Whether an http:// ${wording.target} may be used. ${wording.carried} then travel unencrypted and can be read or changed on the way: only for a server you control on a network you trust.`,
		},
	];
}
