/**
 * A strict reader for flat XML, the shape of user-defined XML webhook bodies (Zoho CRM's
 * Configure Webhook): one root element whose children are text elements.
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <contact id="7"><email>ada@example.test</email><note><![CDATA[a < b]]></note></contact>
 *
 * Read: the XML declaration, comments, the root's attributes, child elements with text,
 * CDATA sections, the five predefined entities and character references. Refused, never
 * guessed at: DOCTYPE (so no entity definitions and no external entities, whatever the
 * body tries), processing instructions, unknown entities, children nested deeper, text
 * beside the children, attributes on children, characters XML 1.0 forbids, and anything
 * not well-formed. No runtime dependency may be loaded, hence this reader.
 */
import { addFieldValue, type FieldValues } from './objects';

export interface FlatXml {
	/** The root element's name. */
	root: string;
	rootAttributes: FieldValues;
	/** Each child element's text, by element name; a repeated name gives every text in order. */
	fields: FieldValues;
}

export type XmlReading = { ok: true; xml: FlatXml } | { ok: false; message: string };

class XmlRefusal extends Error {}

const NAME = /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-:\u00B7\u00C0-\uFFFF]*/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(code: number): boolean {
	return (
		code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
	);
}

/** Reads `text` (already decoded; a leading BOM is ignored) as flat XML. Never throws. */
export function readFlatXml(text: string): XmlReading {
	try {
		return { ok: true, xml: new FlatXmlReader(text).read() };
	} catch (error) {
		// Only `fail` throws here; anything else would be a reader bug, and the body is refused all the same.
		return { ok: false, message: error instanceof XmlRefusal ? error.message : 'XML body refused: it could not be read' };
	}
}

class FlatXmlReader {
	private index = 0;
	private readonly text: string;

	constructor(text: string) {
		// XML 1.0 §2.11: every CRLF and lone CR is read as LF.
		this.text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
	}

	read(): FlatXml {
		this.checkCharacters();
		if (this.text.startsWith('<?xml') && /^<\?xml[\s?]/.test(this.text)) this.declaration();
		this.misc();
		if (!this.text.startsWith('<', this.index) || this.text.startsWith('</', this.index)) this.fail('it has no root element');
		const root = this.openTag();
		const fields: FieldValues = {};
		const rootAttributes = root.attributes;
		if (!root.selfClosing) {
			for (;;) {
				this.skipWhitespace();
				if (this.text.startsWith('<!--', this.index)) this.comment();
				else if (this.text.startsWith('</', this.index)) {
					this.closeTag(root.name);
					break;
				} else if (this.text.startsWith('<![CDATA[', this.index) || !this.text.startsWith('<', this.index)) {
					this.fail(this.index >= this.text.length ? 'the root element is not closed' : 'it has text directly in the root element: put each value in its own element');
				} else this.field(fields);
			}
		}
		this.misc();
		if (this.index < this.text.length) this.fail('it has content after the root element');
		return { root: root.name, rootAttributes, fields };
	}

	/** Names and text are the sender's: a refusal gives a position, never them. */
	private fail(reason: string): never {
		throw new XmlRefusal(`XML body refused at character ${this.index + 1}: ${reason}`);
	}

	private checkCharacters(): void {
		for (const char of this.text) {
			if (!isXmlChar(char.codePointAt(0) ?? 0)) this.fail('it contains a character XML does not allow (a control character)');
		}
	}

	private skipWhitespace(): void {
		while (this.index < this.text.length && ' \t\n'.includes(this.text[this.index])) this.index++;
	}

