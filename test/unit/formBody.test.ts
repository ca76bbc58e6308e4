/** Form bodies and query strings (nodes/shared/formBody.ts), read strictly into fields. */
import { readMultipartBody, readQueryString, readUrlEncoded } from '../../nodes/shared/formBody';

const multipart = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('readUrlEncoded', () => {
	it('decodes %-sequences as UTF-8 and + as a space, keeping empty values', () => {
		expect(readUrlEncoded('name=J%C3%BCrg+M%C3%BCller&empty=&flag')).toEqual({ ok: true, fields: { name: 'Jürg Müller', empty: '', flag: '' } });
	});

	it('refuses a %-sequence that is not UTF-8, counting the pair instead of quoting it', () => {
		expect(readUrlEncoded('a=1&secret=%FF')).toEqual({ ok: false, message: 'Malformed form body: pair 2 has invalid percent-encoding (send UTF-8, %-encoded)' });
	});
});

describe('readQueryString', () => {
	it('reads the part between ? and #', () => {
		expect(readQueryString('/webhook/x?id=1&id=2#frag')).toEqual({ ok: true, fields: { id: ['1', '2'] } });
	});

	it('reads a URL without a query string as no fields', () => {
		expect(readQueryString('/webhook/x')).toEqual({ ok: true, fields: {} });
	});
});

describe('readMultipartBody', () => {
	const type = 'multipart/form-data; boundary="----b 1"';

	it('reads text fields after a preamble, with and without a part Content-Type', () => {
		const body = multipart('preamble', '------b 1', 'Content-Disposition: form-data; name="a"', '', 'x', '------b 1', 'Content-Disposition: form-data; name="b"', 'Content-Type: text/plain; charset=UTF-8', '', '', '------b 1--', 'epilogue');
		expect(readMultipartBody(body, type)).toEqual({ ok: true, fields: { a: 'x', b: '' } });
	});

	it('refuses a body without a boundary parameter', () => {
		expect(readMultipartBody(Buffer.from('x'), 'multipart/form-data')).toEqual({ ok: false, message: 'Malformed multipart/form-data: the Content-Type has no valid boundary parameter' });
	});

	it('refuses a body cut off before its closing delimiter', () => {
		const body = multipart('------b 1', 'Content-Disposition: form-data; name="a"', '', 'x');
		expect(readMultipartBody(body, type)).toEqual({ ok: false, message: 'Malformed multipart/form-data: the body ends before its closing delimiter' });
	});

	it('refuses a part that is not text/plain', () => {
		const body = multipart('------b 1', 'Content-Disposition: form-data; name="a"', 'Content-Type: application/octet-stream', '', 'x', '------b 1--');
		expect(readMultipartBody(body, type)).toEqual({ ok: false, message: 'Unsupported multipart/form-data part 1: send text fields as text/plain in UTF-8' });
	});

	it('refuses a base64-encoded part rather than guessing its text', () => {
		const body = multipart('------b 1', 'Content-Disposition: form-data; name="a"', 'Content-Transfer-Encoding: base64', '', 'eA==', '------b 1--');
		expect(readMultipartBody(body, type)).toEqual({ ok: false, message: 'Unsupported multipart/form-data part 1: send it without a Content-Transfer-Encoding' });
	});

	it('refuses a part without a form-data name', () => {
		const body = multipart('------b 1', 'Content-Disposition: form-data', '', 'x', '------b 1--');
		expect(readMultipartBody(body, type)).toEqual({ ok: false, message: 'Malformed multipart/form-data part 1: it has no plain name parameter' });
	});
});
