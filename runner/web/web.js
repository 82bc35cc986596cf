// The Web platform globals of a runtime, as Node has them: fetch and its Headers, Request,
// Response, AbortController and AbortSignal; TextEncoder and TextDecoder (UTF-8 only);
// structuredClone and queueMicrotask. It runs once per runtime, before any action or module code,
// as a function of the Go natives (web.go); nothing it defines is reachable from action code
// except what the runner installs as globals from its return value.
(function (native) {
  'use strict';
  // Captured now, so that code replacing these globals later does not change how fetch and
  // friends behave for modules.
  const { URL, URLSearchParams, setTimeout } = native;
  const JSON_ = { parse: JSON.parse, stringify: JSON.stringify };

  // ---- Headers ----
  function normName(name) {
    name = String(name);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new TypeError(`Headers: invalid header name ${JSON.stringify(name)}`);
    }
    return name.toLowerCase();
  }
  function normValue(v) { return String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''); }

  class Headers {
    #m = new Map(); // lower-case name -> [values]
    constructor(init) {
      if (init == null) return;
      if (init instanceof Headers) {
        init.forEach((v, k) => this.append(k, v));
      } else if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          if (pair.length !== 2) throw new TypeError('Headers: each header pair must be [name, value]');
          this.append(pair[0], pair[1]);
        }
      } else if (typeof init === 'object') {
        for (const k of Object.keys(init)) this.append(k, init[k]);
      } else {
        throw new TypeError('Headers: init must be an object, an array of pairs or Headers');
      }
    }
    append(name, value) {
      const k = normName(name), v = normValue(value);
      const cur = this.#m.get(k);
      if (cur) cur.push(v); else this.#m.set(k, [v]);
    }
    set(name, value) { this.#m.set(normName(name), [normValue(value)]); }
    get(name) {
      const v = this.#m.get(normName(name));
      return v === undefined ? null : v.join(', ');
    }
    getSetCookie() { return (this.#m.get('set-cookie') || []).slice(); }
    has(name) { return this.#m.has(normName(name)); }
    delete(name) { this.#m.delete(normName(name)); }
    forEach(cb, thisArg) {
      for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
    }
    *entries() {
      const keys = Array.from(this.#m.keys()).sort();
      for (const k of keys) yield [k, this.#m.get(k).join(', ')];
    }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return 'Headers'; }
  }

  // ---- bodies ----
  function toBytes(body) {
    if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
    return null;
  }
  // bodyInit turns a fetch/Response body into a string, bytes or null, and the content type it implies.
  // bodyHook is extra.js's, once it loaded: it takes a FormData or a Blob (no code can have made
  // one before). So is cloneHook (structuredClone).
  let bodyHook = null;
  function bodyInit(body) {
    if (body == null) return [null, null];
    if (typeof body === 'string') return [body, 'text/plain;charset=UTF-8'];
    if (body instanceof URLSearchParams) return [body.toString(), 'application/x-www-form-urlencoded;charset=UTF-8'];
    if (bodyHook !== null) {
      const r = bodyHook(body);
      if (r !== null) return r;
    }
    const b = toBytes(body);
    if (b) return [b, null];
    return [String(body), 'text/plain;charset=UTF-8'];
  }

  class Body {
    #body; // string | Uint8Array | null
    #used = false;
    constructor(body) { this.#body = body; }
    get bodyUsed() { return this.#used; }
    #take(what) {
      if (this.#used) return Promise.reject(new TypeError(`${what}: body used already`));
      this.#used = true;
      return Promise.resolve(this.#body);
    }
    text() {
      return this.#take('text').then((b) => b === null ? '' : typeof b === 'string' ? b : native.utf8Decode(b, false));
    }
    json() { return this.text().then((t) => JSON_.parse(t)); }
    arrayBuffer() {
      return this.#take('arrayBuffer').then((b) => {
        if (b === null) return new ArrayBuffer(0);
        if (typeof b === 'string') return native.utf8Encode(b);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      });
    }
    bytes() { return this.arrayBuffer().then((ab) => new Uint8Array(ab)); }
    // formData parses a multipart/form-data or application/x-www-form-urlencoded body, as
    // undici does (extra.js: parseForm).
    formData() {
      const type = this.headers && this.headers.get('content-type');
      return this.arrayBuffer().then((ab) => native.extras()._parseForm(new Uint8Array(ab), type || ''));
    }
    blob() {
      const type = this.headers && this.headers.get('content-type');
      return this.arrayBuffer().then((ab) => new (native.extras().Blob)([ab], { type: type || '' }));
    }
    _peek() { return this.#body; }
  }

  class Request extends Body {
    constructor(input, init = {}) {
      let url, method = 'GET', headers, body = null;
      if (input instanceof Request) {
        url = input.url; method = input.method; headers = new Headers(input.headers); body = input._peek();
      } else {
        url = String(input instanceof URL ? input.href : input);
      }
      const parsed = new URL(url);
      if (init.method !== undefined) method = String(init.method).toUpperCase();
      if (init.headers !== undefined) headers = new Headers(init.headers);
      if (!headers) headers = new Headers();
      if (init.body !== undefined) {
        const [b, ct] = bodyInit(init.body);
        body = b;
        if (ct && !headers.has('content-type')) headers.set('content-type', ct);
      }
      if (body !== null && (method === 'GET' || method === 'HEAD')) {
        throw new TypeError(`Request with ${method} method cannot have a body`);
      }
      super(body);
      this.url = parsed.href;
      this.method = method;
      this.headers = headers;
      this.redirect = init.redirect || 'follow';
      this.signal = init.signal || null;
      // Fetch's request attributes that Node has and that change nothing here.
      this.credentials = init.credentials || 'same-origin';
      this.cache = init.cache || 'default';
      this.mode = init.mode || 'cors';
    }
  }

  class Response extends Body {
    constructor(body = null, init = {}) {
      const headers = new Headers(init.headers);
      const [b, ct] = bodyInit(body);
      if (ct && !headers.has('content-type')) headers.set('content-type', ct);
      super(b);
      this.status = init.status === undefined ? 200 : init.status | 0;
      this.statusText = init.statusText === undefined ? '' : String(init.statusText); // fetch's come from the server
      this.headers = headers;
      this.url = init.url || '';
      this.redirected = !!init.redirected;
      this.type = 'default';
    }
    get ok() { return this.status >= 200 && this.status <= 299; }
    clone() {
      if (this.bodyUsed) throw new TypeError('Response.clone: body used already');
      return new Response(this._peek(), this);
    }
    static json(data, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      return new Response(JSON_.stringify(data), { ...init, headers });
    }
    static error() { const r = new Response(null, { status: 0 }); r.type = 'error'; return r; }
  }

  // ---- AbortController (fetch rejects when its signal aborts) ----
  // The listeners run in the order they were added; onabort is an event handler, whose place in
  // that order is where it was first set (as an EventTarget's).
  class AbortSignal {
    #listeners = []; // [{ fn, once }]; fn null for the onabort slot
    #onabort = null;
    aborted = false;
    reason = undefined;
    get onabort() { return this.#onabort; }
    set onabort(fn) {
      fn = typeof fn === 'function' || (fn !== null && typeof fn === 'object') ? fn : null;
      if (fn !== null && this.#onabort === null && !this.#listeners.some((l) => l.fn === null)) this.#listeners.push({ fn: null, once: false });
      this.#onabort = fn;
    }
    addEventListener(type, fn, options = undefined) {
      if (type !== 'abort' || fn == null || this.#listeners.some((l) => l.fn === fn)) return;
      this.#listeners.push({ fn, once: !!(options && typeof options === 'object' && options.once) });
    }
    removeEventListener(type, fn) { if (type === 'abort') this.#listeners = this.#listeners.filter((l) => l.fn !== fn || fn === null); }
    throwIfAborted() { if (this.aborted) throw this.reason; }
    _abort(reason) {
      if (this.aborted) return;
      this.aborted = true;
      this.reason = reason === undefined ? abortError('This operation was aborted') : reason;
      const ev = { type: 'abort', target: this };
      for (const l of this.#listeners.slice()) {
        if (l.once) this.#listeners = this.#listeners.filter((x) => x !== l);
        const fn = l.fn === null ? this.#onabort : l.fn;
        if (typeof fn === 'function') fn.call(this, ev);
        else if (fn !== null && typeof fn.handleEvent === 'function') fn.handleEvent(ev);
      }
    }
    static abort(reason) { const s = new AbortSignal(); s._abort(reason); return s; }
    static timeout(ms) {
      const s = new AbortSignal();
      setTimeout(() => s._abort(abortError('The operation timed out', 'TimeoutError')), ms);
      return s;
    }
    // any is a signal that aborts when the first of signals does, with its reason.
    static any(signals) {
      const s = new AbortSignal();
      const list = [...signals];
      for (const x of list) {
        if (!(x instanceof AbortSignal)) throw new TypeError('The "signals[0]" argument must be an instance of AbortSignal');
      }
      const done = list.find((x) => x.aborted);
      if (done) { s._abort(done.reason); return s; }
      for (const x of list) x.addEventListener('abort', () => s._abort(x.reason), { once: true });
      return s;
    }
  }
  class AbortController {
    signal = new AbortSignal();
    abort(reason) { this.signal._abort(reason); }
  }
  // A DOMException (extra.js's, which this loads on the first abort).
  function abortError(msg, name = 'AbortError') { return new (native.extras().DOMException)(msg, name); }

  // ---- fetch ----
  function fetch(input, init = undefined) {
    let req;
    try {
      req = new Request(input, init || {});
    } catch (e) {
      return Promise.reject(e);
    }
    const signal = req.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    const pairs = [];
    req.headers.forEach((v, k) => { pairs.push([k, v]); });
    const [raw, abort] = native.fetch(req.url, req.method, pairs, req._peek(), req.redirect);
    const p = raw.then((r) =>
      new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers, url: r.url, redirected: r.redirected }));
    if (!signal) return p;
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => { abort(); reject(signal.reason); });
      p.then(resolve, reject);
    });
  }

  // ---- TextEncoder / TextDecoder: UTF-8, UTF-16LE/BE and windows-1252 (as Node 20 decodes it:
  // each byte is its code point) under their WHATWG labels; streaming and ignoreBOM as Node's. ----
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(s = '') { return new Uint8Array(native.utf8Encode(String(s))); }
    // encodeInto writes the whole characters of s that fit into dest: read counts UTF-16 units.
    encodeInto(s, dest) {
      s = String(s);
      let read = 0, written = 0;
      while (read < s.length) {
        let c = s.codePointAt(read);
        const units = c > 0xffff ? 2 : 1;
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate
        const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (written + n > dest.length) break;
        if (n === 1) dest[written] = c;
        else if (n === 2) { dest[written] = 0xc0 | (c >> 6); dest[written + 1] = 0x80 | (c & 0x3f); }
        else if (n === 3) { dest[written] = 0xe0 | (c >> 12); dest[written + 1] = 0x80 | ((c >> 6) & 0x3f); dest[written + 2] = 0x80 | (c & 0x3f); }
        else { dest[written] = 0xf0 | (c >> 18); dest[written + 1] = 0x80 | ((c >> 12) & 0x3f); dest[written + 2] = 0x80 | ((c >> 6) & 0x3f); dest[written + 3] = 0x80 | (c & 0x3f); }
        read += units;
        written += n;
      }
      return { read, written };
    }
  }
  let encodingOf = null; // label -> encoding, made on first use
  function invalidData(encoding) {
    const e = new TypeError(`The encoded data was not valid for encoding ${encoding}`);
    e.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
    return e;
  }
  // utf8Incomplete is how many bytes at the end of b begin a UTF-8 sequence they do not finish.
  function utf8Incomplete(b) {
    for (let k = 1; k <= 3 && k <= b.length; k++) {
      const c = b[b.length - k];
      if ((c & 0xc0) === 0x80) continue;
      const need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 1;
      return need > k && c < 0xf5 ? k : 0;
    }
    return 0;
  }
  function utf16Decode(b, be, fatal, encoding) {
    let out = '';
    const units = [];
    for (let i = 0; i + 1 < b.length; i += 2) units.push(be ? (b[i] << 8) | b[i + 1] : b[i] | (b[i + 1] << 8));
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < units.length && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) { i++; continue; }
      if (u >= 0xd800 && u <= 0xdfff) {
        if (fatal) throw invalidData(encoding);
        units[i] = 0xfffd;
      }
    }
    for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode.apply(null, units.slice(i, i + 8192));
    return out;
  }
  class TextDecoder {
    #encoding; #fatal; #ignoreBOM; #pending = null; #started = false;
    constructor(label = 'utf-8', opts = undefined) {
      if (encodingOf === null) { // the WHATWG labels, made on first use
        const encodingLabels = {
          'utf-8': ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8'],
          'utf-16le': ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le'],
          'utf-16be': ['unicodefffe', 'utf-16be'],
          'windows-1252': ['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100', 'iso8859-1',
            'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252'],
        };
        encodingOf = new Map();
        for (const enc of Object.keys(encodingLabels)) for (const l of encodingLabels[enc]) encodingOf.set(l, enc);
      }
      const enc = encodingOf.get(String(label).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').toLowerCase());
      if (enc === undefined) {
        const e = new RangeError(`The "${label}" encoding is not supported`);
        e.code = 'ERR_ENCODING_NOT_SUPPORTED';
        throw e;
      }
      this.#encoding = enc;
      this.#fatal = !!(opts && opts.fatal);
      this.#ignoreBOM = !!(opts && opts.ignoreBOM);
    }
    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = undefined) {
      let b;
      if (input === undefined) b = new Uint8Array(0);
      else if (input instanceof ArrayBuffer) b = new Uint8Array(input);
      else if (ArrayBuffer.isView(input)) b = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      else throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.');
      const stream = !!(options && options.stream);
      if (this.#pending !== null) {
        const all = new Uint8Array(this.#pending.length + b.length);
        all.set(this.#pending); all.set(b, this.#pending.length);
        b = all;
        this.#pending = null;
      }
      const enc = this.#encoding;
      let keep = 0;
      if (stream) keep = enc === 'utf-8' ? utf8Incomplete(b) : enc === 'windows-1252' ? 0 : b.length % 2;
      if (keep > 0) { this.#pending = b.slice(b.length - keep); b = b.subarray(0, b.length - keep); }
      let out;
      if (enc === 'utf-8') {
        out = native.utf8Decode(b, this.#fatal, this.#ignoreBOM || this.#started);
        if (out === null) { this.#started = false; throw invalidData(enc); }
      } else if (enc === 'windows-1252') {
        out = '';
        for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
      } else {
        out = utf16Decode(b, enc === 'utf-16be', this.#fatal, enc);
        if (!stream && b.length % 2 === 1) {
          if (this.#fatal) throw invalidData(enc);
          out += '\ufffd';
        }
        if (!this.#ignoreBOM && !this.#started && out.charCodeAt(0) === 0xfeff) out = out.slice(1);
      }
      this.#started = stream && (this.#started || b.length > 0);
      return out;
    }
  }

  // ---- structuredClone, as V8's serializer: plain objects and arrays (own enumerable
  // properties, holes kept, getters read), boxed primitives, Date, RegExp, Map, Set, ArrayBuffer
  // (transfer detaches it), typed arrays and DataView (a buffer shared by views stays shared),
  // Error and its standard subclasses (name, message, stack, cause), and Blob and File (extra.js's
  // cloneHook). Anything else that is not plain data (functions, symbols, WeakMap, Promise, ...)
  // throws a DataCloneError. ----
  let cloneHook = null;
  const toTag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const uncloneable = { WeakMap: true, WeakSet: true, WeakRef: true, Promise: true, Generator: true, FinalizationRegistry: true };
  // The brand checks and constructors structuredClone uses, made on its first call: reading the
  // intrinsics they come from makes goja build them, which a runtime that never clones should not
  // pay for.
  let B = null;
  function brands() {
    const gopd = Object.getOwnPropertyDescriptor;
    const brandOf = (get) => (v) => { try { get.call(v); return true; } catch (e) { return false; } };
    B = {
      gopd,
      errorCtors: { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError },
      isDate: brandOf(Date.prototype.getTime),
      isRegExp: brandOf(gopd(RegExp.prototype, 'source').get),
      isMap: brandOf(gopd(Map.prototype, 'size').get),
      isSet: brandOf(gopd(Set.prototype, 'size').get),
      isArrayBuffer: brandOf(gopd(ArrayBuffer.prototype, 'byteLength').get),
      isDataView: brandOf(gopd(DataView.prototype, 'byteLength').get),
      taName: gopd(Object.getPrototypeOf(Uint8Array).prototype, Symbol.toStringTag).get,
      boxed: [Number.prototype.valueOf, String.prototype.valueOf, Boolean.prototype.valueOf, BigInt.prototype.valueOf],
    };
    return B;
  }
  function cloneError(msg) { return new (native.extras().DOMException)(msg, 'DataCloneError'); }
  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) {
      const e = new TypeError('The value argument must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    const { gopd, errorCtors, isDate, isRegExp, isMap, isSet, isArrayBuffer, isDataView, taName, boxed } = B || brands();
    const transfer = options != null && options.transfer != null ? [...options.transfer] : [];
    for (const t of transfer) {
      if (!isArrayBuffer(t)) throw cloneError('Value not transferable');
    }
    const seen = new Map();
    const clone = (v) => {
      if (typeof v === 'symbol') throw cloneError(`${String(v)} could not be cloned.`);
      if (typeof v === 'function') throw cloneError(`${Function.prototype.toString.call(v)} could not be cloned.`);
      if (v === null || typeof v !== 'object') return v;
      if (seen.has(v)) return seen.get(v);
      let out;
      if (Array.isArray(v)) {
        out = new Array(v.length);
        seen.set(v, out);
        for (const k of Object.keys(v)) out[k] = clone(v[k]);
        return out;
      }
      for (const valueOf of boxed) {
        try {
          const p = valueOf.call(v);
          out = Object(p);
          seen.set(v, out);
          return out;
        } catch (e) { /* not this box */ }
      }
      if (isDate(v)) out = new Date(v.getTime());
      else if (isRegExp(v)) out = new RegExp(v.source, v.flags);
      else if (isArrayBuffer(v)) out = v.slice(0);
      else if (taName.call(v) !== undefined || isDataView(v)) {
        const buf = clone(v.buffer);
        out = isDataView(v) ? new DataView(buf, v.byteOffset, v.byteLength) : new v.constructor(buf, v.byteOffset, v.length);
      } else if (isMap(v)) {
        out = new Map();
        seen.set(v, out);
        for (const [k, x] of v) out.set(clone(k), clone(x));
        return out;
      } else if (isSet(v)) {
        out = new Set();
        seen.set(v, out);
        for (const x of v) out.add(clone(x));
        return out;
      } else if (toTag(v) === 'Error' && !(Symbol.toStringTag in v)) {
        let proto = Object.getPrototypeOf(v), C = Error;
        while (proto !== null) {
          const ctor = gopd(proto, 'constructor');
          const name = ctor && typeof ctor.value === 'function' ? ctor.value.name : undefined;
          if (Object.prototype.hasOwnProperty.call(errorCtors, name) && errorCtors[name].prototype === proto) { C = errorCtors[name]; break; }
          proto = Object.getPrototypeOf(proto);
        }
        out = new C();
        seen.set(v, out);
        const m = gopd(v, 'message');
        if (m) Object.defineProperty(out, 'message', { value: String(v.message), writable: true, configurable: true });
        if (typeof v.stack === 'string') Object.defineProperty(out, 'stack', { value: v.stack, writable: true, configurable: true });
        if (gopd(v, 'cause')) Object.defineProperty(out, 'cause', { value: clone(v.cause), writable: true, configurable: true });
        return out;
      } else if (cloneHook !== null && cloneHook(v) !== null) {
        out = cloneHook(v); // a Blob or a File
      } else if (uncloneable[toTag(v)] === true) {
        throw cloneError(`#<${toTag(v)}> could not be cloned.`);
      }
      if (out !== undefined) { seen.set(v, out); return out; }
      out = {}; seen.set(v, out);
      for (const k of Object.keys(v)) out[k] = clone(v[k]);
      return out;
    };
    const result = clone(value);
    for (const t of transfer) native.detach(t);
    return result;
  }

  const queueMicrotask = (fn) => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    Promise.resolve().then(() => fn());
  };

  // Nothing here is frozen: as in Node, code may extend these (node-fetch 2's browser build sets
  // fetch.default). Where owners share a runtime, the engine freezes them (Globals.Freeze) before
  // its lockdown (runner/harden.go), and each module owner gets a fetch of its own
  // (runner/require.go).
  const freezeAll = () => {
    for (const C of [Headers, Body, Request, Response, AbortSignal, AbortController, TextEncoder, TextDecoder]) {
      Object.freeze(C.prototype);
      Object.freeze(C);
    }
    Object.freeze(fetch);
  };
  return {
    fetch, Headers, Request, Response, AbortController, AbortSignal, TextEncoder, TextDecoder,
    structuredClone, queueMicrotask,
    // not globals: extra.js's way in, and Globals.Freeze's
    _setHooks: (body, clone) => { bodyHook = body; cloneHook = clone; },
    _freeze: freezeAll,
  };
})
