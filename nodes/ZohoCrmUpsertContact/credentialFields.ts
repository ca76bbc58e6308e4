/** Data-centre fields shared by both Zoho CRM credentials. */
import type { INodeProperties } from 'n8n-workflow';
import { ZOHO_DATA_CENTERS } from './dataCenters';

export const zohoDataCenterProperties: INodeProperties[] = [
	{
		displayName: 'Data Center',
		name: 'dataCenter',
		type: 'options',
		options: [
			{ name: 'Australia (zoho.com.au)', value: 'au' },
			{ name: 'Canada (zohocloud.ca)', value: 'ca' },
			{ name: 'China (zoho.com.cn)', value: 'cn' },
			{ name: 'Custom (Own URLs)', value: 'custom' },
			{ name: 'Europe (zoho.eu)', value: 'eu' },
			{ name: 'India (zoho.in)', value: 'in' },
			{ name: 'Japan (zoho.jp)', value: 'jp' },
			{ name: 'Saudi Arabia (zoho.sa)', value: 'sa' },
			{ name: 'United States (zoho.com)', value: 'us' },
		],
		default: 'us',
		description: 'Where the Zoho account lives: the domain you sign in at (zoho.com, zoho.eu, …). A wrong one makes Zoho answer INVALID_TOKEN.',
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
		placeholder: 'https://www.zohoapis.com',
		displayOptions: { show: { dataCenter: ['custom'] } },
	},
];

const apiByDataCenter = JSON.stringify(
	Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([key, dc]) => [key, dc.apiUrl])),
);
const accountsByDataCenter = JSON.stringify(
	Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([key, dc]) => [key, dc.accountsUrl])),
);

/** API base for credential tests: the token's api_domain, else the DC's API host. */
export const zohoApiBaseExpression = `={{ $credentials.apiDomain || (${apiByDataCenter})[$credentials.dataCenter] || $credentials.apiUrl }}`;

/** Accounts host for the OAuth2 flow, per data centre. */
export const zohoAccountsExpression = `{{ $self.dataCenter === 'custom' ? $self.accountsUrl : (${accountsByDataCenter})[$self.dataCenter] }}`;
