// The escape corpus: the routes by which an action tries to get at the secret of a module it pins,
// one per "//// name" line, each the body of a function that action.js runs at its top level or
// in its handler before it calls the module (in strict mode, unless the name ends in "(sloppy)").
// The helpers (steal, attempt, wrap, spy, hookAll, hookProto, probe, victim, ARG) are described
// at the top of action.js. A new route is a new section here; escape_test.go runs it in both places.

//// global bindings replaced by spies
for (const k of Reflect.ownKeys(globalThis)) {
  if (k === 'globalThis' || k === 'global') continue;
  let v;
  try { v = globalThis[k]; } catch (e) { continue; }
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) continue; // NaN, undefined, the reserved names
  attempt('assign global ' + String(k), () => { globalThis[k] = spy(v, 'global ' + String(k)); });
}

//// global bindings redefined and deleted
for (const k of Reflect.ownKeys(globalThis)) {
  if (k === 'globalThis' || k === 'global') continue;
  let v;
  try { v = globalThis[k]; } catch (e) { continue; }
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) continue; // NaN, undefined, the reserved names
  attempt('define global ' + String(k), () => { Object.defineProperty(globalThis, k, { value: spy(v, 'global ' + String(k)) }); });
  attempt('delete global ' + String(k), () => { delete globalThis[k]; });
  attempt('re-add global ' + String(k), () => { globalThis[k] = spy(v, 'global ' + String(k)); });
}

//// globals that dependencies feature-detect added
class XHR { open(...a) { steal('xhr open', a); } setRequestHeader(...a) { steal('xhr header', a); } send(b) { steal('xhr send', b); } }
class Channel { constructor() { this.port1 = {}; this.port2 = { postMessage: (v) => { steal('MessageChannel', v); if (this.port1.onmessage) this.port1.onmessage({ data: v }); } }; } }
class StealingBlob { constructor(parts) { steal('Blob', parts); this.parts = parts; } async text() { return this.parts.join(''); } }
const additions = {
  XMLHttpRequest: XHR, MessageChannel: Channel, Blob: StealingBlob, FormData: class { append(...a) { steal('FormData', a); } },
  WeakRef: class { constructor(t) { steal('WeakRef', t); this.t = t; } deref() { return this.t; } },
  navigator: { sendBeacon: (...a) => { steal('sendBeacon', a); return true; }, userAgent: 'x' },
  window: { fetch: (...a) => { steal('window.fetch', a); } }, self: { postMessage: (v) => steal('self.postMessage', v) },
  document: {}, location: { href: 'https://x.example/' }, importScripts: () => {}, Deno: {}, Bun: {},
  ReadableStream: class { constructor(src) { steal('ReadableStream', src); } }, EventSource: class {}, WebSocket: class { send(v) { steal('ws', v); } },
  actions: { secrets: new Proxy({}, { get(t, k) { steal('global actions.secrets.' + String(k)); return undefined; } }) },
  module: { exports: {} }, require: (n) => { steal('global require', n); }, exports: {},
};
for (const [k, v] of Object.entries(additions)) {
  attempt('add global ' + k, () => { globalThis[k] = v; });
  attempt('define global ' + k, () => { Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true }); });
}

//// the global object's prototype replaced
const handler = {
  get(t, k, r) {
    if (k === 'Blob') return class { constructor(p) { steal('proto Blob', p); this.p = p; } async text() { return this.p.join(''); } };
    if (k === 'MessageChannel') return class { constructor() { this.port1 = {}; this.port2 = { postMessage: (v) => { steal('proto MessageChannel', v); this.port1.onmessage(); } }; } };
    return Reflect.get(t, k, r);
  },
  has(t, k) { return k === 'Blob' || k === 'MessageChannel' || Reflect.has(t, k); },
  set(t, k, v, r) { steal('global proto-set ' + String(k), v); return Reflect.defineProperty(r, k, { value: v, writable: true, enumerable: true, configurable: true }); },
};
const parent = Object.getPrototypeOf(globalThis);
attempt('__proto__ of globalThis', () => { globalThis.__proto__ = new Proxy(parent, handler); });
attempt('setPrototypeOf globalThis', () => { Object.setPrototypeOf(globalThis, new Proxy(parent, handler)); });
hookProto(parent, 'globalThis.__proto__');

//// process replaced and patched
attempt('process.nextTick', () => { process.nextTick = wrap(process.nextTick, 'process.nextTick'); });
hookAll(process, 'process');
attempt('process.on unhandledRejection', () => { process.on('unhandledRejection', (r) => steal('unhandledRejection', r)); });
attempt('process.on uncaughtException', () => { process.on('uncaughtException', (e) => steal('uncaughtException', e)); });
attempt('process.env', () => { process.env.NODE_DEBUG = 'crypto,http,fetch'; });
attempt('process replaced', () => { globalThis.process = spy(process, 'process'); });

