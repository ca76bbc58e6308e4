import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * How SecuTix S-360 proves to n8n that a "Firehose contact / Webhook contact v2" push comes
 * from S-360, matching what the interface form offers: nothing (Authentication mode NONE, as
 * in the seed), its Login/Password fields sent as HTTP Basic auth, or a shared token put into
 * its free "Custom parameters (key=value)" field.
 *
 * Which protocols S-360 offers and whether custom parameters travel in the query string or
 * as headers is not public (external-apis.md: unknown), so the token is accepted in either
 * place by default.
 *
 * n8n receives this secret, it never sends it: the Test button is the trigger's
 * `s360FirehoseApiTest` method, which checks the settings and answers with what to type into
 * S-360's form, without the secret.
 */
export class S360FirehoseApi implements ICredentialType {
	name = 's360FirehoseApi';

	displayName = 'S-360 Firehose API';

	icon = {
		light: 'file:../nodes/S360FirehoseTrigger/s360.svg',
		dark: 'file:../nodes/S360FirehoseTrigger/s360.dark.svg',
	} as const;

	documentationUrl = 'https://platform.secutix.com/backend/contacts/update_profile';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'None',
					value: 'none',
					description: 'Authentication mode NONE in S-360: anyone who knows the URL can push contacts',
				},
				{
					name: 'Basic Auth (Login / Password)',
					value: 'basicAuth',
					description: 'The Login and Password fields of the S-360 interface form',
				},
				{
					name: 'Shared Token (Custom Parameter)',
					value: 'customParameter',
					description: 'A key=value line in the form’s Custom parameters, checked in the query string or a header',
				},
			],
			default: 'customParameter',
		},
		{
			displayName: 'Login',
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
		{
			displayName: 'Parameter Name',
			name: 'parameterName',
			type: 'string',
			default: 'token',
			required: true,
			displayOptions: { show: { authType: ['customParameter'] } },
			description: 'The key of the key=value line in S-360’s Custom parameters',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['customParameter'] } },
			description: 'The value of the key=value line: at least 16 characters, ideally 32 random ones',
		},
		{
			displayName: 'Accept the Token In',
			name: 'parameterIn',
			type: 'options',
			options: [
				{ name: 'Query String or Header', value: 'either' },
				{ name: 'Query String Only', value: 'query' },
				{ name: 'Header Only', value: 'header' },
			],
			default: 'either',
			displayOptions: { show: { authType: ['customParameter'] } },
			description:
				'Where S-360 puts custom parameters is not documented publicly; keep both unless you have seen which one your S-360 uses',
		},
	];
}
