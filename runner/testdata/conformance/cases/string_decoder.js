// node:string_decoder.
const { StringDecoder } = require('string_decoder');
const feed = (enc, chunks) => () => { const d = new StringDecoder(enc); const out = chunks.map((c) => d.write(Buffer.from(c))); out.push(d.end()); return out; };
for (const [name, enc, chunks] of [
  ['utf8 whole', 'utf8', [[0x68, 0x69]]], ['utf8 split 2-byte', 'utf8', [[0xc3], [0xa9]]], ['utf8 split 3-byte', 'utf8', [[0xe2, 0x82], [0xac]]],
  ['utf8 split 4-byte in three', 'utf8', [[0xf0], [0x9f, 0x98], [0x80]]], ['utf8 incomplete at end', 'utf8', [[0x61, 0xe2, 0x82]]],
  ['utf8 invalid continuation', 'utf8', [[0xe2], [0x41]]], ['utf8 lone continuation', 'utf8', [[0x80, 0x41]]], ['utf8 default', undefined, [[0xc3], [0xa9, 0x21]]],
  ['utf8 empty chunks', 'utf8', [[], [0x41], []]], ['utf8 overlong', 'utf8', [[0xc0, 0xaf]]], ['utf8 surrogate bytes', 'utf8', [[0xed, 0xa0, 0x80]]],
  ['utf16le split', 'utf16le', [[0x68], [0x00, 0x69], [0x00]]], ['utf16le surrogate pair split', 'utf16le', [[0x3d, 0xd8], [0x00, 0xde]]],
  ['utf16le odd end', 'utf16le', [[0x41, 0x00, 0x42]]], ['base64 split', 'base64', [[0x68], [0x65, 0x6c], [0x6c, 0x6f]]],
  ['base64 one', 'base64', [[0xff]]], ['base64url', 'base64url', [[0xfb, 0xff], [0xbf]]], ['hex', 'hex', [[0xde, 0xad], [0xbe]]],
  ['latin1', 'latin1', [[0xe9, 0xff]]], ['ascii', 'ascii', [[0xe9, 0x41]]], ['ucs2', 'ucs2', [[0x41, 0x00]]],
]) test(name, feed(enc, chunks));
test('end with buffer', () => { const d = new StringDecoder('utf8'); return [d.write(Buffer.from([0xe2])), d.end(Buffer.from([0x82, 0xac]))]; });
test('encoding property', () => ['utf8', 'UTF-8', 'ucs2', 'binary', 'base64url'].map((e) => new StringDecoder(e).encoding));
test('unknown encoding', () => { try { new StringDecoder('nope'); } catch (e) { return [e.name, e.code]; } });
test('write string', () => new StringDecoder('utf8').write('already a string'));
test('write Uint8Array', () => new StringDecoder('utf8').write(new Uint8Array([0x68, 0x69])));
test('reuse after end', () => { const d = new StringDecoder('utf8'); d.write(Buffer.from([0xe2])); d.end(); return d.write(Buffer.from('ok')); });
test('lastNeed', () => { const d = new StringDecoder('utf8'); d.write(Buffer.from([0xe2])); return [d.lastNeed, d.lastTotal]; });
const state = (d) => [d.lastNeed, d.lastTotal];
test('lastNeed states utf8', () => { const d = new StringDecoder('utf8'); const o = [state(d)]; d.write(Buffer.from([0xe2])); o.push(state(d)); d.write(Buffer.from([0x82])); o.push(state(d)); d.write(Buffer.from([0xac])); o.push(state(d)); return o; });
test('lastNeed states utf16le', () => { const d = new StringDecoder('utf16le'); d.write(Buffer.from([0x41])); const a = state(d); const e = new StringDecoder('utf16le'); e.write(Buffer.from([0x3d, 0xd8])); return [a, state(e), e.end()]; });
test('lastNeed base64', () => { const d = new StringDecoder('base64'); d.write(Buffer.from([1])); return state(d); });
test('utf8 four-byte held at end', () => { const d = new StringDecoder('utf8'); return [d.write(Buffer.from([0xf0, 0x9f])), state(d), d.end()]; });
