// node:timers and node:timers/promises (as .promises), over the runtime's event loop.
(function (native, require) {
  'use strict';
  const g = globalThis;
  const setImmediate = (fn, ...args) => native.setTimeout(fn, 0, ...args);
  const promises = {
    setTimeout: (ms, value, opts) => new Promise((resolve, reject) => {
      const signal = opts && opts.signal;
      if (signal && signal.aborted) { reject(signal.reason); return; }
      const id = native.setTimeout(() => resolve(value), ms);
      if (signal) signal.addEventListener('abort', () => { native.clearTimeout(id); reject(signal.reason); });
    }),
    setImmediate: (value) => new Promise((resolve) => native.setTimeout(() => resolve(value), 0)),
    scheduler: { wait: (ms) => new Promise((r) => native.setTimeout(r, ms)), yield: () => Promise.resolve() },
  };
  return {
    setTimeout: native.setTimeout, clearTimeout: native.clearTimeout,
    setInterval: g.setInterval, clearInterval: g.clearInterval,
    setImmediate, clearImmediate: native.clearTimeout,
    promises,
  };
})
