// node:buffer: encodings both ways, and the Buffer API actions use.
const { Buffer: B } = require('buffer');

const samples = { ascii: 'hello', latin: 'héllo wörld', bmp: '日本語', astral: 'a😀b', controls: '\u0000\u0001\u007f', lone: 'a\uD800b', empty: '' };
for (const enc of ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'utf16le', 'ucs2'])
  for (const [k, s] of Object.entries(samples))
    test('from ' + k + ' to ' + enc, () => B.from(s).toString(enc));

for (const [enc, s] of [['hex', '68656c6c6f'], ['hex', '6g'], ['hex', 'abc'], ['hex', 'ABCDEF'], ['base64', 'aGVsbG8='], ['base64', 'aGVsbG8'],
  ['base64', 'aGV sbG8='], ['base64', 'aGVsbG8=trailing'], ['base64', '-_-_'], ['base64url', '-_-_'], ['base64url', '+/+/'], ['base64', 'a'],
  ['latin1', 'ÿé€'], ['ascii', 'é'], ['utf16le', 'hi😀'], ['utf8', '\uDC00'], ['ucs2', 'ab'], ['binary', '\u0100']])
  test('decode ' + enc + ' ' + JSON.stringify(s), () => B.from(s, enc));

for (const bytes of [[0xff], [0xc3], [0xe6, 0x97], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80, 0x41], [0xef, 0xbb, 0xbf, 0x41]])
  test('invalid utf8 ' + bytes.join(','), () => B.from(bytes).toString());