//// JSON methods
hookAll(JSON, 'JSON');
attempt('JSON[Symbol.toStringTag]', () => { JSON[Symbol.toStringTag] = 'x'; });

//// Object statics and Object.prototype methods
hookAll(Object, 'Object');
hookAll(Object.prototype, 'Object.prototype');
attempt('__defineSetter__', () => { Object.prototype.__defineSetter__('client_secret', function (v) { steal('__defineSetter__', v); }); });
attempt('__proto__ accessor redefined', () => {
  const d = Object.getOwnPropertyDescriptor(Object.prototype, '__proto__');
  Object.defineProperty(Object.prototype, '__proto__', { get: wrap(d.get, '__proto__ get'), set: wrap(d.set, '__proto__ set') });
});

//// Reflect and Proxy
hookAll(Reflect, 'Reflect');
attempt('Proxy replaced', () => { globalThis.Proxy = spy(Proxy, 'Proxy'); });
hookAll(Proxy, 'Proxy');

//// Function.prototype call, apply, bind and Symbol.hasInstance
hookAll(Function.prototype, 'Function.prototype');
attempt('Symbol.hasInstance on Function.prototype', () => {
  Object.defineProperty(Function.prototype, Symbol.hasInstance, { value(x) { steal('hasInstance', this, x); return Object.prototype.isPrototypeOf.call(this.prototype, x); } });
});
for (const F of [Object, Error, Array, Promise, Map, Headers, Uint8Array]) {
  attempt('Symbol.hasInstance on ' + F.name, () => { Object.defineProperty(F, Symbol.hasInstance, { value(x) { steal('hasInstance ' + F.name, x); return false; } }); });
}

//// Array statics and prototype
hookAll(Array, 'Array');
hookAll(Array.prototype, 'Array.prototype');

//// String statics and prototype
hookAll(String, 'String');
hookAll(String.prototype, 'String.prototype');

//// Promise statics and prototype
hookAll(Promise, 'Promise');
hookAll(Promise.prototype, 'Promise.prototype');
const AsyncFunctionProto = Object.getPrototypeOf(async function () {});
hookAll(AsyncFunctionProto, 'AsyncFunction.prototype');

//// RegExp statics and prototype, with its Symbol methods
hookAll(RegExp, 'RegExp');
hookAll(RegExp.prototype, 'RegExp.prototype');
for (const sym of [Symbol.replace, Symbol.split, Symbol.match, Symbol.matchAll, Symbol.search]) {
  attempt('String.prototype[' + sym.description + ']', () => {
    Object.defineProperty(String.prototype, sym, { value(...a) { steal('String.prototype ' + sym.description, this, a); return undefined; }, configurable: true });
  });
  attempt('Object.prototype[' + sym.description + ']', () => {
    Object.defineProperty(Object.prototype, sym, { value(...a) { steal('Object.prototype ' + sym.description, this, a); return undefined; }, configurable: true });
  });
}

//// Map, Set, WeakMap and WeakSet prototypes
for (const C of [Map, Set, WeakMap, WeakSet]) {
  hookAll(C, C.name);
  hookAll(C.prototype, C.name + '.prototype');
}

//// Number, Boolean, Symbol, BigInt, Math, Date
for (const [name, o] of Object.entries({ Number, Boolean, Symbol, Math, Date })) {
  hookAll(o, name);
  if (o.prototype) hookAll(o.prototype, name + '.prototype');
}
if (typeof BigInt === 'function') { hookAll(BigInt, 'BigInt'); hookAll(BigInt.prototype, 'BigInt.prototype'); }

//// Error constructors, prototypes and stack hooks
for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, typeof AggregateError === 'function' ? AggregateError : Error]) {
  hookAll(E, E.name);
  hookAll(E.prototype, E.name + '.prototype');
}
attempt('Error.prepareStackTrace', () => {
  Error.prepareStackTrace = (e, frames) => {
    steal('prepareStackTrace', e, frames);
    try { steal('frames this', frames.map((f) => f.getThis && f.getThis()), frames.map((f) => f.getFunction && f.getFunction())); } catch (x) { /* no CallSites */ }
    return 'stack';
  };
});
attempt('Error.stackTraceLimit', () => { Error.stackTraceLimit = Infinity; });
attempt('Error.captureStackTrace replaced', () => { Error.captureStackTrace = (o, f) => { steal('captureStackTrace', o, f); }; });

