// node:net, node:tls and node:dns, clients only: a Socket is a Duplex over a Go connection
// (net.go) dialled through the egress policy, as fetch's are (tls.connect({ socket }) upgrades
// one such connection: STARTTLS); dns.lookup asks the resolver the egress dialer uses. Servers
// (createServer, Server) and the rest of dns (resolve*, reverse, setServers) throw
// "<module>.<fn> is not available to actions".
(function (native, require) {
  'use strict';
  const { Duplex } = require('stream');
  const { Buffer } = require('buffer');
  const nextTick = (fn, ...args) => native.process.nextTick(fn, ...args);
  const { setTimeout, clearTimeout } = native;
  const notAvailable = (name) => function () { throw new Error(`${name} is not available to actions`); };

  function invalidArg(msg) { return Object.assign(new TypeError(msg), { code: 'ERR_INVALID_ARG_TYPE' }); }

  // normalize(args) reads connect's (options | port[, host])[, listener].
  function normalize(args) {
    let options = {}, cb;
    if (args[0] !== null && typeof args[0] === 'object') { options = { ...args[0] }; cb = args[1]; }
    else {
      options.port = args[0];
      if (typeof args[1] === 'string') { options.host = args[1]; cb = args[2]; } else cb = args[1];
    }
    if (options.path !== undefined) throw new Error('net.connect: IPC (options.path) is not available to actions');
    return [options, typeof cb === 'function' ? cb : undefined];
  }

  function Socket(options = {}) {
    if (!(this instanceof Socket)) return new Socket(options);
    // The stream is half-open: finishing the writes (a TCP half close) must not destroy it
    // while the peer still sends. Without allowHalfOpen the socket ends its side at the
    // peer's end, as Node's does; it is destroyed once both sides are done.
    Duplex.call(this, { allowHalfOpen: true });
    this._emitClose = false; // 'close' carries hadError (_destroy)
    this._allowHalfOpenSock = !!options.allowHalfOpen;
    if (!this._allowHalfOpenSock) this.once('end', () => { if (!this._ws.ending) this.end(); });
    this._handle = null;
    this._written = [];
    this.connecting = false;
    this.pending = true;
    this.bytesRead = 0;
    this._bytesWritten = 0;
    this._timeoutMs = 0;
    this._timer = null;
    this.remoteAddress = undefined; this.remotePort = undefined; this.remoteFamily = undefined;
    this.localAddress = undefined; this.localPort = undefined;
    this._tls = null;
    this._parent = null; // a TLS socket's plain socket (STARTTLS)
    this._pendingOp = null;
    this._paused = false;
  }
  Object.setPrototypeOf(Socket.prototype, Duplex.prototype);
  Object.setPrototypeOf(Socket, Duplex);
  Object.defineProperty(Socket.prototype, 'bytesWritten', { get() { return this._bytesWritten; } });
  Object.defineProperty(Socket.prototype, 'readyState', {
    get() {
      if (this.connecting) return 'opening';
      if (this.destroyed || !this._handle) return 'closed';
      if (this.readable && this.writable) return 'open';
      return this.readable ? 'readOnly' : 'writeOnly';
    },
  });

  Socket.prototype.connect = function (...args) {
    const [options, cb] = normalize(args);
    if (options.port === undefined || options.port === null) {
      throw Object.assign(new TypeError('The "options" or "port" or "path" argument must be specified'), { code: 'ERR_MISSING_ARGS' });
    }
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw Object.assign(new RangeError(`Port should be >= 0 and < 65536. Received ${options.port}.`), { code: 'ERR_SOCKET_BAD_PORT' });
    }
    const host = options.host === undefined || options.host === null || options.host === '' ? 'localhost' : String(options.host);
    if (cb) this.once(this._tls ? 'secureConnect' : 'connect', cb);
    if (options.timeout) this.setTimeout(options.timeout);
    this.connecting = true;
    this._host = host;
    this._handle = native.netConnect(host, port, this._tls, (ev, val) => this._onEvent(ev, val));
    return this;
  };

  Socket.prototype._onEvent = function (ev, val) {
    switch (ev) {
      case 'connect': {
        this.connecting = false;
        this.pending = false;
        Object.assign(this, {
          remoteAddress: val.remoteAddress, remotePort: val.remotePort, remoteFamily: val.remoteFamily,
          localAddress: val.localAddress, localPort: val.localPort, localFamily: val.localFamily,
        });
        if (this._tls) {
          this.encrypted = true;
          this.authorized = val.authorized;
          this.authorizationError = val.authorizationError;
          this.alpnProtocol = val.alpnProtocol || false;
          this._protocol = val.protocol;
          this._peerCert = val.cert;
        }
        this._touch();
        if (this._parent) { this.emit('secureConnect'); this._doWrite(); break; } // STARTTLS: connected already
        this.emit('connect');
        if (this._tls) this.emit('secureConnect');
        this.emit('ready');
        this._doWrite(); // writes made while connecting
        break;
      }
      case 'data': {
        const chunk = Buffer.from(val);
        this.bytesRead += chunk.length;
        this._touch();
        return this.push(chunk);
      }
      case 'end':
        this.push(null);
        break;
      case 'written': {
        const cb = this._written.shift();
        this._touch();
        if (cb) cb(val === undefined ? null : Object.assign(new Error(val), { code: 'EPIPE' }));
        break;
      }
      case 'error':
        this.connecting = false;
        this.destroy(val);
        break;
    }
  };

  Socket.prototype._read = function () { if (this._handle) this._handle.read(); };
  Socket.prototype._write = function (chunk, enc, cb) {
    if (!this._handle) {
      // Node queues writes made before connect; so does the handle (net.go), in order. A TLS
      // socket over a socket still connecting has no handle yet: its one write waits (_startTLS).
      if (this.connecting && this._parent) { this._pendingOp = () => this._write(chunk, enc, cb); return; }
      cb(new Error('This socket is closed'));
      return;
    }
    this._bytesWritten += chunk.length;
    this._written.push(cb);
    this._handle.write(chunk);
  };
  Socket.prototype._final = function (cb) {
    if (!this._handle && this.connecting && this._parent) { this._pendingOp = () => this._final(cb); return; }
    if (!this._handle) { cb(); return; }
    this._written.push((err) => cb(err && !this._rs.endEmitted ? err : null));
    this._handle.end();
  };
  Socket.prototype._destroy = function (err, cb) {
    if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    this.connecting = false;
    if (this._handle) this._handle.destroy();
    const pending = this._written;
    this._written = [];
    for (const w of pending) w(null); // the loop's callbacks for these are settled by net.go
    cb(err);
    // STARTTLS: the plain socket closes with the TLS socket over it, just before it (as in Node).
    if (this._parent) this._parent.destroy();
    nextTick(() => this.emit('close', !!err)); // after 'error', which cb's tick emits
  };
  Socket.prototype._touch = function () {
    if (!this._timeoutMs || this.destroyed) return;
    if (this._timer) clearTimeout(this._timer);
    this._timer = setTimeout(() => { this._timer = null; this.emit('timeout'); }, this._timeoutMs);
  };
  Socket.prototype.setTimeout = function (ms, cb) {
    this._timeoutMs = Number(ms) || 0;
    if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    if (cb) { if (this._timeoutMs) this.once('timeout', cb); else this.removeListener('timeout', cb); }
    if (this._timeoutMs) this._touch();
    return this;
  };
  Socket.prototype.setNoDelay = function (on = true) { if (this._handle) this._handle.setNoDelay(on); return this; };
  Socket.prototype.setKeepAlive = function (on = false, delay = 0) { if (this._handle) this._handle.setKeepAlive(on, delay); return this; };
  Socket.prototype.address = function () {
    return this.localAddress === undefined ? {} : { address: this.localAddress, family: this.localFamily, port: this.localPort };
  };
  Socket.prototype.ref = function () { return this; };
  Socket.prototype.unref = function () { return this; };
  Socket.prototype.resetAndDestroy = function () { return this.destroy(); };

  function connect(...args) {
    const [options] = normalize(args);
    const s = new Socket(options);
    return s.connect(...args);
  }

  function isIPv4(s) { return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(String(s)); }
  function isIPv6(s) {
    s = String(s);
    if (!/^[0-9a-fA-F:.]+(%.+)?$/.test(s) || !s.includes(':')) return false;
    try { return new URL(`http://[${s.split('%')[0]}]/`).hostname.length > 2; } catch { return false; }
  }
  function isIP(s) { return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0; }

  const net = {
    Socket, Stream: Socket, connect, createConnection: connect, isIP, isIPv4, isIPv6,
    createServer: notAvailable('net.createServer'), Server: notAvailable('net.Server'),
    BlockList: notAvailable('net.BlockList'), SocketAddress: notAvailable('net.SocketAddress'),
    getDefaultAutoSelectFamily: () => true, setDefaultAutoSelectFamily() {},
  };

  // ---- tls ----
  // new TLSSocket(socket, options) takes a connected (or connecting) net.Socket over; tls.connect
  // ({ socket }) then starts the handshake over its connection (STARTTLS, _startTLS).
  function TLSSocket(socket, options = {}) {
    if (socket !== undefined && socket !== null && !(socket instanceof Socket)) {
      throw new Error('tls.TLSSocket: only a net.Socket can be wrapped in actions');
    }
    Socket.call(this, options);
    this._tls = tlsOptions(options);
    this.encrypted = true;
    this.authorized = false;
    this.authorizationError = undefined;
    this._parent = socket || null;
  }
  Object.setPrototypeOf(TLSSocket.prototype, Socket.prototype);
  Object.setPrototypeOf(TLSSocket, Socket);
  TLSSocket.prototype.getPeerCertificate = function () { return this._peerCert ? { ...this._peerCert } : {}; };
  TLSSocket.prototype.getProtocol = function () { return this._protocol || null; };
  TLSSocket.prototype.getServername = function () { return this._tls.servername || null; };
  // _startTLS runs the handshake over the parent socket's connection once it is connected; as in
  // Node, the certificate is checked against servername, else host, else the host the socket
  // connected to, and the TLS socket emits 'secureConnect' only.
  TLSSocket.prototype._startTLS = function (options) {
    const parent = this._parent;
    const start = () => {
      if (this.destroyed) return;
      if (!parent._handle || parent.destroyed) { this.destroy(Object.assign(new Error('This socket is closed'), { code: 'ERR_SOCKET_CLOSED' })); return; }
      Object.assign(this, {
        remoteAddress: parent.remoteAddress, remotePort: parent.remotePort, remoteFamily: parent.remoteFamily,
        localAddress: parent.localAddress, localPort: parent.localPort, localFamily: parent.localFamily,
      });
      const host = this._tls.servername || (options.host ? String(options.host) : '') || parent._host || 'localhost';
      this._host = host;
      this.connecting = true;
      try {
        this._handle = parent._handle.upgrade(this._tls, host, (ev, val) => this._onEvent(ev, val));
      } catch (e) {
        this.destroy(e);
        return;
      }
      this.connecting = false; // as Node's over a connected socket: writes wait for the handshake
      const op = this._pendingOp;
      this._pendingOp = null;
      if (op) op();
    };
    this.pending = false;
    if (parent.connecting || (!parent._handle && !parent.destroyed)) { // Node's too waits for a connect to come
      this.connecting = true;
      parent.once('connect', start);
      parent.once('error', (e) => this.destroy(e));
    } else start();
    return this;
  };
  function tlsOptions(o) {
    const t = { rejectUnauthorized: o.rejectUnauthorized !== false };
    if (o.servername !== undefined) t.servername = String(o.servername);
    if (o.ca !== undefined && o.ca !== null) t.ca = Array.isArray(o.ca) ? o.ca : [o.ca];
    if (Array.isArray(o.ALPNProtocols)) t.ALPNProtocols = o.ALPNProtocols.map(String);
    if (o.cert || o.key || o.pfx) throw new Error('tls.connect: client certificates are not available to actions');
    return t;
  }
  function tlsConnect(...args) {
    let options, cb;
    if (args[0] !== null && typeof args[0] === 'object') { options = { ...args[0] }; cb = args[1]; }
    else {
      options = { port: args[0] };
      if (typeof args[1] === 'string') { options.host = args[1]; if (args[2] && typeof args[2] === 'object') { Object.assign(options, args[2]); cb = args[3]; } else cb = args[2]; }
      else if (args[1] && typeof args[1] === 'object') { Object.assign(options, args[1]); cb = args[2]; } else cb = args[1];
    }
    if (options.socket) {
      const s = new TLSSocket(options.socket, options);
      if (s._tls.servername === undefined && options.servername === undefined && options.host && !isIP(options.host)) s._tls.servername = String(options.host);
      if (cb) s.once('secureConnect', cb);
      return s._startTLS(options);
    }
    const s = new TLSSocket(null, options);
    if (s._tls.servername === undefined && options.host && !isIP(options.host)) s._tls.servername = String(options.host);
    return s.connect(options, cb);
  }
  const tls = {
    TLSSocket, connect: tlsConnect, DEFAULT_MIN_VERSION: 'TLSv1.2', DEFAULT_MAX_VERSION: 'TLSv1.3',
    DEFAULT_ECDH_CURVE: 'auto', rootCertificates: [],
    createServer: notAvailable('tls.createServer'), Server: notAvailable('tls.Server'),
    createSecureContext: notAvailable('tls.createSecureContext'), SecureContext: notAvailable('tls.SecureContext'),
    checkServerIdentity: () => undefined,
    getCiphers: () => ['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256'],
  };

  // ---- dns ----
  function lookup(hostname, options, cb) {
    if (typeof options === 'function') { cb = options; options = {}; }
    if (typeof cb !== 'function') throw invalidArg('The "callback" argument must be of type function');
    if (typeof options === 'number') options = { family: options };
    options = options || {};
    let family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family || 0);
    if (family !== 0 && family !== 4 && family !== 6) throw Object.assign(new TypeError(`The property 'options.family' must be one of: 0, 4, 6. Received ${options.family}`), { code: 'ERR_INVALID_ARG_VALUE' });
    if (typeof hostname !== 'string') throw invalidArg('The "hostname" argument must be of type string');
    const ipf = isIP(hostname);
    const answer = (list) => {
      if (options.all) cb(null, list.map(([address, family]) => ({ address, family })));
      else cb(null, list[0][0], list[0][1]);
    };
    if (ipf) { nextTick(answer, [[hostname, ipf]]); return {}; }
    if (!hostname) { nextTick(answer, [[family === 6 ? '::1' : '127.0.0.1', family === 6 ? 6 : 4]]); return {}; }
    native.dnsLookup(hostname, family, (err, list) => {
      if (!err && list.length === 0) err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
      if (err) { cb(err); return; }
      if (options.order === 'ipv4first' || options.verbatim === false) list.sort((a, b) => a[1] - b[1]);
      else if (options.order === 'ipv6first') list.sort((a, b) => b[1] - a[1]);
      answer(list);
    });
    return {};
  }
  const dnsPromises = {
    lookup: (hostname, options) => new Promise((resolve, reject) => {
      const all = options && typeof options === 'object' && options.all;
      lookup(hostname, options || {}, (err, address, family) => {
        if (err) reject(err); else resolve(all ? address : { address, family });
      });
    }),
  };
  const dnsOnly = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr',
    'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'setServers', 'lookupService', 'setDefaultResultOrder'];
  const dns = { lookup, promises: dnsPromises, getServers: () => [], getDefaultResultOrder: () => 'verbatim',
    ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256, NOTFOUND: 'ENOTFOUND' };
  for (const n of dnsOnly) {
    dns[n] = notAvailable(`dns.${n}`);
    dnsPromises[n] = notAvailable(`dns.promises.${n}`);
  }
  dnsPromises.getServers = () => [];
  dns.Resolver = notAvailable('dns.Resolver');
  dnsPromises.Resolver = notAvailable('dns.promises.Resolver');

  native.shared(Socket.prototype, TLSSocket.prototype);
  return { net, tls, dns };
})
