/** The node's stored credentials for a Zoho double: a refresh-token credential whose Custom data centre is the double. */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { ZohoDouble } from '../../doubles/zohoDouble';

export function zohoDoubleCredentials(
	double: ZohoDouble,
	client: { clientId: string; clientSecret: string; refreshTokens: string[] },
): Record<string, ICredentialDataDecryptedObject> {
	return {
		zohoCrmRefreshTokenApi: {
			dataCenter: 'custom',
			accountsUrl: double.accountsUrl('us'),
			apiUrl: double.apiUrl('us'),
			clientId: client.clientId,
			clientSecret: client.clientSecret,
			refreshToken: client.refreshTokens[0],
		},
	};
}
