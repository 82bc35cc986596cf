// The parts of Node that several built-ins share and that exist before any of them loads:
// EventEmitter (node:events completes it), the base of node:util, and the stubs of the built-ins
// that load but cannot be used. It runs once per runtime, before any action or module code, as a
// function of util's Go natives and the Web text classes (node.go); nothing it defines is
// reachable from action code except through the built-in modules.
(function (format, inspect, TextEncoder, TextDecoder) {
  'use strict';
  const stringify = JSON.stringify;

  // ---- events (function-style, so that `EventEmitter.call(this)` + util.inherits works) ----
  function EventEmitter() { EventEmitter.init.call(this); }
  EventEmitter.init = function () {
    if (!this._events || this._events === Object.getPrototypeOf(this)._events) {
      this._events = new Map();
    }
    this._maxListeners = this._maxListeners || undefined;
  };
  const E = EventEmitter.prototype;
  // A frozen emitter (a built-in's shared instance, such as http.globalAgent, in a locked-down
  // runtime) has no listeners and takes none: its listener map would be state every owner shares.
  const frozenEvents = {
    get() { return undefined; }, has() { return false; }, keys() { return [][Symbol.iterator](); },
    delete() { return false; }, clear() {},
    set() { throw new TypeError('Cannot add a listener to a shared built-in emitter: built-ins are frozen in actions'); },
  };
  const evs = (self) => {
    if (!self._events) {
      if (Object.isFrozen(self)) return frozenEvents;
      self._events = new Map();
    }
    return self._events;
  };
  E.addListener = function (name, fn) {
    if (typeof fn !== 'function') throw new TypeError('The "listener" argument must be of type function');
    const m = evs(this);
    if (m.has('newListener')) this.emit('newListener', name, fn.listener || fn);
    const l = m.get(name);
    if (l) l.push(fn); else m.set(name, [fn]);
    return this;
  };
  E.on = E.addListener;
  E.prependListener = function (name, fn) {
    const m = evs(this), l = m.get(name);
    if (l) l.unshift(fn); else m.set(name, [fn]);
    return this;
  };
  E.once = function (name, fn) {
    const self = this;
    function w(...args) { self.removeListener(name, w); return fn.apply(self, args); }
    w.listener = fn;
    return this.on(name, w);
  };
  E.removeListener = function (name, fn) {
    const m = evs(this), l = m.get(name);
    if (!l) return this;
    const i = l.findIndex((f) => f === fn || f.listener === fn);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) m.delete(name);
    return this;
  };
  E.off = E.removeListener;
  E.removeAllListeners = function (name) {
    const m = evs(this);
    if (name === undefined) m.clear(); else m.delete(name);
    return this;
  };
  E.emit = function (name, ...args) {
    const l = evs(this).get(name);
    if (!l || l.length === 0) {
      if (name === 'error') throw (args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${args[0]})`));
      return false;
    }
    for (const fn of l.slice()) fn.apply(this, args);
    return true;
  };
  E.listeners = function (name) { return (evs(this).get(name) || []).map((f) => f.listener || f); };
  E.rawListeners = function (name) { return (evs(this).get(name) || []).slice(); };
  E.listenerCount = function (name) { return (evs(this).get(name) || []).length; };
  E.eventNames = function () { return Array.from(evs(this).keys()); };
  E.setMaxListeners = function (n) { this._maxListeners = n; return this; };
  E.getMaxListeners = function () { return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners; };
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.once = (emitter, name) => new Promise((resolve, reject) => {
    emitter.once(name, (...args) => resolve(args));
    if (name !== 'error') emitter.once('error', reject);
  });

  // ---- util (the part packages reach for) ----
  function inherits(ctor, superCtor) {
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  function promisify(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "original" argument must be of type function');
    return function (...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => err ? reject(err) : resolve(values.length > 1 ? values : values[0]));
      });
    };
  }
  function deprecate(fn) { return fn; }
  const util = {
    format,
    inspect,
    inherits,
    promisify,
    deprecate,
    isDeepStrictEqual: (a, b) => stringify(a) === stringify(b),
    TextEncoder,
    TextDecoder,
    types: {
      isPromise: (v) => v instanceof Promise,
      isDate: (v) => v instanceof Date,
      isRegExp: (v) => v instanceof RegExp,
      isUint8Array: (v) => v instanceof Uint8Array,
      isArrayBuffer: (v) => v instanceof ArrayBuffer,
    },
  };

  // ---- stubs for built-ins that load but cannot be used ----
  function stub(name) {
    const fns = new Map();
    const target = {};
    return new Proxy(target, {
      get(_, prop) {
        if (typeof prop === 'symbol' || prop === 'then' || prop === '__esModule' || prop === 'default') return undefined;
        if (prop === 'promises' || prop === 'constants') {
          if (!fns.has(prop)) fns.set(prop, stub(`${name}.${prop}`));
          return fns.get(prop);
        }
        if (!fns.has(prop)) {
          const f = function () { throw new Error(`${name}.${prop} is not available to actions`); };
          fns.set(prop, Object.freeze(f)); // shared by every owner (harden.go)
        }
        return fns.get(prop);
      },
      set() { return false; },
      has() { return false; },
      ownKeys() { return []; },
      getOwnPropertyDescriptor() { return undefined; },
    });
  }

  // What util.inspect (inspect.go) calls rather than what user code could replace later.
  const intrinsics = [Symbol.for('nodejs.util.inspect.custom'), Object.getOwnPropertyDescriptor,
    Object.getOwnPropertySymbols, Function.prototype.toString, Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}), Object, Function];

  return { EventEmitter, util, stub, inspect: intrinsics };
})
