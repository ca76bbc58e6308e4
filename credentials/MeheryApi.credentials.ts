import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A MeherY tenant's Customer Profiles API: where it is, which tenant, and the key. The
 * MeherY Profile Update node sets the x-api-key / x-api-id headers itself, so Preview Only shows
 * exactly what is sent. Its Test button (run by the node's `meheryApiTest`) POSTs an empty JSON
 * object to the update path: with no unique key and no value it cannot change a profile, and it
 * tells a wrong key (401/403) from a wrong tenant or path (404) and an unreachable host.
 */
export class MeheryApi implements ICredentialType {
	name = 'meheryApi';

	displayName = 'MeherY API';

	icon = { light: 'file:../nodes/MeheryProfileUpdate/mehery.svg', dark: 'file:../nodes/MeheryProfileUpdate/mehery.dark.svg' } as const;

	documentationUrl = 'https://docs.mehery.com/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://demo.mehery.com',
			required: true,
			description: 'Your MeherY domain, without a path',
		},
		{
			displayName: 'Tenant Code',
			name: 'tenant',
			type: 'string',
			default: '',
			placeholder: 'demo',
			required: true,
			description: 'Sent as the tnt query parameter',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Sent as the x-api-key header',
		},
		{
			displayName: 'API ID',
			name: 'apiId',
			type: 'string',
			default: '',
			description: 'Sent as the x-api-id header when set (MeherY’s Swagger lists it as optional)',
		},
		{
			displayName: 'API Path',
			name: 'apiPath',
			type: 'options',
			options: [
				{ name: '/Xms/data/api/v1/profile/update (Swagger, Zoho Guide Before Aug 2025)', value: 'xms' },
				{ name: '/Nexus/xms/api/v1/profile/update (Guide Since Aug 2025)', value: 'nexus' },
				{ name: 'Custom', value: 'custom' },
			],
			default: 'xms',
		},
		{
			displayName: 'Custom Path',
			name: 'customPath',
			type: 'string',
			default: '',
			placeholder: '/xms/data/api/v1/profile/update',
			displayOptions: { show: { apiPath: ['custom'] } },
			description: 'Path of the profile update endpoint, starting with /; the tenant is added as ?tnt=',
		},
	];
}
