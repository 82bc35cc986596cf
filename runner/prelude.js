// What the runner adds to goja before anything else, to run code written for V8: the
// Symbol.asyncIterator of bundles and streams, Error.captureStackTrace and Annex B's
// __defineGetter__ family. It runs once per runtime, before any action or module code and before
// the Web and Node globals are made.
(function () {
  'use strict';
  // goja has no Symbol.asyncIterator. The for-await loops and async generators esbuild lowers in
  // bundles fall back to Symbol.for('Symbol.asyncIterator') (its __knownSymbol): that symbol is
  // Symbol.asyncIterator here, so that they and hand-written [Symbol.asyncIterator]() methods
  // (node:stream's Readable, node-fetch's body reading) meet.
  if (typeof Symbol.asyncIterator !== 'symbol') {
    Object.defineProperty(Symbol, 'asyncIterator', { value: Symbol.for('Symbol.asyncIterator') });
  }

  // V8's Error.captureStackTrace(target), which packages call in their Error subclasses
  // (node-fetch's FetchBaseError): it gives target a stack of the frames of its caller. Defined
  // here, before lockdown, it is a frozen built-in of the runtime like the others.
  const defineProperty = Object.defineProperty, errorToString = Error.prototype.toString;
  const Error_ = Error, String_ = String, apply = Reflect.apply, split = String.prototype.split;
  const captureStackTrace = function captureStackTrace(target) {
    if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      throw new TypeError('Invalid argument');
    }
    // The frames: goja's stack less its first line and this function's frame.
    const lines = apply(split, String_(new Error_().stack || ''), ['\n']);
    let header;
    try { header = apply(errorToString, target, []); } catch (e) { header = 'Error'; }
    let stack = header;
    for (let i = 2; i < lines.length; i++) stack += '\n' + lines[i];
    defineProperty(target, 'stack', { value: stack, writable: true, enumerable: false, configurable: true });
  };
  defineProperty(Error, 'captureStackTrace', { value: captureStackTrace, writable: true, enumerable: false, configurable: true });

  // Annex B's Object.prototype.__defineGetter__, __defineSetter__, __lookupGetter__ and
  // __lookupSetter__, which goja lacks and packages still call (pg's defaults:
  // module.exports.__defineSetter__('parseInt8', ...)). Defined here, before lockdown, like the rest.
  const ObjectProto = Object.prototype, Object_ = Object, getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const toKey = (p) => (typeof p === 'symbol' ? p : String_(p));
  const toObject = (v) => {
    if (v === null || v === undefined) throw new TypeError('Cannot convert undefined or null to object');
    return Object_(v);
  };
  const method = (name, f) => {
    defineProperty(f, 'name', { value: name, configurable: true });
    defineProperty(ObjectProto, name, { value: f, writable: true, enumerable: false, configurable: true });
  };
  const definer = (kind, name) => method(name, function (p, fn) {
    const o = toObject(this);
    if (typeof fn !== 'function') throw new TypeError(`Object.prototype.${name}: Expecting function`);
    defineProperty(o, toKey(p), { [kind]: fn, enumerable: true, configurable: true });
  });
  const looker = (kind, name) => method(name, function (p) {
    const key = toKey(p);
    for (let o = toObject(this); o !== null; o = getPrototypeOf(o)) {
      const d = getOwnPropertyDescriptor(o, key);
      if (d) return d[kind];
    }
    return undefined;
  });
  definer('get', '__defineGetter__');
  definer('set', '__defineSetter__');
  looker('get', '__lookupGetter__');
  looker('set', '__lookupSetter__');
})
