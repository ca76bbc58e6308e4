/**
 * The editor in a real browser (Debian's chromium driven by playwright-core, no
 * browser download): a user logs in, adds each node of package.json from the
 * node panel by searching its display name, sees its parameters and its
 * credential picked, and no error toast or console error appears; each template
 * of templates/ opens on the canvas, every sticky note's text inside its box. A
 * screenshot per node and per template goes to docs/ (the README shows them).
 *
 * Nodes, credentials and templates are read from package.json and templates/,
 * so a node that lands later is covered without editing this spec.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureDebianPackage, PROJECT_ROOT, startN8n, type CredentialFile, type N8nProcess, type WorkflowFile } from '../harness/n8n';
import { ZohoDouble } from '../doubles/zohoDouble';
import { zohoDoubleCredential } from '../e2e/fixtures/workflows';

/** Debian's chromium (or CHROMIUM_PATH), installed when missing. */
function ensureChromium(): string {
	return ensureDebianPackage(process.env.CHROMIUM_PATH || '/usr/bin/chromium', 'chromium');
}
// Without the background-networking flags chromium keeps dialling Google's
// hosts, which this closed network refuses.
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];
const OWNER = { email: 'owner@example.test', password: 'Harness-Passw0rd!' };

interface CredentialProperty {
	name: string;
	type: string;
	default?: unknown;
	required?: boolean;
	options?: Array<{ value: unknown }>;
}
interface NodeDescription {
	name: string;
	displayName: string;
	description: string;
	properties?: Array<{ name: string; type?: string; options?: Array<{ action?: string }> }>;
	credentials?: Array<{ name: string; required?: boolean; displayOptions?: unknown }>;
}

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};
function instantiate<T>(file: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(path.join(PROJECT_ROOT, file)) as Record<string, new () => T>;
	return new (Object.values(exported)[0])();
}
const nodes = pkg.n8n.nodes.map((file) => instantiate<{ description: NodeDescription }>(file).description);
const credentialTypes = pkg.n8n.credentials.map((file) =>
	instantiate<{ name: string; displayName: string; properties: CredentialProperty[] }>(file),
);

/** A stored credential of each type, filled from its own defaults: enough for the editor to pick it. */
function credentialFor(type: (typeof credentialTypes)[number]): CredentialFile {
	const data: Record<string, unknown> = {};
	for (const property of type.properties) {
		if (property.type === 'hidden' || property.type === 'notice') continue;
		if (property.default !== undefined && property.default !== '') data[property.name] = property.default;
		else if (property.type === 'options') data[property.name] = property.options?.[0]?.value;
		else if (property.type === 'string') data[property.name] = `editor-spec-${property.name}-0123456789abcdef0123456789`;
	}
	return { id: `cred-${type.name}`.slice(0, 16), name: `Editor spec ${type.displayName}`, type: type.name, data };
}
const credentials = credentialTypes.map(credentialFor);

// The Zoho node's Map Fields loads the org's fields through its credential as soon as the credential
// is picked: the Zoho credential points at the Zoho double, so the editor shows real fields.
const ZOHO_CLIENT = { clientId: 'editor-spec-client', clientSecret: 'editor-spec-secret' };
const ZOHO_REFRESH_TOKEN = 'refresh-editor-spec';
function withZohoDouble(files: CredentialFile[], zoho: ZohoDouble): CredentialFile[] {
	return files.map((file) =>
		file.type === 'zohoCrmRefreshTokenApi'
			? { ...zohoDoubleCredential(file.id, zoho, ZOHO_CLIENT, { refreshToken: ZOHO_REFRESH_TOKEN }), name: file.name }
			: file,
	);
}

const templateDir = path.join(PROJECT_ROOT, 'templates');
const templates = readdirSync(templateDir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(templateDir, file), 'utf8')) as WorkflowFile }))
	.filter(({ workflow }) => Array.isArray(workflow.nodes));

/** Console errors that are the closed network refusing n8n's own cloud hosts, not the editor failing. */
function isOfflineNoise(text: string, url: string, baseUrl: string): boolean {
	// The editor also asks the public npm registry about the installed package.
	if (url && !url.startsWith(baseUrl)) return /net::ERR_/.test(text);
	return false;
}

