/** Reading HTTP headers, whoever built the header object. */

/**
 * The value of header `name`, looked up case-insensitively: Node lower-cases the names it
 * parses, but response objects of HTTP helpers, doubles and tests may not. A repeated header
 * stays an array; numbers (some helpers parse Content-Length) become strings.
 */
export function getHeader(
	headers: Readonly<Record<string, unknown>> | undefined | null,
	name: string,
): string | string[] | undefined {
	if (headers === undefined || headers === null) return undefined;
	const wanted = name.toLowerCase();
	for (const key of Object.keys(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const value = headers[key];
		if (value === undefined || value === null) continue;
		return Array.isArray(value) ? value.map(String) : String(value);
	}
	return undefined;
}

/** A header sent twice arrives as an array: `ambiguous` unless it holds exactly one value. */
export function singleHeaderValue(value: string | string[] | undefined): string | undefined | 'ambiguous' {
	if (Array.isArray(value)) return value.length === 1 ? value[0] : 'ambiguous';
	return value;
}
