/** What the user sees: the parameters of MeherY Profile Update. */
import type { INodeProperties } from 'n8n-workflow';

import { DATE_INPUT_FORMAT_OPTION, TWO_DIGIT_YEARS_COVER_OPTION } from '../shared/dateParameters';
import { rememberWritesOption, whenOlderThanTargetOption } from '../shared/twoWaySync';
import { deliveryKeyOption } from '../shared/deliveryKeyOption';

export const DEFAULT_CONCURRENCY = 5;

export const meheryProfileUpdateProperties: INodeProperties[] = [
	{
		displayName:
			'MeherY silently ignores a code its customer master does not know. This node refuses such a code before any call: declare your tenant’s own codes under Custom Codes.',
		name: 'silentIgnoreNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Input Fields',
		name: 'inputFields',
		type: 'options',
		options: [
			{
				name: 'Map Automatically',
				value: 'autoMap',
				description:
					'Common names become MeherY codes (Email → email1, First_Name → firstName, Mobile → phone2, Phone → phone1, …); other input keys are left out',
			},
			{
				name: 'Input Keys Are MeherY Codes',
				value: 'codes',
				description:
					'Every key of the input (or of the object at Input Path) is sent as a MeherY code; a key that is not a code fails the item',
			},
			{ name: 'None', value: 'none', description: 'Only the fields set below are sent' },
		],
		default: 'autoMap',
	},
	{
		displayName: 'Input Path',
		name: 'inputPath',
		type: 'string',
		default: '',
		placeholder: 'body',
		displayOptions: { show: { inputFields: ['autoMap', 'codes'] } },
		description: 'Dotted path of the object holding the fields, e.g. "body" after a Webhook node; empty: the whole item',
	},
	{
		displayName: 'Ignore Input Keys',
		name: 'ignoreKeys',
		type: 'string',
		default: '',
		placeholder: 'token, source',
		displayOptions: { show: { inputFields: ['codes'] } },
		description: 'Input keys that are not MeherY codes and must not be sent, separated by commas',
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'MeherY codes and their values; they override values taken from the input',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Code',
						name: 'code',
						type: 'string',
						default: '',
						placeholder: 'firstName',
						description:
							'A MeherY field code, exactly as in the customer master: firstName, lastName, phone1…, email1…, altPhone1…, altEmail1…, or a declared custom code',
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
		// MeherY publishes no call that lists a tenant's customer master, so no resource mapper can load it.
		displayName: 'MeherY has no API that lists your customer master’s codes: copy them from its customer master fields screen.',
		name: 'customCodesNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Custom Codes',
		name: 'customCodes',
		type: 'fixedCollection',
		placeholder: 'Add Custom Code',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'The codes your tenant added to its customer master, declared once, with their kind',
		options: [
			{
				displayName: 'Custom Code',
				name: 'code',
				values: [
					{
						displayName: 'Code',
						name: 'code',
						type: 'string',
						default: '',
						placeholder: 'dateOfBirth',
					},
					{
						displayName: 'Kind',
						name: 'kind',
						type: 'options',
						options: [
							{ name: 'Date (Sent as MM-DD-YY, or as Set Under Date Format)', value: 'date' },
							{ name: 'Email (Lowercased)', value: 'email' },
							{ name: 'Phone', value: 'phone' },
							{ name: 'Text', value: 'text' },
						],
						default: 'text',
					},
				],
			},
		],
	},
	{
		displayName: 'Body Type',
		name: 'bodyType',
		type: 'options',
		options: [
			{ name: 'Form-Data (Multipart)', value: 'formData', description: 'What MeherY’s Zoho CRM guide sends' },
			{ name: 'Form URL-Encoded', value: 'urlEncoded' },
			{ name: 'JSON', value: 'json', description: 'A JSON map, as in MeherY’s Swagger' },
		],
		default: 'formData',
	},
	{
		displayName: 'Preview Only',
		name: 'previewOnly',
		type: 'boolean',
		default: false,
		description:
			'Whether to output, per item, the exact request (method, URL, headers with the key redacted, body) instead of sending it',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Concurrent Calls',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: DEFAULT_CONCURRENCY,
				description: 'Profile updates in flight at once for this credential, across all executions of this n8n',
			},
			{
				displayName: 'Date Format',
				name: 'dateFormat',
				type: 'options',
				options: [
					{
						name: 'MM-DD-YY',
						value: 'twoDigitYear',
						description: 'MeherY’s documented form (03-07-91); only dates inside Two-Digit Years Cover are sent',
					},
					{
						name: 'MM-DD-YYYY',
						value: 'fourDigitYear',
						description: 'With the century (03-07-1991), for tenants whose date fields accept four-digit years',
					},
				],
				default: 'twoDigitYear',
				description: 'How dates of custom date codes are sent',
			},
			DATE_INPUT_FORMAT_OPTION,
			{
				displayName: 'Default Country for Phones',
				name: 'defaultCountry',
				type: 'string',
				default: '',
				placeholder: 'IN',
				description:
					'ISO country code (IN, US, DE, … 54 countries) of numbers written without +: with it, a phone is sent in E.164 (+919876543210) where its reading is certain, and otherwise as typed, named under phoneNotes in the output; empty: phones are only trimmed',
			},
			deliveryKeyOption('MeherY'),
			rememberWritesOption,
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Asia/Kolkata',
				description: 'IANA time zone in which dates and date-times become MeherY dates; empty: the workflow’s time zone',
			},
			TWO_DIGIT_YEARS_COVER_OPTION,
			whenOlderThanTargetOption,
		],
	},
];
