// Regenerates node.json, the expectations of TestBuiltinsAsNode (runner/asnode_test.go), from the
// Node that runs it (Node 20 made the checked-in copy): node runner/testdata/asnode/gen.js
// Each case is a JavaScript expression, perhaps a promise, of one module or global; Node's value
// for it (String(await value), or "throws <name> <code>") is what the runner must give. Cases
// run one after another, in one action, in the order listed.
'use strict';
const prologue = `const J = (v) => JSON.stringify(v);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));`;

const cases = {
  url: [
    // the legacy parser percent-encodes what Node's does after the host, and leaves a "%" alone
    `J(require('url').parse('https://h/users/auth0%7C123?x=%20#a%20b'))`,
    `J(require('url').parse('https://h/users/auth0|123 x'))`,
    `J(require('url').parse('https://h/a{b}?c=d^e\`f#g<h>"i\\''))`,
    `J(require('url').parse('/rel/a|b?x=y z', true))`,
    `J(require('url').parse('javascript:a|b'))`,
    `require('url').format(require('url').parse('https://u|v@h/p\\tq'))`,
    `require('url').resolve('https://t.example/api/v2/', 'users/auth0%7C123')`,
    `require('url').format({ protocol: 'https', host: 'h', pathname: '/users/auth0%7C123', hash: '#a%20b' })`,
  ],
  punycode: [
    `require('punycode').toASCII('mañana.com')`, `require('punycode').toASCII('☃-⌘.com')`,
    `require('punycode').toASCII('джумла@джpумлатест.bрфa')`, `require('punycode').toUnicode('xn--maana-pta.com')`,
    `require('punycode').toUnicode('xn----dqo34k.com')`, `require('punycode').toUnicode('ExAmPle.com')`,
    `require('punycode').encode('mañana')`, `require('punycode').decode('maana-pta')`, `require('punycode').encode('ü')`,
    `require('punycode').encode('\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F')`,
    `require('punycode').decode('egbpdaj6bu4bxfgehfvwxn')`, `require('punycode').encode('他们为什么不说中文')`,
    `require('punycode').toASCII('example.com.')`, `require('punycode').toASCII('a\u3002b\uFF0Ec\uFF61d')`,
    `J(require('punycode').ucs2.decode('a\\uD834\\uDF06b\\uD800'))`, `require('punycode').ucs2.encode([0x61, 0x1D306, 0x62])`,
    `require('punycode').decode('\u0081-')`, `require('punycode').decode('ls8h=')`, `require('punycode').version`,
    `Object.keys(require('punycode')).join()`, `require('node:punycode') === require('punycode')`,
    `require('punycode').toUnicode('xn--ls8h.la')`, `require('punycode').toASCII('💩.la')`,
  ],
  domain: [
    `Object.keys(require('domain')).join()`, `String(require('domain').active)`,
    `(() => { const d = require('domain'); const x = d.create(); return [x.run(() => d.active === x), d.active, x instanceof require('events'), typeof x.on, x.members.length].join(); })()`,
    `(() => { const d = require('domain'); const x = d.create(); x.enter(); const a = d.active === x; x.exit(); return [a, d.active, d._stack.length].join(); })()`,
    `(() => { const d = require('domain'); const x = d.create(), y = d.create(); return x.run(() => y.run(() => d.active === y) && d.active === x) + ' ' + d.active; })()`,
    `(() => { const d = require('domain'); const x = d.create(); const f = x.bind(function (a, b) { return [d.active === x, this.k, a + b].join(); }); return f.call({ k: 'k' }, 1, 2) + ' ' + (f.domain === x) + ' ' + d.active; })()`,
    `(() => { const d = require('domain'); const x = d.create(); let got; x.on('error', (e) => { got = e.message + ' ' + (e.domain === x) + ' ' + e.domainThrown; }); x.intercept(() => {})(new Error('boom')); return got; })()`,
    `(() => { const d = require('domain'); const x = d.create(); return x.intercept((a, b) => a + b + (d.active === x))(null, 1, 2); })()`,
    `(() => { const d = require('domain'); const x = d.create(); const e = new (require('events'))(); x.add(e); const a = e.domain === x && x.members.length; x.remove(e); return a + ' ' + e.domain + ' ' + x.members.length; })()`,
    `(async () => { const d = require('domain'); const x = d.create(); const r = await x.run(async () => { await sleep(1); return d.active === x; }); return r + ' ' + d.active; })()`,
    `(() => { const d = require('domain'); const x = d.create(); x.__SENTRY__ = { hub: 1 }; return x.run(() => d.active.__SENTRY__.hub); })()`,
    `(() => { const d = require('domain'); const x = d.create(); try { x.run(() => { throw new Error('thrown'); }); } catch (e) { return e.message + ' ' + d.active; } })()`,
  ],
  diagnostics_channel: [
    `Object.keys(require('diagnostics_channel')).join()`,
    `(() => { const dc = require('diagnostics_channel'); const c = dc.channel('t1'); return [c.name, c.hasSubscribers, c === dc.channel('t1'), c instanceof dc.Channel, dc.hasSubscribers('t1'), dc.hasSubscribers('never')].join(); })()`,
    `(() => { const dc = require('diagnostics_channel'); const c = dc.channel('t2'); const got = []; const f = (m, n) => got.push(J(m) + '@' + n); c.subscribe(f); c.publish({ a: 1 }); const h = c.hasSubscribers; const u = c.unsubscribe(f); const u2 = c.unsubscribe(f); c.publish({ a: 2 }); return [got.join(), h, u, u2, c.hasSubscribers].join(' '); })()`,
    `(() => { const dc = require('diagnostics_channel'); const got = []; const f = (m) => got.push(m); dc.subscribe('t3', f); dc.channel('t3').publish(1); const h = dc.hasSubscribers('t3'); return [got, h, dc.unsubscribe('t3', f), dc.hasSubscribers('t3')].join(' '); })()`,
    `(() => { const dc = require('diagnostics_channel'); try { dc.channel('t4').subscribe(1); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(() => { const dc = require('diagnostics_channel'); try { dc.channel(1); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(() => { const dc = require('diagnostics_channel'); const s = Symbol('s'); return dc.channel(s).name === s; })()`,
    `(() => { const dc = require('diagnostics_channel'); const c = dc.channel('t5'); const got = []; const a = () => { got.push('a'); c.unsubscribe(b); }; const b = () => got.push('b'); c.subscribe(a); c.subscribe(b); c.publish(0); c.publish(0); return got.join(); })()`,
    `(() => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel('t6'); return [t.start.name, t.end.name, t.asyncStart.name, t.asyncEnd.name, t.error.name, t.hasSubscribers].join(); })()`,
    `(() => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel('t7'); const got = []; const h = { start: (c) => got.push('start ' + J(c)), end: (c) => got.push('end ' + J(c)), error: (c) => got.push('error ' + c.error.message) }; t.subscribe(h); const r = t.traceSync(function (a, b) { return this.k + a + b; }, { id: 1 }, { k: 'k' }, 1, 2); let err; try { t.traceSync(() => { throw new Error('x'); }, { id: 2 }); } catch (e) { err = e.message; } const hs = t.hasSubscribers; const u = t.unsubscribe(h); return [r, err, got.join(' | '), hs, u, t.hasSubscribers].join(' / '); })()`,
    `(async () => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel('t8'); const got = []; t.subscribe({ start: (c) => got.push('start'), end: (c) => got.push('end'), asyncStart: (c) => got.push('asyncStart ' + c.result), asyncEnd: (c) => got.push('asyncEnd'), error: (c) => got.push('error ' + c.error) }); const r = await t.tracePromise(async (x) => { await sleep(1); return x * 2; }, {}, undefined, 21); let e; try { await t.tracePromise(async () => { throw 'no'; }); } catch (x) { e = x; } return [r, e, got.join()].join(' '); })()`,
    `(async () => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel('t9'); const got = []; t.subscribe({ start: () => got.push('start'), end: () => got.push('end'), asyncStart: (c) => got.push('asyncStart ' + c.result), asyncEnd: () => got.push('asyncEnd'), error: (c) => got.push('error ' + c.error) }); const r = await new Promise((resolve) => t.traceCallback((a, cb) => { setTimeout(() => cb(null, a + 1), 1); return 'sync'; }, -1, {}, undefined, 41, (err, v) => { got.push('cb ' + err + ' ' + v); resolve(v); })); await new Promise((resolve) => t.traceCallback((cb) => cb(new Error('bad')), 0, {}, undefined, (e) => { got.push('cb2 ' + e.message); resolve(); })); return r + ' ' + got.join(); })()`,
    `(() => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel('t10'); try { t.traceCallback(() => {}, -1, {}, undefined, 1); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(() => { const dc = require('diagnostics_channel'); const t = dc.tracingChannel({ start: dc.channel('a1'), end: dc.channel('a2'), asyncStart: dc.channel('a3'), asyncEnd: dc.channel('a4'), error: dc.channel('a5') }); return t.start.name + t.error.name; })()`,
    `(() => { const dc = require('diagnostics_channel'); const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); const c = dc.channel('t11'); c.bindStore(s, (d) => ({ wrapped: d })); const h = c.hasSubscribers; const r = c.runStores(5, function (x) { return J(s.getStore()) + this.t + x; }, { t: 't' }, 'x'); const u = c.unbindStore(s); return [h, r, u, c.hasSubscribers, J(s.getStore())].join(' '); })()`,
    `(() => { const dc = require('diagnostics_channel'); const c = dc.channel('t12'); return c.runStores(1, (a) => 'ran ' + a, undefined, 2); })()`,
    `Object.getOwnPropertyNames(require('diagnostics_channel').Channel.prototype).sort().join()`,
  ],
  async_hooks: [
    `Object.keys(require('async_hooks')).join()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); return [s.getStore(), s.run({ a: 1 }, (x) => J(s.getStore()) + x, '!'), s.getStore()].join(' '); })()`,
    `(async () => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); const r = await s.run('st', async () => { await sleep(2); const a = s.getStore(); await Promise.resolve(); return a + ' ' + s.getStore(); }); return r + ' ' + s.getStore(); })()`,
    `(async () => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); return await s.run(1, () => new Promise((r) => setTimeout(() => r(s.getStore()), 1))); })()`,
    `(async () => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); return await s.run('outer', async () => { const inner = await s.run('inner', async () => { await sleep(1); return s.getStore(); }); return inner + ' ' + s.getStore(); }); })()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); return s.run(1, () => s.exit(() => String(s.getStore())) + ' ' + s.getStore()); })()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); s.enterWith('e'); const a = s.getStore(); s.disable(); return a + ' ' + s.getStore(); })()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const a = new AsyncLocalStorage(), b = new AsyncLocalStorage(); return a.run(1, () => b.run(2, () => a.getStore() + ',' + b.getStore())); })()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); const f = s.run('bound', () => AsyncLocalStorage.bind(() => s.getStore())); return f() + ' ' + s.getStore(); })()`,
    `(() => { const { AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); const snap = s.run('snap', () => AsyncLocalStorage.snapshot()); return snap((x) => s.getStore() + x, '!') + ' ' + s.getStore(); })()`,
    `(() => { const { AsyncResource, AsyncLocalStorage } = require('async_hooks'); const s = new AsyncLocalStorage(); const r = s.run('res', () => new AsyncResource('X')); return [r.runInAsyncScope(function (a) { return s.getStore() + this.t + a; }, { t: 'T' }, 1), typeof r.asyncId(), typeof r.triggerAsyncId(), s.getStore()].join(' '); })()`,
    `(() => { const { AsyncResource } = require('async_hooks'); const f = AsyncResource.bind(function (a, b) { return a + b; }); return f(1, 2) + ' ' + f.length + ' ' + (f.asyncResource instanceof AsyncResource); })()`,
    `(() => { const { AsyncResource } = require('async_hooks'); try { new AsyncResource(); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(() => { const h = require('async_hooks').createHook({ init() {} }); return (h.enable() === h) + ' ' + (h.disable() === h) + ' ' + typeof require('async_hooks').executionAsyncId(); })()`,
    `Object.getOwnPropertyNames(require('async_hooks').AsyncLocalStorage.prototype).filter((k) => !k.startsWith('_')).sort().join()`,
  ],
  perf_hooks: [
    `Object.keys(require('perf_hooks')).filter((k) => k !== 'PerformanceResourceTiming' && k !== 'PerformanceObserverEntryList' && k !== 'Performance').join()`,
    `(() => { const { performance } = require('perf_hooks'); const a = performance.now(); const b = performance.now(); return [typeof a, b >= a, a >= 0, typeof performance.timeOrigin, Math.abs(performance.timeOrigin + a - Date.now()) < 60000].join(); })()`,
    `(() => { const { performance, PerformanceMark, PerformanceEntry } = require('perf_hooks'); performance.clearMarks(); performance.clearMeasures(); const m = performance.mark('a', { detail: { x: 1 } }); return [m instanceof PerformanceMark, m instanceof PerformanceEntry, m.name, m.entryType, typeof m.startTime, m.duration, J(m.detail), J(Object.keys(m)), J(Object.keys(m.toJSON()))].join(' '); })()`,
    `(() => { const { performance, PerformanceMeasure } = require('perf_hooks'); performance.clearMarks(); performance.clearMeasures(); performance.mark('s'); const me = performance.measure('m', 's'); return [me instanceof PerformanceMeasure, me.entryType, me.name, typeof me.duration, me.duration >= 0, me.detail, performance.getEntries().map((e) => e.name + ':' + e.entryType).join(), performance.getEntriesByType('mark').length, performance.getEntriesByName('m').length, performance.getEntriesByName('m', 'mark').length].join(' '); })()`,
    `(() => { const { performance } = require('perf_hooks'); performance.clearMarks(); performance.clearMeasures(); performance.mark('a'); performance.mark('b'); performance.measure('m'); performance.clearMarks('a'); const x = performance.getEntries().map((e) => e.name).join(); performance.clearMarks(); const y = performance.getEntries().map((e) => e.name).join(); performance.clearMeasures(); return x + ' ' + y + ' ' + performance.getEntries().length; })()`,
    `(() => { const { performance } = require('perf_hooks'); try { performance.measure('z', 'nomark'); } catch (e) { return e.name + ' ' + e.code + ' ' + e.message; } })()`,
    `(() => { const { performance } = require('perf_hooks'); performance.clearMarks(); const m = performance.measure('d', { start: 10, duration: 5, detail: 'x' }); performance.clearMeasures(); return m.startTime + ' ' + m.duration + ' ' + m.detail; })()`,
    `(() => { const { PerformanceObserver } = require('perf_hooks'); const o = new PerformanceObserver(() => {}); o.observe({ entryTypes: ['mark'] }); o.disconnect(); return Array.isArray(PerformanceObserver.supportedEntryTypes); })()`,
  ],
  'timers/promises': [
    `Object.keys(require('timers/promises')).join()`,
    `require('timers/promises').setTimeout(2, 'v')`,
    `require('timers/promises').setImmediate('imm')`,
    `(async () => { const t = require('timers/promises'); const it = t.setInterval(2, 'tick')[Symbol.asyncIterator](); const out = []; for (let i = 0; i < 3; i++) out.push(J(await it.next())); out.push(J(await it.return())); out.push(J(await it.next())); return out.join(); })()`,
    `(async () => { const t = require('timers/promises'); const ac = new AbortController(); ac.abort('why'); try { await t.setTimeout(1, 'x', { signal: ac.signal }); } catch (e) { return [e.name, e.code, e.message, e.cause].join(' '); } })()`,
    `(async () => { const t = require('timers/promises'); const ac = new AbortController(); const p = t.setTimeout(1000, 'x', { signal: ac.signal }); ac.abort(); try { await p; } catch (e) { return [e.name, e.code, e.cause && e.cause.name].join(' '); } })()`,
    `(async () => { const t = require('timers/promises'); const ac = new AbortController(); const it = t.setInterval(2, 'i', { signal: ac.signal }); const out = []; try { out.push((await it.next()).value); ac.abort(); out.push((await it.next()).value); } catch (e) { out.push(e.name + ' ' + e.code); } return out.join(); })()`,
    `(async () => { const t = require('timers/promises'); const ac = new AbortController(); ac.abort(); const it = t.setInterval(2, 'i', { signal: ac.signal }); try { await it.next(); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(async () => { const t = require('timers/promises'); const order = []; const a = t.setTimeout(3).then(() => order.push('t3')); const b = t.setImmediate().then(() => order.push('imm')); const c = t.setTimeout(1).then(() => order.push('t1')); await Promise.all([a, b, c]); return order.join(); })()`,
    `(async () => { const t = require('timers/promises'); return (await t.scheduler.wait(1)) + ' ' + typeof t.scheduler.yield; })()`,
    `require('node:timers/promises') === require('timers').promises`,
  ],
  'stream/promises': [
    `Object.keys(require('stream/promises')).sort().join()`,
    `(async () => { const { pipeline } = require('stream/promises'); const { Readable, Writable } = require('stream'); const got = []; await pipeline(Readable.from(['a', 'b', 'c']), new Writable({ objectMode: true, write(c, e, cb) { got.push(c); cb(); } })); return got.join(); })()`,
    `(async () => { const { pipeline } = require('stream/promises'); const { Readable, Transform, Writable } = require('stream'); const got = []; await pipeline(Readable.from(['x', 'y']), new Transform({ objectMode: true, transform(c, e, cb) { cb(null, c.toUpperCase()); } }), new Writable({ objectMode: true, write(c, e, cb) { got.push(c); cb(); } })); return got.join(); })()`,
    `(async () => { const { pipeline } = require('stream/promises'); const { Readable, Writable } = require('stream'); try { await pipeline(new Readable({ read() { this.destroy(new Error('src failed')); } }), new Writable({ write(c, e, cb) { cb(); } })); } catch (e) { return 'rejected ' + e.message; } })()`,
    `(async () => { const { finished } = require('stream/promises'); const { Writable } = require('stream'); const w = new Writable({ write(c, e, cb) { cb(); } }); setTimeout(() => w.end('z'), 1); await finished(w); return 'finished ' + w.writableFinished; })()`,
    `(async () => { const { finished } = require('stream/promises'); const { Readable } = require('stream'); const r = Readable.from(['a']); r.resume(); await finished(r); return 'ended ' + r.readableEnded; })()`,
    `(async () => { const { finished } = require('stream/promises'); const { Readable } = require('stream'); const r = new Readable({ read() {} }); setTimeout(() => r.destroy(new Error('gone')), 1); try { await finished(r); } catch (e) { return 'rejected ' + e.message; } })()`,
    `require('stream/promises') === require('stream').promises`,
  ],
  'util.types': [
    `(() => { const t = require('util').types; return [t.isDate(new Date()), t.isDate(Object.create(Date.prototype)), t.isDate(Date.now()), t.isDate({})].join(); })()`,
    `(() => { const t = require('util').types; return [t.isRegExp(/a/), t.isRegExp(new RegExp('b')), t.isRegExp(Object.create(RegExp.prototype)), t.isRegExp(RegExp.prototype), t.isRegExp('a')].join(); })()`,
    `(() => { const t = require('util').types; return [t.isPromise(Promise.resolve()), t.isPromise({ then() {} }), t.isPromise(Object.create(Promise.prototype)), t.isPromise((async () => {})())].join(); })()`,
    `(() => { const t = require('util').types; return [t.isUint8Array(new Uint8Array(1)), t.isUint8Array(require('buffer').Buffer.alloc(1)), t.isUint8Array(new Int8Array(1)), t.isUint8Array(Object.create(Uint8Array.prototype)), t.isUint8Array([])].join(); })()`,
    `(() => { const t = require('util').types; return [t.isAnyArrayBuffer(new ArrayBuffer(1)), t.isAnyArrayBuffer(new Uint8Array(1)), t.isArrayBuffer(new ArrayBuffer(0)), t.isArrayBuffer(Object.create(ArrayBuffer.prototype)), t.isSharedArrayBuffer(new ArrayBuffer(1))].join(); })()`,
    `(() => { const t = require('util').types; const x = [new Int8Array(1), new Uint8ClampedArray(1), new Int16Array(1), new Uint16Array(1), new Int32Array(1), new Uint32Array(1), new Float32Array(1), new Float64Array(1), new BigInt64Array(1), new BigUint64Array(1)]; return x.map((v) => [t.isTypedArray(v), t.isInt8Array(v), t.isUint8ClampedArray(v), t.isInt16Array(v), t.isUint16Array(v), t.isInt32Array(v), t.isUint32Array(v), t.isFloat32Array(v), t.isFloat64Array(v), t.isBigInt64Array(v), t.isBigUint64Array(v)].map(Number).join('')).join(' '); })()`,
    `(() => { const t = require('util').types; const dv = new DataView(new ArrayBuffer(2)); return [t.isDataView(dv), t.isDataView(new Uint8Array(2)), t.isArrayBufferView(dv), t.isArrayBufferView(new Uint8Array(1)), t.isArrayBufferView(new ArrayBuffer(1)), t.isTypedArray(dv)].join(); })()`,
    `(() => { const t = require('util').types; return [t.isMap(new Map()), t.isMap(Object.create(Map.prototype)), t.isSet(new Set()), t.isSet(new Map()), t.isWeakMap(new WeakMap()), t.isWeakMap(new Map()), t.isWeakSet(new WeakSet()), t.isWeakSet(new Set())].join(); })()`,
    `(() => { const t = require('util').types; return [t.isMapIterator(new Map().keys()), t.isMapIterator(new Set().keys()), t.isSetIterator(new Set().values()), t.isSetIterator([].values())].join(); })()`,
    `(() => { const t = require('util').types; class E extends Error {} return [t.isNativeError(new Error()), t.isNativeError(new TypeError()), t.isNativeError(new E()), t.isNativeError(Object.create(Error.prototype)), t.isNativeError({ name: 'Error', message: '' })].join(); })()`,
    `(() => { const t = require('util').types; return [t.isAsyncFunction(async () => {}), t.isAsyncFunction(() => {}), t.isGeneratorFunction(function* () {}), t.isGeneratorFunction(() => {}), t.isGeneratorObject((function* () {})()), t.isGeneratorObject({})].join(); })()`,
    `(() => { const t = require('util').types; return [t.isBoxedPrimitive(Object(1)), t.isBoxedPrimitive(1), t.isNumberObject(new Number(1)), t.isNumberObject(1), t.isStringObject(new String('')), t.isStringObject(''), t.isBooleanObject(new Boolean(false)), t.isBooleanObject(false), t.isSymbolObject(Object(Symbol())), t.isSymbolObject(Symbol()), t.isBigIntObject(Object(1n)), t.isBigIntObject(1n), t.isBoxedPrimitive(Object(1n))].join(); })()`,
    `(() => { const t = require('util').types; return [t.isArgumentsObject((function () { return arguments; })()), t.isArgumentsObject([]), t.isProxy({}), t.isExternal({}), t.isModuleNamespaceObject({})].join(); })()`,
    `(() => { const t = require('util').types; return [t.isKeyObject(require('crypto').createSecretKey(Buffer.alloc(16))), t.isKeyObject({})].join(); })()`,
    `require('util/types') === require('util').types`,
    `(() => { const t = require('util').types; return [require('util').isDate(new Date()), require('util').isRegExp(/x/), require('util').isError(new Error())].join(); })()`,
  ],
  module: [
    `typeof require('module')`,
    `(() => { const m = require('module'); return [Array.isArray(m.builtinModules), m.builtinModules.includes('path'), m.builtinModules.includes('crypto'), m.builtinModules.includes('events'), m.builtinModules.includes('stream/promises')].join(); })()`,
    `(() => { const m = require('module'); return [m.isBuiltin('fs'), m.isBuiltin('node:path'), m.isBuiltin('nope'), m.isBuiltin('node:nope')].join(); })()`,
    `(() => { const m = require('node:module'); const r = m.createRequire('/srv/app/index.js'); return [typeof r, r('path') === require('path'), r('node:url') === require('url'), typeof r.resolve, typeof r.cache].join(); })()`,
    `(() => { const m = require('module'); const r = m.createRequire('file:///srv/app/index.js'); try { r('not-a-package-xyz'); } catch (e) { return e.code + ' ' + e.message.split('\\n')[0]; } })()`,
    `(() => { const m = require('module'); try { m.createRequire('relative.js'); } catch (e) { return e.name + ' ' + e.code; } })()`,
    `(() => { const m = require('module'); const r = m.createRequire(new URL('file:///a/b.js')); return r('events') === require('events'); })()`,
    `require('module').Module === require('module')`,
    `require('module').createRequire('/x.js').resolve('path')`,
  ],
};

async function main() {
  const run = new Function('require', `return async (expr) => { ${prologue}\nreturn eval(expr); };`)(require);
  const out = [];
  for (const [module, exprs] of Object.entries(cases)) {
    for (const expr of exprs) {
      let want;
      try {
        want = String(await run(expr));
      } catch (err) {
        want = 'throws ' + (err && err.name) + ' ' + (err && err.code);
      }
      out.push({ module, expr, want });
    }
  }
  require('fs').writeFileSync(require('path').join(__dirname, 'node.json'),
    JSON.stringify({ node: process.version, prologue, cases: out }, null, 1) + '\n');
  console.log(out.length, 'cases');
}
main();
