/** What the user sees: the parameters of Generic CRM Webhook. */
import type { INodeProperties } from 'n8n-workflow';

import { DATE_INPUT_FORMAT_OPTION } from '../shared/dateParameters';
import { rememberWritesOption, whenOlderThanTargetOption } from '../shared/twoWaySync';

const nameValue = (nameLabel: string, namePlaceholder: string, valuePlaceholder: string): INodeProperties[] => [
	{ displayName: nameLabel, name: 'name', type: 'string', default: '', placeholder: namePlaceholder },
	{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: valuePlaceholder },
];

export const genericCrmProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Send Lead',
				value: 'sendLead',
				action: 'Send leads to the CRM',
				description:
					'Send every input item as a lead. A failed lead fails the run unless On Error continues: then it goes to the Failed output (regular output) or the Error output.',
			},
			{
				name: 'Send Test Lead',
				value: 'sendTestLead',
				action: 'Send a test lead to the CRM',
				description: 'Send one lead "Test Contact" (test@example.com, a timestamp as company) and report the CRM’s answer',
			},
		],
		default: 'sendLead',
	},
	{
		displayName:
			'The endpoint, its preset (Salesforce Web-to-Lead, HubSpot, Pipedrive, Zapier, Custom) and its authentication are set in the CRM Webhook API credential. What "synced" means depends on the CRM: Salesforce Web-to-Lead answers 200 to every post, even rejected ones, and emails errors to the org admin.',
		name: 'presetNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Map Input Fields Automatically',
		name: 'autoMap',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: ['sendLead'] } },
		description:
			'Whether to fill the CRM’s fields from the usual input names (email, name, first_name, firstName, phone, company, …), using the preset’s field names. Fields set below take precedence, under the names you type.',
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { operation: ['sendLead'] } },
		description:
			'A CRM field and the value to send in it (an expression reads the input item). The name goes out exactly as chosen or typed; custom fields by their API name.',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'CRM Field Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getCrmFields' },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Static Values',
		name: 'staticValues',
		type: 'fixedCollection',
		placeholder: 'Add Static Value',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'A value for every lead, e.g. lead_source = Chatbot, under the name typed; an expression is evaluated for each lead',
		options: [{ displayName: 'Value', name: 'value', values: nameValue('CRM Field Name', 'lead_source', 'Chatbot') }],
	},
	{
		displayName: 'Custom Headers',
		name: 'headers',
		type: 'fixedCollection',
		placeholder: 'Add Header',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Sent with every request, e.g. X-Source: BuildMyChatbot, User-Agent: BuildMyChatbot/1.0; an expression is evaluated for each lead. A Content-Type here overrides the preset’s.',
		options: [{ displayName: 'Header', name: 'header', values: nameValue('Name', 'X-Source', 'Chatbot') }],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 100,
				description: 'HubSpot upsert only: contacts per call (HubSpot accepts at most 100). Other presets send one lead per call.',
			},
			{
				displayName: 'Concurrent Calls',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 4,
				description: 'Calls in flight at once for this credential, across every execution of this n8n',
			},
			DATE_INPUT_FORMAT_OPTION,
			{
				displayName: 'Name Fallback',
				name: 'nameFallback',
				type: 'string',
				default: '',
				description: 'Pipedrive only: sent as name when a lead has neither a name nor first/last names (Pipedrive requires one)',
			},
			rememberWritesOption,
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: 'IANA time zone for dates; empty: UTC',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 300 },
				default: 30,
				description: 'How long one attempt may take. A call that timed out is resent only to an upsert or idempotent endpoint.',
			},
			whenOlderThanTargetOption,
		],
	},
];
