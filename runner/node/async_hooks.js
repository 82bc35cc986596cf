// node:async_hooks: AsyncLocalStorage and AsyncResource. Timers keep the stores they were made in
// (the engine captures them: asynccontext.go). goja has no hook in its promise jobs, so the store
// of run() reaches promise continuations this way: it is the current store while the callback
// runs and, when the callback returns a promise, until that promise settles (then the store before
// run() comes back). So awaits and callbacks inside run() see its store, as in Node, as long as
// two run()s of one storage do not interleave (concurrent ones see the one entered last).
// AsyncResource and AsyncLocalStorage.bind/snapshot capture the stores exactly. createHook's hooks
// are never called. The module is per owner of a runtime (node.go: owned).
(function (native, require) {
  'use strict';
  const apply = Reflect.apply;
  // frame: the stores of this owner's storages now, as a Map from storage to store (never
  // mutated: a change makes a new one).
  let frame = new Map();
  native.registerAsyncContext(() => frame, (f) => { frame = f; });
  const isThenable = (v) => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';

  // runIn runs fn with the frame f current, and restores the frame before it when fn returns, or,
  // when fn returns a promise, when that settles.
  function runIn(f, fn, thisArg, args) {
    const prev = frame;
    frame = f;
    let result, async = false;
    try {
      result = apply(fn, thisArg, args);
      if (isThenable(result)) {
        async = true;
        const restore = () => { if (frame === f) frame = prev; };
        Promise.prototype.then.call(Promise.resolve(result), restore, restore);
      }
      return result;
    } finally {
      if (!async) frame = prev;
    }
  }

  class AsyncLocalStorage {
    #enabled = false;
    static bind(fn) {
      return new AsyncResource('bound-anonymous-fn').bind(fn);
    }
    static snapshot() {
      const f = frame;
      return (fn, ...args) => runIn(f, fn, undefined, args);
    }
    disable() {
      if (!this.#enabled) return;
      this.#enabled = false;
      if (frame.has(this)) {
        const f = new Map(frame);
        f.delete(this);
        frame = f;
      }
    }
    enterWith(store) {
      this.#enabled = true;
      const f = new Map(frame);
      f.set(this, store);
      frame = f;
    }
    run(store, callback, ...args) {
      this.#enabled = true;
      const f = new Map(frame);
      f.set(this, store);
      return runIn(f, callback, undefined, args);
    }
    exit(callback, ...args) {
      if (!this.#enabled) return apply(callback, undefined, args);
      const f = new Map(frame);
      f.delete(this);
      return runIn(f, callback, undefined, args);
    }
    getStore() {
      return this.#enabled ? frame.get(this) : undefined;
    }
  }

  let nextId = 2;
  class AsyncResource {
    #frame = frame;
    #id = nextId++;
    #trigger;
    #type;
    constructor(type, opts = {}) {
      if (typeof type !== 'string') {
        const e = new TypeError('The "type" argument must be of type string');
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      this.#type = type;
      this.#trigger = typeof opts === 'number' ? opts : (opts && opts.triggerAsyncId) || 1;
    }
    runInAsyncScope(fn, thisArg, ...args) {
      return runIn(this.#frame, fn, thisArg, args);
    }
    emitDestroy() { return this; }
    asyncId() { return this.#id; }
    triggerAsyncId() { return this.#trigger; }
    bind(fn, thisArg) {
      if (typeof fn !== 'function') {
        const e = new TypeError('The "fn" argument must be of type function');
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      const self = this;
      const bound = thisArg === undefined
        ? function (...args) { return self.runInAsyncScope(fn, this, ...args); }
        : function (...args) { return self.runInAsyncScope(fn, thisArg, ...args); };
      Object.defineProperties(bound, {
        length: { configurable: true, enumerable: false, value: fn.length, writable: false },
        asyncResource: { configurable: true, enumerable: true, value: this, writable: true },
      });
      return bound;
    }
    static bind(fn, type, thisArg) {
      return new AsyncResource(type || fn.name || 'bound-anonymous-fn').bind(fn, thisArg);
    }
  }

  function createHook() {
    const hook = { enable() { return hook; }, disable() { return hook; } };
    return hook;
  }
  return {
    AsyncLocalStorage,
    createHook,
    executionAsyncId: () => 1,
    triggerAsyncId: () => 0,
    executionAsyncResource: () => ({}),
    asyncWrapProviders: Object.freeze({ __proto__: null, NONE: 0 }),
    AsyncResource,
  };
})
