// node:timers and node:timers/promises (as .promises), over the runtime's event loop. setTimeout,
// setInterval, clearTimeout and clearInterval are the globals themselves (node.go's Timer).
(function (native, require) {
  'use strict';
  // Node's AbortError of timers/promises: the signal's reason is its cause.
  const abortError = (signal) => {
    const e = new Error('The operation was aborted', { cause: signal.reason });
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    return e;
  };
  const setImmediate = function setImmediate(fn, ...args) { return native.setTimeout(fn, 0, ...args); };
  const clearImmediate = function clearImmediate(id) { native.clearTimeout(id); };
  const delayed = (ms, value, opts) => new Promise((resolve, reject) => {
    const signal = opts && opts.signal;
    if (signal && signal.aborted) { reject(abortError(signal)); return; }
    const onAbort = () => { native.clearTimeout(id); reject(abortError(signal)); };
    const id = native.setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, ms);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
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
      if (id !== null) { native.clearInterval(id); id = null; }
      if (signal) signal.removeEventListener('abort', settle);
    };
    if (!(signal && signal.aborted)) {
      id = native.setInterval(() => { pending++; settle(); }, ms);
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
    setTimeout: function setTimeout(ms, value, opts) { return delayed(ms, value, opts); },
    setImmediate: function setImmediate(value, opts) { return delayed(0, value, opts); },
    setInterval: interval,
    scheduler: { wait: (ms, opts) => delayed(ms, undefined, opts), yield: () => delayed(0) },
  };
  Object.defineProperty(setImmediate, Symbol.for('nodejs.util.promisify.custom'), {
    enumerable: true, get() { return promises.setImmediate; },
  });
  return {
    setTimeout: native.setTimeout, clearTimeout: native.clearTimeout,
    setInterval: native.setInterval, clearInterval: native.clearInterval,
    setImmediate, clearImmediate,
    promises,
  };
})
