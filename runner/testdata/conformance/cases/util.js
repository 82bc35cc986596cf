// node:util: format, inspect and the helpers actions use.
const util = require('util');

let formatN = 0;
for (const args of [['%s', 'a'], ['%s', 1], ['%s', -0], ['%s', 1n], ['%s', null], ['%s', undefined], ['%s', Symbol('x')], ['%s', { a: 1 }],
  ['%s', [1, [2]]], ['%s', Object.assign(new Error('boom'), { stack: 'Error: boom\n    at fixed (file.js:1:1)' })], ['%s', () => 1], ['%d', '42'], ['%d', 1.5], ['%d', '0x10'], ['%d', 1n], ['%d', {}], ['%i', 42.9],
  ['%i', '-7.5'], ['%f', '1.25'], ['%f', 'x'], ['%j', { a: [1, 'b'] }], ['%j', undefined], ['%o', { a: 1 }], ['%O', { a: { b: { c: { d: 1 } } } }],
  ['%c', 'color: red'], ['%%', 1], ['%s %s', 'only'], ['%s', 'a', 'extra', 1], ['no format', { a: 1 }, 'b'], [1, 2, 3], ['%x', 1], ['%s'], [],
  ['%s:%s', 'a', 'b'], ['a%', 1], ['%s', 'x\ny'], ['%d%d', 1, 2], ['%s', new Date(0)], ['%s', new Map([[1, 2]])], ['%s', Object.create(null)],
  ['%s', { toString() { return 'custom'; } }], ['%s', class Foo {}], ['%s', [undefined, null]], ['%s', 'é😀']])
  test('format ' + String(++formatN).padStart(2, '0') + ' ' + args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : typeof a === 'object' && a ? Object.prototype.toString.call(a).slice(8, -1) : typeof a === 'bigint' ? a + 'n' : String(a))).join(' '), () => util.format(...args));

const circular = { name: 'c' }; circular.self = circular;
class Point { constructor() { this.x = 1; this.y = 2; } }
const values = {
  string: 'str', 'string with quote': "it's", 'string with both quotes': `'"`, number: 1.5, 'negative zero': -0, nan: NaN, bigint: 10n, bool: true,
  null: null, undefined: undefined, symbol: Symbol('s'), 'empty object': {}, 'empty array': [], object: { a: 1, 'b-c': 'd', e: [1, 2] },
  nested: { a: { b: { c: { d: { e: 1 } } } } }, array: [1, 'a', null, undefined], 'sparse array': [1, , 3], 'long array': Array.from({ length: 120 }, (_, i) => i),
  circular, 'class instance': new Point(), 'null prototype': Object.assign(Object.create(null), { a: 1 }), map: new Map([['k', { v: 1 }]]),
  set: new Set([1, 'two']), date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)), 'invalid date': new Date(NaN), regexp: /a+b/gi,
  function: function named() {}, 'arrow function': () => 1, 'anonymous function': (() => function () {})(), 'async function': async function af() {},
  class: class K {}, 'typed array': new Uint16Array([1, 2]), arraybuffer: new Uint8Array([1, 2]).buffer, 'boxed string': new String('b'),
  'boxed number': new Number(3), 'symbol key': { [Symbol('k')]: 1 }, getter: { get g() { return 1; } }, 'promise resolved': Promise.resolve(4),
  'weak map': new WeakMap(), 'long string': 'x'.repeat(120), 'multiline string': 'a\nb', 'object with many keys': Object.fromEntries(Array.from({ length: 30 }, (_, i) => ['k' + i, i])),
  'array of objects': [{ a: 1, b: { c: [1, 2, { d: 3 }] } }, { e: 'f' }], error: Object.assign(new TypeError('bad'), { code: 'E_X' }),
};
for (const [k, v] of Object.entries(values))
  test('inspect ' + k, () => (k === 'error' ? util.inspect(v).split('\n')[0] : util.inspect(v)));
