/**
 * Error shaping shared by every node: the service's own code and message reach the user,
 * secrets never do (nodes/shared/errors.ts).
 */
import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import {
	describeFailure,
	invalidInputError,
	redactSecrets,
	redactValue,
	serviceApiError,
	type ServiceFailure,
} from '../../nodes/shared/errors';
import { serialiseNodeError } from './fakes/serialiseError';

const NODE: INode = {
	id: 'node-1',
	name: 'Zoho CRM Upsert Contact',
	type: 'n8n-nodes-contact-sync.zohoCrmUpsertContact',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const SECRET = '1000.4f2a9c7e.refresh+token/with=chars';

describe('redactSecrets', () => {
	it('replaces every occurrence of a secret', () => {
		expect(redactSecrets(`a ${SECRET} b ${SECRET}`, [SECRET])).toBe('a [redacted] b [redacted]');
	});

	it('replaces the URL-encoded form (a secret in a query string)', () => {
		const url = `https://accounts.zoho.com/oauth/v2/token?refresh_token=${encodeURIComponent(SECRET)}`;
		const redacted = redactSecrets(url, [SECRET]);
		expect(redacted).toBe('https://accounts.zoho.com/oauth/v2/token?refresh_token=[redacted]');
	});

	it('replaces the form-encoded form, where URLSearchParams escapes more than encodeURIComponent', () => {
		const secret = "pa ss!word*(x)'";
		const body = new URLSearchParams({ client_secret: secret }).toString();
		expect(body).not.toContain(encodeURIComponent(secret));
		expect(redactSecrets(body, [secret])).toBe('client_secret=[redacted]');
	});

	it('leaves values shorter than 6 characters alone, so a DC code or "true" does not redact words', () => {
		expect(redactSecrets('the us data centre is true', ['us', 'true', 'abcde'])).toBe('the us data centre is true');
	});

	it('redacts a value of exactly 6 characters', () => {
		expect(redactSecrets('key=abcdef;', ['abcdef'])).toBe('key=[redacted];');
	});

	it('ignores undefined and empty secrets', () => {
		expect(redactSecrets('nothing secret here', [undefined, ''])).toBe('nothing secret here');
	});

	it('redacts a longer secret whole even when a shorter one is its prefix', () => {
		const text = 'token=abcdef123456';
		const redacted = redactSecrets(text, ['abcdef', 'abcdef123456']);
		expect(redacted).toBe('token=[redacted]');
		expect(redacted).not.toContain('123456');
	});

	it('returns the text unchanged without secrets', () => {
		expect(redactSecrets('plain')).toBe('plain');
	});
});

describe('redactValue', () => {
	it('redacts strings at every depth of objects and arrays', () => {
		const value = {
			message: `bad token ${SECRET}`,
			nested: { list: ['ok', `x${SECRET}y`, { deeper: SECRET }] },
			count: 3,
			flag: true,
			nothing: null,
		};
		expect(redactValue(value, [SECRET])).toEqual({
			message: 'bad token [redacted]',
			nested: { list: ['ok', 'x[redacted]y', { deeper: '[redacted]' }] },
			count: 3,
			flag: true,
			nothing: null,
		});
	});

	it('does not modify its input', () => {
		const value = { token: SECRET, list: [SECRET] };
		redactValue(value, [SECRET]);
		expect(value).toEqual({ token: SECRET, list: [SECRET] });
	});

	it('redacts a bare string', () => {
		expect(redactValue(SECRET, [SECRET])).toBe('[redacted]');
	});
});

describe('describeFailure', () => {
	it('names the service, status and code before the message', () => {
		expect(describeFailure({ service: 'Zoho CRM', status: 400, code: 'INVALID_DATA', message: 'invalid data' })).toBe(
			'Zoho CRM answered 400 INVALID_DATA: invalid data',
		);
	});

	it('names the code alone when the service did not answer with a status', () => {
		expect(describeFailure({ service: 'Zoho CRM', code: 'DUPLICATE_DATA', message: 'duplicate data' })).toBe(
			'Zoho CRM answered DUPLICATE_DATA: duplicate data',
		);
	});

	it('names the status alone when there is no code', () => {
		expect(describeFailure({ service: 'MeherY', status: 503, message: 'HTTP 503' })).toBe('MeherY answered 503: HTTP 503');
	});

	it('names only the service when there is neither status nor code', () => {
		expect(describeFailure({ service: 'Zoho CRM', message: 'could not reach the service' })).toBe(
			'Zoho CRM: could not reach the service',
		);
	});
});

describe('serviceApiError', () => {
	it('keeps its own message for a connection code, where NodeApiError would put its generic sentence', () => {
		const error = serviceApiError(NODE, {
			service: 'Zoho CRM',
			code: 'ECONNRESET',
			message: 'the connection failed after the request was sent (ECONNRESET); the call may or may not have been applied',
		});
		expect(error.message).toBe(
			'Zoho CRM: the connection failed after the request was sent (ECONNRESET); the call may or may not have been applied',
		);
	});

	const failure: ServiceFailure = {
		service: 'Zoho CRM',
		status: 400,
		code: 'INVALID_DATA',
		message: `invalid data for token ${SECRET}`,
		hint: `Check the field; never ${SECRET}`,
		details: { api_name: 'Phone', json_path: '$.data[0].Phone', echoed: SECRET },
	};

	it('is a NodeApiError with the service code and message in its message', () => {
		const error = serviceApiError(NODE, failure, { secrets: [SECRET] });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Zoho CRM answered 400 INVALID_DATA: invalid data for token [redacted]');
	});

	it('carries the HTTP status as httpCode and the item index in its context', () => {
		const error = serviceApiError(NODE, failure, { itemIndex: 7, secrets: [SECRET] });
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(7);
	});

	it('keeps the hint as description and the service details in the error response', () => {
		const error = serviceApiError(NODE, failure, { secrets: [SECRET] });
		expect(error.description).toBe('Check the field; never [redacted]');
		expect(error.errorResponse).toMatchObject({
			service: 'Zoho CRM',
			code: 'INVALID_DATA',
			httpCode: '400',
			details: { api_name: 'Phone', json_path: '$.data[0].Phone', echoed: '[redacted]' },
		});
	});

	it('lets no secret through anywhere in the serialised error', () => {
		const error = serviceApiError(NODE, failure, { itemIndex: 0, secrets: [SECRET] });
		const serialised = serialiseNodeError(error);
		expect(serialised).not.toContain(SECRET);
		expect(serialised).not.toContain(encodeURIComponent(SECRET));
	});

	it('shows the service code as error code when the service answered no status (n8n reads `code`)', () => {
		const error = serviceApiError(NODE, { service: 'Zoho CRM', code: 'DUPLICATE_DATA', message: 'duplicate data' });
		expect(error.httpCode).toBe('DUPLICATE_DATA');
		expect(error.message).toBe('Zoho CRM answered DUPLICATE_DATA: duplicate data');
	});
});

describe('invalidInputError', () => {
	it('is a NodeOperationError with the item index and description', () => {
		const error = invalidInputError(NODE, 'field "Last_Name" is required but empty', {
			itemIndex: 3,
			description: 'The item was not sent.',
		});
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('field "Last_Name" is required but empty');
		expect(error.context.itemIndex).toBe(3);
		expect(error.description).toBe('The item was not sent.');
	});
});
