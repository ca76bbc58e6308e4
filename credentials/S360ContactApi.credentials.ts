import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { networkGuardOptions } from './NetworkGuardOptions';

/**
 * A partner's access to an S-360 institution's contact service (SecuTix ContactInformationPublicService),
 * through its JSON REST-RPC form: `POST <base URL>/tnco/backend-apis/contactInformationPublicService/<version>/<method>`
 * with `Authorization: Bearer <JWT>`. The S-360 Save Contact node signs that JWT itself for every
 * call (HS256 with the shared secret; sub = institution code, aud = virtual operator, iss = partner
 * name, iat in epoch milliseconds, exp a few seconds later), so the secret never leaves n8n.
 *
 * Test (the node's `s360ContactApiTest`): a getContactData for contact number 0, which reads and
 * changes nothing. 401 = the secret or a claim was refused; 403/404 = the institution; no
 * connection = the host.
 */
export class S360ContactApi implements ICredentialType {
	name = 's360ContactApi';

	displayName = 'S-360 Contact API';

	icon = {
		light: 'file:../nodes/S360SaveContact/s360.svg',
		dark: 'file:../nodes/S360SaveContact/s360.dark.svg',
	} as const;

	documentationUrl = 'https://platform.secutix.com/backend/standards/rest';

	properties: INodeProperties[] = [
		{
			displayName:
				'Test reads contact number 0 (getContactData), which changes nothing. Every call carries a JWT the node signs with the shared secret; the secret itself is never sent.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://mosa.demo-ws.secutix.com',
			required: true,
			description:
				'The institution’s web-service host, without a path: https://<institution>.ws.secutix.com for production, https://<institution>.demo-ws.secutix.com for the demo environment',
		},
		{
			displayName: 'Institution Code',
			name: 'institution',
			type: 'string',
			default: '',
			placeholder: 'MOSA',
			required: true,
			description: 'Sent as the JWT’s sub claim',
		},
		{
			displayName: 'Virtual Operator',
			name: 'virtualOperator',
			type: 'string',
			default: '',
			placeholder: 'MOSA_B2C',
			required: true,
			description: 'Sent as the JWT’s aud claim',
		},
		{
			displayName: 'Partner Name',
			name: 'partnerName',
			type: 'string',
			default: '',
			required: true,
			description: 'Sent as the JWT’s iss claim, as SecuTix registered the partner',
		},
		{
			displayName: 'Shared Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The partner’s password from SecuTix: it signs each call’s JWT (HS256) and is never sent',
		},
		{
			displayName: 'Contact Service Version',
			name: 'serviceVersion',
			type: 'string',
			default: 'v2_21',
			description: 'The version in the URL; v2_21 is the latest frozen version of the contact service',
		},
		{
			displayName: 'Calls per Window',
			name: 'rateLimit',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 180,
			description:
				'Calls S-360 accepts per window for this institution, across all its endpoints (SecuTix’s current rate-limit page: 180 a minute; older pages: 60 a minute per endpoint; some contracts allow more). Every node using this credential in this n8n process shares it.',
		},
		{
			displayName: 'Window (Seconds)',
			name: 'rateWindowSeconds',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 60,
			description: 'Length of the window the limit counts in: 60 for S-360’s per-minute limit',
		},
		{
			displayName: 'JWT Expiry (Seconds)',
			name: 'expirySeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 30, numberPrecision: 0 },
			default: 30,
			description: 'Seconds between the JWT’s iat and exp; SecuTix accepts at most 30',
		},
		...networkGuardOptions({
			target: 'base URL',
			useCase: 'an S-360 test double or proxy on your own network',
			carried: 'Contacts and the signed tokens',
		}),
	];
}
