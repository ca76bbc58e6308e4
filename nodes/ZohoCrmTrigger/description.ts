/** What the user sees: the parameters of Zoho CRM Trigger. */
import type { INodeProperties } from 'n8n-workflow';

import { RAW_BODY_PARAMETER } from '../shared/rawBody';
import { maxBodySizeOption } from '../shared/webhookIntake';
import { ZOHO_AUTHENTICATION_PROPERTY, ZOHO_MODULE_PROPERTY } from '../ZohoCrmUpsertContact/description';
import { dropEchoesSetting } from '../shared/twoWaySync';

/** One week: the longest channel Zoho's API v8 keeps. */
export const DEFAULT_CHANNEL_LIFETIME_MINUTES = 7 * 24 * 60;
/** Zoho's user-defined bodies are at most 10,000 characters; notifications of 100s of ids a few KB. */
export const DEFAULT_MAX_BODY_KB = 256;
export const DEFAULT_TOKEN_PARAMETER = 'token';
export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd';

const automatic = { show: { source: ['notifications'] } };
const workflowRule = { show: { source: ['workflowRule'] } };

export const zohoCrmTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Automatic: on publishing, this node subscribes itself in Zoho (Notifications API) to the chosen events of the module, keeps the subscription alive (renewed when half its life is left) and removes it when the workflow is unpublished. The credential’s refresh token needs the scope ZohoCRM.notifications.ALL besides ZohoCRM.modules.ALL. Zoho must reach the Production URL over HTTPS on port 443.',
		name: 'automaticNotice',
		type: 'notice',
		default: '',
		displayOptions: automatic,
	},
	{
		displayName:
			'In Zoho: Setup → Automation → Actions → Webhooks → Configure Webhook. URL to Notify: this node’s Production URL; Method: POST (or GET); Module: the one chosen here; an entity parameter named ID with the record’s ID, and fields named by Zoho API name or plain name (Email, First_Name, Last_Name, Phone, Mobile, Date_of_Birth, Modified_Time); a custom parameter named as Verification Parameter, with the token below as its value. Then attach the webhook to a workflow rule (Setup → Automation → Workflow Rules).',
		name: 'workflowRuleNotice',
		type: 'notice',
		default: '',
		displayOptions: workflowRule,
	},
	ZOHO_AUTHENTICATION_PROPERTY,
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Automatic (Notifications API)',
				value: 'notifications',
				description: 'The node subscribes itself in Zoho; nothing to set up there',
			},
			{
				name: 'From a Workflow Rule Webhook',
				value: 'workflowRule',
				description: 'A webhook you configure in Zoho and attach to a workflow rule',
			},
		],
		default: 'notifications',
	},
	{ ...ZOHO_MODULE_PROPERTY, description: 'The Zoho CRM module whose records start the workflow' },
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'Create', value: 'create', description: 'A record was created' },
			{ name: 'Edit', value: 'edit', description: 'A record was changed' },
			{ name: 'Delete', value: 'delete', description: 'A record was deleted (the item carries only its ID)' },
		],
		default: ['create', 'edit'],
		required: true,
		displayOptions: automatic,
	},
	{
		displayName: 'Verification Parameter',
		name: 'verificationParameter',
		type: 'string',
		default: DEFAULT_TOKEN_PARAMETER,
		description: 'Name of the custom parameter (or header) that carries the token in Zoho’s webhook',
		displayOptions: workflowRule,
	},
	{
		displayName: 'Token',
		name: 'webhookToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description:
			'A long random value (at least 16 characters; letters, digits, -._~) that you also put into the webhook’s custom parameter in Zoho. A request without it is refused with 401 and starts nothing.',
		displayOptions: workflowRule,
	},
	{
		displayName: 'Token Sent In',
		name: 'tokenIn',
		type: 'options',
		options: [
			{ name: 'Query or Form Parameter, or Header', value: 'either' },
			{ name: 'Query or Form Parameter', value: 'parameter' },
			{ name: 'Header', value: 'header' },
		],
		default: 'either',
		displayOptions: workflowRule,
	},
	{
		displayName: 'Fetch Full Record',
		name: 'fetchFullRecord',
		type: 'boolean',
		default: false,
		description:
			'Whether to read the record through the credential by the ID the webhook sends, so the item has every field, not only the (at most 10) the webhook carries. The webhook then needs only the record ID.',
		displayOptions: workflowRule,
	},
	{
		displayName: 'Respond',
		name: 'responseMode',
		type: 'options',
		options: [
			{
				name: 'Acknowledge After Success',
				value: 'lastNode',
				description:
					'Answer 200 when the run succeeded and 500 when it failed, so Zoho’s retry (a workflow webhook is tried once more after 15 minutes) covers a failed run',
			},
			{
				name: 'Acknowledge at Once',
				value: 'onReceived',
				description: 'Answer 200 as soon as the run has started; Zoho never learns of a failed run',
			},
		],
		default: 'lastNode',
	},
	{
		displayName: 'Options',
		name: 'settings',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Additional Fields',
				name: 'additionalFields',
				type: 'string',
				default: '',
				placeholder: 'Account_Name,Lead_Source',
				description:
					'Comma-separated API names read besides Email, First_Name, Last_Name, Phone, Mobile, Date_of_Birth, Modified_Time and Created_Time (at most 50 in all)',
			},
			{
				displayName: 'Channel Lifetime (Minutes)',
				name: 'channelLifetimeMinutes',
				type: 'number',
				typeOptions: { minValue: 2, maxValue: DEFAULT_CHANNEL_LIFETIME_MINUTES },
				default: DEFAULT_CHANNEL_LIFETIME_MINUTES,
				description:
					'How long each subscription asks Zoho to live (at most one week, Zoho’s maximum in API v8); the node renews it when half of that is left',
				displayOptions: { show: { '/source': ['notifications'] } },
			},
			{
				displayName: 'Date Format',
				name: 'dateFormat',
				type: 'string',
				default: DEFAULT_DATE_FORMAT,
				description:
					'The date format chosen for the webhook in Zoho, as a Luxon format (yyyy-MM-dd, dd/MM/yyyy, MM/dd/yyyy, dd.MM.yyyy, MMM d, yyyy …)',
				displayOptions: { show: { '/source': ['workflowRule'] } },
			},
			{
				displayName: 'Date-Time Format',
				name: 'dateTimeFormat',
				type: 'string',
				default: '',
				placeholder: 'dd/MM/yyyy HH:mm',
				description:
					'The date-time format chosen for the webhook in Zoho, as a Luxon format. Empty: ISO 8601 (2024-03-07T14:05:09+01:00).',
				displayOptions: { show: { '/source': ['workflowRule'] } },
			},
			dropEchoesSetting,
			{
				displayName: 'Drop Redeliveries',
				name: 'dropRedeliveries',
				type: 'boolean',
				default: true,
				description:
					'Whether a change already delivered by a run that succeeded (same record ID and Modified_Time) starts nothing when Zoho sends it again. Remembered 24 hours by the n8n instance that took the request; set the writing node’s Delivery Key to the item’s deliveryKey to cover every instance (queue mode).',
			},
			maxBodySizeOption(DEFAULT_MAX_BODY_KB, 65536),
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description:
					'The time zone chosen for the webhook in Zoho (IANA name): date-times without an offset are read in it. Empty: the workflow’s time zone.',
				displayOptions: { show: { '/source': ['workflowRule'] } },
			},
		],
	},
	RAW_BODY_PARAMETER,
];