test('inspect depth 0', () => util.inspect({ a: { b: 1 } }, { depth: 0 }));
test('inspect depth null', () => util.inspect(values.nested, { depth: null }));
test('inspect compact false', () => util.inspect({ a: 1, b: [1, 2] }, { compact: false }));
test('inspect breakLength', () => util.inspect({ aaaa: 'bbbbbbbbbb', cccc: 'dddddddddd', eeee: 'ffffffffff' }, { breakLength: 20 }));
test('inspect sorted', () => util.inspect({ b: 1, a: 2 }, { sorted: true }));
test('inspect showHidden', () => util.inspect([1], { showHidden: true }));
test('inspect maxArrayLength', () => util.inspect([1, 2, 3, 4], { maxArrayLength: 2 }));
test('inspect maxStringLength', () => util.inspect('abcdef', { maxStringLength: 3 }));
test('inspect custom', () => util.inspect({ [util.inspect.custom]() { return 'CUSTOM'; } }));
test('inspect custom symbol', () => util.inspect.custom === Symbol.for('nodejs.util.inspect.custom'));
test('inspect getters', () => util.inspect({ get g() { return 1; } }, { getters: true }));
test('inspect colors', () => util.inspect({ a: 1, s: 'x' }, { colors: true }));
test('inspect old signature', () => util.inspect({ a: { b: { c: 1 } } }, false, 0));
test('isDeepStrictEqual', () => [util.isDeepStrictEqual({ a: [1] }, { a: [1] }), util.isDeepStrictEqual([1], ['1']), util.isDeepStrictEqual(new Set([1]), new Set([1]))]);
test('promisify', async () => { const f = util.promisify((a, cb) => cb(null, a + 1)); return await f(1); });
test('promisify error', async () => { const f = util.promisify((cb) => cb(new RangeError('x'))); try { await f(); } catch (e) { return e.name; } });
test('promisify custom', () => { const f = () => {}; f[util.promisify.custom] = () => 'c'; return util.promisify(f)(); });
test('callbackify', () => new Promise((res) => util.callbackify(async (x) => x * 2)(4, (err, v) => res([err, v]))));
test('inherits', () => { function A() {} function B() {} util.inherits(B, A); return [new B() instanceof A, B.super_ === A]; });
test('deprecate', () => { const f = util.deprecate(() => 7, 'old'); return f(); });
test('types', () => { const t = util.types; return [t.isDate(new Date()), t.isRegExp(/x/), t.isPromise(Promise.resolve()), t.isUint8Array(Buffer.alloc(1)), t.isMap(new Map()), t.isAsyncFunction(async () => {}), t.isTypedArray(new Float32Array(1)), t.isArrayBuffer(new ArrayBuffer(1)), t.isBoxedPrimitive(new String(''))]; });
test('util/types module', () => require('util/types') === util.types);
test('legacy is functions', () => [util.isArray([]), typeof util.isString, typeof util.isFunction]);
test('TextEncoder from util', () => util.TextEncoder === TextEncoder && util.TextDecoder === TextDecoder);
test('stripVTControlCharacters', () => util.stripVTControlCharacters('\u001b[31mred\u001b[39m'));
test('toUSVString', () => util.toUSVString('a\uD800b'));
test('formatWithOptions', () => util.formatWithOptions({ compact: false }, '%O', { a: 1 }));
test('inspect of Error stack first line', () => util.inspect(new Error('m')).split('\n')[0]);
test('parseArgs', () => typeof util.parseArgs);
test('styleText', () => typeof util.styleText);
test('debuglog', () => typeof util.debuglog('x'));
test('getSystemErrorName', () => typeof util.getSystemErrorName);
test('aborted', () => typeof util.aborted);
test('inspect URL', () => util.inspect(new URL('https://user:pw@a.b:8080/c?x=1&y=2#h')));
test('inspect URL nested', () => util.inspect({ u: [new URL('https://a.b/')] }));
test('inspect URL too deep', () => util.inspect({ a: { b: { c: new URL('https://a.b/') } } }));
test('inspect URLSearchParams', () => [util.inspect(new URLSearchParams('a=1&b=2&a=3')), util.inspect(new URLSearchParams())]);
test('inspect nested map depth 0', () => util.inspect(new Map([['a', [1, 2, { x: 1 }]]]), { depth: 0 }));
test('inspect array of strings grouped', () => util.inspect(Array.from({ length: 30 }, (_, i) => 'item' + i)));
test('inspect long string in object', () => util.inspect({ a: 1, b: 'x'.repeat(80) }));
test('inspect multiline string in array', () => util.inspect(['a\nb'.repeat(12)]));
test('inspect getter and setter', () => util.inspect({ get a() { return 1; }, set b(x) {}, get c() { return 1; }, set c(x) {} }));
test('inspect numericSeparator', () => util.inspect([1234567.891, 1000n, -12345], { numericSeparator: true }));
test('inspect typed arrays', () => util.inspect([new Float64Array([1.5, 2]), new BigInt64Array([1n]), new Uint8ClampedArray(2)]));
test('inspect boxed others', () => util.inspect([new Boolean(true), Object(1n), Object(Symbol('q'))]));
test('inspect class extends', () => util.inspect([class A extends Error {}, class {}, function* g() {}]));
test('inspect object with null prototype chain', () => util.inspect(Object.create(Object.create(null))));
test('inspect anonymous subclass of Map', () => util.inspect(new (class extends Map {})([[1, 2]])));
test('inspect error with code first line', () => util.inspect(Object.assign(new RangeError('r'), { code: 'E' })).split('\n')[0]);
test('inspect nested error in array first line', () => util.inspect([new Error('inner')]).split('\n')[0]);
test('inspect function with properties', () => util.inspect(Object.assign(() => 1, { a: 1 })));
test('inspect arguments', () => (function () { return util.inspect(arguments); })(1, 2));
test('inspect DataView', () => util.inspect(new DataView(new ArrayBuffer(2))));
test('inspect custom returning object', () => util.inspect({ a: { [util.inspect.custom]: (depth, opts) => ({ depth, compact: opts.compact }) } }));
test('inspect custom gets inspect', () => util.inspect({ [util.inspect.custom]: (d, o, insp) => insp === util.inspect }));
test('format %o of function', () => util.format('%o', function f() {}).split('\n')[0]);
test('format %s of object with Symbol.toPrimitive', () => util.format('%s', { [Symbol.toPrimitive]() { return 'prim'; } }));
test('format %i of hex', () => util.format('%i %f %d', '0x1f', '1.5e3x', ''));
test('format extra objects', () => util.format('a', { b: [1, { c: 2 }] }, null, undefined, 2n));
test('inspect sorted nested', () => util.inspect({ b: { d: 1, c: 2 }, a: [3, 1] }, { sorted: true }));
test('inspect Set and Map nested', () => util.inspect({ s: new Set([[1, 2], { a: 1 }]), m: new Map([[{ k: 1 }, new Set([1])]]) }));
test('inspect promise states', () => { const r = Promise.reject(new Error('x')); r.catch(() => {}); return [util.inspect(Promise.resolve({ a: 1 })), util.inspect(new Promise(() => {})), util.inspect(r).split('\n')[0]]; });
test('inspect proxy', () => [util.inspect(new Proxy({ a: 1 }, {})), util.inspect(new Proxy([1], {}), { showProxy: true })]);
test('inspect escapes', () => util.inspect(['\u0001\u007f\u0085', 'tab\there', 'back\\slash']));
test('inspect symbol description key', () => util.inspect({ [Symbol()]: 1, [Symbol('a b')]: 2 }));
test('inspect non-enumerable with showHidden', () => util.inspect(Object.defineProperty({ a: 1 }, 'h', { value: 2 }), { showHidden: true }));
test('inspect array extra keys', () => util.inspect(Object.assign([1, 2], { x: 'y', '-1': 0 })));
test('inspect deep array depth', () => util.inspect([[[[[1]]]]]));
test('inspect maxArrayLength 0 and set', () => [util.inspect([1, 2], { maxArrayLength: 0 }), util.inspect(new Set([1, 2, 3]), { maxArrayLength: 1 })]);
test('inspect compact true', () => util.inspect({ a: 'x'.repeat(50), b: { c: 'y'.repeat(50) } }, { compact: true }));
test('inspect breakLength Infinity', () => util.inspect(Object.fromEntries(Array.from({ length: 30 }, (_, i) => ['k' + i, i])), { breakLength: Infinity }));
// util._extend (deprecated, still in Node 20 and 22; Node 22 also warns DEP0060 once on stderr,
// which the runner does not): rest-facade, under auth0 v2 and v3, copies
// every request's params with it.
test('_extend copies own enumerable keys', () => { const t = { a: 1, b: 1 }; const r = util._extend(t, Object.assign(Object.create({ inherited: 1 }), { b: 2, c: 3 })); return [r === t, t]; });
test('_extend of a non-object source', () => [util._extend({ a: 1 }, null), util._extend({ a: 1 }, 'str'), util._extend({ a: 1 }, undefined)]);
test('_extend shape', () => [typeof util._extend, util._extend.length]);
// util.parseArgs (Node's own code, runner/node/nodelib/parse_args.js).
const pa = (config) => { try { const r = util.parseArgs(config); return JSON.stringify(r); } catch (e) { return [e.name, e.code, e.message]; } };
test('parseArgs basic', () => pa({ args: ['-f', '--bar', 'b', 'pos'], options: { foo: { type: 'boolean', short: 'f' }, bar: { type: 'string' } }, allowPositionals: true }));
test('parseArgs defaults and multiple', () => pa({ args: ['--t', 'a', '--t=b'], options: { t: { type: 'string', multiple: true }, d: { type: 'string', default: 'x' }, n: { type: 'boolean', default: false } } }));
test('parseArgs tokens', () => pa({ args: ['-ab', '--', '--c'], options: { a: { type: 'boolean', short: 'a' }, b: { type: 'boolean', short: 'b' } }, allowPositionals: true, tokens: true }));
test('parseArgs short with value', () => pa({ args: ['-ofile', '-o', 'x'], options: { o: { type: 'string', short: 'o', multiple: true } } }));
test('parseArgs negative', () => pa({ args: ['--no-color'], options: { color: { type: 'boolean' } }, allowNegative: true }));
test('parseArgs strict false', () => pa({ args: ['--x', '--y=1', 'p'], strict: false }));
test('parseArgs unknown option', () => pa({ args: ['--x'], options: {} }));
test('parseArgs unknown option with positionals', () => pa({ args: ['--x'], options: {}, allowPositionals: true }));
test('parseArgs unexpected positional', () => pa({ args: ['p'] }));
test('parseArgs missing value', () => pa({ args: ['--a'], options: { a: { type: 'string' } } }));
test('parseArgs bad type', () => pa({ options: { a: { type: 'x' } } }));
test('parseArgs bad short', () => pa({ options: { a: { type: 'string', short: 'ab' } } }));
test('parseArgs args not array', () => pa({ args: 1 }));
test('parseArgs options array', () => pa({ options: [] }));
test('parseArgs option-like value', () => pa({ args: ['--a', '--b'], options: { a: { type: 'string' }, b: { type: 'boolean' } } }));
test('parseArgs default wrong type', () => pa({ options: { a: { type: 'string', default: 1 } } }));
