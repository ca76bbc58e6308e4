import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';
import { getZohoAccessToken, ZohoTokenError, type ZohoRefreshTokenCredentials } from '../nodes/ZohoCrmUpsertContact/auth';
import { zohoApiBaseExpression, zohoDataCenterProperties } from '../nodes/ZohoCrmUpsertContact/credentialFields';

/**
 * A Zoho "self client": client id, secret and a long-lived refresh token. The
 * access token is minted on demand, cached for every execution of this n8n
 * process, and refreshed once for all of them.
 */
export class ZohoCrmRefreshTokenApi implements ICredentialType {
	name = 'zohoCrmRefreshTokenApi';

	displayName = 'Zoho CRM Refresh Token API';

	icon = { light: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.svg', dark: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.dark.svg' } as const;

	documentationUrl = 'https://www.zoho.com/crm/developer/docs/api/v8/self-client-overview.html';

	properties: INodeProperties[] = [
		...zohoDataCenterProperties,
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Generated once in the Zoho API console (Self Client) with access_type=offline and the scopes ZohoCRM.modules.ALL, ZohoCRM.settings.fields.READ and ZohoCRM.users.READ',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'API Domain',
			name: 'apiDomain',
			type: 'hidden',
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const zoho = credentials as unknown as ZohoRefreshTokenCredentials;
		try {
			// n8n calls this when no token is stored or the stored one was rejected.
			const token = await getZohoAccessToken(
				async (options) => await this.helpers.httpRequest(options),
				zoho,
				zoho.accessToken || undefined,
			);
			return { accessToken: token.accessToken, apiDomain: token.apiDomain ?? '' };
		} catch (error) {
			if (error instanceof ZohoTokenError) throw new Error(`${error.message}. ${error.hint}`);
			throw error;
		}
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Zoho-oauthtoken {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: zohoApiBaseExpression,
			url: '/crm/v8/users',
			qs: { type: 'CurrentUser' },
		},
	};
}
