/**
 * The Delivery Key option of the nodes that write through the target pipeline: what the user sees
 * and how a run reads it, defined once so every such node offers the same choice under the same
 * name. What a key does is the pipeline's (`deliveryKey` hook) and the ledger's (syncedLedger.ts).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import type { ItemParameterReader } from './parameters';

/** An entry of a node's Options collection; `service` is the service as users know it. */
export function deliveryKeyOption(service: string): INodeProperties {
	return {
		displayName: 'Delivery Key',
		name: 'deliveryKey',
		type: 'string',
		default: '',
		placeholder: '={{ $json.deliveryKey }}',
		description: `An ID that stays the same when the sender delivers the same change again: the deliveryKey of the S-360 and Zoho CRM triggers, the Ory trigger’s triggerId. An item whose key an earlier run of this node wrote is skipped (its output says so), whichever n8n process (or queue-mode worker) ran it; a key is kept only once ${service} accepted the item. Empty: every item is sent.`,
	};
}

/**
 * The pipeline's `deliveryKey` hook for the node's Delivery Key option, or undefined when the
 * option is not set. Decided on the stored parameter, not on the first item's value: an
 * expression that is empty for item 0 still keys the other items.
 */
export function deliveryKeyReader(
	ctx: IExecuteFunctions,
	parameter: ItemParameterReader,
): ((item: INodeExecutionData, itemIndex: number) => string | undefined) | undefined {
	const stored = (ctx.getNode().parameters.options as IDataObject | undefined)?.deliveryKey;
	if (typeof stored !== 'string' || stored.replace(/^=/, '').trim() === '') return undefined;
	return (_item, itemIndex) => {
		const value = parameter<unknown>('options.deliveryKey', itemIndex, '');
		if (value === undefined || value === null) return undefined;
		// An object or a list would become one text for many items, and skip all but the first.
		if (typeof value !== 'string' && typeof value !== 'number') {
			const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
			throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: the Delivery Key is ${kind}, not an ID`, {
				itemIndex,
				description: 'Nothing was sent. Set Delivery Key to one text or number per item, e.g. {{ $json.deliveryKey }}.',
			});
		}
		return String(value).trim() || undefined;
	};
}
