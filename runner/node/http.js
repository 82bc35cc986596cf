// node:http and node:https as clients over the daemon's egress-checked Go HTTP client (the one
// fetch uses). A request is sent when end() is called, with the body written so far; the
// response body arrives whole (capped like fetch's) and is pushed into the IncomingMessage
// stream. Redirects are not followed (as in Node). Servers are not available to actions.
(function (native, require) {
  'use strict';
  const EventEmitter = require('events');
  const { Readable, Writable } = require('stream');
  const { Buffer } = require('buffer');
  const { URL } = require('url');
  const nextTick = (fn, ...a) => native.process.nextTick(fn, ...a);

  const STATUS_CODES = { 100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed', 418: "I'm a Teapot", 422: 'Unprocessable Entity', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 511: 'Network Authentication Required' };
  const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];
  const tokenRE = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
  function validateHeaderName(name) {
    if (typeof name !== 'string' || !name || !tokenRE.test(name)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
  }
  function validateHeaderValue(name, value) {
    if (value === undefined) throw Object.assign(new TypeError(`Invalid value "${value}" for header "${name}"`), { code: 'ERR_HTTP_INVALID_HEADER_VALUE' });
    if (/[^\t\x20-\x7e\x80-\xff]/.test(String(value))) throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
  }

  class Agent extends EventEmitter {
    constructor(options = {}) {
      super();
      this.options = { ...options };
      this.keepAlive = !!options.keepAlive;
      this.maxSockets = options.maxSockets || Infinity;
      this.maxFreeSockets = options.maxFreeSockets || 256;
      this.sockets = {}; this.freeSockets = {}; this.requests = {};
      this.defaultPort = options.defaultPort || 80;
      this.protocol = options.protocol || 'http:';
    }
    destroy() {}
    getName(o = {}) { return `${o.host || 'localhost'}:${o.port || ''}:${o.localAddress || ''}`; }
  }

  class FakeSocket extends EventEmitter {
    constructor(host, port) {
      super();
      this.remoteAddress = undefined; this.remotePort = port; this.remoteFamily = undefined;
      this.localAddress = undefined; this.localPort = undefined; this.servername = host;
      this.encrypted = false; this.connecting = false; this.destroyed = false; this.readable = true; this.writable = true;
      this.bytesWritten = 0; this.bytesRead = 0;
    }
    setTimeout(ms, cb) { if (cb) this.once('timeout', cb); return this; }
    setNoDelay() { return this; }
    setKeepAlive() { return this; }
    ref() { return this; }
    unref() { return this; }
    address() { return {}; }
    destroy(err) { this.destroyed = true; if (this._req) this._req.destroy(err); return this; }
    end() { return this; }
    getPeerCertificate() { return {}; }
  }

  class IncomingMessage extends Readable {
    constructor(socket) {
      super({ read() {} });
      this.socket = socket; this.connection = socket;
      this.httpVersion = '1.1'; this.httpVersionMajor = 1; this.httpVersionMinor = 1;
      this.headers = {}; this.headersDistinct = {}; this.rawHeaders = []; this.trailers = {}; this.rawTrailers = [];
      this.statusCode = null; this.statusMessage = null; this.url = ''; this.method = null;
      this.complete = false; this.aborted = false;
    }
    setTimeout(ms, cb) { if (cb) this.on('timeout', cb); return this; }
  }
  const singleValued = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent']);

  function parseArgs(defaults, input, options, cb) {
    let opts = {};
    if (typeof input === 'string' || input instanceof URL) {
      const u = typeof input === 'string' ? new URL(input) : input;
      // Node's urlToHttpOptions: an IPv6 hostname loses its brackets.
      const hostname = u.hostname[0] === '[' ? u.hostname.slice(1, -1) : u.hostname;
      opts = { protocol: u.protocol, hostname, port: u.port || undefined, path: u.pathname + u.search, hash: u.hash };
      if (u.username || u.password) opts.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      if (typeof options === 'function') { cb = options; options = undefined; }
      if (options) opts = { ...opts, ...options };
    } else {
      if (typeof input === 'function') { cb = input; input = {}; }
      opts = { ...(input || {}) };
      if (typeof options === 'function') cb = options;
    }
    return [opts, cb];
  }

  class ClientRequest extends Writable {
    constructor(defaults, input, options, cb) {
      super();
      const [opts, callback] = parseArgs(defaults, input, options, cb);
      const protocol = opts.protocol || (opts.agent && opts.agent.protocol) || defaults.protocol;
      if (protocol !== defaults.protocol) {
        throw Object.assign(new TypeError(`Protocol "${protocol}" not supported. Expected "${defaults.protocol}"`), { code: 'ERR_INVALID_PROTOCOL' });
      }
      this.method = String(opts.method || 'GET').toUpperCase();
      if (!METHODS.includes(this.method)) throw Object.assign(new TypeError(`Invalid method "${this.method}"`), { code: 'ERR_INVALID_HTTP_TOKEN' });
      let host = opts.hostname || (opts.host ? String(opts.host).replace(/:\d+$/, '') : 'localhost');
      this.host = host;
      this.protocol = protocol;
      this.port = opts.port || (opts.defaultPort) || defaults.port;
      this.path = opts.path || '/';
      if (/[^\u0021-\u00ff]/.test(this.path)) throw Object.assign(new TypeError('Request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' });
      this.agent = opts.agent;
      this.aborted = false;
      this.reusedSocket = false;
      this.maxHeadersCount = null;
      this._headers = new Map();
      this._body = [];
      this._sent = false;
      this._responded = false;
      this._autoDestroy = false;
      const h = opts.headers;
      if (Array.isArray(h)) { for (let i = 0; i + 1 < h.length; i += 2) this.setHeader(h[i], h[i + 1]); }
      else if (h) for (const k of Object.keys(h)) if (h[k] !== undefined) this.setHeader(k, h[k]);
      if (opts.auth && !this.hasHeader('authorization')) this.setHeader('Authorization', 'Basic ' + Buffer.from(opts.auth).toString('base64'));
      const hostHeader = host.includes(':') ? `[${host}]` : host;
      if (!this.hasHeader('host')) this.setHeader('Host', hostHeader + (this.port && +this.port !== defaults.port ? ':' + this.port : ''));
      this._target = { protocol, hostname: host, port: this.port ? String(this.port) : '', path: this.path };
      this.socket = this.connection = new FakeSocket(host, this.port);
      this.socket._req = this;
      if (callback) this.once('response', callback);
      if (opts.timeout) this.setTimeout(opts.timeout);
      if (opts.signal) {
        if (opts.signal.aborted) nextTick(() => this.destroy(opts.signal.reason));
        else opts.signal.addEventListener('abort', () => this.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' })));
      }
      nextTick(() => { if (!this.destroyed) { this.emit('socket', this.socket); this.socket.emit('connect'); } });
    }
    setHeader(name, value) {
      if (this._sent) throw Object.assign(new Error('Cannot set headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
      validateHeaderName(name);
      validateHeaderValue(name, value);
      this._headers.set(String(name).toLowerCase(), [name, value]);
      return this;
    }
    appendHeader(name, value) {
      const cur = this.getHeader(name);
      this.setHeader(name, cur === undefined ? value : [].concat(cur, value));
      return this;
    }
    getHeader(name) { const e = this._headers.get(String(name).toLowerCase()); return e && e[1]; }
    getHeaders() { const o = Object.create(null); for (const [k, [, v]] of this._headers) o[k] = v; return o; }
    getHeaderNames() { return Array.from(this._headers.keys()); }
    getRawHeaderNames() { return Array.from(this._headers.values(), (e) => e[0]); }
    hasHeader(name) { return this._headers.has(String(name).toLowerCase()); }
    removeHeader(name) { this._headers.delete(String(name).toLowerCase()); }
    get headersSent() { return this._sent; }
    flushHeaders() {}
    setNoDelay() {}
    setSocketKeepAlive() {}
    setTimeout(ms, cb) {
      if (cb) this.once('timeout', cb);
      if (this._timer) native.clearTimeout(this._timer);
      if (ms > 0) this._timer = native.setTimeout(() => { if (!this._responded || !this._done) { this.emit('timeout'); this.socket.emit('timeout'); } }, ms);
      return this;
    }
    _write(chunk, enc, cb) { this._body.push(chunk); cb(); }
    _final(cb) { this._send(); cb(); }
    abort() { if (!this.aborted) { this.aborted = true; nextTick(() => this.emit('abort')); this.destroy(); } }
    _send() {
      if (this._sent || this.destroyed) return;
      this._sent = true;
      const pairs = [];
      for (const [, [name, value]] of this._headers) {
        const lname = String(name).toLowerCase();
        if (lname === 'transfer-encoding' || lname === 'connection' || lname === 'content-length' && this._body.length === 0) continue;
        if (lname === 'content-length') continue; // the Go client sets it from the body
        for (const v of [].concat(value)) pairs.push([String(name), String(v)]);
      }
      const body = this._body.length ? Buffer.concat(this._body) : null;
      let promise;
      try {
        [promise, this._abortNative] = native.httpRequest(this._target, this.method, pairs, body);
      } catch (e) {
        nextTick(() => this.destroy(e));
        return;
      }
      promise.then((r) => this._onResponse(r), (err) => {
        if (this.destroyed) return;
        const e = new Error(err && err.message || String(err));
        e.code = err && err.code || 'ECONNRESET';
        this.destroy(e);
      });
    }
    _onResponse(r) {
      if (this.destroyed) return;
      if (this._timer) native.clearTimeout(this._timer);
      this._responded = true;
      const res = new IncomingMessage(this.socket);
      res.req = this;
      res.statusCode = r.status;
      res.statusMessage = r.statusText || STATUS_CODES[r.status] || '';
      for (const [k, v] of r.headers) {
        const lk = k.toLowerCase();
        res.rawHeaders.push(k, v);
        (res.headersDistinct[lk] = res.headersDistinct[lk] || []).push(v);
        if (lk === 'set-cookie') (res.headers[lk] = res.headers[lk] || []).push(v);
        else if (res.headers[lk] === undefined) res.headers[lk] = v;
        else if (!singleValued.has(lk)) res.headers[lk] += (lk === 'cookie' ? '; ' : ', ') + v;
      }
      this.res = res;
      const body = Buffer.from(r.body);
      if (body.length) res.push(body);
      res.complete = true;
      res.push(null);
      res.on('end', () => { this._done = true; nextTick(() => { this.emit('close'); }); });
      if (!this.emit('response', res)) res.resume();
    }
    destroy(err) {
      if (this.destroyed) return this;
      if (this._abortNative) this._abortNative();
      if (this._timer) native.clearTimeout(this._timer);
      if (!err && !this._responded && !this.aborted) err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      if (this.res && !this.res.complete) this.res.destroy(err);
      return Writable.prototype.destroy.call(this, this._responded ? null : err);
    }
  }

  // The global agents are shared by every owner of the runtime: they keep no listener map (events'
  // frozenEvents), which would be state one owner sets and another's requests trigger.
  const sharedAgent = (agent) => { delete agent._events; return agent; };
  function make(defaults) {
    const globalAgent = sharedAgent(new Agent({ protocol: defaults.protocol, defaultPort: defaults.port }));
    const request = (input, options, cb) => new ClientRequest(defaults, input, options, cb);
    const get = (input, options, cb) => { const r = request(input, options, cb); r.end(); return r; };
    const notAvailable = (what) => () => { throw new Error(`${defaults.name}.${what} is not available to actions`); };
    return {
      Agent, ClientRequest, IncomingMessage, OutgoingMessage: Writable, METHODS, STATUS_CODES, globalAgent,
      request, get, validateHeaderName, validateHeaderValue, maxHeaderSize: 16384,
      createServer: notAvailable('createServer'), Server: notAvailable('Server'), ServerResponse: notAvailable('ServerResponse'),
      setMaxIdleHTTPParsers: () => {},
    };
  }
  const http = make({ protocol: 'http:', port: 80, name: 'http' });
  const https = make({ protocol: 'https:', port: 443, name: 'https' });
  https.Agent = class extends Agent { constructor(o = {}) { super({ protocol: 'https:', defaultPort: 443, ...o }); } };
  https.globalAgent = sharedAgent(new https.Agent());
  native.shared(FakeSocket);
  return { http, https };
})
