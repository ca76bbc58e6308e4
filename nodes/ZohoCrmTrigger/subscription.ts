/**
 * The trigger's life in Zoho: on activation subscribe (actions/watch), on deactivation
 * unsubscribe, in between renew (renewal.ts). The channel's id and verification token are kept
 * in the node's static data, which n8n saves with the workflow on activation, so every process
 * that receives a notification can check its token.
 */
import type { IDataObject, IHookFunctions, ITriggerFunctions, ITriggerResponse, IWebhookFunctions } from 'n8n-workflow';

import { configuredWebhookMethods, ledgerKeyOf } from '../shared/webhookLifecycle';
import { forgetLedger } from '../shared/redelivery';
import { openZohoSession, type ZohoAuthentication, type ZohoModule } from '../ZohoCrmUpsertContact/transport';
import { channelDetails, channelEvents, disableChannel, enableChannel, newChannelId, newVerificationToken, requestedExpiry, type Channel } from './channel';
import { DEFAULT_CHANNEL_LIFETIME_MINUTES } from './description';
import { forgetChannel, rememberExpiry, renewIfDue, RENEWAL_CHECK_CRON } from './renewal';

export const LEDGER_PREFIX = 'zohoCrm:';
const CHANNEL_PREFIX = 'zohoChannel:';

type AnyContext = IHookFunctions | ITriggerFunctions | IWebhookFunctions;

export function isAutomatic(ctx: AnyContext): boolean {
	return ctx.getNodeParameter('source', 'notifications') === 'notifications';
}

function lifetimeMs(ctx: AnyContext): number {
	const settings = ctx.getNodeParameter('settings', {}) as IDataObject;
	const minutes = Number(settings.channelLifetimeMinutes ?? DEFAULT_CHANNEL_LIFETIME_MINUTES);
	return Math.max(2, Math.min(DEFAULT_CHANNEL_LIFETIME_MINUTES, Number.isFinite(minutes) ? minutes : DEFAULT_CHANNEL_LIFETIME_MINUTES)) * 60_000;
}

function moduleOf(ctx: AnyContext): ZohoModule {
	return ctx.getNodeParameter('module', 'Contacts') as ZohoModule;
}

function eventsOf(ctx: AnyContext): string[] {
	const operations = ctx.getNodeParameter('events', ['create', 'edit']) as string[];
	return channelEvents(moduleOf(ctx), [...operations].sort());
}

const session = async (ctx: AnyContext) => await openZohoSession(ctx, ctx.getNodeParameter('authentication', 'refreshToken') as ZohoAuthentication);

/** The channel in the node's static data, or undefined when none was enabled. */
export function storedChannel(ctx: AnyContext): Channel | undefined {
	const state = ctx.getWorkflowStaticData('node');
	if (typeof state.channelId !== 'string' || typeof state.token !== 'string' || typeof state.notifyUrl !== 'string') return undefined;
	return { channelId: state.channelId, token: state.token, notifyUrl: state.notifyUrl, events: Array.isArray(state.events) ? state.events.map(String) : [] };
}

function channelKey(ctx: AnyContext): string {
	return ledgerKeyOf(CHANNEL_PREFIX, ctx);
}

const configured = configuredWebhookMethods(LEDGER_PREFIX).default;

export const zohoWebhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			if (!isAutomatic(this)) return await configured.checkExists.call(this);
			const channel = storedChannel(this);
			const url = this.getNodeWebhookUrl('default');
			if (!channel || channel.notifyUrl !== url || channel.events.join() !== eventsOf(this).join()) return false;
			const details = await channelDetails(this, await session(this), channel.channelId, moduleOf(this));
			const now = Date.now();
			if (!details || details.notifyUrl !== url || details.expiresAt === undefined || details.expiresAt <= now) return false;
			rememberExpiry(channelKey(this), { channelId: channel.channelId, grantedAt: details.expiresAt - lifetimeMs(this), expiresAt: details.expiresAt });
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			if (!isAutomatic(this)) return await configured.create.call(this);
			const zoho = await session(this);
			const previous = storedChannel(this);
			// A channel of an earlier activation (another URL or other events) is not left notifying.
			if (previous) await disableChannel(this, zoho, previous.channelId).catch(() => undefined);
			const channel: Channel = {
				channelId: newChannelId(),
				token: newVerificationToken(),
				notifyUrl: this.getNodeWebhookUrl('default') as string,
				events: eventsOf(this),
			};
			const grantedAt = Date.now();
			const expiresAt = await enableChannel(this, zoho, channel, requestedExpiry(grantedAt, lifetimeMs(this)), grantedAt);
			Object.assign(this.getWorkflowStaticData('node'), { ...channel, expiresAt: new Date(expiresAt).toISOString() });
			rememberExpiry(channelKey(this), { channelId: channel.channelId, grantedAt, expiresAt });
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			if (!isAutomatic(this)) return await configured.delete.call(this);
			const channel = storedChannel(this);
			const state = this.getWorkflowStaticData('node');
			forgetChannel(channelKey(this));
			forgetLedger(ledgerKeyOf(LEDGER_PREFIX, this));
			if (channel) {
				try {
					await disableChannel(this, await session(this), channel.channelId);
				} catch (error) {
					// The channel lapses at its expiry anyway; deactivation must not hang on Zoho.
					this.logger.warn(`Zoho CRM Trigger could not unsubscribe channel ${channel.channelId}; it lapses at its expiry: ${(error as Error).message}`);
					return false;
				}
			}
			for (const key of ['channelId', 'token', 'notifyUrl', 'events', 'expiresAt']) delete state[key];
			return true;
		},
	},
};

/** The renewal check (see renewal.ts), registered while the workflow is active. */
export async function startRenewal(this: ITriggerFunctions): Promise<ITriggerResponse> {
	if (!isAutomatic(this) || this.getMode() === 'manual') return {};
	const check = async () => {
		const channel = storedChannel(this);
		if (!channel) return;
		const outcome = await renewIfDue(this, async () => await session(this), {
			nodeKey: channelKey(this),
			channel,
			module: moduleOf(this),
			lifetimeMs: lifetimeMs(this),
		});
		if (outcome.action === 'renewed' || outcome.action === 'reenabled') {
			this.logger.info(
				`Zoho CRM Trigger ${outcome.action} notification channel ${channel.channelId}: expiry ${outcome.previousExpiry === undefined ? 'unknown' : new Date(outcome.previousExpiry).toISOString()} → ${new Date(outcome.expiresAt).toISOString()}`,
			);
		}
	};
	this.helpers.registerCron({ expression: RENEWAL_CHECK_CRON }, () => {
		check().catch((error: unknown) => {
			// Tried again at the next check; the channel has half its life left when renewals begin.
			this.logger.warn(`Zoho CRM Trigger could not renew its notification channel: ${(error as Error).message}`);
		});
	});
	return {};
}
