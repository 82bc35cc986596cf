// node:querystring.
(function (native, require) {
  'use strict';
  const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const unescape = (s) => { try { return decodeURIComponent(s); } catch (e) { return s.replace(/%([0-9a-fA-F]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))); } };
  const prim = (v) => {
    switch (typeof v) {
      case 'string': return v;
      case 'number': return isFinite(v) ? String(v) : '';
      case 'bigint': return String(v);
      case 'boolean': return v ? 'true' : 'false';
      default: return '';
    }
  };
  function stringify(obj, sep = '&', eq = '=', opts = {}) {
    const enc = opts.encodeURIComponent || qs.escape;
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
  function parse(str, sep = '&', eq = '=', opts = {}) {
    const dec = opts.decodeURIComponent || qs.unescape;
    const max = opts.maxKeys === undefined ? 1000 : opts.maxKeys;
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
  const qs = { stringify, parse, escape, unescape, encode: stringify, decode: parse, unescapeBuffer: (s) => require('buffer').Buffer.from(unescape(s)) };
  return qs;
})
