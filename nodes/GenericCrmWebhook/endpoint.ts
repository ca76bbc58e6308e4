/**
 * The endpoint a CRM Webhook credential describes, checked before any call, and the seed's test
 * lead. Shared by the node's operations and the credential's Test button.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import type { EgressPolicy } from '../shared/egress';
import { presetOf, type BodyType, type EndpointSettings, type HttpMethod, type Preset, type PresetId } from './presets';

const STANDARD_URLS: Partial<Record<PresetId, string>> = {
	hubspot: 'https://api.hubapi.com',
	pipedrive: 'https://api.pipedrive.com/v1/persons',
	salesforceWebToLead: 'https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8',
};

export interface Endpoint {
	preset: Preset;
	settings: EndpointSettings;
	policy: EgressPolicy;
}

/** The endpoint of a credential, or the sentence saying what is missing. */
export function endpointOf(credentials: ICredentialDataDecryptedObject): { endpoint: Endpoint } | { problem: string } {
	const preset = presetOf(String(credentials.preset ?? 'custom'));
	const url = String(credentials.url ?? '').trim() || STANDARD_URLS[preset.id] || '';
	const settings: EndpointSettings = {
		preset: preset.id,
		url,
		method: (['POST', 'PUT', 'PATCH'].includes(String(credentials.method)) ? credentials.method : 'POST') as HttpMethod,
		bodyType: (['json', 'form', 'multipart'].includes(String(credentials.bodyType)) ? credentials.bodyType : 'json') as BodyType,
		salesforceOrgId: String(credentials.salesforceOrgId ?? '').trim(),
		hubspotOperation: credentials.hubspotOperation === 'create' ? 'create' : 'upsert',
		successPath: String(credentials.successPath ?? '').trim(),
		successValue: String(credentials.successValue ?? ''),
		crmIdPath: String(credentials.crmIdPath ?? '').trim(),
		idempotent: credentials.idempotent === true,
	};
	if (url === '') return { problem: `The CRM Webhook credential has no URL (preset ${preset.service}).` };
	if (preset.id === 'salesforceWebToLead' && settings.salesforceOrgId === '') {
		return { problem: 'The CRM Webhook credential has no Salesforce Organization ID (oid); Web-to-Lead drops posts without it.' };
	}
	return {
		endpoint: {
			preset,
			settings,
			policy: { allowPrivateNetwork: credentials.allowPrivateNetwork === true, allowPlainHttp: credentials.allowPlainHttp === true },
		},
	};
}

/** The seed's test lead: name "Test Contact", a test address, a timestamp in the company field. */
export function testLead(now: Date): IDataObject {
	return {
		name: 'Test Contact',
		first_name: 'Test',
		last_name: 'Contact',
		email: 'test@example.com',
		company: `Test lead ${now.toISOString()}`,
	};
}

const SENSITIVE_HEADER = /authorization|token|secret|key|password|cookie|signature|auth/i;

/** Values of custom headers that look like credentials, to be redacted like the credential's own. */
export function sensitiveHeaderValues(headers: Record<string, string>): string[] {
	return Object.entries(headers)
		.filter(([name, value]) => SENSITIVE_HEADER.test(name) && value !== '')
		.map(([, value]) => value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
}

/** "Test Contact" as the preset's record: a full name where the preset has one. */
export function fullNameOf(input: IDataObject): string | undefined {
	const parts = [input.first_name ?? input.firstName, input.last_name ?? input.lastName]
		.filter((part) => typeof part === 'string' && part.trim() !== '')
		.map((part) => String(part).trim());
	return parts.length ? parts.join(' ') : undefined;
}
