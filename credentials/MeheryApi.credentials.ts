import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { networkGuardOptions } from './NetworkGuardOptions';

/** The seed's path (and MeherY's Swagger), and the guide's since August 2025. */
const MEHERY_PATHS = {
	xms: '/xms/data/api/v1/profile/update',
	nexus: '/nexus/xms/api/v1/profile/update',
} as const;

/**
 * A MeherY tenant's Customer Profiles API: where it is, which tenant, the key, and what the
 * network guard lets it reach. The MeherY Profile Update node sets the x-api-key / x-api-id
 * headers itself, so Preview Only shows exactly what is sent.
 *
 * Test (the node's `meheryApiTest`, under the same egress guard and redirect policy as an update):
 * a POST to the update path with no body. MeherY finds the profile to update by a unique
 * phoneN/emailN and this request carries none, nor any value, so it cannot change a profile; it
 * still passes the same key, tenant and path checks as an update. 401/403 = wrong key, 404 =
 * wrong tenant or path, a connection error = unreachable host, a 2xx carrying MeherY's envelope
 * = reachable and accepted; a redirect, or a 2xx that is not MeherY's answer, fails the test.
 */
export class MeheryApi implements ICredentialType {
	/** For the node, which builds the same URL; the class stays the module's only export, as n8n's loader expects. */
	static readonly updatePaths = MEHERY_PATHS;

	name = 'meheryApi';

	displayName = 'MeherY API';

	icon = { light: 'file:../nodes/MeheryProfileUpdate/mehery.svg', dark: 'file:../nodes/MeheryProfileUpdate/mehery.dark.svg' } as const;

	documentationUrl = 'https://docs.mehery.com/';

	properties: INodeProperties[] = [
		{
			displayName:
				'Test sends a POST with no body to the update path. It names no phone or email, so MeherY cannot match or change any profile; 401/403 means a wrong key, 404 a wrong tenant or path. Redirects are never followed, so the key stays on this host.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://demo.mehery.com',
			required: true,
			description: 'Your MeherY domain, without a path; https:// unless Allow Plain HTTP is on',
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
		...networkGuardOptions({
			target: 'base URL',
			useCase: 'a MeherY on your own network',
			carried: 'Profiles and the API key',
		}),
	];
}