test('byteLength', () => ['héllo', '😀', 'aGk=', 'abc'].map((s) => [B.byteLength(s), B.byteLength(s, 'base64'), B.byteLength(s, 'hex'), B.byteLength(s, 'utf16le')]));
test('alloc', () => [B.alloc(3), B.alloc(5, 'ab'), B.alloc(4, 0x101), B.alloc(3, 'aGk=', 'base64'), B.alloc(0)]);
test('allocUnsafe length', () => B.allocUnsafe(7).length);
test('from array', () => B.from([1, 256, -1, 3.7, 'x']));
test('from arraybuffer view', () => { const ab = new Uint8Array([1, 2, 3, 4]).buffer; const b = B.from(ab, 1, 2); new Uint8Array(ab)[1] = 9; return b; });
test('from buffer copies', () => { const a = B.from('ab'); const b = B.from(a); a[0] = 0; return b; });
test('from object toPrimitive', () => B.from(new String('str')));
test('from json shape', () => B.from({ type: 'Buffer', data: [1, 2] }));
test('from number throws', () => B.from(5));
test('concat', () => [B.concat([B.from('a'), new Uint8Array([98]), B.from('c')]), B.concat([B.from('abc')], 2), B.concat([], 0)]);
test('compare and equals', () => [B.compare(B.from('a'), B.from('b')), B.compare(B.from('b'), B.from('a')), B.from('x').equals(B.from('x')), B.from('ab').compare(B.from('abc'))]);
test('slice shares memory', () => { const b = B.from('hello'); const s = b.slice(1, 3); s[0] = 0x45; return [b.toString(), s.toString()]; });
test('subarray negative', () => B.from('hello').subarray(-3, -1).toString());
test('toString range', () => [B.from('hello').toString('utf8', 1, 3), B.from('hello').toString(undefined, 2), B.from('hello').toString('hex', 10)]);
test('write', () => { const x = B.alloc(6); const n = x.write('hé', 1); const m = x.write('ffff', 4, 'hex'); return [n, m, x]; });
test('write overflow', () => { const x = B.alloc(2); return [x.write('abc'), x.toString()]; });
test('fill', () => [B.alloc(5).fill('xy'), B.alloc(4).fill(0x41, 1, 3), B.alloc(4).fill('aa', 'hex')]);
test('indexOf family', () => { const b = B.from('hello world'); return [b.indexOf('o'), b.lastIndexOf('o'), b.indexOf('o', 5), b.includes('wor'), b.indexOf(B.from('ld')), b.indexOf(0x77), b.indexOf('zz')]; });
test('ints big endian', () => { const w = B.alloc(8); w.writeUInt32BE(0xdeadbeef, 0); w.writeInt16BE(-2, 4); w.writeUInt16BE(0xabcd, 6); return [w, w.readUInt32BE(0), w.readInt16BE(4), w.readUInt16BE(6)]; });
test('ints little endian', () => { const w = B.alloc(8); w.writeUInt32LE(0xdeadbeef, 0); w.writeInt32LE(-5, 4); return [w, w.readUInt32LE(0), w.readInt32LE(4), w.readInt8(7)]; });
test('int variable width', () => { const w = B.alloc(6); w.writeIntBE(-123456, 0, 3); w.writeUIntLE(0x123456, 3, 3); return [w, w.readIntBE(0, 3), w.readUIntLE(3, 3), w.readUIntBE(0, 6)]; });
test('floats', () => { const w = B.alloc(12); w.writeFloatBE(1.5, 0); w.writeDoubleLE(-0.1, 4); return [w, w.readFloatBE(0), w.readDoubleLE(4)]; });
test('bigints', () => { const w = B.alloc(16); w.writeBigUInt64BE(2n ** 63n + 5n, 0); w.writeBigInt64LE(-7n, 8); return [w, w.readBigUInt64BE(0), w.readBigInt64LE(8)]; });
test('read out of range', () => B.alloc(2).readUInt32BE(0));
test('read out of range code', () => { try { B.alloc(2).readUInt32BE(0); } catch (e) { return [e.name, e.code, e.message]; } });
test('write value out of range', () => { try { B.alloc(1).writeUInt8(300); } catch (e) { return [e.name, e.code]; } });
test('swap', () => [B.from([1, 2, 3, 4]).swap16(), B.from([1, 2, 3, 4]).swap32(), B.from([1, 2, 3, 4, 5, 6, 7, 8]).swap64()]);
test('toJSON', () => JSON.stringify(B.from('AB')));
test('isBuffer isEncoding', () => [B.isBuffer(B.alloc(1)), B.isBuffer(new Uint8Array(1)), B.isEncoding('utf8'), B.isEncoding('UTF-8'), B.isEncoding('utf-7'), B.isEncoding('')]);
test('unknown encoding', () => { try { B.from('x', 'utf-7'); } catch (e) { return [e.name, e.code, e.message]; } });
test('encoding case', () => [B.from('hi', 'HEX').length, B.from('hi', 'Base64').toString('HEX'), B.from('hi').toString('UTF8')]);
test('instanceof Uint8Array', () => [B.alloc(1) instanceof Uint8Array, Object.getPrototypeOf(B.prototype) === Uint8Array.prototype]);
test('map keeps Buffer', () => B.isBuffer(B.from('ab').map((x) => x + 1)));
test('iteration', () => [[...B.from('ab')], [...B.from('ab').entries()], [...B.from('ab').keys()]]);
test('copy', () => { const a = B.from('abcdef'); const b = B.alloc(4, '.'); const n = a.copy(b, 1, 2, 4); return [n, b]; });
test('reverse sort', () => [B.from('abc').reverse(), B.from([3, 1, 2]).sort()]);
test('Buffer() call', () => B('x'));
test('global Buffer', () => Buffer === B);
test('constants', () => [require('buffer').constants.MAX_STRING_LENGTH > 0, require('buffer').kMaxLength > 0, B.poolSize]);
test('transcode absent or works', () => typeof require('buffer').transcode);
test('atob btoa', () => [btoa('hi'), atob('aGk='), atob(' aG k= '), btoa('\u00ff')]);
test('btoa non latin1', () => { try { btoa('€'); } catch (e) { return [e.name, e.code]; } });
test('atob invalid', () => { try { atob('a'); } catch (e) { return [e.name, e.code]; } });
test('Blob from buffer module', () => typeof require('buffer').Blob);
test('base64 of binary', () => B.from([0xfb, 0xff, 0xbf, 0x00]).toString('base64'));
test('base64url no padding', () => B.from([0xfb, 0xff]).toString('base64url'));
test('hex odd length', () => B.from('abc', 'hex'));
test('latin1 of high code points', () => B.from('ĀāȀ', 'latin1'));
test('readUInt8 alias', () => [typeof B.prototype.readUint8, typeof B.prototype.writeUint32LE, typeof B.prototype.readBigUint64LE]);
test('length of string surrogates', () => B.from('😀').length);
test('toLocaleString is toString', () => B.from('hi').toLocaleString());
test('inspect', () => require('util').inspect(B.from('hello world, this is a longer buffer of bytes!')));
const err = (f) => { try { return ['no throw', f()]; } catch (e) { return [e.name, e.code, e.message]; } };
test('from number message', () => err(() => B.from(5)));
test('from null message', () => err(() => B.from(null)));
test('from undefined message', () => err(() => B.from()));
test('from object message', () => err(() => B.from({})));
test('from bool message', () => err(() => B.from(true)));
test('swap16 odd', () => err(() => B.from([1, 2, 3]).swap16()));
test('swap32 size', () => err(() => B.from([1, 2]).swap32()));
test('swap64 size', () => err(() => B.alloc(4).swap64()));
test('read offset past end', () => err(() => B.alloc(4).readUInt16LE(3)));
test('read offset negative', () => err(() => B.alloc(4).readInt8(-1)));
test('read offset fraction', () => err(() => B.alloc(4).readUInt8(1.5)));
test('read offset string', () => err(() => B.alloc(4).readUInt8('1')));
test('read empty buffer', () => err(() => B.alloc(0).readUInt8(0)));
test('read double short buffer', () => err(() => B.alloc(7).readDoubleBE()));
test('write uint8 -1', () => err(() => B.alloc(1).writeUInt8(-1)));
test('write int8 128', () => err(() => B.alloc(1).writeInt8(128)));
test('write uint16 65536', () => err(() => B.alloc(2).writeUInt16BE(65536)));
test('write int32 too big', () => err(() => B.alloc(4).writeInt32LE(2 ** 31)));
test('write uint32 huge', () => err(() => B.alloc(4).writeUInt32BE(2 ** 40)));
test('write uint32 string value', () => { const b = B.alloc(4); b.writeUInt32BE('258'); return b; });
test('write uintBE 6 bytes too big', () => err(() => B.alloc(6).writeUIntBE(2 ** 48, 0, 6)));
test('write intLE 3 bytes too small', () => err(() => B.alloc(3).writeIntLE(-(2 ** 23) - 1, 0, 3)));
test('write bigint64 too big', () => err(() => B.alloc(8).writeBigInt64BE(2n ** 63n)));
test('write biguint64 negative', () => err(() => B.alloc(8).writeBigUInt64LE(-1n)));
test('write float any value', () => { const b = B.alloc(4); b.writeFloatLE(1e40); return b; });
test('write offset past end', () => err(() => B.alloc(2).writeUInt16BE(1, 1)));
test('write returns offset', () => [B.alloc(8).writeUInt32BE(1, 2), B.alloc(8).writeDoubleLE(1), B.alloc(8).writeUIntLE(1, 1, 3)]);
for (const [k, s] of [['base64 padded', 'aGk='], ['base64 double pad', 'aA=='], ['base64 spaces', 'aG k='], ['base64 astral', '😀😀'], ['hex odd', 'abc'], ['hex astral', '😀']])
  test('byteLength ' + k, () => [B.byteLength(s, k.split(' ')[0]), B.from(s, k.split(' ')[0]).length]);
