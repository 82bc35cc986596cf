// node:zlib with fixed inputs: compressed bytes are compared, not only round trips.
const zlib = require('zlib');
const texts = { short: 'hello', repeat: 'abc'.repeat(200), unicode: 'héllo wörld 😀'.repeat(5), empty: '' };
for (const [k, s] of Object.entries(texts)) {
  test('deflateSync ' + k, () => zlib.deflateSync(s).toString('base64'));
  test('deflateRawSync ' + k, () => zlib.deflateRawSync(s).toString('base64'));
  test('gzipSync ' + k, () => zlib.gzipSync(s).toString('base64'));
  test('round trip inflate ' + k, () => zlib.inflateSync(zlib.deflateSync(s)).toString());
  test('round trip gunzip ' + k, () => zlib.gunzipSync(zlib.gzipSync(s)).toString());
  test('round trip brotli ' + k, () => zlib.brotliDecompressSync(zlib.brotliCompressSync(s)).toString());
}
for (const level of [0, 1, 9]) test('deflate level ' + level, () => zlib.deflateSync('abcabcabc'.repeat(20), { level }).toString('base64'));
test('inflate fixed data', () => zlib.inflateSync(Buffer.from('eJzLSM3JyVcozy/KSQEAGgsEXQ==', 'base64')).toString());
test('gunzip fixed data', () => zlib.gunzipSync(Buffer.from('H4sIAAAAAAAAA8tIzcnJVyjPL8pJAQCFEUoNCwAAAA==', 'base64')).toString());
test('inflateRaw fixed data', () => zlib.inflateRawSync(Buffer.from('y0jNyclXKM8vyknRUchAcAA=', 'base64')).toString());
test('inflate bad checksum', () => { try { zlib.inflateSync(Buffer.from('eJzLSM3JyVcozy/KSQEAGgQEXQ==', 'base64')); } catch (e) { return [e.name, e.code, e.errno]; } });
test('unzip gzip', () => zlib.unzipSync(zlib.gzipSync('u')).toString());
test('unzip deflate', () => zlib.unzipSync(zlib.deflateSync('u')).toString());
test('inflate garbage', () => { try { zlib.inflateSync(Buffer.from('not zlib')); } catch (e) { return [e.name, e.code, e.errno]; } });
test('gunzip truncated', () => { try { zlib.gunzipSync(zlib.gzipSync('hello').subarray(0, 10)); } catch (e) { return [e.name, e.code]; } });
test('deflate async', () => new Promise((res) => zlib.deflate('async', (e, b) => res([e, b.toString('base64')]))));
test('gunzip async', () => new Promise((res) => zlib.gunzip(zlib.gzipSync('async'), (e, b) => res([e, b.toString()]))));
test('promisified', async () => (await require('util').promisify(zlib.gzip)('p')).length > 0);
test('crc32', () => (typeof zlib.crc32 === 'function' ? zlib.crc32('hello') : 'absent'));
test('constants', () => [zlib.constants.Z_BEST_COMPRESSION, zlib.constants.Z_SYNC_FLUSH, zlib.constants.BROTLI_PARAM_QUALITY]);
test('inflateRaw', () => zlib.inflateRawSync(zlib.deflateRawSync('raw')).toString());
test('stream gzip', () => new Promise((res) => { const g = zlib.createGzip(); const out = []; g.on('data', (c) => out.push(c)); g.on('end', () => res(zlib.gunzipSync(Buffer.concat(out)).toString())); g.write('str'); g.end('eam'); }));
test('stream inflate', () => new Promise((res) => { const g = zlib.createInflate(); const out = []; g.on('data', (c) => out.push(c)); g.on('end', () => res(Buffer.concat(out).toString())); g.end(zlib.deflateSync('inflated')); }));
test('input Uint8Array', () => zlib.inflateSync(new Uint8Array(zlib.deflateSync('u8'))).toString());
test('input string for inflate throws', () => { try { zlib.inflateSync('abc'); } catch (e) { return [e.name, e.code]; } });
test('windowBits option', () => zlib.deflateSync('w', { windowBits: 9 }).toString('base64'));
test('gzip header os byte', () => zlib.gzipSync('x')[9]);
test('gunzip header only', () => { try { zlib.gunzipSync(zlib.gzipSync('hello').subarray(0, 5)); } catch (e) { return [e.name, e.code, e.errno]; } });
test('inflate truncated', () => { try { zlib.inflateSync(zlib.deflateSync('hello world hello world').subarray(0, 8)); } catch (e) { return [e.name, e.code, e.errno, e.message]; } });
test('gzip header bytes', () => [...zlib.gzipSync('x').subarray(0, 10)]);
test('gzip header best compression', () => [...zlib.gzipSync('x', { level: 9 }).subarray(8, 10)]);
for (const [k, input] of [['short garbage', 'nope'], ['one byte', '\x1f'], ['magic only', '\x1f\x8b'], ['empty', '']])
  test('gunzip ' + k, () => { try { return zlib.gunzipSync(Buffer.from(input, 'latin1')); } catch (e) { return [e.name, e.code, e.errno, e.message]; } });
