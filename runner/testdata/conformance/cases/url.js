// WHATWG URL (the global and node:url): parsing, every setter, URLSearchParams, and node:url's
// helpers. Each parse case shows every component of the result.
const parts = (u) => [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash];
const parse = (input, base) => () => parts(base === undefined ? new URL(input) : new URL(input, base));
const set = (href, name, value) => () => { const u = new URL(href); u[name] = value; return parts(u); };

// Parsing (name: "parse <input>" or "parse <input> against <base>").
for (const input of [
  // special schemes and their default ports
  'http://example.com', 'https://example.com:443/', 'http://example.com:80/a', 'https://example.com:80/', 'ws://h:80/x', 'wss://h:443',
  'ftp://h:21/f', 'ftp://h:22/f', 'HTTP://EXAMPLE.COM/A', 'hTtPs://ExAmPlE.cOm/PaTh', 'file:///C:/x', 'file://localhost/etc', 'file:///',
  'file:', 'file:/a/b', 'file://h/a/../../b', 'file:///a/%2e%2e/b', 'file:c:/x', 'file:///c|/x',
  // trailing slashes and empty paths
  'http://h', 'http://h/', 'http://h//', 'http://h/a/', 'http://h/a//', 'http://h/a/.', 'http://h/a/..', 'http://h/a/b/..', 'http://h/./',
  'foo://h', 'foo://h/', 'foo:', 'foo:/', 'foo://', 'foo:///', 'sc://h/a/', 'sc:/a/b/../c',
  // IPv6 hosts
  'http://[::1]/', 'http://[::1]:8080/x', 'http://[0:0:0:0:0:0:0:0]/', 'http://[1:0::]/', 'http://[2001:db8::1]/', 'http://[2001:DB8:0:0:8:800:200C:417A]/',
  'http://[::ffff:192.168.0.1]/', 'http://[::192.168.0.1]/', 'http://[1:2:3:4:5:6:7::]/', 'http://[::2:3:4:5:6:7:8]/', 'http://[1::8]/',
  'http://[1:0:0:0:1:0:0:0]/', 'http://[0:1:0:0:1:0:0:1]/', 'http://[::1]', 'http://[::1]:/', 'foo://[::1]/', 'http://[1:2::3:4::5]/',
  'http://[::1::]/', 'http://[g::1]/', 'http://[::1.2.3.4.5]/', 'http://[::1]:65536/', 'http://[::1:2:3:4:5:6:7:8]/', 'http://[1:2:3:4:5:6:7]/',
  // IPv4 hosts
  'http://192.168.0.1/', 'http://192.168.0.257/', 'http://0x7F000001/', 'http://017700000001/', 'http://3232235521/', 'http://192.0x00A80001/',
  'http://1.2.3/', 'http://1.2/', 'http://1/', 'http://0x.0x.0/', 'http://09.2.3.4/', 'http://1.2.3.4.5.6/', 'http://1.2.3.4./', 'http://foo.09/',
  'http://foo.0x4/', 'http://1.2.3.4foo/', 'foo://1.2.3/', 'http://0.0.0.0x100/', 'http://0x1.0x2.0x3.0x4/',
  // host names
  'http://ExAmPlE.CoM/', 'http://example.com./', 'http://münchen.de/', 'http://xn--mnchen-3ya.de/', 'http://faß.de/', 'http://EXAMPLE.com%2E/',
  'http://%65xample.com/', 'http://ex%00ample/', 'http://a.b-c.d_e/', 'http://-x.y/', 'http://x-.y/', 'http://日本.jp/', 'http://Ⅷ.example/',
  'http://a..b/', 'http://%E2%98%83.com/', 'http://xn--ls8h.la/', 'http://\u00adx/', 'http://x\u200by/', 'foo://ExAmPlE/', 'foo://a%20b/',
  'foo://a b/', 'http://h:8080:80/', 'http://@/', 'http:///h/', 'http:h', 'https:\\\\h\\p', 'http://h\\p\\q',
  // userinfo
  'http://user:pass@h/', 'http://user@h:81/', 'http://us%40er:pa%3Ass@h/', 'http://us er:pa ss@h/', 'http://u:p@h@i/', 'http://:@h/',
  'http://user:@h/', 'http://@@h/', 'ftp://anonymous@h/', 'foo://u:p@h/x',
  // percent-encoding in paths, queries, fragments
  'http://h/a%2fb', 'http://h/%7euser', 'http://h/%7Euser', 'http://h/ä/ö?ü#ß', 'http://h/{}|\\^`', 'http://h/?{}|\\^`', 'http://h/#{}|\\^`',
  'http://h/<>"', 'http://h/?<>"', 'http://h/#<>" ', 'http://h/%', 'http://h/%2', 'http://h/%g0', 'http://h/?%', 'http://h/#%',
  'http://h/?a b', 'foo://h/?a b', 'http://h/?\'', 'foo://h/?\'', 'http://h/a\tb\nc\rd', 'http://h/\u0001\u001f', 'http://h/#\u0001',
  'http://h/😀?😀#😀', 'http://h/%F0%9F%98%80', 'http://h/%2e%2e/x', 'http://h/a/%2E%2e', 'http://h/.%2e', 'http://h/..%2fx',
  // opaque paths
  'mailto:someone@example.com', 'urn:isbn:0451450523', 'data:,Hello%2C%20World!', 'javascript:void(0)', 'about:blank', 'blob:https://h/uuid',
  'tel:+1-555', 'sc:\\../', 'sc: a b ', 'sc:a\tb', 'sc:%zz', 'sc:😀',
  // failures
  'http://', 'http://:80/', 'https://', 'http://h:99999/', 'http://h:port/', 'http://a b/', 'http://[::1/', 'http://[]/', 'http://%/',
  'http://a%2Fb/', '::', 'not a url', '', ' ', 'http://\u0000/', 'http://h%00/', 'http://255.255.255.256/', 'http://1.2.3.4.5.256/',
]) test('parse ' + JSON.stringify(input), parse(input));

