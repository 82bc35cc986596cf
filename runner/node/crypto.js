// node:crypto and WebCrypto (crypto.webcrypto, the global crypto). Hashing, HMAC, random bytes,
// key parsing and signatures run in Go (native.*); this file gives them Node's and the W3C's
// shapes: what jsonwebtoken (jws/jwa), jose and uuid call.
(function (native, require) {
  'use strict';
  const { Buffer } = require('buffer');
  const nextTick = (fn, ...a) => native.process.nextTick(fn, ...a);
  const toBuf = (data, enc) => {
    if (typeof data === 'string') return Buffer.from(data, enc);
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw Object.assign(new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView.'), { code: 'ERR_INVALID_ARG_TYPE' });
  };
  const out = (ab, enc) => { const b = Buffer.from(ab); return enc && enc !== 'buffer' ? b.toString(enc) : b; };

  // orderJWK puts the members of an exported JWK in Node's order (by key type).
  const jwkOrder = { RSA: ['kty', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'], EC: ['kty', 'x', 'y', 'crv', 'd'], OKP: ['crv', 'd', 'x', 'kty'], oct: ['kty', 'k'] };
  function orderJWK(j) {
    const order = jwkOrder[j.kty];
    if (!order) return j;
    const r = {};
    for (const k of order) if (j[k] !== undefined) r[k] = j[k];
    for (const k of Object.keys(j)) if (!(k in r)) r[k] = j[k];
    return r;
  }

  // ---- hashes and HMAC ----
  class Hash {
    #h; #done = false;
    constructor(h) { this.#h = h; }
    update(data, enc) {
      if (this.#done) throw Object.assign(new Error('Digest already called'), { code: 'ERR_CRYPTO_HASH_FINALIZED' });
      this.#h.update(toBuf(data, enc));
      return this;
    }
    digest(enc) {
      if (this.#done) throw Object.assign(new Error('Digest already called'), { code: 'ERR_CRYPTO_HASH_FINALIZED' });
      this.#done = true;
      return out(this.#h.digest(), enc);
    }
    copy() {
      if (this.#done) throw Object.assign(new Error('Digest already called'), { code: 'ERR_CRYPTO_HASH_FINALIZED' });
      return new Hash(this.#h.copy());
    }
  }
  class Hmac extends Hash {}
  Object.defineProperty(Hmac.prototype, 'copy', { value: undefined }); // Node's Hmac has no copy
  const createHash = (alg) => new Hash(native.createHash(String(alg)));
  const createHmac = (alg, key, opts) => {
    let k;
    if (key instanceof KeyObject) k = handleOf(key);
    else if (key instanceof CryptoKey) k = handleOf(key);
    else k = toBuf(key, opts && opts.encoding);
    return new Hmac(native.createHmac(String(alg), k));
  };
  const hash = (alg, data, enc = 'hex') => createHash(alg).update(data).digest(enc);

  // ---- random ----
  const kMaxRandom = 2 ** 31 - 1;
  function randomBytes(size, cb) {
    if (typeof size !== 'number' || size < 0 || size > kMaxRandom || size % 1 !== 0) throw Object.assign(new RangeError(`The value of "size" is out of range. Received ${size}`), { code: 'ERR_OUT_OF_RANGE' });
    const b = Buffer.alloc(size);
    native.randomFill(b);
    if (typeof cb === 'function') { nextTick(cb, null, b); return; }
    return b;
  }
  function randomFillSync(buf, offset = 0, size) {
    const u8 = new Uint8Array(buf.buffer || buf, buf.byteOffset || 0, buf.byteLength);
    native.randomFill(u8.subarray(offset, size === undefined ? undefined : offset + size));
    return buf;
  }
  function randomFill(buf, offset, size, cb) {
    if (typeof offset === 'function') { cb = offset; offset = 0; size = undefined; } else if (typeof size === 'function') { cb = size; size = undefined; }
    randomFillSync(buf, offset, size);
    nextTick(cb, null, buf);
  }
  function randomInt(min, max, cb) {
    if (typeof max === 'undefined' || typeof max === 'function') { cb = max; max = min; min = 0; }
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min) throw Object.assign(new RangeError('The value of "max" is out of range. It must be greater than the value of "min"'), { code: 'ERR_OUT_OF_RANGE' });
    const range = max - min;
    const b = new Uint8Array(6);
    const lim = 2 ** 48 - (2 ** 48 % range);
    let x;
    do { native.randomFill(b); x = b.reduce((a, c) => a * 256 + c, 0); } while (x >= lim);
    const r = min + (x % range);
    if (typeof cb === 'function') { nextTick(cb, null, r); return; }
    return r;
  }
  function getRandomValues(a) {
    if (!(a instanceof Int8Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray || a instanceof Int16Array || a instanceof Uint16Array || a instanceof Int32Array || a instanceof Uint32Array || a instanceof BigInt64Array || a instanceof BigUint64Array)) {
      throw domError('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
    }
    if (a.byteLength > 65536) throw domError(`The ArrayBufferView's byte length (${a.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, 'QuotaExceededError');
    native.randomFill(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return a;
  }
  function timingSafeEqual(a, b) {
    return native.timingSafeEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  // ---- keys ----
  const handles = new WeakMap();
  const handleOf = (k) => handles.get(k);
  class KeyObject {
    constructor(desc) {
      handles.set(this, desc.handle);
      Object.defineProperty(this, 'type', { value: desc.type, enumerable: true });
      if (desc.type === 'secret') this._size = desc.symmetricKeySize;
      else { this._asym = desc.asymmetricKeyType; this._details = desc.asymmetricKeyDetails; }
    }
    get asymmetricKeyType() { return this._asym; }
    get asymmetricKeyDetails() { return this._details ? { ...this._details } : undefined; }
    get symmetricKeySize() { return this._size; }
    export(options = {}) {
      const h = handleOf(this);
      if (this.type === 'secret') {
        if (options.format === 'jwk') return orderJWK(JSON.parse(native.exportKey(h, 'jwk', '')));
        return Buffer.from(native.exportKey(h, 'buffer', ''));
      }
      const format = options.format || 'pem';
      if (format === 'jwk') return orderJWK(JSON.parse(native.exportKey(h, 'jwk', '')));
      if (options.cipher || options.passphrase) throw new Error('encrypted key export is not available to actions');
      const r = native.exportKey(h, format, options.type || (this.type === 'private' ? 'pkcs8' : 'spki'));
      return format === 'pem' ? r : Buffer.from(r);
    }
    equals(other) { return other instanceof KeyObject && native.keyEquals(handleOf(this), handleOf(other)); }
    toCryptoKey() { throw new Error('KeyObject.toCryptoKey is not available to actions'); }
    static from(k) { if (!(k instanceof CryptoKey)) throw new TypeError('The "key" argument must be an instance of CryptoKey.'); return new KeyObject(k._desc); }
  }
  class SecretKeyObject extends KeyObject {}
  class PublicKeyObject extends KeyObject {}
  class PrivateKeyObject extends KeyObject {}
  const wrap = (desc) => new (desc.type === 'secret' ? SecretKeyObject : desc.type === 'public' ? PublicKeyObject : PrivateKeyObject)(desc);

  function keyInput(key, kind) {
    // -> a native description
    if (key instanceof KeyObject) {
      if (kind === 'public' && key.type === 'private') return native.importKey({ kind: 'public', format: 'pem', data: key.export({ format: 'pem', type: 'spki' }) });
      return { handle: handleOf(key), type: key.type, asymmetricKeyType: key.asymmetricKeyType, asymmetricKeyDetails: key._details };
    }
    if (key instanceof CryptoKey) return key._desc;
    if (typeof key === 'string' || ArrayBuffer.isView(key) || key instanceof ArrayBuffer) {
      return native.importKey({ kind, format: 'pem', data: toBuf(key).toString('latin1') });
    }
    if (key && typeof key === 'object') {
      if (key.key instanceof KeyObject || key.key instanceof CryptoKey) return keyInput(key.key, kind);
      if (key.passphrase !== undefined && key.passphrase !== '') throw new Error('encrypted private keys are not available to actions');
      const format = key.format || 'pem';
      if (format === 'jwk') return native.importKey({ kind, format: 'jwk', data: JSON.stringify(key.key) });
      if (format === 'der') return native.importKey({ kind, format: 'der', data: toBuf(key.key, key.encoding), type: key.type });
      return native.importKey({ kind, format: 'pem', data: toBuf(key.key, key.encoding).toString('latin1') });
    }
    throw Object.assign(new TypeError('The "key" argument must be of type string or an instance of Buffer, TypedArray, DataView, KeyObject or CryptoKey.'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const createPrivateKey = (key) => wrap(keyInput(key, 'private'));
  const createPublicKey = (key) => wrap(keyInput(key, 'public'));
  function createSecretKey(key, encoding) {
    return wrap(native.importKey({ kind: 'secret', data: toBuf(key, encoding) }));
  }
  function signKey(key) {
    // A key for signing: a private key, or (as Node does) a secret that is not asymmetric.
    return keyInput(key, 'private');
  }
  function verifyKey(key) {
    if (key instanceof KeyObject && key.type === 'private') return keyInput(key, 'public');
    if (key && typeof key === 'object' && !(key instanceof KeyObject) && !(key instanceof CryptoKey) && !ArrayBuffer.isView(key) && key.key && typeof key.key === 'string' && /PRIVATE KEY/.test(key.key)) return keyInput(key, 'public');
    if ((typeof key === 'string' || ArrayBuffer.isView(key)) && /PRIVATE KEY/.test(toBuf(key).toString('latin1'))) return keyInput(key, 'public');
    return keyInput(key, 'public');
  }
  const sigOptions = (key) => (key && typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject)) ? { padding: key.padding, saltLength: key.saltLength, dsaEncoding: key.dsaEncoding } : {};

  class Sign {
    #alg; #chunks = [];
    constructor(alg) { this.#alg = String(alg); native.createHash(hashOfSignAlg(this.#alg)); }
    update(data, enc) { this.#chunks.push(toBuf(data, enc)); return this; }
    write(data, enc) { this.update(data, enc); return true; }
    end(data, enc) { if (data !== undefined) this.update(data, enc); return this; }
    sign(key, enc) {
      const d = signKey(key);
      return out(native.sign(hashOfSignAlg(this.#alg), d.handle, Buffer.concat(this.#chunks), sigOptions(key)), enc);
    }
  }
  class Verify {
    #alg; #chunks = [];
    constructor(alg) { this.#alg = String(alg); native.createHash(hashOfSignAlg(this.#alg)); }
    update(data, enc) { this.#chunks.push(toBuf(data, enc)); return this; }
    write(data, enc) { this.update(data, enc); return true; }
    end(data, enc) { if (data !== undefined) this.update(data, enc); return this; }
    verify(key, sig, enc) {
      const d = verifyKey(key);
      return native.verify(hashOfSignAlg(this.#alg), d.handle, Buffer.concat(this.#chunks), toBuf(sig, enc), sigOptions(key));
    }
  }
  function hashOfSignAlg(alg) {
    const a = alg.toLowerCase().replace(/^rsa-/, '').replace(/withrsaencryption$/, '').replace(/^ecdsa-with-/, '');
    return a;
  }
  const createSign = (alg) => new Sign(alg);
  const createVerify = (alg) => new Verify(alg);
  function sign(alg, data, key, cb) {
    const d = signKey(key);
    const r = out(native.sign(alg == null ? '' : String(alg), d.handle, toBuf(data), sigOptions(key)));
    if (typeof cb === 'function') { nextTick(cb, null, r); return; }
    return r;
  }
  function verify(alg, data, key, sig, cb) {
    const d = verifyKey(key);
    const r = native.verify(alg == null ? '' : String(alg), d.handle, toBuf(data), toBuf(sig), sigOptions(key));
    if (typeof cb === 'function') { nextTick(cb, null, r); return; }
    return r;
  }
  function generateKeyPairSync(type, options = {}) {
    const [priv, pub] = native.generateKeyPair(String(type), options);
    let privateKey = wrap(priv), publicKey = wrap(pub);
    if (options.publicKeyEncoding) publicKey = publicKey.export(options.publicKeyEncoding);
    if (options.privateKeyEncoding) privateKey = privateKey.export(options.privateKeyEncoding);
    return { publicKey, privateKey };
  }
  function generateKeyPair(type, options, cb) {
    if (typeof options === 'function') { cb = options; options = {}; }
    if (typeof cb !== 'function') throw Object.assign(new TypeError(`The "callback" argument must be of type function. Received ${typeof cb}`), { code: 'ERR_INVALID_ARG_TYPE' });
    let r, err = null;
    try { r = generateKeyPairSync(type, options); } catch (e) { err = e; }
    nextTick(() => (err ? cb(err) : cb(null, r.publicKey, r.privateKey)));
  }
  function generateKeySync(type, { length }) {
    if (type !== 'hmac' && type !== 'aes') throw new TypeError(`Unsupported key type ${type}`);
    return createSecretKey(randomBytes(length / 8));
  }

  // ---- derivation ----
  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    return Buffer.from(native.pbkdf2(toBuf(password), toBuf(salt), iterations, keylen, digest || 'sha1'));
  }
  function pbkdf2(password, salt, iterations, keylen, digest, cb) {
    let r, err = null;
    try { r = pbkdf2Sync(password, salt, iterations, keylen, digest); } catch (e) { err = e; }
    nextTick(cb, err, r);
  }
  function hkdfSync(digest, ikm, salt, info, keylen) {
    const k = ikm instanceof KeyObject ? ikm.export() : toBuf(ikm);
    return native.hkdf(digest, k, toBuf(salt), toBuf(info), keylen);
  }
  function hkdf(digest, ikm, salt, info, keylen, cb) {
    let r, err = null;
    try { r = hkdfSync(digest, ikm, salt, info, keylen); } catch (e) { err = e; }
    nextTick(cb, err, r);
  }
  // scrypt as Node's: N (cost), r (blockSize), p (parallelization), each under one name only, and
  // maxmem (32 MiB by default, at most that here) bounding 128·N·r.
  function scryptSync(password, salt, keylen, options = undefined) {
    const o = options == null ? {} : options;
    const pick = (a, b, def) => {
      if (o[a] !== undefined && o[b] !== undefined) throw Object.assign(new Error('Invalid scrypt parameter'), { code: 'ERR_CRYPTO_SCRYPT_INVALID_PARAMETER' });
      return o[a] !== undefined ? o[a] : o[b] !== undefined ? o[b] : def;
    };
    const N = pick('N', 'cost', 16384), r = pick('r', 'blockSize', 8), p = pick('p', 'parallelization', 1);
    const maxmem = Math.min(o.maxmem !== undefined ? o.maxmem : 32 << 20, 32 << 20);
    if (typeof keylen !== 'number' || !Number.isInteger(keylen) || keylen < 0 || keylen > 2147483647) {
      throw Object.assign(new RangeError(`The value of "keylen" is out of range. It must be >= 0 && <= 2147483647. Received ${keylen}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    const invalid = (why) => Object.assign(new RangeError(`Invalid scrypt params${why}`), { code: 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS' });
    if (!(N > 1 && (N & (N - 1)) === 0) || !(r >= 1) || !(p >= 1) || r * p >= 1 << 30) throw invalid('');
    if (128 * N * r > maxmem || 128 * N * r * p > 8 * maxmem) throw invalid(': error:030000AC:digital envelope routines::memory limit exceeded');
    return Buffer.from(native.scrypt(toBuf(password), toBuf(salt), N, r, p, keylen));
  }
  function scrypt(password, salt, keylen, options, cb) {
    if (typeof options === 'function') { cb = options; options = undefined; }
    const r = scryptSync(password, salt, keylen, options); // throws as Node's does, before the callback
    nextTick(cb, null, r);
  }
  const notAvailable = (name) => () => { throw new Error(`crypto.${name} is not available to actions`); };

  // ---- ciphers (AES-GCM, AES-CBC, AES-CTR, AES-ECB), streamed as Node's: update() returns the
  // output ready so far (cipher.go: cipherStream); a string output goes through a StringDecoder. ----
  const cipherRE = /^aes-(128|192|256)-(gcm|cbc|ctr|ecb)$/;
  class Cipheriv {
    #c; #tag = null; #padding = true; #decoder = null; #done = false;
    constructor(alg, key, iv, encrypt) {
      const m = cipherRE.exec(String(alg).toLowerCase());
      if (!m) throw new Error(`Unknown cipher ${alg}`);
      const mode = m[2];
      key = key instanceof KeyObject ? key.export() : toBuf(key);
      if (key.length * 8 !== +m[1]) throw Object.assign(new RangeError('Invalid key length'), { code: 'ERR_CRYPTO_INVALID_KEYLEN' });
      iv = iv === null && mode === 'ecb' ? Buffer.alloc(0) : toBuf(iv);
      if ((mode === 'cbc' || mode === 'ctr') && iv.length !== 16) throw Object.assign(new TypeError('Invalid initialization vector'), { code: 'ERR_CRYPTO_INVALID_IV' });
      this.#c = native.cipherNew(mode, encrypt, key, iv);
    }
    #out(b, outEnc) {
      if (!outEnc || outEnc === 'buffer') return Buffer.from(b);
      if (this.#decoder === null) this.#decoder = new (require('string_decoder').StringDecoder)(outEnc);
      return this.#decoder.write(Buffer.from(b));
    }
    update(data, inEnc, outEnc) {
      if (this.#done) throw new Error('Trying to add data in unsupported state');
      return this.#out(this.#c.update(toBuf(data, inEnc), this.#padding), outEnc);
    }
    final(outEnc) {
      if (this.#done) throw Object.assign(new Error('Invalid state'), { code: 'ERR_CRYPTO_INVALID_STATE' });
      this.#done = true;
      const r = this.#c.final(this.#padding, this.#tag);
      if (r.tag) this.#tag = Buffer.from(r.tag);
      if (!outEnc || outEnc === 'buffer') return Buffer.from(r.data);
      const s = this.#out(r.data, outEnc);
      return s + this.#decoder.end();
    }
    setAAD(aad) { this.#c.setAAD(toBuf(aad)); return this; }
    setAuthTag(tag) { this.#tag = toBuf(tag); return this; }
    getAuthTag() { if (!this.#tag) throw new Error('Invalid state for operation getAuthTag'); return this.#tag; }
    setAutoPadding(on = true) { this.#padding = !!on; return this; }
  }
  const createCipheriv = (alg, key, iv) => new Cipheriv(alg, key, iv, true);
  const createDecipheriv = (alg, key, iv) => new Cipheriv(alg, key, iv, false);

  // ---- WebCrypto ----
  function domError(message, name) { const e = new Error(message); e.name = name; return e; }
  class CryptoKey {
    constructor(desc, type, algorithm, extractable, usages) {
      Object.defineProperty(this, '_desc', { value: desc });
      this.type = type; this.extractable = !!extractable; this.algorithm = Object.freeze(algorithm); this.usages = Object.freeze(usages.slice());
      Object.freeze(this);
    }
    get [Symbol.toStringTag]() { return 'CryptoKey'; }
  }
  const norm = (a) => (typeof a === 'string' ? { name: a } : { ...a });
  const hashName = (h) => { const n = (typeof h === 'string' ? h : h && h.name || '').toUpperCase(); if (!/^SHA-(1|256|384|512)$/.test(n)) throw domError(`Unrecognized hash ${n}`, 'NotSupportedError'); return n; };
  const nodeHash = (h) => hashName(h).replace('-', '').toLowerCase();
  const bytes = (d) => {
    if (d instanceof ArrayBuffer) return new Uint8Array(d);
    if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    throw new TypeError('data must be a BufferSource');
  };
  const ab = (u8) => { const b = bytes(u8); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
  const names = { 'HMAC': 'HMAC', 'RSASSA-PKCS1-V1_5': 'RSASSA-PKCS1-v1_5', 'RSA-PSS': 'RSA-PSS', 'ECDSA': 'ECDSA', 'ED25519': 'Ed25519', 'AES-GCM': 'AES-GCM', 'AES-CBC': 'AES-CBC', 'AES-CTR': 'AES-CTR', 'PBKDF2': 'PBKDF2', 'HKDF': 'HKDF', 'SHA-1': 'SHA-1', 'SHA-256': 'SHA-256', 'SHA-384': 'SHA-384', 'SHA-512': 'SHA-512' };
  const canon = (alg) => { const a = norm(alg); const n = names[String(a.name).toUpperCase()]; if (!n) throw domError(`Unrecognized algorithm name ${a.name}`, 'NotSupportedError'); a.name = n; return a; };
  const asyncify = (fn) => (...args) => { try { return Promise.resolve(fn(...args)); } catch (e) { return Promise.reject(e); } };
  const curveBits = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
  function checkUsage(key, usage) {
    if (!(key instanceof CryptoKey)) throw new TypeError('key is not a CryptoKey');
    if (!key.usages.includes(usage)) throw domError(`Unable to use this key to ${usage}`, 'InvalidAccessError');
  }

  function importKeySync(format, keyData, algorithm, extractable, usages) {
    const alg = canon(algorithm);
    const jwkText = () => JSON.stringify(keyData);
    switch (alg.name) {
      case 'HMAC': case 'AES-GCM': case 'AES-CBC': case 'AES-CTR': case 'PBKDF2': case 'HKDF': {
        let raw;
        if (format === 'raw') raw = bytes(keyData);
        else if (format === 'jwk') raw = Buffer.from(native.exportKey(native.importKey({ kind: 'secret', format: 'jwk', data: jwkText() }).handle, 'raw', ''));
        else throw domError(`Unsupported key format ${format} for ${alg.name}`, 'NotSupportedError');
        if (format === 'jwk' && keyData.kty !== 'oct') throw domError('Invalid JWK kty', 'DataError');
        const desc = native.importKey({ kind: 'secret', data: raw });
        const a = { name: alg.name };
        if (alg.name === 'HMAC') { a.hash = { name: hashName(alg.hash) }; a.length = raw.length * 8; }
        if (alg.name.startsWith('AES')) { if (![16, 24, 32].includes(raw.length)) throw domError('Invalid key length', 'DataError'); a.length = raw.length * 8; }
        return new CryptoKey(desc, 'secret', a, extractable, usages);
      }
      case 'RSASSA-PKCS1-v1_5': case 'RSA-PSS': case 'ECDSA': case 'Ed25519': {
        let desc, kind;
        if (format === 'jwk') { kind = keyData.d ? 'private' : 'public'; desc = native.importKey({ kind, format: 'jwk', data: jwkText() }); }
        else if (format === 'spki') { kind = 'public'; desc = native.importKey({ kind, format: 'der', data: bytes(keyData) }); }
        else if (format === 'pkcs8') { kind = 'private'; desc = native.importKey({ kind, format: 'der', data: bytes(keyData) }); }
        else if (format === 'raw' && alg.name === 'ECDSA') { kind = 'public'; desc = native.importKey({ kind, format: 'raw-ec', data: bytes(keyData), curve: alg.namedCurve }); }
        else if (format === 'raw' && alg.name === 'Ed25519') { kind = 'public'; desc = native.importKey({ kind, format: 'raw-ed25519', data: bytes(keyData) }); }
        else throw domError(`Unsupported key format ${format} for ${alg.name}`, 'NotSupportedError');
        const a = { name: alg.name };
        if (alg.name.startsWith('RSA')) {
          if (desc.asymmetricKeyType !== 'rsa') throw domError('The key is not an RSA key', 'DataError');
          a.hash = { name: hashName(alg.hash) };
          a.modulusLength = desc.asymmetricKeyDetails.modulusLength;
          a.publicExponent = new Uint8Array([1, 0, 1]);
        } else if (alg.name === 'ECDSA') {
          if (desc.asymmetricKeyType !== 'ec') throw domError('The key is not an EC key', 'DataError');
          const map = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
          a.namedCurve = map[desc.asymmetricKeyDetails.namedCurve];
          if (alg.namedCurve && alg.namedCurve !== a.namedCurve) throw domError('Named curve mismatch', 'DataError');
        } else if (desc.asymmetricKeyType !== 'ed25519') throw domError('The key is not an Ed25519 key', 'DataError');
        return new CryptoKey(desc, kind, a, extractable, usages);
      }
    }
    throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
  }
  function exportKeySync(format, key) {
    if (!(key instanceof CryptoKey)) throw new TypeError('key is not a CryptoKey');
    if (!key.extractable) throw domError('key is not extractable', 'InvalidAccessError');
    const h = key._desc.handle;
    if (format === 'jwk') {
      const j = JSON.parse(native.exportKey(h, 'jwk', ''));
      j.key_ops = key.usages.slice(); j.ext = true;
      const a = key.algorithm;
      if (a.name === 'HMAC') j.alg = 'HS' + a.hash.name.slice(4);
      if (a.name === 'RSASSA-PKCS1-v1_5') j.alg = 'RS' + a.hash.name.slice(4);
      if (a.name === 'RSA-PSS') j.alg = 'PS' + a.hash.name.slice(4);
      if (a.name.startsWith('AES')) j.alg = 'A' + a.length + a.name.slice(4);
      return j;
    }
    if (format === 'raw') return native.exportKey(h, 'raw', '');
    if (format === 'spki') return native.exportKey(h, 'der', 'spki');
    if (format === 'pkcs8') return native.exportKey(h, 'der', 'pkcs8');
    throw domError(`Unsupported export format ${format}`, 'NotSupportedError');
  }
  function signSync(algorithm, key, data) {
    const alg = canon(algorithm);
    checkUsage(key, 'sign');
    const d = bytes(data);
    switch (alg.name) {
      case 'HMAC': { const h = native.createHmac(nodeHash(key.algorithm.hash), key._desc.handle); h.update(d); return h.digest(); }
      case 'RSASSA-PKCS1-v1_5': return native.sign(nodeHash(key.algorithm.hash), key._desc.handle, d, {});
      case 'RSA-PSS': return native.sign(nodeHash(key.algorithm.hash), key._desc.handle, d, { padding: 6, saltLength: alg.saltLength });
      case 'ECDSA': return native.sign(nodeHash(alg.hash), key._desc.handle, d, { dsaEncoding: 'ieee-p1363' });
      case 'Ed25519': return native.sign('', key._desc.handle, d, {});
    }
    throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
  }
  function verifySync(algorithm, key, signature, data) {
    const alg = canon(algorithm);
    checkUsage(key, 'verify');
    const d = bytes(data), s = bytes(signature);
    switch (alg.name) {
      case 'HMAC': { const h = native.createHmac(nodeHash(key.algorithm.hash), key._desc.handle); h.update(d); const m = new Uint8Array(h.digest()); return m.length === s.length && native.timingSafeEqual(m, s); }
      case 'RSASSA-PKCS1-v1_5': return native.verify(nodeHash(key.algorithm.hash), key._desc.handle, d, s, {});
      case 'RSA-PSS': return native.verify(nodeHash(key.algorithm.hash), key._desc.handle, d, s, { padding: 6, saltLength: alg.saltLength });
      case 'ECDSA': return native.verify(nodeHash(alg.hash), key._desc.handle, d, s, { dsaEncoding: 'ieee-p1363' });
      case 'Ed25519': return native.verify('', key._desc.handle, d, s, {});
    }
    throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
  }
  function aesOp(encrypt) {
    return (algorithm, key, data) => {
      const alg = canon(algorithm);
      checkUsage(key, encrypt ? 'encrypt' : 'decrypt');
      const k = new Uint8Array(native.exportKey(key._desc.handle, 'raw', ''));
      const d = bytes(data);
      if (alg.name === 'AES-GCM') {
        const tagLen = (alg.tagLength || 128) / 8;
        if (encrypt) {
          const r = native.aes('gcm', true, k, bytes(alg.iv), d, alg.additionalData ? bytes(alg.additionalData) : null, null, false);
          const o = new Uint8Array(r.data.byteLength + tagLen);
          o.set(new Uint8Array(r.data)); o.set(new Uint8Array(r.tag).subarray(0, tagLen), r.data.byteLength);
          return o.buffer;
        }
        try {
          return native.aes('gcm', false, k, bytes(alg.iv), d.subarray(0, d.length - tagLen), alg.additionalData ? bytes(alg.additionalData) : null, d.subarray(d.length - tagLen), false).data;
        } catch (e) { throw domError('The operation failed for an operation-specific reason', 'OperationError'); }
      }
      const mode = alg.name === 'AES-CBC' ? 'cbc' : alg.name === 'AES-CTR' ? 'ctr' : null;
      if (!mode) throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
      try { return native.aes(mode, encrypt, k, bytes(alg.iv || alg.counter), d, null, null, true).data; } catch (e) { throw domError('The operation failed for an operation-specific reason', 'OperationError'); }
    };
  }
  function deriveBitsSync(algorithm, key, length) {
    const alg = canon(algorithm);
    checkUsage(key, 'deriveBits');
    const k = new Uint8Array(native.exportKey(key._desc.handle, 'raw', ''));
    if (alg.name === 'PBKDF2') return native.pbkdf2(k, bytes(alg.salt), alg.iterations, length / 8, nodeHash(alg.hash));
    if (alg.name === 'HKDF') return native.hkdf(nodeHash(alg.hash), k, bytes(alg.salt), bytes(alg.info), length / 8);
    throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
  }
  function generateKeySync(algorithm, extractable, usages) {
    const alg = canon(algorithm);
    switch (alg.name) {
      case 'HMAC': {
        const bits = alg.length || ({ 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 })[hashName(alg.hash)];
        return importKeySync('raw', randomBytes(bits / 8), alg, extractable, usages);
      }
      case 'AES-GCM': case 'AES-CBC': case 'AES-CTR':
        return importKeySync('raw', randomBytes(alg.length / 8), alg, extractable, usages);
      case 'ECDSA': case 'RSASSA-PKCS1-v1_5': case 'RSA-PSS': case 'Ed25519': {
        const type = alg.name === 'ECDSA' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'rsa';
        const [priv, pub] = native.generateKeyPair(type, { namedCurve: alg.namedCurve, modulusLength: alg.modulusLength });
        const privKey = importKeySync('pkcs8', native.exportKey(priv.handle, 'der', 'pkcs8'), alg, extractable, usages.filter((u) => u === 'sign'));
        const pubKey = importKeySync('spki', native.exportKey(pub.handle, 'der', 'spki'), alg, true, usages.filter((u) => u === 'verify'));
        return { privateKey: privKey, publicKey: pubKey };
      }
    }
    throw domError(`Unsupported algorithm ${alg.name}`, 'NotSupportedError');
  }
  class SubtleCrypto {}
  Object.assign(SubtleCrypto.prototype, {
    digest: asyncify((alg, data) => { const h = native.createHash(nodeHash(norm(alg).name)); h.update(bytes(data)); return h.digest(); }),
    importKey: asyncify(importKeySync),
    exportKey: asyncify(exportKeySync),
    sign: asyncify(signSync),
    verify: asyncify(verifySync),
    encrypt: asyncify(aesOp(true)),
    decrypt: asyncify(aesOp(false)),
    deriveBits: asyncify(deriveBitsSync),
    deriveKey: asyncify((alg, key, derived, extractable, usages) => {
      const d = canon(derived);
      const len = d.length || (d.name === 'HMAC' ? 512 : 256);
      return importKeySync('raw', deriveBitsSync(alg, key, len), d, extractable, usages);
    }),
    generateKey: asyncify(generateKeySync),
    wrapKey: asyncify(() => { throw domError('wrapKey is not supported', 'NotSupportedError'); }),
    unwrapKey: asyncify(() => { throw domError('unwrapKey is not supported', 'NotSupportedError'); }),
  });
  const subtle = new SubtleCrypto();
  class Crypto {
    get subtle() { return subtle; }
    getRandomValues(a) { return getRandomValues(a); }
    randomUUID() { return native.randomUUID(); }
  }
  const webcrypto = new Crypto();

  const constants = {
    RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
    RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
    POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
  };
  native.shared(SecretKeyObject, PublicKeyObject, PrivateKeyObject, Cipheriv);
  return {
    createHash, createHmac, hash, Hash, Hmac,
    randomBytes, pseudoRandomBytes: randomBytes, prng: randomBytes, rng: randomBytes,
    randomFillSync, randomFill, randomInt, randomUUID: () => native.randomUUID(), getRandomValues,
    timingSafeEqual,
    KeyObject, createPrivateKey, createPublicKey, createSecretKey,
    Sign, Verify, createSign, createVerify, sign, verify,
    generateKeyPairSync, generateKeyPair, generateKeySync, generateKey: (t, o, cb) => { let r, e = null; try { r = generateKeySync(t, o); } catch (x) { e = x; } nextTick(cb, e, r); },
    pbkdf2Sync, pbkdf2, hkdfSync, hkdf,
    scryptSync, scrypt,
    createCipheriv, createDecipheriv,
    createCipher: notAvailable('createCipher'), createDecipher: notAvailable('createDecipher'),
    publicEncrypt: notAvailable('publicEncrypt'), privateDecrypt: notAvailable('privateDecrypt'),
    privateEncrypt: notAvailable('privateEncrypt'), publicDecrypt: notAvailable('publicDecrypt'),
    createDiffieHellman: notAvailable('createDiffieHellman'), createECDH: notAvailable('createECDH'),
    getHashes: () => native.hashes().sort(),
    getCiphers: () => ['aes-128-cbc', 'aes-128-ctr', 'aes-128-gcm', 'aes-192-cbc', 'aes-192-ctr', 'aes-192-gcm', 'aes-256-cbc', 'aes-256-ctr', 'aes-256-gcm'],
    getCurves: () => ['prime256v1', 'secp384r1', 'secp521r1'],
    getFips: () => 0, setFips: () => {},
    constants,
    webcrypto, subtle, CryptoKey, SubtleCrypto, Crypto,
  };
})
