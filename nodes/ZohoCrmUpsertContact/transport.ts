/**
 * What goes on the wire to Zoho CRM: sessions (which credential, which API
 * host, which token), the upsert call and the fields call. Every request goes
 * through the shared HTTP helper.
 */
import { sleep, type ICredentialDataDecryptedObject, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';
import { zohoApiBase } from '../../credentials/ZohoCrmDataCenters';
import type { ZohoRefreshTokenCredentials } from '../../credentials/ZohoCrmToken';
import { serviceApiError, type ServiceFailure } from '../shared/errors';
import { isEmptyValue } from '../shared/fieldMapping';
import { requestWithRetry, sendServiceRequest, sendWith, ServiceRequestError, type HttpContext, type ServiceCall, type ServiceResponse } from '../shared/http';
import { getZohoAccessToken, storedZohoToken, ZOHO_SERVICE, ZohoTokenError, type ZohoTokenStore } from './auth';

export const ZOHO_API_VERSION = 'v8';
export type ZohoAuthentication = 'refreshToken' | 'oAuth2';
export type ZohoModule = 'Contacts' | 'Leads';

export interface ZohoSession {
	credentialType: string;
	apiBase: string;
	credentials: ICredentialDataDecryptedObject;
	oauth2TokenType?: string;
	secrets: string[];
	/** Refresh-token credentials: get a new token after Zoho rejected `rejected`. */
	renewToken?: (rejected: string) => Promise<void>;
}

/** One upsert result entry, exactly as Zoho returns it. */
export interface ZohoUpsertEntry {
	code: string;
	status: 'success' | 'error';
	message: string;
	action?: 'insert' | 'update';
	duplicate_field?: string | null;
	details?: IDataObject;
}

/** Reads Zoho's `{code, message, details}` and adds what to check for the usual codes. */
export function describeZohoError(body: unknown): Partial<ServiceFailure> {
	const b = (body && typeof body === 'object' ? body : {}) as IDataObject;
	const code = typeof b.code === 'string' ? b.code : undefined;
	const hints: Record<string, string> = {
		INVALID_TOKEN: 'Zoho did not accept the access token: check the data centre of the credential.',
		OAUTH_SCOPE_MISMATCH: 'The token lacks a scope: regenerate it with ZohoCRM.modules.ALL (or the module scope).',
		NO_PERMISSION: 'The Zoho user of this credential may not write to this module.',
		TOO_MANY_REQUESTS: 'Zoho rate limit: lower the node’s concurrency or batch more records per call.',
		INVALID_MODULE: 'The module name is not known to this Zoho org.',
	};
	return {
		code,
		message: typeof b.message === 'string' ? b.message : undefined,
		details: b.details,
		hint: code ? hints[code] : undefined,
	};
}

/**
 * The session of the node's credential. `readCredentials` reads it (default: n8n's
 * getCredentials); a webhook passes the shared short cache, as each request would otherwise pay
 * n8n's credential read.
 */
export async function openZohoSession(
	ctx: HttpContext,
	authentication: ZohoAuthentication,
	readCredentials: (type: string) => Promise<ICredentialDataDecryptedObject> = async (type) => await ctx.getCredentials(type),
): Promise<ZohoSession> {
	if (authentication === 'oAuth2') {
		const credentials = await readCredentials('zohoCrmOAuth2Api');
		const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
		return {
			credentialType: 'zohoCrmOAuth2Api',
			apiBase: zohoApiBase({ ...credentials, apiDomain: tokenData.api_domain as string | undefined }),
			credentials,
			// Zoho takes "Bearer" as well as "Zoho-oauthtoken"; n8n's OAuth2 client puts any type but
			// Bearer into the query string (?access_token=…), where Zoho's API does not read it.
			oauth2TokenType: 'Bearer',
			secrets: [credentials.clientSecret as string, tokenData.access_token as string, tokenData.refresh_token as string],
		};
	}
	const stored = (await readCredentials('zohoCrmRefreshTokenApi')) as unknown as ZohoRefreshTokenCredentials;
	const send = async (options: IHttpRequestOptions) => await ctx.helpers.httpRequest(options);
	const store = credentialTokenStore(ctx, stored);
	const token = await getZohoAccessToken(send, stored, undefined, store);
	const session: ZohoSession = {
		credentialType: 'zohoCrmRefreshTokenApi',
		apiBase: zohoApiBase({ ...stored, apiDomain: token.apiDomain }),
		credentials: { ...stored, accessToken: token.accessToken } as unknown as ICredentialDataDecryptedObject,
		secrets: [stored.clientSecret, stored.refreshToken, token.accessToken],
	};
	session.renewToken = async (rejected: string) => {
		const renewed = await getZohoAccessToken(send, stored, rejected, store);
		session.credentials = { ...session.credentials, accessToken: renewed.accessToken };
		session.apiBase = zohoApiBase({ ...stored, apiDomain: renewed.apiDomain });
		session.secrets.push(renewed.accessToken);
	};
	return session;
}

/** Processes that find no token at the same moment spread their mints over this long. */
const MINT_SPREAD_MS = 1_000;

/**
 * The token n8n stores with the saved credential, which every n8n process reads. n8n stores a
 * credential's preAuthentication token only on the way to an authenticated request, so a mint
 * goes out with the cheapest read Zoho has (the current user), which also proves the token works.
 * Without a saved credential (nothing to store into) the token stays in this n8n instance alone.
 */
function credentialTokenStore(ctx: HttpContext, stored: ZohoRefreshTokenCredentials): ZohoTokenStore | undefined {
	const saved = ctx.getNode().credentials?.zohoCrmRefreshTokenApi;
	if (!saved?.id) return undefined;
	return {
		read: async () => storedZohoToken((await ctx.getCredentials('zohoCrmRefreshTokenApi')) as unknown as ZohoRefreshTokenCredentials),
		settle: async () => await sleep(Math.floor(Math.random() * MINT_SPREAD_MS)),
		mint: async () => {
			// An empty token makes n8n run the credential's preAuthentication, store its answer and
			// write it into this object.
			const data = { ...stored, accessToken: '', accessTokenExpiresAt: '' } as unknown as ICredentialDataDecryptedObject;
			const call: ServiceCall = {
				service: ZOHO_SERVICE,
				credentialType: 'zohoCrmRefreshTokenApi',
				credentialsDecrypted: data,
				secrets: [stored.clientSecret, stored.refreshToken],
				// One mint per call: a retry would carry the token already minted, never mint again.
				retry: { maxAttempts: 1 },
			};
			const failure = await requestWithRetry(
				sendWith(ctx, call),
				{ method: 'GET', url: `${zohoApiBase(stored)}/crm/${ZOHO_API_VERSION}/users`, qs: { type: 'CurrentUser' }, json: true },
				call,
			).then(
				() => undefined,
				(error: unknown) => error as Error,
			);
			// Minted and stored, whatever the current-user read answered: the upsert reports its own errors.
			const minted = storedZohoToken(data as unknown as ZohoRefreshTokenCredentials);
			if (minted) return minted;
			const refused = causeNamed(failure instanceof ServiceRequestError ? failure.failure.cause : failure, 'ZohoTokenError');
			if (refused instanceof ZohoTokenError) throw refused;
			throw new ZohoTokenError(
				`Zoho Accounts did not issue an access token: ${failure?.message ?? 'no token in its answer'}`,
				undefined,
				'Check the client ID, client secret and refresh token of the credential, and its data centre.',
			);
		},
	};
}

/** The error of that name in an error's chain of causes (n8n wraps what a credential throws). */
function causeNamed(error: unknown, name: string): unknown {
	for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
		if (cause.name === name) return cause;
	}
	return undefined;
}

