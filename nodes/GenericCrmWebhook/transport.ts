/**
 * One call to the CRM endpoint: the body in the preset's encoding, the user's headers, and the
 * answer read per lead. Sending is the shared request path under the shared redirect policy
 * (../shared/redirects.ts): the egress guard before every hop, no redirect that could send the
 * lead twice, and a 303 See Other taken as the CRM's "created, see there".
 */
import { randomBytes } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { checkUrl, type EgressHelpersLike, type EgressPolicy, type EgressRefusal } from '../shared/egress';
import type { ServiceCall, ServiceResponse } from '../shared/http';
import { NothingSentError, sendUnderRedirectPolicy } from '../shared/redirects';
import type { BodyType, EndpointSettings, LeadAnswer, Preset, PresetRequest } from './presets';

export { answerExcerpt } from '../shared/errors';

/** Sends one HTTP request through the shared path (node context or credential test). */
export type CrmSender = (request: IHttpRequestOptions, call: ServiceCall) => Promise<ServiceResponse>;

export interface CrmCallOptions {
	preset: Preset;
	settings: EndpointSettings;
	policy: EgressPolicy;
	/** n8n's helpers, for its egress filter where the running n8n has one. */
	egressHelpers?: EgressHelpersLike;
	/** Replaces the per-hop egress check (a memoised one for a whole execution). */
	guard?: (url: string) => Promise<EgressRefusal | undefined>;
	headers: Record<string, string>;
	secrets: string[];
	itemIndex?: number;
	timeoutMs: number;
	credentialType?: string;
	/** The credential already loaded once for the execution, so n8n does not decrypt it per call. */
	credentialsDecrypted?: ICredentialDataDecryptedObject;
}

/** A refusal before anything was sent (egress, an invalid test lead): never retried, never resent. */
export class CrmRefusal extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CrmRefusal';
	}
}

export interface CrmCallResult {
	statusCode: number;
	attempts: number;
	answers: LeadAnswer[];
	/** The URL finally answered (after redirects), as origin only. */
	answeredBy: string;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	return Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());
}

function formValue(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The body and its Content-Type in the preset's encoding (a user's Content-Type header wins). */
export function encodeBody(bodyType: BodyType, body: IDataObject): { body: string; contentType: string } {
	if (bodyType === 'form') {
		const params = new URLSearchParams();
		for (const [key, value] of Object.entries(body)) params.append(key, formValue(value));
		return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
	}
	if (bodyType === 'multipart') {
		const boundary = `----contact-sync-${randomBytes(12).toString('hex')}`;
		const parts = Object.entries(body).map(
			([key, value]) =>
				`--${boundary}\r\nContent-Disposition: form-data; name="${key.replace(/["\r\n]/g, '_')}"\r\n\r\n${formValue(value)}\r\n`,
		);
		return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
	}
	return { body: JSON.stringify(body), contentType: 'application/json' };
}

/**
 * Sends `records` as one call and reads one answer per record. Throws the shared path's
 * NodeApiError when the call fails after its retries, CrmRefusal when it was not sent.
 */
export async function sendCrmCall(send: CrmSender, records: IDataObject[], options: CrmCallOptions): Promise<CrmCallResult> {
	const { preset, settings } = options;
	const built: PresetRequest = preset.buildRequest(records, settings);
	const encoded = encodeBody(built.bodyType, built.body);
	const headers: Record<string, string> = { ...options.headers };
	if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = encoded.contentType;
	if (!hasHeader(headers, 'accept')) headers.Accept = 'application/json, text/html;q=0.9, */*;q=0.8';

	const call: ServiceCall = {
		service: preset.service,
		credentialType: options.credentialType,
		credentialsDecrypted: options.credentialsDecrypted,
		itemIndex: options.itemIndex,
		secrets: options.secrets,
		replayable: preset.replayable(settings),
		timeoutMs: options.timeoutMs,
		returnsAnswer: preset.readsErrorAnswer ? (status) => preset.readsErrorAnswer!(status, settings) : undefined,
	};

	const guard = options.guard ?? (async (target: string) => await checkUrl(target, options.policy, options.egressHelpers));
	const response = await sendUnderRedirectPolicy(
		async (request) => await send(request, call),
		{ method: built.method, url: built.url, headers, body: encoded.body, json: false },
		{ service: preset.service, guard, secrets: options.secrets, seeOtherIsSuccess: true },
	).catch((error: unknown) => {
		throw error instanceof NothingSentError ? new CrmRefusal(error.message) : error;
	});
	return {
		statusCode: response.statusCode,
		attempts: response.attempts,
		// "Created, see there": the CRM took every lead of the call and names where the result is.
		answers:
			response.seeOther !== undefined
				? records.map(() => ({ ok: true, confirmed: true, answer: { location: response.seeOther } }))
				: preset.readAnswer(response.statusCode, response.body, records, settings),
		answeredBy: response.answeredBy,
	};
}
