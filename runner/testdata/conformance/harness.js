// The conformance harness (see README.md): the same text runs under Node and in the runner, before
// one module's cases (cases/<module>.js) and an epilogue that hands back what __run() returns.
//
// test(name, fn) registers a case; fn returns a value, or a promise of one, which show() turns
// into text independent of the built-ins under test (util.inspect is itself a case). A case that
// throws gives "throws <name> [<code>]", without the message, which a case returns itself when it
// matters. need(name) is require(name) that the runner's build does not scan, for the built-ins
// the runner may not have: a case that needs a missing one fails alone, not its whole module.
'use strict';
const __cases = [];
const __names = new Set();
function test(name, fn) {
  if (typeof name !== 'string' || name === '' || /[\t\n]/.test(name)) throw new Error('bad case name: ' + name);
  if (__names.has(name)) throw new Error('duplicate case name: ' + name);
  __names.add(name);
  __cases.push([name, fn]);
}
function need(name) { return require(name); }

const __hex = (u8) => { let s = ''; for (let i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16); return s; };
const __ctor = (o) => { const p = Object.getPrototypeOf(o); if (p === null) return '[null]'; const c = p.constructor; return typeof c === 'function' && c.name ? c.name : '?'; };
function show(v, seen, depth) {
  seen = seen || []; depth = depth || 0;
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'boolean': return String(v);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return v + 'n';
    case 'string': return JSON.stringify(v);
    case 'symbol': return 'Symbol(' + (v.description === undefined ? '' : v.description) + ')';
    case 'function': return '[function ' + v.name + ']';
  }
  if (v === null) return 'null';
  if (seen.includes(v)) return '[circular]';
  if (depth > 6) return '[deep]';
  const inner = (x) => show(x, seen.concat([v]), depth + 1);
  const tag = Object.prototype.toString.call(v);
  if (tag === '[object Error]' || v instanceof Error) return showError(v);
  if (ArrayBuffer.isView(v)) return __ctor(v) + '<' + __hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) + '>';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer<' + __hex(new Uint8Array(v)) + '>';
  if (Array.isArray(v)) {
    const items = [];
    for (let i = 0; i < v.length; i++) items.push(i in v ? inner(v[i]) : '<hole>');
    return '[' + items.join(',') + ']';
  }
  if (v instanceof Date) return 'Date(' + (isNaN(v.getTime()) ? 'invalid' : v.toISOString()) + ')';
  if (v instanceof RegExp) return String(v);
  if (v instanceof Map) return 'Map{' + Array.from(v, ([k, x]) => inner(k) + '=>' + inner(x)).join(',') + '}';
  if (v instanceof Set) return 'Set{' + Array.from(v, inner).join(',') + '}';
  if (v instanceof Promise) return 'Promise';
  const c = __ctor(v);
  return (c === 'Object' ? '' : c) + '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + inner(v[k])).join(',') + '}';
}
function showError(e) {
  if (e === null || typeof e !== 'object') return show(e);
  let s = String(e.name);
  if (e.code !== undefined) s += ' [' + e.code + ']';
  return s;
}

async function __run() {
  const out = [];
  for (const [name, fn] of __cases) {
    let r;
    try {
      let v = fn();
      if (v instanceof Promise) {
        let timer;
        const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('case did not settle within 5 s')), 5000); });
        try { v = await Promise.race([v, limit]); } finally { clearTimeout(timer); }
      }
      r = 'ok ' + show(v);
    } catch (e) {
      r = e && e.message === 'case did not settle within 5 s' ? 'timeout' : 'throws ' + showError(e);
    }
    out.push([name, r]);
  }
  return out;
}
