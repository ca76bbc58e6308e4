/**
 * The Ory Webhook credential: as a rule for the shared constant-time check, and the checks
 * behind its Test button (see credentials/OryWebhookApi.credentials.ts for why the test
 * makes no request).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { WebhookAuthRule } from '../shared/webhookAuth';
import { basicAuthUserProblem, cookieNameProblem, headerNameProblem, secretProblem } from '../shared/webhookCredentials';

type OryAuthType = 'headerKey' | 'cookieKey' | 'basicAuth';

export interface OryWebhookCredentials {
	authType: OryAuthType;
	headerName?: string;
	acceptBearer?: boolean;
	cookieName?: string;
	secret?: string;
	user?: string;
	password?: string;
}

const DEFAULT_HEADER_NAME = 'X-Webhook-Secret';
const DEFAULT_COOKIE_NAME = 'ory_webhook_secret';

export function asOryCredentials(data: ICredentialDataDecryptedObject): OryWebhookCredentials {
	const authType = ['headerKey', 'cookieKey', 'basicAuth'].includes(data.authType as string)
		? (data.authType as OryAuthType)
		: 'headerKey';
	return {
		authType,
		headerName: typeof data.headerName === 'string' ? data.headerName : undefined,
		acceptBearer: data.acceptBearer !== false,
		cookieName: typeof data.cookieName === 'string' ? data.cookieName : undefined,
		secret: typeof data.secret === 'string' ? data.secret : undefined,
		user: typeof data.user === 'string' ? data.user : undefined,
		password: typeof data.password === 'string' ? data.password : undefined,
	};
}

/** The rule the trigger enforces. An empty secret makes a rule that never authorizes. */
export function authRule(credentials: OryWebhookCredentials): WebhookAuthRule {
	switch (credentials.authType) {
		case 'cookieKey':
			return {
				type: 'cookie',
				cookieName: credentials.cookieName?.trim() || DEFAULT_COOKIE_NAME,
				secret: credentials.secret ?? '',
			};
		case 'basicAuth':
			return { type: 'basic', user: credentials.user ?? '', password: credentials.password ?? '' };
		case 'headerKey':
			return {
				type: 'headerKey',
				headerName: credentials.headerName?.trim() || DEFAULT_HEADER_NAME,
				secret: credentials.secret ?? '',
				acceptBearer: credentials.acceptBearer !== false,
			};
	}
}

/** Headers Ory sets itself on every request. */
const ORY_HEADERS = ['ory-webhook-request-id', 'ory-webhook-trigger-id'];

type SettingsCheck = { ok: boolean; message: string };

/**
 * What the Test button reports: the first problem that would make Ory's requests fail (or
 * make the secret weak), or, when there is none, the Ory `auth` block matching these settings.
 */
export function checkCredentialSettings(credentials: OryWebhookCredentials): SettingsCheck {
	const fail = (message: string): SettingsCheck => ({ ok: false, message });
	switch (credentials.authType) {
		case 'headerKey': {
			const headerName = credentials.headerName?.trim() || DEFAULT_HEADER_NAME;
			const problem =
				headerNameProblem(headerName, { sender: 'Ory', senderHeaders: ORY_HEADERS, example: DEFAULT_HEADER_NAME }) ??
				secretProblem('The secret', credentials.secret, 'header');
			if (problem) return fail(problem);
			const bearer = credentials.acceptBearer !== false ? ` (Authorization: Bearer <secret> is accepted too)` : '';
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: api_key, config: {in: header, name: ${headerName}, value: <the secret>}}${bearer}`,
			};
		}
		case 'cookieKey': {
			const cookieName = credentials.cookieName?.trim() || DEFAULT_COOKIE_NAME;
			const problem = cookieNameProblem(cookieName) ?? secretProblem('The secret', credentials.secret, 'cookie');
			if (problem) return fail(problem);
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: api_key, config: {in: cookie, name: ${cookieName}, value: <the secret>}}`,
			};
		}
		case 'basicAuth': {
			const user = credentials.user ?? '';
			const problem = basicAuthUserProblem(user) ?? secretProblem('The password', credentials.password, 'header');
			if (problem) return fail(problem);
			return {
				ok: true,
				message: `Ready. In Ory: auth: {type: basic_auth, config: {user: ${user}, password: <the password>}}`,
			};
		}
	}
}
