/**
 * What a Zoho workflow rule's webhook sends (seed 003): entity and custom parameters in the query
 * string or as form fields, or a user-defined JSON or XML body, with names the user chose in
 * Zoho. This reads them into one flat set of fields and a record in Zoho's API names, so the
 * same normalisation applies as for a record read through the API.
 */
import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../shared/objects';

/** Names a parameter may have for each API field (case and `_`/`-`/space ignored). */
const FIELD_NAMES: Record<string, string[]> = {
	id: ['id', 'recordid', 'contactid', 'leadid', 'entityid', 'zohoid'],
	Email: ['email', 'emailaddress', 'email1'],
	First_Name: ['firstname', 'givenname'],
	Last_Name: ['lastname', 'surname', 'familyname'],
	Phone: ['phone', 'phone1', 'phonenumber'],
	Mobile: ['mobile', 'mobilephone', 'phone2', 'cellphone'],
	Date_of_Birth: ['dateofbirth', 'birthdate', 'birthday', 'dob'],
	Modified_Time: ['modifiedtime', 'lastmodifiedtime', 'modified', 'changedat'],
	Created_Time: ['createdtime', 'created'],
};

function comparable(name: string): string {
	return name.toLowerCase().replace(/[\s_.-]/g, '');
}

const API_NAME_OF = new Map<string, string>();
for (const [apiName, names] of Object.entries(FIELD_NAMES)) {
	API_NAME_OF.set(comparable(apiName), apiName);
	for (const name of names) API_NAME_OF.set(name, apiName);
}

/** The value of a parameter: a repeated one (`a=1&a=2`) is the first. */
function scalar(value: unknown): unknown {
	return Array.isArray(value) ? value[0] : value;
}

/** A user-defined JSON body's fields: its top level, or the one object under `data`/`record` (or a one-record list). */
function jsonFields(body: IDataObject): IDataObject {
	for (const wrapper of ['data', 'record', 'contact', 'lead']) {
		const inner = body[wrapper];
		if (isObject(inner)) return inner;
		if (Array.isArray(inner) && inner.length === 1 && isObject(inner[0])) return inner[0];
	}
	return body;
}

export interface WorkflowRuleDelivery {
	/** Every parameter and body field as sent (query first, the body's win). */
	received: IDataObject;
	/** The record's fields: those recognised under Zoho's API names (`id`, `Email`, `Date_of_Birth`, …), the others as named. */
	record: IDataObject;
	/** The `operation` parameter, when the webhook sends one (`create` / `edit`). */
	operation: 'create' | 'edit' | null;
}

/**
 * Reads a workflow-rule delivery: `query` (the URL's parameters) and `body` (the fields of a
 * form or flat XML body, a JSON object, or nothing for a GET), as the shared intake read them. `secretParameter` (the
 * token's name) is left out of what the workflow sees.
 */
export function readWorkflowRuleDelivery(query: IDataObject, body: unknown, secretParameter: string | undefined): WorkflowRuleDelivery {
	const received = Object.create(null) as IDataObject;
	const add = (source: IDataObject) => {
		for (const [name, value] of Object.entries(source)) {
			if (secretParameter !== undefined && name === secretParameter) continue;
			received[name] = scalar(value) as IDataObject[string];
		}
	};
	add(query);
	if (isObject(body)) add(jsonFields(body));
	const record = Object.create(null) as IDataObject;
	for (const [name, value] of Object.entries(received)) {
		const apiName = API_NAME_OF.get(comparable(name));
		if (apiName !== undefined && !(apiName in record) && value !== undefined && value !== null && value !== '') record[apiName] = value;
	}
	// Any other field (Mailing_Street, a custom field) is the record's too, under the name the webhook gave it.
	for (const [name, value] of Object.entries(received)) {
		if (API_NAME_OF.has(comparable(name)) || name === 'operation' || name === 'event' || name in record) continue;
		if (value !== undefined && value !== null && value !== '') record[name] = value;
	}
	const operationValue = String(received.operation ?? received.event ?? '').toLowerCase();
	const operation = operationValue === 'create' || operationValue === 'insert' ? 'create' : operationValue === 'edit' || operationValue === 'update' ? 'edit' : null;
	return { received: { ...received }, record: { ...record }, operation };
}
