/**
 * What a Zoho token request is and how to read Zoho's answer, for the refresh-token credential's
 * preAuthentication and the node's token cache (nodes/ZohoCrmUpsertContact/auth.ts), which adds
 * retries and one refresh for all executions. Not a credential type itself.
 */
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { resolveZohoHosts, type ZohoHostSettings } from './ZohoCrmDataCenters';

export interface ZohoRefreshTokenCredentials extends ZohoHostSettings {
	clientId: string;
	clientSecret: string;
	refreshToken: string;
	/** The token n8n stores with the credential (hidden fields), shared by every n8n instance of a deployment. */
	accessToken?: string;
	apiDomain?: string;
	/** Epoch milliseconds, as a string: when the stored access token expires. */
	accessTokenExpiresAt?: string;
}

export class ZohoTokenError extends Error {
	constructor(
		message: string,
		readonly zohoError: string | undefined,
		readonly hint: string,
	) {
		super(message);
		this.name = 'ZohoTokenError';
	}
}

/** Turns Zoho's token-endpoint failure (often an HTTP 200 with `error`) into advice. */
export function explainTokenFailure(error: string | undefined, description?: string): ZohoTokenError {
	switch (error) {
		case 'invalid_client':
			return new ZohoTokenError(
				'Zoho refused the client (invalid_client)',
				error,
				'Check the Client ID and Client Secret, and the data centre: a client created at accounts.zoho.eu is unknown at accounts.zoho.com.',
			);
		case 'invalid_code':
			return new ZohoTokenError(
				'Zoho refused the refresh token (invalid_code)',
				error,
				'The refresh token is wrong, revoked, or belongs to another data centre. Generate a new one in the Zoho API console (self client) with access_type=offline.',
			);
		case 'Access Denied':
			return new ZohoTokenError(
				`Zoho throttled the token refresh (Access Denied${description ? `: ${description}` : ''})`,
				error,
				'Too many access tokens were requested for this refresh token. Wait a few minutes; check that no other system refreshes it in a loop.',
			);
		default:
			return new ZohoTokenError(
				`Zoho did not issue an access token${error ? ` (${error})` : ''}`,
				error,
				'Check the data centre, the client and the refresh token.',
			);
	}
}

/** The refresh-token grant as the official SDK sends it: a form body on the accounts host. */
export function zohoTokenRequest(credentials: ZohoRefreshTokenCredentials): IHttpRequestOptions {
	const { accountsUrl } = resolveZohoHosts(credentials);
	return {
		method: 'POST',
		url: `${accountsUrl}/oauth/v2/token`,
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'refresh_token',
			client_id: credentials.clientId,
			client_secret: credentials.clientSecret,
			refresh_token: credentials.refreshToken,
		}).toString(),
		json: false,
	};
}

interface ZohoTokenAnswer {
	accessToken: string;
	expiresInSeconds: number;
	apiDomain?: string;
}

function asObject(body: unknown): IDataObject {
	if (typeof body === 'string') {
		try {
			const parsed: unknown = JSON.parse(body);
			return parsed && typeof parsed === 'object' ? (parsed as IDataObject) : {};
		} catch {
			return {};
		}
	}
	return body && typeof body === 'object' ? (body as IDataObject) : {};
}

/** Zoho's token answer, or why it is not one: any body without access_token is a failure. */
export function readZohoTokenAnswer(body: unknown): ZohoTokenAnswer | ZohoTokenError {
	const answer = asObject(body);
	if (typeof answer.access_token !== 'string' || !answer.access_token) {
		return explainTokenFailure(answer.error as string | undefined, answer.error_description as string | undefined);
	}
	const expiresIn = Number(answer.expires_in ?? 3600);
	return {
		accessToken: answer.access_token,
		expiresInSeconds: Number.isFinite(expiresIn) ? expiresIn : 3600,
		apiDomain: typeof answer.api_domain === 'string' ? answer.api_domain : undefined,
	};
}
