/**
 * A trigger's credential, read from n8n at most once every few seconds per credential in this
 * n8n instance. n8n's getCredentials (a database read, decryption, and its expression sandbox
 * resolving every field) took about 34 ms of a request's wall time in bench:s360, most of the
 * trigger's own time; a sender pushing a backlog bucket after bucket paid it on every request.
 * A changed secret takes effect within CREDENTIAL_CACHE_MS.
 */
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

export const CREDENTIAL_CACHE_MS = 5_000;
const MAX_CACHED = 1_000;

const cached = new Map<string, { readAt: number; data: ICredentialDataDecryptedObject }>();

export async function webhookCredentials(
	ctx: IWebhookFunctions,
	type: string,
	now: () => number = Date.now,
): Promise<ICredentialDataDecryptedObject> {
	const id = ctx.getNode().credentials?.[type]?.id;
	// Without a saved credential there is nothing to key on: read it every time.
	if (!id) return await ctx.getCredentials(type);
	const key = `${type}:${id}`;
	const hit = cached.get(key);
	if (hit && now() - hit.readAt < CREDENTIAL_CACHE_MS) return hit.data;
	const data = await ctx.getCredentials(type);
	cached.delete(key);
	cached.set(key, { readAt: now(), data });
	if (cached.size > MAX_CACHED) cached.delete(cached.keys().next().value!);
	return data;
}
