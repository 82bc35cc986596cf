// Timers and the ordering of microtasks, process.nextTick, setImmediate and timers. Each case
// collects what ran, in order, and settles once everything it scheduled has run. No case races a
// timer that is due within a few milliseconds against an immediate: Node itself orders those by
// how long its loop took (a setTimeout(0) queued in an immediate runs before or after the next
// immediate depending on load).
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
test('promise before timeout', async () => { const o = []; setTimeout(() => o.push('timeout'), 0); Promise.resolve().then(() => o.push('promise')); o.push('sync'); await wait(10); return o; });
test('nextTick before promise', async () => { const o = []; Promise.resolve().then(() => o.push('promise')); process.nextTick(() => o.push('tick')); o.push('sync'); await wait(10); return o; });
test('queueMicrotask with promises', async () => { const o = []; queueMicrotask(() => o.push('qm1')); Promise.resolve().then(() => o.push('p')); queueMicrotask(() => o.push('qm2')); await wait(5); return o; });
test('nested microtasks before timers', async () => { const o = []; setTimeout(() => o.push('t'), 0); Promise.resolve().then(() => { o.push('p1'); Promise.resolve().then(() => o.push('p2')); }); await wait(10); return o; });
test('immediate before later timer', async () => { const o = []; setTimeout(() => o.push('t100'), 100); setImmediate(() => o.push('imm')); await wait(150); return o; });
test('timers by delay', async () => { const o = []; setTimeout(() => o.push(20), 20); setTimeout(() => o.push(5), 5); setTimeout(() => o.push(10), 10); await wait(40); return o; });
test('timers same delay in order', async () => { const o = []; for (let i = 0; i < 5; i++) setTimeout(() => o.push(i), 5); await wait(20); return o; });
test('clearTimeout', async () => { const o = []; const t = setTimeout(() => o.push('no'), 1); clearTimeout(t); await wait(10); return o; });
test('clearTimeout by number', async () => { const o = []; const t = setTimeout(() => o.push('no'), 1); clearTimeout(+t); await wait(10); return o; });
test('setInterval', () => new Promise((res) => { const o = []; let n = 0; const i = setInterval(() => { o.push(++n); if (n === 3) { clearInterval(i); setTimeout(() => res(o), 10); } }, 2); }));
test('timer arguments', async () => { let got; setTimeout((a, b) => { got = [a, b]; }, 1, 'x', 2); await wait(10); return got; });
test('immediate arguments', async () => { let got; setImmediate((a) => { got = a; }, 'y'); await wait(10); return got; });
test('clearImmediate', async () => { const o = []; const i = setImmediate(() => o.push('no')); clearImmediate(i); await wait(10); return o; });
test('nextTick arguments', async () => { let got; process.nextTick((a, b) => { got = [a, b]; }, 1, 2); await wait(1); return got; });
test('timeout object api', () => { const t = setTimeout(() => {}, 1000); const r = [typeof t.ref, typeof t.unref, t.hasRef(), typeof t.refresh, typeof t[Symbol.toPrimitive]]; clearTimeout(t); return r; });
test('unref returns timer', () => { const t = setTimeout(() => {}, 1000); const same = t.unref() === t; clearTimeout(t); return same; });
test('immediate object', () => { const i = setImmediate(() => {}); const r = [typeof i.ref, typeof i.hasRef]; clearImmediate(i); return r; });
test('timers module', () => { const t = require('timers'); return [t.setTimeout === setTimeout, t.setImmediate === setImmediate, typeof t.clearInterval]; });
test('timers/promises setTimeout', async () => await require('timers/promises').setTimeout(5, 'val'));
test('timers/promises setImmediate', async () => await require('timers/promises').setImmediate('imm'));
test('timers/promises abort', async () => { const ac = new AbortController(); const p = require('timers/promises').setTimeout(1000, 'x', { signal: ac.signal }); ac.abort(); try { await p; } catch (e) { return [e.name, e.code]; } });
test('util.promisify(setTimeout)', async () => await require('util').promisify(setTimeout)(2, 'p'));
test('async await interleaving', async () => { const o = []; const a = async () => { o.push('a1'); await null; o.push('a2'); await null; o.push('a3'); }; const b = async () => { o.push('b1'); await null; o.push('b2'); }; await Promise.all([a(), b()]); return o; });
test('then chain vs await', async () => { const o = []; (async () => { await Promise.resolve(); o.push('await'); })(); Promise.resolve().then(() => o.push('then1')).then(() => o.push('then2')); await wait(5); return o; });
test('await thenable', async () => { const o = []; (async () => { await { then(r) { o.push('then called'); r(); } }; o.push('after'); })(); Promise.resolve().then(() => o.push('p1')).then(() => o.push('p2')).then(() => o.push('p3')); await wait(5); return o; });
test('promise resolve with promise takes two ticks', async () => { const o = []; new Promise((r) => r(Promise.resolve())).then(() => o.push('outer')); Promise.resolve().then(() => o.push('a')).then(() => o.push('b')).then(() => o.push('c')); await wait(5); return o; });
test('nextTick inside promise', async () => { const o = []; Promise.resolve().then(() => { process.nextTick(() => o.push('tick')); Promise.resolve().then(() => o.push('p2')); o.push('p1'); }); await wait(5); return o; });
test('microtasks between timers', async () => { const o = []; setTimeout(() => { o.push('t1'); Promise.resolve().then(() => o.push('p')); }, 1); setTimeout(() => o.push('t2'), 1); await wait(20); return o; });
test('microtasks between immediates', async () => { const o = []; setImmediate(() => { o.push('i1'); process.nextTick(() => o.push('tick')); }); setImmediate(() => o.push('i2')); await wait(20); return o; });
test('Promise.allSettled', async () => (await Promise.allSettled([Promise.resolve(1), Promise.reject(new Error('x'))])).map((r) => r.status));
test('Promise.any', async () => { try { await Promise.any([Promise.reject(new Error('a'))]); } catch (e) { return [e.name, e.errors.length]; } });
test('Promise.race timers', async () => await Promise.race([wait(20).then(() => 'slow'), wait(1).then(() => 'fast')]));
test('setTimeout non-function', () => { try { setTimeout('code', 1); } catch (e) { return [e.name, e.code]; } });
test('setTimeout huge delay warns not throws', () => { const t = setTimeout(() => {}, 2 ** 31); clearTimeout(t); return 'ok'; });
test('timer id numeric', () => { const t = setTimeout(() => {}, 1000); const n = +t; clearTimeout(t); return Number.isInteger(n) && n > 0; });
test('setTimeout this', async () => { let self; setTimeout(function () { self = this; }, 1); await wait(10); return self && self.constructor && self.constructor.name; });
test('performance.now increases', async () => { const a = performance.now(); await wait(5); return performance.now() - a >= 4; });
test('performance timeOrigin', () => typeof performance.timeOrigin);
test('perf_hooks', () => require('perf_hooks').performance === performance);
test('setInterval this', () => new Promise((res) => { const i = setInterval(function () { clearInterval(i); res([this === i, this.constructor.name]); }, 1); }));
test('timer function names', () => [setTimeout.name, setInterval.name, clearTimeout.name, clearInterval.name]);
test('timers module is the globals', () => { const t = require('timers'); return [t.setInterval === setInterval, t.clearTimeout === clearTimeout, t.clearInterval === clearInterval, t.clearImmediate === clearImmediate]; });
test('promisify(setTimeout) is timers/promises', () => require('util').promisify(setTimeout) === require('timers/promises').setTimeout);
test('promisify(setImmediate)', async () => await require('util').promisify(setImmediate)('imm'));
test('timers/promises abort message', async () => { const ac = new AbortController(); ac.abort(); try { await require('timers/promises').setTimeout(10, 'x', { signal: ac.signal }); } catch (e) { return [e.message, e.cause && e.cause.name]; } });
test('setTimeout non-function message', () => { try { setTimeout(null); } catch (e) { return e.message; } });
test('setInterval non-function', () => { try { setInterval({}, 1); } catch (e) { return [e.code, e.message]; } });
test('nextTick in a timer before its promises', () => new Promise((res) => { const o = []; setTimeout(() => { Promise.resolve().then(() => o.push('p')); process.nextTick(() => o.push('tick')); o.push('sync'); setTimeout(() => res(o), 5); }, 1); }));
test('ticks queued by ticks run before microtasks', () => new Promise((res) => { const o = []; setTimeout(() => { Promise.resolve().then(() => o.push('p1')); process.nextTick(() => { o.push('t1'); Promise.resolve().then(() => o.push('p2')); process.nextTick(() => o.push('t2')); }); setTimeout(() => res(o), 5); }, 1); }));
test('ticks queued by microtasks run after them', () => new Promise((res) => { const o = []; setTimeout(() => { Promise.resolve().then(() => { o.push('p1'); process.nextTick(() => { o.push('t1'); Promise.resolve().then(() => o.push('p3')); }); Promise.resolve().then(() => o.push('p2')); }); setTimeout(() => res(o), 5); }, 1); }));
test('nextTick in an immediate', () => new Promise((res) => { const o = []; setImmediate(() => { Promise.resolve().then(() => o.push('p')); process.nextTick(() => o.push('tick')); }); setImmediate(() => { o.push('i2'); setTimeout(() => res(o), 5); }); }));
test('nextTick non-function', () => { try { process.nextTick(1); } catch (e) { return [e.name, e.code]; } });
test('nextTick in a timer, nested', () => new Promise((res) => { const o = []; setTimeout(() => { process.nextTick(() => { o.push('a'); process.nextTick(() => o.push('c')); }); process.nextTick(() => o.push('b')); queueMicrotask(() => o.push('qm')); setTimeout(() => res(o), 5); }, 1); }));