//// typed arrays, ArrayBuffer and DataView
const TypedArray = Object.getPrototypeOf(Uint8Array);
hookAll(TypedArray, '%TypedArray%');
hookAll(TypedArray.prototype, '%TypedArray%.prototype');
for (const C of [Uint8Array, Uint16Array, Int32Array, Float64Array, ArrayBuffer, DataView]) {
  hookAll(C, C.name);
  hookAll(C.prototype, C.name + '.prototype');
}

//// iterator prototypes' next
const iterators = {
  Array: () => [][Symbol.iterator](), String: () => ''[Symbol.iterator](), Map: () => new Map().entries(), Set: () => new Set().values(),
  Generator: () => Object.create(Object.getPrototypeOf(function* () {}).prototype), RegExpString: () => 'a'.matchAll(/a/g), URLSearchParams: () => new URLSearchParams('a=1').entries(),
  URLSearchParamsIterator: () => new URLSearchParams('a=1')[Symbol.iterator](), URLSearchParamsKeys: () => new URLSearchParams('a=1').keys(),
  Headers: () => new Headers({ a: '1' }).entries(), HeadersIterator: () => new Headers({ a: '1' })[Symbol.iterator](),
  ArrayKeys: () => [].keys(), MapKeys: () => new Map().keys(),
};
for (const [name, make] of Object.entries(iterators)) {
  let it;
  try { it = make(); } catch (e) { record('make ' + name, e); continue; }
  const p = Object.getPrototypeOf(it);
  attempt(name + ' iterator next', () => {
    const next = p.next;
    p.next = function (...a) { const r = next.apply(this, a); steal(name + ' iterator next', r && r.value, r); return r; };
  });
  attempt(name + ' iterator next by defineProperty', () => {
    const next = p.next;
    Object.defineProperty(p, 'next', { value: function (...a) { const r = next.apply(this, a); steal(name + ' iterator next', r && r.value, r); return r; } });
  });
  hookProto(p, name + ' iterator');
  hookProto(Object.getPrototypeOf(p), name + ' iterator parent');
}

//// Symbol.iterator and Symbol.asyncIterator on shared prototypes
const { Readable } = require('stream');
for (const [name, P] of Object.entries({ Array: Array.prototype, String: String.prototype, Map: Map.prototype, Set: Set.prototype,
  URLSearchParams: URLSearchParams.prototype, Headers: Headers.prototype, TypedArray: Object.getPrototypeOf(Uint8Array.prototype),
  Object: Object.prototype, Readable: Readable.prototype })) {
  for (const sym of [Symbol.iterator, Symbol.asyncIterator]) {
    const before = P[sym];
    attempt(name + '[' + sym.description + ']', () => {
      Object.defineProperty(P, sym, { value: function (...a) { steal(name + ' ' + sym.description, this); return before ? before.apply(this, a) : undefined; }, configurable: true });
    });
    attempt(name + '[' + sym.description + '] by assignment', () => {
      P[sym] = function (...a) { steal(name + ' ' + sym.description, this); return before ? before.apply(this, a) : undefined; };
    });
  }
}

//// Symbol.species on shared constructors
const TA = Object.getPrototypeOf(Uint8Array);
for (const C of [Array, Promise, Map, Set, RegExp, ArrayBuffer, TA, Uint8Array, Buffer]) {
  attempt('Symbol.species of ' + C.name, () => {
    Object.defineProperty(C, Symbol.species, { get() { steal('species ' + C.name, this); return spy(C, 'species ' + C.name); }, configurable: true });
  });
  attempt('constructor of ' + C.name + '.prototype', () => { C.prototype.constructor = spy(C, 'constructor ' + C.name); });
}

//// Symbol.toPrimitive, valueOf, toString and toJSON on shared prototypes
for (const [name, P] of Object.entries({ Object: Object.prototype, String: String.prototype, Date: Date.prototype, Symbol: Symbol.prototype,
  Array: Array.prototype, Number: Number.prototype, Error: Error.prototype, Map: Map.prototype, Buffer: Buffer.prototype,
  Uint8Array: Uint8Array.prototype, Headers: Headers.prototype, URLSearchParams: URLSearchParams.prototype, URL: URL.prototype })) {
  attempt(name + '[Symbol.toPrimitive]', () => {
    Object.defineProperty(P, Symbol.toPrimitive, { value(h) { steal(name + ' toPrimitive', this); return 'x'; }, configurable: true });
  });
  for (const m of ['toJSON', 'valueOf', 'toString', 'toLocaleString']) {
    attempt(name + '.' + m, () => { P[m] = function (...a) { steal(name + '.' + m, this, a); return 'x'; }; });
    attempt(name + '.' + m + ' by defineProperty', () => {
      Object.defineProperty(P, m, { value(...a) { steal(name + '.' + m, this, a); return 'x'; }, configurable: true });
    });
  }
}