test('byteLength latin1 astral', () => [B.byteLength('😀', 'latin1'), B.byteLength('é', 'ascii')]);
for (const bytes of [[0xe0, 0x80], [0xe0, 0xa0], [0xf0, 0x80, 0x80], [0xf0, 0x90, 0x80], [0xc2], [0xe1, 0x80, 0x41], [0xf5, 0x80], [0xfe, 0xff], [0x41, 0xed, 0x9f, 0xbf]])
  test('utf8 decode ' + bytes.join(','), () => B.from(bytes).toString());
test('utf16le lone surrogates both ways', () => [B.from('a\uD800', 'utf16le'), B.from([0x3d, 0xd8, 0x41]).toString('utf16le'), B.from([0x00, 0xdc]).toString('ucs2')]);
test('utf16le long string', () => B.from('ab😀'.repeat(3000), 'utf16le').toString('utf16le') === 'ab😀'.repeat(3000));
test('utf16le range', () => B.from('hello', 'utf16le').toString('utf16le', 1, 7));
test('atob forgiving-base64 checks', () => ['a', 'ab', 'abc', 'abcd', 'ab==', 'ab=', 'a===', 'ab=c', '@@', ' Y W E = ', 'YQ', 'YQ=', 'YQ===', 'YQ==\n', '', '====', 'YWJj\u00e9']
  .map((s) => { try { return atob(s); } catch (e) { return [e.name, e.code, e.message]; } }));
test('btoa latin1 range', () => [btoa('\u00ff\u0000a'), (() => { try { return btoa('\u0100'); } catch (e) { return [e.name, e.message, e instanceof DOMException]; } })()]);
