// node:querystring.
(function (native, require) {
  'use strict';
  // escape is encodeURIComponent, as Node's (which leaves !'()* too); a lone surrogate throws
  // Node's URIError.
  const escape = (s) => {
    try {
      return encodeURIComponent(typeof s === 'string' ? s : String(s));
    } catch (e) {
      throw Object.assign(new URIError('URI malformed'), { code: 'ERR_INVALID_URI' });
    }
  };
  const hexVal = (c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
  // unescapeBuffer decodes the %XX escapes of s into bytes, leaving any other % as it is.
  function unescapeBuffer(s, decodeSpaces) {
    const { Buffer } = require('buffer');
    const src = Buffer.from(String(s));
    const out = Buffer.alloc(src.length);
    let n = 0;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      if (c === 0x2b && decodeSpaces) { out[n++] = 0x20; continue; }
      if (c === 0x25 && i + 2 < src.length) {
        const h = hexVal(src[i + 1]), l = hexVal(src[i + 2]);
        if (h >= 0 && l >= 0) { out[n++] = h * 16 + l; i += 2; continue; }
      }
      out[n++] = c;
    }
    return out.subarray(0, n);
  }
  // unescape is decodeURIComponent, or, where that fails (a bad escape, an incomplete UTF-8
  // sequence), the bytes of the escapes decoded as UTF-8, as Node does.
  const unescape = (s, decodeSpaces) => {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return unescapeBuffer(s, decodeSpaces).toString();
    }
  };
  const prim = (v) => {
    switch (typeof v) {
      case 'string': return v;
      case 'number': return isFinite(v) ? String(v) : '';
      case 'bigint': return String(v);
      case 'boolean': return v ? 'true' : 'false';
      default: return '';
    }
  };
  function stringify(obj, sep, eq, opts) {
    sep = sep || '&';
    eq = eq || '=';
    const enc = opts && typeof opts.encodeURIComponent === 'function' ? opts.encodeURIComponent : qs.escape;
    if (obj === null || typeof obj !== 'object') return '';
    const out = [];
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const ks = enc(prim(k)) + eq;
      if (Array.isArray(v)) for (const x of v) out.push(ks + enc(prim(x)));
      else out.push(ks + enc(prim(v)));
    }
    return out.join(sep);
  }
  function parse(str, sep, eq, opts) {
    sep = sep || '&';
    eq = eq || '=';
    const custom = opts && typeof opts.decodeURIComponent === 'function' ? opts.decodeURIComponent : qs.unescape;
    const dec = (s) => { try { return custom(s); } catch (e) { return qs.unescape(s, true); } };
    const max = opts && typeof opts.maxKeys === 'number' ? opts.maxKeys : 1000;
    const obj = Object.create(null);
    if (typeof str !== 'string' || str.length === 0) return obj;
    let parts = str.split(sep);
    if (max > 0) parts = parts.slice(0, max);
    for (const part of parts) {
      if (!part) continue;
      const i = part.indexOf(eq);
      const k = dec((i >= 0 ? part.slice(0, i) : part).replace(/\+/g, ' '));
      const v = i >= 0 ? dec(part.slice(i + eq.length).replace(/\+/g, ' ')) : '';
      if (!(k in obj)) obj[k] = v;
      else if (Array.isArray(obj[k])) obj[k].push(v);
      else obj[k] = [obj[k], v];
    }
    return obj;
  }
  const qs = { stringify, parse, escape, unescape, encode: stringify, decode: parse, unescapeBuffer };
  return qs;
})
