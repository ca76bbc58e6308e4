/**
 * What the trigger does with a request the shared intake accepted: a notification (Automatic)
 * or a workflow rule's webhook, into one item per changed record; the redelivery ledger so that
 * one change starts one run; and the answer n8n gives after the run.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { claimKeys } from '../shared/deliveryClaims';
import type { FieldValues } from '../shared/objects';
import { ledgerFor, settleClaimedKeys } from '../shared/redelivery';
import { respondWithJson, WebhookRequestError } from '../shared/webhookAnswers';
import { safeEqual } from '../shared/webhookAuth';
import type { WebhookIntake } from '../shared/webhookIntake';
import { webhookCredentials } from '../shared/webhookCredentialCache';
import { ledgerKeyOf } from '../shared/webhookLifecycle';
import { echoCheckOf } from '../shared/echoStore';
import { changeTimeOf, dropEchoes, recordKeys, type IncomingChange } from '../shared/twoWaySync';
import { zohoSystem } from '../ZohoCrmUpsertContact/schema';
import { openZohoSession, type ZohoAuthentication, type ZohoModule } from '../ZohoCrmUpsertContact/transport';
import { DEFAULT_DATE_FORMAT, DEFAULT_TOKEN_PARAMETER } from './description';
import { readNotification } from './notification';
import { deletedRecord, isRecordId, MAX_FIELDS_PER_READ, normaliseRecord, readFields, readRecordsByIds, type DateReading } from './records';
import { LEDGER_PREFIX, storedChannel } from './subscription';
import { readWorkflowRuleDelivery } from './workflowRule';

/** Zoho gives a webhook 10 s or so; a copy waits for a run of the same change at most this long. */
export const MAX_WAIT_FOR_RUNNING_MS = 8_000;

// Zoho repeats a workflow webhook once, after 15 minutes; 24 hours covers that and manual re-runs.
const LEDGER_LIMITS = { maxKeys: 10_000 };

function settingsOf(ctx: IWebhookFunctions): IDataObject {
	return ctx.getNodeParameter('settings', {}) as IDataObject;
}

