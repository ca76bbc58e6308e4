import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * How Ory proves to n8n that a webhook request comes from Ory: the same choices as the
 * `auth` block of Ory's `web_hook` action (an API key in a header or a cookie, or basic auth).
 *
 * This credential is never sent anywhere: n8n receives it. Its Test button therefore cannot
 * make a request (calling n8n itself would only prove that n8n knows its own secret); it is
 * the node's `oryWebhookApiTest` method, which checks what can go wrong before Ory ever
 * calls: an empty, short or untransmittable secret, a header or cookie name that HTTP, Ory or
 * n8n would not carry through, a basic-auth user containing ':'. On success it answers with
 * the `auth` block to paste into the Ory configuration.
 */
export class OryWebhookApi implements ICredentialType {
	name = 'oryWebhookApi';

	displayName = 'Ory Webhook API';

	icon = { light: 'file:../nodes/OryWebhookTrigger/ory.svg', dark: 'file:../nodes/OryWebhookTrigger/ory.dark.svg' } as const;

	documentationUrl = 'https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'API Key in a Header',
					value: 'headerKey',
					description: 'Ory auth type api_key with in: header',
				},
				{
					name: 'API Key in a Cookie',
					value: 'cookieKey',
					description: 'Ory auth type api_key with in: cookie',
				},
				{
					name: 'Basic Auth',
					value: 'basicAuth',
					description: 'Ory auth type basic_auth',
				},
			],
			default: 'headerKey',
			description: 'Must match the auth type of the web_hook action in Ory',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Webhook-Secret',
			required: true,
			displayOptions: { show: { authType: ['headerKey'] } },
			description: 'The "name" of the api_key in Ory; case does not matter',
		},
		{
			displayName: 'Also Accept Authorization: Bearer',
			name: 'acceptBearer',
			type: 'boolean',
			default: true,
			displayOptions: { show: { authType: ['headerKey'] } },
			description:
				'Whether the secret is also accepted as "Authorization: Bearer <secret>", for Ory configurations that send it that way',
		},
		{
			displayName: 'Cookie Name',
			name: 'cookieName',
			type: 'string',
			default: 'ory_webhook_secret',
			required: true,
			displayOptions: { show: { authType: ['cookieKey'] } },
			description: 'The "name" of the api_key in Ory',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['headerKey', 'cookieKey'] } },
			description: 'The "value" of the api_key in Ory: at least 16 characters, ideally 32 random ones',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authType: ['basicAuth'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['basicAuth'] } },
			description: 'At least 16 characters, ideally 32 random ones',
		},
	];
}
