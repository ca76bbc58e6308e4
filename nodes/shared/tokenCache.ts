/**
 * Access tokens shared by every execution in this n8n process: one refresh per
 * credential per token lifetime, whatever the number of concurrent callers,
 * and a guard that refuses to exceed the provider's refresh limit. With a
 * shared source (the token n8n stores with the credential, which every main,
 * webhook and worker process reads), a process adopts a token another process
 * minted instead of minting its own.
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
	/**
	 * Up to this much more margin, drawn once per process: processes whose tokens expire
	 * together then reach their refresh point minutes apart, and the later ones find the
	 * token the first one stored. Default 0.
	 */
	refreshJitterMs?: number;
}

/** A token other processes can see and may have renewed: n8n's stored credential. */
export interface SharedTokenSource {
	/** The token stored now, if any. */
	read(): Promise<AccessToken | undefined>;
	/**
	 * Waited once before minting, then the store is read again: processes that found no
	 * token at the same moment do not all mint one.
	 */
	settle?(): Promise<void>;
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

	private readonly marginMs: number;

	constructor(
		private readonly options: TokenCacheOptions,
		private readonly now: () => number = Date.now,
		random: () => number = Math.random,
	) {
		this.marginMs = options.refreshMarginMs + Math.floor(random() * (options.refreshJitterMs ?? 0));
	}

	/**
	 * A valid token for `key`, minting one with `mint` only when none is cached,
	 * it is about to expire, or the service rejected it (`rejectedToken`).
	 * Concurrent callers share one mint; before it, a token in `shared` that is still fresh
	 * (and is not the rejected one) is adopted instead.
	 */
	async get(key: string, mint: () => Promise<AccessToken>, rejectedToken?: string, shared?: SharedTokenSource): Promise<AccessToken> {
		const entry = this.entry(key);
		if (rejectedToken && entry.token?.accessToken === rejectedToken) entry.token = undefined;
		if (this.usable(entry.token, rejectedToken)) return entry.token;
		if (entry.inflight) return await entry.inflight;

		entry.inflight = this.adoptOrMint(entry, mint, rejectedToken, shared).then(
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

	private async adoptOrMint(
		entry: Entry,
		mint: () => Promise<AccessToken>,
		rejectedToken: string | undefined,
		shared: SharedTokenSource | undefined,
	): Promise<AccessToken> {
		if (shared) {
			const stored = await shared.read();
			if (this.usable(stored, rejectedToken)) return stored;
			if (shared.settle) {
				await shared.settle();
				const settled = await shared.read();
				if (this.usable(settled, rejectedToken)) return settled;
			}
		}
		this.guardRefreshLimit(entry);
		entry.refreshes.push(this.now());
		return await mint();
	}

	private usable(token: AccessToken | undefined, rejectedToken: string | undefined): token is AccessToken {
		return token !== undefined && token.accessToken !== rejectedToken && this.now() < token.expiresAt - this.marginMs;
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
