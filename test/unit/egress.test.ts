/**
 * The egress guard (nodes/shared/egress.ts): every refusal case, without DNS and without sending
 * anything, and how n8n's own filter is consulted.
 */
import { checkUrl, checkUrlWithoutDns, DEFAULT_EGRESS_POLICY, type EgressFilterLike, type LookupLike } from '../../nodes/shared/egress';

const STRICT = DEFAULT_EGRESS_POLICY;
const OPEN_PRIVATE = { allowPrivateNetwork: true, allowPlainHttp: false };

describe('checkUrlWithoutDns refuses, by default', () => {
	const refused: Array<[string, string, string]> = [
		// [case, url, reason]
		['IPv4 loopback', 'https://127.0.0.1/leads', 'loopback'],
		['IPv4 loopback, short form', 'https://127.1/', 'loopback'],
		['IPv4 loopback as one decimal number', 'https://2130706433/', 'loopback'],
		['IPv4 loopback in hex', 'https://0x7f000001/', 'loopback'],
		['IPv4 loopback in octal', 'https://0177.0.0.1/', 'loopback'],
		['the rest of 127/8', 'https://127.255.0.9/', 'loopback'],
		['private 10/8', 'https://10.0.0.1/', 'private'],
		['private 172.16/12', 'https://172.16.5.4/', 'private'],
		['private 172.31 (end of 172.16/12)', 'https://172.31.255.255/', 'private'],
		['private 192.168/16', 'https://192.168.1.1/', 'private'],
		['link-local 169.254/16', 'https://169.254.10.10/', 'linkLocal'],
		['AWS/GCP/Azure metadata 169.254.169.254', 'https://169.254.169.254/latest/meta-data/', 'metadata'],
		['ECS task metadata 169.254.170.2', 'https://169.254.170.2/v2/credentials', 'metadata'],
		['Alibaba metadata 100.100.100.200', 'https://100.100.100.200/', 'metadata'],
		['carrier-grade NAT 100.64/10', 'https://100.64.0.1/', 'sharedAddressSpace'],
		['unspecified 0.0.0.0', 'https://0.0.0.0/', 'unspecified'],
		['0/8', 'https://0.1.2.3/', 'unspecified'],
		['multicast', 'https://224.0.0.1/', 'multicast'],
		['documentation range', 'https://192.0.2.10/', 'reserved'],
		['IPv6 loopback', 'https://[::1]/', 'loopback'],
		['IPv6 unspecified', 'https://[::]/', 'unspecified'],
		['IPv4-mapped IPv6 loopback, dotted', 'https://[::ffff:127.0.0.1]/', 'loopback'],
		['IPv4-mapped IPv6 loopback, hex', 'https://[::ffff:7f00:1]/', 'loopback'],
		['IPv4-mapped IPv6 private', 'https://[::ffff:10.0.0.1]/', 'private'],
		['IPv4-mapped IPv6 metadata', 'https://[::ffff:169.254.169.254]/', 'metadata'],
		['IPv4-compatible IPv6 loopback', 'https://[::127.0.0.1]/', 'loopback'],
		['NAT64 of the metadata address', 'https://[64:ff9b::a9fe:a9fe]/', 'metadata'],
		['6to4 of loopback', 'https://[2002:7f00:1::1]/', 'loopback'],
		['AWS IPv6 metadata fd00:ec2::254', 'https://[fd00:ec2::254]/latest/meta-data/', 'metadata'],
		['IPv6 unique-local fc00::/7 (fc)', 'https://[fc00::1]/', 'uniqueLocal'],
		['IPv6 unique-local fc00::/7 (fd)', 'https://[fd12:3456:789a::1]/', 'uniqueLocal'],
		['IPv6 link-local', 'https://[fe80::1]/', 'linkLocal'],
		['IPv6 link-local with a zone id (not a valid URL host)', 'https://[fe80::1%25eth0]/', 'invalidUrl'],
		['IPv6 multicast', 'https://[ff02::1]/', 'multicast'],
		['localhost', 'https://localhost/', 'loopback'],
		['localhost in capitals with a trailing dot', 'https://LOCALHOST./', 'loopback'],
		['a name under .localhost', 'https://crm.localhost/', 'loopback'],
		['GCP metadata name', 'https://metadata.google.internal/computeMetadata/v1/', 'metadata'],
		['GCP metadata name with a trailing dot', 'https://metadata.google.internal./', 'metadata'],
		['bare metadata name', 'https://metadata/', 'metadata'],
		['AWS instance-data name', 'https://instance-data/latest/', 'metadata'],
		['a .internal name', 'https://crm.internal/', 'localName'],
		['an mDNS .local name', 'https://nas.local/', 'localName'],
		['a home.arpa name', 'https://router.home.arpa/', 'localName'],
		['a single-label name', 'https://crm/', 'localName'],
		['plain http', 'http://crm.example.com/leads', 'plainHttp'],
		['ftp', 'ftp://crm.example.com/', 'scheme'],
		['file', 'file:///etc/passwd', 'scheme'],
		['gopher', 'gopher://crm.example.com:70/', 'scheme'],
		['not a URL', 'crm.example.com/leads', 'invalidUrl'],
		['loopback behind user info', 'https://crm.example.com@127.0.0.1/', 'loopback'],
	];

	it.each(refused)('%s (%s)', (_case, url, reason) => {
		expect(checkUrlWithoutDns(url, STRICT)?.reason).toBe(reason);
	});
});

