// node:querystring.
const qs = require('querystring');
for (const s of ['a=1&b=2', 'a=1&a=2&a=3', 'a', 'a=', '=b', '&&a=1&&', 'a=%20b+c', 'a=%zz', 'a=%E2%82%AC', 'a=%E2%82', 'a[b]=1&a[c]=2',
  'a=1;b=2', '', '?a=1', 'a=b=c', 'x=%F0%9F%98%80', 'a=%2', '%61=%62', '__proto__=1', 'constructor=1&hasOwnProperty=2', 'a=1&A=2', 'a+b=c+d'])
  test('parse ' + JSON.stringify(s), () => qs.parse(s));
test('parse sep eq', () => qs.parse('a:1;b:2', ';', ':'));
test('parse maxKeys', () => qs.parse('a=1&b=2&c=3', null, null, { maxKeys: 2 }));
test('parse decodeURIComponent', () => qs.parse('a=%41', null, null, { decodeURIComponent: (s) => s.toLowerCase() }));
test('parse null proto', () => Object.getPrototypeOf(qs.parse('a=1')));
test('parse multi-char sep', () => qs.parse('a=1&&b=2', '&&'));
for (const o of [{ a: 1, b: 'x y' }, { a: [1, 2], b: [] }, { a: null, b: undefined, c: NaN, d: true, e: 1n }, { 'a b': 'c&d=e' }, { u: 'é€😀' },
  { s: "!'()*~-_." }, { o: { x: 1 } }, {}, { a: '' }, { a: Infinity }])
  test('stringify ' + JSON.stringify(o, (k, v) => (typeof v === 'bigint' ? v + 'n' : v === undefined ? '<undefined>' : v)), () => qs.stringify(o));
test('stringify sep eq', () => qs.stringify({ a: 1, b: 2 }, ';', ':'));
test('stringify encodeURIComponent', () => qs.stringify({ a: 'x y' }, null, null, { encodeURIComponent: (s) => s.toUpperCase() }));
test('stringify lone surrogate', () => { try { return qs.stringify({ a: '\uD800' }); } catch (e) { return [e.name, e.code]; } });
test('escape', () => qs.escape("a b&c/d?é!'()*"));
test('unescape', () => [qs.unescape('a%20b+c%zz'), qs.unescape('%E2%82%AC')]);
test('unescapeBuffer', () => qs.unescapeBuffer('a%20b%zz'));
test('encode decode aliases', () => [qs.encode === qs.stringify, qs.decode === qs.parse]);
test('round trip', () => qs.parse(qs.stringify({ q: 'a+b c&d', n: ['1', '2'] })));
test('unescapeBuffer decodeSpaces', () => qs.unescapeBuffer('a+b%2', true));
test('unescape incomplete escape', () => [qs.unescape('%E2%82%zz'), qs.unescape('100%')]);
test('parse throwing decoder', () => qs.parse('a=%41', null, null, { decodeURIComponent: () => { throw new Error('x'); } }));
test('parse maxKeys zero is unlimited', () => Object.keys(qs.parse('a=1&b=2&c=3', null, null, { maxKeys: 0 })).length);
test('stringify empty sep', () => qs.stringify({ a: 1, b: 2 }, '', ''));
test('escape non-string', () => [qs.escape(12), qs.escape(null), qs.escape({ toString() { return 'a b'; } })]);