for (const [input, base] of [
  ['/x', 'http://h/a/b'], ['x', 'http://h/a/b'], ['x', 'http://h/a/b/'], ['../x', 'http://h/a/b/c'], ['../../../../x', 'http://h/a'],
  ['./x', 'http://h/a/'], ['.', 'http://h/a/b'], ['..', 'http://h/a/b'], ['', 'http://h/a?q#f'], ['#g', 'http://h/a?q#f'], ['?r', 'http://h/a?q#f'],
  ['//o/p', 'https://h/a'], ['///o/p', 'https://h/a'], ['\\\\o\\p', 'https://h/a'], ['http:x', 'http://h/a/'], ['https:x', 'http://h/a/'],
  ['http:/x', 'http://h/a/'], ['x', 'file:///a/b'], ['/x', 'file://host/a'], ['..', 'file:///C:/'], ['x', 'foo://h/a/b'], ['/x', 'foo:/a'],
  ['x', 'about:blank'], ['#x', 'about:blank'], ['x', 'not a url'], ['', ''], ['http://a/', 'not a url'], ['  x  ', 'http://h/'],
  ['?a=b c', 'http://h/'], ['x?y#z', 'sc://h/'],
]) test('parse ' + JSON.stringify(input) + ' against ' + JSON.stringify(base), parse(input, base));

