// The parts of Node that several built-ins share and that exist before any of them loads:
// EventEmitter (node:events completes it), the base of node:util, and the stubs of the built-ins
// that load but cannot be used. It runs once per runtime, before any action or module code, as a
// function of util's Go natives and the Web text classes (node.go); nothing it defines is
// reachable from action code except through the built-in modules.
(function (format, inspect, TextEncoder, TextDecoder) {
  'use strict';
  const stringify = JSON.stringify;

  // ---- events (function-style, so that `EventEmitter.call(this)` + util.inherits works) ----
  // As Node's lib/events.js keeps them: _events is a null-prototype object of a listener or an
  // array of listeners per event, _eventsCount counts its events; 'newListener' and
  // 'removeListener' are emitted, errorMonitor listeners see 'error' first, and an unhandled
  // 'error' that is no Error throws ERR_UNHANDLED_ERROR.
  const kCapture = Symbol('kCapture');
  const kShapeMode = Symbol('shapeMode');
  const kErrorMonitor = Symbol('events.errorMonitor');
  const kRejection = Symbol.for('nodejs.rejection');
  const isFrozen = Object.isFrozen;
  const received = (v) => {
    if (v == null) return ` Received ${v}`;
    if (typeof v === 'function') return ` Received function ${v.name}`;
    if (typeof v === 'object') {
      if (v.constructor && v.constructor.name) return ` Received an instance of ${v.constructor.name}`;
      return ` Received ${inspect(v, { depth: -1 })}`;
    }
    let shown = inspect(v, { colors: false });
    if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
    return ` Received type ${typeof v} (${shown})`;
  };
  const invalidArgType = (name, type, v) => {
    const e = new TypeError(`The "${name}" argument must be of type ${type}.${received(v)}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  };
  function checkListener(fn) {
    if (typeof fn !== 'function') throw invalidArgType('listener', 'function', fn);
  }
  function EventEmitter(opts) { EventEmitter.init.call(this, opts); }
  EventEmitter.init = function (opts) {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = { __proto__: null };
      this._eventsCount = 0;
      this[kShapeMode] = false;
    } else {
      this[kShapeMode] = true;
    }
    this._maxListeners = this._maxListeners || undefined;
    this[kCapture] = Boolean(opts && opts.captureRejections);
  };
  const E = EventEmitter.prototype;
  // A frozen emitter (a built-in's shared instance, such as http.globalAgent, in a locked-down
  // runtime) has no listeners and takes none: its listener map would be state every owner shares.
  const noShared = () => new TypeError('Cannot add a listener to a shared built-in emitter: built-ins are frozen in actions');
  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    let existing;
    if (events === undefined) {
      if (isFrozen(target)) throw noShared();
      events = target._events = { __proto__: null };
      target._eventsCount = 0;
    } else {
      if (isFrozen(events)) throw noShared();
      if (events.newListener !== undefined) {
        target.emit('newListener', type, listener.listener ?? listener);
        events = target._events;
      }
      existing = events[type];
    }
    if (existing === undefined) {
      events[type] = listener;
      ++target._eventsCount;
    } else if (typeof existing === 'function') {
      events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) {
      existing.unshift(listener);
    } else {
      existing.push(listener);
    }
    return target;
  }
  E.addListener = function addListener_(type, listener) { return addListener(this, type, listener, false); };
  E.on = E.addListener;
  E.prependListener = function prependListener(type, listener) { return addListener(this, type, listener, true); };
  function onceWrapper(...args) {
    if (this.fired) return undefined;
    this.target.removeListener(this.type, this.wrapFn);
    this.fired = true;
    return this.listener.apply(this.target, args);
  }
  function onceWrap(target, type, listener) {
    const state = { fired: false, wrapFn: undefined, target, type, listener };
    const wrapped = onceWrapper.bind(state); // "bound onceWrapper", as Node's
    wrapped.listener = listener;
    state.wrapFn = wrapped;
    return wrapped;
  }
  E.once = function once(type, listener) {
    checkListener(listener);
    this.on(type, onceWrap(this, type, listener));
    return this;
  };
  E.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrap(this, type, listener));
    return this;
  };
  E.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      this._eventsCount -= 1;
      if (this[kShapeMode]) {
        events[type] = undefined;
      } else if (this._eventsCount === 0) {
        this._events = { __proto__: null };
      } else {
        delete events[type];
        if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
      }
    } else if (typeof list !== 'function') {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { position = i; break; }
      }
      if (position < 0) return this;
      list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
    }
    return this;
  };
  E.off = E.removeListener;
  E.removeAllListeners = function removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) return this;
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = { __proto__: null };
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) this._events = { __proto__: null };
        else delete events[type];
      }
      this[kShapeMode] = false;
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key !== 'removeListener') this.removeAllListeners(key);
      }
      this.removeAllListeners('removeListener');
      this._events = { __proto__: null };
      this._eventsCount = 0;
      this[kShapeMode] = false;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === 'function') {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
    }
    return this;
  };
  function addCatch(that, promise, type, args) {
    if (!that[kCapture]) return;
    try {
      const then = promise.then;
      if (typeof then === 'function') {
        then.call(promise, undefined, (err) => Promise.resolve().then(() => {
          if (typeof that[kRejection] === 'function') {
            that[kRejection](err, type, ...args);
          } else {
            const prev = that[kCapture];
            try { that[kCapture] = false; that.emit('error', err); } finally { that[kCapture] = prev; }
          }
        }));
      }
    } catch (err) {
      that.emit('error', err);
    }
  }
  E.emit = function emit(type, ...args) {
    let doError = type === 'error';
    const events = this._events;
    if (events !== undefined) {
      if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
      doError = doError && events.error === undefined;
    } else if (!doError) {
      return false;
    }
    if (doError) {
      const er = args.length > 0 ? args[0] : undefined;
      if (er instanceof Error) throw er; // Unhandled 'error' event
      let shown;
      try { shown = inspect(er); } catch { shown = er; }
      const err = new Error(`Unhandled error. (${shown})`);
      err.code = 'ERR_UNHANDLED_ERROR';
      err.context = er;
      throw err; // Unhandled 'error' event
    }
    const handler = events[type];
    if (handler === undefined) return false;
    if (typeof handler === 'function') {
      const result = handler.apply(this, args);
      if (result !== undefined && result !== null) addCatch(this, result, type, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; ++i) {
        const result = listeners[i].apply(this, args);
        if (result !== undefined && result !== null) addCatch(this, result, type, args);
      }
    }
    return true;
  };
  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const l = events[type];
    if (l === undefined) return [];
    if (typeof l === 'function') return unwrap ? [l.listener || l] : [l];
    return unwrap ? l.map((f) => (typeof f.listener === 'function' ? f.listener : f)) : l.slice();
  }
  E.listeners = function listeners(type) { return listenersOf(this, type, true); };
  E.rawListeners = function rawListeners(type) { return listenersOf(this, type, false); };
  E.listenerCount = function listenerCount(type, listener) {
    const events = this._events;
    if (events === undefined) return 0;
    const l = events[type];
    if (typeof l === 'function') {
      if (listener != null) return listener === l || listener === l.listener ? 1 : 0;
      return 1;
    }
    if (l === undefined) return 0;
    if (listener != null) return l.filter((f) => f === listener || f.listener === listener).length;
    return l.length;
  };
  E.eventNames = function eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };
  E.setMaxListeners = function setMaxListeners(n) {
    if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
      const e = new RangeError(`The value of "n" is out of range. It must be a non-negative number. Received ${inspect(n)}`);
      e.code = 'ERR_OUT_OF_RANGE';
      throw e;
    }
    this._maxListeners = n;
    return this;
  };
  E.getMaxListeners = function getMaxListeners() {
    return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners;
  };
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.errorMonitor = kErrorMonitor;
  EventEmitter.captureRejectionSymbol = kRejection;
  EventEmitter.listenerCount = (emitter, type) => emitter.listenerCount(type);
  EventEmitter.once = (emitter, name) => new Promise((resolve, reject) => {
    const onError = (err) => { emitter.removeListener(name, onEvent); reject(err); };
    const onEvent = (...args) => { emitter.removeListener('error', onError); resolve(args); };
    emitter.once(name, onEvent);
    if (name !== 'error') emitter.once('error', onError);
  });
  const eventsInternals = { invalidArgType, kCapture };

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
          let f;
          if (prop === 'toString' || prop === 'toLocaleString') {
            f = function () { return '[object Object]'; }; // String(require('fs')), as of a plain object
          } else if (prop === 'valueOf') {
            f = function () { return this; };
          } else if (/(^|[./])promises$/.test(name)) {
            // Node's promise APIs reject rather than throw: callers await them without a try.
            f = function () { return Promise.reject(new Error(`${name}.${prop} is not available to actions`)); };
          } else {
            f = function () { throw new Error(`${name}.${prop} is not available to actions`); };
          }
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
  const intrinsics = [Symbol.for('nodejs.util.inspect.custom'), null,
    Object.getOwnPropertySymbols, Function.prototype.toString, Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}), Object, Function, Symbol.for('nodejs.util.promisify.custom')];

  return { EventEmitter, util, stub, inspect: intrinsics, events: eventsInternals };
})
