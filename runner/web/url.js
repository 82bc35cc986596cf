// The WHATWG URL and URLSearchParams classes, as Node has them. Parsing, serialization and the
// setters are the Go WHATWG parser's (url.go): a URL keeps the parsed components that native
// returns ([href, protocol, username, password, hostname, port, pathname, search, hash]) and
// asks native again for each change; URLSearchParams parses and serializes its
// application/x-www-form-urlencoded list there too. As in Node, both keep their state in private
// fields, so their methods refuse any other object (a proxy of one included).
//
// One difference from Node, for speed: no method reads `arguments` (goja builds that object at
// every call, ~10x the cost of the call), so a missing argument is taken as undefined, as an
// explicit undefined is ("undefined"), where Node throws ERR_MISSING_ARGS.
(function (native) {
  'use strict';
  const { parse, set, canParse, origin: blobOrigin, usv: nativeUSV, formParse, formSerialize } = native;
  const TypeError_ = TypeError, Symbol_ = Symbol;
  const defineProperty = Object.defineProperty, getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys, isArray = Array.isArray;
  const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOSTNAME = 4, PORT = 5, PATHNAME = 6, SEARCH = 7, HASH = 8;

  function codeError(Ctor, code, msg) {
    const e = new Ctor(msg);
    e.code = code;
    return e;
  }
  // usv is WebIDL's USVString conversion: ToString (a Symbol throws), then lone surrogates to
  // U+FFFD (Go's view of the string does that; an ASCII string comes back as it is).
  function usv(v) {
    return nativeUSV(typeof v === 'string' ? v : `${v}`);
  }

  // The URL code reaches a URLSearchParams' private state through these (its static block sets
  // them); entries is the original URLSearchParams.prototype.entries.
  let setList, setContext, entries;

  class URLSearchParams {
    #list = []; // name, value, name, value, ...
    #context = null; // for the searchParams of a URL: sets the URL's query
    static {
      setList = (sp, list) => { sp.#list = list; };
      setContext = (sp, f) => { sp.#context = f; };
    }
    static #check(o) {
      if (typeof o !== 'object' || o === null || !(#list in o)) {
        throw codeError(TypeError_, 'ERR_INVALID_THIS', 'Value of "this" must be of type URLSearchParams');
      }
    }
    // #update tells the URL this belongs to, if any, that the list changed.
    #update() {
      if (this.#context !== null) this.#context(formSerialize(this.#list));
    }
    constructor(init = undefined) {
      if (init === undefined || init === null) return;
      if (typeof init === 'object' || typeof init === 'function') {
        const method = init[Symbol_.iterator];
        if (method === entries && #list in init) {
          this.#list = init.#list.slice();
        } else if (method !== undefined && method !== null) {
          if (typeof method !== 'function') throw codeError(TypeError_, 'ERR_ARG_NOT_ITERABLE', 'Query pairs must be iterable');
          for (const pair of init) {
            if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null || typeof pair[Symbol_.iterator] !== 'function') {
              throw codeError(TypeError_, 'ERR_INVALID_TUPLE', 'Each query pair must be an iterable [name, value] tuple');
            }
            const kv = isArray(pair) ? pair : [...pair];
            if (kv.length !== 2) throw codeError(TypeError_, 'ERR_INVALID_TUPLE', 'Each query pair must be an iterable [name, value] tuple');
            this.#list.push(usv(kv[0]), usv(kv[1]));
          }
        } else {
          const keys = ownKeys(init);
          for (let i = 0; i < keys.length; i++) {
            const k = keys[i];
            if (typeof k !== 'string') continue;
            const d = getOwnPropertyDescriptor(init, k);
            if (d !== undefined && d.enumerable) this.#list.push(usv(k), usv(init[k]));
          }
        }
        return;
      }
      let s = usv(init);
      if (s[0] === '?') s = s.slice(1);
      this.#list = formParse(s);
    }
    get size() {
      URLSearchParams.#check(this);
      return this.#list.length / 2;
    }
    append(name, value) {
      URLSearchParams.#check(this);
      this.#list.push(usv(name), usv(value));
      this.#update();
    }
    delete(name, value = undefined) {
      URLSearchParams.#check(this);
      const list = this.#list;
      name = usv(name);
      if (value !== undefined) value = usv(value);
      for (let i = 0; i < list.length;) {
        if (list[i] === name && (value === undefined || list[i + 1] === value)) list.splice(i, 2);
        else i += 2;
      }
      this.#update();
    }
    get(name) {
      URLSearchParams.#check(this);
      const list = this.#list;
      name = usv(name);
      for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
      return null;
    }
    getAll(name) {
      URLSearchParams.#check(this);
      const list = this.#list, out = [];
      name = usv(name);
      for (let i = 0; i < list.length; i += 2) if (list[i] === name) out.push(list[i + 1]);
      return out;
    }
    has(name, value = undefined) {
      URLSearchParams.#check(this);
      const list = this.#list;
      name = usv(name);
      if (value !== undefined) value = usv(value);
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === name && (value === undefined || list[i + 1] === value)) return true;
      }
      return false;
    }
    set(name, value) {
      URLSearchParams.#check(this);
      const list = this.#list;
      name = usv(name);
      value = usv(value);
      let found = false;
      for (let i = 0; i < list.length;) {
        if (list[i] !== name) { i += 2; continue; }
        if (found) { list.splice(i, 2); continue; }
        list[i + 1] = value;
        found = true;
        i += 2;
      }
      if (!found) list.push(name, value);
      this.#update();
    }
    sort() {
      URLSearchParams.#check(this);
      const list = this.#list, pairs = [];
      for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1], i]);
      // By UTF-16 code units, stable.
      pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[2] - b[2]);
      for (let i = 0; i < pairs.length; i++) {
        list[2 * i] = pairs[i][0];
        list[2 * i + 1] = pairs[i][1];
      }
      this.#update();
    }
    // The iterators read the live list, as Node's do.
    *entries() {
      URLSearchParams.#check(this);
      for (let i = 0; i < this.#list.length; i += 2) yield [this.#list[i], this.#list[i + 1]];
    }
    forEach(callback, thisArg = undefined) {
      URLSearchParams.#check(this);
      if (typeof callback !== 'function') {
        throw codeError(TypeError_, 'ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function');
      }
      for (let i = 0; i < this.#list.length; i += 2) {
        const list = this.#list;
        callback.call(thisArg, list[i + 1], list[i], this);
      }
    }
    *keys() {
      URLSearchParams.#check(this);
      for (let i = 0; i < this.#list.length; i += 2) yield this.#list[i];
    }
    *values() {
      URLSearchParams.#check(this);
      for (let i = 0; i < this.#list.length; i += 2) yield this.#list[i + 1];
    }
    toString() {
      URLSearchParams.#check(this);
      return formSerialize(this.#list);
    }
  }
  const spProto = URLSearchParams.prototype;
  entries = spProto.entries;
  defineProperty(spProto, Symbol_.iterator, { value: spProto.entries, writable: true, configurable: true });
  defineProperty(spProto, Symbol_.toStringTag, { value: 'URLSearchParams', configurable: true });
  for (const m of ['entries', 'keys', 'values']) {
    defineProperty(spProto[m].prototype, Symbol_.toStringTag, { value: 'URLSearchParams Iterator', configurable: true });
  }

  const specialOrigin = { 'http:': true, 'https:': true, 'ws:': true, 'wss:': true, 'ftp:': true };

  class URL {
    #c;
    #sp = null;
    constructor(input, base = undefined) {
      // (Go's view of a string turns lone surrogates into U+FFFD, as USVString conversion does.)
      this.#c = base === undefined ? parse(`${input}`) : parse(`${input}`, `${base}`);
    }
    #set(name, value) {
      this.#c = set(this.#c[HREF], name, `${value}`);
    }
    // #reset gives the searchParams object, if made, the list of query q.
    #reset(q) {
      if (this.#sp !== null) setList(this.#sp, formParse(q));
    }
    toString() { return this.#c[HREF]; }
    get href() { return this.#c[HREF]; }
    set href(v) {
      this.#c = parse(`${v}`);
      this.#reset(this.#c[SEARCH].slice(1));
    }
    get origin() {
      const c = this.#c;
      if (specialOrigin[c[PROTOCOL]] === true) return c[PROTOCOL] + '//' + c[HOSTNAME] + (c[PORT] === '' ? '' : ':' + c[PORT]);
      if (c[PROTOCOL] === 'blob:') return blobOrigin(c[PATHNAME]);
      return 'null';
    }
    get protocol() { return this.#c[PROTOCOL]; }
    set protocol(v) { this.#set('protocol', v); }
    get username() { return this.#c[USERNAME]; }
    set username(v) { this.#set('username', v); }
    get password() { return this.#c[PASSWORD]; }
    set password(v) { this.#set('password', v); }
    get host() {
      const c = this.#c;
      return c[PORT] === '' ? c[HOSTNAME] : c[HOSTNAME] + ':' + c[PORT];
    }
    set host(v) { this.#set('host', v); }
    get hostname() { return this.#c[HOSTNAME]; }
    set hostname(v) { this.#set('hostname', v); }
    get port() { return this.#c[PORT]; }
    set port(v) { this.#set('port', v); }
    get pathname() { return this.#c[PATHNAME]; }
    set pathname(v) { this.#set('pathname', v); }
    get search() { return this.#c[SEARCH]; }
    set search(v) {
      const s = usv(v);
      this.#c = set(this.#c[HREF], 'search', s);
      this.#reset(s[0] === '?' ? s.slice(1) : s);
    }
    get searchParams() {
      if (this.#sp === null) {
        const sp = new URLSearchParams();
        setList(sp, formParse(this.#c[SEARCH].slice(1)));
        // The query's update steps (an empty list makes the query null).
        setContext(sp, (q) => { this.#c = set(this.#c[HREF], 'search', q); });
        this.#sp = sp;
      }
      return this.#sp;
    }
    get hash() { return this.#c[HASH]; }
    set hash(v) { this.#set('hash', v); }
    toJSON() { return this.#c[HREF]; }
    static canParse(url, base = undefined) {
      return base === undefined ? canParse(`${url}`) : canParse(`${url}`, `${base}`);
    }
    static parse(url, base = undefined) {
      if (!(base === undefined ? canParse(`${url}`) : canParse(`${url}`, `${base}`))) return null;
      return new URL(url, base);
    }
  }
  // As in Node, the accessors and methods are enumerable.
  const proto = URL.prototype;
  for (const k of ['toString', 'href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'searchParams', 'hash', 'toJSON']) {
    defineProperty(proto, k, { enumerable: true });
  }
  defineProperty(proto, Symbol_.toStringTag, { value: 'URL', configurable: true });
  for (const k of ['append', 'delete', 'get', 'getAll', 'has', 'set', 'size', 'sort', 'entries', 'forEach', 'keys', 'values', 'toString']) {
    defineProperty(spProto, k, { enumerable: true });
  }
  return { URL, URLSearchParams };
})
