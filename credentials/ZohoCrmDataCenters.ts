/**
 * Zoho's data centres and which host a Zoho CRM credential talks to, in one place for both
 * credentials and the node (nodes may import credentials/, never the reverse). Not a
 * credential type itself.
 */
import type { INodeProperties } from 'n8n-workflow';

/** Zoho's data centres: each has its own accounts (OAuth) host and API domain. */
interface ZohoDataCenter {
	name: string;
	accountsUrl: string;
	/** The API domain without its environment prefix: www./sandbox./developer. + this. */
	apiDomain: string;
}

export const ZOHO_DATA_CENTERS: Record<string, ZohoDataCenter> = {
	us: { name: 'United States (zoho.com)', accountsUrl: 'https://accounts.zoho.com', apiDomain: 'zohoapis.com' },
	eu: { name: 'Europe (zoho.eu)', accountsUrl: 'https://accounts.zoho.eu', apiDomain: 'zohoapis.eu' },
	in: { name: 'India (zoho.in)', accountsUrl: 'https://accounts.zoho.in', apiDomain: 'zohoapis.in' },
	au: { name: 'Australia (zoho.com.au)', accountsUrl: 'https://accounts.zoho.com.au', apiDomain: 'zohoapis.com.au' },
	jp: { name: 'Japan (zoho.jp)', accountsUrl: 'https://accounts.zoho.jp', apiDomain: 'zohoapis.jp' },
	ca: { name: 'Canada (zohocloud.ca)', accountsUrl: 'https://accounts.zohocloud.ca', apiDomain: 'zohoapis.ca' },
	cn: { name: 'China (zoho.com.cn)', accountsUrl: 'https://accounts.zoho.com.cn', apiDomain: 'zohoapis.com.cn' },
	sa: { name: 'Saudi Arabia (zoho.sa)', accountsUrl: 'https://accounts.zoho.sa', apiDomain: 'zohoapis.sa' },
};

/** Which org of a data centre: each has its own API host, all share the accounts host. */
export const ZOHO_ENVIRONMENTS = ['production', 'sandbox', 'developer'] as const;
type ZohoEnvironment = (typeof ZOHO_ENVIRONMENTS)[number];

const HOST_PREFIX: Record<ZohoEnvironment, string> = { production: 'www', sandbox: 'sandbox', developer: 'developer' };

