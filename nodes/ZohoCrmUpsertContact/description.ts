/** What the user sees: the parameters of Zoho CRM Upsert Contact. */
import type { INodeProperties } from 'n8n-workflow';
import { DATE_INPUT_FORMAT_OPTION } from '../shared/dateParameters';
import { deliveryKeyOption } from '../shared/deliveryKeyOption';
import type { TargetSchema } from '../shared/fieldMapping';
import { ZOHO_CONTACTS, ZOHO_LEADS } from './schema';
import { rememberWritesOption, whenOlderThanTargetOption } from '../shared/twoWaySync';

function standardFieldOptions(schema: TargetSchema): INodeProperties[] {
	return schema.fields
		.map((field) => ({
			displayName: field.displayName,
			name: field.name,
			type: 'string' as const,
			default: '',
			description: `Zoho API name: ${field.name}${field.kind === 'date' ? ' (sent as yyyy-MM-dd; see the Date Input Format option)' : ''}`,
		}))
		.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** Which Zoho CRM credential a node uses; every Zoho node offers both. */
export const ZOHO_AUTHENTICATION_PROPERTY: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Refresh Token (Self Client)', value: 'refreshToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'refreshToken',
};

/** The Zoho CRM module a node works on. */
export const ZOHO_MODULE_PROPERTY: INodeProperties = {
	displayName: 'Module',
	name: 'module',
	type: 'options',
	options: [
		{ name: 'Contacts', value: 'Contacts' },
		{ name: 'Leads', value: 'Leads' },
	],
	default: 'Contacts',
};

/** The credentials of a Zoho node, each shown for its Authentication choice. */
export const ZOHO_CREDENTIALS = [
	{ name: 'zohoCrmRefreshTokenApi', required: true, displayOptions: { show: { authentication: ['refreshToken'] } } },
	{ name: 'zohoCrmOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
];

export const zohoUpsertProperties: INodeProperties[] = [
	ZOHO_AUTHENTICATION_PROPERTY,
	{ ...ZOHO_MODULE_PROPERTY, description: 'The Zoho CRM module records are upserted into' },
	{
		displayName: 'Map Input Fields Automatically',
		name: 'autoMap',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@version': [1] } },
		description:
			'Whether to fill Zoho fields from common input names (email, first_name, firstName, given_name, name.first, last_name, phone, company, …). Fields set below take precedence.',
	},
	{
		displayName: 'Contact Fields',
		name: 'contactFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { '@version': [1], module: ['Contacts'] } },
		options: standardFieldOptions(ZOHO_CONTACTS),
	},
	{
		displayName: 'Lead Fields',
		name: 'leadFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { '@version': [1], module: ['Leads'] } },
		options: standardFieldOptions(ZOHO_LEADS),
	},
	{
		displayName: 'Other Fields',
		name: 'otherFields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { '@version': [1] } },
		description: 'Any field of the module, custom fields included, by its API name',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getModuleFields', loadOptionsDependsOn: ['module'] },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Map Fields',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		displayOptions: { show: { '@version': [2] } },
		typeOptions: {
			loadOptionsDependsOn: ['module', 'authentication'],
			resourceMapper: {
				resourceMapperMethod: 'getMappingFields',
				mode: 'upsert',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: true,
				supportAutoMap: true,
				matchingFieldsLabels: {
					title: 'Duplicate Check Fields',
					description: 'The fields Zoho matches existing records on, in this order',
					hint: 'None chosen: Zoho’s default (Email, then unique fields)',
				},
			},
		},
		description:
			'Map Automatically fills the fields from common input names (email, first_name, given_name, name.first, …) and input keys spelled as a Zoho field; Define Below sets each field from a value or expression',
	},
	{
		displayName: 'Duplicate Check Fields',
		name: 'duplicateCheckFields',
		type: 'string',
		default: 'Email',
		placeholder: 'Email, Phone',
		displayOptions: { show: { '@version': [1] } },
		description:
			'API names of the fields Zoho matches existing records on, in order, separated by commas. Empty: Zoho’s default (Email, then unique fields).',
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
				description: 'Records per Zoho call (Zoho accepts at most 100)',
			},
			{
				displayName: 'Concurrent Calls',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 25 },
				default: 4,
				description:
					'Upsert calls in flight at once. Zoho allows 5 (Free) to 25 (Ultimate) per org, shared with every other integration.',
			},
			DATE_INPUT_FORMAT_OPTION,
			deliveryKeyOption('Zoho'),
			{
				displayName: 'Include Record Details',
				name: 'includeRecordDetails',
				type: 'boolean',
				default: false,
				description:
					'Whether each written item also carries Zoho’s details of the record (created and modified time and user) as `details`. Off: the item holds the status, action, ID and attempts, and n8n stores and passes on about half as much per item.',
			},
			{
				displayName: 'Last Name Fallback',
				name: 'lastNameFallback',
				type: 'string',
				default: '',
				description: 'Sent as Last_Name when an item has none (Zoho requires it); empty: such items fail before any call',
			},
			rememberWritesOption,
			{
				displayName: 'Require Duplicate Check Value',
				name: 'requireDuplicateCheckValue',
				type: 'boolean',
				default: true,
				description:
					'Whether an item with no value in any duplicate-check field fails before any call. Zoho inserts such a record as new every time, so a second run creates a duplicate.',
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: 'IANA time zone for dates and date-times; empty: the workflow’s time zone',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 300 },
				default: 30,
				description:
					'How long one call may take before it is abandoned. A call that timed out is sent again only when every record in it has a duplicate-check value; otherwise its items fail as “may have been applied”.',
			},
			whenOlderThanTargetOption,
			{
				displayName: 'Workflows to Trigger in Zoho',
				name: 'trigger',
				type: 'options',
				options: [
					{ name: 'All (Zoho Default)', value: 'all' },
					{ name: 'None', value: 'none' },
					{ name: 'Workflow and Approval', value: 'workflow,approval' },
					{ name: 'Workflow Only', value: 'workflow' },
					{ name: 'Workflow, Approval and Blueprint', value: 'workflow,approval,blueprint' },
				],
				default: 'all',
				description: 'Which Zoho automations the upsert may start',
			},
		],
	},
];
