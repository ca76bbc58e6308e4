import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { networkGuardOptions } from './NetworkGuardOptions';

/**
 * One CRM endpoint, set once and reused by every workflow: which kind of endpoint it is (the
 * preset), its URL, what the network guard lets it reach, and how requests authenticate. The Test
 * button sends a test lead ("Test Contact", test@example.com, a timestamp as company) to the
 * endpoint, through the Generic CRM Webhook node's `crmWebhookApiTest` method.
 */
export class CrmWebhookApi implements ICredentialType {
	name = 'crmWebhookApi';

	displayName = 'CRM Webhook API';

	icon = { light: 'file:../nodes/GenericCrmWebhook/genericCrm.svg', dark: 'file:../nodes/GenericCrmWebhook/genericCrm.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-contact-sync/n8n-nodes-contact-sync#generic-crm-webhook';

	properties: INodeProperties[] = [
		{
			displayName: 'Preset',
			name: 'preset',
			type: 'options',
			options: [
				{ name: 'Custom Endpoint', value: 'custom', description: 'Any URL: POST, PUT or PATCH; JSON, form or multipart' },
				{ name: 'HubSpot', value: 'hubspot', description: 'CRM v3 contacts: batch upsert by email (100 per call) or create' },
				{ name: 'Pipedrive', value: 'pipedrive', description: 'POST /v1/persons' },
				{ name: 'Salesforce Web-to-Lead', value: 'salesforceWebToLead', description: 'The Web-to-Lead form endpoint' },
				{ name: 'Zapier Catch Hook', value: 'zapier', description: 'A "Webhooks by Zapier" catch hook' },
			],
			default: 'custom',
		},
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://hooks.zapier.com/hooks/catch/123456/abcdef/',
			description:
				'Custom and Zapier: required. Empty takes the preset’s standard URL: HubSpot https://api.hubapi.com (the API base), Pipedrive https://api.pipedrive.com/v1/persons (or https://&lt;company&gt;.pipedrive.com/api/v1/persons), Salesforce https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8.',
		},
		{
			displayName:
				'Salesforce answers every Web-to-Lead post with HTTP 200 and an HTML page, also when it rejects the lead: errors go to your org admin by email (Setup → Web-to-Lead → Default Creator), and at most 500 leads a day are accepted. "synced" therefore means "Salesforce took the form".',
			name: 'salesforceNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { preset: ['salesforceWebToLead'] } },
		},
		{
			displayName: 'Organization ID (oid)',
			name: 'salesforceOrgId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '00D5g000004XXXX',
			description: 'The oid of the form Salesforce generated for you (Setup → Company Information → Salesforce.com Organization ID)',
			displayOptions: { show: { preset: ['salesforceWebToLead'] } },
		},
		{
			displayName: 'HubSpot Operation',
			name: 'hubspotOperation',
			type: 'options',
			options: [
				{
					name: 'Upsert by Email (Batch)',
					value: 'upsert',
					description: 'Creates or updates the contact with that email, up to 100 per call; safe to resend',
				},
				{
					name: 'Create',
					value: 'create',
					description: 'One call per lead; an existing email is reported as failed with "already exists" and its ID',
				},
			],
			default: 'upsert',
			displayOptions: { show: { preset: ['hubspot'] } },
		},
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: [
				{ name: 'POST', value: 'POST' },
				{ name: 'PUT', value: 'PUT' },
				{ name: 'PATCH', value: 'PATCH' },
			],
			default: 'POST',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'Body Type',
			name: 'bodyType',
			type: 'options',
			options: [
				{ name: 'JSON', value: 'json' },
				{ name: 'Form (URL-Encoded)', value: 'form' },
				{ name: 'Multipart Form Data', value: 'multipart' },
			],
			default: 'json',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'Success Path',
			name: 'successPath',
			type: 'string',
			default: '',
			placeholder: 'status',
			description:
				'A dotted path in the JSON answer that must hold the Success Value for a lead to count as synced. Empty: any 2xx answer is success.',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'Success Value',
			name: 'successValue',
			type: 'string',
			default: '',
			placeholder: 'ok',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'CRM ID Path',
			name: 'crmIdPath',
			type: 'string',
			default: '',
			placeholder: 'data.id',
			description: 'Where the new record’s ID is in the JSON answer. Empty: id, data.id or result.id.',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'Endpoint Is Idempotent',
			name: 'idempotent',
			type: 'boolean',
			default: false,
			description:
				'Whether sending the same lead twice cannot create a duplicate (the endpoint upserts). Only then is a call that timed out or got a 5xx sent again; otherwise it fails as "may have been applied".',
			displayOptions: { show: { preset: ['custom'] } },
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Bearer Token', value: 'bearer', description: 'Authorization: Bearer <token> (HubSpot private apps)' },
				{ name: 'API Key in a Header', value: 'headerKey', description: 'e.g. X-API-Key, or Pipedrive’s x-api-token' },
				{ name: 'API Key as a Query Parameter', value: 'queryKey', description: 'e.g. Pipedrive’s ?api_token=' },
				{ name: 'Basic Auth', value: 'basic' },
			],
			default: 'none',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['bearer'] } },
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-API-Key',
			required: true,
			displayOptions: { show: { authentication: ['headerKey'] } },
		},
		{
			displayName: 'Query Parameter Name',
			name: 'queryName',
			type: 'string',
			default: 'api_token',
			required: true,
			displayOptions: { show: { authentication: ['queryKey'] } },
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['headerKey', 'queryKey'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['basic'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['basic'] } },
		},
		...networkGuardOptions({
			target: 'URL (and any redirect)',
			useCase: 'a CRM on your intranet',
			carried: 'Leads and the credential (token, key, password)',
		}),
	];

	/** Applied by n8n to every request the node sends with this credential. */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return applyCrmAuthentication(credentials, requestOptions);
	}
}

/** The credential's authentication on a request (also used by the Test button, which has no n8n helper for it). */
export function applyCrmAuthentication(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): IHttpRequestOptions {
	const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
	const options: IHttpRequestOptions = { ...requestOptions, headers };
	switch (credentials.authentication) {
		case 'bearer':
			headers.Authorization = `Bearer ${String(credentials.token ?? '')}`;
			break;
		case 'headerKey':
			headers[String(credentials.headerName || 'X-API-Key')] = String(credentials.apiKey ?? '');
			break;
		case 'queryKey':
			options.qs = { ...(requestOptions.qs ?? {}), [String(credentials.queryName || 'api_token')]: String(credentials.apiKey ?? '') };
			break;
		case 'basic':
			options.auth = { username: String(credentials.username ?? ''), password: String(credentials.password ?? '') };
			break;
		default:
			break;
	}
	return options;
}

/** The values of this credential that must never appear in an output, error or log. */
export function crmCredentialSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const secrets = [credentials.token, credentials.apiKey, credentials.password].filter(
		(value): value is string => typeof value === 'string' && value !== '',
	);
	// Basic auth travels as base64 of "user:password".
	if (credentials.authentication === 'basic' && typeof credentials.password === 'string' && credentials.password) {
		secrets.push(Buffer.from(`${String(credentials.username ?? '')}:${credentials.password}`).toString('base64'));
	}
	return secrets;
}
