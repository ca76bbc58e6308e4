/**
 * Zoho access tokens from a self-client refresh token. Tokens are cached per
 * credential for the whole n8n process and shared by every execution, and,
 * where the node runs in n8n, stored with the credential so that every other
 * n8n process (queue-mode workers, webhook processes) adopts the token instead
 * of minting its own: one refresh per token lifetime for the deployment, far
 * from Zoho's limit of 10 per 10 minutes per refresh token.
 */
import { requestWithRetry, ServiceRequestError, type SendFunction } from '../shared/http';
import { AccessTokenCache, credentialKey, type AccessToken, type SharedTokenSource } from '../shared/tokenCache';
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
	// Processes renew 5 to 10 minutes before expiry, each at its own point: the first stores the
	// token and the others find it there.
	refreshJitterMs: 5 * 60_000,
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

/** Where a token is kept for every n8n process: the credential n8n stores. */
export interface ZohoTokenStore extends SharedTokenSource {
	/** Mints a token that the store keeps. */
	mint(): Promise<AccessToken>;
}

/** The token held in a credential's hidden fields, when it says when it expires. */
export function storedZohoToken(credentials: ZohoRefreshTokenCredentials): AccessToken | undefined {
	const expiresAt = Number(credentials.accessTokenExpiresAt);
	if (!credentials.accessToken || !Number.isFinite(expiresAt) || expiresAt <= 0) return undefined;
	return { accessToken: credentials.accessToken, expiresAt, apiDomain: credentials.apiDomain || undefined };
}

/**
 * The cached token of this credential, refreshed once for all callers when
 * missing, about to expire, or rejected by Zoho (`rejectedToken`). With a
 * `store`, a fresh token found there is adopted, and a new one is minted
 * into it; without one (no saved credential), the token stays in this n8n instance alone.
 */
export async function getZohoAccessToken(
	send: SendFunction,
	credentials: ZohoRefreshTokenCredentials,
	rejectedToken?: string,
	store?: ZohoTokenStore,
): Promise<AccessToken> {
	return await zohoTokenCache.get(
		zohoCredentialKey(credentials),
		async () => (store ? await store.mint() : await mintZohoAccessToken(send, credentials)),
		rejectedToken,
		store,
	);
}