/** A Zoho API call; a rejected access token is renewed (once for all callers) and the call repeated once. */
export async function zohoApiRequest<T = IDataObject>(
	ctx: HttpContext,
	session: ZohoSession,
	request: Omit<IHttpRequestOptions, 'url'> & { path: string },
	itemIndex?: number,
	delivery: Pick<ServiceCall, 'replayable' | 'timeoutMs' | 'returnsAnswer'> = {},
): Promise<ServiceResponse<T>> {
	const { path, ...rest } = request;
	const call = (credentials: ICredentialDataDecryptedObject) =>
		sendServiceRequest<T>(
			ctx,
			{ ...rest, url: `${session.apiBase}/crm/${ZOHO_API_VERSION}${path}`, json: true },
			{
				service: ZOHO_SERVICE,
				credentialType: session.credentialType,
				credentialsDecrypted: session.renewToken ? credentials : undefined,
				oauth2TokenType: session.oauth2TokenType,
				itemIndex,
				secrets: session.secrets,
				describeError: describeZohoError,
				passThroughStatuses: session.renewToken ? [401] : undefined,
				...delivery,
			},
		);
	// The token this call sends: when it is refused, another call may already have renewed the
	// session's token, and reporting that newer one as rejected would mint yet another.
	const sent = session.credentials;
	let response = await call(sent);
	if (response.statusCode === 401 && session.renewToken) {
		const code = (response.body as IDataObject | undefined)?.code;
		if (code === 'INVALID_TOKEN') {
			await session.renewToken(sent.accessToken as string);
			response = await call(session.credentials);
		}
		if (response.statusCode === 401) {
			// Still refused: surface Zoho's own answer.
			const described = describeZohoError(response.body);
			throw serviceApiError(
				ctx.getNode(),
				{ service: ZOHO_SERVICE, status: 401, code: described.code, message: described.message ?? 'unauthorized', hint: described.hint, details: described.details },
				{ itemIndex, secrets: session.secrets },
			);
		}
	}
	return response;
}