describe('checkUrlWithoutDns lets through', () => {
	it.each([
		['a public https name', 'https://api.hubapi.com/crm/v3/objects/contacts'],
		['a public IPv4 literal', 'https://93.184.216.34/'],
		['a public IPv6 literal', 'https://[2606:4700:4700::1111]/'],
		['172.32.0.1 (just outside 172.16/12)', 'https://172.32.0.1/'],
		['100.128.0.1 (just outside 100.64/10)', 'https://100.128.0.1/'],
		['a name that only contains "localhost"', 'https://localhost-crm.example.com/'],
	])('%s', (_case, url) => {
		expect(checkUrlWithoutDns(url, STRICT)).toBeUndefined();
	});
});

describe('the allow options', () => {
	it('Allow Private Network Targets opens loopback, private, link-local, unique-local, CGNAT and intranet names', () => {
		for (const url of [
			'https://127.0.0.1/',
			'https://10.1.2.3/',
			'https://169.254.10.10/',
			'https://[fd12::1]/',
			'https://100.64.0.1/',
			'https://crm.internal/',
			'https://localhost/',
		]) {
			expect(checkUrlWithoutDns(url, OPEN_PRIVATE)).toBeUndefined();
		}
	});

	it('Allow Private Network Targets never opens a cloud metadata service', () => {
		for (const url of ['https://169.254.169.254/', 'https://[fd00:ec2::254]/', 'https://metadata.google.internal/', 'https://[::ffff:169.254.169.254]/']) {
			expect(checkUrlWithoutDns(url, { allowPrivateNetwork: true, allowPlainHttp: true })?.reason).toBe('metadata');
		}
	});

	it('Allow Private Network Targets does not open plain http', () => {
		expect(checkUrlWithoutDns('http://127.0.0.1/', OPEN_PRIVATE)?.reason).toBe('plainHttp');
	});

	it('Allow Plain HTTP opens http:// but not a private address', () => {
		const policy = { allowPrivateNetwork: false, allowPlainHttp: true };
		expect(checkUrlWithoutDns('http://crm.example.com/', policy)).toBeUndefined();
		expect(checkUrlWithoutDns('http://127.0.0.1/', policy)?.reason).toBe('loopback');
	});

	it('names the option that would open a refusal, and none for what no option opens', () => {
		expect(checkUrlWithoutDns('https://10.0.0.1/', STRICT)?.message).toContain('Allow Private Network Targets');
		expect(checkUrlWithoutDns('http://crm.example.com/', STRICT)?.message).toContain('Allow Plain HTTP');
		expect(checkUrlWithoutDns('https://169.254.169.254/', STRICT)?.message).not.toContain('Allow');
	});
});

describe('refusal messages', () => {
	it('name the host but never the path, query or user info, where tokens sit', () => {
		const message = checkUrlWithoutDns('https://user:hunter2-password@127.0.0.1:8443/v1/persons?api_token=tok-SECRET-123', STRICT)!.message;
		expect(message).toContain('https://127.0.0.1:8443');
		expect(message).not.toMatch(/SECRET|hunter2|persons|api_token/);
	});
});