// Setters (name: "set <attribute> <value> on <href>").
const setters = {
  href: [['https://h/', 'http://[::1]:8080/a/../b?x=1#y'], ['https://h/', 'nope'], ['https://h/a', '/relative'], ['foo://h/', 'HTTP://Q/']],
  protocol: [['https://h/', 'http'], ['https://h/', 'http:'], ['https://h/', 'HTTP:'], ['https://h/', 'ws:'], ['https://h/', 'foo'],
    ['foo://h/', 'bar'], ['foo://h/', 'http'], ['https://h:443/', 'http'], ['http://h:443/', 'https'], ['https://u@h/', 'file'],
    ['file:///x', 'http'], ['https://h/', 'ftp:rest'], ['https://h/', '1abc'], ['https://h/', 'a b'], ['https://h/', ''], ['mailto:x@y', 'foo']],
  username: [['https://h/', 'me'], ['https://h/', 'a@b:c'], ['https://h/', 'ü s/'], ['https://u:p@h/', ''], ['https://h/', '%41%zz'],
    ['file:///x', 'u'], ['mailto:x', 'u'], ['foo://h/', 'u s'], ['https://h/', "!$&'()*+,;="]],
  password: [['https://h/', 'secret'], ['https://u@h/', 'p@ss:w/rd#?'], ['https://u:p@h/', ''], ['https://h/', '%zz%41 '],
    ['file:///x', 'p'], ['foo://h/', 'p:q'], ['https://h/', "!$&'()*+,;="]],
  host: [['https://h/', 'example.com:8080'], ['https://h/', 'example.com:443'], ['https://h:81/', 'x'], ['https://h/', '[::1]:99'],
    ['https://h/', '[::1]'], ['https://h/', '0x7f.1'], ['https://h/', 'a b'], ['https://h/', ''], ['foo://h/', ''], ['https://h/', 'x/y'],
    ['https://h/', 'x?y'], ['https://h/', 'x#y'], ['https://h/', 'x@y'], ['https://h/', 'x:'], ['https://h/', 'x:abc'], ['https://h/', ':80'],
    ['https://h/', 'MÜNCHEN.de'], ['foo://h/', 'a%20b:1'], ['file:///x', 'srv'], ['file://srv/x', ''], ['mailto:x', 'h'], ['https://h/', 'x\\y']],
  hostname: [['https://h/', 'example.com'], ['https://h:81/', 'x:90'], ['https://h/', '[::1]'], ['https://h/', '::1'], ['https://h/', '2130706433'],
    ['https://h/', 'x/y'], ['https://h/', '☃'], ['https://h/', ''], ['foo://h:1/', ''], ['https://h/', 'a%2eb'], ['file://srv/x', 'localhost'],
    ['https://h/', '1.2.3.4.5']],
  port: [['https://h/', '8080'], ['https://h/', '443'], ['https://h:8080/', ''], ['https://h/', '8080abc'], ['https://h/', 'abc'],
    ['https://h/', '99999'], ['https://h/', '65535'], ['https://h/', '0'], ['https://h/', ' 1'], ['https://h/', '00080'], ['https://h/', 8443],
    ['http://h/', '80'], ['file:///x', '8'], ['foo://h/', '1'], ['foo:x', '1'], ['https://u@h/', '-1'], ['https://h/', '1.5']],
  pathname: [['https://h/', '/users/auth0%7C123'], ['https://h/', '/users/auth0|123'], ['https://h/', '/a b/?c#d'], ['https://h/', '/a/../b/./c'],
    ['https://h/', '/a/%2e%2E/b'], ['https://h/', 'x'], ['https://h/', ''], ['https://h/', '//x'], ['https://h/', '/é%zz'], ['https://h/', '/%41%7e'],
    ['https://h/', '\\a\\b'], ['https://h/', '/a/'], ['https://h/', '/😀'], ['https://h/', "/{}|`^'\""], ['foo://h/p', ''], ['foo://h/p', 'x y'],
    ['foo:opaque', '/x'], ['file:///a', '/C:/b'], ['file:///a', 'b/../../c'], ['https://h/', '/a\tb\nc']],
  search: [['https://h/?a', '?b c'], ['https://h/?a', 'b'], ['https://h/?a', '??b'], ['https://h/?a', '#x'], ['https://h/?a', ''],
    ['https://h/?a', '?'], ['https://h/', "'"], ['foo://h/', "'"], ['https://h/', '?a=%zz&b=%41'], ['https://h/', '?é=€'], ['https://h/#f', '?q'],
    ['https://h/', '?{}|`^<>"'], ['https://h/', '?a=1&a=2'], ['mailto:x', '?subject=hi there']],
  hash: [['https://h/#a', '#b c'], ['https://h/#a', 'b'], ['https://h/#a', ''], ['https://h/#a', '#'], ['https://h/#a', '##x'],
    ['https://h/', '#a%20b'], ['https://h/', '#é'], ['https://h/', '#{}|`^<>"'], ['https://h/?q', '#x'], ['mailto:x', '#h'], ['https://h/', '#\u0000']],
};
for (const [attr, list] of Object.entries(setters))
  for (const [href, value] of list)
    test('set ' + attr + ' ' + JSON.stringify(value) + ' on ' + href, set(href, attr, value));