function additionalFields(settings: IDataObject): string[] {
	return String(settings.additionalFields ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
}

const session = async (ctx: IWebhookFunctions) =>
	await openZohoSession(ctx, ctx.getNodeParameter('authentication', 'refreshToken') as ZohoAuthentication, async (type) => await webhookCredentials(ctx, type));

/** Items of a notification: the changed records read by id, or the ids of deleted ones. */
export async function notificationItems(ctx: IWebhookFunctions, intake: WebhookIntake): Promise<IDataObject[]> {
	if (intake.body.type !== 'json') throw new WebhookRequestError(415, 'A Zoho notification is a JSON body');
	const read = readNotification(intake.body.value);
	if (!read.ok) throw new WebhookRequestError(400, read.message);
	const { notification } = read;
	const channel = storedChannel(ctx);
	// n8n saves the channel after the subscription call returns: a notification in between is early, not forged.
	if (!channel) throw new WebhookRequestError(503, 'This trigger is still subscribing to Zoho: send the notification again shortly', { 'Retry-After': '60' });
	// The channel's own token, compared in constant time; a stray channel id is refused the same way.
	if (!safeEqual(notification.token, channel.token) || notification.channelId !== channel.channelId) {
		throw new WebhookRequestError(401, 'The notification does not carry this trigger’s channel token');
	}
	const module = ctx.getNodeParameter('module', 'Contacts') as ZohoModule;
	if (notification.operation === 'delete') return notification.ids.map((id) => deletedRecord(id, module, notification.serverTime));
	const fields = readFields(additionalFields(settingsOf(ctx)));
	// The changed fields too, up to Zoho's limit, so the echo check compares what changed.
	for (const changed of new Set([...notification.affectedFields.values()].flat())) {
		if (fields.length < MAX_FIELDS_PER_READ && !fields.includes(changed)) fields.push(changed);
	}
	const records = await readRecordsByIds(ctx, await session(ctx), module, notification.ids, fields);
	return notification.ids
		.filter((id) => records.has(id))
		.map((id) => normaliseRecord(records.get(id)!, { module, operation: notification.operation, affectedFields: notification.affectedFields.get(id) }));
}

function fieldsOf(intake: WebhookIntake): FieldValues | undefined {
	const { body } = intake;
	if (body.type === 'form' || body.type === 'multipart') return body.fields;
	if (body.type === 'xml') return body.xml.fields;
	return undefined;
}

function first(value: unknown): unknown {
	return Array.isArray(value) ? value[0] : value;
}

/** The workflow rule's token: a query or form parameter, or a header, as the node says; compared in constant time. */
function checkWorkflowRuleToken(ctx: IWebhookFunctions, intake: WebhookIntake): string {
	const name = String(ctx.getNodeParameter('verificationParameter', DEFAULT_TOKEN_PARAMETER)).trim() || DEFAULT_TOKEN_PARAMETER;
	const expected = String(ctx.getNodeParameter('webhookToken', ''));
	const place = ctx.getNodeParameter('tokenIn', 'either') as 'either' | 'parameter' | 'header';
	const candidates: unknown[] = [];
	if (place !== 'header') {
		candidates.push(first(intake.query()[name]));
		candidates.push(first(fieldsOf(intake)?.[name]));
		const json = intake.body.type === 'json' ? intake.body.value : undefined;
		if (json && typeof json === 'object' && !Array.isArray(json)) candidates.push((json as IDataObject)[name]);
	}
	if (place !== 'parameter') candidates.push(first(intake.header(name)));
	// Every candidate is compared, so timing does not tell where a near-miss was.
	const matches = candidates.map((candidate) => safeEqual(typeof candidate === 'string' ? candidate : undefined, expected));
	if (!matches.includes(true)) throw new WebhookRequestError(401, `Missing or wrong ${name}: send the token configured in this trigger`);
	return name;
}

/** Items of a workflow rule's webhook: one record, as sent or read in full by its id. */
export async function workflowRuleItems(ctx: IWebhookFunctions, intake: WebhookIntake): Promise<IDataObject[]> {
	const tokenName = checkWorkflowRuleToken(ctx, intake);
	const settings = settingsOf(ctx);
	const body = intake.body.type === 'json' ? intake.body.value : (fieldsOf(intake) ?? undefined);
	const delivery = readWorkflowRuleDelivery(intake.query() as IDataObject, body, tokenName);
	const id = delivery.record.id;
	if (!isRecordId(typeof id === 'number' ? undefined : id)) {
		throw new WebhookRequestError(400, 'The webhook sends no record id: add the entity parameter id = the record’s ID (e.g. ${Contacts.Contact Id}) in Zoho');
	}
	const module = ctx.getNodeParameter('module', 'Contacts') as ZohoModule;
	if (ctx.getNodeParameter('fetchFullRecord', false) === true) {
		const records = await readRecordsByIds(ctx, await session(ctx), module, [id as string], readFields(additionalFields(settings)));
		const record = records.get(id as string);
		// Deleted between the rule and this read: nothing left to sync.
		if (!record) return [];
		return [{ ...normaliseRecord(record, { module, operation: delivery.operation }), received: delivery.received }];
	}
	const timeZone = String(settings.timeZone ?? '').trim() || ctx.getTimezone();
	const reading: DateReading = {
		dateFormat: String(settings.dateFormat ?? '').trim() || DEFAULT_DATE_FORMAT,
		dateTimeFormat: String(settings.dateTimeFormat ?? '').trim(),
		timeZone,
	};
	return [{ ...normaliseRecord(delivery.record, { module, operation: delivery.operation, reading }), received: delivery.received }];
}

/**
 * Starts one run for the changes not delivered before: a change whose run succeeded starts
 * nothing again; one still running makes its copy wait for that run. Only a run that
 * succeeded is remembered, which the trigger learns from n8n's answer (Acknowledge After
 * Success); acknowledging at once, the claim only covers the moment the run starts.
 */
export async function startRun(ctx: IWebhookFunctions, delivered: IDataObject[]): Promise<IWebhookResponseData> {
	if (delivered.length === 0) return respondWithJson.call(ctx, 200, { status: 'nothingToSync', records: 0 });
	const module = ctx.getNodeParameter('module', 'Contacts') as ZohoModule;
	const guard = settingsOf(ctx).dropEchoes !== false;
	const { kept, echoes } = dropEchoes<IDataObject>(zohoSystem(module), delivered, incomingChange, guard);
	if (kept.length === 0) return respondWithJson.call(ctx, 200, { status: 'echoesDropped', records: delivered.length, echoesDropped: echoes });
	// Zoho's notifications do not send a record whole: no state to fingerprint, only where it was checked.
	const records: IDataObject[] = guard ? kept.map((record) => ({ ...record, echoesDropped: echoes, echoCheck: echoCheckOf() })) : kept;
	let runRecords = records;
	if (settingsOf(ctx).dropRedeliveries !== false) {
		const ledger = ledgerFor<true>(ledgerKeyOf(LEDGER_PREFIX, ctx), LEDGER_LIMITS);
		const claim = await claimKeys(ledger, records.map((record) => String(record.deliveryKey)), MAX_WAIT_FOR_RUNNING_MS);
		if (claim.state === 'busy') {
			throw new WebhookRequestError(503, 'An earlier delivery of these changes is still running: send them again later', { 'Retry-After': '60' });
		}
		const claimed = new Set(claim.claimed);
		if (claimed.size === 0) return respondWithJson.call(ctx, 200, { status: 'alreadyDelivered', records: records.length });
		settleClaimedKeys(ledger, claimed, ctx.getResponseObject(), ctx.getNodeParameter('responseMode', 'lastNode') === 'lastNode');
		// A change twice in one delivery is one item.
		runRecords = records.filter((record) => claimed.delete(String(record.deliveryKey)));
	}
	const items: INodeExecutionData[] = runRecords.map((record, index) => ({ json: record, pairedItem: { item: index } }));
	return { workflowData: [items] };
}

/**
 * Fields Zoho sets itself on every edit: listed among a notification's affected fields, they do
 * not make a write reported back a new change.
 */
const SYSTEM_FIELDS = new Set(['Modified_Time', 'Modified_By', 'Last_Activity_Time', 'Full_Name', 'Record_Status__s', 'Last_Enriched_Time__s']);

/**
 * A changed record as the echo check reads it; a deletion is never an echo. The fields Zoho sets
 * itself are left out of the view: they differ after every write, the package's own included.
 */
export function incomingChange(record: IDataObject): IncomingChange | undefined {
	if (record.operation === 'delete' || typeof record.record !== 'object' || record.record === null) return undefined;
	const affected = Array.isArray(record.affectedFields) ? (record.affectedFields as string[]) : [];
	const view = Object.fromEntries(Object.entries(record.record as IDataObject).filter(([field]) => !SYSTEM_FIELDS.has(field)));
	return {
		keys: recordKeys({ id: record.id, email: record.email }),
		view,
		changedAt: changeTimeOf(record.changedAt),
		changedFields: affected.filter((field) => !SYSTEM_FIELDS.has(field)),
	};
}
