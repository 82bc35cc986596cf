// The Web platform globals a runtime makes on first use (web.go: LazyNames): DOMException;
// Event, CustomEvent and EventTarget; Blob and File; FormData, which fetch sends as
// multipart/form-data as Node's undici does (and Response.formData parses back). It runs at most once per runtime, as a function of the natives web.go hands it;
// nothing it defines is reachable from action code except through its return value.
(function (native) {
  'use strict';
  const { utf8Encode, setHooks, random } = native;
  const nextTick = native.nextTick || ((f) => { Promise.resolve().then(f); });
  const kPrivate = Symbol('private constructor');
  function argsError(where, need, got) {
    return new TypeError(`${where}: ${need} argument${need === 1 ? '' : 's'} required, but only ${got} found.`);
  }
  function webidlError(where, what) {
    const e = new TypeError(`${where}: ${what}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  // ---- DOMException, as Node's (lib/internal/per_context/domexception.js): name, message and
  // code are getters of the prototype, which inherits Error.prototype; the instance has a stack.
  const domCodes = {
    IndexSizeError: 1, DOMStringSizeError: 2, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoDataAllowedError: 6, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15, ValidationError: 16,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
    QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const domConstants = ['INDEX_SIZE_ERR', 'DOMSTRING_SIZE_ERR', 'HIERARCHY_REQUEST_ERR', 'WRONG_DOCUMENT_ERR',
    'INVALID_CHARACTER_ERR', 'NO_DATA_ALLOWED_ERR', 'NO_MODIFICATION_ALLOWED_ERR', 'NOT_FOUND_ERR', 'NOT_SUPPORTED_ERR',
    'INUSE_ATTRIBUTE_ERR', 'INVALID_STATE_ERR', 'SYNTAX_ERR', 'INVALID_MODIFICATION_ERR', 'NAMESPACE_ERR',
    'INVALID_ACCESS_ERR', 'VALIDATION_ERR', 'TYPE_MISMATCH_ERR', 'SECURITY_ERR', 'NETWORK_ERR', 'ABORT_ERR',
    'URL_MISMATCH_ERR', 'QUOTA_EXCEEDED_ERR', 'TIMEOUT_ERR', 'INVALID_NODE_TYPE_ERR', 'DATA_CLONE_ERR'];
  const domState = new WeakMap(); // DOMException -> { name, message }
  class DOMException {
    constructor(message = '', options = 'Error') {
      const hasOptions = options !== null && typeof options === 'object';
      const name = hasOptions ? ('name' in options ? `${options.name}` : 'Error') : `${options}`;
      message = `${message}`;
      domState.set(this, { name, message });
      // The stack of an Error made here, its first line as Node's ("<name>: <message>").
      const stack = `${new Error(message).stack}`;
      const at = stack.indexOf('\n');
      Object.defineProperty(this, 'stack', { value: `${name}: ${message}${at < 0 ? '' : stack.slice(at)}`, writable: true, configurable: true });
      if (hasOptions && 'cause' in options) Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
    }
    get name() { return domState.get(this).name; }
    get message() { return domState.get(this).message; }
    get code() { const c = domCodes[domState.get(this).name]; return c === undefined ? 0 : c; }
    get [Symbol.toStringTag]() { return 'DOMException'; }
  }
  Object.setPrototypeOf(DOMException.prototype, Error.prototype);
  for (let i = 0; i < domConstants.length; i++) {
    Object.defineProperty(DOMException, domConstants[i], { value: i + 1, enumerable: true });
    Object.defineProperty(DOMException.prototype, domConstants[i], { value: i + 1, enumerable: true });
  }

  // ---- Event, CustomEvent, EventTarget ----
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  class Event {
    #type; #bubbles; #cancelable; #composed; #defaultPrevented = false; #timeStamp;
    #target = null; #currentTarget = null; #phase = NONE; #stop = false; #stopImmediate = false;
    constructor(type, options = undefined) {
      if (arguments.length === 0) {
        const e = new TypeError('The "type" argument must be specified');
        e.code = 'ERR_MISSING_ARGS';
        throw e;
      }
      this.#type = `${type}`;
      const o = options == null ? {} : options;
      this.#bubbles = !!o.bubbles;
      this.#cancelable = !!o.cancelable;
      this.#composed = !!o.composed;
      this.#timeStamp = native.now();
    }
    static _dispatchState(e) { return e.#state(); }
    #state() {
      return {
        begin: (target) => { this.#target = target; this.#currentTarget = target; this.#phase = AT_TARGET; },
        end: () => { this.#currentTarget = null; this.#phase = NONE; },
        stopped: () => this.#stopImmediate,
      };
    }
    get isTrusted() { return false; }
    get type() { return this.#type; }
    get target() { return this.#target; }
    get currentTarget() { return this.#currentTarget; }
    get srcElement() { return this.#target; }
    get bubbles() { return this.#bubbles; }
    get cancelable() { return this.#cancelable; }
    get composed() { return this.#composed; }
    get defaultPrevented() { return this.#cancelable && this.#defaultPrevented; }
    get timeStamp() { return this.#timeStamp; }
    get eventPhase() { return this.#phase; }
    get returnValue() { return !this.defaultPrevented; }
    set returnValue(v) { if (!v) this.preventDefault(); }
    get cancelBubble() { return this.#stop; }
    set cancelBubble(v) { if (v) this.#stop = true; }
    composedPath() { return this.#phase === NONE ? [] : [this.#currentTarget]; }
    preventDefault() { this.#defaultPrevented = true; }
    stopPropagation() { this.#stop = true; }
    stopImmediatePropagation() { this.#stop = true; this.#stopImmediate = true; }
    initEvent(type, bubbles = false, cancelable = false) {
      if (this.#phase !== NONE) return;
      this.#type = `${type}`; this.#bubbles = !!bubbles; this.#cancelable = !!cancelable;
    }
    get [Symbol.toStringTag]() { return 'Event'; }
  }
  for (const [k, v] of Object.entries({ NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE })) {
    Object.defineProperty(Event, k, { value: v, enumerable: true });
  }
  const dispatchState = Event._dispatchState;
  delete Event._dispatchState;

  class CustomEvent extends Event {
    #detail;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw argsError('CustomEvent', 1, 0);
      super(type, options);
      this.#detail = options == null || options.detail === undefined ? null : options.detail;
    }
    get detail() { return this.#detail; }
    get [Symbol.toStringTag]() { return 'CustomEvent'; }
  }

  class EventTarget {
    #listeners = new Map(); // type -> [{ listener, capture, once, removed }]
    addEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw argsError('EventTarget.addEventListener', 2, arguments.length);
      if (listener == null) return;
      const o = typeof options === 'boolean' ? { capture: options } : (options || {});
      // (passive is not honoured: Node 20 lets a passive listener prevent the default.)
      const capture = !!o.capture, once = !!o.once, signal = o.signal;
      if (signal && signal.aborted) return;
      type = `${type}`;
      let list = this.#listeners.get(type);
      if (!list) this.#listeners.set(type, list = []);
      if (list.some((l) => l.listener === listener && l.capture === capture)) return;
      const entry = { listener, capture, once, removed: false };
      list.push(entry);
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener, { capture }), { once: true });
    }
    removeEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw argsError('EventTarget.removeEventListener', 2, arguments.length);
      const capture = typeof options === 'boolean' ? options : !!(options && options.capture);
      const list = this.#listeners.get(`${type}`);
      if (!list) return;
      const i = list.findIndex((l) => l.listener === listener && l.capture === capture);
      if (i >= 0) { list[i].removed = true; list.splice(i, 1); }
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) throw webidlError('EventTarget.dispatchEvent', 'Argument 1 must be an Event');
      const st = dispatchState(event);
      if (event.eventPhase !== NONE) {
        throw new DOMException('The event is already being dispatched', 'InvalidStateError');
      }
      st.begin(this);
      const list = (this.#listeners.get(event.type) || []).slice();
      for (const l of list) {
        if (l.removed) continue;
        if (l.once) this.removeEventListener(event.type, l.listener, { capture: l.capture });
        try {
          if (typeof l.listener === 'function') l.listener.call(this, event);
          else if (l.listener && typeof l.listener.handleEvent === 'function') l.listener.handleEvent(event);
        } catch (err) {
          // As in Node: an error in a listener does not stop the dispatch; it is thrown later.
          nextTick(() => { throw err; });
        }
        if (st.stopped()) break;
      }
      st.end();
      return !event.defaultPrevented;
    }
    get [Symbol.toStringTag]() { return 'EventTarget'; }
  }

  // ---- Blob, File ----
  const blobBytes = new WeakMap(); // Blob -> Uint8Array (never handed out: copies are)
  function partBytes(p) {
    if (p instanceof ArrayBuffer) return new Uint8Array(p.slice(0));
    if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
    if (blobBytes.has(p)) return blobBytes.get(p);
    return new Uint8Array(utf8Encode(`${p}`));
  }
  function normalizeType(t) {
    t = `${t}`;
    return /^[\x20-\x7E]*$/.test(t) ? t.toLowerCase() : '';
  }
  class Blob {
    #type;
    constructor(parts = [], options = undefined) {
      if (parts === null || (typeof parts !== 'object' && typeof parts !== 'function') || typeof parts[Symbol.iterator] !== 'function') {
        throw webidlError('Blob constructor', "The provided value cannot be converted to a sequence.");
      }
      const chunks = [];
      let n = 0;
      for (const p of parts) {
        const b = partBytes(p);
        chunks.push(b);
        n += b.length;
      }
      const all = new Uint8Array(n);
      let off = 0;
      for (const c of chunks) { all.set(c, off); off += c.length; }
      blobBytes.set(this, all);
      this.#type = options == null || options.type === undefined ? '' : normalizeType(options.type);
    }
    get size() { return blobBytes.get(this).length; }
    get type() { return this.#type; }
    slice(start = 0, end = undefined, type = '') {
      const b = blobBytes.get(this);
      const out = new Blob([b.subarray(relIndex(start, b.length), end === undefined ? b.length : relIndex(end, b.length))], { type });
      return out;
    }
    arrayBuffer() {
      const b = blobBytes.get(this);
      return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    }
    bytes() { return this.arrayBuffer().then((ab) => new Uint8Array(ab)); }
    text() { return Promise.resolve(native.utf8Decode(blobBytes.get(this), false)); }
    stream() { throw new TypeError('Blob.stream: ReadableStream is not available to actions'); }
    get [Symbol.toStringTag]() { return 'Blob'; }
  }
  function relIndex(i, len) {
    i = Math.trunc(Number(i)) || 0;
    return i < 0 ? Math.max(len + i, 0) : Math.min(i, len);
  }
  class File extends Blob {
    #name; #lastModified;
    constructor(bits, name, options = undefined) {
      if (arguments.length < 2) throw argsError('File constructor', 2, arguments.length);
      super(bits, options);
      this.#name = `${name}`;
      this.#lastModified = options != null && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
    get [Symbol.toStringTag]() { return 'File'; }
  }

  // ---- FormData ----
  const isBlob = (v) => v !== null && typeof v === 'object' && blobBytes.has(v);
  function entryValue(value, filename) {
    if (!isBlob(value)) return `${value}`;
    if (value instanceof File && filename === undefined) return value;
    const f = new File([value], filename === undefined ? 'blob' : `${filename}`, { type: value.type, lastModified: value instanceof File ? value.lastModified : undefined });
    return f;
  }
  const formLists = new WeakMap(); // FormData -> [[name, value], ...]
  class FormData {
    constructor(form = undefined) {
      if (form !== undefined) throw new TypeError('FormData constructor: Argument 1 could not be converted to: undefined.');
      formLists.set(this, []);
    }
    append(name, value, filename = undefined) {
      if (arguments.length < 2) throw argsError('FormData.append', 2, arguments.length);
      if (arguments.length === 3 && !isBlob(value)) throw new TypeError("Failed to execute 'append' on 'FormData': parameter 2 is not of type 'Blob'");
      formLists.get(this).push([`${name}`, entryValue(value, filename)]);
    }
    set(name, value, filename = undefined) {
      if (arguments.length < 2) throw argsError('FormData.set', 2, arguments.length);
      if (arguments.length === 3 && !isBlob(value)) throw new TypeError("Failed to execute 'set' on 'FormData': parameter 2 is not of type 'Blob'");
      const list = formLists.get(this);
      name = `${name}`;
      const entry = [name, entryValue(value, filename)];
      const i = list.findIndex((e) => e[0] === name);
      if (i < 0) { list.push(entry); return; }
      list[i] = entry;
      for (let j = list.length - 1; j > i; j--) if (list[j][0] === name) list.splice(j, 1);
    }
    delete(name) {
      if (arguments.length < 1) throw argsError('FormData.delete', 1, 0);
      name = `${name}`;
      formLists.set(this, formLists.get(this).filter((e) => e[0] !== name));
    }
    get(name) {
      if (arguments.length < 1) throw argsError('FormData.get', 1, 0);
      const e = formLists.get(this).find((x) => x[0] === `${name}`);
      return e === undefined ? null : e[1];
    }
    getAll(name) {
      if (arguments.length < 1) throw argsError('FormData.getAll', 1, 0);
      return formLists.get(this).filter((x) => x[0] === `${name}`).map((x) => x[1]);
    }
    has(name) {
      if (arguments.length < 1) throw argsError('FormData.has', 1, 0);
      return formLists.get(this).some((x) => x[0] === `${name}`);
    }
    *entries() { const list = formLists.get(this); for (let i = 0; i < list.length; i++) yield [list[i][0], list[i][1]]; }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
      for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
    }
    get [Symbol.toStringTag]() { return 'FormData'; }
  }
  Object.defineProperty(FormData.prototype, Symbol.iterator, { value: FormData.prototype.entries, writable: true, configurable: true });

  // multipart is the multipart/form-data body of fd as undici makes it: [bytes, content type].
  function multipart(fd) {
    const boundary = `----formdata-undici-0${`${random()}`.padStart(11, '0')}`;
    const esc = (s) => s.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
    const lines = (s) => s.replace(/\r\n|\r|\n/g, '\r\n');
    const chunks = [];
    let n = 0;
    const add = (b) => { chunks.push(b); n += b.length; };
    const text = (s) => add(new Uint8Array(utf8Encode(s)));
    for (const [name, value] of formLists.get(fd)) {
      if (typeof value === 'string') {
        text(`--${boundary}\r\nContent-Disposition: form-data; name="${esc(lines(name))}"\r\n\r\n${lines(value)}\r\n`);
      } else {
        text(`--${boundary}\r\nContent-Disposition: form-data; name="${esc(lines(name))}"; filename="${esc(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`);
        add(blobBytes.get(value));
        text('\r\n');
      }
    }
    text(`--${boundary}--\r\n`);
    const all = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) { all.set(c, off); off += c.length; }
    return [all, `multipart/form-data; boundary=${boundary}`];
  }
  // parseForm is Response/Request.formData of body (bytes) with content type type, as undici's:
  // multipart/form-data (its files as Files) or application/x-www-form-urlencoded.
  function parseForm(body, type) {
    const fd = new FormData();
    const mime = type.split(';')[0].trim().toLowerCase();
    if (mime === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new native.URLSearchParams(native.utf8Decode(body, false))) fd.append(k, v);
      return fd;
    }
    const m = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(type);
    if (mime !== 'multipart/form-data' || m === null) throw new TypeError('Response.formData: Could not parse content as FormData.');
    const bad = () => new TypeError('Failed to parse body as FormData.');
    const delim = new Uint8Array(utf8Encode(`--${m[1] !== undefined ? m[1] : m[2]}`));
    const find = (from, needle) => {
      outer: for (let i = from; i + needle.length <= body.length; i++) {
        for (let j = 0; j < needle.length; j++) if (body[i + j] !== needle[j]) continue outer;
        return i;
      }
      return -1;
    };
    const crlf2 = new Uint8Array([13, 10, 13, 10]);
    let at = find(0, delim);
    if (at < 0) throw bad();
    for (;;) {
      at += delim.length;
      if (body[at] === 0x2d && body[at + 1] === 0x2d) return fd; // the closing delimiter
      if (body[at] !== 13 || body[at + 1] !== 10) throw bad();
      const headEnd = find(at + 2, crlf2);
      if (headEnd < 0) throw bad();
      const head = native.utf8Decode(body.subarray(at + 2, headEnd), false);
      const next = find(headEnd + 4, delim);
      if (next < 0) throw bad();
      const content = body.subarray(headEnd + 4, next - 2); // less the CRLF before the delimiter
      let name = null, filename = null, ctype = '';
      for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const key = line.slice(0, i).trim().toLowerCase(), value = line.slice(i + 1).trim();
        if (key === 'content-type') ctype = value;
        if (key !== 'content-disposition') continue;
        const n = /(?:^|;)\s*name="([^"]*)"/i.exec(value), f = /;\s*filename="([^"]*)"/i.exec(value);
        if (n) name = n[1];
        if (f) filename = f[1];
      }
      if (name === null) throw bad();
      if (filename !== null) fd.append(name, new File([content], filename, { type: ctype }));
      else fd.append(name, native.utf8Decode(content, false));
      at = next;
    }
  }

  // fetch's bodies (web.js: bodyInit): a FormData as multipart, a Blob as its bytes and type;
  // structuredClone's Blobs and Files.
  setHooks((body) => {
    if (body === null || typeof body !== 'object') return null;
    if (formLists.has(body)) return multipart(body);
    if (blobBytes.has(body)) return [blobBytes.get(body).slice(), body.type || null];
    return null;
  }, (v) => {
    if (!blobBytes.has(v)) return null;
    const bytes = blobBytes.get(v);
    return v instanceof File ? new File([bytes], v.name, { type: v.type, lastModified: v.lastModified }) : new Blob([bytes], { type: v.type });
  });

  return { DOMException, Event, CustomEvent, EventTarget, Blob, File, FormData, _parseForm: parseForm };
})