describe("checkUrl with n8n's egress filter", () => {
	function recordingFilter(verdict: { ok: true } | { ok: false; error: Error }) {
		const urls: string[] = [];
		const filter: EgressFilterLike = {
			validateUrl: async (url: string) => {
				urls.push(url);
				return verdict;
			},
		};
		return { urls, helpers: { getSecureEgressFilter: (policy?: string) => (policy === 'enforced' ? filter : { validateUrl: async () => ({ ok: true as const }) }) } };
	}

	it("refuses a public-looking name n8n's filter resolves to a blocked address", async () => {
		const { helpers } = recordingFilter({ ok: false, error: new Error('IP address 10.0.0.5 is blocked') });
		const refusal = await checkUrl('https://crm.example.com/leads?api_token=abc', STRICT, helpers);
		expect(refusal?.reason).toBe('blockedByN8n');
		expect(refusal?.message).toContain('10.0.0.5');
		expect(refusal?.message).not.toContain('api_token');
	});

	it("asks n8n's filter in enforced mode, so it applies even where the instance leaves SSRF protection off", async () => {
		const { helpers, urls } = recordingFilter({ ok: false, error: new Error('blocked') });
		expect((await checkUrl('https://crm.example.com/', STRICT, helpers))?.reason).toBe('blockedByN8n');
		expect(urls).toEqual(['https://crm.example.com/']);
	});

	it("does not ask n8n's filter when this package already refused", async () => {
		const { helpers, urls } = recordingFilter({ ok: true });
		expect((await checkUrl('https://127.0.0.1/', STRICT, helpers))?.reason).toBe('loopback');
		expect(urls).toEqual([]);
	});

	it("does not ask n8n's filter when private targets are allowed", async () => {
		const { helpers, urls } = recordingFilter({ ok: false, error: new Error('blocked') });
		expect(await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers)).toBeUndefined();
		expect(urls).toEqual([]);
	});

	it('falls back to its own checks on an n8n without the filter', async () => {
		expect(await checkUrl('https://crm.example.com/', STRICT, {})).toBeUndefined();
		expect((await checkUrl('https://[::1]/', STRICT, {}))?.reason).toBe('loopback');
	});
});

