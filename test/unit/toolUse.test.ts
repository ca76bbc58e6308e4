import { GenericCrmWebhook } from '../../nodes/GenericCrmWebhook/GenericCrmWebhook.node';
import { MeheryProfileUpdate } from '../../nodes/MeheryProfileUpdate/MeheryProfileUpdate.node';
import { OryRespond } from '../../nodes/OryRespond/OryRespond.node';
import { OryWebhookTrigger } from '../../nodes/OryWebhookTrigger/OryWebhookTrigger.node';
import { S360FirehoseTrigger } from '../../nodes/S360FirehoseTrigger/S360FirehoseTrigger.node';
import { ZohoCrmUpsertContact } from '../../nodes/ZohoCrmUpsertContact/ZohoCrmUpsertContact.node';

// n8n turns a node into an AI tool when `description.usableAsTool` is truthy (its tool generation
// filters on Boolean(usableAsTool)), so these read the description the way n8n does.
describe('which nodes n8n offers to an AI agent as tools', () => {
	it.each([
		['Zoho CRM Upsert Contact', new ZohoCrmUpsertContact()],
		['MeherY Profile Update', new MeheryProfileUpdate()],
		['Generic CRM Webhook', new GenericCrmWebhook()],
	])('%s, which writes records a tool call can ask for, is a tool', (_name, node) => {
		expect(Boolean(node.description.usableAsTool)).toBe(true);
	});

	it('Ory Respond, which answers the webhook request that started the run, is not a tool', () => {
		const { description } = new OryRespond();
		expect('usableAsTool' in description).toBe(true);
		expect(Boolean(description.usableAsTool)).toBe(false);
	});

	it.each([
		['Ory Webhook Trigger', new OryWebhookTrigger()],
		['S-360 Firehose Trigger', new S360FirehoseTrigger()],
	])('%s, a trigger, is not a tool', (_name, node) => {
		expect(Boolean(node.description.usableAsTool)).toBe(false);
	});
});
