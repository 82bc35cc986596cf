package runner

import (
	"compress/gzip"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// checksHarness wraps a list of JS checks: eq(name, got, want) records a failure; the action sets
// the claim "fails" to the list, which the test wants empty.
const checksHarness = `const fails = [];
const show = (v) => { try { return JSON.stringify(v); } catch (e) { return String(v); } };
function eq(name, got, want) { if (show(got) !== show(want)) fails.push(name + ': got ' + show(got) + ', want ' + show(want)); }
function ok(name, cond) { if (!cond) fails.push(name); }
async function throwsMsg(name, fn, re) {
  try { await fn(); fails.push(name + ': did not throw'); } catch (e) { if (!re.test(String(e && e.message))) fails.push(name + ': threw ' + (e && e.message)); }
}
`

func runChecks(t *testing.T, body string, opts Options, event string, secrets map[string]string) *Result {
	t.Helper()
	src := checksHarness + `exports.onExecutePostLogin = async (event, api) => {
` + body + `
  api.idToken.setCustomClaim('fails', fails);
};`
	a := newAction("checks", src)
	a.Secrets = secrets
	g := mustBuild(t, newSpec(a), opts)
	res := mustExecute(t, g, "post-login", event)
	wantSuccess(t, res)
	var fails []string
	if err := jsonUnmarshal(res.Effects.IDTokenClaims["fails"], &fails); err != nil {
		t.Fatal(err)
	}
	for _, f := range fails {
		t.Error(f)
	}
	return res
}

func TestNodeBuffer(t *testing.T) {
	runChecks(t, `
  const { Buffer: B } = require('node:buffer');
  ok('global Buffer is the module\'s', B === Buffer);
  const b = Buffer.from('héllo wörld');
  eq('utf8 length', b.length, 13);
  eq('hex', Buffer.from('hi!').toString('hex'), '686921');
  eq('from hex', Buffer.from('686921', 'hex').toString(), 'hi!');
  eq('base64', Buffer.from([0xfb, 0xff, 0xbf]).toString('base64'), '+/+/');
  eq('base64url', Buffer.from([0xfb, 0xff, 0xbf]).toString('base64url'), '-_-_');
  eq('from base64url', Buffer.from('-_-_', 'base64url').toJSON().data, [0xfb, 0xff, 0xbf]);
  eq('from base64 without padding', Buffer.from('aGk', 'base64').toString(), 'hi');
  eq('latin1', Buffer.from('é', 'latin1').toJSON().data, [0xe9]);
  eq('to latin1', Buffer.from([0xe9, 0x41]).toString('latin1'), 'éA');
  eq('binary', Buffer.from('ÿ', 'binary')[0], 255);
  eq('ascii', Buffer.from([0xc1]).toString('ascii'), 'A');
  eq('utf16le', Buffer.from('hi', 'utf16le').toJSON().data, [104, 0, 105, 0]);
  eq('byteLength', Buffer.byteLength('héllo'), 6);
  eq('concat', Buffer.concat([Buffer.from('a'), new Uint8Array([98]), Buffer.from('c')]).toString(), 'abc');
  const s = b.slice(0, 5); s[0] = 72;
  eq('slice shares memory', b.toString('utf8', 0, 1), 'H');
  ok('isBuffer', Buffer.isBuffer(s) && !Buffer.isBuffer(new Uint8Array(1)));
  ok('instanceof Uint8Array', b instanceof Uint8Array);
  eq('compare', [Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('x').equals(Buffer.from('x'))], [-1, true]);
  const w = Buffer.alloc(8);
  w.writeUInt32BE(0xdeadbeef, 0); w.writeInt16LE(-2, 4);
  eq('read/write ints', [w.readUInt32BE(0).toString(16), w.readInt16LE(4), w.readUint8(0)], ['deadbeef', -2, 0xde]);
  eq('indexOf', [Buffer.from('hello').indexOf('l'), Buffer.from('hello').lastIndexOf('l'), Buffer.from('hello').includes('ell')], [2, 3, true]);
  eq('alloc fill', Buffer.alloc(3, 'ab').toString(), 'aba');
  eq('toJSON', JSON.stringify(Buffer.from('A')), '{"type":"Buffer","data":[65]}');
  eq('Buffer()', Buffer('x').toString(), 'x');
  eq('write', (() => { const x = Buffer.alloc(4); const n = x.write('hé', 1); return [n, x.toString('hex')]; })(), [3, '0068c3a9']);
  eq('map gives Buffer', Buffer.isBuffer(Buffer.from('ab').subarray(1)), true);
  eq('atob/btoa', [btoa('hi'), atob('aGk=')], ['aGk=', 'hi']);
  await throwsMsg('unknown encoding', () => Buffer.from('x', 'utf-7'), /Unknown encoding/);
`, Options{}, `{}`, nil)
}

func TestNodeCrypto(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))

	res := runChecks(t, `
  const crypto = require('crypto');
  eq('md5', crypto.createHash('md5').update('abc').digest('hex'), '900150983cd24fb0d6963f7d28e17f72');
  eq('sha1', crypto.createHash('sha1').update('abc').digest('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  eq('sha256 in parts', crypto.createHash('SHA256').update('a').update(Buffer.from('bc')).digest('base64'), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  eq('sha512', crypto.createHash('sha512').update('abc').digest('hex').slice(0, 32), 'ddaf35a193617abacc417349ae204131');
  eq('hmac', crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'), 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  eq('hmac with KeyObject', crypto.createHmac('sha256', crypto.createSecretKey(Buffer.from('key'))).update('x').digest('hex'), crypto.createHmac('sha256', 'key').update('x').digest('hex'));
  eq('randomBytes', crypto.randomBytes(16).length, 16);
  ok('randomUUID', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
  ok('global crypto.randomUUID', /^[0-9a-f-]{36}$/.test(globalThis.crypto.randomUUID()));
  ok('getRandomValues', globalThis.crypto.getRandomValues(new Uint32Array(4)).length === 4);
  const ri = crypto.randomInt(10, 20); ok('randomInt', ri >= 10 && ri < 20);
  eq('timingSafeEqual', [crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')), crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))], [true, false]);
  await throwsMsg('timingSafeEqual lengths', () => crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')), /same byte length/);
  eq('pbkdf2', crypto.pbkdf2Sync('password', 'salt', 1, 20, 'sha1').toString('hex'), '0c60c80f961f0e71f3a9b524af6012062fe037a6');

  // RS256 as jwa does it.
  const priv = crypto.createPrivateKey(event.secrets.RSA);
  eq('rsa key', [priv.type, priv.asymmetricKeyType, priv.asymmetricKeyDetails.modulusLength], ['private', 'rsa', 2048]);
  const pub = crypto.createPublicKey(priv);
  const b64u = (s) => Buffer.from(JSON.stringify(s)).toString('base64url');
  const input = b64u({ alg: 'RS256', typ: 'JWT' }) + '.' + b64u({ sub: 'auth0|1' });
  const sig = crypto.createSign('RSA-SHA256').update(input).sign(event.secrets.RSA, 'base64url');
  api.idToken.setCustomClaim('rs256', input + '.' + sig);
  ok('rs256 verifies', crypto.createVerify('RSA-SHA256').update(input).verify(pub, sig, 'base64url'));
  ok('rs256 verifies with PEM public', crypto.createVerify('sha256').update(input).verify(pub.export({ type: 'spki', format: 'pem' }), sig, 'base64url'));
  ok('rs256 rejects tampering', !crypto.createVerify('RSA-SHA256').update(input + 'x').verify(pub, sig, 'base64url'));
  const pss = crypto.sign('sha256', Buffer.from('m'), { key: priv, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST });
  ok('PS256', crypto.verify('sha256', Buffer.from('m'), { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: -1 }, pss));
  const jwk = pub.export({ format: 'jwk' });
  eq('jwk export', [jwk.kty, jwk.e], ['RSA', 'AQAB']);
  ok('jwk import', crypto.createPublicKey({ key: jwk, format: 'jwk' }).equals(pub));

  // ES256, DER and IEEE P1363.
  const ec = crypto.createPrivateKey(event.secrets.EC);
  eq('ec key', [ec.asymmetricKeyType, ec.asymmetricKeyDetails.namedCurve], ['ec', 'prime256v1']);
  const esInput = b64u({ alg: 'ES256', typ: 'JWT' }) + '.' + b64u({ sub: 'auth0|2' });
  const es = crypto.sign('sha256', Buffer.from(esInput), { key: ec, dsaEncoding: 'ieee-p1363' });
  eq('p1363 length', es.length, 64);
  api.idToken.setCustomClaim('es256', esInput + '.' + es.toString('base64url'));
  const esDer = crypto.createSign('SHA256').update('x').sign(ec);
  ok('DER verifies', crypto.createVerify('SHA256').update('x').verify(crypto.createPublicKey(ec), esDer));
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
  ok('generated ES384', crypto.verify('sha384', Buffer.from('y'), publicKey, crypto.sign('sha384', Buffer.from('y'), privateKey)));
  const ed = crypto.generateKeyPairSync('ed25519');
  ok('Ed25519', crypto.verify(null, Buffer.from('z'), ed.publicKey, crypto.sign(null, Buffer.from('z'), ed.privateKey)));
  await throwsMsg('garbage PEM', () => crypto.createPrivateKey('nope'), /PEM/);

  // AES-256-GCM and CBC.
  const key = crypto.randomBytes(32), iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([c.update('secret text', 'utf8'), c.final()]);
  const tag = c.getAuthTag();
  const d = crypto.createDecipheriv('aes-256-gcm', key, iv); d.setAuthTag(tag);
  eq('aes-gcm', d.update(enc, undefined, 'utf8') + d.final('utf8'), 'secret text');
  const iv16 = crypto.randomBytes(16);
  const cbc = crypto.createCipheriv('aes-128-cbc', key.subarray(0, 16), iv16);
  const ct = cbc.update('x'.repeat(20), 'utf8', 'hex') + cbc.final('hex');
  const dc = crypto.createDecipheriv('aes-128-cbc', key.subarray(0, 16), iv16);
  eq('aes-cbc', dc.update(ct, 'hex', 'utf8') + dc.final('utf8'), 'x'.repeat(20));

  // WebCrypto.
  const subtle = globalThis.crypto.subtle;
  ok('same subtle', subtle === crypto.webcrypto.subtle);
  const dg = await subtle.digest('SHA-256', new TextEncoder().encode('abc'));
  eq('digest', Buffer.from(dg).toString('hex').slice(0, 16), 'ba7816bf8f01cfea');
  const hk = await subtle.importKey('raw', new TextEncoder().encode('key'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const hs = await subtle.sign('HMAC', hk, new TextEncoder().encode('The quick brown fox jumps over the lazy dog'));
  eq('subtle hmac', Buffer.from(hs).toString('hex').slice(0, 16), 'f7bc83f430538424');
  ok('subtle hmac verify', await subtle.verify('HMAC', hk, hs, new TextEncoder().encode('The quick brown fox jumps over the lazy dog')));
  ok('CryptoKey', hk instanceof CryptoKey && hk.type === 'secret' && hk.algorithm.hash.name === 'SHA-256');
  const kp = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const esig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, kp.privateKey, new Uint8Array([1, 2, 3]));
  eq('ecdsa raw signature', esig.byteLength, 64);
  ok('ecdsa verify', await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, kp.publicKey, esig, new Uint8Array([1, 2, 3])));
  const ejwk = await subtle.exportKey('jwk', kp.publicKey);
  const reimported = await subtle.importKey('jwk', ejwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  ok('ecdsa jwk roundtrip', await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, reimported, esig, new Uint8Array([1, 2, 3])));
  const spki = pub.export({ type: 'spki', format: 'der' });
  const rk = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  ok('rsa spki verify', await subtle.verify('RSASSA-PKCS1-v1_5', rk, Buffer.from(sig, 'base64url'), new TextEncoder().encode(input)));
  const pk8 = priv.export({ type: 'pkcs8', format: 'der' });
  const rpk = await subtle.importKey('pkcs8', pk8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  eq('rsa pkcs8 sign equals node sign', Buffer.from(await subtle.sign('RSASSA-PKCS1-v1_5', rpk, new TextEncoder().encode(input))).toString('base64url'), sig);
  const ak = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const aiv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const actext = await subtle.encrypt({ name: 'AES-GCM', iv: aiv }, ak, new TextEncoder().encode('hi'));
  eq('subtle aes-gcm', new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv: aiv }, ak, actext)), 'hi');
  let rejected = false;
  await subtle.sign('HMAC', kp.publicKey, new Uint8Array(1)).catch(() => { rejected = true; });
  ok('subtle rejects a wrong key', rejected);
`, Options{}, `{}`, map[string]string{"RSA": rsaPEM, "EC": ecPEM})

	// What JavaScript signed, Go verifies.
	var rs, es string
	_ = jsonUnmarshal(res.Effects.IDTokenClaims["rs256"], &rs)
	_ = jsonUnmarshal(res.Effects.IDTokenClaims["es256"], &es)
	parts := strings.Split(rs, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("RS256 signed in JavaScript does not verify in Go: %v", err)
	}
	parts = strings.Split(es, ".")
	sig, _ = base64.RawURLEncoding.DecodeString(parts[2])
	digest = sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if len(sig) != 64 || !ecdsa.Verify(&ecKey.PublicKey, digest[:], r, s) {
		t.Errorf("ES256 signed in JavaScript does not verify in Go")
	}
}