export interface ZohoHostSettings {
	dataCenter?: string;
	environment?: string;
	accountsUrl?: string;
	apiUrl?: string;
	/** The token response's api_domain. */
	apiDomain?: string;
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

function environmentOf(settings: ZohoHostSettings): ZohoEnvironment {
	// Credentials saved before the Environment field existed have none: they were production.
	const environment = (settings.environment || 'production').toLowerCase();
	if (!(ZOHO_ENVIRONMENTS as readonly string[]).includes(environment)) {
		throw new Error(`Unknown Zoho environment "${settings.environment}"`);
	}
	return environment as ZohoEnvironment;
}

/** Accounts and API base URLs of a credential: a listed DC in one environment, or Custom URLs. */
export function resolveZohoHosts(settings: ZohoHostSettings): { accountsUrl: string; apiUrl: string } {
	const dc = (settings.dataCenter ?? 'us').toLowerCase();
	if (dc === 'custom') {
		if (!settings.accountsUrl || !settings.apiUrl) {
			throw new Error('A Custom data centre needs both an Accounts URL and an API URL');
		}
		return { accountsUrl: trimSlash(settings.accountsUrl), apiUrl: trimSlash(settings.apiUrl) };
	}
	const known = ZOHO_DATA_CENTERS[dc];
	if (!known) throw new Error(`Unknown Zoho data centre "${settings.dataCenter}"`);
	return { accountsUrl: known.accountsUrl, apiUrl: `https://${HOST_PREFIX[environmentOf(settings)]}.${known.apiDomain}` };
}

/**
 * The API host to call. The token's api_domain names the production host of the account's data
 * centre, so it may replace only the built-in production default; a Custom API URL and the
 * sandbox/developer hosts are what the user chose, and a sandbox user must never write to
 * production.
 */
export function zohoApiBase(settings: ZohoHostSettings): string {
	const { apiUrl } = resolveZohoHosts(settings);
	const isCustom = (settings.dataCenter ?? 'us').toLowerCase() === 'custom';
	if (!isCustom && environmentOf(settings) === 'production' && settings.apiDomain) return trimSlash(settings.apiDomain);
	return apiUrl;
}

// ---------------------------------------------------------------------------------------------
// Credential fields
// ---------------------------------------------------------------------------------------------

const dataCenterOptions = [
	...Object.entries(ZOHO_DATA_CENTERS).map(([value, dc]) => ({ name: dc.name, value })),
	{ name: 'Custom (Own URLs)', value: 'custom' },
].sort((a, b) => a.name.localeCompare(b.name));

/** Data centre, environment and Custom URLs: the host fields of both Zoho CRM credentials. */
export const zohoHostProperties: INodeProperties[] = [
	{
		displayName: 'Data Center',
		name: 'dataCenter',
		type: 'options',
		options: dataCenterOptions,
		default: 'us',
		description:
			'Where the Zoho account lives: the domain you sign in at (zoho.com, zoho.eu, …). A wrong one makes Zoho answer INVALID_TOKEN.',
	},
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			{
				name: 'Developer',
				value: 'developer',
				description: "A developer edition org: the data centre's developer.zohoapis.… host",
			},
			{
				name: 'Production',
				value: 'production',
				description: 'The live org: the API host named by the token (www.zohoapis.…)',
			},
			{
				name: 'Sandbox',
				value: 'sandbox',
				description: "A sandbox org: the data centre's sandbox.zohoapis.… host, never production",
			},
		],
		default: 'production',
		displayOptions: { hide: { dataCenter: ['custom'] } },
		description:
			"Which org of the data centre to write to. Zoho's token always names the production host; with Sandbox or Developer it is ignored, so records never reach production.",
	},
	{
		displayName: 'Accounts URL',
		name: 'accountsUrl',
		type: 'string',
		default: '',
		placeholder: 'https://accounts.zoho.com',
		displayOptions: { show: { dataCenter: ['custom'] } },
	},
	{
		displayName: 'API URL',
		name: 'apiUrl',
		type: 'string',
		default: '',
		placeholder: 'https://sandbox.zohoapis.com',
		description: "Used as given, for production or a sandbox: the token's api_domain never replaces it",
		displayOptions: { show: { dataCenter: ['custom'] } },
	},
];

// Flat, keyed "environment:dc": a nested object literal would put "}}" inside the expression,
// which ends n8n's {{ … }} early.
const apiUrlByEnvironmentAndDc = JSON.stringify(
	Object.fromEntries(
		ZOHO_ENVIRONMENTS.flatMap((environment) =>
			Object.keys(ZOHO_DATA_CENTERS).map((dc) => [`${environment}:${dc}`, resolveZohoHosts({ dataCenter: dc, environment }).apiUrl]),
		),
	),
);
const accountsByDataCenter = JSON.stringify(
	Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([key, dc]) => [key, dc.accountsUrl])),
);

/**
 * n8n expression for a credential Test request's base URL, the same rule as zohoApiBase.
 * `apiDomain` is the expression holding the token's api_domain in that credential.
 */
export function zohoApiBaseExpression(apiDomain: string): string {
	const dc = "String($credentials.dataCenter || 'us').toLowerCase()";
	const environment = "String($credentials.environment || 'production').toLowerCase()";
	return (
		`={{ ${dc} === 'custom' ? $credentials.apiUrl : ` +
		`(${environment} === 'production' && ${apiDomain}) ? ${apiDomain} : ` +
		`(${apiUrlByEnvironmentAndDc})[${environment} + ':' + ${dc}] }}`
	);
}

/** Accounts host for the OAuth2 flow, per data centre (inside an expression). */
export const zohoAccountsExpression = `{{ $self.dataCenter === 'custom' ? $self.accountsUrl : (${accountsByDataCenter})[$self.dataCenter] }}`;
