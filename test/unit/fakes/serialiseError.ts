import type { NodeApiError } from 'n8n-workflow';

/** Everything of an n8n error that can reach a user, a log or the execution data, as one string. */
export function serialiseNodeError(error: NodeApiError): string {
	return JSON.stringify({
		error,
		message: error.message,
		description: error.description,
		messages: error.messages,
		context: error.context,
		errorResponse: error.errorResponse,
		cause: error.cause,
		stack: error.stack,
	});
}
