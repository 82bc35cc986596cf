// The Web platform globals a runtime makes on first use (web.go: LazyNames): Event, CustomEvent
// and EventTarget; Blob and File; FormData, which fetch sends as multipart/form-data as Node's
// undici does. It runs at most once per runtime, as a function of the natives web.go hands it;
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

  // ---- Event, CustomEvent, EventTarget ----
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  class Event {
    #type; #bubbles; #cancelable; #composed; #defaultPrevented = false; #timeStamp;
    #target = null; #currentTarget = null; #phase = NONE; #stop = false; #stopImmediate = false;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw argsError('Event', 1, 0);
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
        const e = new Error('The event is already being dispatched');
        e.name = 'InvalidStateError';
        e.code = 11;
        throw e;
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

  return { Event, CustomEvent, EventTarget, Blob, File, FormData };
})
