/**
 * The egress guard on host names, in a real n8n, with the credential's Allow Private Network
 * Targets on: a name that spells the metadata address (`169.254.169.254.nip.io`) is refused on
 * every n8n; a name that resolves to it is refused where n8n offers its lookup (2.12 and later);
 * a name that resolves to the loopback double still reaches it. Names resolve through a preloaded
 * fake `dns.lookup` (fixtures/fakeDns.cjs): the test machine has no DNS beyond loopback.
 */
import path from 'node:path';
import { PROJECT_ROOT, startN8n, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { CrmDoubles } from '../doubles/crmDoubles';
import { PKG, webhookNode } from './fixtures/workflows';
import { crmCredential, postJson, REACH_DOUBLES } from './fixtures/genericCrmFixtures';

const N8N_HAS_EGRESS_FILTER = !(process.env.N8N_VERSION ?? '2').startsWith('1.');
const FAKE_DNS = { 'crm-metadata.e2e.test': '169.254.169.254', 'crm-double.e2e.test': '127.0.0.1' };

interface NameCase {
	id: string;
	url: (doubles: CrmDoubles) => string;
}

const CASES: NameCase[] = [
	{ id: 'spelled-metadata', url: () => 'https://169.254.169.254.nip.io/latest/meta-data/' },
	// On 1.x nothing resolves the name before the request, which would then go to 169.254.169.254.
	...(N8N_HAS_EGRESS_FILTER ? [{ id: 'resolved-metadata', url: () => 'https://crm-metadata.e2e.test/latest/meta-data/' }] : []),
	{ id: 'resolved-double', url: (doubles) => doubles.customUrl().replace('127.0.0.1', 'crm-double.e2e.test') },
];

function namesWorkflow(): WorkflowFile {
	return {
		id: 'names',
		name: 'CRM names',
		nodes: [
			webhookNode('names', 'names', 'onReceived'),
			{ id: 'names-split', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [220, 0], parameters: { fieldToSplitOut: 'body.leads', options: {} } },
			...CASES.map((target, index) => ({
				id: `node-${target.id}`,
				name: target.id,
				type: `${PKG}.genericCrmWebhook`,
				typeVersion: 1,
				position: [440, index * 160],
				credentials: { crmWebhookApi: { id: target.id, name: `CRM ${target.id}` } },
				// Each case's refusal goes to its Failed output instead of stopping the run.
				onError: 'continueRegularOutput',
				parameters: { operation: 'sendLead', autoMap: true },
			})),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [CASES.map((target) => ({ node: target.id, type: 'main', index: 0 }))] },
		},
	};
}

describe('the egress guard on host names, with Allow Private Network Targets, in a real n8n', () => {
	const doubles = new CrmDoubles();
	let n8n: N8nProcess;
	const outputs: Record<string, { synced: Array<Record<string, unknown>>; failed: Array<Record<string, unknown>> }> = {};

	beforeAll(async () => {
		await doubles.start();
		n8n = await startN8n({
			name: 'egress-names',
			credentials: CASES.map((target) => crmCredential(target.id, { preset: 'custom', authentication: 'none', url: target.url(doubles), ...REACH_DOUBLES })),
			workflows: [namesWorkflow()],
			env: {
				NODE_OPTIONS: `--require ${path.join(PROJECT_ROOT, 'test', 'e2e', 'fixtures', 'fakeDns.cjs')}`,
				E2E_FAKE_DNS: JSON.stringify(FAKE_DNS),
			},
		});
		await n8n.waitForWebhook('names');
		const before = (await n8n.executions('names')).length;
		expect(await postJson(n8n, 'names', { leads: [{ name: 'Name Case', email: 'names@example.com' }] })).toBe(200);
		const [execution] = await n8n.waitForExecutions('names', before + 1);
		for (const target of CASES) {
			const [synced = [], failed = []] = await n8n.nodeOutput(execution.id, target.id);
			outputs[target.id] = { synced, failed };
		}
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await doubles.stop();
	});

	const refusal = (id: string) => String((outputs[id].failed[0]?.crmSync as Record<string, unknown> | undefined)?.error);

	it('refuses a name that spells the metadata address, before any DNS', () => {
		expect(outputs['spelled-metadata'].synced).toEqual([]);
		expect(refusal('spelled-metadata')).toContain(
			'Refused to send to https://169.254.169.254.nip.io: its name spells the address 169.254.169.254, which is a cloud metadata service.',
		);
	});

	(N8N_HAS_EGRESS_FILTER ? it : it.skip)("refuses a name that resolves to the metadata address, through n8n's lookup", () => {
		expect(outputs['resolved-metadata'].synced).toEqual([]);
		expect(refusal('resolved-metadata')).toContain(
			'Refused to send to https://crm-metadata.e2e.test: its name resolves to 169.254.169.254, which is a cloud metadata service.',
		);
	});

	it('still sends to a private CRM by name', () => {
		expect(outputs['resolved-double'].failed).toEqual([]);
		expect(outputs['resolved-double'].synced).toHaveLength(1);
		expect(doubles.customLeadsFor('names@example.com')).toHaveLength(1);
	});
});
