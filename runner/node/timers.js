// node:timers and node:timers/promises (as .promises), over the runtime's event loop.
(function (native, require) {
  'use strict';
  const g = globalThis;
  const setInterval_ = g.setInterval, clearInterval_ = g.clearInterval;
  const setImmediate = (fn, ...args) => native.setTimeout(fn, 0, ...args);
  // Node's AbortError of timers/promises: the signal's reason is its cause.
  function abortError(signal) {
    const e = new Error('The operation was aborted', { cause: signal.reason });
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    return e;
  }
  function delay(ms, value, opts) {
    return new Promise((resolve, reject) => {
      const signal = opts && opts.signal;
      if (signal && signal.aborted) { reject(abortError(signal)); return; }
      const id = native.setTimeout(() => resolve(value), ms);
      if (signal) signal.addEventListener('abort', () => { native.clearTimeout(id); reject(abortError(signal)); });
    });
  }
  // setInterval(ms, value, {signal}) is an async iterator that yields value at every tick; ticks
  // not yet consumed are counted, as in Node. (A plain object: goja has no async generators.)
  function interval(ms, value, opts) {
    const signal = opts && opts.signal;
    let pending = 0, waiting = [], done = false, id = null;
    const settle = () => {
      while (waiting.length && (pending > 0 || done || (signal && signal.aborted))) {
        const w = waiting.shift();
        if (signal && signal.aborted && !done) { stop(); w.reject(abortError(signal)); continue; }
        if (done) { w.resolve({ value: undefined, done: true }); continue; }
        pending--;
        w.resolve({ value, done: false });
      }
    };
    const stop = () => {
      done = true;
      if (id !== null) { clearInterval_(id); id = null; }
      if (signal) signal.removeEventListener('abort', settle);
    };
    if (!(signal && signal.aborted)) {
      id = setInterval_(() => { pending++; settle(); }, ms);
      if (signal) signal.addEventListener('abort', settle);
    }
    return {
      next() {
        if (signal && signal.aborted && !done) { stop(); return Promise.reject(abortError(signal)); }
        return new Promise((resolve, reject) => { waiting.push({ resolve, reject }); settle(); });
      },
      return() {
        stop();
        settle();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
  const promises = {
    setTimeout: delay,
    setImmediate: (value, opts) => delay(0, value, opts),
    setInterval: interval,
    scheduler: { wait: (ms, opts) => delay(ms, undefined, opts), yield: () => delay(0) },
  };
  return {
    setTimeout: native.setTimeout, clearTimeout: native.clearTimeout,
    setInterval: setInterval_, clearInterval: clearInterval_,
    setImmediate, clearImmediate: native.clearTimeout,
    promises,
  };
})
