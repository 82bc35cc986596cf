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
    if (u instanceof URL) return u.href;
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
  function resolve(from, to) { return new URL(to, new URL(from, 'resolve://')).href.replace(/^resolve:\/\/\/?/, from.startsWith('/') ? '/' : ''); }
  Url.prototype.format = function () { return format(this); };
  Url.prototype.resolve = function (to) { return resolve(this.href, to); };
  return {
    URL, URLSearchParams, Url, parse, format, resolve,
    resolveObject: (from, to) => parse(resolve(from, to)),
    domainToASCII: (d) => { try { return new URL('http://' + d).hostname; } catch (e) { return ''; } },
    domainToUnicode: (d) => d,
    fileURLToPath: (u) => { const x = typeof u === 'string' ? new URL(u) : u; if (x.protocol !== 'file:') throw Object.assign(new TypeError('The URL must be of scheme file'), { code: 'ERR_INVALID_URL_SCHEME' }); return decodeURIComponent(x.pathname); },
    pathToFileURL: (p) => new URL('file://' + encodeURI(p)),
    urlToHttpOptions: (u) => ({ protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ''), hash: u.hash, search: u.search, pathname: u.pathname, path: `${u.pathname || ''}${u.search || ''}`, href: u.href, port: u.port !== '' ? Number(u.port) : undefined, auth: u.username || u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : undefined }),
  };
})
