/**
 * Access tokens shared by every execution in this n8n process: one refresh per
 * credential per token lifetime, whatever the number of concurrent callers,
 * and a guard that refuses to exceed the provider's refresh limit.
 */
import { createHash } from 'crypto';

export interface AccessToken {
	accessToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	/** Host the token is valid for, where the provider says (Zoho's api_domain). */
	apiDomain?: string;
}

export interface TokenCacheOptions {
	/** Refresh this long before expiry, so no call starts with a token about to die. */
	refreshMarginMs: number;
	/** At most this many refreshes per credential within `windowMs`. */
	maxRefreshes: number;
	windowMs: number;
	/** Name of the provider for messages. */
	provider: string;
}

export class RefreshLimitError extends Error {
	constructor(
		message: string,
		readonly retryInMs: number,
	) {
		super(message);
		this.name = 'RefreshLimitError';
	}
}

interface Entry {
	token?: AccessToken;
	inflight?: Promise<AccessToken>;
	refreshes: number[];
}

/** A key that identifies a credential without keeping its secrets in memory as keys. */
export function credentialKey(...parts: Array<string | undefined>): string {
	return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex');
}

export class AccessTokenCache {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly options: TokenCacheOptions,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * A valid token for `key`, minting one with `mint` only when none is cached,
	 * it is about to expire, or the service rejected it (`rejectedToken`).
	 * Concurrent callers share one mint.
	 */
	async get(key: string, mint: () => Promise<AccessToken>, rejectedToken?: string): Promise<AccessToken> {
		const entry = this.entry(key);
		if (rejectedToken && entry.token?.accessToken === rejectedToken) entry.token = undefined;
		if (entry.token && this.now() < entry.token.expiresAt - this.options.refreshMarginMs) return entry.token;
		if (entry.inflight) return await entry.inflight;

		this.guardRefreshLimit(entry);
		entry.refreshes.push(this.now());
		entry.inflight = mint().then(
			(token) => {
				entry.token = token;
				entry.inflight = undefined;
				return token;
			},
			(error: unknown) => {
				entry.inflight = undefined;
				throw error;
			},
		);
		return await entry.inflight;
	}

	/** Forget a token, e.g. after a credential changed. */
	invalidate(key: string): void {
		const entry = this.entries.get(key);
		if (entry) entry.token = undefined;
	}

	/** Refreshes started for `key` within the window. */
	recentRefreshes(key: string): number {
		const entry = this.entries.get(key);
		if (!entry) return 0;
		this.prune(entry);
		return entry.refreshes.length;
	}

	private entry(key: string): Entry {
		let entry = this.entries.get(key);
		if (!entry) {
			entry = { refreshes: [] };
			this.entries.set(key, entry);
		}
		return entry;
	}

	private prune(entry: Entry): void {
		const cutoff = this.now() - this.options.windowMs;
		while (entry.refreshes.length && entry.refreshes[0] <= cutoff) entry.refreshes.shift();
	}

	private guardRefreshLimit(entry: Entry): void {
		this.prune(entry);
		if (entry.refreshes.length < this.options.maxRefreshes) return;
		const retryInMs = entry.refreshes[0] + this.options.windowMs - this.now();
		const minutes = Math.round(this.options.windowMs / 60_000);
		throw new RefreshLimitError(
			`${this.options.provider} access token was already refreshed ${entry.refreshes.length} times in the last ${minutes} minutes; ` +
				`refreshing again would hit ${this.options.provider}'s limit and lock this refresh token out. ` +
				`Next refresh possible in ${Math.ceil(retryInMs / 1000)} s.`,
			retryInMs,
		);
	}
}
