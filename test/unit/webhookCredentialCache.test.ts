/**
 * nodes/shared/webhookCredentialCache.ts: a trigger reads its credential from n8n at most once
 * per CREDENTIAL_CACHE_MS, so a sender pushing bucket after bucket does not pay n8n's credential
 * read on every request, and a changed secret takes effect within that time.
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import { CREDENTIAL_CACHE_MS, webhookCredentials } from '../../nodes/shared/webhookCredentialCache';

function trigger(credentialId: string | undefined, secret: () => string) {
	const getCredentials = jest.fn(async () => ({ secret: secret() }));
	const ctx = {
		getNode: () => ({ credentials: credentialId ? { testApi: { id: credentialId, name: 'Test' } } : undefined }),
		getCredentials,
	} as unknown as IWebhookFunctions;
	return { ctx, getCredentials };
}

describe('webhookCredentials', () => {
	it('reads a saved credential once for the requests within the cache time', async () => {
		let now = 1_000_000;
		const { ctx, getCredentials } = trigger('cred-a', () => 'first');
		for (let i = 0; i < 5; i++) expect(await webhookCredentials(ctx, 'testApi', () => now)).toEqual({ secret: 'first' });
		now += CREDENTIAL_CACHE_MS - 1;
		await webhookCredentials(ctx, 'testApi', () => now);
		expect(getCredentials).toHaveBeenCalledTimes(1);
	});

	it('reads it again once the cache time has passed, so a changed secret takes effect', async () => {
		let now = 2_000_000;
		let secret = 'old';
		const { ctx, getCredentials } = trigger('cred-b', () => secret);
		await webhookCredentials(ctx, 'testApi', () => now);
		secret = 'rotated';
		now += CREDENTIAL_CACHE_MS;
		expect(await webhookCredentials(ctx, 'testApi', () => now)).toEqual({ secret: 'rotated' });
		expect(getCredentials).toHaveBeenCalledTimes(2);
	});

	it('keeps two credentials apart', async () => {
		const now = () => 3_000_000;
		const a = trigger('cred-c', () => 'secret-c');
		const b = trigger('cred-d', () => 'secret-d');
		expect(await webhookCredentials(a.ctx, 'testApi', now)).toEqual({ secret: 'secret-c' });
		expect(await webhookCredentials(b.ctx, 'testApi', now)).toEqual({ secret: 'secret-d' });
	});

	it('reads a node without a saved credential every time', async () => {
		const { ctx, getCredentials } = trigger(undefined, () => 'unsaved');
		await webhookCredentials(ctx, 'testApi');
		await webhookCredentials(ctx, 'testApi');
		expect(getCredentials).toHaveBeenCalledTimes(2);
	});
});
