/**
 * Zoho access tokens from a self-client refresh token. Tokens are cached per
 * credential for the whole n8n process and shared by every execution, so that
 * Zoho's refresh limit (10 per 10 minutes per refresh token) is never reached.
 */
import { requestWithRetry, ServiceRequestError, type SendFunction } from '../shared/http';
import { AccessTokenCache, credentialKey, type AccessToken } from '../shared/tokenCache';
import { resolveZohoHosts } from '../../credentials/ZohoCrmDataCenters';
import {
	explainTokenFailure,
	readZohoTokenAnswer,
	ZohoTokenError,
	zohoTokenRequest,
	type ZohoRefreshTokenCredentials,
} from '../../credentials/ZohoCrmToken';

// The node reports token failures by this class; it lives with the credential that throws it too.
export { ZohoTokenError };

export const ZOHO_SERVICE = 'Zoho CRM';

const zohoTokenCache = new AccessTokenCache({
	provider: 'Zoho',
	refreshMarginMs: 5 * 60_000,
	maxRefreshes: 10,
	windowMs: 10 * 60_000,
});

/** Asks Zoho for a new access token. Never cached here: use getZohoAccessToken. */
export async function mintZohoAccessToken(
	send: SendFunction,
	credentials: ZohoRefreshTokenCredentials,
	now: () => number = Date.now,
): Promise<AccessToken> {
	const outcome = await requestWithRetry<unknown>(send, zohoTokenRequest(credentials), {
		service: 'Zoho Accounts',
		secrets: [credentials.clientSecret, credentials.refreshToken],
		// Zoho's throttle is a 400 "Access Denied": retrying it only extends the lock-out.
		retry: { maxAttempts: 3 },
		// Asking twice for a token changes nothing but the token.
		replayable: true,
	}).then(
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
	const answer = readZohoTokenAnswer(outcome.response.body);
	if (answer instanceof ZohoTokenError) throw answer;
	return {
		accessToken: answer.accessToken,
		expiresAt: now() + answer.expiresInSeconds * 1000,
		apiDomain: answer.apiDomain,
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
