import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { zohoApiBaseExpression, zohoHostProperties } from './ZohoCrmDataCenters';
import { readZohoTokenAnswer, ZohoTokenError, zohoTokenRequest, type ZohoRefreshTokenCredentials } from './ZohoCrmToken';

/**
 * A Zoho "self client": client id, secret and a long-lived refresh token. The
 * access token is minted on demand and stored by n8n with the credential, so
 * that every n8n process (main, webhook, workers) uses it until it expires.
 */
export class ZohoCrmRefreshTokenApi implements ICredentialType {
	name = 'zohoCrmRefreshTokenApi';

	displayName = 'Zoho CRM Refresh Token API';

	icon = { light: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.svg', dark: 'file:../nodes/ZohoCrmUpsertContact/zohoCrm.dark.svg' } as const;

	documentationUrl = 'https://www.zoho.com/crm/developer/docs/api/v8/self-client-overview.html';

	properties: INodeProperties[] = [
		...zohoHostProperties,
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
		{
			// Epoch milliseconds: lets every n8n process tell a stored token that is still good from one to renew.
			displayName: 'Access Token Expires At',
			name: 'accessTokenExpiresAt',
			type: 'hidden',
			// Not a secret; marked so, as n8n's lint asks of every field named after a token.
			typeOptions: { password: true },
			default: '',
		},
	];

	/**
	 * n8n calls this when no token is stored, when a stored one was rejected, and for the Test
	 * button, and stores what it returns with the credential. The node comes here (through
	 * n8n) once per token lifetime for the whole deployment; see nodes/ZohoCrmUpsertContact/auth.ts.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const zoho = credentials as unknown as ZohoRefreshTokenCredentials;
		const response = (await this.helpers.httpRequest({
			...zohoTokenRequest(zoho),
			// Zoho answers its throttle with a 400 whose body says why: read it, do not throw it.
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { body?: unknown };
		const answer = readZohoTokenAnswer(response.body);
		// The message with its advice for the Test button; the node finds Zoho's own reason in `cause`.
		if (answer instanceof ZohoTokenError) throw Object.assign(new Error(`${answer.message}. ${answer.hint}`), { cause: answer });
		return {
			accessToken: answer.accessToken,
			apiDomain: answer.apiDomain ?? '',
			accessTokenExpiresAt: String(Date.now() + answer.expiresInSeconds * 1000),
		};
	}

	// A function, not a generic block with an expression: n8n evaluates such an expression in its
	// sandbox on every request, a millisecond or more per call for what is a string concatenation.
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Zoho-oauthtoken ${String(credentials.accessToken ?? '')}` },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// The host the node uses: api_domain only for a built-in data centre in production.
			baseURL: zohoApiBaseExpression('$credentials.apiDomain'),
			url: '/crm/v8/users',
			qs: { type: 'CurrentUser' },
		},
	};
}