// searchParams and URLSearchParams.
const sp = (init) => () => { const s = new URLSearchParams(init); return [[...s], String(s), s.size]; };
for (const init of ['a=1&b=2', '?a=1', '??a', 'a=b=c&&=x&y=', 'a=%zz&b=%E2%82&c=+x', 'a=%2B%26%3D&%C3%A9=%E2%82%AC', 'a b=c d', 'a=😀',
  '%EF%BB%BFa=1', 'a=%00%7f%80', '', '&&&', '=', 'a', 'a=1;b=2'])
  test('URLSearchParams ' + JSON.stringify(init), sp(init));
test('URLSearchParams object', sp({ a: 'x y', 'b!': "~'()*", c: 1 }));
test('URLSearchParams pairs', sp([['a', 'b'], ['c', 'd'], ['a', 'e']]));
test('URLSearchParams map', sp(new Map([['m', 'n']])));
test('URLSearchParams copy', sp(new URLSearchParams('x=1&y=2')));
test('URLSearchParams undefined', sp(undefined));
test('URLSearchParams bad pair', sp([['a']]));
test('URLSearchParams sort', () => { const s = new URLSearchParams('b=2&a=1&b=1&a=0&é=1&z=0&A=1'); s.sort(); return String(s); });
test('URLSearchParams delete value', () => { const s = new URLSearchParams('a=1&b=2&a=3'); s.delete('a', '3'); return [String(s), s.has('a', '1'), s.has('a', '3')]; });
test('URLSearchParams set', () => { const s = new URLSearchParams('a=1&b=2&a=3'); s.set('a', '9'); return [String(s), s.getAll('a'), s.get('zz')]; });
test('URLSearchParams encodes', () => new URLSearchParams({ q: "a+b c&d=e/f?g#h~!*'()" }).toString());
test('URLSearchParams forEach', () => { const o = []; new URLSearchParams('a=1&b=2').forEach((v, k) => o.push(k + v)); return o; });
test('URLSearchParams keys values', () => { const s = new URLSearchParams('a=1&b=2'); return [[...s.keys()], [...s.values()]]; });
test('searchParams append updates search', () => { const u = new URL('https://h/?a=1'); u.searchParams.append('b', 'x y'); return parts(u); });
test('searchParams delete last empties search', () => { const u = new URL('https://h/?a=1#f'); u.searchParams.delete('a'); return parts(u); });
test('searchParams sort rewrites', () => { const u = new URL('https://h/p?b=1&a=b c'); u.searchParams.sort(); return parts(u); });
test('search setter updates searchParams', () => { const u = new URL('https://h/?a=1'); const s = u.searchParams; u.search = '?q=%41+b'; return [s.get('q'), s.size]; });
test('href setter updates searchParams', () => { const u = new URL('https://h/?a=1'); const s = u.searchParams; u.href = 'https://h/?b=2'; return [s.get('b'), s.get('a')]; });
test('searchParams is stable', () => { const u = new URL('https://h/'); return u.searchParams === u.searchParams; });
test('searchParams on opaque path', () => { const u = new URL('foo:opaque  ?a'); u.searchParams.delete('a'); return u.href; });

// The URL class.
test('toString and toJSON', () => [String(new URL('http://h/x')), JSON.stringify({ u: new URL('http://h/x') })]);
test('invalid URL error', () => { try { new URL('nope'); } catch (e) { return [e.name, e.code, e.message, e.input]; } });
test('invalid base error', () => { try { new URL('x', 'nope'); } catch (e) { return [e.name, e.code, e.message, e.input, e.base]; } });
test('canParse', () => [URL.canParse('x'), URL.canParse('x', 'http://h/'), URL.canParse('http://[::1]/')]);
test('typeof URL.parse', () => typeof URL.parse);
test('subclass', () => { class My extends URL { hi() { return 'hi ' + this.hostname; } } const m = new My('https://m.example/'); return [m.hi(), m instanceof URL]; });
test('url object argument', () => new URL({ toString() { return 'http://h/obj'; } }).href);
test('url with URL base', () => new URL('x', new URL('http://h/a/')).href);
test('lone surrogate', () => new URL('http://h/\uD800').href);
test('toStringTag', () => [Object.prototype.toString.call(new URL('http://h')), Object.prototype.toString.call(new URLSearchParams())]);
test('node:url URL is the global', () => require('url').URL === URL && require('url').URLSearchParams === URLSearchParams);

