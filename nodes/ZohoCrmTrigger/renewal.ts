/**
 * Keeping a Zoho notification channel alive. Zoho ends a channel at its expiry (one week at
 * most in API v8, one hour when asked for more) and n8n gives a webhook trigger no periodic hook
 * of its own. So the trigger node also has a trigger(): n8n runs it beside the webhook in the
 * process that holds the workflow's activation (the main process; in queue mode the leader), and
 * it registers a check every 30 seconds. The check compares the channel's expiry, kept in
 * memory, with the clock, and renews (PATCH actions/watch with a new expiry) once at most half
 * the channel's life is left: a week-long channel is renewed every 3.5 days, so a failed renewal
 * has days of retries (every 30 s) before the channel lapses, and a quiet week changes nothing.
 * After a restart the expiry is unknown: the first check reads it from Zoho; a channel Zoho no
 * longer holds (it lapsed while n8n was down) is enabled again with the same id and token.
 */
import type { HttpContext } from '../shared/http';
import type { ZohoSession } from '../ZohoCrmUpsertContact/transport';
import { channelDetails, enableChannel, renewChannel, requestedExpiry, type Channel } from './channel';

/** n8n cron with seconds: the check runs twice a minute and costs nothing until a renewal is due. */
export const RENEWAL_CHECK_CRON = '*/30 * * * * *';

/**
 * Whether at most half of the channel's life is left: the life Zoho granted (from `grantedAt`
 * to `expiresAt`), which is one hour when Zoho did not take the expiry asked for.
 */
export function renewalDue(channel: { grantedAt: number; expiresAt: number }, now: number): boolean {
	return channel.expiresAt - now <= (channel.expiresAt - channel.grantedAt) / 2;
}

interface KnownChannel {
	channelId: string;
	grantedAt: number;
	expiresAt: number;
}

// Expiries of the channels this n8n process enabled or renewed, per trigger node.
const known = new Map<string, KnownChannel>();
const inFlight = new Set<string>();

export function rememberExpiry(nodeKey: string, channel: KnownChannel): void {
	known.set(nodeKey, channel);
}

export function knownChannel(nodeKey: string, channelId: string): KnownChannel | undefined {
	const entry = known.get(nodeKey);
	return entry?.channelId === channelId ? entry : undefined;
}

export function forgetChannel(nodeKey: string): void {
	known.delete(nodeKey);
}

export type RenewalOutcome =
	| { action: 'none'; expiresAt: number }
	| { action: 'renewed' | 'reenabled'; previousExpiry: number | undefined; expiresAt: number }
	| { action: 'busy' };

/**
 * Renews the channel when it is due, or enables it again when Zoho no longer holds it.
 * `openSession` is called only when Zoho has to be asked.
 */
export async function renewIfDue(
	ctx: HttpContext,
	openSession: () => Promise<ZohoSession>,
	target: { nodeKey: string; channel: Channel; module: string; lifetimeMs: number },
	now: () => number = Date.now,
): Promise<RenewalOutcome> {
	const { nodeKey, channel, module, lifetimeMs } = target;
	const { channelId } = channel;
	if (inFlight.has(nodeKey)) return { action: 'busy' };
	const cached = knownChannel(nodeKey, channelId);
	if (cached !== undefined && !renewalDue(cached, now())) return { action: 'none', expiresAt: cached.expiresAt };
	inFlight.add(nodeKey);
	try {
		const session = await openSession();
		let previousExpiry = cached?.expiresAt;
		if (cached === undefined) {
			const details = await channelDetails(ctx, session, channelId, module);
			if (details === undefined || details.expiresAt === undefined || details.expiresAt <= now()) {
				const grantedAt = now();
				const expiresAt = await enableChannel(ctx, session, channel, requestedExpiry(grantedAt, lifetimeMs), grantedAt);
				rememberExpiry(nodeKey, { channelId, grantedAt, expiresAt });
				return { action: 'reenabled', previousExpiry: details?.expiresAt, expiresAt };
			}
			// Granted when is not known: taken as the lifetime asked for, which renews no later than due.
			const found = { channelId, grantedAt: details.expiresAt - lifetimeMs, expiresAt: details.expiresAt };
			previousExpiry = found.expiresAt;
			if (!renewalDue(found, now())) {
				rememberExpiry(nodeKey, found);
				return { action: 'none', expiresAt: found.expiresAt };
			}
		}
		const grantedAt = now();
		const expiresAt = await renewChannel(ctx, session, channel, requestedExpiry(grantedAt, lifetimeMs), grantedAt);
		rememberExpiry(nodeKey, { channelId, grantedAt, expiresAt });
		return { action: 'renewed', previousExpiry, expiresAt };
	} finally {
		inFlight.delete(nodeKey);
	}
}