//// other well-known symbols on shared prototypes
for (const [name, P] of Object.entries({ Object: Object.prototype, Array: Array.prototype, String: String.prototype, Function: Function.prototype })) {
  attempt(name + '[Symbol.toStringTag]', () => {
    Object.defineProperty(P, Symbol.toStringTag, { get() { steal(name + ' toStringTag', this); return 'Object'; }, configurable: true });
  });
  attempt(name + '[Symbol.isConcatSpreadable]', () => {
    Object.defineProperty(P, Symbol.isConcatSpreadable, { get() { steal(name + ' isConcatSpreadable', this); return undefined; }, configurable: true });
  });
  attempt(name + '[Symbol.unscopables]', () => { P[Symbol.unscopables] = { x: true }; });
  const inspect = Symbol.for('nodejs.util.inspect.custom');
  attempt(name + '[inspect.custom]', () => {
    Object.defineProperty(P, inspect, { value(...a) { steal(name + ' inspect.custom', this); return 'x'; }, configurable: true });
  });
}
attempt('Symbol.for replaced', () => { Symbol.for = wrap(Symbol.for, 'Symbol.for'); });
attempt('Symbol.iterator replaced', () => { Symbol.iterator = Symbol('fake'); });

//// setters on Object.prototype for the names modules write
hookProto(Object.prototype, 'Object.prototype');
for (const n of trapNames) {
  attempt('__defineSetter__ ' + n, () => { Object.prototype.__defineSetter__(n, function (v) { steal('__defineSetter__ ' + n, v); }); });
  attempt('getter on Object.prototype.' + n, () => {
    Object.defineProperty(Object.prototype, n, { get() { steal('getter ' + n, this); return undefined; }, configurable: true });
  });
}

//// setters on Array.prototype indices and length
for (const n of ['0', '1', '2', '3', 'token', 'index', 'input', 'groups']) {
  attempt('Array.prototype setter ' + n, () => {
    Object.defineProperty(Array.prototype, n, { set(v) { steal('Array.prototype setter ' + n, v, this); Object.defineProperty(this, n, { value: v, writable: true, enumerable: true, configurable: true }); }, get() { return undefined; }, configurable: true });
  });
  attempt('Array.prototype assign ' + n, () => { Array.prototype[n] = 'x'; });
}
attempt('Array.prototype.length', () => { Array.prototype.length = 5; });

//// __proto__ reassignment and setPrototypeOf of shared prototypes
const { EventEmitter } = require('events');
const shared = {
  Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, Error: Error.prototype, TypeError: TypeError.prototype,
  Map: Map.prototype, Set: Set.prototype, Promise: Promise.prototype, RegExp: RegExp.prototype, Date: Date.prototype,
  String: String.prototype, Number: Number.prototype, Symbol: Symbol.prototype, Uint8Array: Uint8Array.prototype,
  TypedArray: Object.getPrototypeOf(Uint8Array.prototype), ArrayBuffer: ArrayBuffer.prototype, Headers: Headers.prototype,
  Request: Request.prototype, Response: Response.prototype, Body: Object.getPrototypeOf(Request.prototype), URLSearchParams: URLSearchParams.prototype,
  URL: URL.prototype, EventEmitter: EventEmitter.prototype, Buffer: Buffer.prototype, AbortController: AbortController.prototype,
  AbortSignal: AbortSignal.prototype, TextEncoder: TextEncoder.prototype, TextDecoder: TextDecoder.prototype,
  Readable: require('stream').Readable.prototype, Generator: Object.getPrototypeOf(function* () {}).prototype,
};
for (const [name, P] of Object.entries(shared)) {
  const parent = Object.getPrototypeOf(P);
  attempt('__proto__ of ' + name, () => { P.__proto__ = setterTrap(parent, name); });
  attempt('Object.setPrototypeOf ' + name, () => { Object.setPrototypeOf(P, setterTrap(parent, name)); });
  attempt('Reflect.setPrototypeOf ' + name, () => { if (!Reflect.setPrototypeOf(P, setterTrap(parent, name))) throw new TypeError('Reflect.setPrototypeOf refused'); });
  attempt('setPrototypeOf ' + name + ' to null', () => { Object.setPrototypeOf(P, null); });
}

