// SHA-256 and MD5 in JS (crypto-js; js-sha256 and js-md5 hand the work to node:crypto when they
// see Node, which the runner also emulates) of a 64 KiB string: UTF-8 parse into 32-bit words,
// compress, hex out.
'use strict';
const { SHA256, MD5 } = require('crypto-js');

exports.setup = () => {
  let s = '';
  for (let i = 0; i < 64 * 1024; i++) s += String.fromCharCode(32 + ((i * 31 + 7) % 95));
  return { s };
};
exports.run = (st) => SHA256(st.s).toString() + ' ' + MD5(st.s).toString();
