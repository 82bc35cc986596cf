// The victim of the escape corpus (escape_test.go): a module that does the ordinary things modules
// do with their secret, actions.secrets.KEY. run(arg) computes every operation below, sends the
// results with its secret to its own sink (actions.secrets.SINK), and returns to the action only
// what is not secret: digests, and the names of the operations that threw. Sloppy mode on
// purpose: most CommonJS code is.
const crypto = require('crypto');
const util = require('util');
const EventEmitter = require('events');
const { Readable } = require('stream');
const { StringDecoder } = require('string_decoder');
const querystring = require('querystring');
const timers = require('timers');

// A sloppy helper that takes the secret as a parameter and reads the caller's object: what a
// caller-chain walk (fn.caller, arguments.callee.caller.arguments) would go after.
function withKey(key, opts) {
  return `${opts.prefix}:${key}`;
}

exports.helperLength = (k) => k.length;

const ops = {
  hmac: (s) => crypto.createHmac('sha256', s).update('msg').digest('hex'),
  hmacKeyObject: (s) => crypto.createHmac('sha256', crypto.createSecretKey(Buffer.from(s))).update('msg').digest('hex'),
  hash: (s) => crypto.createHash('sha256').update(s).digest('base64'),
  subtle: async (s) => {
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(s), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('msg'))).toString('hex');
  },
  subtleGlobal: async (s) => {
    const key = await globalThis.crypto.subtle.importKey('raw', Buffer.from(s), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
    const sig = await globalThis.crypto.subtle.sign({ name: 'HMAC' }, key, Buffer.from(s));
    const raw = await globalThis.crypto.subtle.exportKey('raw', key);
    return Buffer.from(sig).toString('base64') + '|' + (Buffer.from(raw).toString() === s);
  },
  cipher: (s) => {
    // AES-128-GCM under the secret itself (16 bytes), through a KeyObject.
    const key = crypto.createSecretKey(Buffer.from(s));
    const iv = Buffer.alloc(12, 1);
    const c = crypto.createCipheriv('aes-128-gcm', key, iv);
    const enc = Buffer.concat([c.update(s, 'utf8'), c.final()]);
    const tag = c.getAuthTag();
    const d = crypto.createDecipheriv('aes-128-gcm', key, iv);
    d.setAuthTag(tag);
    const dec = d.update(enc, undefined, 'utf8') + d.final('utf8');
    return enc.toString('hex') + tag.toString('hex') + '|' + (dec === s) + '|' + key.symmetricKeySize;
  },
  cipherCBC: (s) => {
    const c = crypto.createCipheriv('aes-128-cbc', Buffer.from(s), Buffer.alloc(16, 2));
    const enc = c.update(s, 'utf8', 'hex') + c.final('hex');
    const d = crypto.createDecipheriv('aes-128-cbc', Buffer.from(s), Buffer.alloc(16, 2));
    return enc + '|' + (d.update(enc, 'hex', 'utf8') + d.final('utf8') === s);
  },
  timingSafeEqual: (s) => String(crypto.timingSafeEqual(Buffer.from(s), Buffer.from(s))),
  json: (s) => JSON.stringify({ client_secret: s, n: 1 }),
  jsonParse: (s) => JSON.parse(`{"k":${JSON.stringify(s)}}`).k,
  jsonReviver: (s) => JSON.stringify(JSON.parse(JSON.stringify({ a: [s] }), (k, v) => v), null, 1),
  template: (s) => `Bearer ${s}`,
  concat: (s) => 'Basic '.concat(s) + '|' + ('k=' + s),
  replace: (s) => s.replace(/ /g, '_') + '|' + s.replaceAll('/', '.') + '|' + s.replace(' ', '-'),
  split: (s) => s.split('/').join('|') + '|' + s.split('').length,
  slice: (s) => s.slice(3, 9) + s.substring(1, 4) + s.charAt(0) + s[1] + s.at(-1),
  pad: (s) => s.padStart(20, '*') + s.padEnd(18, '.'),
  trimCase: (s) => (' ' + s + ' ').trim().toUpperCase() + s.toLowerCase(),
  charCodes: (s) => String.fromCharCode(...s.split('').map((c) => c.charCodeAt(0))) === s ? 'same' : 'differs',
  buffer: (s) => Buffer.from(s).toString('base64') + '|' + Buffer.from(s).toString('hex') + '|' + Buffer.from(s).toString('base64url') +
    '|' + Buffer.from(Buffer.from(s).toString('hex'), 'hex').toString(),
  bufferOps: (s) => Array.from(Buffer.from(s).subarray(0, 4)).join() + '|' + Buffer.concat([Buffer.from(s)]).toString() + '|' +
    Buffer.from(s).slice(1).toString('latin1') + '|' + Buffer.alloc(16).fill(s).equals(Buffer.from(s)) + '|' + Buffer.from(s).length,
  btoa: (s) => btoa(s) + '|' + atob(btoa(s)),
  uri: (s) => encodeURIComponent(s) + '|' + decodeURIComponent(encodeURIComponent(s)) + '|' + encodeURI('https://x.example/' + s),
  form: (s) => new URLSearchParams({ grant_type: 'client_credentials', client_secret: s }).toString(),
  formIterate: (s) => {
    const p = new URLSearchParams({ client_secret: s });
    p.append('x', s);
    const a = [];
    for (const [k, v] of p) a.push(k + '=' + v);
    p.forEach((v, k) => a.push(k + ':' + v));
    return a.join('&') + '|' + [...p.values()].join() + '|' + [...p.keys()].join() + '|' + p.get('x') + '|' + [...p.entries()].length;
  },
  headers: (s) => {
    const h = new Headers({ authorization: 'Bearer ' + s });
    h.set('x-key', s);
    h.append('x-key', 'second');
    const a = [];
    for (const [k, v] of h) a.push(k + '=' + v);
    h.forEach((v, k) => a.push(k));
    return a.join('&') + '|' + h.get('x-key') + '|' + [...h.values()].length;
  },
  request: async (s) => {
    const r = new Request('http://sink.invalid/p', { method: 'POST', headers: { 'x-key': s }, body: s });
    return r.headers.get('x-key') + '|' + await r.text() + '|' + r.method;
  },
  response: async (s) => {
    const r = new Response(JSON.stringify({ k: s }), { headers: { 'x-key': s } });
    return (await r.json()).k + '|' + r.headers.get('x-key') + '|' + r.status;
  },
  fetch: async (s) => {
    const r = await fetch(actions.secrets.SINK + '/module/fetch', {
      method: 'POST', headers: { 'x-key': s, authorization: 'Bearer ' + s },
      body: new URLSearchParams({ client_secret: s }),
    });
    return r.status + ':' + await r.text();
  },
  fetchAbortable: async (s) => {
    const c = new AbortController();
    const r = await fetch(new Request(actions.secrets.SINK + '/module/request', { method: 'PUT', headers: new Headers([['x-key', s]]), body: JSON.stringify({ s }), signal: c.signal }));
    return r.status + ':' + (await r.arrayBuffer()).byteLength;
  },
  array: (s) => [s, 'b', 'a'].map((x) => x + '!').sort().join(',') + '|' +
    (() => { const a = []; a.push(s); a.unshift('u'); return a.concat([s]).filter(Boolean).reverse().join(); })() + '|' +
    [s].flatMap((x) => [x, x.length]).join() + '|' + Array.of(s).indexOf(s) + [s].includes(s) + [s].find((x) => x === s) +
    '|' + [[1, s]].map(([, v]) => v).pop() + '|' + [3, 1, 2].sort((a, b) => a - b).reduce((a, b) => a + b, s),
  promise: async (s) => await Promise.resolve(s).then((x) => x + '1').then((x) => x.slice(0, -1)) + '|' +
    await new Promise((r) => r(s)) + '|' + (await Promise.all([s, Promise.resolve(s)])).join() + '|' +
    await Promise.race([s]) + '|' + (await Promise.allSettled([Promise.reject(new Error(s))]))[0].reason.message + '|' +
    await Promise.reject(s).catch((e) => e).finally(() => {}),
  async: async (s) => await (async () => s)() + '|' + await (async function () { return await Promise.resolve(s); })() +
    '|' + await (async () => { let o = ''; for (const p of [Promise.resolve(s)]) o += await p; return o; })(),
  mapSet: (s) => {
    const m = new Map([['k', s]]);
    m.set('k2', s);
    const set = new Set([s]);
    set.add(s + '2');
    return m.get('k') + '|' + [...set][0] + '|' + [...new Map([[s, 1]]).keys()][0] + '|' + [...m.values()].join() + '|' +
      [...m.entries()].length + '|' + [...set.values()].join() + '|' + (() => { let o = ''; m.forEach((v) => { o += v; }); set.forEach((v) => { o += v; }); return o; })();
  },
  weak: (s) => { const k = {}; const w = new WeakMap([[k, s]]); return w.get(k) + '|' + (typeof WeakRef === 'function' ? new WeakRef(k).deref() === k : 'no WeakRef'); },
  regexp: (s) => s.replace(/[a-z]/g, (c) => c.toUpperCase()) + '|' + (/^(esc)(.*)$/.exec(s) || [])[2] + '|' +
    [...s.matchAll(/[0-9]/g)].map((m) => m[0]).join('') + '|' + s.split(/\s/).join(',') + '|' + s.match(/Q(\d)/)[1] + '|' +
    s.search(/\//) + '|' + /K2/.test(s) + '|' + new RegExp('m\\+').exec(s).index + '|' + s.replace(/(Q)(7)/, '$2$1'),
  date: (s) => new Date(0).toISOString() + '|' + s + '|' + Date.UTC(2020, 0, 1) + '|' + JSON.stringify({ d: new Date(0), s }),
  error: (s) => { try { throw new Error('bad key ' + s); } catch (e) { return e.message + '|' + (e instanceof Error) + '|' + String(e); } },
  errorProps: (s) => { const e = new TypeError('t', { cause: s }); e.key = s; return e.key + '|' + e.cause + '|' + e.name; },
  errorSubclass: (s) => {
    class AuthError extends Error { constructor(m, k) { super(m); this.name = 'AuthError'; this.key = k; Error.captureStackTrace(this, AuthError); } }
    try { throw new AuthError('denied', s); } catch (e) { return e.key + '|' + String(e) + '|' + (e instanceof AuthError); }
  },
  builtinError: (s) => { try { JSON.parse('{' + s); } catch (e) { return e.name + '|' + (e instanceof SyntaxError); } return 'parsed'; },
  structuredClone: (s) => structuredClone({ k: s, a: [s], m: new Map([[1, s]]) }).a[0],
  textEncoder: (s) => Buffer.from(new TextEncoder().encode(s)).toString('hex') + '|' + new TextDecoder().decode(new TextEncoder().encode(s)) +
    '|' + new TextDecoder('utf-8').decode(Buffer.from(s)),
  util: (s) => util.format('%s:%j:%d', s, { k: s }, 7) + '|' + util.inspect({ k: s }) + '|' + util.inspect(s) + '|' + util.types.isDate(new Date()),
  utilPromisify: async (s) => await util.promisify((v, cb) => cb(null, v))(s),
  emitter: (s) => {
    const e = new EventEmitter();
    let got = '';
    e.on('k', (v) => { got += v; });
    e.once('k', (v) => { got += '|' + v; });
    e.emit('k', s);
    e.emit('k', s);
    e.prependListener('j', (v) => { got += '^' + v; });
    e.emit('j', s);
    return got + '|' + e.listenerCount('k');
  },
  emitterSubclass: (s) => {
    class Client extends EventEmitter { login(k) { this.emit('login', k); } }
    const c = new Client();
    let got;
    c.on('login', (k) => { got = k; });
    c.login(s);
    return got;
  },
  timers: async (s) => await new Promise((r) => setTimeout(r, 0, s)) + '|' + await new Promise((r) => setImmediate(r, s)) + '|' +
    await timers.promises.setTimeout(1, s) + '|' +
    (() => { const t = setTimeout(() => {}, 1000, s); const r = [typeof t, t.unref() === t, t.ref() === t, t.hasRef(), t.refresh() === t, +t > 0]; clearTimeout(t); return r.join(); })() + '|' +
    (() => { const i = setImmediate(() => {}, s); const r = [typeof i, i.hasRef(), i.unref() === i]; clearImmediate(i); return r.join(); })() + '|' +
    await new Promise((r) => { const t = timers.setTimeout((v) => r(v), 0, s); return t; }) + '|' +
    await new Promise((r) => { const i = setInterval((v) => { clearInterval(i); r(v); }, 1, s); }),
  microtasks: async (s) => await new Promise((r) => queueMicrotask(() => r(s))) + '|' + await new Promise((r) => process.nextTick(r, s)),
  stream: async (s) => await new Promise((res) => {
    const r = new Readable({ read() {} });
    let got = '';
    r.on('data', (d) => { got += d; });
    r.on('end', () => res(got));
    r.push(s);
    r.push(null);
  }),
  streamFrom: async (s) => await new Promise((res, rej) => {
    let o = '';
    const r = Readable.from([s, s]);
    r.on('data', (c) => { o += c; });
    r.on('end', () => res(o));
    r.on('error', rej);
  }),
  stringDecoder: (s) => new StringDecoder('utf8').write(Buffer.from(s)),
  querystring: (s) => querystring.stringify({ client_secret: s }) + '|' + querystring.parse('k=' + encodeURIComponent(s)).k,
  url: (s) => new URL('https://api.example/?k=' + encodeURIComponent(s)).searchParams.get('k') + '|' +
    new URL('https://u:' + encodeURIComponent(s) + '@api.example/').password + '|' +
    (() => { const u = new URL('https://api.example/'); u.searchParams.set('k', s); return u.href; })(),
  abort: (s) => {
    const c = new AbortController();
    let got = '';
    c.signal.addEventListener('abort', () => { got = String(c.signal.reason); });
    c.abort(s);
    return got + '|' + c.signal.aborted;
  },
  blob: async (s) => typeof Blob === 'function' ? await new Blob([s]).text() : 'no Blob',
  getters: (s) => { const o = { get k() { return s; } }; return o.k + Object.getOwnPropertyDescriptor(o, 'k').get(); },
  reflect: (s) => Reflect.apply(String.prototype.toUpperCase, s, []) + Reflect.get({ k: s }, 'k') + Reflect.ownKeys({ [s]: 1 })[0] +
    Reflect.construct(String, [s]).valueOf(),
  objectStatics: (s) => Object.entries({ k: s })[0][1] + Object.values({ k: s })[0] + Object.keys({ [s]: 1 })[0] +
    Object.assign({}, { k: s }).k + Object.fromEntries([['k', s]]).k + Object.getOwnPropertyNames({ [s]: 1 })[0] +
    Object.freeze({ k: s }).k + Object.create(null, { k: { value: s } }).k,
  callApplyBind: (s) => String.prototype.trim.call(' ' + s) + String.prototype.trim.apply(s, []) + String.prototype.trim.bind(s)() +
    ((function () { return this; }).call({ s }).s),
  generator: (s) => [...(function* () { yield s; yield* [s]; })()].join() + '|' + Array.from({ length: 1 }, () => s)[0],
  destructure: (s) => { const [a, ...rest] = [s, s]; const { k, ...more } = { k: s, j: s }; return a + k + rest.length + more.j; },
  symbol: (s) => Symbol(s).description + '|' + String(Symbol(s)),
  props: (s) => {
    const o = {};
    o.client_secret = s;
    const a = [];
    a[0] = s;
    a.token = s;
    a.length = 1;
    const f = function () {};
    f.meta = s;
    const m = new Map();
    m.key = s;
    const e = new Error('x');
    e.key = s;
    const em = new EventEmitter();
    em.key = s;
    const h = new Headers();
    h.key = s;
    const b = Buffer.from('x');
    b.key = s;
    const p = Promise.resolve();
    p.key = s;
    return [o.client_secret, a[0], a.token, f.meta, m.key, e.key, em.key, h.key, b.key, p.key].join(',');
  },
  args: async (s, arg) => `${arg.prefix}:${s}` + '|' + (arg.count + 1) + '|' + arg.user.id + '|' + [arg.prefix, s].join('/') + '|' +
    String(arg.label).concat(s) + '|' + JSON.stringify({ ...arg.extra, k: s }) + '|' + await arg.ready + '|' + withKey(s, arg),
  exportsCall: (s) => String(module.exports.helperLength(s)) + '|' + String(exports.helperLength(s)),
  transport: (s) => {
    // Feature detection as axios, superagent and polyfills do it.
    if (typeof XMLHttpRequest === 'function') {
      const x = new XMLHttpRequest();
      x.open('POST', actions.secrets.SINK + '/module/xhr');
      x.setRequestHeader('x-key', s);
      x.send(s);
      return 'xhr';
    }
    if (typeof navigator !== 'undefined' && navigator && typeof navigator.sendBeacon === 'function') { navigator.sendBeacon(actions.secrets.SINK, s); return 'beacon'; }
    if (typeof window !== 'undefined' && window && typeof window.fetch === 'function') { window.fetch(actions.secrets.SINK, { body: s }); return 'window'; }
    if (typeof self !== 'undefined' && self && self.postMessage) { self.postMessage(s); return 'self'; }
    return typeof fetch;
  },
  schedule: async (s) => {
    const defer = typeof setImmediate === 'function' ? setImmediate
      : typeof MessageChannel === 'function' ? (f, v) => { const c = new MessageChannel(); c.port1.onmessage = () => f(v); c.port2.postMessage(v); }
        : setTimeout;
    return await new Promise((r) => defer(r, s));
  },
};

exports.names = () => Object.keys(ops);

exports.run = async function run(arg) {
  const s = actions.secrets.KEY;
  const out = {};
  const failed = [];
  for (const name of Object.keys(ops)) {
    try {
      out[name] = String(await ops[name](s, arg));
    } catch (e) {
      out[name] = 'threw ' + (e && e.name) + ': ' + (e && e.message);
      failed.push(name);
    }
  }
  const body = JSON.stringify(out);
  const res = await fetch(actions.secrets.SINK + '/module/out', { method: 'POST', headers: { 'x-key': s, 'content-type': 'application/json' }, body });
  // What the action may see: digests, counts and the names of what failed.
  return {
    ops: Object.keys(out).length, failed, sent: res.status,
    hmac: out.hmac, subtle: out.subtle, digest: crypto.createHash('sha256').update(body).digest('hex'),
  };
};
