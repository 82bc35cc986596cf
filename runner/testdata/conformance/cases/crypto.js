// node:crypto with fixed inputs (no randomness in any output), and WebCrypto's subtle.
const crypto = require('crypto');
const inputs = { empty: '', abc: 'abc', unicode: 'héllo 😀', long: 'x'.repeat(1000) };
for (const alg of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'SHA256', 'sha512-256', 'RSA-SHA256'])
  for (const [k, s] of Object.entries(inputs))
    test('hash ' + alg + ' ' + k, () => crypto.createHash(alg).update(s).digest('hex'));
for (const enc of ['hex', 'base64', 'base64url', 'latin1', undefined])
  test('digest encoding ' + enc, () => crypto.createHash('sha256').update('abc').digest(enc));
test('hash in parts', () => crypto.createHash('sha256').update('a').update(Buffer.from('b')).update(new Uint8Array([99])).digest('hex'));
test('hash update encoding', () => [crypto.createHash('sha1').update('616263', 'hex').digest('hex'), crypto.createHash('sha1').update('YWJj', 'base64').digest('hex')]);
test('hash copy', () => { const h = crypto.createHash('sha256').update('a'); const c = h.copy(); c.update('b'); return [h.digest('hex'), c.digest('hex')]; });
test('hash digest twice', () => { const h = crypto.createHash('sha256'); h.digest(); try { h.digest(); } catch (e) { return [e.name, e.code]; } });
test('hash unknown', () => { try { crypto.createHash('nope'); } catch (e) { return [e.name, e.message]; } });
test('getHashes has sha256', () => crypto.getHashes().includes('sha256'));
test('hash one-shot', () => typeof crypto.hash === 'function' ? crypto.hash('sha1', 'abc') : 'absent');
for (const alg of ['md5', 'sha1', 'sha256', 'sha512'])
  for (const key of ['key', '', 'k'.repeat(200)])
    test('hmac ' + alg + ' key ' + key.length, () => crypto.createHmac(alg, key).update('The quick brown fox').digest('base64'));
test('hmac buffer key', () => crypto.createHmac('sha256', Buffer.from([1, 2, 3])).update('x').digest('hex'));
test('hmac KeyObject', () => crypto.createHmac('sha256', crypto.createSecretKey(Buffer.from('key'))).update('x').digest('hex'));
test('pbkdf2Sync', () => crypto.pbkdf2Sync('password', 'salt', 1000, 32, 'sha256').toString('hex'));
test('pbkdf2Sync sha1', () => crypto.pbkdf2Sync('password', 'salt', 2, 20, 'sha1').toString('hex'));
test('pbkdf2 async', () => new Promise((res) => crypto.pbkdf2('pw', 'salt', 10, 16, 'sha512', (e, k) => res([e, k.toString('hex')]))));
test('scryptSync', () => crypto.scryptSync('password', 'salt', 32, { N: 1024 }).toString('hex'));
test('hkdfSync', () => Buffer.from(crypto.hkdfSync('sha256', 'key', 'salt', 'info', 32)).toString('hex'));
const key16 = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const key32 = Buffer.concat([key16, key16]);
const iv = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
for (const [alg, key] of [['aes-128-cbc', key16], ['aes-256-cbc', key32], ['aes-128-ctr', key16], ['aes-256-ctr', key32], ['aes-128-ecb', key16]])
  test('cipher ' + alg, () => { const c = crypto.createCipheriv(alg, key, alg.endsWith('ecb') ? null : iv); const enc = Buffer.concat([c.update('secret message, longer than a block'), c.final()]); const d = crypto.createDecipheriv(alg, key, alg.endsWith('ecb') ? null : iv); return [enc.toString('hex'), Buffer.concat([d.update(enc), d.final()]).toString()]; });
