/**
 * The lifecycle of a trigger whose sender is configured by hand (an Ory hook, an S-360 interface):
 * nothing is registered anywhere, so activation keeps only the URL the node was activated with,
 * and deactivation forgets the node's redelivery ledger.
 */
import type { IHookFunctions, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';
import { forgetLedger } from './redelivery';

/** One ledger per trigger node of a workflow (a node's id survives renames). */
export function ledgerKeyOf(prefix: string, context: IHookFunctions | IWebhookFunctions | ITriggerFunctions): string {
	const node = context.getNode();
	return `${prefix}${context.getWorkflow().id ?? ''}:${node.id ?? node.name}`;
}

export function configuredWebhookMethods(ledgerPrefix: string) {
	return {
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
				forgetLedger(ledgerKeyOf(ledgerPrefix, this));
				return true;
			},
		},
	};
}
