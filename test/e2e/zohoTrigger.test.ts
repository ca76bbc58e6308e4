/**
 * The Zoho CRM → MeherY template with the Zoho CRM Trigger in a real n8n, against the Zoho
 * double that sends (notifications, workflow-rule webhooks, retries) and the MeherY double.
 */
import { startN8n, type N8nProcess } from '../harness/n8n';
import { MeheryDouble } from '../doubles/meheryDouble';
import { ZohoDouble } from '../doubles/zohoDouble';
import { ZohoNotifications, type WorkflowRule, type WorkflowRuleBodyType } from '../doubles/zohoNotifications';
import { meheryCredential, meheryTemplateWorkflow, triggerPath } from './fixtures/meheryFixtures';
import { zohoDoubleCredential } from './fixtures/workflows';

const API_KEY = 'mh-e2e-key-zoho-trigger-7d2e';
const TENANT = 'demo';
const RULE_TOKEN = 'zoho-rule-token-8c1f4e2a9b7d3c60';
const CLIENT = { clientId: 'zt-client', clientSecret: 'zt-secret-2c9d' };
const RETRY_DELAY_MS = 3_000;

/** Zoho's dd/MM/yyyy for dates and dd/MM/yyyy HH:mm in India time for date-times, as chosen for the webhook. */
function indianFormat(apiName: string, value: unknown): string {
	if (value === null || value === undefined) return '';
	const text = String(value);
	if (apiName === 'Date_of_Birth') return text.split('-').reverse().join('/');
	if (apiName === 'Modified_Time') {
		const local = new Date(Date.parse(text) + 330 * 60_000).toISOString();
		return `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`;
	}
	return text;
}

