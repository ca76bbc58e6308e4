import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { handleWebhook, maxBodyBytesOf, otherMethodsWebhook } from '../shared/webhookIntake';
import { ZOHO_CREDENTIALS } from '../ZohoCrmUpsertContact/description';
import { notificationItems, startRun, workflowRuleItems } from './delivery';
import { DEFAULT_MAX_BODY_KB, zohoCrmTriggerProperties } from './description';
import { isAutomatic, startRenewal, zohoWebhookMethods } from './subscription';

const WEBHOOK_PATH = 'zoho-crm';
/** Zoho's user-defined XML and JSON bodies are at most 10,000 characters. */
const ZOHO_USER_DEFINED_BODY_CHARS = 10_000;

export class ZohoCrmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zoho CRM Trigger',
		name: 'zohoCrmTrigger',
		icon: { light: 'file:zohoCrm.svg', dark: 'file:zohoCrm.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["source"] === "workflowRule" ? "Workflow rule webhook: " : "Automatic: "}}{{$parameter["module"]}}',
		description: 'Starts the workflow when contacts or leads are created, edited or deleted in Zoho CRM',
		defaults: { name: 'Zoho CRM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: ZOHO_CREDENTIALS,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: WEBHOOK_PATH,
				responseMode: '={{$parameter["responseMode"]}}',
				// 200 with no body: Zoho reads only the status.
				responseData: 'noData',
			},
			{
				// A workflow rule's webhook may use GET, its parameters in the query string.
				name: 'default',
				httpMethod: 'GET',
				path: WEBHOOK_PATH,
				responseMode: '={{$parameter["responseMode"]}}',
				responseData: 'noData',
				ndvHideUrl: true,
				ndvHideMethod: true,
			},
			otherMethodsWebhook(WEBHOOK_PATH, ['GET', 'POST']),
		],
		properties: zohoCrmTriggerProperties,
	};

	webhookMethods = zohoWebhookMethods;

	// n8n runs trigger() beside the webhook while the workflow is active: the channel's renewal.
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startRenewal.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const automatic = isAutomatic(this);
		const maxBodyBytes = maxBodyBytesOf(this.getNodeParameter('settings', {}) as IDataObject, DEFAULT_MAX_BODY_KB);
		return await handleWebhook(
			this,
			automatic
				? { methods: ['POST'], maxBodyBytes, body: { accepts: ['json'] } }
				: {
						methods: ['GET', 'POST'],
						maxBodyBytes,
						body: { accepts: ['json', 'form', 'multipart', 'xml'], emptyAllowed: true, xmlMaxChars: ZOHO_USER_DEFINED_BODY_CHARS },
					},
			async (intake) => await startRun(this, automatic ? await notificationItems(this, intake) : await workflowRuleItems(this, intake)),
		);
	}
}
