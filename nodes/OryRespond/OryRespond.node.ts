import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { isObject } from '../shared/objects';
import { oryRespondProperties } from './description';
import {
	buildIdentityBody,
	buildMessagesBody,
	type Assignment,
	type IdentityPartChange,
	type MessageInput,
} from './responseBody';

const TRIGGER_TYPE_SUFFIX = '.oryWebhookTrigger';

type RespondWith = 'continue' | 'interrupt' | 'updateIdentity';

export class OryRespond implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ory Respond',
		name: 'oryRespond',
		icon: { light: 'file:ory.svg', dark: 'file:ory.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"continue": "Continue", "interrupt": "Interrupt the flow", "updateIdentity": "Change the identity"}[$parameter["respondWith"]] }}',
		description: 'Answer an Ory Actions webhook: interrupt the flow with messages, change the identity, or let it continue',
		defaults: { name: 'Ory Respond' },
		// Not an AI tool: it answers the webhook request that started the run, which an agent's tool
		// call never is. n8n's types allow no `false`, and n8n's lint asks for the key to be present.
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: oryRespondProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const trigger = this.getParentNodes(node.name, { includeNodeParameters: true }).find((parent) =>
			parent.type.endsWith(TRIGGER_TYPE_SUFFIX),
		);
		if (trigger === undefined) {
			throw new NodeOperationError(node, 'No Ory Webhook Trigger before this node', {
				itemIndex: 0,
				description: 'Ory Respond answers the request that an Ory Webhook Trigger received.',
			});
		}
		const responseMode = (trigger.parameters as IDataObject | undefined)?.responseMode;
		if (responseMode !== 'responseNode') {
			const when = responseMode === 'lastNode' ? 'answers Ory itself when the run ends' : 'already answered Ory when the run started';
			throw new NodeOperationError(node, `"${trigger.name}" ${when}`, {
				itemIndex: 0,
				description: 'Set its Respond parameter to "From the Workflow (Ory Respond Node)".',
			});
		}

		// Like Respond to Webhook: one answer per run, built from the first item.
		const respondWith = this.getNodeParameter('respondWith', 0) as RespondWith;
		let response: IN8nHttpFullResponse;
		try {
			response = buildResponse(this, respondWith, trigger.name);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, { itemIndex: 0 });
		}
		await this.sendResponse(response);

		return [items.map((item, itemIndex) => ({ ...item, pairedItem: { item: itemIndex } }))];
	}
}

function buildResponse(context: IExecuteFunctions, respondWith: RespondWith, triggerName: string): IN8nHttpFullResponse {
	if (respondWith === 'continue') return { statusCode: 204, headers: {}, body: null };
	const headers = { 'content-type': 'application/json; charset=utf-8' };
	if (respondWith === 'interrupt') {
		const messages = context.getNodeParameter('messages.message', 0, []) as MessageInput[];
		const statusCode = Number(context.getNodeParameter('statusCode', 0, 400));
		if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 499) {
			throw new NodeOperationError(context.getNode(), 'The status code must be a 4xx', { itemIndex: 0 });
		}
		return { statusCode, headers, body: buildMessagesBody(messages) as unknown as IDataObject };
	}
	const keep = context.getNodeParameter('keepOtherValues', 0, true) as boolean;
	// What the trigger received, wherever the items went since: Ory replaces each part whole.
	const received = (keep ? context.evaluateExpression(`{{ $(${JSON.stringify(triggerName)}).first().json }}`, 0) : {}) as IDataObject;
	const identity = (received?.identity ?? {}) as IDataObject;
	const part = (name: string, base: unknown): IdentityPartChange => ({
		base: keep && isObject(base) ? base : null,
		assignments: context.getNodeParameter(`${name}.field`, 0, []) as Assignment[],
	});
	const body = buildIdentityBody({
		traits: part('traits', received?.traits ?? identity.traits),
		metadataPublic: part('metadataPublic', identity.metadata_public),
		metadataAdmin: part('metadataAdmin', identity.metadata_admin),
	});
	return { statusCode: 200, headers, body };
}
