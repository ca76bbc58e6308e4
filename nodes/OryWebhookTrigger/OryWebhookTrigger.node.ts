import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { configuredWebhookMethods, ledgerKeyOf } from '../shared/webhookLifecycle';
import { credentialSettingsTest } from '../shared/webhookCredentials';
import { claimDelivery } from '../shared/deliveryClaims';
import { deliveryId, ledgerFor, replayAnswer, settleWithResponse, type RecordedAnswer } from '../shared/redelivery';
import { refuse, respondWithJson } from '../shared/webhookAnswers';
import { handleWebhook, maxBodyBytesOf, otherMethodsWebhook, type WebhookIntakeSpec } from '../shared/webhookIntake';
import { asOryCredentials, authRule, checkCredentialSettings } from './auth';
import { DEFAULT_MAX_BODY_KB, oryWebhookTriggerProperties } from './description';
import { buildOutputItem, normalizeOryPayload } from './payload';

type DeduplicateOn = 'requestId' | 'triggerId' | 'off';

/**
 * How long a redelivery waits for the first attempt of its delivery still running: well under
 * Ory's 30 s timeout, so the answer (replayed, re-run, or 503) still reaches Ory.
 */
const REDELIVERY_WAIT_MS = 20_000;

/** What Ory sends: a JSON body by POST, authenticated by the Ory Webhook credential. */
const ORY_INTAKE: Omit<WebhookIntakeSpec, 'maxBodyBytes'> = {
	methods: ['POST'],
	auth: {
		credentialType: 'oryWebhookApi',
		credentialName: 'Ory Webhook',
		rules: (credential) => [authRule(asOryCredentials(credential))],
	},
	body: { accepts: ['json'] },
};

const storeKey = (context: IWebhookFunctions) => ledgerKeyOf('', context);

export class OryWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ory Webhook Trigger',
		name: 'oryWebhookTrigger',
		icon: { light: 'file:ory.svg', dark: 'file:ory.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ {"responseNode": "Answers from the workflow", "lastNode": "Acknowledges after the run"}[$parameter["responseMode"]] ?? "Acknowledges at once" }}',
		description: 'Starts the workflow when Ory Actions call it after registration, settings, login, recovery or verification',
		defaults: { name: 'Ory Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'oryWebhookApi', required: true, testedBy: 'oryWebhookApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'ory',
				responseMode: '={{$parameter["responseMode"]}}',
				// Only used when a run answers nothing itself: with no Ory Respond node, 204 is Ory's "no change".
				responseCode: '={{$parameter["responseMode"] === "responseNode" ? 204 : 200}}',
				// Empty, so n8n answers an acknowledged request with the node's own webhookResponse;
				// after the run, an empty 200 (the last node's items are no business of Ory's).
				responseData: '={{$parameter["responseMode"] === "lastNode" ? "noData" : ""}}',
			},
			otherMethodsWebhook('ory', ORY_INTAKE.methods),
		],
		properties: oryWebhookTriggerProperties,
	};

	methods = {
		credentialTest: { oryWebhookApiTest: credentialSettingsTest((data) => checkCredentialSettings(asOryCredentials(data))) },
	};

	// Nothing is registered at Ory (its webhooks are configuration).
	webhookMethods = configuredWebhookMethods('');

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const settings = this.getNodeParameter('settings', {}) as IDataObject;
		const maxBodyBytes = maxBodyBytesOf(settings, DEFAULT_MAX_BODY_KB);
		return await handleWebhook(this, { ...ORY_INTAKE, maxBodyBytes }, async (intake) => {
			const normalized = normalizeOryPayload(intake.body.type === 'json' ? intake.body.value : undefined, {
				queryEvent: intake.request.query?.event,
			});
			if (!normalized.ok) refuse(400, normalized.message);
			const { payload } = normalized;

			const events = this.getNodeParameter('events', []) as string[];
			if (events.length > 0 && !events.includes(payload.event)) {
				return respondWithJson.call(this, 200, { status: 'ignored', event: payload.event });
			}

			const ids = {
				requestId: deliveryId(intake.header('ory-webhook-request-id')),
				triggerId: deliveryId(intake.header('ory-webhook-trigger-id')),
			};
			const item = buildOutputItem(payload, ids);
			if (settings.requireEmail === true && item.email === null) {
				refuse(400, 'The identity has no email (traits.email)');
			}

			const start: IWebhookResponseData = {
				workflowData: [[{ json: item, pairedItem: { item: 0 } }]],
				webhookResponse: { status: 'accepted', requestId: ids.requestId },
			};
			const key = dedupeKey((settings.deduplicateOn ?? 'triggerId') as DeduplicateOn, ids);
			if (key === null) return start;

			const ledger = ledgerFor<RecordedAnswer>(storeKey(this));
			const claim = await claimDelivery(ledger, key, REDELIVERY_WAIT_MS);
			if (claim.state === 'succeeded') return replayAnswer(this.getResponseObject(), claim.answer);
			if (claim.state === 'running') {
				// 503 is what Ory's HTTP client retries (5xx but 501, and 429); a 409 it would not.
				refuse(503, 'An earlier attempt of this delivery is still running: retry later', {
					'Retry-After': '10',
				});
			}
			// Claimed after the last await: of simultaneous copies only one gets here. How n8n
			// 2.41.1 answers (read in its webhook-helpers, pinned by test/e2e/oryToZoho.test.ts):
			// - lastNode ("after the run"): 200 when the run succeeded; a failed run, or a run
			//   whose last node failed, gets 500 {"message":"Error in workflow"}.
			// - responseNode: the Ory Respond node's answer as soon as it runs (its 4xx interrupt
			//   answers are successes: Ory shows their messages); 204 when a successful run had
			//   none; 500 {"message":"Error in workflow"} when the run failed before answering.
			// - onReceived: 200 {status:'accepted'} once the execution has started, before it
			//   runs, so there is no run outcome at the HTTP level. That acknowledgement is
			//   recorded as the delivery's answer: n8n writes it only after it has started the
			//   run in this process, so a retry of it means the answer was lost on the way to Ory,
			//   not that the run failed, and running again would make two runs of one delivery.
			//   A 5xx (n8n could not start the run) is forgotten, and the retry runs.
			// Any answer under 500 is replayed to redeliveries; 500 and up forgets the key.
			settleWithResponse(ledger, key, this.getResponseObject());
			return start;
		});
	}
}

/** Ory keeps the trigger id across the retries of one delivery and gives each attempt a new request id. */
function dedupeKey(deduplicateOn: DeduplicateOn, ids: { requestId: string | null; triggerId: string | null }): string | null {
	if (deduplicateOn === 'off') return null;
	if (deduplicateOn === 'requestId') return ids.requestId;
	return ids.triggerId ?? ids.requestId;
}
