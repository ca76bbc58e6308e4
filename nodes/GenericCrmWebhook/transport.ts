/**
 * One call to the CRM endpoint: the body in the preset's encoding, the user's headers, the egress
 * guard before every hop, redirects followed here (never by the HTTP client, so each Location is
 * checked first), and the answer read per lead. Sending itself is the shared request path.
 */
import { randomBytes } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { redactSecrets, redactValue } from '../shared/errors';
import {
	checkUrl,
	describeTarget,
	resolveRedirect,
	type EgressHelpersLike,
	type EgressPolicy,
	type EgressRefusal,
} from '../shared/egress';
import type { ServiceCall, ServiceResponse } from '../shared/http';
import type { BodyType, EndpointSettings, LeadAnswer, Preset, PresetRequest } from './presets';

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

/** A refusal before anything was sent (egress, redirect rules): never retried, never resent. */
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

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

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

function headerOf(headers: IDataObject, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
	}
	return undefined;
}

/** Same host (an http → https upgrade allowed): the credential may follow the redirect. */
function sameHost(from: string, to: string): boolean {
	const a = new URL(from);
	const b = new URL(to);
	const upgrade = a.protocol === 'http:' && b.protocol === 'https:';
	return a.hostname === b.hostname && (a.port === b.port || upgrade) && (a.protocol === b.protocol || upgrade);
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
	let url = built.url;
	let attempts = 0;
	for (let hop = 0; ; hop++) {
		const refused = await guard(url);
		if (refused) throw new CrmRefusal(redactSecrets(refused.message, options.secrets));
		const response = await send(
			{ method: built.method, url, headers, body: encoded.body, json: false, disableFollowRedirect: true },
			call,
		);
		attempts += response.attempts;
		if (!REDIRECT_STATUSES.has(response.statusCode)) {
			if (response.statusCode >= 300 && response.statusCode < 400) {
				throw new CrmRefusal(`${preset.service} answered ${response.statusCode} from ${describeTarget(url)}, which is not a success`);
			}
			return {
				statusCode: response.statusCode,
				attempts,
				answers: preset.readAnswer(response.statusCode, response.body, records, settings),
				answeredBy: describeTarget(url),
			};
		}
		const location = headerOf(response.headers, 'location');
		const next = location ? resolveRedirect(url, location) : undefined;
		if (!next) throw new CrmRefusal(`${preset.service} answered ${response.statusCode} without a usable Location`);
		if (hop + 1 > MAX_REDIRECTS) throw new CrmRefusal(`${preset.service} redirected more than ${MAX_REDIRECTS} times`);
		const refusedHop = await guard(next);
		if (refusedHop) {
			throw new CrmRefusal(
				redactSecrets(`${preset.service} redirected to a refused target. ${refusedHop.message}`, options.secrets),
			);
		}
		// The credential (a header or query token) must not follow the lead to another host.
		if (!sameHost(url, next)) {
			throw new CrmRefusal(
				`${preset.service} redirected from ${describeTarget(url)} to ${describeTarget(next)}; credentials are never sent to another host. If you trust it, set the credential's URL to the new address.`,
			);
		}
		url = next;
	}
}

const EXCERPT_LENGTH = 300;

/** A short, secret-free text of an answer for the output item. */
export function answerExcerpt(answer: unknown, secrets: string[]): string {
	const text = typeof answer === 'string' ? answer : answer === undefined ? '' : JSON.stringify(redactValue(answer, secrets));
	const flat = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
	return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}
