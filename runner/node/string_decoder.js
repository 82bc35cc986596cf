// node:string_decoder: decodes Buffers into strings without splitting multi-byte characters.
(function (native, require) {
  'use strict';
  const { Buffer } = require('buffer');
  function norm(enc) {
    const e = String(enc || 'utf8').toLowerCase();
    if (e === 'utf-8') return 'utf8';
    if (e === 'binary') return 'latin1';
    if (e === 'ucs2' || e === 'ucs-2' || e === 'utf-16le') return 'utf16le';
    if (!Buffer.isEncoding(e)) throw Object.assign(new TypeError(`Unknown encoding: ${enc}`), { code: 'ERR_UNKNOWN_ENCODING' });
    return e;
  }
  class StringDecoder {
    constructor(encoding) {
      this.encoding = norm(encoding);
      this._rest = Buffer.alloc(0);
    }
    // complete returns how many leading bytes of b end on a character boundary.
    _complete(b) {
      const enc = this.encoding;
      if (enc === 'utf8') {
        let i = b.length - 1, back = 0;
        while (i >= 0 && back < 4 && (b[i] & 0xc0) === 0x80) { i--; back++; }
        if (i < 0) return b.length;
        const c = b[i];
        const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return need > back + 1 ? i : b.length;
      }
      if (enc === 'utf16le') {
        let n = b.length - (b.length % 2);
        if (n >= 2 && b[n - 1] >= 0xd8 && b[n - 1] <= 0xdb) n -= 2; // hold a high surrogate for its pair
        return n;
      }
      if (enc === 'base64' || enc === 'base64url') return b.length - (b.length % 3);
      return b.length;
    }
    write(buf) {
      if (typeof buf === 'string') return buf;
      let b = this._rest.length ? Buffer.concat([this._rest, buf]) : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      const n = this._complete(b);
      this._rest = Buffer.from(b.subarray(n));
      return b.toString(this.encoding, 0, n);
    }
    end(buf) {
      let out = buf ? this.write(buf) : '';
      if (this._rest.length) { out += this._rest.toString(this.encoding); this._rest = Buffer.alloc(0); }
      return out;
    }
    text(buf, offset) { return this.write(buf.subarray(offset)); }
    // lastTotal is the byte length of the character being held, lastNeed how many of its bytes
    // are still to come (both 0 when nothing is held), as in Node.
    get lastTotal() {
      const r = this._rest;
      if (!r.length) return 0;
      switch (this.encoding) {
        case 'utf8': return r[0] >= 0xf0 ? 4 : r[0] >= 0xe0 ? 3 : 2;
        case 'utf16le': return r.length >= 2 ? 4 : 2;
        default: return 3; // base64
      }
    }
    get lastNeed() { return this.lastTotal - this._rest.length; }
  }
  return { StringDecoder };
})