describe('Zoho CRM Trigger in a real n8n', () => {
	const zoho = new ZohoDouble({ clients: [{ ...CLIENT, refreshTokens: ['refresh-zoho'] }] });
	const notifications = new ZohoNotifications(zoho, { retryDelayMs: RETRY_DELAY_MS });
	const mehery = new MeheryDouble({ tenants: [{ code: TENANT, apiKey: API_KEY, dateCodes: ['dateOfBirth'] }] });
	let n8n: N8nProcess;

	const executionCount = async (workflowId: string) => (await n8n.executions(workflowId)).length;

	async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
		await n8n.waitUntil(async () => await check(), what, timeoutMs);
	}

	async function forgedNotification(token: string): Promise<Response> {
		const [channel] = notifications.liveChannels();
		const body = { server_time: Date.now(), module: 'Contacts', ids: ['5725767000000000001'], operation: 'insert', channel_id: channel.channelId, token };
		return await fetch(n8n.webhookUrl(triggerPath('zt-auto')), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	}

	function rule(bodyType: WorkflowRuleBodyType, workflowId: string, fullRecord: boolean): WorkflowRule {
		const entityParams: Record<string, string> = fullRecord
			? { id: 'id' }
			: { id: 'id', email: 'Email', firstName: 'First_Name', lastName: 'Last_Name', phone: 'Phone', mobile: 'Mobile', dateOfBirth: 'Date_of_Birth', modifiedTime: 'Modified_Time' };
		const fields = Object.entries(entityParams);
		const json = `{${fields.map(([name, apiName]) => `"${name}":"\${Contacts.${apiName}}"`).join(',')}}`;
		const xml = `<?xml version="1.0" encoding="UTF-8"?><contact>${fields.map(([name, apiName]) => `<${name}>\${Contacts.${apiName}}</${name}>`).join('')}</contact>`;
		return {
			module: 'Contacts',
			on: ['create', 'edit'],
			webhook: {
				url: n8n.webhookUrl(triggerPath(workflowId)),
				method: bodyType === 'query' ? 'GET' : 'POST',
				bodyType,
				entityParams: bodyType === 'json' || bodyType === 'xml' ? {} : entityParams,
				customParams: { token: RULE_TOKEN },
				template: bodyType === 'json' ? json : bodyType === 'xml' ? xml : undefined,
				formatValue: indianFormat,
			},
		};
	}

	beforeAll(async () => {
		await zoho.start();
		await mehery.start();
		const zohoCredential = zohoDoubleCredential('zoho', zoho, CLIENT);
		const meheryApi = meheryCredential('mehery', mehery, { tenant: TENANT, apiKey: API_KEY });
		const ruleTrigger = (extra: Record<string, unknown>) => ({ source: 'workflowRule', verificationParameter: 'token', webhookToken: RULE_TOKEN, ...extra });
		n8n = await startN8n({
			name: 'zoho-trigger',
			credentials: [zohoCredential, meheryApi],
			workflows: [
				// The template as shipped (Automatic), its channel asked to live two minutes so a renewal is seen.
				meheryTemplateWorkflow('zt-auto', zohoCredential, meheryApi, {}, { settings: { channelLifetimeMinutes: 2 } }),
				meheryTemplateWorkflow('zt-rule', zohoCredential, meheryApi, {}, ruleTrigger({ settings: { dateFormat: 'dd/MM/yyyy', dateTimeFormat: 'dd/MM/yyyy HH:mm', timeZone: 'Asia/Kolkata' } })),
				meheryTemplateWorkflow('zt-rule-full', zohoCredential, meheryApi, {}, ruleTrigger({ fetchFullRecord: true })),
				// Republished in a spec, which resets the trigger's memory of deliveries.
				meheryTemplateWorkflow('zt-republished', zohoCredential, meheryApi, {}, ruleTrigger({ fetchFullRecord: true })),
			],
		});
		await Promise.all(['zt-auto', 'zt-rule', 'zt-rule-full', 'zt-republished'].map((id) => n8n.waitForWebhook(triggerPath(id))));
		// n8n registers a webhook's path before it runs the node's create(), which subscribes.
		await waitFor(() => notifications.liveChannels().length > 0, 'the subscription of the activated trigger');
		// Until n8n has saved the channel with the workflow, a notification is answered 503 (early), then 401 when forged.
		await waitFor(async () => (await forgedNotification('not-the-channel-token')).status === 401, 'the channel saved with the workflow');
	});

	afterAll(async () => {
		notifications.stop();
		await n8n?.stop();
		await zoho.stop();
		await mehery.stop();
	});

	describe('Automatic (Notifications API)', () => {
		it('subscribes on activation: one channel for created and edited contacts, notifying the production URL with a token', () => {
			const channels = notifications.liveChannels();
			expect(channels).toHaveLength(1);
			expect(channels[0]).toMatchObject({ notifyUrl: n8n.webhookUrl(triggerPath('zt-auto')), events: ['Contacts.create', 'Contacts.edit'] });
			expect(channels[0].token).toMatch(/^[A-Za-z0-9_-]{32}$/);
		});

		it('brings a contact created in Zoho to MeherY once, and then its edit once', async () => {
			const before = mehery.counters.updates;
			const [created] = zoho.createRecords('Contacts', [
				{ First_Name: 'Priya', Last_Name: 'Raman', Email: 'priya.auto@example.test', Phone: '+91 44 2345 6789', Mobile: '+91 98765 43210', Date_of_Birth: '1991-03-07' },
			]);
			await waitFor(() => mehery.profileBy(TENANT, 'email1', 'priya.auto@example.test') !== undefined, 'the created contact in MeherY');
			expect(mehery.profileBy(TENANT, 'email1', 'priya.auto@example.test')).toMatchObject({ firstName: 'Priya', lastName: 'Raman', phone2: '+91 98765 43210', dateOfBirth: '03-07-91' });
			zoho.updateRecords('Contacts', [{ id: created.id, fields: { Mobile: '+91 90000 00001' } }]);
			await waitFor(() => mehery.profileBy(TENANT, 'email1', 'priya.auto@example.test')?.phone2 === '+91 90000 00001', 'the edit in MeherY');
			await notifications.settled();
			expect(mehery.counters.updates - before).toBe(2);
			const deliveries = notifications.deliveries.filter((delivery) => delivery.kind === 'notification');
			expect(deliveries.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
				[1, 200],
				[1, 200],
			]);
		});

		it('sends several changed contacts of one notification as one run with one item each', async () => {
			const runs = await executionCount('zt-auto');
			const before = mehery.counters.updates;
			zoho.createRecords(
				'Contacts',
				Array.from({ length: 3 }, (_, i) => ({ Last_Name: `Bulk${i}`, Email: `bulk${i}@example.test` })),
			);
			const [execution] = (await n8n.waitForExecutions('zt-auto', runs + 1)).sort((a, b) => Number(b.id) - Number(a.id));
			const [items] = await n8n.nodeOutput(execution.id, 'Zoho CRM Trigger');
			expect(items.map((item) => item.email)).toEqual(['bulk0@example.test', 'bulk1@example.test', 'bulk2@example.test']);
			await waitFor(() => mehery.counters.updates - before === 3, 'three MeherY updates');
		});

		it('refuses a notification with a wrong token with 401 and starts no run', async () => {
			const runs = await executionCount('zt-auto');
			const response = await forgedNotification('not-the-channel-token');
			expect(response.status).toBe(401);
			expect(await executionCount('zt-auto')).toBe(runs);
		});

		it('answers a notification whose run failed with 500, and Zoho’s retry then brings the contact to MeherY once', async () => {
			mehery.injectFault({ status: 200, errors: [{ field: 'phone1', code: 'INVALID_PHONE', description: 'Phone number is not valid' }] });
			const sent = notifications.deliveries.length;
			zoho.createRecords('Contacts', [{ Last_Name: 'Retry', Email: 'retry@example.test', Phone: '+44 20 7946 0000' }]);
			await waitFor(() => mehery.profileBy(TENANT, 'email1', 'retry@example.test') !== undefined, 'the retried contact in MeherY', 60_000);
			await notifications.settled();
			expect(notifications.deliveries.slice(sent).map((delivery) => [delivery.attempt, delivery.status])).toEqual([
				[1, 500],
				[2, 200],
			]);
			expect(mehery.profiles(TENANT).filter((profile) => profile.email1 === 'retry@example.test')).toHaveLength(1);
		});

		it('renews the channel before it lapses (asked to live two minutes, renewed when one is left)', async () => {
			const [channel] = notifications.liveChannels();
			const enabled = channel.history[0];
			await waitFor(() => channel.history.length >= 2, 'a renewal of the channel', 150_000);
			const renewal = channel.history[1];
			expect(renewal.action).toBe('updated');
			expect(renewal.at).toBeLessThan(enabled.expiresAt);
			expect(renewal.expiresAt).toBeGreaterThan(enabled.expiresAt);
			// The figure for the README: enabled, renewed, old and new expiry.
			console.log(`channel ${channel.channelId}: enabled ${new Date(enabled.at).toISOString()} expiring ${new Date(enabled.expiresAt).toISOString()}; renewed ${new Date(renewal.at).toISOString()} (${Math.round((enabled.expiresAt - renewal.at) / 1000)} s before expiry) to ${new Date(renewal.expiresAt).toISOString()}`);
		}, 200_000);
	});

	describe('From a workflow rule webhook', () => {
		const bodyTypes: WorkflowRuleBodyType[] = ['form-data', 'form-urlencoded', 'json', 'xml', 'query'];

		it.each(bodyTypes.flatMap((bodyType) => [[bodyType, false] as const, [bodyType, true] as const]))(
			'reads a %s webhook (Fetch Full Record: %s) into the normalised contact and brings it to MeherY',
			async (bodyType, fullRecord) => {
				const workflowId = fullRecord ? 'zt-rule-full' : 'zt-rule';
				const email = `rule.${bodyType}.${fullRecord ? 'full' : 'sent'}@example.test`;
				const [record] = zoho.seedRecords('Contacts', [
					{ First_Name: 'Ada', Last_Name: 'Lovelace', Email: email, Phone: '+44 20 7946 0000', Mobile: '+44 7700 900000', Date_of_Birth: '1991-03-07', Modified_Time: '2026-12-05T14:05:00+05:30' },
				]);
				const runs = await executionCount(workflowId);
				notifications.fireWorkflowRule(rule(bodyType, workflowId, fullRecord), record);
				const [execution] = (await n8n.waitForExecutions(workflowId, runs + 1)).sort((a, b) => Number(b.id) - Number(a.id));
				const [items] = await n8n.nodeOutput(execution.id, 'Zoho CRM Trigger');
				expect(items[0]).toMatchObject({
					id: record.id,
					email,
					firstName: 'Ada',
					lastName: 'Lovelace',
					phone: '+44 20 7946 0000',
					mobile: '+44 7700 900000',
					birthDate: '1991-03-07',
					changedAt: '2026-12-05T08:35:00.000Z',
				});
				await waitFor(() => mehery.profileBy(TENANT, 'email1', email)?.dateOfBirth === '03-07-91', 'the contact in MeherY');
				await notifications.settled();
				expect(notifications.deliveries[notifications.deliveries.length - 1].status).toBe(200);
			},
		);

		it('refuses a webhook without the token with 401 and starts no run', async () => {
			const runs = await executionCount('zt-rule');
			const response = await fetch(`${n8n.webhookUrl(triggerPath('zt-rule'))}?id=5725767000000000002&email=x@example.test`);
			expect(response.status).toBe(401);
			expect(await executionCount('zt-rule')).toBe(runs);
		});

		it('starts one run for a change Zoho delivers twice', async () => {
			const [record] = zoho.seedRecords('Contacts', [{ Last_Name: 'Twice', Email: 'twice@example.test', Modified_Time: '2026-12-05T15:00:00+05:30' }]);
			const runs = await executionCount('zt-rule-full');
			const twice = rule('form-urlencoded', 'zt-rule-full', true);
			notifications.fireWorkflowRule(twice, record);
			await n8n.waitForExecutions('zt-rule-full', runs + 1);
			await notifications.settled();
			notifications.fireWorkflowRule(twice, record);
			await notifications.settled();
			expect(notifications.deliveries[notifications.deliveries.length - 1].status).toBe(200);
			expect(await executionCount('zt-rule-full')).toBe(runs + 1);
		});
	});

	describe('a redelivery the trigger does not remember', () => {
		/** Unpublishes and publishes the workflow again, as a user does after an edit: the trigger's in-memory ledger is dropped. */
		async function republish(workflowId: string): Promise<void> {
			expect((await n8n.rest('POST', `/workflows/${workflowId}/deactivate`, {})).status).toBe(200);
			// On n8n 2.x the unpublish is applied after the call returns; publishing again before it is
			// may leave the trigger as it was (its ledger kept), so wait until the webhook is gone.
			await n8n.waitForWebhookGone(triggerPath(workflowId));
			const { data } = await n8n.rest<{ versionId: string }>('GET', `/workflows/${workflowId}`);
			expect((await n8n.rest('POST', `/workflows/${workflowId}/activate`, { versionId: data.versionId })).status).toBe(200);
			await n8n.waitForWebhook(triggerPath(workflowId));
		}

		it('reaches MeherY once: the run it starts after a republish skips the contact by the trigger’s deliveryKey (the template’s Delivery Key)', async () => {
			const email = 'republished@example.test';
			const [record] = zoho.seedRecords('Contacts', [{ Last_Name: 'Again', Email: email, Modified_Time: '2026-12-05T16:30:00+05:30' }]);
			const delivery = rule('form-urlencoded', 'zt-republished', true);
			const runs = await executionCount('zt-republished');
			notifications.fireWorkflowRule(delivery, record);
			await n8n.waitForExecutions('zt-republished', runs + 1);
			await notifications.settled();
			expect(mehery.profileBy(TENANT, 'email1', email)).toMatchObject({ lastName: 'Again' });

			await republish('zt-republished');
			notifications.fireWorkflowRule(delivery, record);
			// Answered after the run (Respond: after the last node), so settled means the run is done.
			await notifications.settled();
			const redelivered = notifications.deliveries[notifications.deliveries.length - 1];
			// A run starts: the trigger no longer knows the change.
			const executions = await n8n.waitForExecutions('zt-republished', runs + 2).catch((error: Error) => {
				throw new Error(`${error.message}; the redelivery was answered ${String(redelivered.status)} ${String(redelivered.answer ?? redelivered.error)}`);
			});
			const [second, first] = executions.sort((a, b) => Number(b.id) - Number(a.id));
			expect(redelivered.status).toBe(200);

			const [[firstItem]] = await n8n.nodeOutput(first.id, 'Zoho CRM Trigger');
			const [[secondItem]] = await n8n.nodeOutput(second.id, 'Zoho CRM Trigger');
			expect(secondItem.deliveryKey).toBe(firstItem.deliveryKey);
			const [written] = await n8n.nodeOutput(second.id, 'MeherY Profile Update');
			expect(written).toEqual([
				{ status: 'skipped', reason: 'An earlier run already wrote this delivery; nothing was sent.', deliveryKey: firstItem.deliveryKey },
			]);
			expect(mehery.requests.filter((request) => request.params.email1 === email)).toHaveLength(1);
		});
	});

	it('unsubscribes when the workflow is deactivated', async () => {
		const [channel] = notifications.liveChannels();
		const { status } = await n8n.rest('POST', '/workflows/zt-auto/deactivate', {});
		expect(status).toBe(200);
		await waitFor(() => notifications.liveChannels().length === 0, 'the channel disabled');
		expect(channel.history[channel.history.length - 1].action).toBe('disabled');
	});
});
