/**
 * The shared access-token cache (nodes/shared/tokenCache.ts): one refresh per credential per
 * token lifetime whatever the number of callers, and a guard below the provider's refresh limit.
 */
import { AccessTokenCache, credentialKey, RefreshLimitError, type AccessToken } from '../../nodes/shared/tokenCache';

const MINUTE = 60_000;
const OPTIONS = { provider: 'Zoho', refreshMarginMs: 5 * MINUTE, maxRefreshes: 10, windowMs: 10 * MINUTE };

/** A clock the spec moves by hand. */
function clock(start = 1_700_000_000_000) {
	let now = start;
	return {
		now: () => now,
		advance: (ms: number) => {
			now += ms;
		},
	};
}

/** A mint that hands out token-1, token-2, … valid for an hour, resolving when the spec says. */
function minter(time: { now: () => number }, lifetimeMs = 60 * MINUTE) {
	let count = 0;
	const pending: Array<() => void> = [];
	const mint = jest.fn(
		() =>
			new Promise<AccessToken>((resolve) => {
				const token = { accessToken: `token-${++count}`, expiresAt: time.now() + lifetimeMs };
				pending.push(() => resolve(token));
			}),
	);
	return {
		mint,
		/** Resolves every mint started so far. */
		release: () => pending.splice(0).forEach((resolve) => resolve()),
	};
}

/** A mint that resolves at once. */
function instantMinter(time: { now: () => number }, lifetimeMs = 60 * MINUTE) {
	let count = 0;
	return jest.fn(async (): Promise<AccessToken> => ({ accessToken: `token-${++count}`, expiresAt: time.now() + lifetimeMs }));
}

