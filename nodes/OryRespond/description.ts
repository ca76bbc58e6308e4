/** What the user sees: the parameters of Ory Respond. */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_INTERRUPT_STATUS, DEFAULT_MESSAGE_ID } from './responseBody';

function fieldValues(part: string, example: string): INodeProperties[] {
	return [
		{
			displayName: 'Field',
			name: 'path',
			type: 'string',
			default: '',
			placeholder: example,
			description: `Name of the ${part} field; dots go into nested objects (name.first)`,
		},
		{
			displayName: 'Value',
			name: 'value',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Type',
			name: 'valueType',
			type: 'options',
			options: [
				{ name: 'Boolean', value: 'boolean' },
				{ name: 'JSON', value: 'json', description: 'For lists and objects' },
				{ name: 'Null', value: 'null' },
				{ name: 'Number', value: 'number' },
				{ name: 'String', value: 'string' },
			],
			default: 'string',
		},
	];
}

function identityPart(displayName: string, name: string, part: string, example: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { respondWith: ['updateIdentity'] } },
		options: [{ displayName: 'Field', name: 'field', values: fieldValues(part, example) }],
	};
}

export const oryRespondProperties: INodeProperties[] = [
	{
		displayName:
			'Answers the Ory request that started this run. The Ory Webhook Trigger must be set to Respond: From the Workflow, and the Ory web_hook to response.parse: true.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Respond With',
		name: 'respondWith',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Change the Identity',
				value: 'updateIdentity',
				description: 'Answer 200 with new traits or metadata; Ory stores them with the identity',
			},
			{
				name: 'Interrupt the Flow With Messages',
				value: 'interrupt',
				description: 'Answer 4xx with validation messages; Ory stops the flow and shows them at the fields',
			},
			{
				name: 'Let the Flow Continue',
				value: 'continue',
				description: 'Answer 204; Ory goes on without changes',
			},
		],
		default: 'continue',
	},
	{
		displayName: 'Status Code',
		name: 'statusCode',
		type: 'number',
		typeOptions: { minValue: 400, maxValue: 499 },
		default: DEFAULT_INTERRUPT_STATUS,
		displayOptions: { show: { respondWith: ['interrupt'] } },
		description: 'Any 4xx; Ory treats them alike when the body carries messages',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		placeholder: 'Add Message',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { respondWith: ['interrupt'] } },
		options: [
			{
				displayName: 'Message',
				name: 'message',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: 'email',
						placeholder: 'email',
						description:
							'The trait the message belongs to (email, name.first) or a JSON pointer (#/traits/email); empty: the whole form',
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'This email address is not allowed',
					},
					{
						displayName: 'Message ID',
						name: 'id',
						type: 'number',
						default: DEFAULT_MESSAGE_ID,
						description: 'Ory message ID; user interfaces may translate by it',
					},
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Error', value: 'error' },
							{ name: 'Info', value: 'info' },
						],
						default: 'error',
					},
				],
			},
		],
	},
	identityPart('Traits', 'traits', 'trait', 'name.first'),
	identityPart('Public Metadata', 'metadataPublic', 'metadata_public', 'plan'),
	identityPart('Admin Metadata', 'metadataAdmin', 'metadata_admin', 'crmId'),
	{
		displayName: 'Keep Other Values',
		name: 'keepOtherValues',
		type: 'boolean',
		default: true,
		displayOptions: { show: { respondWith: ['updateIdentity'] } },
		description:
			'Whether traits and metadata not set above are sent back as the trigger received them. Ory replaces traits and each metadata part whole, so turning this off drops them.',
	},
];
