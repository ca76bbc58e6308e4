/** The strict flat-XML reader (nodes/shared/xmlBody.ts) for user-defined XML webhook bodies. */
import { readFlatXml } from '../../nodes/shared/xmlBody';

function fieldsOf(text: string) {
	const reading = readFlatXml(text);
	if (!reading.ok) throw new Error(reading.message);
	return reading.xml;
}

function refusal(text: string): string {
	const reading = readFlatXml(text);
	if (reading.ok) throw new Error('read, expected a refusal');
	return reading.message;
}

describe('readFlatXml reads', () => {
	it('a root with text elements, after an XML declaration, comments and whitespace', () => {
		const xml = fieldsOf('\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- Zoho -->\n<contact>\n  <id>42</id>\n  <!-- a note -->\n  <email>ada@example.test</email>\n</contact>\n');
		expect(xml).toEqual({ root: 'contact', rootAttributes: {}, fields: { id: '42', email: 'ada@example.test' } });
	});

	it('the five predefined entities and character references', () => {
		expect(fieldsOf('<r><v>&lt;&gt;&amp;&quot;&apos; &#233;&#x1F600;</v></r>').fields.v).toBe(`<>&"' é😀`);
	});

	it('CDATA sections as they are, entities and markup included', () => {
		expect(fieldsOf('<r><v>a <![CDATA[<b>&amp;</b>]]> c</v></r>').fields.v).toBe('a <b>&amp;</b> c');
	});

	it('an empty element as the empty text, a repeated element as every text in order', () => {
		expect(fieldsOf('<r><a/><b></b><t>1</t><t>2</t></r>').fields).toEqual({ a: '', b: '', t: ['1', '2'] });
	});

	it('line breaks as LF, as XML reads them', () => {
		expect(fieldsOf('<r><v>a\r\nb\rc</v></r>').fields.v).toBe('a\nb\nc');
	});

	it('the root element’s attributes', () => {
		expect(fieldsOf(`<r xmlns="urn:x" id='7'><v>1</v></r>`).rootAttributes).toEqual({ xmlns: 'urn:x', id: '7' });
	});

	it('a self-closing root as no fields', () => {
		expect(fieldsOf('<r/>')).toEqual({ root: 'r', rootAttributes: {}, fields: {} });
	});
});

describe('readFlatXml refuses', () => {
	it.each([
		['a DOCTYPE', '<!DOCTYPE r><r/>', 'it has a DOCTYPE or markup declaration'],
		['an internal entity definition', '<!DOCTYPE r [<!ENTITY x "boom">]><r><v>&x;</v></r>', 'it has a DOCTYPE or markup declaration'],
		['an external entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><v>&x;</v></r>', 'it has a DOCTYPE or markup declaration'],
		['an undefined entity', '<r><v>&nbsp;</v></r>', 'it uses an entity XML does not predefine'],
		['a bare ampersand', '<r><v>a & b</v></r>', 'it has an "&" that starts no reference'],
		['a character reference to a control character', '<r><v>&#1;</v></r>', 'a character reference names a character XML does not allow'],
		['a control character', '<r><v>a\u0001</v></r>', 'it contains a character XML does not allow'],
		['a nested element', '<r><a><b>1</b></a></r>', 'an element below the root contains elements'],
		['attributes on a field', '<r><a type="x">1</a></r>', 'an element below the root has attributes'],
		['text directly in the root', '<r>loose<a>1</a></r>', 'it has text directly in the root element'],
		['a mismatched closing tag', '<r><a>1</b></r>', 'an element is closed by a tag of another name'],
		['an unclosed root', '<r><a>1</a>', 'the root element is not closed'],
		['a second root', '<r/><s/>', 'it has content after the root element'],
		['a processing instruction', '<?php x ?><r/>', 'it has a processing instruction'],
		['another encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'it declares an encoding other than UTF-8'],
		['a repeated attribute', '<r a="1" a="2"/>', 'an element repeats an attribute'],
		['"]]>" in text', '<r><v>a]]>b</v></r>', 'it has "]]>" outside a CDATA section'],
		['an empty document', '   ', 'it has no root element'],
	])('%s', (_what, text, reason) => {
		expect(refusal(text)).toMatch(new RegExp(`^XML body refused at character \\d+: ${reason.replace(/[[\]().*+?^$|\\]/g, '\\$&')}`));
	});

	it('without quoting the sender’s names or text', () => {
		expect(refusal('<secretRoot><secretField type="secretValue">1</secretField></secretRoot>')).not.toMatch(/secret/);
	});
});