async function flush(): Promise<void> {
	for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('AccessTokenCache', () => {
	it('mints once for 20 concurrent callers, and all of them get that token', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const { mint, release } = minter(time);
		const calls = Array.from({ length: 20 }, () => cache.get('cred', mint));
		await flush();
		release();
		const tokens = await Promise.all(calls);
		expect(mint).toHaveBeenCalledTimes(1);
		expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-1']));
	});

	it('reuses the token until refreshMargin before its expiry', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		await cache.get('cred', mint);
		time.advance(55 * MINUTE - 1);
		expect((await cache.get('cred', mint)).accessToken).toBe('token-1');
		expect(mint).toHaveBeenCalledTimes(1);
	});

	it('mints a new token once the margin before expiry is reached', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		await cache.get('cred', mint);
		time.advance(55 * MINUTE);
		expect((await cache.get('cred', mint)).accessToken).toBe('token-2');
		expect(mint).toHaveBeenCalledTimes(2);
	});

	it('keeps tokens of different keys apart', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const a = await cache.get('cred-a', mint);
		const b = await cache.get('cred-b', mint);
		expect(a.accessToken).not.toBe(b.accessToken);
		expect((await cache.get('cred-a', mint)).accessToken).toBe(a.accessToken);
		expect(mint).toHaveBeenCalledTimes(2);
	});

	it('mints once when the cached token was rejected, shared by every concurrent caller that reports it', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const { mint, release } = minter(time);
		const first = cache.get('cred', mint);
		release();
		const rejected = (await first).accessToken;

		const renewals = Array.from({ length: 10 }, () => cache.get('cred', mint, rejected));
		await flush();
		release();
		const tokens = await Promise.all(renewals);
		expect(mint).toHaveBeenCalledTimes(2);
		expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-2']));
	});

	it('does not mint again for a rejected token that was already replaced', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const old = await cache.get('cred', mint);
		const renewed = await cache.get('cred', mint, old.accessToken);
		const late = await cache.get('cred', mint, old.accessToken);
		expect(late.accessToken).toBe(renewed.accessToken);
		expect(mint).toHaveBeenCalledTimes(2);
	});

	it('does not cache a failed mint: the next call mints again', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = jest
			.fn<Promise<AccessToken>, []>()
			.mockRejectedValueOnce(new Error('invalid_code'))
			.mockResolvedValueOnce({ accessToken: 'token-ok', expiresAt: time.now() + 60 * MINUTE });
		await expect(cache.get('cred', mint)).rejects.toThrow('invalid_code');
		expect((await cache.get('cred', mint)).accessToken).toBe('token-ok');
		expect(mint).toHaveBeenCalledTimes(2);
	});

	it('gives every caller waiting on a failed mint that failure', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		let fail!: (error: Error) => void;
		const mint = jest.fn(() => new Promise<AccessToken>((_, reject) => (fail = reject)));
		const calls = Array.from({ length: 5 }, () => cache.get('cred', mint).catch((error: Error) => error.message));
		await flush();
		fail(new Error('Access Denied'));
		expect(await Promise.all(calls)).toEqual(Array(5).fill('Access Denied'));
		expect(mint).toHaveBeenCalledTimes(1);
	});

	it('refuses the 11th refresh within the window with a message naming the limit and the wait', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		let token = await cache.get('cred', mint);
		for (let i = 0; i < 9; i++) {
			time.advance(30_000);
			token = await cache.get('cred', mint, token.accessToken);
		}
		expect(mint).toHaveBeenCalledTimes(10);
		expect(cache.recentRefreshes('cred')).toBe(10);

		time.advance(30_000);
		const refused = await cache.get('cred', mint, token.accessToken).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(RefreshLimitError);
		const error = refused as RefreshLimitError;
		expect(error.message).toContain('Zoho access token was already refreshed 10 times in the last 10 minutes');
		expect(error.message).toContain("hit Zoho's limit");
		// The first refresh was 5 minutes ago: it leaves the window in 5 minutes.
		expect(error.retryInMs).toBe(5 * MINUTE);
		expect(error.message).toContain('Next refresh possible in 300 s');
		expect(mint).toHaveBeenCalledTimes(10);
	});

	it('allows a refresh again once the oldest one has left the window', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		let token = await cache.get('cred', mint);
		for (let i = 0; i < 9; i++) token = await cache.get('cred', mint, token.accessToken);
		await expect(cache.get('cred', mint, token.accessToken)).rejects.toBeInstanceOf(RefreshLimitError);

		time.advance(10 * MINUTE);
		expect(cache.recentRefreshes('cred')).toBe(0);
		expect((await cache.get('cred', mint)).accessToken).toBe('token-11');
	});

	it('counts failed mints against the limit, since the provider counts every request', async () => {
		const time = clock();
		const cache = new AccessTokenCache({ ...OPTIONS, maxRefreshes: 2 }, time.now);
		const mint = jest.fn(async (): Promise<AccessToken> => {
			throw new Error('server_error');
		});
		await expect(cache.get('cred', mint)).rejects.toThrow('server_error');
		await expect(cache.get('cred', mint)).rejects.toThrow('server_error');
		await expect(cache.get('cred', mint)).rejects.toBeInstanceOf(RefreshLimitError);
		expect(mint).toHaveBeenCalledTimes(2);
	});

	it('forgets a token on invalidate, so the next call mints', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		await cache.get('cred', mint);
		cache.invalidate('cred');
		expect((await cache.get('cred', mint)).accessToken).toBe('token-2');
	});

	it('reports no refreshes for an unknown key', () => {
		expect(new AccessTokenCache(OPTIONS).recentRefreshes('never-used')).toBe(0);
	});
});

/** A store other processes write into: the token n8n keeps with the credential. */
function sharedStore(initial?: AccessToken) {
	let token = initial;
	return {
		read: jest.fn(async () => token),
		write: (next: AccessToken) => {
			token = next;
		},
	};
}