// node:url's helpers and the legacy API.
const url = require('url');
for (const p of ['/a/b c', '/a/%', '/a/é', '/a/#?', '/']) test('pathToFileURL ' + JSON.stringify(p), () => url.pathToFileURL(p).href);
for (const h of ['file:///a/b%20c', 'file:///a/%C3%A9', 'file://localhost/x', 'file:///a/%2f']) test('fileURLToPath ' + h, () => url.fileURLToPath(h));
test('fileURLToPath http', () => url.fileURLToPath('http://h/'));
for (const d of ['münchen.de', 'xn--mnchen-3ya.de', 'EXAMPLE.com', 'a b', '☃.net']) {
  test('domainToASCII ' + d, () => url.domainToASCII(d));
  test('domainToUnicode ' + d, () => url.domainToUnicode(d));
}
test('urlToHttpOptions', () => url.urlToHttpOptions(new URL('https://u:p@h:8443/a?b#c')));
test('format URL with options', () => url.format(new URL('https://u:p@h/a?b#c'), { auth: false, search: false, fragment: false }));
for (const s of ['http://user:pass@host.com:8080/p/a/t/h?query=string#hash', 'https://h/a?x=1&x=2&y', '/just/a/path?q', '//h/p', 'mailto:a@b.c',
  'HTTP://H.COM/A', 'http://h.com/a b', 'javascript:alert(1)'])
  test('legacy parse ' + s, () => { const u = url.parse(s); return [u.protocol, u.slashes, u.auth, u.host, u.port, u.hostname, u.hash, u.search, u.query, u.pathname, u.path, u.href]; });
test('legacy parse query object', () => url.parse('http://h/?a=1&a=2&b=x%20y', true).query);
test('legacy parse slashes host', () => url.parse('//h/p', false, true).host);
test('legacy format object', () => url.format({ protocol: 'https', hostname: 'h.com', pathname: '/a b', query: { x: '1 2', y: ['a', 'b'] } }));
test('legacy format string', () => url.format('http://h/a'));
for (const [from, to] of [['http://h/a/b', '../c'], ['http://h/a/b', '/c'], ['http://h/a/b', '//o/c'], ['/one/two/three', 'four'], ['http://h/', 'https://x/y']])
  test('legacy resolve ' + from + ' ' + to, () => url.resolve(from, to));
for (const d of ['a:80', 'h/p', 'X', '', '1.2.3.4', '0x7f.1', '[::1]', '::1', 'xn--', 'xn--a.com', 'a..b', 'münchen.DE', 'ab--c.com', 'xn--zca.xn--zca',
  '-x.com', '%41.com', 'xn--ls8h.la', 'EXAMPLE.com.', 'ß.de', 'xn--ss-3ya.de', 'bücher.example', '日本語.jp', 'xn--wgv71a119e.jp'])
  test('domainToASCII and domainToUnicode ' + JSON.stringify(d), () => [url.domainToASCII(d), url.domainToUnicode(d)]);
for (const p of ['/a/b/', '/a/b%20c', '/a\\b', '/a\nb\tc\rd', '/é/😀', '/a/./b/../c', '//double', '/?', '/#'])
  test('pathToFileURL ' + JSON.stringify(p), () => url.pathToFileURL(p).href);
test('pathToFileURL non-string', () => { try { url.pathToFileURL(1); } catch (e) { return [e.name, e.code]; } });
for (const h of ['file://host/x', 'file:///a%2Fb', 'file:///%E2%82%AC', 'file:///a?q#h'])
  test('fileURLToPath ' + h, () => { try { return url.fileURLToPath(h); } catch (e) { return [e.name, e.code, e.message]; } });
