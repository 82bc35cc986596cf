// node:stream, minimal: Stream (legacy), Readable, Writable, Duplex, Transform, PassThrough,
// pipeline, finished and stream/promises. Enough for axios' Node build, jws, node-fetch and
// form-data; not a full implementation (no highWaterMark back-pressure accounting in objectMode,
// no readable.read(n) byte splitting of object chunks).
(function (native, require) {
  'use strict';
  const EventEmitter = require('events');
  const { Buffer } = require('buffer');
  const nextTick = (fn, ...args) => native.process.nextTick(fn, ...args);

  function inherits(C, P) {
    Object.setPrototypeOf(C.prototype, P.prototype);
    Object.setPrototypeOf(C, P);
  }

  function Stream(opts) { EventEmitter.call(this, opts); }
  inherits(Stream, EventEmitter);
  // Legacy pipe, for streams that emit 'data' and 'end' themselves.
  Stream.prototype.pipe = function (dest, options) {
    const source = this;
    function ondata(chunk) { if (dest.writable !== false && dest.write(chunk) === false && source.pause) source.pause(); }
    source.on('data', ondata);
    function ondrain() { if (source.readable !== false && source.resume) source.resume(); }
    dest.on('drain', ondrain);
    if (!options || options.end !== false) {
      source.on('end', () => dest.end());
    }
    source.on('error', (err) => { if (EventEmitter.prototype.listenerCount.call(source, 'error') === 1) throw err; });
    dest.emit('pipe', source);
    return dest;
  };

  function toChunk(stream, chunk, encoding) {
    if (stream._objectMode) return chunk;
    if (typeof chunk === 'string') return Buffer.from(chunk, encoding || stream._defaultEncoding || 'utf8');
    if (chunk instanceof Uint8Array) return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array'), { code: 'ERR_INVALID_ARG_TYPE' });
  }

  // ---- Readable ----
  function Readable(opts = {}) {
    if (!(this instanceof Readable)) return new Readable(opts);
    Stream.call(this, opts);
    this._rs = { buffer: [], length: 0, flowing: null, ended: false, endEmitted: false, reading: false,
      decoder: null, encoding: null, hwm: opts.highWaterMark ?? (opts.objectMode || opts.readableObjectMode ? 16 : 16384), pipes: [] };
    this._objectMode = !!(opts.objectMode || opts.readableObjectMode);
    this.readable = true;
    this.destroyed = false;
    if (typeof opts.read === 'function') this._read = opts.read;
    if (typeof opts.destroy === 'function') this._destroy = opts.destroy;
    if (opts.encoding) this.setEncoding(opts.encoding);
    if (opts.signal) opts.signal.addEventListener('abort', () => this.destroy(opts.signal.reason));
  }
  inherits(Readable, Stream);
  const R = Readable.prototype;
  Object.defineProperties(R, {
    readableEnded: { get() { return this._rs.endEmitted; } },
    readableFlowing: { get() { return this._rs.flowing; }, set(v) { this._rs.flowing = v; } },
    readableLength: { get() { return this._rs.length; } },
    readableObjectMode: { get() { return this._objectMode; } },
    readableHighWaterMark: { get() { return this._rs.hwm; } },
    readableEncoding: { get() { return this._rs.encoding; } },
    readableAborted: { get() { return this.destroyed && !this._rs.endEmitted; } },
    closed: { get() { return !!this._closed; } },
    errored: { get() { return this._errored || null; } },
  });
  R._read = function () { throw Object.assign(new Error('The _read() method is not implemented'), { code: 'ERR_METHOD_NOT_IMPLEMENTED' }); };
  R.push = function (chunk, encoding) {
    const rs = this._rs;
    if (this.destroyed) return false;
    rs.reading = false;
    if (chunk === null) {
      if (!rs.ended) { rs.ended = true; this._maybeEnd(); }
      return false;
    }
    if (rs.ended) { this.destroy(Object.assign(new Error('stream.push() after EOF'), { code: 'ERR_STREAM_PUSH_AFTER_EOF' })); return false; }
    chunk = toChunk(this, chunk, encoding);
    if (!this._objectMode && chunk.length === 0) { this._scheduleRead(); return rs.length < rs.hwm; }
    rs.buffer.push(chunk);
    rs.length += this._objectMode ? 1 : chunk.length;
    this._flow();
    if (rs.flowing !== true) this._emitReadable();
    return rs.length < rs.hwm;
  };
  R.unshift = function (chunk) {
    const rs = this._rs;
    chunk = toChunk(this, chunk);
    rs.buffer.unshift(chunk);
    rs.length += this._objectMode ? 1 : chunk.length;
  };
  R._emitReadable = function () {
    if (this._readableScheduled) return;
    this._readableScheduled = true;
    nextTick(() => { this._readableScheduled = false; if (!this.destroyed && (this._rs.length > 0 || this._rs.ended)) this.emit('readable'); });
  };
  R._decode = function (chunk) {
    const rs = this._rs;
    if (rs.decoder) return rs.decoder.write(chunk);
    return chunk;
  };
  R._flow = function () {
    const rs = this._rs;
    if (this._flowScheduled) return;
    this._flowScheduled = true;
    nextTick(() => {
      this._flowScheduled = false;
      while (rs.flowing === true && rs.buffer.length > 0 && !this.destroyed) {
        const chunk = rs.buffer.shift();
        rs.length -= this._objectMode ? 1 : chunk.length;
        const out = this._decode(chunk);
        if (out !== '' ) this.emit('data', out);
      }
      if (rs.flowing === true && !rs.ended) this._scheduleRead();
      this._maybeEnd();
    });
  };
  R._scheduleRead = function () {
    const rs = this._rs;
    if (rs.reading || rs.ended || this.destroyed || rs.length >= rs.hwm) return;
    rs.reading = true;
    nextTick(() => {
      if (this.destroyed || rs.ended) return;
      try { this._read(rs.hwm); } catch (e) { this.destroy(e); }
    });
  };
  R._maybeEnd = function () {
    const rs = this._rs;
    if (rs.ended && rs.length === 0 && !rs.endEmitted && !this._endScheduled) {
      if (rs.flowing !== true && this.listenerCount('readable') === 0 && this.listenerCount('end') === 0 && rs.pipes.length === 0 && !this._wantEnd) return;
      this._endScheduled = true;
      nextTick(() => {
        if (rs.endEmitted || rs.length > 0) { this._endScheduled = false; return; }
        if (rs.decoder) { const rest = rs.decoder.end(); if (rest) this.emit('data', rest); }
        rs.endEmitted = true;
        this.readable = false;
        this.emit('end');
        if (this._autoDestroy !== false && (!this._ws || this._ws.finished)) this.destroy();
      });
    }
  };
  R.read = function (n) {
    const rs = this._rs;
    if (rs.buffer.length === 0) {
      if (rs.ended) { this._wantEnd = true; this._maybeEnd(); } else this._scheduleRead();
      return null;
    }
    let out;
    if (this._objectMode) { out = rs.buffer.shift(); rs.length -= 1; }
    else if (n === undefined || n >= rs.length) {
      out = rs.buffer.length === 1 ? rs.buffer[0] : Buffer.concat(rs.buffer);
      rs.buffer = []; rs.length = 0;
    } else {
      const all = Buffer.concat(rs.buffer);
      out = all.subarray(0, n);
      const rest = all.subarray(n);
      rs.buffer = [rest]; rs.length = rest.length;
    }
    if (rs.ended && rs.length === 0) { this._wantEnd = true; this._maybeEnd(); } else this._scheduleRead();
    return this._decode(out);
  };
  R.setEncoding = function (enc) {
    const { StringDecoder } = require('string_decoder');
    this._rs.decoder = new StringDecoder(enc);
    this._rs.encoding = this._rs.decoder.encoding;
    return this;
  };
  R.on = function (ev, fn) {
    Stream.prototype.on.call(this, ev, fn);
    if (ev === 'data' && this._rs.flowing !== false) this.resume();
    else if (ev === 'readable') { this._rs.flowing = false; if (this._rs.length > 0 || this._rs.ended) this._emitReadable(); else this._scheduleRead(); }
    else if (ev === 'end' && this._rs.ended) this._maybeEnd();
    return this;
  };
  R.addListener = R.on;
  R.resume = function () {
    const rs = this._rs;
    rs.flowing = true;
    this.emit('resume');
    this._flow();
    if (rs.buffer.length === 0) this._scheduleRead();
    return this;
  };
  R.pause = function () {
    if (this._rs.flowing !== false) { this._rs.flowing = false; this.emit('pause'); }
    return this;
  };
  R.isPaused = function () { return this._rs.flowing === false; };
  R.pipe = function (dest, opts = {}) {
    const src = this;
    src._rs.pipes.push(dest);
    const ondata = (chunk) => { if (dest.write(chunk) === false) src.pause(); };
    const ondrain = () => src.resume();
    src.on('data', ondata);
    dest.on('drain', ondrain);
    if (opts.end !== false) src.once('end', () => dest.end());
    src._unpipe = src._unpipe || [];
    src._unpipe.push([dest, () => { src.removeListener('data', ondata); dest.removeListener('drain', ondrain); }]);
    dest.emit('pipe', src);
    return dest;
  };
  R.unpipe = function (dest) {
    for (const [d, undo] of this._unpipe || []) if (!dest || d === dest) { undo(); d.emit('unpipe', this); }
    this._rs.pipes = dest ? this._rs.pipes.filter((d) => d !== dest) : [];
    return this;
  };
  R.wrap = function (old) {
    old.on('data', (c) => this.push(c));
    old.on('end', () => this.push(null));
    old.on('error', (e) => this.destroy(e));
    this._read = () => {};
    return this;
  };
  function destroy(err, cb) {
    if (this.destroyed) { if (cb) cb(err); return this; }
    this.destroyed = true;
    if (err) this._errored = err;
    const done = (e) => {
      nextTick(() => {
        if (e) this.emit('error', e);
        this._closed = true;
        if (this._emitClose !== false) this.emit('close');
        if (cb) cb(e);
      });
    };
    if (this._destroy) {
      try { this._destroy(err || null, done); } catch (e) { done(e); }
    } else done(err);
    return this;
  }
  R.destroy = destroy;
  R[Symbol.asyncIterator] = function () {
    const stream = this;
    const queue = [];
    let waiting = null, done = false, error = null;
    stream.on('data', (c) => { if (waiting) { const w = waiting; waiting = null; w.resolve({ value: c, done: false }); } else queue.push(c); });
    stream.on('end', () => { done = true; if (waiting) { const w = waiting; waiting = null; w.resolve({ value: undefined, done: true }); } });
    stream.on('error', (e) => { error = e; if (waiting) { const w = waiting; waiting = null; w.reject(e); } });
    return {
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (error) return Promise.reject(error);
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => { waiting = { resolve, reject }; });
      },
      return() { stream.destroy(); return Promise.resolve({ value: undefined, done: true }); },
      [Symbol.asyncIterator]() { return this; },
    };
  };
  R.toArray = function () {
    return new Promise((resolve, reject) => {
      const out = [];
      this.on('data', (c) => out.push(c)); this.on('end', () => resolve(out)); this.on('error', reject);
    });
  };
  Readable.from = function (iterable, opts = {}) {
    const r = new Readable({ objectMode: true, ...opts, read() {} });
    if (typeof iterable === 'string' || iterable instanceof Uint8Array) {
      r.push(iterable); r.push(null); return r;
    }
    (async () => {
      try {
        if (iterable && typeof iterable[Symbol.iterator] === 'function') {
          for (const x of iterable) r.push(await x);
        } else if (iterable && typeof iterable[Symbol.asyncIterator] === 'function') {
          const it = iterable[Symbol.asyncIterator]();
          for (;;) { const { value, done } = await it.next(); if (done) break; r.push(value); }
        }
        r.push(null);
      } catch (e) { r.destroy(e); }
    })();
    return r;
  };
  Readable.isDisturbed = (s) => !!(s._rs && (s._rs.flowing !== null || s._rs.endEmitted));

  // ---- Writable ----
  function Writable(opts = {}) {
    if (!(this instanceof Writable) && !(this instanceof Duplex)) return new Writable(opts);
    Stream.call(this, opts);
    this._initWritable(opts);
  }
  inherits(Writable, Stream);
  const W = Writable.prototype;
  W._initWritable = function (opts) {
    this._ws = { queue: [], writing: false, length: 0, hwm: opts.highWaterMark ?? (opts.objectMode || opts.writableObjectMode ? 16 : 16384),
      ending: false, ended: false, finished: false, needDrain: false, corked: 0, finalCbs: [] };
    this._wObjectMode = !!(opts.objectMode || opts.writableObjectMode);
    this._decodeStrings = opts.decodeStrings !== false;
    this._defaultEncoding = opts.defaultEncoding || 'utf8';
    this.writable = true;
    this.destroyed = this.destroyed || false;
    if (typeof opts.write === 'function') this._write = opts.write;
    if (typeof opts.writev === 'function') this._writev = opts.writev;
    if (typeof opts.final === 'function') this._final = opts.final;
    if (typeof opts.destroy === 'function') this._destroy = opts.destroy;
  };
  Object.defineProperties(W, {
    writableEnded: { get() { return this._ws.ending; } },
    writableFinished: { get() { return this._ws.finished; } },
    writableLength: { get() { return this._ws.length; } },
    writableObjectMode: { get() { return this._wObjectMode; } },
    writableHighWaterMark: { get() { return this._ws.hwm; } },
    writableNeedDrain: { get() { return this._ws.needDrain; } },
    writableCorked: { get() { return this._ws.corked; } },
  });
  W._write = function (chunk, enc, cb) {
    if (this._writev) this._writev([{ chunk, encoding: enc }], cb);
    else throw Object.assign(new Error('The _write() method is not implemented'), { code: 'ERR_METHOD_NOT_IMPLEMENTED' });
  };
  W.write = function (chunk, encoding, cb) {
    if (typeof encoding === 'function') { cb = encoding; encoding = null; }
    const ws = this._ws;
    if (ws.ending) {
      const err = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
      nextTick(() => { if (cb) cb(err); this.emit('error', err); });
      return false;
    }
    if (chunk === null) throw Object.assign(new TypeError('May not write null values to stream'), { code: 'ERR_STREAM_NULL_VALUES' });
    let enc = encoding || this._defaultEncoding;
    if (!this._wObjectMode) {
      if (typeof chunk === 'string') {
        if (this._decodeStrings) { chunk = Buffer.from(chunk, enc); enc = 'buffer'; }
      } else if (chunk instanceof Uint8Array) { enc = 'buffer'; if (!Buffer.isBuffer(chunk)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); }
      else throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array'), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    ws.length += this._wObjectMode ? 1 : chunk.length;
    const ok = ws.length < ws.hwm;
    if (!ok) ws.needDrain = true;
    ws.queue.push({ chunk, enc, cb });
    this._doWrite();
    return ok;
  };
  W._doWrite = function () {
    const ws = this._ws;
    if (ws.writing || ws.corked || this.destroyed) return;
    const item = ws.queue.shift();
    if (!item) {
      if (ws.needDrain && ws.length === 0) { ws.needDrain = false; nextTick(() => this.emit('drain')); }
      if (ws.ending) this._finishMaybe();
      return;
    }
    ws.writing = true;
    let sync = true;
    const after = (err) => {
      ws.writing = false;
      ws.length -= this._wObjectMode ? 1 : item.chunk.length;
      const go = () => {
        if (item.cb) item.cb(err);
        if (err) { this.destroy(err); return; }
        this._doWrite();
      };
      if (sync) nextTick(go); else go();
    };
    try { this._write(item.chunk, item.enc, after); } catch (e) { after(e); }
    sync = false;
  };
  W.end = function (chunk, encoding, cb) {
    if (typeof chunk === 'function') { cb = chunk; chunk = null; encoding = null; }
    else if (typeof encoding === 'function') { cb = encoding; encoding = null; }
    if (chunk !== null && chunk !== undefined) this.write(chunk, encoding);
    const ws = this._ws;
    if (cb) { if (ws.finished) nextTick(cb); else this.once('finish', cb); }
    if (ws.ending) return this;
    ws.ending = true;
    ws.corked = 0;
    this._doWrite();
    return this;
  };
  W._finishMaybe = function () {
    const ws = this._ws;
    if (ws.finished || ws.finalCalled || ws.writing || ws.queue.length) return;
    ws.finalCalled = true;
    const finish = (err) => {
      if (err) { this.destroy(err); return; }
      ws.finished = true;
      this.writable = false;
      nextTick(() => {
        this.emit('finish');
        if (this._autoDestroy !== false && (!this._rs || this._rs.endEmitted || this._allowHalfOpen === false || !this.readable)) this.destroy();
      });
    };
    if (this._final) { try { this._final(finish); } catch (e) { finish(e); } } else finish();
  };
  W.cork = function () { this._ws.corked++; };
  W.uncork = function () { if (this._ws.corked) { this._ws.corked--; this._doWrite(); } };
  W.setDefaultEncoding = function (enc) { this._defaultEncoding = enc; return this; };
  W.destroy = destroy;

  // ---- Duplex, Transform, PassThrough ----
  function Duplex(opts = {}) {
    if (!(this instanceof Duplex)) return new Duplex(opts);
    Readable.call(this, opts);
    this._initWritable(opts);
    this._allowHalfOpen = opts.allowHalfOpen !== false;
    if (!this._allowHalfOpen) this.once('end', () => this.end());
  }
  inherits(Duplex, Readable);
  for (const k of Object.getOwnPropertyNames(W)) {
    if (k !== 'constructor' && !Object.prototype.hasOwnProperty.call(Duplex.prototype, k)) {
      Object.defineProperty(Duplex.prototype, k, Object.getOwnPropertyDescriptor(W, k));
    }
  }
  Duplex.prototype.destroy = destroy;
  Duplex.from = (x) => (x instanceof Duplex ? x : Readable.from(x));

  function Transform(opts = {}) {
    if (!(this instanceof Transform)) return new Transform(opts);
    Duplex.call(this, opts);
    if (typeof opts.transform === 'function') this._transform = opts.transform;
    if (typeof opts.flush === 'function') this._flush = opts.flush;
    this._read = function () {
      const cb = this._pendingCb;
      if (cb) { this._pendingCb = null; cb(); }
    };
  }
  inherits(Transform, Duplex);
  Transform.prototype._transform = function () { throw Object.assign(new Error('The _transform() method is not implemented'), { code: 'ERR_METHOD_NOT_IMPLEMENTED' }); };
  Transform.prototype._write = function (chunk, enc, cb) {
    this._transform(chunk, enc, (err, data) => {
      if (err) { cb(err); return; }
      if (data !== undefined && data !== null) this.push(data);
      if (this._rs.length < this._rs.hwm || this._rs.flowing) cb(); else this._pendingCb = cb;
    });
  };
  Transform.prototype._final = function (cb) {
    const done = (err, data) => {
      if (err) { cb(err); return; }
      if (data !== undefined && data !== null) this.push(data);
      this.push(null);
      cb();
    };
    if (this._flush) this._flush(done); else done();
  };

  function PassThrough(opts) {
    if (!(this instanceof PassThrough)) return new PassThrough(opts);
    Transform.call(this, opts);
  }
  inherits(PassThrough, Transform);
  PassThrough.prototype._transform = function (chunk, enc, cb) { cb(null, chunk); };

  // ---- helpers ----
  function eos(stream, opts, cb) {
    if (typeof opts === 'function') { cb = opts; opts = {}; }
    let called = false;
    const done = (err) => { if (!called) { called = true; cleanup(); cb.call(stream, err); } };
    const onend = () => done();
    const onfinish = () => { if (!stream._rs || stream._rs.endEmitted || opts.readable === false) done(); };
    const onerror = (err) => done(err);
    const onclose = () => {
      if (stream._rs && !stream._rs.endEmitted && opts.readable !== false && stream.readable !== false) return done(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
      done();
    };
    stream.on('end', onend); stream.on('finish', onfinish); stream.on('error', onerror); stream.on('close', onclose);
    function cleanup() { stream.removeListener('end', onend); stream.removeListener('finish', onfinish); stream.removeListener('error', onerror); stream.removeListener('close', onclose); }
    return cleanup;
  }
  function pipeline(...streams) {
    let cb = typeof streams[streams.length - 1] === 'function' ? streams.pop() : null;
    if (Array.isArray(streams[0])) streams = streams[0];
    if (streams.length < 2) throw Object.assign(new TypeError('The "streams" argument must be specified'), { code: 'ERR_MISSING_ARGS' });
    let error;
    let finished = 0;
    const destroys = [];
    const finish = (err) => {
      if (err && !error) { error = err; for (const s of streams) if (s.destroy && !s.destroyed) s.destroy(err); }
      if (++finished === streams.length || err) { const c = cb; cb = null; if (c) nextTick(c, error); }
    };
    for (let i = 0; i < streams.length; i++) {
      const s = streams[i];
      if (i < streams.length - 1) s.pipe(streams[i + 1]);
      destroys.push(eos(s, { readable: i < streams.length - 1, writable: i > 0 }, (err) => finish(err)));
    }
    return streams[streams.length - 1];
  }
  const promises = {
    pipeline: (...streams) => new Promise((resolve, reject) => pipeline(...streams, (err) => (err ? reject(err) : resolve()))),
    finished: (stream, opts) => new Promise((resolve, reject) => eos(stream, opts || {}, (err) => (err ? reject(err) : resolve()))),
  };

  Stream.Stream = Stream;
  Stream.Readable = Readable;
  Stream.Writable = Writable;
  Stream.Duplex = Duplex;
  Stream.Transform = Transform;
  Stream.PassThrough = PassThrough;
  Stream.pipeline = pipeline;
  Stream.finished = eos;
  Stream.promises = promises;
  Stream.addAbortSignal = (signal, stream) => { signal.addEventListener('abort', () => stream.destroy(signal.reason)); return stream; };
  Stream.isReadable = (s) => !!(s && s.readable && !s.destroyed);
  Stream.isErrored = (s) => !!(s && s._errored);
  Stream.getDefaultHighWaterMark = (objectMode) => (objectMode ? 16 : 16384);
  return Stream;
})
