/**
 * A Zoho Notifications API channel on the wire: enable, renew (a new expiry), read, disable,
 * all through `actions/watch` and the Zoho node's session (token cache, data centre, retries).
 */
import { randomBytes, randomInt } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { serviceApiError } from '../shared/errors';
import type { HttpContext } from '../shared/http';
import { isObject } from '../shared/objects';
import { ZOHO_SERVICE } from '../ZohoCrmUpsertContact/auth';
import { zohoApiRequest, type ZohoSession } from '../ZohoCrmUpsertContact/transport';

const HOUR_MS = 60 * 60_000;

/**
 * The longest channel Zoho keeps in the API version the nodes call (v8): one week from v4 on
 * (one day in v2–v3). Asked for more, or for no expiry, Zoho silently keeps a channel one hour.
 */
export const MAX_CHANNEL_LIFETIME_MS = 7 * 24 * HOUR_MS;
export const FALLBACK_CHANNEL_LIFETIME_MS = HOUR_MS;
/** The requested expiry stays this far under the maximum: a clock a little ahead must not cross it. */
export const EXPIRY_MARGIN_MS = 10 * 60_000;

export interface Channel {
	channelId: string;
	token: string;
	notifyUrl: string;
	events: string[];
}

/** A channel id Zoho echoes as a JSON number: kept within a JS number's exact range. */
export function newChannelId(): string {
	return String(randomInt(1_000_000_000, 2 ** 47));
}

/** The verification token Zoho echoes in every notification (at most 50 characters). */
export function newVerificationToken(): string {
	return randomBytes(24).toString('base64url');
}

/** Events in Zoho's form: `Contacts.create`, `Contacts.edit`, `Contacts.delete`. */
export function channelEvents(module: string, operations: string[]): string[] {
	return operations.map((operation) => `${module}.${operation}`);
}

/** The expiry to ask for: the lifetime chosen, never past Zoho's maximum (less a margin). */
export function requestedExpiry(now: number, lifetimeMs: number): number {
	return now + Math.max(60_000, Math.min(lifetimeMs, MAX_CHANNEL_LIFETIME_MS - EXPIRY_MARGIN_MS));
}

