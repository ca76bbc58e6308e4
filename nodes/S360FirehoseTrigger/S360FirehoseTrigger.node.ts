import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { configuredWebhookMethods, ledgerKeyOf } from '../shared/webhookLifecycle';
import { credentialSettingsTest } from '../shared/webhookCredentials';
import { ledgerFor, settleClaimedKeys } from '../shared/redelivery';
import { refuse, respondWithJson } from '../shared/webhookAnswers';
import { echoCheckOf, type EchoCheck } from '../shared/echoStore';
import { changeTimeOf, dropEchoes as dropEchoesOf, recordKeys } from '../shared/twoWaySync';
import { handleWebhook, maxBodyBytesOf, otherMethodsWebhook, type WebhookIntake, type WebhookIntakeSpec } from '../shared/webhookIntake';
import { asS360Credentials, authRules, checkCredentialSettings } from './auth';
import { DEFAULT_MAX_BODY_KB, s360FirehoseTriggerProperties } from './description';
import { comparableContact, normalizeContact, readBucket, S360_SYSTEM, type NormalizedContact } from './payload';
import { claimContacts, MAX_WAIT_FOR_RUNNING_MS } from './redelivery';

/**
 * Synced contacts a node remembers. A batch (default 100 contacts a minute) fits 100 times;
 * S-360 stops retrying after 12 minutes, so keys older than that only help against manual
 * re-pushes.
 */
// S-360 abandons a request after its processing timeout (60 s): a run unanswered by then holds
// its contacts no longer, so the resend runs instead of waiting on an answer nobody receives.
const LEDGER_LIMITS = { maxKeys: 10_000, abandonRunningAfterMs: 60_000 };

/** What S-360 pushes: a JSON bucket by POST, authenticated by the S-360 Firehose credential. */
const S360_INTAKE: Omit<WebhookIntakeSpec, 'maxBodyBytes'> = {
	methods: ['POST'],
	auth: {
		credentialType: 's360FirehoseApi',
		credentialName: 'S-360 Firehose',
		rules: (credential) => authRules(asS360Credentials(credential)),
	},
	body: { accepts: ['json'] },
};

const storeKey = (context: IWebhookFunctions) => ledgerKeyOf('s360:', context);

export class S360FirehoseTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'S-360 Firehose Trigger',
		name: 's360FirehoseTrigger',
		icon: { light: 'file:s360.svg', dark: 'file:s360.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["responseMode"] === "onReceived" ? "Acknowledges at once" : "Acknowledges after success"}}',
		description: 'Starts the workflow when SecuTix S-360 pushes changed contacts (Firehose contact, Webhook contact v2)',
		defaults: { name: 'S-360 Firehose Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 's360FirehoseApi', required: true, testedBy: 's360FirehoseApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 's360',
				responseMode: '={{$parameter["responseMode"]}}',
				// 200 (n8n's default code) with no body in both modes: S-360 reads only the status,
				// and the last node's items hold contact data. Constants, not expressions: each
				// expression costs n8n an expression-sandbox round trip on every request.
				responseData: 'noData',
			},
			otherMethodsWebhook('s360', S360_INTAKE.methods),
		],
		properties: s360FirehoseTriggerProperties,
	};

	methods = {
		credentialTest: { s360FirehoseApiTest: credentialSettingsTest((data) => checkCredentialSettings(asS360Credentials(data))) },
	};

	// Nothing is registered at S-360 (its interface is configured in its back office).
	webhookMethods = configuredWebhookMethods('s360:');

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const settings = this.getNodeParameter('settings', {}) as IDataObject;
		const maxBodyBytes = maxBodyBytesOf(settings, DEFAULT_MAX_BODY_KB);
		return await handleWebhook(this, { ...S360_INTAKE, maxBodyBytes }, async (intake) => await startRun.call(this, intake, settings));
	}
}

/** The run for an accepted bucket: its contacts not yet synced, or the answer that starts none. */
async function startRun(this: IWebhookFunctions, intake: WebhookIntake, settings: IDataObject): Promise<IWebhookResponseData> {
	const bucket = readBucket(intake.body.type === 'json' ? intake.body.value : undefined);
	if (!bucket.ok) refuse(400, bucket.message);
	if (bucket.contacts.length === 0) return respondWithJson.call(this, 200, { status: 'empty', contacts: 0 });

	// The institution's zone; without one the workflow's, as the MeherY and Zoho nodes do.
	const timeZone = typeof settings.timeZone === 'string' && settings.timeZone.trim() !== '' ? settings.timeZone.trim() : this.getTimezone();
	// The same change twice in one bucket is one contact to sync.
	const unique = new Map<string, NormalizedContact>();
	for (const raw of bucket.contacts) {
		const contact = normalizeContact(raw, { timeZone });
		if (!unique.has(contact.deliveryKey)) unique.set(contact.deliveryKey, contact);
	}
	const guard = settings.dropEchoes !== false;
	const { kept, echoes } = dropEchoes([...unique.values()], guard);
	if (kept.length === 0) return respondWithJson.call(this, 200, { status: 'echoesDropped', contacts: unique.size, echoesDropped: echoes });
	let contacts = kept;

	if (settings.dropRedeliveries !== false) {
		const ledger = ledgerFor<true>(storeKey(this), LEDGER_LIMITS);
		const claim = await claimContacts(ledger, contacts, MAX_WAIT_FOR_RUNNING_MS);
		if (claim.state === 'busy') {
			refuse(503, 'An earlier delivery of these contacts is still running: send them again later', {
				'Retry-After': '60',
			});
		}
		const claimed = claim.contacts;
		if (claimed.length === 0) {
			return respondWithJson.call(this, 200, { status: 'alreadySynced', contacts: contacts.length });
		}
		const remembersSuccess = this.getNodeParameter('responseMode', 'lastNode') === 'lastNode';
		settleClaimedKeys(ledger, claimed.map((contact) => contact.deliveryKey), this.getResponseObject(), remembersSuccess);
		contacts = claimed;
	}

	const items: INodeExecutionData[] = contacts.map((contact, index) => ({
		json: (guard ? { ...contact, echoesDropped: echoes, echoCheck: s360EchoCheck(contact) } : contact) as unknown as IDataObject,
		pairedItem: { item: index },
	}));
	return { workflowData: [items] };
}

/** Where the contact was checked for echoes, and its state as pushed (S-360 pushes a contact whole). */
function s360EchoCheck(contact: NormalizedContact): EchoCheck {
	return echoCheckOf({ system: S360_SYSTEM, id: contact.contactNumber, view: comparableContact(contact) });
}

/** The contacts that are not S-360 reporting back what S-360 Save Contact wrote. */
function dropEchoes(contacts: NormalizedContact[], enabled: boolean): { kept: NormalizedContact[]; echoes: number } {
	return dropEchoesOf(
		S360_SYSTEM,
		contacts,
		(contact) => ({
			keys: recordKeys({ id: contact.contactNumber, email: contact.email }),
			view: comparableContact(contact),
			changedAt: changeTimeOf(contact.changedAt),
		}),
		enabled,
	);
}