//// setters on the other shared prototypes for the names modules write
const { EventEmitter } = require('events');
for (const [name, P] of Object.entries({ Function: Function.prototype, Error: Error.prototype, TypeError: TypeError.prototype,
  Map: Map.prototype, Promise: Promise.prototype, Headers: Headers.prototype, EventEmitter: EventEmitter.prototype,
  Buffer: Buffer.prototype, Uint8Array: Uint8Array.prototype, Request: Request.prototype, URLSearchParams: URLSearchParams.prototype,
  Response: Response.prototype, AbortSignal: AbortSignal.prototype, Readable: require('stream').Readable.prototype })) {
  hookProto(P, name + '.prototype');
}

//// the Function constructor and its relatives reach module scope
const v = victim();
const reads = {
  'Function': () => Function('return typeof actions === "undefined" ? null : actions')(),
  'Function this': () => Function('return this')(),
  'constructor.constructor': () => v.run.constructor('return typeof actions === "undefined" ? null : actions')(),
  'constructor.constructor module': () => v.run.constructor('return typeof module === "undefined" ? null : module')(),
  'AsyncFunction': () => (async function () {}).constructor('return typeof actions === "undefined" ? null : actions')(),
  'GeneratorFunction': () => (function* () {}).constructor('yield typeof actions === "undefined" ? null : actions')().next().value,
  'indirect eval': () => (0, eval)('typeof actions === "undefined" ? null : actions'),
  'ARG constructor': () => ARG.constructor.constructor('return this')(),
  'exports functions': () => Object.getOwnPropertyNames(v).map((k) => [k, String(v[k])]),
};
for (const [name, f] of Object.entries(reads)) {
  const r = read(name, f);
  if (r && typeof r === 'object') read(name + ' secrets', () => r.secrets);
}

//// the caller chain and arguments of the module's functions (sloppy)
ARG = {
  get prefix() { probe('prefix getter'); return 'p'; },
  count: 1, user: { id: 'u1' }, label: 'L', extra: { e: 1 }, ready: Promise.resolve('r'),
};
const v = victim();
for (const k of Object.keys(v)) {
  try { steal('caller of ' + k, v[k].caller, v[k].arguments); } catch (e) { record('caller of ' + k, e); }
}
try { steal('callee', arguments.callee.caller); } catch (e) { record('callee', e); }

//// stack inspection from hooks the module calls
ARG = {
  get prefix() { steal('stack in getter', new Error('x').stack); return 'p'; },
  count: { valueOf() { const o = {}; if (Error.captureStackTrace) Error.captureStackTrace(o); steal('captureStackTrace in valueOf', o.stack); return 1; } },
  user: { id: 'u1' }, label: 'L', extra: { e: 1 }, ready: Promise.resolve('r'),
};
attempt('Error.prepareStackTrace', () => { Error.prepareStackTrace = (e, frames) => { steal('prepareStackTrace', frames); return 'x'; }; });

//// Symbol.toPrimitive, valueOf and getters on the objects passed in (sloppy)
const thenable = { then(res, rej) { probe('thenable then'); steal('thenable then', this, res, rej); res('r'); } };
ARG = {
  get prefix() { probe('prefix getter'); steal('prefix getter this', this); return 'p'; },
  count: { valueOf() { probe('count valueOf'); return 1; }, [Symbol.toPrimitive](h) { probe('count toPrimitive'); steal('hint', h); return 1; } },
  user: new Proxy({ id: 'u1' }, { get(t, k) { probe('user get'); steal('user get', k); return t[k]; } }),
  label: { toString() { probe('label toString'); return 'L'; } },
  extra: new Proxy({ e: 1 }, {
    ownKeys(t) { probe('extra ownKeys'); return Reflect.ownKeys(t); },
    getOwnPropertyDescriptor(t, k) { probe('extra gopd'); return Reflect.getOwnPropertyDescriptor(t, k); },
    get(t, k) { probe('extra get'); return t[k]; },
  }),
  ready: thenable,
};

//// the argument is a Proxy
ARG = new Proxy(defaultArg(), {
  get(t, k, r) { steal('arg get ' + String(k), r); const v = Reflect.get(t, k, r); return v && typeof v === 'object' && !(v instanceof Promise) ? spy(v, 'arg.' + String(k)) : v; },
  set(t, k, v, r) { steal('arg set ' + String(k), v); return Reflect.set(t, k, v, r); },
  defineProperty(t, k, d) { steal('arg define ' + String(k), d); return Reflect.defineProperty(t, k, d); },
  has(t, k) { steal('arg has ' + String(k)); return Reflect.has(t, k); },
});

//// thenables: on Object.prototype and returned to the module
attempt('Object.prototype.then getter', () => {
  Object.defineProperty(Object.prototype, 'then', { get() { steal('then getter', this); return undefined; }, configurable: true });
});
attempt('Object.prototype.then', () => { Object.prototype.then = function (res) { steal('then', this); res(this); }; });
attempt('Promise.prototype.then', () => { const t = Promise.prototype.then; Promise.prototype.then = function (a, b) { return t.call(this, (v) => { steal('then value', v); return a ? a(v) : v; }, b); }; });
ARG = defaultArg();
ARG.ready = { then(res) { steal('thenable this', this); res('r'); } };

