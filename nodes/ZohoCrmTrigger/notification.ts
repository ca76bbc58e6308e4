/**
 * Zoho's instant notification (Notifications API): what a channel's notify URL receives,
 * `{server_time, query_params, module, resource_uri, ids, affected_fields, operation,
 * channel_id, token}`. It names the records that changed, never their contents.
 */
import { isObject } from '../shared/objects';
import { isRecordId, type ZohoOperation } from './records';

export interface ZohoNotification {
	channelId: string;
	/** The verification token given when the channel was enabled; '' when absent. */
	token: string;
	module: string;
	operation: ZohoOperation;
	ids: string[];
	/** Per id, the API names of the fields the change touched (edits). */
	affectedFields: Map<string, string[]>;
	serverTime: string | null;
}

export type NotificationRead = { ok: true; notification: ZohoNotification } | { ok: false; message: string };

const OPERATIONS: Record<string, ZohoOperation> = { insert: 'create', create: 'create', update: 'edit', edit: 'edit', delete: 'delete' };

/**
 * A channel id as text. Zoho sends it as a JSON number; the node picks ids within a JS number's
 * exact range, so the number read is the number sent.
 */
function channelIdOf(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
	if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return String(Number(value));
	return undefined;
}

/** Zoho sends `[{"<id>": ["Email", …]}, …]`; an object keyed by id is read the same way. */
function affectedFieldsOf(value: unknown): Map<string, string[]> {
	const fields = new Map<string, string[]>();
	const entries = Array.isArray(value) ? value : [value];
	for (const entry of entries) {
		if (!isObject(entry)) continue;
		for (const [id, names] of Object.entries(entry)) {
			if (Array.isArray(names)) fields.set(id, names.filter((name): name is string => typeof name === 'string'));
		}
	}
	return fields;
}

export function readNotification(body: unknown): NotificationRead {
	if (!isObject(body)) return { ok: false, message: 'The body is not a Zoho notification (a JSON object)' };
	const channelId = channelIdOf(body.channel_id);
	if (channelId === undefined) return { ok: false, message: 'The notification carries no channel_id' };
	const operation = OPERATIONS[String(body.operation ?? '').toLowerCase()];
	if (operation === undefined) return { ok: false, message: 'The notification’s operation is not insert, update or delete' };
	if (!Array.isArray(body.ids)) return { ok: false, message: 'The notification carries no ids list' };
	const ids: string[] = [];
	for (const id of body.ids as unknown[]) {
		// A record id sent as a JSON number has lost its last digits already: no record can be read by it.
		if (!isRecordId(id)) return { ok: false, message: 'The notification’s ids must be record ids written as strings of digits' };
		if (!ids.includes(id)) ids.push(id);
	}
	return {
		ok: true,
		notification: {
			channelId,
			token: typeof body.token === 'string' ? body.token : '',
			module: typeof body.module === 'string' ? body.module : '',
			operation,
			ids,
			affectedFields: affectedFieldsOf(body.affected_fields),
			serverTime: typeof body.server_time === 'string' || typeof body.server_time === 'number' ? String(body.server_time) : null,
		},
	};
}
