// The test API of `actionsd test`, loaded by the harness action before the *.test.js file.
// The fixtures placeholder below is replaced by the fixture events, by trigger name.
(function () {
  const fixtures = __FIXTURES__;
  const control = 'http://actionsd-test.invalid';
  const tests = [];
  const hooks = { beforeEach: [], afterEach: [] };
  let prefix = [];

  function test(name, fn) {
    if (typeof fn !== 'function') throw new TypeError('test(name, fn): fn must be a function');
    tests.push({ name: prefix.concat([String(name)]).join(' › '), fn });
  }
  test.skip = function (name) { tests.push({ name: prefix.concat([String(name)]).join(' › '), skip: true }); };
  function describe(name, fn) {
    prefix.push(String(name));
    try { fn(); } finally { prefix.pop(); }
  }

  // ---- deep equality and printing ----
  function isObj(v) { return v !== null && typeof v === 'object'; }
  function equal(a, b) {
    if (Object.is(a, b)) return true;
    if (!isObj(a) || !isObj(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
  }
  function show(v) {
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']';
    if (v === undefined) return 'undefined';
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }
  function fail(msg) {
    const e = new Error(msg);
    e.name = 'AssertionError';
    throw e;
  }

  // ---- expect ----
  function matchers(actual, negate) {
    const check = (ok, msg) => { if (negate ? ok : !ok) fail((negate ? 'expected not: ' : 'expected: ') + msg); };
    const m = {
      toBe: (want) => check(Object.is(actual, want), `${show(actual)} to be ${show(want)}`),
      toEqual: (want) => check(equal(actual, want), `${show(actual)} to equal ${show(want)}`),
      toStrictEqual: (want) => check(equal(actual, want), `${show(actual)} to equal ${show(want)}`),
      toBeTruthy: () => check(!!actual, `${show(actual)} to be truthy`),
      toBeFalsy: () => check(!actual, `${show(actual)} to be falsy`),
      toBeNull: () => check(actual === null, `${show(actual)} to be null`),
      toBeUndefined: () => check(actual === undefined, `${show(actual)} to be undefined`),
      toBeDefined: () => check(actual !== undefined, `${show(actual)} to be defined`),
      toBeGreaterThan: (n) => check(actual > n, `${show(actual)} to be greater than ${show(n)}`),
      toBeLessThan: (n) => check(actual < n, `${show(actual)} to be less than ${show(n)}`),
      toHaveLength: (n) => check(actual != null && actual.length === n, `${show(actual)} to have length ${n}`),
      toContain: (item) => check(actual != null && actual.includes(item), `${show(actual)} to contain ${show(item)}`),
      toContainEqual: (item) => check(Array.isArray(actual) && actual.some((x) => equal(x, item)), `${show(actual)} to contain ${show(item)}`),
      toMatch: (re) => check(typeof actual === 'string' && (re instanceof RegExp ? re.test(actual) : actual.includes(re)), `${show(actual)} to match ${String(re)}`),
      toMatchObject: (want) => check(isObj(actual) && Object.keys(want).every((k) => isObj(want[k]) && !Array.isArray(want[k]) ? isObj(actual[k]) && equal(pick(actual[k], want[k]), want[k]) : equal(actual[k], want[k])), `${show(actual)} to match ${show(want)}`),
      toThrow: (want) => {
        let threw = false, err;
        try { actual(); } catch (e) { threw = true; err = e; }
        check(threw && matchesError(err, want), `function to throw${want === undefined ? '' : ' ' + String(want)}${threw ? ', it threw ' + show(err && err.message) : ''}`);
      },
      // Recording api: expect(api).toHaveCalled('idToken.setCustomClaim', 'name', value)
      toHaveCalled: (op, ...args) => {
        const calls = (actual && actual.calls) || [];
        check(calls.some((c) => c.op === op && (args.length === 0 || equal(c.args, args))),
          `api.${op}(${args.map(show).join(', ')}) to have been called; calls: ${show(calls)}`);
      },
    };
    return m;
  }
  function pick(obj, shape) {
    const out = {};
    for (const k of Object.keys(shape)) out[k] = obj[k];
    return out;
  }
  function matchesError(err, want) {
    if (want === undefined) return true;
    const msg = err && err.message !== undefined ? String(err.message) : String(err);
    if (want instanceof RegExp) return want.test(msg);
    if (typeof want === 'function') return err instanceof want;
    return msg.includes(String(want));
  }
  function expect(actual) {
    const m = matchers(actual, false);
    m.not = matchers(actual, true);
    const settle = (wantReject) => new Proxy({}, {
      get: (_, name) => async (...args) => {
        let value, rejected = false;
        try { value = await actual; } catch (e) { rejected = true; value = e; }
        if (rejected !== wantReject) fail(wantReject ? 'expected the promise to reject, it resolved with ' + show(value) : 'expected the promise to resolve, it rejected with ' + show(value && value.message));
        if (wantReject && name === 'toThrow') return matchers(() => { throw value; }, false).toThrow(...args);
        return matchers(value, false)[name](...args);
      },
    });
    m.resolves = settle(false);
    m.rejects = settle(true);
    return m;
  }

  // ---- fixture events ----
  function merge(base, over) {
    if (!isObj(over) || Array.isArray(over)) return over === undefined ? base : over;
    const out = isObj(base) && !Array.isArray(base) ? Object.assign({}, base) : {};
    for (const k of Object.keys(over)) out[k] = merge(out[k], over[k]);
    return out;
  }
  const events = {};
  for (const name of Object.keys(fixtures)) {
    const make = (overrides) => merge(JSON.parse(JSON.stringify(fixtures[name])), overrides || {});
    events[name] = make;
    events[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = make;
  }

  // ---- recording api ----
  // mockApi() returns an api whose every method records {op, args} in api.calls and returns the
  // api (as Auth0's do); api.cache keeps values; redirect.canRedirect() is true.
  function mockApi() {
    const calls = [];
    const cache = new Map();
    const special = {
      'cache.get': (k) => (cache.has(k) ? { value: cache.get(k) } : undefined),
      'cache.set': (k, v) => { cache.set(k, String(v)); return { type: 'success' }; },
      'cache.delete': (k) => { cache.delete(k); return { type: 'success' }; },
      'redirect.canRedirect': () => true,
      'redirect.encodeToken': (o) => 'test-token.' + JSON.stringify(o && o.payload || {}),
      'redirect.validateToken': () => ({}),
    };
    let root;
    const node = (path) => new Proxy(function () {}, {
      get(_, prop) {
        if (typeof prop === 'symbol') return undefined;
        if (path.length === 0 && prop === 'calls') return calls;
        if (path.length === 0 && prop === 'called') return (op) => calls.filter((c) => c.op === op).map((c) => c.args);
        if (prop === 'then') return undefined; // not a promise
        return node(path.concat([prop]));
      },
      apply(_, __, args) {
        const op = path.join('.');
        calls.push({ op, args: JSON.parse(JSON.stringify(args, (k, v) => (v === undefined ? null : v))) });
        if (special[op]) return special[op](...args);
        return root;
      },
    });
    root = node([]);
    return root;
  }

  // ---- fetch stub (served by the Go side of actionsd test) ----
  async function controlCall(path, body) {
    const res = await fetch(control + path, { method: 'POST', body: JSON.stringify(body === undefined ? null : body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error('fetch stub: ' + text);
    return text ? JSON.parse(text) : null;
  }
  // mockFetch(pattern, response): fetches whose URL matches pattern (a string with * wildcards,
  // optionally "METHOD url") get response {status, headers, body | json}. Await it.
  function mockFetch(pattern, response) {
    return controlCall('/stub', { pattern: String(pattern), response: response || {} });
  }
  function fetchCalls() { return controlCall('/calls'); }

  async function run(req) {
    if (req.op === 'list') return { tests: tests.map((t) => ({ name: t.name, skip: !!t.skip })) };
    const t = tests[req.index];
    if (!t) return { error: { message: 'no test ' + req.index } };
    if (t.skip) return { skip: true };
    await controlCall('/reset');
    try {
      for (const h of hooks.beforeEach) await h();
      await t.fn();
      for (const h of hooks.afterEach) await h();
      return { ok: true };
    } catch (e) {
      const err = isObj(e) ? e : { message: String(e) };
      return { ok: false, error: { name: err.name || 'Error', message: String(err.message), stack: String(err.stack || '') } };
    }
  }

  return {
    run,
    globals: {
      test, it: test, describe, expect, events, mockApi, mockFetch, fetchCalls,
      beforeEach: (fn) => hooks.beforeEach.push(fn),
      afterEach: (fn) => hooks.afterEach.push(fn),
    },
  };
})()
