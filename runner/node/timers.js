// node:timers and node:timers/promises (as .promises), over the runtime's event loop. setTimeout,
// setInterval, clearTimeout and clearInterval are the globals themselves (node.go's Timer).
(function (native, require) {
  'use strict';
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
  const promises = {
    setTimeout: function setTimeout(ms, value, opts) { return delayed(ms, value, opts); },
    setImmediate: function setImmediate(value, opts) { return delayed(0, value, opts); },
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