test('fileURLToPath URL object', () => url.fileURLToPath(new URL('file:///x/y')));
test('fileURLToPath non-URL', () => { try { url.fileURLToPath(1); } catch (e) { return [e.name, e.code]; } });
test('urlToHttpOptions no port', () => url.urlToHttpOptions(new URL('http://[::1]/p?q')));
for (const o of [{}, { auth: false }, { search: false }, { fragment: false }, { unicode: true }, { unicode: true, auth: false }])
  test('format URL ' + JSON.stringify(o), () => url.format(new URL('https://u:p@xn--mnchen-3ya.de:8443/a?b#c'), o));
for (const s of ['mailto:b.c', 'foo:a@b/c', 'news:x', 'javascript:a@b', 'http:h/x', 'urn:isbn:1', 'sc://u@h/p', 'data:text/plain,x', 'file:/x', 'x@y', 'tel:+1', 'HTTP://u:p@H:80/a/../b?c=d#e'])
  test('legacy parse more ' + s, () => { const u = url.parse(s); return [u.protocol, u.slashes, u.auth, u.host, u.pathname, u.search, u.hash, u.href]; });
// More of the legacy API (Node's lib/url.js, ported in runner/node/nodelib).
for (const [from, to] of [['mailto:local1@domain1', 'local2@domain2'], ['http://a/b/c/d;p?q', '../g'], ['http://a/b/c/d;p?q', '../../../g'],
  ['http://a/b/c/d;p?q', '?y'], ['http://a/b/c/d;p?q', '#s'], ['http://a/b/c/d;p?q', 'g;x?y#s'], ['http://a/b/c/d;p?q', ''], ['http://h', '?x'],
  ['http://u@h/a', '//o/b'], ['http://h/a/', 'mailto:x@y'], ['file:///a/b', '../c'], ['/a/b/c', '../../..'], ['a/b', '../../c'], ['http://h/a', 'HTTP:b']])
  test('legacy resolve more ' + from + ' ' + to, () => url.resolve(from, to));
for (const s of ['  http://h/a\\b?c\\d  ', 'http://a@b@c/', 'http://a@b?@c', 'http://h:abc/p', 'http://[::1]:8080/x', 'http://[fe80::1%25en0]/',
  'http://ÄÖ.com/p', 'HTTP://h/%7e?a b#c d', 'http://h/p?q#h#i', 'http://h/\u00e9', 'javascript:alert("a b")', 'http://x.com/p\tq', '?x=1', '#h'])
  test('legacy parse edge ' + JSON.stringify(s), () => { const u = url.parse(s); return [u.protocol, u.slashes, u.auth, u.host, u.port, u.hostname, u.hash, u.search, u.query, u.pathname, u.path, u.href]; });
for (const s of ['http://xn--a.com/', 'http://a\u0000b/'])
  test('legacy parse invalid ' + JSON.stringify(s), () => { try { return url.parse(s).hostname; } catch (e) { return [e.name, e.code, e.message]; } });
test('legacy parse non-string', () => { try { url.parse(1); } catch (e) { return [e.name, e.code, e.message]; } });
test('legacy format non-object', () => { try { url.format(1); } catch (e) { return [e.name, e.code, e.message]; } });
test('legacy format options non-object', () => { try { url.format(new URL('http://h'), 1); } catch (e) { return [e.name, e.code, e.message]; } });
for (const o of [{ host: 'h:1', hostname: 'x', port: 2, pathname: 'p' }, { protocol: 'mailto', auth: 'a b:c', hostname: 'h' }, { protocol: 'file:', pathname: '/x' },
  { protocol: 'http', hostname: '::1', port: 80 }, { pathname: '/a?b#c', search: 'x', hash: 'y' }, { query: 'q=1' }, { protocol: 'ftp', host: 'h', slashes: false }])
  test('legacy format more ' + JSON.stringify(o), () => url.format(o));
test('legacy resolveObject', () => { const r = url.resolveObject('http://u:p@h/a/b?c#d', '../x?y'); return [r.href, r.auth, r.pathname, r.search, r.path]; });
test('legacy parse parseQueryString empty', () => { const u = url.parse('http://h/', true); return [u.search, JSON.stringify(u.query), Object.getPrototypeOf(u.query)]; });
test('legacy Url instance methods', () => { const u = url.parse('http://h/a/b'); return [u instanceof url.Url, u.format(), u.resolve('c'), url.parse(u) === u]; });