describe('IPv6 forms that carry an IPv4 address are refused like that address', () => {
	it.each([
		// [case, url, reason]
		['NAT64 local-use prefix 64:ff9b:1::/48 (as a /96) of the metadata address', 'https://[64:ff9b:1::a9fe:a9fe]/', 'metadata'],
		['NAT64 local-use prefix of loopback', 'https://[64:ff9b:1::7f00:1]/', 'loopback'],
		['NAT64 local-use prefix with the operator on a /48 (RFC 6052 layout around the u octet)', 'https://[64:ff9b:1:a9fe:a9:fe00::]/', 'metadata'],
		['SIIT IPv4-translated ::ffff:0:0:0/96 of loopback', 'https://[::ffff:0:7f00:1]/', 'loopback'],
		['SIIT IPv4-translated of the metadata address', 'https://[::ffff:0:a9fe:a9fe]/', 'metadata'],
		['Teredo whose client (last 32 bits XOR ffff:ffff) is loopback', 'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'loopback'],
		['Teredo whose client is the metadata address', 'https://[2001:0:4136:e378:8000:63bf:5601:5601]/', 'metadata'],
		['Teredo whose server is a private address', 'https://[2001:0:a00:1:8000:63bf:a247:27dd]/', 'private'],
		['6to4 of the metadata address', 'https://[2002:a9fe:a9fe::1]/', 'metadata'],
	])('%s (%s)', (_case, url, reason) => {
		expect(checkUrlWithoutDns(url, STRICT)?.reason).toBe(reason);
	});

	it('with Allow Private Network Targets, still refuses those that carry a metadata address', () => {
		for (const url of [
			'https://[64:ff9b:1::a9fe:a9fe]/',
			'https://[64:ff9b:1:a9fe:a9:fe00::]/',
			'https://[::ffff:0:a9fe:a9fe]/',
			'https://[2001:0:4136:e378:8000:63bf:5601:5601]/',
		]) {
			expect(checkUrlWithoutDns(url, OPEN_PRIVATE)?.reason).toBe('metadata');
		}
	});

	it('lets through those that carry a public address', () => {
		// 93.184.216.34 behind a local-use NAT64 /96, and a Teredo client at that address.
		expect(checkUrlWithoutDns('https://[64:ff9b:1::5db8:d822]/', STRICT)).toBeUndefined();
		expect(checkUrlWithoutDns('https://[2001:0:4136:e378:8000:63bf:a247:27dd]/', STRICT)).toBeUndefined();
	});
});

describe('cloud credential endpoints beyond 169.254.169.254', () => {
	it.each([
		['EKS Pod Identity (IPv4)', 'https://169.254.170.23/v1/credentials'],
		['EKS Pod Identity (IPv6)', 'https://[fd00:ec2::23]/v1/credentials'],
		['GCP metadata (IPv6)', 'https://[fd20:ce::254]/computeMetadata/v1/'],
		["Azure's WireServer", 'https://168.63.129.16/machine'],
	])('%s is refused even with Allow Private Network Targets', (_case, url) => {
		expect(checkUrlWithoutDns(url, OPEN_PRIVATE)?.reason).toBe('metadata');
	});
});

describe('host names that spell an address (wildcard DNS services answer with it)', () => {
	it.each([
		['dotted under nip.io', 'https://169.254.169.254.nip.io/'],
		['dashed under sslip.io', 'https://169-254-169-254.sslip.io/latest/meta-data/'],
		['with a prefix label', 'https://www.169.254.169.254.nip.io/'],
		['dashed with a prefix', 'https://crm-169-254-169-254.nip.io/'],
		['as 8 hex digits under nip.io', 'https://a9fea9fe.nip.io/'],
		["as sslip.io's dashed IPv6", 'https://fd00-ec2--254.sslip.io/'],
		['as the second address of a rebinding name', 'https://7f000001.a9fea9fe.rbndr.us/'],
		['inside a 1u.ms rebinding name', 'https://make-1.2.3.4-rebind-169.254.169.254-rr.1u.ms/'],
		['under a domain delegated to a wildcard DNS server', 'https://169-254-169-254.xip.example.com/'],
		['under a private zone the option opens', 'https://169.254.169.254.crm.internal/'],
	])('a metadata address %s is refused with Allow Private Network Targets (%s)', (_case, url) => {
		const refusal = checkUrlWithoutDns(url, OPEN_PRIVATE);
		expect(refusal?.reason).toBe('metadata');
		expect(refusal?.message).toContain('spells the address');
	});

	it.each([
		['a private address under nip.io', 'https://10.0.0.1.nip.io/', 'private'],
		['loopback under sslip.io, dashed with a prefix', 'https://www-127-0-0-1.sslip.io/', 'loopback'],
		["IPv6 loopback in sslip.io's form", 'https://--1.sslip.io/', 'loopback'],
		['loopback as hex under nip.io', 'https://7f000001.nip.io/', 'loopback'],
	])('%s is refused by default (%s)', (_case, url, reason) => {
		expect(checkUrlWithoutDns(url, STRICT)?.reason).toBe(reason);
	});

	it('names the spelled address in the message', () => {
		expect(checkUrlWithoutDns('https://169.254.169.254.nip.io/', OPEN_PRIVATE)?.message).toBe(
			'Refused to send to https://169.254.169.254.nip.io: its name spells the address 169.254.169.254, which is a cloud metadata service.',
		);
	});

	it.each([
		['a public address under nip.io', 'https://93.184.216.34.nip.io/', STRICT],
		['a private address under nip.io, with Allow Private Network Targets', 'https://10.0.0.1.nip.io/', OPEN_PRIVATE],
		['a name outside those services that spells a private address', 'https://build-10-0-0-1.example.com/', STRICT],
		['a name outside those services with an 8-hex-digit label', 'https://deadbeef.example.com/', STRICT],
	])('lets through %s', (_case, url, policy) => {
		expect(checkUrlWithoutDns(url, policy)).toBeUndefined();
	});
});

describe('checkUrl judges the addresses a name resolves to, through n8n\'s lookup', () => {
	/** n8n's helpers whose lookup answers from `answers` (an Error: the lookup fails), recording what was asked. */
	function resolvingHelpers(answers: Record<string, string[] | Error>, validate: { ok: true } | { ok: false; error: Error } = { ok: true }) {
		const looked: Array<{ host: string; policy?: string }> = [];
		const validated: string[] = [];
		const helpers = {
			getSecureEgressFilter: (policy?: 'safe' | 'enforced' | 'unsafe'): EgressFilterLike => ({
				validateUrl: async (url: string) => {
					validated.push(url);
					return validate;
				},
				createSecureLookup: (): LookupLike => (host, options, callback) => {
					looked.push({ host, policy });
					const answer = answers[host];
					if (answer instanceof Error || answer === undefined) callback(answer ?? new Error(`getaddrinfo ENOTFOUND ${host}`), []);
					else callback(null, answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
				},
			}),
		};
		return { helpers, looked, validated };
	}

	it('refuses, with Allow Private Network Targets, a name that resolves to the metadata address', async () => {
		const { helpers } = resolvingHelpers({ 'crm.example.com': ['169.254.169.254'] });
		const refusal = await checkUrl('https://crm.example.com/leads?api_token=abc', OPEN_PRIVATE, helpers);
		expect(refusal?.reason).toBe('metadata');
		expect(refusal?.message).toBe('Refused to send to https://crm.example.com: its name resolves to 169.254.169.254, which is a cloud metadata service.');
	});

	it('refuses a name when any one of its addresses is a metadata address', async () => {
		const { helpers } = resolvingHelpers({ 'crm.example.com': ['10.0.0.5', 'fd00:ec2::254'] });
		expect((await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers))?.reason).toBe('metadata');
	});

	it('refuses a name that resolves to an IPv6 form carrying the metadata address', async () => {
		const { helpers } = resolvingHelpers({ 'crm.example.com': ['64:ff9b:1::a9fe:a9fe'] });
		expect((await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers))?.reason).toBe('metadata');
	});

	it('lets a name that resolves to a private address through when private targets are allowed', async () => {
		const { helpers, looked } = resolvingHelpers({ 'crm.intranet.example': ['10.0.0.5'] });
		expect(await checkUrl('https://crm.intranet.example/', OPEN_PRIVATE, helpers)).toBeUndefined();
		expect(looked).toEqual([{ host: 'crm.intranet.example', policy: 'unsafe' }]);
	});

	it("resolves through n8n's unfiltered lookup, judging the answers itself", async () => {
		const { helpers, looked } = resolvingHelpers({ 'crm.example.com': ['169.254.169.254'] });
		await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers);
		expect(looked.map((ask) => ask.policy)).toEqual(['unsafe']);
	});

	it("refuses by default a name whose address n8n's default ranges leave out (carrier-grade NAT, Teredo)", async () => {
		const { helpers, validated } = resolvingHelpers({ 'a.example.com': ['100.64.1.1'], 'b.example.com': ['2001:0:4136:e378:8000:63bf:80ff:fffe'] });
		expect((await checkUrl('https://a.example.com/', STRICT, helpers))?.reason).toBe('sharedAddressSpace');
		expect((await checkUrl('https://b.example.com/', STRICT, helpers))?.reason).toBe('loopback');
		expect(validated).toEqual(['https://a.example.com/', 'https://b.example.com/']);
	});

	it('lets a name through that resolves to public addresses only', async () => {
		const { helpers } = resolvingHelpers({ 'api.hubapi.com': ['104.16.1.1', '2606:4700::6810:101'] });
		expect(await checkUrl('https://api.hubapi.com/crm/v3/objects/contacts', STRICT, helpers)).toBeUndefined();
	});

	it('leaves a name whose lookup fails to the request (it resolves the name itself, or fails)', async () => {
		const { helpers } = resolvingHelpers({ 'crm.example.com': new Error('getaddrinfo EAI_AGAIN crm.example.com') });
		expect(await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers)).toBeUndefined();
	});

	it('does not look up an IP literal', async () => {
		const { helpers, looked } = resolvingHelpers({});
		expect(await checkUrl('https://10.1.2.3/', OPEN_PRIVATE, helpers)).toBeUndefined();
		expect(looked).toEqual([]);
	});

	it('does not look up a name it already refused', async () => {
		const { helpers, looked } = resolvingHelpers({ 'metadata.google.internal': ['169.254.169.254'] });
		expect((await checkUrl('https://metadata.google.internal/', OPEN_PRIVATE, helpers))?.reason).toBe('metadata');
		expect(looked).toEqual([]);
	});

	it('resolves nothing on an n8n whose filter has no lookup, and still refuses a name that spells a metadata address', async () => {
		const helpers = { getSecureEgressFilter: () => ({ validateUrl: async () => ({ ok: true as const }) }) };
		expect(await checkUrl('https://crm.example.com/', OPEN_PRIVATE, helpers)).toBeUndefined();
		expect((await checkUrl('https://169.254.169.254.nip.io/', OPEN_PRIVATE, {}))?.reason).toBe('metadata');
	});
});
