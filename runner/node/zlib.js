// node:zlib: gzip, deflate and raw deflate, both ways, as *Sync functions, callbacks, and
// streams. The streams buffer their whole input and convert it at the end (inputs are
// bounded: HTTP bodies are capped, and inflated output is capped at 64 MiB). Brotli is absent,
// so packages that look for createBrotliDecompress do not ask servers for br.
(function (native, require) {
  'use strict';
  const { Buffer } = require('buffer');
  const { Transform } = require('stream');
  const toU8 = (b) => {
    if (typeof b === 'string') return Buffer.from(b);
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    throw Object.assign(new TypeError('The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.'), { code: 'ERR_INVALID_ARG_TYPE' });
  };
  const inflate = (format) => (buf) => Buffer.from(native.inflate(toU8(buf), format));
  const deflate = (format) => (buf, opts) => Buffer.from(native.deflate(toU8(buf), format, opts && opts.level));
  const ops = {
    gzip: deflate('gzip'), gunzip: inflate('gzip'),
    deflate: deflate('zlib'), inflate: inflate('zlib'),
    deflateRaw: deflate('raw'), inflateRaw: inflate('raw'),
    unzip: inflate('unzip'),
  };
  const zlib = {};
  const streamNames = { gzip: 'Gzip', gunzip: 'Gunzip', deflate: 'Deflate', inflate: 'Inflate', deflateRaw: 'DeflateRaw', inflateRaw: 'InflateRaw', unzip: 'Unzip' };
  for (const [name, fn] of Object.entries(ops)) {
    zlib[name + 'Sync'] = (buf, opts) => fn(buf, opts);
    zlib[name] = (buf, opts, cb) => {
      if (typeof opts === 'function') { cb = opts; opts = {}; }
      let out, err = null;
      try { out = fn(buf, opts); } catch (e) { err = e; }
      native.process.nextTick(cb, err, out);
    };
    const cls = streamNames[name];
    const Ctor = function (opts) {
      if (!(this instanceof Ctor)) return new Ctor(opts);
      Transform.call(this, opts);
      this._chunks = [];
      this._opts = opts || {};
      this.bytesWritten = 0;
    };
    Object.setPrototypeOf(Ctor.prototype, Transform.prototype);
    Object.setPrototypeOf(Ctor, Transform);
    Object.defineProperty(Ctor, 'name', { value: cls });
    Ctor.prototype._transform = function (chunk, enc, cb) { this._chunks.push(chunk); this.bytesWritten += chunk.length; cb(); };
    Ctor.prototype._flush = function (cb) {
      let out;
      try { out = fn(Buffer.concat(this._chunks), this._opts); } catch (e) { cb(e); return; }
      this._chunks = [];
      cb(null, out);
    };
    Ctor.prototype.close = function (cb) { if (cb) native.process.nextTick(cb); this.destroy(); };
    Ctor.prototype.flush = function (kind, cb) { if (typeof kind === 'function') cb = kind; if (cb) native.process.nextTick(cb); };
    Ctor.prototype.params = function (l, s, cb) { if (cb) native.process.nextTick(cb); };
    Ctor.prototype.reset = function () { this._chunks = []; };
    zlib[cls] = Ctor;
    zlib['create' + cls] = (opts) => new Ctor(opts);
  }
  zlib.constants = {
    Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
    Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
    Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
    Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4865,
    DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
    Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
    Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
    Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
    Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
  };
  Object.assign(zlib, zlib.constants);
  zlib.crc32 = (data, value = 0) => {
    const b = toU8(data);
    let c = ~value >>> 0;
    for (let i = 0; i < b.length; i++) { c ^= b[i]; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
    return ~c >>> 0;
  };
  return zlib;
})