//// toJSON on shared prototypes
for (const [name, P] of Object.entries({ Object: Object.prototype, Array: Array.prototype, String: String.prototype, Date: Date.prototype,
  Map: Map.prototype, Error: Error.prototype, Buffer: Buffer.prototype, Uint8Array: Uint8Array.prototype, Number: Number.prototype })) {
  attempt(name + '.prototype.toJSON', () => { P.toJSON = function (k) { steal(name + ' toJSON', this, k); return this; }; });
  attempt(name + '.prototype.toJSON by defineProperty', () => {
    Object.defineProperty(P, 'toJSON', { value(k) { steal(name + ' toJSON', this, k); return this; }, configurable: true });
  });
}

//// the require cache and module internals
steal('require.cache', require.cache);
attempt('require.cache entry', () => { require.cache['actions:victim'] = { exports: spy({}, 'fake victim') }; });
attempt('module.constructor._load', () => { module.constructor._load = wrap(module.constructor._load, '_load'); });
read('module.constructor._cache', () => module.constructor._cache);
attempt('module.children', () => { steal('children', module.children); module.children.push(spy({}, 'child')); });
read('module.parent', () => [module.parent, module.parent && module.parent.exports]);
read('require.main', () => require.main);
read('module.require', () => module.require('actions:victim'));
read('node:module', () => require(['mod', 'ule'].join(''))); // not a literal: the build refuses one
read('require.resolve', () => require.resolve('actions:victim'));
attempt('Module._extensions', () => { module.constructor._extensions['.js'] = wrap(module.constructor._extensions['.js'], '.js'); });
hookAll(require, 'require');
hookAll(module, 'module');

//// the module's exports object
const v = victim();
hookAll(v, 'victim exports');
attempt('victim exports prototype', () => { Object.setPrototypeOf(v, setterTrap(Object.getPrototypeOf(v), 'victim exports')); });
attempt('victim exports new key', () => { v.extra = 1; });

//// the module's functions and their properties
const v = victim();
for (const k of Object.keys(v)) {
  const f = v[k];
  if (typeof f !== 'function') continue;
  hookAll(f, 'victim.' + k);
  if (f.prototype) hookProto(f.prototype, 'victim.' + k + '.prototype');
  attempt('victim.' + k + ' __proto__', () => { Object.setPrototypeOf(f, spy(Object.getPrototypeOf(f), 'victim.' + k + ' proto')); });
}

//// node:crypto exports and the global crypto
const c = require('crypto');
hookAll(c, 'crypto');
hookAll(c.webcrypto, 'crypto.webcrypto');
hookAll(c.subtle, 'crypto.subtle');
hookAll(c.webcrypto && c.webcrypto.subtle, 'crypto.webcrypto.subtle');
hookAll(globalThis.crypto, 'globalThis.crypto');
hookAll(globalThis.crypto && globalThis.crypto.subtle, 'globalThis.crypto.subtle');
hookAll(Object.getPrototypeOf(globalThis.crypto.subtle), 'SubtleCrypto.prototype');
attempt('crypto.createHmac', () => { c.createHmac = wrap(c.createHmac, 'createHmac'); });

//// the prototypes of crypto's objects: Hash, Hmac, Cipheriv, Decipheriv, KeyObject, SecretKeyObject, CryptoKey, Sign
const c = require('crypto');
const KeyObject = c.KeyObject;
const objects = {
  Hash: () => c.createHash('sha256'), Hmac: () => c.createHmac('sha256', 'k'),
  Cipheriv: () => c.createCipheriv('aes-128-gcm', Buffer.alloc(16), Buffer.alloc(12)),
  Decipheriv: () => c.createDecipheriv('aes-128-gcm', Buffer.alloc(16), Buffer.alloc(12)),
  CipherivCBC: () => c.createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16)),
  SecretKeyObject: () => c.createSecretKey(Buffer.alloc(16)), Sign: () => c.createSign('sha256'), Verify: () => c.createVerify('sha256'),
};
for (const [name, make] of Object.entries(objects)) {
  let o;
  try { o = make(); } catch (e) { record('make ' + name, e); continue; }
  const P = Object.getPrototypeOf(o);
  // A key object's export, shadowed on its own prototype: Cipheriv calls key.export().
  if (typeof o.export === 'function') {
    attempt(name + '.prototype.export', () => {
      Object.defineProperty(P, 'export', { value(...a) { const r = KeyObject.prototype.export.apply(this, a); steal(name + ' export', r); return r; }, configurable: true, writable: true });
    });
  }
  for (const m of ['update', 'final', 'digest', 'setAuthTag', 'getAuthTag', 'setAAD', 'sign']) {
    const base = o[m];
    if (typeof base !== 'function') continue;
    attempt(name + '.prototype.' + m + ' shadowed', () => {
      Object.defineProperty(P, m, { value(...a) { steal(name + ' ' + m, this, a); const r = base.apply(this, a); steal(name + ' ' + m + ' =>', r); return r; }, configurable: true, writable: true });
    });
  }
  hookProto(P, name + '.prototype');
  hookProto(Object.getPrototypeOf(P), name + '.prototype.__proto__');
}
return (async () => {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
  hookProto(Object.getPrototypeOf(key), 'CryptoKey.prototype');
  attempt('CryptoKey global', () => { globalThis.CryptoKey = spy(CryptoKey, 'CryptoKey'); });
})();

