// node:url: WHATWG URL and URLSearchParams (goja_nodejs) plus the legacy parse/format/resolve,
// which are Node's own lib/url.js (nodelib/url.js).
(function (native, require) {
  'use strict';
  const { URL, URLSearchParams } = native.urlModule;
  // domainToASCII is the host the WHATWG hostname setter makes of d ('' when it refuses it), as
  // Node's: the setter leaves a URL unchanged on failure, so two URLs with different hosts agree
  // only when it succeeded.
  function domainToASCII(d) {
    d = `${d}`;
    const a = new URL('ws://a'), b = new URL('ws://b');
    a.hostname = d; b.hostname = d;
    return a.hostname === b.hostname ? a.hostname : '';
  }
  // punyDecode decodes one Punycode label (RFC 3492, section 6.2).
  function punyDecode(input) {
    const base = 36, tMin = 1, tMax = 26;
    const adapt = (delta, points, first) => {
      let k = 0;
      delta = first ? Math.floor(delta / 700) : delta >> 1;
      delta += Math.floor(delta / points);
      for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = Math.floor(delta / (base - tMin));
      return Math.floor(k + ((base - tMin + 1) * delta) / (delta + 38));
    };
    const digitOf = (c) => (c >= 0x30 && c < 0x3a ? c - 22 : c >= 0x41 && c < 0x5b ? c - 0x41 : c >= 0x61 && c < 0x7b ? c - 0x61 : base);
    const out = [];
    const basic = Math.max(0, input.lastIndexOf('-'));
    for (let j = 0; j < basic; j++) out.push(input.charCodeAt(j));
    let i = 0, n = 128, bias = 72;
    for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
      const oldi = i;
      for (let w = 1, k = base; ; k += base) {
        if (index >= input.length) throw new RangeError('invalid punycode');
        const digit = digitOf(input.charCodeAt(index++));
        if (digit >= base) throw new RangeError('invalid punycode');
        i += digit * w;
        const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
        if (digit < t) break;
        w *= base - t;
      }
      const points = out.length + 1;
      bias = adapt(i - oldi, points, oldi === 0);
      n += Math.floor(i / points);
      i %= points;
      out.splice(i++, 0, n);
    }
    return String.fromCodePoint(...out);
  }
  function domainToUnicode(d) {
    const ascii = domainToASCII(d);
    if (ascii === '' || ascii[0] === '[') return ascii;
    try {
      return ascii.split('.').map((l) => (l.startsWith('xn--') ? punyDecode(l.slice(4)) : l)).join('.');
    } catch (e) {
      return '';
    }
  }
  const invalidArgType = (name, v) => Object.assign(new TypeError(`The "${name}" argument must be of type string or an instance of URL. Received ${v === null ? 'null' : typeof v}`), { code: 'ERR_INVALID_ARG_TYPE' });
  // fileURLToPath and pathToFileURL are Node's POSIX ones.
  function fileURLToPath(u) {
    if (typeof u === 'string') u = new URL(u);
    else if (!(u instanceof URL)) throw invalidArgType('path', u);
    if (u.protocol !== 'file:') throw Object.assign(new TypeError('The URL must be of scheme file'), { code: 'ERR_INVALID_URL_SCHEME' });
    if (u.hostname !== '') throw Object.assign(new TypeError('File URL host must be "localhost" or empty on linux'), { code: 'ERR_INVALID_FILE_URL_HOST' });
    const p = u.pathname;
    if (/%2f/i.test(p)) throw Object.assign(new TypeError('File URL path must not include encoded / characters'), { code: 'ERR_INVALID_FILE_URL_PATH' });
    return decodeURIComponent(p);
  }
  function pathToFileURL(p) {
    if (typeof p !== 'string') throw Object.assign(new TypeError(`The "path" argument must be of type string. Received ${p === null ? 'null' : typeof p}`), { code: 'ERR_INVALID_ARG_TYPE' });
    let resolved = require('path').resolve(p);
    if (p.endsWith('/') && !resolved.endsWith('/')) resolved += '/';
    const u = new URL('file://');
    u.pathname = resolved.replace(/%/g, '%25').replace(/\\/g, '%5C').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09');
    return u;
  }
  function urlToHttpOptions(u) {
    const { hostname, pathname, port, username, password, search } = u;
    const o = { __proto__: null, ...u, protocol: u.protocol, hostname: hostname && hostname[0] === '[' ? hostname.slice(1, -1) : hostname, hash: u.hash, search, pathname, path: `${pathname || ''}${search || ''}`, href: u.href };
    if (port !== '') o.port = Number(port);
    if (username || password) o.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
    return o;
  }
  // formatURL is url.format of a WHATWG URL, with Node's options (auth, fragment and search
  // default to true, unicode to false).
  function formatURL(u, opts) {
    const o = { auth: true, fragment: true, search: true, unicode: false, ...(opts || {}) };
    const c = new URL(u.href);
    if (!o.auth) { c.username = ''; c.password = ''; }
    if (!o.search) c.search = '';
    if (!o.fragment) c.hash = '';
    if (!o.unicode || !c.hostname) return c.href;
    const i = c.href.indexOf(c.host, c.protocol.length);
    return c.href.slice(0, i) + domainToUnicode(c.hostname) + (c.port ? ':' + c.port : '') + c.href.slice(i + c.host.length);
  }
  // toASCII is the host conversion of Node's url.parse (ICU's, lenient): an ASCII name stays as
  // it is unless a label is Punycode, which must decode; others become Punycode. Node's binding
  // reads the name as a C string: it ends at a NUL.
  function toASCII(h) {
    if (h.includes('\0')) h = h.slice(0, h.indexOf('\0'));
    if (!/[^\x00-\x7f]|(^|\.)xn--/i.test(h)) return h;
    return domainToASCII(h);
  }
  const { Url, parse, format, resolve, resolveObject } = require('\x00nodelib/url')(toASCII, formatURL);
  return {
    URL, URLSearchParams, Url, parse, format, resolve, resolveObject,
    domainToASCII, domainToUnicode, fileURLToPath, pathToFileURL, urlToHttpOptions,
  };
})
