// node:assert (and assert.strict).
(function (native, require) {
  'use strict';
  const util = require('util');
  class AssertionError extends Error {
    constructor(options = {}) {
      const msg = options.message !== undefined ? String(options.message)
        : `${util.inspect(options.actual)} ${options.operator} ${util.inspect(options.expected)}`;
      super(msg);
      this.name = 'AssertionError';
      this.code = 'ERR_ASSERTION';
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = options.message === undefined;
    }
  }
  const fail = (actual, expected, message, operator) => {
    if (message instanceof Error) throw message;
    throw new AssertionError({ actual, expected, message, operator });
  };
  function matches(err, expected) {
    if (expected === undefined) return true;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected(err) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(err && err.message !== undefined ? err.message : err)) || expected.test(String(err));
    if (typeof expected === 'object') {
      return Object.keys(expected).every((k) => (expected[k] instanceof RegExp && typeof err[k] === 'string') ? expected[k].test(err[k]) : util.isDeepStrictEqual(err[k], expected[k]));
    }
    return false;
  }
  function make(strict) {
    const eq = strict ? (a, b) => Object.is(a, b) : (a, b) => a == b; // eslint-disable-line eqeqeq
    const deq = (a, b) => util._deepEqual(a, b, strict, new Map());
    const assert = function ok(value, message) { if (!value) fail(value, true, message, '=='); };
    Object.assign(assert, {
      ok: assert,
      fail: (message = 'Failed') => { if (message instanceof Error) throw message; throw new AssertionError({ message, operator: 'fail' }); },
      equal: (a, b, m) => { if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '=='); },
      notEqual: (a, b, m) => { if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!='); },
      strictEqual: (a, b, m) => { if (!Object.is(a, b)) fail(a, b, m, 'strictEqual'); },
      notStrictEqual: (a, b, m) => { if (Object.is(a, b)) fail(a, b, m, 'notStrictEqual'); },
      deepEqual: (a, b, m) => { if (!deq(a, b)) fail(a, b, m, strict ? 'deepStrictEqual' : 'deepEqual'); },
      notDeepEqual: (a, b, m) => { if (deq(a, b)) fail(a, b, m, strict ? 'notDeepStrictEqual' : 'notDeepEqual'); },
      deepStrictEqual: (a, b, m) => { if (!util.isDeepStrictEqual(a, b)) fail(a, b, m, 'deepStrictEqual'); },
      notDeepStrictEqual: (a, b, m) => { if (util.isDeepStrictEqual(a, b)) fail(a, b, m, 'notDeepStrictEqual'); },
      throws: (fn, expected, m) => {
        if (typeof expected === 'string') { m = expected; expected = undefined; }
        try { fn(); } catch (e) { if (!matches(e, expected)) throw e; return; }
        fail(undefined, expected, m || 'Missing expected exception.', 'throws');
      },
      doesNotThrow: (fn, expected, m) => { try { fn(); } catch (e) { fail(e, expected, m || `Got unwanted exception.\nActual message: "${e && e.message}"`, 'doesNotThrow'); } },
      rejects: async (p, expected, m) => {
        if (typeof expected === 'string') { m = expected; expected = undefined; }
        try { await (typeof p === 'function' ? p() : p); } catch (e) { if (!matches(e, expected)) throw e; return; }
        fail(undefined, expected, m || 'Missing expected rejection.', 'rejects');
      },
      doesNotReject: async (p, expected, m) => { try { await (typeof p === 'function' ? p() : p); } catch (e) { fail(e, expected, m || 'Got unwanted rejection.', 'doesNotReject'); } },
      match: (s, re, m) => { if (!re.test(s)) fail(s, re, m || `The input did not match the regular expression ${re}. Input:\n\n'${s}'\n`, 'match'); },
      doesNotMatch: (s, re, m) => { if (re.test(s)) fail(s, re, m, 'doesNotMatch'); },
      ifError: (v) => { if (v !== null && v !== undefined) throw v instanceof Error ? v : new AssertionError({ message: `ifError got unwanted exception: ${util.inspect(v)}`, actual: v, operator: 'ifError' }); },
      AssertionError,
    });
    return assert;
  }
  const assert = make(false);
  assert.strict = make(true);
  assert.strict.strict = assert.strict;
  return assert;
})