describe('AccessTokenCache with a store shared between processes', () => {
	it('adopts a fresh token another process stored, and mints nothing', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const store = sharedStore({ accessToken: 'stored-by-worker-1', expiresAt: time.now() + 50 * MINUTE });
		const token = await cache.get('cred', mint, undefined, store);
		expect(token.accessToken).toBe('stored-by-worker-1');
		expect(mint).not.toHaveBeenCalled();
	});

	it('mints when the stored token is within the refresh margin', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const store = sharedStore({ accessToken: 'about-to-expire', expiresAt: time.now() + 4 * MINUTE });
		expect((await cache.get('cred', mint, undefined, store)).accessToken).toBe('token-1');
		expect(mint).toHaveBeenCalledTimes(1);
	});

	it('does not adopt the stored token Zoho just rejected', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const store = sharedStore({ accessToken: 'revoked', expiresAt: time.now() + 50 * MINUTE });
		expect((await cache.get('cred', mint, 'revoked', store)).accessToken).toBe('token-1');
	});

	it('reads the store again after settling, and adopts a token another process stored meanwhile', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const store = sharedStore();
		const settle = jest.fn(async () => store.write({ accessToken: 'stored-while-waiting', expiresAt: time.now() + 60 * MINUTE }));
		const token = await cache.get('cred', mint, undefined, { read: store.read, settle });
		expect(token.accessToken).toBe('stored-while-waiting');
		expect(settle).toHaveBeenCalledTimes(1);
		expect(mint).not.toHaveBeenCalled();
	});

	it('reads the store once for 20 concurrent callers of one process', async () => {
		const time = clock();
		const cache = new AccessTokenCache(OPTIONS, time.now);
		const mint = instantMinter(time);
		const store = sharedStore({ accessToken: 'stored', expiresAt: time.now() + 50 * MINUTE });
		await Promise.all(Array.from({ length: 20 }, () => cache.get('cred', mint, undefined, store)));
		expect(store.read).toHaveBeenCalledTimes(1);
	});

	it('gives each process its own refresh point within the jitter, so they do not renew together', async () => {
		const time = clock();
		const options = { ...OPTIONS, refreshJitterMs: 5 * MINUTE };
		const early = new AccessTokenCache(options, time.now, () => 0.9);
		const late = new AccessTokenCache(options, time.now, () => 0);
		const store = sharedStore({ accessToken: 'shared', expiresAt: time.now() + 60 * MINUTE });
		const earlyMint = instantMinter(time);
		const lateMint = instantMinter(time);
		await early.get('cred', earlyMint, undefined, store);
		await late.get('cred', lateMint, undefined, store);
		// 8 minutes before expiry: inside the early process's 9.5-minute margin, outside the late one's 5.
		time.advance(52 * MINUTE);
		const renewed = await early.get('cred', earlyMint, undefined, store);
		store.write(renewed);
		expect((await late.get('cred', lateMint, undefined, store)).accessToken).toBe('shared');
		time.advance(4 * MINUTE);
		expect((await late.get('cred', lateMint, undefined, store)).accessToken).toBe(renewed.accessToken);
		expect(earlyMint).toHaveBeenCalledTimes(1);
		expect(lateMint).not.toHaveBeenCalled();
	});
});

describe('credentialKey', () => {
	it('is the same for the same parts', () => {
		expect(credentialKey('https://accounts.zoho.eu', 'client', 'secret-1', 'refresh-1')).toBe(
			credentialKey('https://accounts.zoho.eu', 'client', 'secret-1', 'refresh-1'),
		);
	});

	it('differs when any secret differs', () => {
		const base = credentialKey('https://accounts.zoho.eu', 'client', 'secret-1', 'refresh-1');
		expect(credentialKey('https://accounts.zoho.eu', 'client', 'secret-2', 'refresh-1')).not.toBe(base);
		expect(credentialKey('https://accounts.zoho.eu', 'client', 'secret-1', 'refresh-2')).not.toBe(base);
		expect(credentialKey('https://accounts.zoho.com', 'client', 'secret-1', 'refresh-1')).not.toBe(base);
	});

	it('does not confuse parts that concatenate to the same text', () => {
		expect(credentialKey('ab', 'c')).not.toBe(credentialKey('a', 'bc'));
	});

	it('contains no secret', () => {
		const key = credentialKey('https://accounts.zoho.com', 'client-id', 'client-secret-value', '1000.refresh.token');
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		for (const part of ['client-secret-value', '1000.refresh.token', 'client-id']) expect(key).not.toContain(part);
	});
});