	/** `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`: only UTF-8 is read. */
	private declaration(): void {
		const end = this.text.indexOf('?>');
		if (end === -1) this.fail('its XML declaration is not closed');
		const declaration = this.text.slice(5, end);
		const encoding = /\sencoding\s*=\s*["']([^"']*)["']/.exec(declaration);
		if (encoding && !/^utf-?8$/i.test(encoding[1])) this.fail('it declares an encoding other than UTF-8');
		if (!/^\s+version\s*=\s*["']1\.[0-9]+["']/.test(declaration)) this.fail('its XML declaration has no version');
		this.index = end + 2;
	}

	/** Whitespace and comments; a DOCTYPE or processing instruction is refused. */
	private misc(): void {
		for (;;) {
			this.skipWhitespace();
			if (this.text.startsWith('<!--', this.index)) this.comment();
			else if (this.text.startsWith('<!', this.index)) this.fail('it has a DOCTYPE or markup declaration: send plain elements, no DTD and no entity definitions');
			else if (this.text.startsWith('<?', this.index)) this.fail('it has a processing instruction');
			else return;
		}
	}

	private comment(): void {
		const end = this.text.indexOf('-->', this.index + 4);
		if (end === -1) this.fail('a comment is not closed');
		if (this.text.slice(this.index + 4, end).includes('--')) this.fail('a comment contains "--"');
		this.index = end + 3;
	}

	private name(): string {
		const match = NAME.exec(this.text.slice(this.index, this.index + 256));
		if (!match) this.fail('an element or attribute name is missing or invalid');
		this.index += match[0].length;
		return match[0];
	}

	private openTag(): { name: string; attributes: FieldValues; selfClosing: boolean } {
		this.index++; // '<'
		const name = this.name();
		const attributes: FieldValues = {};
		for (;;) {
			const before = this.index;
			this.skipWhitespace();
			if (this.text.startsWith('/>', this.index)) {
				this.index += 2;
				return { name, attributes, selfClosing: true };
			}
			if (this.text[this.index] === '>') {
				this.index++;
				return { name, attributes, selfClosing: false };
			}
			if (this.index === before || this.index >= this.text.length) this.fail('a tag is malformed');
			const attribute = this.name();
			this.skipWhitespace();
			if (this.text[this.index] !== '=') this.fail('an attribute has no value');
			this.index++;
			this.skipWhitespace();
			const quote = this.text[this.index];
			if (quote !== '"' && quote !== "'") this.fail('an attribute value is not quoted');
			const end = this.text.indexOf(quote, this.index + 1);
			if (end === -1) this.fail('an attribute value is not closed');
			const raw = this.text.slice(this.index + 1, end);
			if (raw.includes('<')) this.fail('an attribute value contains "<"');
			if (Object.prototype.hasOwnProperty.call(attributes, attribute)) this.fail('an element repeats an attribute');
			// Attribute-value normalisation (XML 1.0 §3.3.3): literal whitespace becomes a space.
			addFieldValue(attributes, attribute, this.entities(raw.replace(/[\t\n]/g, ' ')));
			this.index = end + 1;
		}
	}

	private closeTag(name: string): void {
		this.index += 2;
		const closing = this.name();
		if (closing !== name) this.fail('an element is closed by a tag of another name');
		this.skipWhitespace();
		if (this.text[this.index] !== '>') this.fail('a closing tag is malformed');
		this.index++;
	}

	/** One child of the root: `<name>text</name>` or `<name/>`. */
	private field(fields: FieldValues): void {
		const tag = this.openTag();
		if (Object.keys(tag.attributes).length > 0) this.fail('an element below the root has attributes: send each value as text only');
		if (tag.selfClosing) {
			addFieldValue(fields, tag.name, '');
			return;
		}
		let value = '';
		for (;;) {
			const next = this.text.indexOf('<', this.index);
			if (next === -1) this.fail('an element is not closed');
			const chars = this.text.slice(this.index, next);
			if (chars.includes(']]>')) this.fail('it has "]]>" outside a CDATA section');
			value += this.entities(chars);
			this.index = next;
			if (this.text.startsWith('<![CDATA[', this.index)) {
				const end = this.text.indexOf(']]>', this.index + 9);
				if (end === -1) this.fail('a CDATA section is not closed');
				value += this.text.slice(this.index + 9, end);
				this.index = end + 3;
			} else if (this.text.startsWith('<!--', this.index)) {
				this.comment();
			} else if (this.text.startsWith('</', this.index)) {
				this.closeTag(tag.name);
				addFieldValue(fields, tag.name, value);
				return;
			} else {
				this.fail('an element below the root contains elements: send flat elements, one value each');
			}
		}
	}

	/** Character data with its references replaced; an unknown entity is refused. */
	private entities(chars: string): string {
		return chars.replace(/&([^;&\s]*);?/g, (whole, reference: string) => {
			if (!whole.endsWith(';')) this.fail('it has an "&" that starts no reference: write &amp;');
			if (Object.prototype.hasOwnProperty.call(PREDEFINED, reference)) return PREDEFINED[reference];
			const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(reference);
			if (!numeric) this.fail('it uses an entity XML does not predefine: only &lt; &gt; &amp; &quot; &apos; and &#…; are read');
			const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
			if (!isXmlChar(code)) this.fail('a character reference names a character XML does not allow');
			return String.fromCodePoint(code);
		});
	}
}
