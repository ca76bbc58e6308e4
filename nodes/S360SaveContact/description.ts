/** What the user sees: the parameters of S-360 Save Contact. */
import type { INodeProperties } from 'n8n-workflow';

import { DATE_INPUT_FORMAT_OPTION } from '../shared/dateParameters';
import { S360_INDIVIDUAL } from './contact';
import { rememberWritesOption, whenOlderThanTargetOption } from '../shared/twoWaySync';

export const DEFAULT_CONCURRENCY = 4;

export const s360SaveContactProperties: INodeProperties[] = [
	{
		displayName:
			'Each contact is one call to saveIndividualContactData (plus one searchContact when it has no contact number). S-360 accepts only so many calls a minute (the credential’s Calls per Window): larger runs wait for the window, and the node says how long.',
		name: 'rateNotice',
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
					'Common names (Zoho, Ory, MeherY, S-360) become S-360 fields: Email, First_Name, traits.name.first, email1, Mailing_City, Date_of_Birth, contactNumber, optIns, criteria …; other keys are left out',
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
		displayOptions: { show: { inputFields: ['autoMap'] } },
		description: 'Dotted path of the object holding the fields, e.g. "body" after a Webhook node; empty: the whole item',
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'S-360 fields and their values, sent as typed (a birth date is read and sent as yyyy-MM-dd); they override values taken from the input',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'options',
						options: S360_INDIVIDUAL.fields.map((field) => ({ name: field.displayName, value: field.name })),
						default: 'email',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Opt-Ins',
		name: 'optIns',
		type: 'fixedCollection',
		placeholder: 'Add Opt-In',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'S-360 AUTHORIZATIONS: the authorization code of your institution and whether the contact granted it',
		options: [
			{
				displayName: 'Opt-In',
				name: 'optIn',
				values: [
					{ displayName: 'Authorization Code', name: 'code', type: 'string', default: '', placeholder: 'NEWSLETTER' },
					{ displayName: 'Granted', name: 'granted', type: 'boolean', default: false, description: 'Whether the contact gave this consent' },
				],
			},
		],
	},
	{
		displayName: 'Criteria',
		name: 'criteria',
		type: 'fixedCollection',
		placeholder: 'Add Criterion',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'S-360 CRITERIA: criterion code and value, sent as typed',
		options: [
			{
				displayName: 'Criterion',
				name: 'criterion',
				values: [
					{ displayName: 'Criterion Code', name: 'code', type: 'string', default: '', placeholder: 'FAVOURITE_GENRE' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Without a Contact Number',
		name: 'withoutContactNumber',
		type: 'options',
		options: [
			{
				name: 'Find by Email, Else Create',
				value: 'findByEmail',
				description: 'Finds the contact with searchContact by email: one match is updated, none is created, several fail the item',
			},
			{ name: 'Always Create', value: 'create', description: 'Every contact without a number becomes a new S-360 individual' },
		],
		default: 'findByEmail',
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
				typeOptions: { minValue: 1, maxValue: 20 },
				default: DEFAULT_CONCURRENCY,
				description: 'Contacts in flight at once for this credential across all executions; the credential’s rate window limits calls per minute on top',
			},
			DATE_INPUT_FORMAT_OPTION,
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Zurich',
				description: 'IANA time zone in which a birth date written as a date-time is read as a day; empty: the workflow’s time zone',
			},
			{
				displayName: 'Request Parameter Name',
				name: 'requestParameter',
				type: 'string',
				default: 'individualContactData',
				description:
					'Name under which the contact goes in the saveIndividualContactData JSON body. SecuTix documents the body only by SOAP example; change it if your institution’s REST-RPC template names it otherwise.',
			},
			rememberWritesOption,
			{
				...whenOlderThanTargetOption,
				description: `${whenOlderThanTargetOption.description}. Unless set to Write It Anyway, an existing contact (by its number or found by email) is also read first, one more call within the rate limit: its own modification time is weighed, since S-360 reports its edits to n8n only at the firehose’s next interval, and a contact that already holds every value is not saved again.`,
			},
		],
	},
];