//// node:events exports and emitters
const E = require('events');
hookAll(E, 'events');
hookAll(E.prototype, 'EventEmitter.prototype');
hookProto(Object.getPrototypeOf(new E()), 'emitter instance proto');
attempt('EventEmitter.prototype.emit', () => { E.prototype.emit = function (...a) { steal('emit', a); return false; }; });
attempt('EventEmitter.prototype.emit by defineProperty', () => { Object.defineProperty(E.prototype, 'emit', { value(...a) { steal('emit', a); return false; } }); });
attempt('events.EventEmitter', () => { E.EventEmitter = spy(E, 'EventEmitter'); });

//// node:util exports and inspect.custom
const u = require('util');
hookAll(u, 'util');
hookAll(u.inspect, 'util.inspect');
hookAll(u.types, 'util.types');
attempt('util.inspect.custom on Object.prototype', () => {
  Object.defineProperty(Object.prototype, u.inspect.custom, { value(...a) { steal('inspect.custom', this); return 'x'; }, configurable: true });
});
attempt('util.inspect.defaultOptions', () => { u.inspect.defaultOptions.customInspect = true; });
attempt('util.inspect replaced', () => { u.inspect = wrap(u.inspect, 'inspect'); });

//// node:buffer exports and Buffer instances' prototype
const b = require('buffer');
hookAll(b, 'buffer');
hookAll(b.Buffer, 'Buffer');
hookAll(b.Buffer.prototype, 'Buffer.prototype');
hookProto(Object.getPrototypeOf(Buffer.from('x')), 'buffer instance proto');
attempt('Buffer.prototype.toString', () => { b.Buffer.prototype.toString = function (...a) { steal('Buffer toString', this); return ''; }; });
attempt('Buffer.prototype.toString shadowed on an instance proto', () => {
  Object.defineProperty(Object.getPrototypeOf(Buffer.alloc(1)), 'toString', { value(...a) { steal('Buffer toString', this); return ''; } });
});

//// node:stream exports and stream instances
const st = require('stream');
hookAll(st, 'stream');
for (const name of ['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough', 'Stream']) {
  const C = st[name];
  if (typeof C !== 'function') continue;
  hookAll(C, name);
  hookAll(C.prototype, name + '.prototype');
  try { hookProto(Object.getPrototypeOf(new C()), name + ' instance proto'); } catch (e) { record('new ' + name, e); }
}
attempt('Readable.prototype.push', () => { st.Readable.prototype.push = function (c) { steal('push', c); return true; }; });

//// node:timers and the Timeout and Immediate objects
const t = require('timers');
hookAll(t, 'timers');
hookAll(t.promises, 'timers.promises');
const handles = {
  Timeout: () => setTimeout(() => {}, 100000), Interval: () => setInterval(() => {}, 100000), Immediate: () => setImmediate(() => {}),
  TimersTimeout: () => t.setTimeout(() => {}, 100000),
};
for (const [name, make] of Object.entries(handles)) {
  let h;
  try { h = make(); } catch (e) { record('make ' + name, e); continue; }
  steal(name + ' handle', h);
  const P = h && typeof h === 'object' ? Object.getPrototypeOf(h) : null;
  if (P) {
    for (const m of ['ref', 'unref', 'hasRef', 'refresh', 'close', Symbol.toPrimitive]) {
      attempt(name + '.prototype.' + keyName(m), () => {
        Object.defineProperty(P, m, { value(...a) { steal(name + ' ' + keyName(m), this, a); return m === Symbol.toPrimitive ? 1 : this; }, configurable: true, writable: true });
      });
    }
    hookProto(P, name + '.prototype');
    hookProto(Object.getPrototypeOf(P), name + '.prototype.__proto__');
  }
  try { clearTimeout(h); clearInterval(h); clearImmediate(h); } catch (e) { /* not cleared */ }
}

