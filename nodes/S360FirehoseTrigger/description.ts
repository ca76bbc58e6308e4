/** What the user sees: the parameters of S-360 Firehose Trigger. */
import type { INodeProperties } from 'n8n-workflow';

import { RAW_BODY_PARAMETER } from '../shared/rawBody';
import { maxBodySizeOption } from '../shared/webhookIntake';
import { dropEchoesSetting } from '../shared/twoWaySync';

/** A bucket of 100 full contacts is a few hundred KB; 5 MB leaves room for big criteria lists. */
export const DEFAULT_MAX_BODY_KB = 5 * 1024;

export const s360FirehoseTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'In S-360: Organization → Tools → List of Interfaces → Firehose contact → Webhook contact v2. Put this node’s Production URL into its URL field and authenticate as the credential’s Test shows. S-360 waits at most its "Processing timeout delay" (60 s by default) for the answer and treats anything but 200, or no answer in time, as a failure it retries (60 s apart, 12 times, then it drops the contact). With "Acknowledge After Success" the whole workflow must finish within that time: keep bucket sizes that your workflow processes in well under 60 s.',
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
				name: 'Acknowledge After Success',
				value: 'lastNode',
				description:
					'Answer 200 only when the run succeeded, and 500 when it failed, so S-360 retries the bucket. No contact is lost when the workflow fails; the workflow must be safe to run twice for a contact (an upsert is).',
			},
			{
				name: 'Acknowledge at Once',
				value: 'onReceived',
				description:
					'Answer 200 as soon as the run has started. S-360 never retries, so contacts of a failed run are lost unless the workflow handles its own errors.',
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
			dropEchoesSetting,
			{
				displayName: 'Drop Redeliveries',
				name: 'dropRedeliveries',
				type: 'boolean',
				default: true,
				description:
					'Whether a contact already synced at the same change timestamp is left out of a redelivered bucket (a bucket of only such contacts is answered 200 and starts nothing). Only a run that succeeded is remembered, which the trigger learns with Acknowledge After Success alone: acknowledging at once, it remembers nothing (use the writing node’s Delivery Key option instead). Remembered 24 hours, at most 10,000 contacts per node, until n8n restarts.',
			},
			maxBodySizeOption(DEFAULT_MAX_BODY_KB, 65536),
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Zurich',
				description:
					'IANA zone of your S-360 institution: a birth date S-360 writes as an instant (epoch milliseconds, 1991-03-06T23:00:00Z, 1991-03-07T00:00:00+01:00) is the day of that instant in this zone, however it is written. Empty: the workflow’s time zone.',
			},
		],
	},
	RAW_BODY_PARAMETER,
];