export interface UpsertOptions {
	duplicateCheckFields: string[];
	/** undefined: Zoho runs all; []: none run. */
	trigger?: string[];
	/** Per-attempt timeout. */
	timeoutMs?: number;
}

export interface UpsertResult {
	entries: ZohoUpsertEntry[];
	/** How many times the call was sent. */
	attempts: number;
	/** An earlier attempt may have been applied, so an "update" may be the record it inserted. */
	resentAfterSend: boolean;
}

/** Without duplicate_check_fields Zoho matches Contacts and Leads on Email first. */
export const ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD = 'Email';

/**
 * Whether an upsert may be sent again after Zoho may have applied it: only when every record
 * carries a value for the first duplicate-check field, so that a second copy updates the record
 * the first one wrote instead of inserting another.
 */
export function isReplayableUpsert(records: IDataObject[], duplicateCheckFields: string[]): boolean {
	const key = duplicateCheckFields[0] ?? ZOHO_DEFAULT_DUPLICATE_CHECK_FIELD;
	return records.every((record) => !isEmptyValue(record[key]));
}

function hasRecordResults(body: unknown): boolean {
	return Array.isArray((body as IDataObject | undefined)?.data);
}

/** Upserts up to 100 records in one call; returns Zoho's per-record entries, in order. */
export async function upsertRecords(
	ctx: HttpContext,
	session: ZohoSession,
	module: ZohoModule,
	records: IDataObject[],
	options: UpsertOptions,
	itemIndex?: number,
): Promise<UpsertResult> {
	const body: IDataObject = { data: records };
	if (options.duplicateCheckFields.length) body.duplicate_check_fields = options.duplicateCheckFields;
	if (options.trigger !== undefined) body.trigger = options.trigger;
	const response = await zohoApiRequest<{ data?: ZohoUpsertEntry[] }>(
		ctx,
		session,
		{ method: 'POST', path: `/${module}/upsert`, body },
		itemIndex,
		{
			replayable: isReplayableUpsert(records, options.duplicateCheckFields),
			timeoutMs: options.timeoutMs,
			// When every record fails, Zoho answers 400 with the per-record reasons in data[].
			returnsAnswer: (status, answer) => status !== 401 && hasRecordResults(answer),
		},
	);
	const entries = response.body?.data;
	if (!Array.isArray(entries) || entries.length !== records.length) {
		throw serviceApiError(
			ctx.getNode(),
			{
				service: ZOHO_SERVICE,
				status: response.statusCode,
				message: `answered ${Array.isArray(entries) ? entries.length : 'no'} results for ${records.length} records`,
				attempts: response.attempts,
			},
			{ itemIndex, secrets: session.secrets },
		);
	}
	return { entries, attempts: response.attempts, resentAfterSend: response.resentAfterSend };
}

export interface ZohoField {
	api_name: string;
	field_label: string;
	data_type: string;
	system_mandatory?: boolean;
	read_only?: boolean;
	field_read_only?: boolean;
	custom_field?: boolean;
	pick_list_values?: Array<{ display_value?: string; actual_value: string }>;
}

/** The module's fields, as Zoho's fields metadata API lists them; any other answer is an error. */
export async function getModuleFields(ctx: HttpContext, session: ZohoSession, module: ZohoModule): Promise<ZohoField[]> {
	const response = await zohoApiRequest<{ fields?: unknown }>(ctx, session, {
		method: 'GET',
		path: '/settings/fields',
		qs: { module },
	});
	const fields: unknown = (response.body as IDataObject | undefined)?.fields;
	// A proxy's or login page's 200 would otherwise read as a module without fields.
	if (!isZohoFieldList(fields)) {
		throw serviceApiError(
			ctx.getNode(),
			{
				service: ZOHO_SERVICE,
				status: response.statusCode,
				message: `the fields of ${module} did not come back as Zoho's fields metadata (no "fields" list of fields with an api_name and a data_type)`,
				hint: 'Check the data centre or the custom API URL of the credential: another server answered.',
				attempts: response.attempts,
			},
			{ secrets: session.secrets },
		);
	}
	return fields;
}

function isZohoFieldList(value: unknown): value is ZohoField[] {
	return Array.isArray(value) && value.every(isZohoField);
}

function isZohoField(value: unknown): value is ZohoField {
	const field = value as Partial<ZohoField> | null;
	return typeof field === 'object' && field !== null && typeof field.api_name === 'string' && field.api_name !== '' && typeof field.data_type === 'string';
}
