// node:events: the prelude's EventEmitter, with the module-level helpers.
(function (native, require) {
  'use strict';
  const EventEmitter = native.prelude.EventEmitter;
  const { invalidArgType } = native.prelude.events;
  const abortError = (signal) => {
    const e = new Error('The operation was aborted', { cause: signal && signal.reason });
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    return e;
  };
  const addTo = (emitter, name, fn, once) => {
    if (typeof emitter.on === 'function') {
      if (once) emitter.once(name, fn); else emitter.on(name, fn);
    } else if (typeof emitter.addEventListener === 'function') {
      emitter.addEventListener(name, fn, { once });
    } else {
      throw invalidArgType('emitter', 'EventEmitter', emitter);
    }
  };
  const removeFrom = (emitter, name, fn) => {
    if (typeof emitter.removeListener === 'function') emitter.removeListener(name, fn);
    else if (typeof emitter.removeEventListener === 'function') emitter.removeEventListener(name, fn);
    else throw invalidArgType('emitter', 'EventEmitter', emitter);
  };
  // once(emitter, name[, { signal }]): a promise of the arguments of the next `name` event; an
  // 'error' first rejects it (EventEmitters only, as in Node).
  function once(emitter, name, options = {}) {
    const signal = options && options.signal;
    if (signal && signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onError = (err) => {
        removeFrom(emitter, name, resolver);
        if (signal) signal.removeEventListener('abort', onAbort);
        reject(err);
      };
      const resolver = (...args) => {
        if (typeof emitter.removeListener === 'function') emitter.removeListener('error', onError);
        if (signal) signal.removeEventListener('abort', onAbort);
        resolve(args);
      };
      const onAbort = () => {
        removeFrom(emitter, name, resolver);
        if (typeof emitter.removeListener === 'function') emitter.removeListener('error', onError);
        reject(abortError(signal));
      };
      addTo(emitter, name, resolver, true);
      if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', onError);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  // on(emitter, name[, { signal, close }]): an async iterator of the arguments of every `name`
  // event, queued until read; an 'error' rejects the next read and ends it.
  function on(emitter, event, options = {}) {
    const signal = options.signal;
    if (signal && signal.aborted) throw abortError(signal);
    const events = [];
    const waiting = [];
    let error = null;
    let finished = false;
    const listeners = [];
    const listen = (name, fn) => { addTo(emitter, name, fn, false); listeners.push([name, fn]); };
    const closeHandler = () => {
      if (signal) signal.removeEventListener('abort', abortListener);
      for (const [name, fn] of listeners.splice(0)) removeFrom(emitter, name, fn);
      finished = true;
      const done = { value: undefined, done: true };
      while (waiting.length) waiting.shift().resolve(done);
      return Promise.resolve(done);
    };
    const errorHandler = (err) => {
      if (waiting.length) waiting.shift().reject(err); else error = err;
      closeHandler();
    };
    const abortListener = () => errorHandler(abortError(signal));
    const iterator = {
      next() {
        if (events.length) return Promise.resolve({ value: events.shift(), done: false });
        if (error) { const p = Promise.reject(error); error = null; return p; }
        if (finished) return closeHandler();
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return() { return closeHandler(); },
      throw(err) {
        if (!err || !(err instanceof Error)) throw invalidArgType('EventEmitter.AsyncIterator', 'Error', err);
        errorHandler(err);
      },
      [Symbol.asyncIterator]() { return this; },
    }; // goja has no async generators, so no %AsyncIteratorPrototype% to inherit from
    listen(event, (...args) => {
      if (waiting.length) waiting.shift().resolve({ value: args, done: false }); else events.push(args);
    });
    if (event !== 'error' && typeof emitter.on === 'function') listen('error', errorHandler);
    for (const name of (options && options.close) || []) listen(name, closeHandler);
    if (signal) signal.addEventListener('abort', abortListener, { once: true });
    return iterator;
  }
  // EventEmitterAsyncResource: an EventEmitter with the AsyncResource parts Node gives it (this
  // runtime tracks no async ids: they are 0).
  class EventEmitterAsyncResource extends EventEmitter {
    constructor(options = undefined) {
      super(options);
      const name = (options && options.name) || new.target.name;
      const self = this;
      this.asyncResource = Object.freeze({
        type: name,
        get eventEmitter() { return self; },
        asyncId: () => 0,
        triggerAsyncId: () => 0,
        runInAsyncScope: (fn, thisArg, ...args) => fn.apply(thisArg, args),
        emitDestroy: () => self,
      });
    }
    emit(event, ...args) { return super.emit(event, ...args); }
    emitDestroy() { return this.asyncResource.emitDestroy(); }
    get asyncId() { return 0; }
    get triggerAsyncId() { return 0; }
  }
  EventEmitter.once = once;
  EventEmitter.on = on;
  EventEmitter.captureRejections = false;
  EventEmitter.usingDomains = false;
  EventEmitter.EventEmitterAsyncResource = EventEmitterAsyncResource;
  EventEmitter.getEventListeners = (emitter, name) => {
    if (typeof emitter.listeners === 'function') return emitter.listeners(name);
    throw invalidArgType('emitter', 'EventEmitter', emitter);
  };
  EventEmitter.getMaxListeners = (emitter) => {
    if (emitter && typeof emitter.getMaxListeners === 'function') return emitter.getMaxListeners();
    throw invalidArgType('emitter', 'EventEmitter', emitter);
  };
  EventEmitter.setMaxListeners = (n = EventEmitter.defaultMaxListeners, ...targets) => {
    for (const t of targets) if (t && typeof t.setMaxListeners === 'function') t.setMaxListeners(n);
  };
  EventEmitter.addAbortListener = (signal, listener) => {
    if (signal === undefined) throw invalidArgType('signal', 'AbortSignal', signal);
    if (typeof listener !== 'function') throw invalidArgType('listener', 'function', listener);
    let removed = false;
    const fn = () => { if (!removed) listener(); };
    if (signal.aborted) Promise.resolve().then(fn);
    else signal.addEventListener('abort', fn, { once: true });
    const dispose = () => { removed = true; signal.removeEventListener('abort', fn); };
    return { [Symbol.dispose || Symbol.for('nodejs.dispose')]: dispose };
  };
  return EventEmitter;
})