func TestNodeModules(t *testing.T) {
	runChecks(t, `
  const util = require('node:util');
  eq('format', util.format('%s:%d:%j', 'a', 1, { b: 2 }), 'a:1:{"b":2}');
  eq('inspect', util.inspect({ a: [1, 'x'] }), "{ a: [ 1, 'x' ] }");
  function Base() {} Base.prototype.hi = () => 'hi';
  function Child() { Base.call(this); } util.inherits(Child, Base);
  eq('inherits', [new Child().hi(), Child.super_ === Base], ['hi', true]);
  const p = util.promisify((x, cb) => setTimeout(() => cb(null, x * 2), 1));
  eq('promisify', await p(21), 42);
  ok('types', util.types.isDate(new Date()) && util.types.isPromise(Promise.resolve()) && util.types.isUint8Array(Buffer.alloc(1)));
  ok('isDeepStrictEqual', util.isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }) && !util.isDeepStrictEqual({ a: 1 }, { a: '1' }));
  eq('deprecate', util.deprecate(() => 5, 'old')(), 5);
  ok('TextEncoder', new util.TextEncoder().encode('é').length === 2);

  const EventEmitter = require('events');
  const { once } = require('node:events');
  const e = new EventEmitter();
  const got = [];
  e.on('x', (v) => got.push('on' + v)); e.once('x', (v) => got.push('once' + v));
  e.emit('x', 1); e.emit('x', 2);
  eq('events', got, ['on1', 'once1', 'on2']);
  setTimeout(() => e.emit('later', 'v'), 1);
  eq('events.once', await once(e, 'later'), ['v']);

  const { Readable, Writable, Transform, PassThrough, pipeline } = require('stream');
  const upper = new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
  const sunk = [];
  const sink = new Writable({ write(chunk, enc, cb) { sunk.push(chunk.toString()); cb(); } });
  await new Promise((resolve, reject) => pipeline(Readable.from(['ab', 'cd']), upper, new PassThrough(), sink, (err) => (err ? reject(err) : resolve())));
  eq('pipeline', sunk.join(''), 'ABCD');
  const r = new Readable({ read() {} });
  r.push('x'); r.push('y'); r.push(null);
  let data = ''; r.setEncoding('utf8');
  r.on('data', (c) => { data += c; });
  await new Promise((resolve) => r.on('end', resolve));
  eq('readable', data, 'xy');
  const chunks = [];
  const it = Readable.from(['1', '2'])[Symbol.asyncIterator]();
  for (let n = await it.next(); !n.done; n = await it.next()) chunks.push(n.value);
  eq('async iteration', chunks, ['1', '2']);

  const url = require('url');
  const u = url.parse('https://user:pw@Example.com:8443/p/a?x=1&y=2#h', true);
  eq('url.parse', [u.protocol, u.auth, u.hostname, u.port, u.pathname, u.query.y, u.hash], ['https:', 'user:pw', 'example.com', '8443', '/p/a', '2', '#h']);
  eq('url.format', url.format({ protocol: 'https', hostname: 'x.test', pathname: '/a', query: { b: 1 } }), 'https://x.test/a?b=1');
  eq('url.resolve', url.resolve('https://x.test/a/b', '../c'), 'https://x.test/c');
  eq('URL', new url.URL('/p?q=1', 'https://x.test').href, 'https://x.test/p?q=1');
  const qs = require('querystring');
  eq('querystring', [qs.stringify({ a: [1, 2], b: 'x y' }), qs.parse('a=1&a=2&b=x+y').b], ['a=1&a=2&b=x%20y', 'x y']);
  const path = require('node:path');
  eq('path', [path.join('/a/b', '../c', 'd.js'), path.basename('/x/y.txt', '.txt'), path.extname('f.tar.gz'), path.resolve('a', '/b', 'c'), path.relative('/a/b', '/a/c/d'), path.dirname('/a/b/')], ['/a/c/d.js', 'y', '.gz', '/b/c', '../c/d', '/a']);
  const { StringDecoder } = require('string_decoder');
  const dec = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  eq('string_decoder', [dec.write(euro.subarray(0, 1)), dec.write(euro.subarray(1)), dec.end()], ['', '€', '']);
  const assert = require('assert');
  assert.ok(true); assert.deepStrictEqual({ a: [1] }, { a: [1] });
  await throwsMsg('assert.strictEqual', () => assert.strictEqual(1, 2), /1 strictEqual 2/);
  assert.throws(() => { throw new TypeError('bad'); }, TypeError);
  await assert.rejects(Promise.reject(new Error('no')), /no/);
  ok('assert.strict', require('node:assert/strict').strict === require('assert').strict);

  const zlib = require('zlib');
  const gz = zlib.gzipSync('hello hello hello');
  eq('gzip magic', [gz[0], gz[1]], [0x1f, 0x8b]);
  eq('gunzip', zlib.gunzipSync(gz).toString(), 'hello hello hello');
  eq('inflate', zlib.inflateSync(zlib.deflateSync(Buffer.from('abc'))).toString(), 'abc');
  eq('inflateRaw', zlib.inflateRawSync(zlib.deflateRawSync('raw')).toString(), 'raw');
  eq('unzip', zlib.unzipSync(gz).toString(), 'hello hello hello');
  const gunzip = zlib.createGunzip();
  let zs = '';
  gunzip.on('data', (c) => { zs += c; });
  const zdone = new Promise((resolve) => gunzip.on('end', resolve));
  gunzip.write(gz.subarray(0, 5)); gunzip.end(gz.subarray(5));
  await zdone;
  eq('gunzip stream', zs, 'hello hello hello');
  await throwsMsg('bad gzip', () => zlib.gunzipSync(Buffer.from('nope')), /header/);

  const os = require('os');
  eq('os', [os.hostname(), os.platform(), os.EOL, os.cpus().length, Object.keys(os.networkInterfaces()).length], ['localhost', 'linux', '\n', 1, 0]);
  for (const m of ['fs', 'child_process', 'net', 'tls', 'vm', 'worker_threads', 'dgram']) {
    const mod = require('node:' + m);
    const fn = { fs: 'readFileSync', child_process: 'exec', net: 'createServer', tls: 'createServer', vm: 'runInNewContext', worker_threads: 'Worker', dgram: 'createSocket' }[m];
    await throwsMsg(m, () => mod[fn](), new RegExp('^' + m + '\\.' + fn + ' is not available to actions$'));
  }
  // Node's promise APIs reject rather than throw: callers (the AWS SDK v3's file loader) await
  // them without a try.
  for (const [name, mod] of [['fs/promises', require('fs/promises')], ['fs.promises', require('fs').promises]]) {
    let p;
    try { p = mod.readFile('/etc/passwd'); } catch (e) { fails.push(name + ': threw at once: ' + e.message); continue; }
    ok(name + ' returns a promise', p instanceof Promise);
    await throwsMsg(name, () => p, new RegExp('^' + name.replace('.', '\\.') + '\\.readFile is not available to actions$'));
  }
  eq('String of a stub module', [String(require('fs')), String(require('fs/promises')), '' + require('vm')], ['[object Object]', '[object Object]', '[object Object]']);
  eq('process', [typeof process.env, Object.keys(process.env).length, process.version.startsWith('v20.'), typeof process.nextTick, process.platform], ['object', 0, true, 'function', 'linux']);
  const order = [];
  process.nextTick(() => order.push('tick'));
  Promise.resolve().then(() => order.push('promise'));
  await require('timers/promises').setTimeout(2);
  eq('nextTick ran', order.includes('tick') && order.includes('promise'), true);
  const t = setTimeout(() => {}, 10); ok('Timeout.unref', typeof t.unref === 'function' && t.unref() === t); clearTimeout(t);
  ok('setImmediate', typeof setImmediate === 'function');
  eq('structuredClone', structuredClone({ a: new Map([[1, 2]]) }).a.get(1), 2);
`, Options{}, `{}`, nil)
}

func TestNodeHTTPAndFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.Header().Set("X-Method", r.Method)
			w.Write([]byte(`{"got":` + quoteJSON(string(body)) + `,"ct":` + quoteJSON(r.Header.Get("Content-Type")) + `,"auth":` + quoteJSON(r.Header.Get("Authorization")) + `}`))
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write([]byte("zipped body"))
			zw.Close()
		case "/redirect-private":
			http.Redirect(w, r, "http://10.1.2.3/secret", http.StatusFound)
		case "/redirect-local":
			http.Redirect(w, r, "/echo", http.StatusFound)
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	res := runChecks(t, `
  const base = event.base;
  const http = require('node:http');
  const get = (url) => new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, auth: 'u:p' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.write('hello ');
    req.end('http');
  });
  const r = await get(base + '/echo');
  eq('http status', r.status, 200);
  eq('http body', JSON.parse(r.body), { got: 'hello http', ct: 'text/plain', auth: 'Basic dTpw' });
  eq('http headers', [r.headers['set-cookie'], r.headers['x-method']], [['a=1', 'b=2'], 'POST']);
  const g = await new Promise((resolve, reject) => http.get(base + '/redirect-local', (res) => { res.resume(); resolve([res.statusCode, res.headers.location]); }).on('error', reject));
  eq('http does not follow redirects', g, [302, '/echo']);
  const refused = await new Promise((resolve) => http.get('http://10.9.8.7/x', () => resolve('answered')).on('error', (e) => resolve(e.code + ' ' + e.message)));
  ok('http egress refused: ' + refused, /^EACCES .*private address not in the egress allow-list/.test(refused));

  const fr = await fetch(base + '/echo', { method: 'PUT', body: new URLSearchParams({ a: '1' }) });
  eq('fetch', [fr.ok, fr.status, fr.headers.get('x-method'), (await fr.json()).ct], [true, 200, 'PUT', 'application/x-www-form-urlencoded;charset=UTF-8']);
  const fb = await fetch(new Request(base + '/echo', { method: 'POST', body: Buffer.from('buf'), headers: new Headers({ 'Content-Type': 'application/octet-stream' }) }));
  eq('fetch Buffer body', (await fb.json()).got, 'buf');
  const ab = await (await fetch(base + '/gzip')).arrayBuffer();
  eq('fetch gunzips', new TextDecoder().decode(ab), 'zipped body');
  const rl = await fetch(base + '/redirect-local');
  eq('fetch follows redirects', [rl.redirected, rl.url.endsWith('/echo')], [true, true]);
  await throwsMsg('fetch redirect to a private address', () => fetch(base + '/redirect-private'), /private address not in the egress allow-list/);
  await throwsMsg('fetch metadata address', () => fetch('http://169.254.169.254/latest/meta-data/'), /cloud-metadata address/);
  await throwsMsg('fetch timeout signal', () => fetch(base + '/slow', { signal: AbortSignal.timeout(30) }), /timed out/);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 10);
  await throwsMsg('fetch abort', () => fetch(base + '/slow', { signal: ac.signal }), /aborted/);
`, Options{HTTPClient: loopbackClient(t)}, `{"base":"`+srv.URL+`"}`, nil)
	_ = res
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// process.env holds Options.ProcessEnv and nothing of the host's environment.
func TestProcessEnv(t *testing.T) {
	t.Setenv("ACTIONSD_HOST_ONLY", "host")
	a := newAction("env", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('env', [process.env.NODE_ENV, typeof process.env.ACTIONSD_HOST_ONLY, Object.keys(process.env).length]);
};`)
	res := mustExecute(t, mustBuild(t, newSpec(a), Options{ProcessEnv: map[string]string{"NODE_ENV": "production", "REGION": "eu"}}), "post-login", `{}`)
	wantSuccess(t, res)
	if got := toJSON(t, res.Effects.IDTokenClaims["env"]); got != `["production","undefined",2]` {
		t.Errorf("process.env: got %s", got)
	}
	res = mustExecute(t, mustBuild(t, newSpec(newAction("env", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('n', Object.keys(process.env).length);
};`)), Options{}), "post-login", `{}`)
	if got := toJSON(t, res.Effects.IDTokenClaims["n"]); got != `0` {
		t.Errorf("process.env without ProcessEnv: %s keys, want 0", got)
	}
}
