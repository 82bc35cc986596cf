// node:url: WHATWG URL and URLSearchParams (goja_nodejs) plus the legacy parse/format/resolve.
(function (native, require) {
  'use strict';
  const { URL, URLSearchParams } = native.urlModule;
  const qs = require('querystring');
  function Url() {
    this.protocol = null; this.slashes = null; this.auth = null; this.host = null; this.port = null;
    this.hostname = null; this.hash = null; this.search = null; this.query = null; this.pathname = null;
    this.path = null; this.href = null;
  }
  const re = /^([a-zA-Z][a-zA-Z0-9+.-]*:)?(\/\/)?(?:([^@/?#]*)@)?([^/?#:]*|\[[^\]]*\])?(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/;
  const escapes = { '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', "'": '%27', '<': '%3C', '>': '%3E', '\\': '%5C', '^': '%5E', '`': '%60', '{': '%7B', '|': '%7C', '}': '%7D' };
  const autoEscape = (s) => s.replace(/[\t\n\r "'<>\\^`{|}]/g, (c) => escapes[c]);
  function parse(str, parseQuery, slashesDenoteHost) {
    if (str instanceof Url) return str;
    if (typeof str !== 'string') throw Object.assign(new TypeError('The "url" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    const u = new Url();
    const s = str.trim();
    let m = re.exec(s);
    if (!m) { u.href = s; u.path = u.pathname = s; return u; }
    let [, protocol, slashes, auth, host, port, pathname, search, hash] = m;
    if (!slashes && !slashesDenoteHost && protocol === undefined) {
      // a relative reference: no host
      const m2 = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(s);
      pathname = m2[1]; search = m2[2]; hash = m2[3]; host = undefined; auth = undefined; port = undefined;
    } else if (!slashes && protocol && !/^(https?|ftp|wss?|file):$/i.test(protocol)) {
      const rest = s.slice(protocol.length);
      const m2 = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(rest);
      pathname = m2[1]; search = m2[2]; hash = m2[3]; host = undefined; auth = undefined; port = undefined;
    }
    // As Node's url.parse: the characters of autoEscape are percent-encoded after the host (a "%"
    // is left alone, so an encoded path stays as it is), but in javascript: URLs.
    if (!protocol || !/^javascript:$/i.test(protocol)) {
      if (pathname) pathname = autoEscape(pathname);
      if (search) search = autoEscape(search);
      if (hash) hash = autoEscape(hash);
    }
    u.protocol = protocol ? protocol.toLowerCase() : null;
    u.slashes = slashes ? true : null;
    u.auth = auth !== undefined ? decodeURIComponent(auth) : null;
    u.hostname = host !== undefined && host !== '' ? host.toLowerCase().replace(/^\[|\]$/g, '') : (host === '' && slashes ? '' : null);
    u.port = port || null;
    u.host = u.hostname !== null ? (host.toLowerCase() + (port ? ':' + port : '')) : null;
    u.pathname = pathname || (u.slashes && u.host ? '/' : (pathname === '' ? null : pathname));
    u.search = search || null;
    u.query = search ? search.slice(1) : null;
    if (parseQuery) u.query = qs.parse(u.query || '');
    u.hash = hash || null;
    u.path = (u.pathname || '') + (u.search || '') || null;
    u.href = format(u);
    return u;
  }
  function format(u, opts) {
    if (typeof u === 'string') u = parse(u);
    if (u instanceof URL) return formatURL(u, opts);
    let auth = u.auth ? encodeURIComponent(u.auth).replace(/%3A/i, ':') + '@' : '';
    let protocol = u.protocol || '';
    if (protocol && protocol[protocol.length - 1] !== ':') protocol += ':';
    let host = '';
    if (u.host) host = auth + u.host;
    else if (u.hostname) host = auth + (u.hostname.includes(':') ? '[' + u.hostname + ']' : u.hostname) + (u.port ? ':' + u.port : '');
    let pathname = u.pathname || '';
    let search = u.search || '';
    if (!search && u.query && typeof u.query === 'object' && Object.keys(u.query).length) search = '?' + qs.stringify(u.query);
    else if (!search && typeof u.query === 'string' && u.query) search = '?' + u.query;
    if (search && search[0] !== '?') search = '?' + search;
    let hash = u.hash || '';
    if (hash && hash[0] !== '#') hash = '#' + hash;
    const slashes = u.slashes || /^(https?|ftp|wss?|file):$/.test(protocol);
    if (slashes || host) { host = '//' + host; if (pathname && pathname[0] !== '/') pathname = '/' + pathname; }
    return protocol + host + pathname.replace(/[?#]/g, encodeURIComponent) + search.replace('#', '%23') + hash;
  }
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
  function resolve(from, to) { return new URL(to, new URL(from, 'resolve://')).href.replace(/^resolve:\/\/\/?/, from.startsWith('/') ? '/' : ''); }
  Url.prototype.format = function () { return format(this); };
  Url.prototype.resolve = function (to) { return resolve(this.href, to); };
  return {
    URL, URLSearchParams, Url, parse, format, resolve,
    resolveObject: (from, to) => parse(resolve(from, to)),
    domainToASCII, domainToUnicode, fileURLToPath, pathToFileURL, urlToHttpOptions,
  };
})
