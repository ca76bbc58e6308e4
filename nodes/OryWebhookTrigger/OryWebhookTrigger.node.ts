import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { readRawRequestBody, type RawBodySource } from '../shared/rawBody';
import {
	getHeader,
	readJsonBody,
	rejectUnlessAuthenticated,
	rejectUnlessMethod,
	respondWithError,
	respondWithJson,
	type WebhookAuthRule,
} from '../shared/webhookAuth';
import { asOryCredentials, authRule, checkCredentialSettings } from './auth';
import { DEFAULT_MAX_BODY_KB, oryWebhookTriggerProperties } from './description';
import { buildOutputItem, normalizeOryPayload } from './payload';
import { deliveryId, forgetRecentDeliveries, recentDeliveriesFor } from './redelivery';

/** Every method answers here; only POST can start an execution, the others get 405. */
const OTHER_METHODS = 'GET,PUT,PATCH,DELETE,HEAD';

type DeduplicateOn = 'requestId' | 'triggerId' | 'off';

interface WebhookRequest extends RawBodySource {
	method?: string;
	query?: Record<string, unknown>;
}

/** One redelivery store per trigger node of a workflow (a node's id survives renames). */
function storeKey(context: IHookFunctions | IWebhookFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id ?? ''}:${node.id ?? node.name}`;
}

export class OryWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ory Webhook Trigger',
		name: 'oryWebhookTrigger',
		icon: { light: 'file:ory.svg', dark: 'file:ory.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["responseMode"] === "responseNode" ? "Answers from the workflow" : "Acknowledges at once"}}',
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
				// Empty, so n8n answers an acknowledged request with the node's own webhookResponse.
				responseData: '',
			},
			{
				name: 'default',
				httpMethod: OTHER_METHODS,
				path: 'ory',
				responseMode: 'onReceived',
				responseData: '',
				ndvHideUrl: true,
				ndvHideMethod: true,
			},
		],
		properties: oryWebhookTriggerProperties,
	};

	methods = {
		credentialTest: {
			async oryWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const result = checkCredentialSettings(asOryCredentials(credential.data ?? {}));
				return { status: result.ok ? 'OK' : 'Error', message: result.message };
			},
		},
	};

	// Nothing is registered at Ory (its webhooks are configuration), so the lifecycle keeps
	// only this node's own state: the URL it was activated with.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node');
				return state.webhookUrl !== undefined && state.webhookUrl === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node');
				state.webhookUrl = this.getNodeWebhookUrl('default');
				state.activatedAt = new Date().toISOString();
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node');
				delete state.webhookUrl;
				delete state.activatedAt;
				forgetRecentDeliveries(storeKey(this));
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject() as WebhookRequest;

		const wrongMethod = rejectUnlessMethod.call(this, ['POST']);
		if (wrongMethod) return wrongMethod;

		let rule: WebhookAuthRule;
		try {
			rule = authRule(asOryCredentials(await this.getCredentials('oryWebhookApi')));
		} catch {
			return respondWithError.call(this, 500, 'The Ory Webhook credential of this trigger cannot be read');
		}
		// Checked before the body is read, so unauthenticated callers cost no parsing.
		const unauthenticated = rejectUnlessAuthenticated.call(this, rule);
		if (unauthenticated) return unauthenticated;

		const settings = this.getNodeParameter('settings', {}) as IDataObject;
		const maxBytes = Math.max(1, Number(settings.maxBodyKb ?? DEFAULT_MAX_BODY_KB)) * 1024;
		const raw = await readRawRequestBody(request, maxBytes);
		if (!raw.ok) {
			// After a 413 the rest of the upload is not wanted: close instead of draining it.
			return respondWithError.call(this, raw.status, raw.message, raw.status === 413 ? { Connection: 'close' } : {});
		}
		const json = readJsonBody({ headers: request.headers, rawBody: raw.bytes }, maxBytes);
		if (!json.ok) return respondWithError.call(this, json.status, json.message);

		const normalized = normalizeOryPayload(json.body, { queryEvent: request.query?.event });
		if (!normalized.ok) return respondWithError.call(this, 400, normalized.message);
		const { payload } = normalized;

		const events = this.getNodeParameter('events', []) as string[];
		if (events.length > 0 && !events.includes(payload.event)) {
			return respondWithJson.call(this, 200, { status: 'ignored', event: payload.event });
		}

		const ids = {
			requestId: deliveryId(getHeader(request.headers, 'ory-webhook-request-id')),
			triggerId: deliveryId(getHeader(request.headers, 'ory-webhook-trigger-id')),
		};
		const item = buildOutputItem(payload, ids);
		if (settings.requireEmail === true && item.email === null) {
			return respondWithError.call(this, 400, 'The identity has no email (traits.email)');
		}

		const deduplicateOn = (settings.deduplicateOn ?? 'requestId') as DeduplicateOn;
		const key = deduplicateOn === 'requestId' || deduplicateOn === 'triggerId' ? ids[deduplicateOn] : null;
		// Claimed synchronously after the last await: of simultaneous copies only the first passes.
		if (key !== null && !recentDeliveriesFor(storeKey(this)).claim(key, Date.now())) {
			return respondWithJson.call(this, 200, { status: 'duplicate', [deduplicateOn]: key });
		}

		return {
			workflowData: [[{ json: item, pairedItem: { item: 0 } }]],
			webhookResponse: { status: 'accepted', requestId: ids.requestId },
		};
	}
}
