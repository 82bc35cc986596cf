// node:util: the parts packages reach for. format and inspect are the console's (Go).
(function (native, require) {
  'use strict';
  const base = native.prelude.util;
  const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom');
  const nativeInspect = native.inspect;
  // eslint-disable-next-line no-unused-vars
  const inspect = function inspect(value, opts) { return Reflect.apply(nativeInspect, undefined, arguments); };
  inspect.custom = Symbol.for('nodejs.util.inspect.custom');
  inspect.defaultOptions = {
    showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false, maxArrayLength: 100,
    maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false,
  };
  inspect.colors = Object.assign(Object.create(null), {
    reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], blink: [5, 25], inverse: [7, 27],
    hidden: [8, 28], strikethrough: [9, 29], doubleunderline: [21, 24], black: [30, 39], red: [31, 39], green: [32, 39],
    yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], white: [37, 39], bgBlack: [40, 49],
    bgRed: [41, 49], bgGreen: [42, 49], bgYellow: [43, 49], bgBlue: [44, 49], bgMagenta: [45, 49], bgCyan: [46, 49],
    bgWhite: [47, 49], framed: [51, 54], overlined: [53, 55], gray: [90, 39], redBright: [91, 39],
    greenBright: [92, 39], yellowBright: [93, 39], blueBright: [94, 39], magentaBright: [95, 39], cyanBright: [96, 39],
    whiteBright: [97, 39], bgGray: [100, 49], bgRedBright: [101, 49], bgGreenBright: [102, 49],
    bgYellowBright: [103, 49], bgBlueBright: [104, 49], bgMagentaBright: [105, 49], bgCyanBright: [106, 49],
    bgWhiteBright: [107, 49],
  });
  inspect.styles = Object.assign(Object.create(null), {
    special: 'cyan', number: 'yellow', bigint: 'yellow', boolean: 'yellow', undefined: 'grey', null: 'bold',
    string: 'green', symbol: 'green', date: 'magenta', regexp: 'red', module: 'underline',
  });
  function promisify(fn) {
    if (typeof fn !== 'function') throw Object.assign(new TypeError('The "original" argument must be of type function'), { code: 'ERR_INVALID_ARG_TYPE' });
    if (fn[kCustomPromisify]) return fn[kCustomPromisify];
    const p = function (...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => (err ? reject(err) : resolve(values.length > 1 ? values : values[0])));
      });
    };
    Object.setPrototypeOf(p, Object.getPrototypeOf(fn));
    Object.defineProperty(p, kCustomPromisify, { value: p });
    return p;
  }
  promisify.custom = kCustomPromisify;
  function callbackify(fn) {
    return function (...args) {
      const cb = args.pop();
      fn.apply(this, args).then((v) => native.process.nextTick(cb, null, v), (e) => native.process.nextTick(cb, e || Object.assign(new Error('Promise was rejected with a falsy value'), { reason: e })));
    };
  }
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  // Brand checks, as Node's (internal slots, not the prototype chain): a getter or method of the
  // class that throws on any other object.
  const gopd = Object.getOwnPropertyDescriptor;
  const brand = (fn) => (v) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
    try { fn(v); return true; } catch (e) { return false; }
  };
  const call = (f) => (v) => Reflect.apply(f, v, []);
  const taTag = gopd(TypedArray.prototype, Symbol.toStringTag).get;
  const typedArrayName = (v) => Reflect.apply(taTag, v, []);
  const isTA = (name) => (v) => typedArrayName(v) === name;
  const isDate = brand(call(Date.prototype.getTime));
  const isRegExp = brand(call(gopd(RegExp.prototype, 'source').get));
  const isArrayBuffer = brand(call(gopd(ArrayBuffer.prototype, 'byteLength').get));
  const isSharedArrayBuffer = typeof SharedArrayBuffer === 'function' ? brand(call(gopd(SharedArrayBuffer.prototype, 'byteLength').get)) : () => false;
  const isNumberObject = (v) => typeof v === 'object' && brand(call(Number.prototype.valueOf))(v);
  const isStringObject = (v) => typeof v === 'object' && brand(call(String.prototype.valueOf))(v);
  const isBooleanObject = (v) => typeof v === 'object' && brand(call(Boolean.prototype.valueOf))(v);
  const isBigIntObject = (v) => typeof v === 'object' && brand(call(BigInt.prototype.valueOf))(v);
  const isSymbolObject = (v) => typeof v === 'object' && brand(call(Symbol.prototype.valueOf))(v);
  const errorTag = (v) => {
    // [[ErrorData]]: Object.prototype.toString says "Error" unless a Symbol.toStringTag hides it.
    if (v === null || typeof v !== 'object') return false;
    if (Symbol.toStringTag in v) return v instanceof Error;
    return tag(v) === 'Error';
  };
  const types = {
    isPromise: native.isPromise,
    isDate,
    isRegExp: (v) => v !== RegExp.prototype && isRegExp(v),
    isMap: brand(call(gopd(Map.prototype, 'size').get)),
    isSet: brand(call(gopd(Set.prototype, 'size').get)),
    isMapIterator: (v) => tag(v) === 'Map Iterator',
    isSetIterator: (v) => tag(v) === 'Set Iterator',
    isWeakMap: brand((v) => WeakMap.prototype.has.call(v, {})),
    isWeakSet: brand((v) => WeakSet.prototype.has.call(v, {})),
    isNativeError: errorTag,
    isArrayBuffer,
    isAnyArrayBuffer: (v) => isArrayBuffer(v) || isSharedArrayBuffer(v),
    isSharedArrayBuffer,
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray: (v) => typedArrayName(v) !== undefined,
    isUint8Array: isTA('Uint8Array'),
    isUint8ClampedArray: isTA('Uint8ClampedArray'),
    isUint16Array: isTA('Uint16Array'),
    isUint32Array: isTA('Uint32Array'),
    isInt8Array: isTA('Int8Array'),
    isInt16Array: isTA('Int16Array'),
    isInt32Array: isTA('Int32Array'),
    isFloat32Array: isTA('Float32Array'),
    isFloat64Array: isTA('Float64Array'),
    isBigInt64Array: isTA('BigInt64Array'),
    isBigUint64Array: isTA('BigUint64Array'),
    isDataView: brand(call(gopd(DataView.prototype, 'byteLength').get)),
    isAsyncFunction: (v) => typeof v === 'function' && /^Async(Generator)?Function$/.test(tag(v)),
    isGeneratorFunction: (v) => typeof v === 'function' && /GeneratorFunction$/.test(tag(v)),
    isGeneratorObject: (v) => /^(Async)?Generator$/.test(tag(v)) && typeof v === 'object',
    isBoxedPrimitive: (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v),
    isNumberObject,
    isStringObject,
    isBooleanObject,
    isBigIntObject,
    isSymbolObject,
    isProxy: () => false,
    isExternal: () => false,
    isModuleNamespaceObject: () => false,
    isArgumentsObject: (v) => tag(v) === 'Arguments',
    isKeyObject: (v) => !!(v && v.constructor && v.constructor.name && /KeyObject$/.test(v.constructor.name)),
    isCryptoKey: (v) => !!(v && v.constructor && v.constructor.name === 'CryptoKey'),
  };
  function isDeepStrictEqual(a, b) { return deepEqual(a, b, true, new Map()); }
  function deepEqual(a, b, strict, seen) {
    if (strict ? Object.is(a, b) : (a == b)) return true; // eslint-disable-line eqeqeq
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
      return !strict && a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && a == b; // eslint-disable-line eqeqeq
    }
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (tag(a) !== tag(b)) return false;
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags;
    if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
    if (ArrayBuffer.isView(a)) {
      if (a.byteLength !== b.byteLength) return false;
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) { if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) return false; }
      return true;
    }
    if (a instanceof Set) {
      if (a.size !== b.size) return false;
      outer: for (const v of a) {
        if (b.has(v)) continue;
        if (typeof v === 'object') for (const w of b) if (deepEqual(v, w, strict, seen)) continue outer;
        return false;
      }
      return true;
    }
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k], strict, seen)) return false;
    }
    return true;
  }
  const util = {
    format: native.format,
    formatWithOptions: native.formatWithOptions,
    inspect,
    inherits: base.inherits,
    promisify,
    callbackify,
    deprecate: (fn) => fn,
    debuglog: () => { const f = () => {}; f.enabled = false; return f; }, // a function per call, as in Node
    debug: () => () => {},
    isDeepStrictEqual,
    types,
    TextEncoder: base.TextEncoder,
    TextDecoder: base.TextDecoder,
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === 'boolean',
    isBuffer: (v) => require('buffer').Buffer.isBuffer(v),
    isDate: types.isDate,
    isError: types.isNativeError,
    isFunction: (v) => typeof v === 'function',
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v == null,
    isNumber: (v) => typeof v === 'number',
    isObject: (v) => v !== null && typeof v === 'object',
    isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
    isRegExp: types.isRegExp,
    isString: (v) => typeof v === 'string',
    isSymbol: (v) => typeof v === 'symbol',
    isUndefined: (v) => v === undefined,
    stripVTControlCharacters: (s) => String(s).replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''),
    toUSVString: (s) => {
      s = `${s}`;
      let out = '';
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) { out += s[i] + s[i + 1]; i++; continue; }
        }
        out += c >= 0xd800 && c <= 0xdfff ? '\ufffd' : s[i];
      }
      return out;
    },
    styleText: (format, text) => {
      if (typeof text !== 'string') throw Object.assign(new TypeError(`The "text" argument must be of type string`), { code: 'ERR_INVALID_ARG_TYPE' });
      for (const f of Array.isArray(format) ? format : [format]) {
        const c = inspect.colors[f];
        if (c === undefined) throw Object.assign(new TypeError(`The argument 'format' must be one of: ${Object.keys(inspect.colors).join(', ')}. Received ${inspect(f)}`), { code: 'ERR_INVALID_ARG_VALUE' });
        text = `\u001b[${c[0]}m${text}\u001b[${c[1]}m`;
      }
      return text;
    },
    aborted: (signal) => new Promise((r) => signal.addEventListener('abort', r)),
    getSystemErrorName: (n) => `E${n}`,
    // Node's own (nodelib/parse_args.js), loaded on first call.
    parseArgs: (config = undefined) => require('\x00parse_args').parseArgs(config),
    _deepEqual: deepEqual,
    // Node's: own enumerable keys of an object source, last key first; anything else is ignored.
    _extend: function _extend(target, source) {
      if (source === null || typeof source !== 'object') return target;
      const keys = Object.keys(source);
      let i = keys.length;
      while (i--) target[keys[i]] = source[keys[i]];
      return target;
    },
  };
  util.types = types;
  return util;
})
