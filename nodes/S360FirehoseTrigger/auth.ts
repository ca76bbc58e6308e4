/**
 * The S-360 Firehose credential: as rules for the shared constant-time checks, the check of
 * one request against them, and the checks behind the Test button.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { checkAnyWebhookAuth, type AuthResult, type IncomingRequestParts, type WebhookAuthRule } from '../shared/webhookAuth';
import { basicAuthUserProblem, headerNameProblem, secretProblem } from '../shared/webhookCredentials';

export type S360AuthType = 'none' | 'basicAuth' | 'customParameter';
export type ParameterPlace = 'either' | 'query' | 'header';

export interface S360Credentials {
	authType: S360AuthType;
	user?: string;
	password?: string;
	parameterName?: string;
	token?: string;
	parameterIn: ParameterPlace;
}

export const DEFAULT_PARAMETER_NAME = 'token';

function text(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

export function asS360Credentials(data: ICredentialDataDecryptedObject): S360Credentials {
	const authType = (['none', 'basicAuth', 'customParameter'] as const).find((type) => type === data.authType);
	const parameterIn = (['either', 'query', 'header'] as const).find((place) => place === data.parameterIn);
	return {
		// An unreadable choice fails closed: a token rule with no token never authorizes.
		authType: authType ?? 'customParameter',
		user: text(data.user),
		password: text(data.password),
		parameterName: text(data.parameterName),
		token: text(data.token),
		parameterIn: parameterIn ?? 'either',
	};
}

function parameterName(credentials: S360Credentials): string {
	return credentials.parameterName?.trim() || DEFAULT_PARAMETER_NAME;
}

/**
 * The rules a request may satisfy; any one is enough. A custom parameter accepted in both
 * places gives two rules (query string, then header). An empty secret makes rules that never
 * authorize.
 */
export function authRules(credentials: S360Credentials): WebhookAuthRule[] {
	switch (credentials.authType) {
		case 'none':
			return [{ type: 'none' }];
		case 'basicAuth':
			return [{ type: 'basic', user: credentials.user ?? '', password: credentials.password ?? '' }];
		case 'customParameter': {
			const name = parameterName(credentials);
			const secret = credentials.token ?? '';
			const rules: WebhookAuthRule[] = [];
			if (credentials.parameterIn !== 'header') rules.push({ type: 'query', paramName: name, secret });
			if (credentials.parameterIn !== 'query') rules.push({ type: 'headerKey', headerName: name, secret, acceptBearer: false });
			return rules;
		}
	}
}

/** A request checked against every rule; any one is enough (the shared check, named for S-360's specs). */
export function checkS360Auth(request: IncomingRequestParts, rules: WebhookAuthRule[]): AuthResult {
	return checkAnyWebhookAuth(request, rules);
}

// A key=value line of S-360's custom parameters: neither side may hold '=', '&', spaces or line
// breaks (they would split the line or the query string).
const PARAMETER_TEXT = /^[\x21-\x25\x27-\x3c\x3e-\x7e]+$/;

export type SettingsCheck = { ok: boolean; message: string };

const FORM_URL = 'URL: this trigger’s Production URL';

/**
 * What the Test button reports: the first problem that would make S-360's pushes fail (or the
 * secret weak), or, when there is none, what to type into S-360's interface form. Never the
 * secret itself.
 */
export function checkCredentialSettings(credentials: S360Credentials): SettingsCheck {
	switch (credentials.authType) {
		case 'none':
			return {
				ok: true,
				message: `Ready, without authentication: anyone who knows the URL can push contacts. In S-360: ${FORM_URL}; Login and Password empty; Authentication mode: NONE; Custom parameters empty.`,
			};
		case 'basicAuth': {
			const user = credentials.user ?? '';
			const problem = basicAuthUserProblem(user) ?? secretProblem('The password', credentials.password, 'header');
			if (problem) return { ok: false, message: problem };
			return {
				ok: true,
				message: `Ready. In S-360: ${FORM_URL}; Login: ${user}; Password: <the password of this credential>; Authentication mode: the basic one your S-360 offers (n8n answers 401 with a Basic challenge); Custom parameters empty.`,
			};
		}
		case 'customParameter': {
			const name = parameterName(credentials);
			if (!PARAMETER_TEXT.test(name)) {
				return { ok: false, message: `"${name}" cannot be a key of S-360's key=value custom parameters: use letters, digits, - and _` };
			}
			if (credentials.parameterIn !== 'query') {
				const problem = headerNameProblem(name, { sender: 'S-360', senderHeaders: ['authorization', 'accept', 'expect'], example: DEFAULT_PARAMETER_NAME });
				if (problem) return { ok: false, message: problem };
			}
			const problem = secretProblem('The token', credentials.token, 'header');
			if (problem) return { ok: false, message: problem };
			if (!PARAMETER_TEXT.test(credentials.token ?? '')) {
				return { ok: false, message: 'The token contains characters that cannot be sent unchanged in a key=value parameter: use letters, digits and -._~ (no spaces, = or &)' };
			}
			const where = { either: 'the query string or a header', query: 'the query string', header: 'a header' }[credentials.parameterIn];
			return {
				ok: true,
				message: `Ready. In S-360: ${FORM_URL}; Login and Password empty; Authentication mode: NONE; Custom parameters: ${name}=<the token of this credential> (accepted in ${where}).`,
			};
		}
	}
}