describe('the n8n editor in a real browser', () => {
	let n8n: N8nProcess;
	const zoho = new ZohoDouble({ clients: [{ ...ZOHO_CLIENT, refreshTokens: [ZOHO_REFRESH_TOKEN] }] });
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const consoleErrors: string[] = [];
	let signedIn = false;

	beforeAll(async () => {
		const executablePath = ensureChromium();
		await zoho.start();
		n8n = await startN8n({ name: 'browser', credentials: withZohoDouble(credentials, zoho) });
		selectors.setTestIdAttribute('data-test-id'); // n8n's attribute, not Playwright's data-testid
		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
		context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		page = await context.newPage();
		page.on('console', (message) => {
			if (message.type() !== 'error') return;
			const url = message.location().url;
			if (isOfflineNoise(message.text(), url, n8n.baseUrl)) return;
			// Before signing in, the editor's "who am I" call answers 401 by design.
			if (!signedIn && url === `${n8n.baseUrl}/rest/login`) return;
			consoleErrors.push(`${message.text()} (${url})`);
		});
		page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
		mkdirSync(path.join(PROJECT_ROOT, 'docs'), { recursive: true });
	});

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await zoho.stop();
	});

	beforeEach(() => {
		consoleErrors.length = 0;
	});

	async function errorToasts(): Promise<string[]> {
		return await page.locator('.el-notification:has(.el-notification--error)').allInnerTexts();
	}

	it('logs in with the owner account through the sign-in form', async () => {
		await page.goto(`${n8n.baseUrl}/signin`);
		await page.locator('input[type="email"], input[name="emailOrLdapLoginId"]').first().fill(OWNER.email);
		await page.locator('input[type="password"]').first().fill(OWNER.password);
		await page.getByRole('button', { name: /sign in/i }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
		signedIn = true;
		expect(await errorToasts()).toEqual([]);
		expect(consoleErrors).toEqual([]);
	});

	it.each(nodes.map((node) => [node.displayName, node] as const))(
		'adds %s from the node panel, shows its parameters and picks its credential',
		async (_displayName, node) => {
			await page.goto(`${n8n.baseUrl}/workflow/new`);
			await page.getByTestId('canvas-add-button').click();
			const search = page.getByTestId('node-creator-search-bar'); // the input itself
			// The panel lists a trigger without its " Trigger" suffix.
			const listed = node.displayName.replace(/ Trigger$/, '');
			await search.fill(listed);
			const byName = page.getByTestId('node-creator-item-name').filter({ hasText: listed });
			await byName.first().waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
				await page.screenshot({ path: path.join(PROJECT_ROOT, '.test-work', `browser-${node.name}-search.png`) });
				throw error;
			});
			// Several nodes may be listed under one name (n8n's own Zoho CRM beside this package's Zoho
			// CRM Trigger): where the panel shows this node's description, that entry is the one meant.
			const byDescription = page.getByTestId('node-creator-item-description').filter({ hasText: node.description.slice(0, 40) });
			const item = (await byDescription.count()) > 0 ? byDescription.first() : byName.first();
			await item.click();
			// A community node opens its details first: one "Add to workflow" button,
			// or (a trigger with an event option) one entry per event: take the first.
			const ndv = page.getByTestId('ndv');
			const addButton = page.getByRole('button', { name: 'Add to workflow' });
			// An action node lists its operations by their action text; on an empty canvas the panel
			// also offers triggers, so the item is picked by that text, not by position.
			const action = node.properties?.find((property) => property.name === 'operation')?.options?.[0]?.action;
			const events = page.getByTestId('node-creator').getByTestId('item-iterator-item');
			const firstEvent = (action ? events.filter({ hasText: action }) : events).first();
			await addButton.or(firstEvent).first().waitFor({ timeout: 30_000 });
			if (await addButton.isVisible()) await addButton.click();
			else await firstEvent.click();
			await ndv.waitFor({ timeout: 30_000 });
			await page.getByTestId('node-parameters').waitFor();
			expect(await page.getByTestId('node-parameters').innerText()).not.toBe('');

			const required = (node.credentials ?? []).filter((c) => c.required);
			if (required.length > 0) {
				const picker = page.getByTestId('node-credentials-select').first();
				await picker.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
					await page.screenshot({ path: path.join(PROJECT_ROOT, '.test-work', `browser-${node.name}-credential.png`) });
					throw error;
				});
				const offered = credentials.filter((c) => required.some((r) => r.name === c.type)).map((c) => c.name);
				const shown = await picker.evaluate(
					(element) => (element.querySelector('input') as { value?: string } | null)?.value || element.textContent || '',
				);
				expect(offered).toContain(shown.trim());
			}

			// A resource mapper loads its fields through the credential once it is picked: wait for
			// them, so a failed load shows as an error here and the screenshot shows the fields.
			if (node.properties?.some((property) => property.type === 'resourceMapper')) {
				await page.getByText('Fetching fields').waitFor({ state: 'hidden', timeout: 30_000 });
				await page.getByTestId('node-parameters').getByText('Last Name').first().waitFor({ timeout: 30_000 });
			}
			await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs', `node-${node.name}.png`) });
			expect(await errorToasts()).toEqual([]);
			expect(consoleErrors).toEqual([]);
			await page.keyboard.press('Escape');
			const canvasTypes = await page.locator('[data-test-id="canvas-node"]').count();
			expect(canvasTypes).toBeGreaterThan(0);
		},
	);

	it.each(templates.map(({ file, workflow }) => [file, workflow] as const))(
		'opens the template %s on the canvas with all its nodes',
		async (_file, workflow) => {
			const { status, data } = await n8n.rest<{ id: string }>('POST', '/workflows', workflow);
			expect(status).toBe(200);
			await page.goto(`${n8n.baseUrl}/workflow/${data.id}`);
			const drawn = page.locator('[data-test-id="canvas-node"]');
			await drawn.first().waitFor({ timeout: 60_000 });
			// Sticky notes are drawn apart from nodes.
			const expected = (workflow.nodes as Array<{ type: string }>).filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
			await drawn.nth(expected.length - 1).waitFor({ timeout: 30_000 });
			expect(await drawn.count()).toBe(expected.length);
			// No node of the template is drawn as unknown ("install this node").
			expect(await page.locator('[data-test-id="canvas-node"] [class*="disabled"], [data-test-id="canvas-node"]:has-text("Install")').count()).toBe(0);
			expect(await errorToasts()).toEqual([]);
			expect(consoleErrors).toEqual([]);
		},
	);

	it.each(templates.map(({ file, workflow }) => [file, workflow] as const))(
		'shows the whole text of every sticky note of the template %s inside its box',
		async (file, workflow) => {
			const notes = (workflow.nodes as Array<{ type: string }>).filter((n) => n.type === 'n8n-nodes-base.stickyNote');
			const { status, data } = await n8n.rest<{ id: string }>('POST', '/workflows', workflow);
			expect(status).toBe(200);
			await page.goto(`${n8n.baseUrl}/workflow/${data.id}`);
			const stickies = page.getByTestId('sticky');
			if (notes.length > 0) await stickies.nth(notes.length - 1).waitFor({ timeout: 60_000 });
			expect(await stickies.count()).toBe(notes.length);
			await page.evaluate('document.fonts.ready.then(() => true)'); // measured in the fonts the user sees
			// The README shows each template as this spec sees it, so the picture is always the shipped template.
			await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs', `template-${path.basename(file, '.json')}.png`) });
			// The note draws its rendered markdown in a box that hides what does not fit
			// (overflow: hidden), so text past its height or width is simply not on the canvas.
			const boxes = await stickies.evaluateAll((elements) =>
				elements.map((sticky) => {
					type Box = { innerText: string; clientHeight: number; scrollHeight: number; clientWidth: number; scrollWidth: number };
					const text = sticky.querySelector(':scope > [class*="_wrapper_"]') as Box | null;
					return {
						firstLine: (text?.innerText ?? '').split('\n')[0],
						found: text !== null,
						clientHeight: text?.clientHeight ?? 0,
						scrollHeight: text?.scrollHeight ?? 0,
						clientWidth: text?.clientWidth ?? 0,
						scrollWidth: text?.scrollWidth ?? 0,
					};
				}),
			);
			for (const box of boxes) expect(box).toMatchObject({ found: true });
			const overflowing = boxes.filter((box) => box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth);
			expect(overflowing).toEqual([]);
		},
	);
});
