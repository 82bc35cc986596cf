// node:punycode, Node's deprecated built-in (punycode.js 2.1.0's API): Punycode (RFC 3492) encode
// and decode, toASCII and toUnicode of domain names and e-mail addresses, and ucs2. The algorithm
// follows punycode.js by Mathias Bynens (MIT licence), the one Node bundles.
(function (native, require) {
  'use strict';
  const maxInt = 2147483647, base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
  const initialBias = 72, initialN = 128, delimiter = '-';
  const regexPunycode = /^xn--/;
  const regexNonASCII = /[^\0-\x7F]/;
  const regexSeparators = /[\x2E\u3002\uFF0E\uFF61]/g;
  const errors = {
    'overflow': 'Overflow: input needs wider integers to process',
    'not-basic': 'Illegal input >= 0x80 (not a basic code point)',
    'invalid-input': 'Invalid input',
  };
  function error(type) { throw new RangeError(errors[type]); }
  function mapDomain(domain, fn) {
    const parts = domain.split('@');
    let result = '';
    if (parts.length > 1) {
      result = parts[0] + '@';
      domain = parts[1];
    }
    domain = domain.replace(regexSeparators, '\x2E');
    return result + domain.split('.').map(fn).join('.');
  }
  function ucs2decode(string) {
    const output = [];
    let counter = 0;
    const length = string.length;
    while (counter < length) {
      const value = string.charCodeAt(counter++);
      if (value >= 0xD800 && value <= 0xDBFF && counter < length) {
        const extra = string.charCodeAt(counter++);
        if ((extra & 0xFC00) === 0xDC00) {
          output.push(((value & 0x3FF) << 10) + (extra & 0x3FF) + 0x10000);
        } else {
          output.push(value);
          counter--;
        }
      } else {
        output.push(value);
      }
    }
    return output;
  }
  const ucs2encode = (codePoints) => String.fromCodePoint(...codePoints);
  function basicToDigit(codePoint) {
    if (codePoint >= 0x30 && codePoint < 0x3A) return 26 + (codePoint - 0x30);
    if (codePoint >= 0x41 && codePoint < 0x5B) return codePoint - 0x41;
    if (codePoint >= 0x61 && codePoint < 0x7B) return codePoint - 0x61;
    return base;
  }
  const digitToBasic = (digit, flag) => digit + 22 + 75 * (digit < 26) - ((flag != 0) << 5); // eslint-disable-line eqeqeq
  function adapt(delta, numPoints, firstTime) {
    let k = 0;
    delta = firstTime ? Math.floor(delta / damp) : delta >> 1;
    delta += Math.floor(delta / numPoints);
    for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = Math.floor(delta / (base - tMin));
    return Math.floor(k + (base - tMin + 1) * delta / (delta + skew));
  }
  function decode(input) {
    const output = [];
    const inputLength = input.length;
    let i = 0, n = initialN, bias = initialBias;
    let basic = input.lastIndexOf(delimiter);
    if (basic < 0) basic = 0;
    for (let j = 0; j < basic; ++j) {
      if (input.charCodeAt(j) >= 0x80) error('not-basic');
      output.push(input.charCodeAt(j));
    }
    for (let index = basic > 0 ? basic + 1 : 0; index < inputLength;) {
      const oldi = i;
      for (let w = 1, k = base; ; k += base) {
        if (index >= inputLength) error('invalid-input');
        const digit = basicToDigit(input.charCodeAt(index++));
        if (digit >= base) error('invalid-input');
        if (digit > Math.floor((maxInt - i) / w)) error('overflow');
        i += digit * w;
        const t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias);
        if (digit < t) break;
        const baseMinusT = base - t;
        if (w > Math.floor(maxInt / baseMinusT)) error('overflow');
        w *= baseMinusT;
      }
      const out = output.length + 1;
      bias = adapt(i - oldi, out, oldi == 0); // eslint-disable-line eqeqeq
      if (Math.floor(i / out) > maxInt - n) error('overflow');
      n += Math.floor(i / out);
      i %= out;
      output.splice(i++, 0, n);
    }
    return String.fromCodePoint(...output);
  }
  function encode(input) {
    const output = [];
    input = ucs2decode(input);
    const inputLength = input.length;
    let n = initialN, delta = 0, bias = initialBias;
    for (const currentValue of input) {
      if (currentValue < 0x80) output.push(String.fromCharCode(currentValue));
    }
    const basicLength = output.length;
    let handledCPCount = basicLength;
    if (basicLength) output.push(delimiter);
    while (handledCPCount < inputLength) {
      let m = maxInt;
      for (const currentValue of input) {
        if (currentValue >= n && currentValue < m) m = currentValue;
      }
      const handledCPCountPlusOne = handledCPCount + 1;
      if (m - n > Math.floor((maxInt - delta) / handledCPCountPlusOne)) error('overflow');
      delta += (m - n) * handledCPCountPlusOne;
      n = m;
      for (const currentValue of input) {
        if (currentValue < n && ++delta > maxInt) error('overflow');
        if (currentValue === n) {
          let q = delta;
          for (let k = base; ; k += base) {
            const t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias);
            if (q < t) break;
            const qMinusT = q - t;
            const baseMinusT = base - t;
            output.push(String.fromCharCode(digitToBasic(t + qMinusT % baseMinusT, 0)));
            q = Math.floor(qMinusT / baseMinusT);
          }
          output.push(String.fromCharCode(digitToBasic(q, 0)));
          bias = adapt(delta, handledCPCountPlusOne, handledCPCount === basicLength);
          delta = 0;
          ++handledCPCount;
        }
      }
      ++delta;
      ++n;
    }
    return output.join('');
  }
  const toUnicode = (input) => mapDomain(input, (s) => (regexPunycode.test(s) ? decode(s.slice(4).toLowerCase()) : s));
  const toASCII = (input) => mapDomain(input, (s) => (regexNonASCII.test(s) ? 'xn--' + encode(s) : s));
  return { version: '2.1.0', ucs2: { decode: ucs2decode, encode: ucs2encode }, decode, encode, toASCII, toUnicode };
})
