// The measuring loop both engines run. prepare: the case's setup and its warm-up runs (untimed);
// timed: iters runs of the op, the caller measuring the CPU time and wall time around it (Node
// in node.js, the runner in main.go around the execution). timed digests the last result so
// that the two engines are seen to do the same work (main.go compares the digests).
'use strict';

function digest(v) {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return s.length + ':' + h.toString(16);
}

exports.prepare = function (c, input, warm) {
  const st = c.setup(input);
  for (let i = 0; i < warm; i++) c.run(st);
  return st;
};

exports.timed = function (c, st, iters) {
  let out;
  for (let i = 0; i < iters; i++) out = c.run(st);
  return digest(out);
};
