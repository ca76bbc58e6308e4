import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';
import { zohoAccountsExpression, zohoApiBaseExpression, zohoHostProperties } from './ZohoCrmDataCenters';

/** Zoho CRM through n8n's OAuth2 connect flow (offline access, so n8n keeps a refresh token). */
export class ZohoCrmOAuth2Api implements ICredentialType {
	name = 'zohoCrmOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Zoho CRM OAuth2 API';

	icon = { light: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.svg', dark: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.dark.svg' } as const;

	documentationUrl = 'https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html';

	properties: INodeProperties[] = [
		...zohoHostProperties,
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `=${zohoAccountsExpression}/oauth/v2/auth`,
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `=${zohoAccountsExpression}/oauth/v2/token`,
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'ZohoCRM.modules.contacts.ALL,ZohoCRM.modules.leads.ALL,ZohoCRM.settings.fields.READ,ZohoCRM.users.READ',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'access_type=offline&prompt=consent',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			// The host the node uses: api_domain only for a built-in data centre in production.
			baseURL: zohoApiBaseExpression('$credentials.oauthTokenData?.api_domain'),
			url: '/crm/v8/users',
			qs: { type: 'CurrentUser' },
		},
	};
}
