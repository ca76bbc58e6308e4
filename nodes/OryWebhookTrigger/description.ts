/** What the user sees: the parameters of Ory Webhook Trigger. */
import type { INodeProperties } from 'n8n-workflow';

import { RAW_BODY_PARAMETER } from '../shared/rawBody';
import { maxBodySizeOption } from '../shared/webhookIntake';

export const DEFAULT_MAX_BODY_KB = 1024;

export const oryWebhookTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Put this node’s Production URL into an Ory Actions web_hook (method POST) with the auth of the credential. The Jsonnet body template and config snippets for Ory Network and Kratos ship in this package’s templates/ory folder.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Respond',
		name: 'responseMode',
		type: 'options',
		options: [
			{
				name: 'Acknowledge at Once',
				value: 'onReceived',
				description:
					'Answer 200 as soon as the execution has started. Use with response.ignore: true in Ory, so the user’s flow never waits for this workflow. Ory cannot retry a run that fails afterwards.',
			},
			{
				name: 'Acknowledge After the Run',
				value: 'lastNode',
				description:
					'Answer 200 when the run succeeded and 500 when it failed, so Ory’s retries cover failures downstream (e.g. the CRM down). Use with response.ignore: true in Ory; Ory waits at most 30 s.',
			},
			{
				name: 'From the Workflow (Ory Respond Node)',
				value: 'responseNode',
				description:
					'Answer with what an Ory Respond node sends: interrupt the flow with messages, change the identity, or let it continue. Use with response.parse: true in Ory. A run that ends without an Ory Respond node answers 204 (no change).',
			},
		],
		default: 'onReceived',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'Login', value: 'login' },
			{
				name: 'Not Named in the Payload',
				value: 'unknown',
				description: 'Bodies that name no flow, such as the plain identity-and-traits body of older templates',
			},
			{ name: 'Recovery', value: 'recovery' },
			{ name: 'Registration', value: 'registration' },
			{ name: 'Settings', value: 'settings' },
			{ name: 'Verification', value: 'verification' },
		],
		default: [],
		description:
			'Which flows start the workflow; others are answered 200 and start nothing. Empty: all. The flow is read from the body’s "event" (the shipped Jsonnet fills it in), an ?event= in the URL, or the flow’s URL.',
	},
	{
		displayName: 'Options',
		name: 'settings',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Deduplicate On',
				name: 'deduplicateOn',
				type: 'options',
				options: [
					{
						name: 'Ory-Webhook-Trigger-ID (Every Attempt of One Delivery)',
						value: 'triggerId',
						description:
							'Ory gives each retry a new request ID and keeps the trigger ID. Falls back to the request ID when Ory sends no trigger ID.',
					},
					{
						name: 'Ory-Webhook-Request-ID (Replays of One Request)',
						value: 'requestId',
						description: 'Only a request sent again with the same request ID is a redelivery; Ory’s own retries run again',
					},
					{ name: 'Off', value: 'off' },
				],
				default: 'triggerId',
				description:
					'A redelivery of a delivery whose run succeeded gets the first answer again and starts nothing; one whose run failed runs again; one arriving while the first still runs waits for it up to 20 s, then gets 503 (Ory retries). Kept 24 hours, at most 1,000 per node, until n8n restarts.',
			},
			maxBodySizeOption(DEFAULT_MAX_BODY_KB, 16384),
			{
				displayName: 'Require Email',
				name: 'requireEmail',
				type: 'boolean',
				default: false,
				description: 'Whether a body whose identity has no email is refused with 400 and starts nothing',
			},
		],
	},
	RAW_BODY_PARAMETER,
];