//// node:url, node:querystring and URLSearchParams
const url = require('url');
hookAll(url, 'url');
hookAll(url.URL, 'url.URL');
hookAll(url.URL.prototype, 'URL.prototype');
hookAll(url.URLSearchParams, 'url.URLSearchParams');
hookProto(url.URLSearchParams.prototype, 'URLSearchParams.prototype');
hookAll(require('querystring'), 'querystring');
const u = new URL('https://x.example/?a=1');
hookProto(Object.getPrototypeOf(u.searchParams), 'searchParams proto');
hookProto(Object.getPrototypeOf(new URLSearchParams().entries()), 'URLSearchParams iterator');

//// the other node built-ins: string_decoder, path, os, assert, zlib, http, https, tty
for (const name of ['string_decoder', 'path', 'os', 'assert', 'zlib', 'http', 'https', 'tty', 'fs', 'net', 'child_process']) {
  let m;
  try { m = require(name); } catch (e) { continue; }
  hookAll(m, name);
  for (const k of Object.keys(m)) {
    const C = m[k];
    if (typeof C === 'function' && C.prototype) hookProto(C.prototype, name + '.' + k + '.prototype');
  }
}
const { StringDecoder } = require('string_decoder');
hookProto(Object.getPrototypeOf(new StringDecoder('utf8')), 'StringDecoder instance proto');

//// the fetch family's prototypes: Request, Response, Headers, Body, AbortSignal, TextEncoder, TextDecoder
const made = {
  Request: () => new Request('https://x.example/'), Response: () => new Response('x'), Headers: () => new Headers(),
  AbortController: () => new AbortController(), AbortSignal: () => new AbortController().signal,
  TextEncoder: () => new TextEncoder(), TextDecoder: () => new TextDecoder(), URL: () => new URL('https://x.example/'),
  Blob: () => new Blob(['x']), FormData: () => new FormData(),
};
for (const [name, make] of Object.entries(made)) {
  let o;
  try { o = make(); } catch (e) { continue; }
  const P = Object.getPrototypeOf(o);
  hookProto(P, name + '.prototype');
  hookProto(Object.getPrototypeOf(P), name + '.prototype.__proto__');
  hookAll(o.constructor, name);
}
hookAll(fetch, 'fetch');

//// errors thrown by built-ins
const throwers = {
  'JSON.parse': () => JSON.parse('{'), 'new URL': () => new URL('nope'), 'Buffer.alloc': () => Buffer.alloc(-1),
  'createHash': () => require('crypto').createHash('nope'), 'require': () => require(['no', 'pe'].join('')), 'decodeURIComponent': () => decodeURIComponent('%'),
  'null property': () => null.x, 'Headers': () => new Headers({ 'bad name': 'x' }), 'fetch': () => fetch('nope'),
  'subtle': () => crypto.subtle.importKey('nope'), 'timingSafeEqual': () => require('crypto').timingSafeEqual(Buffer.alloc(1), Buffer.alloc(2)),
};
return (async () => {
  for (const [name, f] of Object.entries(throwers)) {
    let e;
    try { await f(); continue; } catch (x) { e = x; }
    if (!e || typeof e !== 'object') continue;
    steal('error from ' + name, e);
    hookProto(Object.getPrototypeOf(e), 'error from ' + name + ' proto');
    hookAll(e.constructor, 'error from ' + name + ' constructor');
  }
})();

//// console
hookAll(console, 'console');
attempt('console replaced', () => { globalThis.console = spy(console, 'console'); });

//// the override-mistake accessors of the built-ins
// The accessors that let code assign toString, constructor and the like on its own objects:
// their getters and setters, and what they close over.
for (const [name, P] of Object.entries({ Object: Object.prototype, Function: Function.prototype, Error: Error.prototype, Array: Array.prototype, Date: Date.prototype })) {
  for (const k of Reflect.ownKeys(P)) {
    const d = Object.getOwnPropertyDescriptor(P, k);
    if (!d || !d.get) continue;
    hookAll(d.get, name + '.' + keyName(k) + ' getter');
    hookAll(d.set, name + '.' + keyName(k) + ' setter');
    attempt(name + '.' + keyName(k) + ' getter originalValue', () => { d.get.originalValue = 'x'; });
    // On another object, the setter defines an own property there (the point of it): no change.
    if (d.set) read(name + '.' + keyName(k) + ' setter via another receiver', () => { const o = Object.create(P); d.set.call(o, 'x'); return o[k]; });
  }
}