test('cipher string output', () => { const c = crypto.createCipheriv('aes-128-cbc', key16, iv); return c.update('abc', 'utf8', 'base64') + c.final('base64'); });
test('cipher no padding', () => { const c = crypto.createCipheriv('aes-128-cbc', key16, iv); c.setAutoPadding(false); return Buffer.concat([c.update(Buffer.alloc(16)), c.final()]).toString('hex'); });
test('decipher bad padding', () => { const d = crypto.createDecipheriv('aes-128-cbc', key16, iv); d.update(Buffer.alloc(16)); try { d.final(); } catch (e) { return e.name; } });
test('gcm encrypt', () => { const c = crypto.createCipheriv('aes-256-gcm', key32, iv.subarray(0, 12)); c.setAAD(Buffer.from('aad')); const enc = Buffer.concat([c.update('gcm text'), c.final()]); return [enc.toString('hex'), c.getAuthTag().toString('hex')]; });
test('gcm decrypt tampered', () => { const c = crypto.createCipheriv('aes-128-gcm', key16, iv.subarray(0, 12)); const enc = Buffer.concat([c.update('x'), c.final()]); const d = crypto.createDecipheriv('aes-128-gcm', key16, iv.subarray(0, 12)); d.setAuthTag(Buffer.alloc(16)); d.update(enc); try { d.final(); } catch (e) { return [e.name, e.message]; } });
test('bad key length', () => { try { crypto.createCipheriv('aes-128-cbc', Buffer.alloc(5), iv); } catch (e) { return [e.name, e.code]; } });
test('timingSafeEqual', () => [crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')), crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))]);
test('timingSafeEqual length', () => { try { crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (e) { return [e.name, e.code]; } });
test('randomBytes length', () => [crypto.randomBytes(16).length, crypto.randomBytes(0).length]);
test('randomUUID shape', () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
test('randomInt range', () => { const r = crypto.randomInt(3, 4); return r; });
test('getRandomValues', () => crypto.getRandomValues(new Uint8Array(4)).length);
test('webcrypto is global crypto', () => crypto.webcrypto === globalThis.crypto);
const ed = crypto.createPrivateKey({ key: Buffer.from('302e020100300506032b657004220420' + '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'), format: 'der', type: 'pkcs8' });
test('ed25519 sign', () => crypto.sign(null, Buffer.from('msg'), ed).toString('hex'));
test('ed25519 public', () => crypto.createPublicKey(ed).export({ format: 'der', type: 'spki' }).toString('hex'));
test('ed25519 verify', () => crypto.verify(null, Buffer.from('msg'), crypto.createPublicKey(ed), crypto.sign(null, Buffer.from('msg'), ed)));
test('key object type', () => [ed.type, ed.asymmetricKeyType, crypto.createSecretKey(Buffer.alloc(8)).type, crypto.createSecretKey(Buffer.alloc(8)).symmetricKeySize]);
test('secret key export', () => crypto.createSecretKey(Buffer.from('abc')).export().toString());
test('jwk export ed25519', () => crypto.createPublicKey(ed).export({ format: 'jwk' }));
test('subtle digest', async () => Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'))).toString('hex'));
test('subtle hmac sign', async () => { const k = await globalThis.crypto.subtle.importKey('raw', new TextEncoder().encode('key'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']); return Buffer.from(await globalThis.crypto.subtle.sign('HMAC', k, new TextEncoder().encode('msg'))).toString('hex'); });
test('subtle aes-gcm', async () => { const k = await globalThis.crypto.subtle.importKey('raw', key16, 'AES-GCM', false, ['encrypt']); return Buffer.from(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv.subarray(0, 12) }, k, new TextEncoder().encode('hi'))).toString('hex'); });
test('subtle pbkdf2', async () => { const k = await globalThis.crypto.subtle.importKey('raw', new TextEncoder().encode('pw'), 'PBKDF2', false, ['deriveBits']); return Buffer.from(await globalThis.crypto.subtle.deriveBits({ name: 'PBKDF2', salt: new TextEncoder().encode('salt'), iterations: 100, hash: 'SHA-256' }, k, 128)).toString('hex'); });
test('getCiphers has aes', () => crypto.getCiphers().includes('aes-256-cbc'));
test('constants', () => typeof crypto.constants);
test('createHash returns Hash', () => crypto.createHash('sha1').constructor.name);
test('hash copy after digest', () => { const h = crypto.createHash('sha1'); h.digest(); try { h.copy(); } catch (e) { return [e.name, e.code, e.message]; } });
test('hash copy chain', () => { const a = crypto.createHash('sha512').update('x'); const b = a.copy().update('y'); const c = b.copy(); return [a.digest('hex').slice(0, 16), b.digest('hex').slice(0, 16), c.digest('hex').slice(0, 16)]; });
test('hmac has no copy', () => typeof crypto.createHmac('sha1', 'k').copy);
test('bad iv length', () => { try { crypto.createCipheriv('aes-128-cbc', key16, Buffer.alloc(5)); } catch (e) { return [e.name, e.code, e.message]; } });
test('bad key length message', () => { try { crypto.createCipheriv('aes-256-cbc', key16, iv); } catch (e) { return [e.name, e.code, e.message]; } });
test('cipher update output is streamed', () => { const c = crypto.createCipheriv('aes-128-cbc', key16, iv); return [c.update(Buffer.alloc(35)).length, c.final().length]; });
test('ctr update output is streamed', () => { const c = crypto.createCipheriv('aes-128-ctr', key16, iv); return c.update('stream cipher text', 'utf8', 'hex'); });
test('decipher update output is streamed', () => { const e = crypto.createCipheriv('aes-128-cbc', key16, iv); const enc = Buffer.concat([e.update(Buffer.alloc(40, 1)), e.final()]); const d = crypto.createDecipheriv('aes-128-cbc', key16, iv); return [d.update(enc).length, d.final().length]; });
const ec = crypto.createPrivateKey({ key: Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b02010104209aac995ff8abf57649a941bb091b614fc53d47419090b3ef0561eea86e382cc8a1440342000427491a1f56b64a4052ce1ce19b92590e893d32f2d5fe95776a0f0ff54f440c7d39ce49f070082536b95aacbcf7e64d0fb246a3f287ef9fa07e985fa11f743c5b', 'hex'), format: 'der', type: 'pkcs8' });
test('jwk export ec private', () => ec.export({ format: 'jwk' }));
test('jwk export ec public', () => crypto.createPublicKey(ec).export({ format: 'jwk' }));
test('jwk export ed25519 private', () => ed.export({ format: 'jwk' }));
test('jwk export secret', () => crypto.createSecretKey(Buffer.from('key')).export({ format: 'jwk' }));
test('ec key details', () => [ec.asymmetricKeyType, ec.asymmetricKeyDetails]);
test('ec public spki', () => crypto.createPublicKey(ec).export({ format: 'der', type: 'spki' }).toString('hex'));
test('ec public pem', () => crypto.createPublicKey(ec).export({ format: 'pem', type: 'spki' }));
test('ecdsa verify fixed signature', () => { const pub = crypto.createPublicKey(ec); const sig = crypto.sign('sha256', Buffer.from('m'), ec); return [crypto.verify('sha256', Buffer.from('m'), pub, sig), crypto.verify('sha256', Buffer.from('n'), pub, sig)]; });
test('jwk round trip', () => crypto.createPublicKey({ key: crypto.createPublicKey(ec).export({ format: 'jwk' }), format: 'jwk' }).export({ format: 'der', type: 'spki' }).toString('hex'));
// scrypt's parameters and the streamed ciphers in more detail.
test('scryptSync option names', () => [crypto.scryptSync('p', 's', 16, { cost: 1024, blockSize: 8, parallelization: 1 }).toString('hex'), crypto.scryptSync(Buffer.from('p'), 's', 8, { N: 16, r: 1, p: 2 }).toString('hex')]);
for (const o of [{ N: 3 }, { N: 1024, maxmem: 1000 }, { N: 1024, cost: 1024 }])
  test('scryptSync invalid ' + JSON.stringify(o), () => { try { crypto.scryptSync('p', 's', 16, o); } catch (e) { return [e.name, e.code]; } });
test('scrypt callback', () => new Promise((resolve) => crypto.scrypt('p', 's', 8, { N: 16 }, (err, k) => resolve([err, k.toString('hex')]))));
test('gcm update output is streamed', () => { const c = crypto.createCipheriv('aes-128-gcm', key16, iv.subarray(0, 12)); const a = c.update('hello gcm stream'); const b = c.final(); const tag = c.getAuthTag(); const d = crypto.createDecipheriv('aes-128-gcm', key16, iv.subarray(0, 12)); d.setAuthTag(tag); return [a.toString('hex'), b.length, tag.toString('hex'), d.update(a).toString(), d.final().length]; });
test('gcm with aad streamed', () => { const c = crypto.createCipheriv('aes-256-gcm', key32, iv.subarray(0, 12)); c.setAAD(Buffer.from('aad')); const parts = [c.update('ab'), c.update('cd')]; c.final(); return [parts.map((p) => p.toString('hex')), c.getAuthTag().toString('hex')]; });
test('gcm 16-byte iv', () => { const c = crypto.createCipheriv('aes-128-gcm', key16, iv); return [c.update('x').toString('hex'), c.final().toString('hex'), c.getAuthTag().toString('hex')]; });
test('ecb 256 no padding', () => { const c = crypto.createCipheriv('aes-256-ecb', key32, null); c.setAutoPadding(false); return [c.update(Buffer.alloc(20)).length, (() => { try { return c.final(); } catch (e) { return 'throws'; } })()]; });
test('cbc update in pieces, hex and base64', () => { const c = crypto.createCipheriv('aes-128-cbc', key16, iv); return [c.update('0123456789', 'utf8', 'hex'), c.update('abcdefghij', 'utf8', 'hex'), c.final('hex')]; });
test('cbc base64 output streamed', () => { const c = crypto.createCipheriv('aes-128-cbc', key16, iv); return [c.update(Buffer.alloc(17), undefined, 'base64'), c.final('base64')]; });
test('decipher no padding streams every block', () => { const d = crypto.createDecipheriv('aes-128-cbc', key16, iv); d.setAutoPadding(false); return [d.update(Buffer.alloc(32)).length, d.final().length]; });
test('cipher final twice', () => { const c = crypto.createCipheriv('aes-128-ctr', key16, iv); c.final(); try { c.final(); } catch (e) { return e.message; } });
