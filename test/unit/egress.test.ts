/**
 * The egress guard (nodes/shared/egress.ts): every refusal case, without DNS and without sending
 * anything, and how n8n's own filter is consulted.
 */
import { checkUrl, checkUrlWithoutDns, DEFAULT_EGRESS_POLICY, type EgressFilterLike } from '../../nodes/shared/egress';

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