/** ISO 8601 with an offset and no milliseconds, as Zoho's channel_expiry is written. */
export function zohoDateTime(milliseconds: number): string {
	return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function readExpiry(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const at = Date.parse(value);
	return Number.isFinite(at) ? at : undefined;
}

/** Zoho's per-channel answer (`watch[0]`) of an enable or update, or its refusal as a node error. */
function channelAnswer(ctx: HttpContext, body: unknown, status: number, what: string): IDataObject {
	const entry = isObject(body) && Array.isArray(body.watch) && isObject(body.watch[0]) ? body.watch[0] : undefined;
	if (entry?.status === 'success') return entry;
	const source = entry ?? (isObject(body) ? body : {});
	throw serviceApiError(ctx.getNode(), {
		service: ZOHO_SERVICE,
		status,
		code: typeof source.code === 'string' ? source.code : undefined,
		message: `did not ${what}: ${typeof source.message === 'string' ? source.message : 'no channel in its answer'}`,
		details: isObject(source.details) ? source.details : undefined,
		hint:
			source.code === 'OAUTH_SCOPE_MISMATCH'
				? 'The credential’s token lacks ZohoCRM.notifications.ALL: regenerate the refresh token with that scope too.'
				: 'Check the module and that the Production URL is reachable from the internet over HTTPS on port 443.',
	});
}

/** The expiry Zoho answered for the channel, or the one hour it keeps a channel it could not read one for. */
function answeredExpiry(entry: IDataObject, now: number): number {
	const events = isObject(entry.details) && Array.isArray(entry.details.events) ? entry.details.events : [];
	const expiries = events.map((event) => (isObject(event) ? readExpiry(event.channel_expiry) : undefined)).filter((at): at is number => at !== undefined);
	return expiries.length ? Math.min(...expiries) : now + FALLBACK_CHANNEL_LIFETIME_MS;
}

function watchEntry(channel: Channel, expiresAt: number): IDataObject {
	return {
		// A JSON number: Zoho's channel_id is a long.
		channel_id: Number(channel.channelId),
		events: channel.events,
		notify_url: channel.notifyUrl,
		token: channel.token,
		channel_expiry: zohoDateTime(expiresAt),
	};
}

const returnsWatchAnswer = (status: number, body: unknown) => status !== 401 && isObject(body) && Array.isArray(body.watch);

/** Enables the channel; returns the expiry Zoho set. */
export async function enableChannel(ctx: HttpContext, session: ZohoSession, channel: Channel, expiresAt: number, now = Date.now()): Promise<number> {
	const response = await zohoApiRequest<unknown>(
		ctx,
		session,
		{ method: 'POST', path: '/actions/watch', body: { watch: [watchEntry(channel, expiresAt)] } },
		undefined,
		// Enabling the same channel id twice leaves one channel: safe to resend.
		{ replayable: true, returnsAnswer: returnsWatchAnswer },
	);
	return answeredExpiry(channelAnswer(ctx, response.body, response.statusCode, 'enable the notification channel'), now);
}

/** Moves the channel's expiry (PATCH changes only what it is given); returns the expiry Zoho set. */
export async function renewChannel(ctx: HttpContext, session: ZohoSession, channel: Channel, expiresAt: number, now = Date.now()): Promise<number> {
	const response = await zohoApiRequest<unknown>(
		ctx,
		session,
		{ method: 'PATCH', path: '/actions/watch', body: { watch: [watchEntry(channel, expiresAt)] } },
		undefined,
		{ replayable: true, returnsAnswer: returnsWatchAnswer },
	);
	return answeredExpiry(channelAnswer(ctx, response.body, response.statusCode, 'renew the notification channel'), now);
}

export interface ChannelDetails {
	notifyUrl: string;
	events: string[];
	expiresAt: number | undefined;
}

/** What Zoho holds for the channel, or undefined when it holds nothing (never enabled, disabled, lapsed). */
export async function channelDetails(ctx: HttpContext, session: ZohoSession, channelId: string, module: string): Promise<ChannelDetails | undefined> {
	const response = await zohoApiRequest<unknown>(ctx, session, { method: 'GET', path: '/actions/watch', qs: { channel_id: channelId, module } });
	// 204: no channel.
	const entries = isObject(response.body) && Array.isArray(response.body.watch) ? response.body.watch : [];
	const entry = entries.find((candidate) => isObject(candidate) && String(candidate.channel_id) === channelId) as IDataObject | undefined;
	if (!entry) return undefined;
	return {
		notifyUrl: typeof entry.notify_url === 'string' ? entry.notify_url : '',
		events: Array.isArray(entry.events) ? entry.events.map(String) : [],
		expiresAt: readExpiry(entry.channel_expiry),
	};
}

/** Disables the channel. A channel Zoho no longer holds (lapsed) counts as disabled. */
export async function disableChannel(ctx: HttpContext, session: ZohoSession, channelId: string): Promise<void> {
	const response = await zohoApiRequest<unknown>(
		ctx,
		session,
		{ method: 'DELETE', path: '/actions/watch', qs: { channel_ids: channelId } },
		undefined,
		{ returnsAnswer: returnsWatchAnswer },
	);
	const entry = isObject(response.body) && Array.isArray(response.body.watch) && isObject(response.body.watch[0]) ? response.body.watch[0] : undefined;
	const gone = entry?.code === 'RESOURCE_NOT_FOUND' || entry?.code === 'INVALID_DATA';
	if (entry === undefined ? response.statusCode < 300 : entry.status === 'success' || gone) return;
	channelAnswer(ctx, response.body, response.statusCode, 'disable the notification channel');
}
