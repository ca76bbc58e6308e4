/** Zoho's data centres: each has its own accounts (OAuth) host and API host. */
export interface ZohoDataCenter {
	name: string;
	accountsUrl: string;
	apiUrl: string;
}

export const ZOHO_DATA_CENTERS: Record<string, ZohoDataCenter> = {
	us: { name: 'United States (zoho.com)', accountsUrl: 'https://accounts.zoho.com', apiUrl: 'https://www.zohoapis.com' },
	eu: { name: 'Europe (zoho.eu)', accountsUrl: 'https://accounts.zoho.eu', apiUrl: 'https://www.zohoapis.eu' },
	in: { name: 'India (zoho.in)', accountsUrl: 'https://accounts.zoho.in', apiUrl: 'https://www.zohoapis.in' },
	au: { name: 'Australia (zoho.com.au)', accountsUrl: 'https://accounts.zoho.com.au', apiUrl: 'https://www.zohoapis.com.au' },
	jp: { name: 'Japan (zoho.jp)', accountsUrl: 'https://accounts.zoho.jp', apiUrl: 'https://www.zohoapis.jp' },
	ca: { name: 'Canada (zohocloud.ca)', accountsUrl: 'https://accounts.zohocloud.ca', apiUrl: 'https://www.zohoapis.ca' },
	cn: { name: 'China (zoho.com.cn)', accountsUrl: 'https://accounts.zoho.com.cn', apiUrl: 'https://www.zohoapis.com.cn' },
	sa: { name: 'Saudi Arabia (zoho.sa)', accountsUrl: 'https://accounts.zoho.sa', apiUrl: 'https://www.zohoapis.sa' },
};

export interface ZohoHostSettings {
	dataCenter?: string;
	accountsUrl?: string;
	apiUrl?: string;
	apiDomain?: string;
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/** Accounts and API base URLs of a credential: a listed DC, or Custom URLs. */
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
	return { accountsUrl: known.accountsUrl, apiUrl: known.apiUrl };
}

/** The API host to call: the token's api_domain when Zoho gave one, else the DC's. */
export function zohoApiBase(settings: ZohoHostSettings): string {
	if (settings.apiDomain) return trimSlash(settings.apiDomain);
	return resolveZohoHosts(settings).apiUrl;
}
