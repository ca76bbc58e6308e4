/**
 * Zoho access tokens from a self-client refresh token. Tokens are cached per
 * credential for the whole n8n process and shared by every execution, so that
 * Zoho's refresh limit (10 per 10 minutes per refresh token) is never reached.
 */
import type { IDataObject } from 'n8n-workflow';
import { requestWithRetry, ServiceRequestError, type SendFunction } from '../shared/http';
import { AccessTokenCache, credentialKey, type AccessToken } from '../shared/tokenCache';
import { resolveZohoHosts, type ZohoHostSettings } from './dataCenters';

export interface ZohoRefreshTokenCredentials extends ZohoHostSettings {
	clientId: string;
	clientSecret: string;
	refreshToken: string;
	accessToken?: string;
}

export const ZOHO_SERVICE = 'Zoho CRM';

export const zohoTokenCache = new AccessTokenCache({
	provider: 'Zoho',
	refreshMarginMs: 5 * 60_000,
	maxRefreshes: 10,
	windowMs: 10 * 60_000,
});

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

/** Asks Zoho for a new access token. Never cached here: use getZohoAccessToken. */
export async function mintZohoAccessToken(
	send: SendFunction,
	credentials: ZohoRefreshTokenCredentials,
	now: () => number = Date.now,
): Promise<AccessToken> {
	const { accountsUrl } = resolveZohoHosts(credentials);
	const outcome = await requestWithRetry<IDataObject | string>(
		send,
		{
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
		},
		{
			service: 'Zoho Accounts',
			secrets: [credentials.clientSecret, credentials.refreshToken],
			// Zoho's throttle is a 400 "Access Denied": retrying it only extends the lock-out.
			retry: { maxAttempts: 3 },
			// Asking twice for a token changes nothing but the token.
			replayable: true,
		},
	).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		if (!(outcome.error instanceof ServiceRequestError)) throw outcome.error;
		const { failure } = outcome.error;
		// Zoho answered (its throttle is a 400 "Access Denied"): explain its answer.
		if (failure.status !== undefined) {
			throw explainTokenFailure(failure.code, failure.message !== failure.code ? failure.message : undefined);
		}
		throw new ZohoTokenError(
			`Zoho Accounts could not be reached: ${failure.message}`,
			undefined,
			'Check the data centre or the Custom accounts URL.',
		);
	}
	const { response } = outcome;
	const body = (typeof response.body === 'string' ? {} : response.body) ?? {};
	if (typeof body.access_token !== 'string' || !body.access_token) {
		throw explainTokenFailure(body.error as string | undefined, body.error_description as string | undefined);
	}
	const expiresIn = Number(body.expires_in ?? 3600);
	return {
		accessToken: body.access_token,
		expiresAt: now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
		apiDomain: typeof body.api_domain === 'string' ? body.api_domain : undefined,
	};
}

export function zohoCredentialKey(credentials: ZohoRefreshTokenCredentials): string {
	const { accountsUrl } = resolveZohoHosts(credentials);
	return credentialKey(accountsUrl, credentials.clientId, credentials.clientSecret, credentials.refreshToken);
}

/**
 * The cached token of this credential, refreshed once for all callers when
 * missing, about to expire, or rejected by Zoho (`rejectedToken`).
 */
export async function getZohoAccessToken(
	send: SendFunction,
	credentials: ZohoRefreshTokenCredentials,
	rejectedToken?: string,
): Promise<AccessToken> {
	return await zohoTokenCache.get(
		zohoCredentialKey(credentials),
		async () => await mintZohoAccessToken(send, credentials),
		rejectedToken,
	);
}
