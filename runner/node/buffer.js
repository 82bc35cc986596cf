// node:buffer. Buffer is a Uint8Array whose prototype adds Node's methods; encoding and decoding
// are Go natives (native.decode, native.encode, native.byteLength).
(function (native, require) {
  'use strict';
  const kMaxLength = 0x7fffffff;
  const encodings = new Set(['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le']);
  function normEnc(enc) {
    if (enc === undefined || enc === null) return 'utf8';
    const e = String(enc).toLowerCase();
    if (!encodings.has(e)) {
      const err = new TypeError(`Unknown encoding: ${enc}`);
      err.code = 'ERR_UNKNOWN_ENCODING';
      throw err;
    }
    switch (e) {
      case 'utf-8': return 'utf8';
      case 'binary': return 'latin1';
      case 'ucs2': case 'ucs-2': case 'utf-16le': return 'utf16le';
      default: return e;
    }
  }

  // Node's errors for arguments out of range (lib/internal/errors.js).
  const withCode = (e, code) => { e.code = code; return e; };
  const addNumericalSeparator = (val) => {
    let res = '', i = val.length;
    const start = val[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
    return `${val.slice(0, i)}${res}`;
  };
  function outOfRange(name, range, input) {
    let received;
    if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) received = addNumericalSeparator(String(input));
    else if (typeof input === 'bigint') {
      received = String(input);
      if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
      received += 'n';
    } else received = Object.is(input, -0) ? '-0' : String(input);
    return withCode(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${received}`), 'ERR_OUT_OF_RANGE');
  }
  const typeName = (v) => (v === null ? 'null' : typeof v === 'function' ? `function ${v.name}` : typeof v === 'object' ? (v.constructor && v.constructor.name ? `an instance of ${v.constructor.name}` : 'an object') : `type ${typeof v} (${typeof v === 'string' ? `'${v}'` : String(v)})`);
  const invalidArgType = (what, expected, v) => withCode(new TypeError(`The ${what} must be ${expected}. Received ${v === undefined ? 'undefined' : typeName(v)}`), 'ERR_INVALID_ARG_TYPE');

  class FastBuffer extends Uint8Array {}

  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === 'number') {
      if (typeof encodingOrOffset === 'string') {
        throw new TypeError('The "string" argument must be of type string. Received type number');
      }
      return Buffer.alloc(arg);
    }
    return Buffer.from(arg, encodingOrOffset, length);
  }
  Object.setPrototypeOf(Buffer, Uint8Array);
  Buffer.prototype = FastBuffer.prototype;
  Object.defineProperty(FastBuffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
  // species: slice/subarray/map/filter of a Buffer give Buffers
  Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });
  Buffer.poolSize = 8192;

  const fromAB = (ab, off, len) => new FastBuffer(ab, off, len);

  Buffer.from = function from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      const enc = normEnc(encodingOrOffset);
      if (enc === 'utf16le') return utf16Bytes(value);
      return fromAB(native.decode(value, enc));
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      const off = encodingOrOffset === undefined ? 0 : +encodingOrOffset;
      const len = length === undefined ? value.byteLength - off : +length;
      return new FastBuffer(value, off, len);
    }
    if (ArrayBuffer.isView(value)) {
      const u8 = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      const b = new FastBuffer(u8.length);
      b.set(u8);
      return b;
    }
    const expected = 'of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object';
    if (value == null) throw invalidArgType('first argument', expected, value);
    if (typeof value === 'object') {
      if (typeof value.valueOf === 'function') {
        const prim = value.valueOf();
        if (prim != null && prim !== value && (typeof prim === 'string' || typeof prim === 'object')) return Buffer.from(prim, encodingOrOffset, length);
      }
      if (value.type === 'Buffer' && Array.isArray(value.data)) return fromArrayLike(value.data);
      if (typeof value.length === 'number' || Array.isArray(value)) return fromArrayLike(value);
      if (typeof value[Symbol.toPrimitive] === 'function') return Buffer.from(value[Symbol.toPrimitive]('string'), encodingOrOffset, length);
    }
    throw invalidArgType('first argument', expected, value);
  };
  // UTF-16 goes code unit by code unit in JavaScript, so that lone surrogates survive both ways
  // as in Node (Go strings cannot hold them).
  function utf16Bytes(s) {
    const b = new FastBuffer(2 * s.length);
    for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); b[2 * i] = c & 255; b[2 * i + 1] = c >>> 8; }
    return b;
  }
  function utf16String(b, start, end) {
    let out = '';
    for (let i = start; i + 1 < end; i += 2 * 4096) {
      const units = [];
      for (let j = i; j + 1 < end && j < i + 2 * 4096; j += 2) units.push(b[j] | (b[j + 1] << 8));
      out += String.fromCharCode.apply(null, units);
    }
    return out;
  }
  function fromArrayLike(a) {
    const n = a.length >>> 0;
    const b = new FastBuffer(n);
    for (let i = 0; i < n; i++) b[i] = a[i] & 255;
    return b;
  }
  function checkSize(size) {
    if (typeof size !== 'number' || size < 0 || size > kMaxLength || size !== size) {
      const e = new RangeError(`The argument 'size' is invalid. Received ${size}`);
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
  }
  Buffer.alloc = function alloc(size, fill, encoding) {
    checkSize(size);
    const b = new FastBuffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, encoding);
    return b;
  };
  Buffer.allocUnsafe = function allocUnsafe(size) { checkSize(size); return new FastBuffer(size); };
  Buffer.allocUnsafeSlow = Buffer.allocUnsafe;
  Buffer.isBuffer = function isBuffer(b) { return b instanceof Buffer; };
  Buffer.isEncoding = function isEncoding(e) { return typeof e === 'string' && encodings.has(e.toLowerCase()); };
  Buffer.byteLength = function byteLength(s, enc) {
    if (typeof s !== 'string') {
      if (ArrayBuffer.isView(s) || s instanceof ArrayBuffer) return s.byteLength;
      throw new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    }
    return native.byteLength(s, normEnc(enc));
  };
  Buffer.concat = function concat(list, totalLength) {
    if (!Array.isArray(list)) throw new TypeError('The "list" argument must be an instance of Array.');
    if (list.length === 0) return new FastBuffer(0);
    if (totalLength === undefined) {
      totalLength = 0;
      for (const b of list) totalLength += b.length;
    }
    const out = Buffer.alloc(totalLength);
    let pos = 0;
    for (const b of list) {
      if (!(b instanceof Uint8Array)) throw new TypeError('The "list" argument must contain only Buffer or Uint8Array instances.');
      if (pos + b.length > totalLength) { out.set(b.subarray(0, totalLength - pos), pos); pos = totalLength; break; }
      out.set(b, pos);
      pos += b.length;
    }
    return out;
  };
  Buffer.compare = function compare(a, b) { return native.compare(a, b); };

  const P = FastBuffer.prototype;
  P.toString = function toString(encoding, start, end) {
    if (arguments.length === 0) return native.encode(this, 'utf8', 0, this.length);
    const len = this.length;
    start = start === undefined ? 0 : Math.max(0, start | 0);
    end = end === undefined ? len : Math.min(len, end | 0);
    if (end <= start) return '';
    const enc = normEnc(encoding);
    if (enc === 'utf16le') return utf16String(this, start, end);
    return native.encode(this, enc, start, end);
  };
  P.toLocaleString = P.toString;
  P.toJSON = function toJSON() { return { type: 'Buffer', data: Array.from(this) }; };
  P.equals = function equals(other) {
    if (!(other instanceof Uint8Array)) throw new TypeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array.');
    return native.compare(this, other) === 0;
  };
  P.compare = function compare(target, tStart = 0, tEnd = target.length, sStart = 0, sEnd = this.length) {
    return native.compare(this.subarray(sStart, sEnd), target.subarray(tStart, tEnd));
  };
  P.copy = function copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    targetStart = targetStart | 0; sourceStart = sourceStart | 0; sourceEnd = Math.min(sourceEnd | 0, this.length);
    if (sourceEnd <= sourceStart || targetStart >= target.length) return 0;
    const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
    target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  };
  P.slice = function slice(start, end) { return this.subarray(start, end); };
  const u8fill = Uint8Array.prototype.fill;
  P.fill = function fill(value, offset, end, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
    else if (typeof end === 'string') { encoding = end; end = this.length; }
    offset = offset === undefined ? 0 : offset | 0;
    end = end === undefined ? this.length : end | 0;
    if (typeof value === 'number' || typeof value === 'boolean') return u8fill.call(this, value & 255, offset, end);
    const src = typeof value === 'string' ? Buffer.from(value, encoding) : value;
    if (src.length === 0) return u8fill.call(this, 0, offset, end);
    for (let i = offset, j = 0; i < end; i++, j = (j + 1) % src.length) this[i] = src[j];
    return this;
  };
  P.write = function write(string, offset, length, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; length = this.length; }
    else if (typeof length === 'string') { encoding = length; length = this.length - offset; }
    offset = offset === undefined ? 0 : offset >>> 0;
    const src = Buffer.from(string, encoding);
    const n = Math.min(src.length, this.length - offset, length === undefined ? Infinity : length >>> 0);
    this.set(src.subarray(0, n), offset);
    return n;
  };
  function toBytes(v, encoding) {
    if (typeof v === 'string') return Buffer.from(v, encoding);
    if (typeof v === 'number') return Buffer.from([v & 255]);
    return v;
  }
  P.indexOf = function indexOf(value, byteOffset = 0, encoding) {
    if (typeof byteOffset === 'string') { encoding = byteOffset; byteOffset = 0; }
    return native.indexOf(this, toBytes(value, encoding), byteOffset | 0, false);
  };
  P.lastIndexOf = function lastIndexOf(value, byteOffset = this.length, encoding) {
    if (typeof byteOffset === 'string') { encoding = byteOffset; byteOffset = this.length; }
    return native.indexOf(this, toBytes(value, encoding), byteOffset | 0, true);
  };
  P.includes = function includes(value, byteOffset, encoding) { return this.indexOf(value, byteOffset, encoding) !== -1; };
  const swapper = (n) => function () {
    if (this.length % n !== 0) throw withCode(new RangeError(`Buffer size must be a multiple of ${n * 8}-bits`), 'ERR_INVALID_BUFFER_SIZE');
    for (let i = 0; i < this.length; i += n) Uint8Array.prototype.reverse.call(this.subarray(i, i + n));
    return this;
  };
  P.swap16 = swapper(2);
  P.swap32 = swapper(4);
  P.swap64 = swapper(8);
  P.reverse = function reverse() { Uint8Array.prototype.reverse.call(this); return this; };
  P.inspect = function inspect() {
    let s = '';
    const n = Math.min(this.length, 50);
    for (let i = 0; i < n; i++) s += (i ? ' ' : '') + (this[i] < 16 ? '0' : '') + this[i].toString(16);
    return `<Buffer${s ? ' ' + s : ''}${this.length > 50 ? ` ... ${this.length - 50} more bytes` : ''}>`;
  };

  // Fixed-width reads and writes through a DataView of the same memory.
  const dv = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  // bounds checks offset as Node's checkBounds does: a number, an integer, and n bytes from it
  // inside b.
  function bounds(b, off, n) {
    off = off === undefined ? 0 : off;
    if (typeof off !== 'number') throw invalidArgType('"offset" argument', 'of type number', off);
    if (!(off >= 0 && off + n <= b.length && Math.floor(off) === off)) {
      if (Math.floor(off) !== off) throw outOfRange('offset', 'an integer', off);
      if (b.length - n < 0) throw withCode(new RangeError('Attempt to access memory outside buffer bounds'), 'ERR_BUFFER_OUT_OF_BOUNDS');
      throw outOfRange('offset', `>= 0 and <= ${b.length - n}`, off);
    }
    return off;
  }
  // checkInt checks that value, to be written in n bytes, lies in [min, max], as Node does.
  function checkInt(value, min, max, n) {
    if (value > max || value < min) {
      const s = typeof min === 'bigint' ? 'n' : '';
      let range;
      if (n > 4) {
        if (min === 0 || min === 0n) range = `>= 0${s} and < 2${s} ** ${n * 8}${s}`;
        else range = `>= -(2${s} ** ${n * 8 - 1}${s}) and < 2${s} ** ${n * 8 - 1}${s}`;
      } else range = `>= ${min}${s} and <= ${max}${s}`;
      throw outOfRange('value', range, value);
    }
  }
  const intRange = (n, signed) => (signed ? [-(2 ** (8 * n - 1)), 2 ** (8 * n - 1) - 1] : [0, 2 ** (8 * n) - 1]);
  const bigRange = { BigInt64: [-(2n ** 63n), 2n ** 63n - 1n], BigUInt64: [0n, 2n ** 64n - 1n] };
  const rw = [
    ['UInt8', 1, 'getUint8', 'setUint8'], ['Int8', 1, 'getInt8', 'setInt8'],
    ['UInt16', 2, 'getUint16', 'setUint16'], ['Int16', 2, 'getInt16', 'setInt16'],
    ['UInt32', 4, 'getUint32', 'setUint32'], ['Int32', 4, 'getInt32', 'setInt32'],
    ['Float', 4, 'getFloat32', 'setFloat32'], ['Double', 8, 'getFloat64', 'setFloat64'],
    ['BigInt64', 8, 'getBigInt64', 'setBigInt64'], ['BigUInt64', 8, 'getBigUint64', 'setBigUint64'],
  ];
  for (const [name, n, get, set] of rw) {
    const ends = n === 1 ? [['', false]] : [['LE', true], ['BE', false]];
    for (const [suffix, little] of ends) {
      const r = function (offset) { offset = bounds(this, offset, n); return dv(this)[get](offset, little); };
      const range = name.startsWith('Big') ? bigRange[name] : name === 'Float' || name === 'Double' ? null : intRange(n, name.startsWith('Int'));
      const w = function (value, offset) {
        if (range) {
          if (!name.startsWith('Big')) value = +value;
          checkInt(value, range[0], range[1], n);
        }
        offset = bounds(this, offset, n);
        dv(this)[set](offset, value, little);
        return offset + n;
      };
      P['read' + name + suffix] = r;
      P['write' + name + suffix] = w;
      if (name.startsWith('UInt') || name === 'BigUInt64') {
        const alias = name.replace('UInt', 'Uint');
        P['read' + alias + suffix] = r;
        P['write' + alias + suffix] = w;
      }
    }
  }
  P.readUIntBE = function (offset, byteLength) { let v = 0; offset = bounds(this, offset, byteLength); for (let i = 0; i < byteLength; i++) v = v * 256 + this[offset + i]; return v; };
  P.readUIntLE = function (offset, byteLength) { let v = 0; offset = bounds(this, offset, byteLength); for (let i = byteLength - 1; i >= 0; i--) v = v * 256 + this[offset + i]; return v; };
  P.readIntBE = function (offset, byteLength) { const v = this.readUIntBE(offset, byteLength); const lim = 2 ** (8 * byteLength - 1); return v >= lim ? v - 2 * lim : v; };
  P.readIntLE = function (offset, byteLength) { const v = this.readUIntLE(offset, byteLength); const lim = 2 ** (8 * byteLength - 1); return v >= lim ? v - 2 * lim : v; };
  P.writeUIntBE = function (value, offset, byteLength) { value = +value; checkInt(value, ...intRange(byteLength, false), byteLength); offset = bounds(this, offset, byteLength); for (let i = byteLength - 1; i >= 0; i--) { this[offset + i] = value & 255; value = Math.floor(value / 256); } return offset + byteLength; };
  P.writeUIntLE = function (value, offset, byteLength) { value = +value; checkInt(value, ...intRange(byteLength, false), byteLength); offset = bounds(this, offset, byteLength); for (let i = 0; i < byteLength; i++) { this[offset + i] = value & 255; value = Math.floor(value / 256); } return offset + byteLength; };
  P.writeIntBE = function (value, offset, byteLength) { value = +value; checkInt(value, ...intRange(byteLength, true), byteLength); return this.writeUIntBE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength); };
  P.writeIntLE = function (value, offset, byteLength) { value = +value; checkInt(value, ...intRange(byteLength, true), byteLength); return this.writeUIntLE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength); };
  P.readUintBE = P.readUIntBE; P.readUintLE = P.readUIntLE; P.writeUintBE = P.writeUIntBE; P.writeUintLE = P.writeUIntLE;

  // utf8Slice & co, which some packages call directly.
  for (const enc of ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'ascii', 'utf16le']) {
    P[enc + 'Slice'] = function (start, end) { return this.toString(enc, start, end); };
    P[enc + 'Write'] = function (s, offset, length) { return this.write(s, offset, length, enc); };
  }
  P.ucs2Slice = P.utf16leSlice; P.ucs2Write = P.utf16leWrite;

  function SlowBuffer(size) { return Buffer.allocUnsafe(size); }
  const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: (1 << 29) - 24 };
  const atob_ = globalThis.atob, btoa_ = globalThis.btoa;
  native.shared(FastBuffer); // Buffer[Symbol.species]
  return {
    Buffer, SlowBuffer, kMaxLength, kStringMaxLength: constants.MAX_STRING_LENGTH, constants, INSPECT_MAX_BYTES: 50,
    atob: atob_, btoa: btoa_,
    isUtf8: (b) => native.isUtf8(b),
    isAscii: (b) => { for (let i = 0; i < b.length; i++) if (b[i] > 127) return false; return true; },
    transcode: () => { throw new Error('buffer.transcode is not available to actions'); },
    // The Web globals, made on first use (as they are as globals).
    get Blob() { return native.webGlobal('Blob'); },
    get File() { return native.webGlobal('File'); },
  };
})
