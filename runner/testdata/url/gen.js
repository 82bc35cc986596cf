// Regenerates node.json, the expectations of TestURLTableAsNode (runner/url_test.go), from the
// Node that runs it (Node 20 made the checked-in copy): node runner/testdata/url/gen.js
// Each case is a JavaScript expression; Node's value for it (String(value), or "throws <name>
// <code>") is what the runner's URL and URLSearchParams must give.
'use strict';
const prologue = `const show = (u) => [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash].join(' | ');
const set = (href, name, value) => { const u = new URL(href); u[name] = value; return show(u); };
const sp = (init) => { const s = new URLSearchParams(init); return JSON.stringify([...s]) + ' ' + s; };`;

const parse = [
  // the reproducers
  ['http://h/a/b/?x=1'], ['http://h/p//double/./dot/../x/'], ['http://[::1]:8080/'],
  // hosts: IPv6
  ['http://[::1]/'], ['http://[0:0:0:0:0:0:0:1]/'], ['http://[::ffff:127.0.0.1]/'], ['http://[::ffff:7f00:1]/'],
  ['http://[::127.0.0.1]/'], ['http://[2002:7f00:1::]/'], ['http://[64:ff9b::127.0.0.1]/'], ['http://[2001::7f00:1]/'],
  ['http://[::1%25lo]/'], ['http://[::1%lo]/'], ['http://[fe80::1%25eth0]/'], ['http://[::1%251]:80/'], ['http://[::1'],
  ['http://[::1]x/'], ['http://[:::1]/'], ['http://[1:2:3:4:5:6:7:8:9]/'], ['http://[::]/'], ['http://[FE80::A]/'],
  ['http://[1:0:0:2::3:0]/'], ['http://[::1.2.3]/'], ['http://::1/'],
  // hosts: IPv4 spellings
  ['http://0x7f.1/'], ['http://2130706433/'], ['http://127.1/'], ['http://0177.0.0.1/'], ['http://0x7f.0.0.1/'],
  ['http://0x7f000001/'], ['http://127.0.0.1./'], ['http://127.0.0.0x1/'], ['http://0/'], ['http://0.0.0.0/'],
  ['http://4294967295/'], ['http://4294967296/'], ['http://256.0.0.1/'], ['http://1.2.3.4.5/'], ['http://1.2.3.09/'],
  ['http://08/'], ['http://0x/'], ['http://1.2.3.4x/'], ['http://999999999999/'], ['http://\uFF11\uFF12\uFF17.0.0.1/'],
  ['http://0177.1/'], ['http://127.0.0.1:80/'], ['http://0x7F.1/'], ['http://127.000.000.001/'], ['http://1.0x/'],
  ['http://%31%32%37.0.0.1/'], ['http://127.0.0.1%2e/'], ['http://0x7f.1:8080/x'],
  // hosts: names
  ['http://LOCALHOST/'], ['http://localhost./'], ['http://localhost../'], ['http://xn--n3h.example/'], ['http://\u2603.example/'],
  ['http://exa%6dple.com/'], ['http://a b/'], ['http://a%20b/'], ['http://a<b/'], ['http://a^b/'], ['http://a|b/'],
  ['http://a%zzb/'], ['http://ex\u00ADample.com/'], ['http://EXAMPLE.COM./x'], ['http://a.b.c.d.e.f/'], ['http://xn--/'],
  ['http://_h_/'], ['http://h:8080'], ['http://h\\x'],
  // paths
  ['http://h/a/./b/../c'], ['http://h/a/%2e/b/%2E%2e/c'], ['http://h/a/..'], ['http://h/a/../'], ['http://h/..//x'],
  ['http://h//x'], ['http://h///'], ['http://h/a b'], ['http://h/a"b<c>d`e{f}g'], ['http://h/a^b|c'], ['http://h/\u00e9'],
  ['http://h/%zz'], ['http://h/%2f'], ['http://h/%2F%2e'], ['http://h/a\\b'], ['http://h/a?b#c'], ['http://h/a#b?c'],
  ['http://h'], ['http://h?x'], ['http://h#x'], ['http://h/;a=b'], ['http://h/a%00b'], ['http://h/\u0000x'],
  ['http://h/\t/x\n'], ['  http://h/  '], ['http://h/a\uD83D\uDE00b'], ['http://h/[]@!$&\'()*+,;=:'], ['http://h/~.-_'],
  ['http://h/.%2E/x'], ['http://h/x/.'], ['http://h/x/%2e'], ['http://h/x/.%2e/'], ['http://h/\u007f'],
  // queries and fragments
  ['http://h/?a=b c'], ["http://h/?a='b"], ["foo://h/?a='b"], ['http://h/?a"b<c>d'], ['http://h/?\u00e9'], ['http://h/?%zz'],
  ['http://h/?a#b'], ['http://h/?'], ['http://h/?#'], ['http://h/?a=1&a=2&b'], ['http://h/?`{}|^'],
  ['http://h/#a b'], ['http://h/#`'], ['http://h/#\u00e9'], ['http://h/#'], ['http://h/#a#b'], ['http://h/#<>"'],
  // userinfo
  ['http://u:p@h/'], ['http://u@h/'], ['http://:p@h/'], ['http://u:p:q@h/'], ['http://a@b@h/'], ['http://u%20:p@h/'],
  ['http://\u00fc:\u00df@h/'], ['http://@h/'], ['http://u:@h/'], ['http://u p:q r@h/'], ['http://u:p@/'],
  // schemes and ports
  ['https://h:443/'], ['https://h:80/'], ['ws://h:80/'], ['wss://h:443/'], ['ftp://h:21/'], ['http://h:0/'],
  ['http://h:65535/'], ['http://h:65536/'], ['http://h:08/'], ['http://h:/'], ['http://h:a/'], ['HTTP://H/'],
  ['file:///etc/passwd'], ['file://host/x'], ['file:/x'], ['file:c:\\x'], ['file://localhost/x'], ['mailto:a@b'],
  ['javascript:alert(1)'], ['data:text/plain,hi there'], ['foo://h/a/../b'], ['foo:/a/../b'], ['foo:a b '],
  ['blob:https://a.com/x'], ['blob:file:///x'], ['sc://\u00f1/'], ['sc://%/'], ['non-spec:/.//p'], ['http:/h/x'],
  ['http:h/x'], ['http:\\\\h\\x'], ['https:////h/x'], ['HtTpS://h/'], ['ws://h/x?y#z'], ['foo://'], ['foo://h:99999/'],
  // relative references
  ['../x', 'http://h/a/b/c'], ['//other/x', 'http://h/a'], ['?q', 'http://h/a?z#f'], ['#f', 'http://h/a?q'],
  ['', 'http://h/a?q#f'], ['/x', 'file:///a/b'], ['x', 'mailto:a'], ['http:x', 'http://h/a/'], ['\\\\x\\y', 'http://h/'],
  ['https://x', 'invalid'], ['x', 'invalid'], ['../../../..', 'http://h/a/b'], ['./', 'http://h/a/b?q'], ['..', 'http://h/'],
  ['/p//double/./dot/../x/', 'http://h/'], ['http://[::1]/', 'http://h/'], ['//[::1]:8080', 'https://h/'],
  ['  /x  ', 'http://h/'], ['x', 'foo:/a/b'], ['x', 'foo:opaque'],
  // failures
  [''], ['h'], ['http://'], ['http://['], ['http://a:b:c/'], ['http://%41/'], ['http://%zz/'], ['http://1.2.3.256/'],
  ['http://0x100000000/'], ['//h/x'], ['/x'], ['http://h:-1/'],
];

const exprs = [];
for (const [input, base] of parse) {
  exprs.push(`show(new URL(${JSON.stringify(input)}${base === undefined ? '' : ', ' + JSON.stringify(base)}))`);
}

const setters = [
  ['https://h/', 'pathname', '/users/auth0%7C123'], ['https://h/', 'pathname', '/a b/?c#d'], ['https://h/', 'pathname', '/a/../b/./c'],
  ['https://h/', 'pathname', '/a/%2e%2E/b'], ['https://h/', 'pathname', 'x'], ['https://h/', 'pathname', '//x'],
  ['https://h/', 'pathname', '/\u00e9%zz'], ['foo:opaque', 'pathname', '/x'], ['foo://h/p', 'pathname', ''],
  ['https://h/?a', 'search', '?b c'], ['https://h/?a', 'search', '??b'], ['https://h/?a', 'search', '#x'],
  ['https://h/?a', 'search', ''], ['https://h/?a', 'search', "'"], ['foo://h/?a', 'search', "'"],
  ['https://h/#a', 'hash', '#b c'], ['https://h/#a', 'hash', ''], ['https://h/#a', 'hash', '##x'],
  ['https://h/', 'host', 'x.example:8080'], ['https://h/', 'host', 'x.example:443'], ['https://h/', 'host', '[::1]:99'],
  ['https://h/', 'host', '0x7f.1'], ['https://h/', 'host', 'a b'], ['https://h/', 'host', ''], ['https://h:81/', 'host', 'x'],
  ['https://h/', 'host', 'x/y'], ['https://h/', 'host', 'x?y'], ['https://h/', 'host', 'x#y'], ['https://h/', 'host', 'x@y'],
  ['https://h/', 'hostname', 'x:8080'], ['https://h/', 'hostname', '[::1%25lo]'], ['https://h/', 'hostname', '2130706433'],
  ['https://h/', 'hostname', 'x/y'], ['https://h/', 'hostname', '\u2603'],
  ['https://h/', 'port', '8080abc'], ['https://h:8080/', 'port', ''], ['https://h/', 'port', '99999'], ['http://h/', 'port', '80'],
  ['https://h/', 'port', 8443], ['https://h/', 'port', ' 1'], ['file:///x', 'port', '8'],
  ['https://h/', 'protocol', 'http'], ['https://h/', 'protocol', 'ftp:'], ['https://h/', 'protocol', 'foo'],
  ['https://h/', 'protocol', 'file'], ['foo://h/', 'protocol', 'http'], ['https://h:80/', 'protocol', 'http'],
  ['https://h/', 'protocol', 'HTTP:x'], ['https://h/', 'protocol', '1x'],
  ['https://h/', 'username', 'a@b:c/d'], ['https://h/', 'password', 'p@ss:w/rd#?'], ['file:///x', 'username', 'u'],
  ['https://u:p@h/', 'username', ''], ['https://u:p@h/', 'password', ''], ['https://h/', 'username', '\u00fc '],
  // percent-encoded values stay as they are (issue 13, cause 6: never encoded twice), in every setter
  ['https://t.example/api/v2/', 'pathname', '/api/v2/users/auth0%7C123'], ['https://h/a/b', 'pathname', '%2e%2e/x%2Fy%25'],
  ['https://h/', 'pathname', '/%7c%7C%zz%%41'], ['foo://h/p', 'pathname', '/a%20b c'], ['https://h/', 'hash', '#a%20b'],
  ['https://h/', 'hash', 'a%2 %25%zz'], ['https://h/?q#f', 'hash', '#%E2%82%AC\u20ac'], ['https://h/', 'search', '?a%20b=%7C|'],
  ['https://h/', 'search', 'x=%25%2x'], ['foo://h/', 'search', "?%27'"], ['https://h/', 'username', 'a%40b@c'],
  ['https://h/', 'password', 'p%3Aw:%zz'], ['https://h/', 'host', 'ex%61mple.com'], ['https://h/', 'hostname', '%31%32%37.0.0.1'],
  ['https://h/', 'host', 'a%zzb'], ['https://h/', 'port', '%38'], ['https://h/', 'protocol', 'ht%74p'],
  ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'protocol', 'http'], ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'host', 'x'],
  ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'port', '8080'], ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'hash', 'v%20w'],
  ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'search', 'x%20y'], ['https://u%20a:p%20b@h/p%20q?r%20s#t%20u', 'pathname', '/z%20'],
  ['https://h/', 'href', 'https://h/users/auth0%7C123?x=%20#%20'], ['https://h/', 'href', 'http://[::1]/%zz%%7C'],
];
for (const [href, name, value] of setters) {
  exprs.push(`set(${JSON.stringify(href)}, ${JSON.stringify(name)}, ${JSON.stringify(value)})`);
}

exprs.push(
  // href setter, searchParams linkage
  `(() => { const u = new URL('https://h/'); u.href = 'http://[::1]:8080/a/../b?x=1#y'; return show(u); })()`,
  `(() => { const u = new URL('https://h/'); u.href = 'nope'; return show(u); })()`,
  `(() => { const u = new URL('https://h/p%20q?a=%7C'); u.pathname = u.pathname + '/x%7C'; u.hash = u.hash + '#b%20'; u.search = u.search; return show(u) + ' ' + u.searchParams.get('a'); })()`,
  `(() => { const u = new URL('https://h/?a=%7C&b=x%20y'); u.searchParams.append('c', '%7C'); return show(u) + ' ' + [...u.searchParams].join(';'); })()`,
  `(() => { const u = new URL('https://h/'); u.search = '?q=%2520'; const s = u.searchParams; u.searchParams.set('r', '%20'); return show(u) + ' ' + s.get('q'); })()`,
  `(() => { const u = new URL('https://h/users/'); u.pathname += encodeURIComponent('auth0|123'); u.pathname = u.pathname; return u.href; })()`,
  `(() => { const u = new URL('https://h/?a=1'); const s = u.searchParams; u.href = 'https://h/?b=2'; return s.get('b') + ' ' + s.get('a'); })()`,
  `(() => { const u = new URL('https://h/?a=1'); u.searchParams.append('b', 'x y'); return show(u); })()`,
  `(() => { const u = new URL('https://h/?a=1'); u.searchParams.delete('a'); return show(u); })()`,
  `(() => { const u = new URL('https://h/p?a=b c&d=%zz'); u.searchParams.sort(); return show(u); })()`,
  `(() => { const u = new URL('foo:opaque  ?a'); u.searchParams.delete('a'); return JSON.stringify(u.href); })()`,
  `(() => { const u = new URL('https://h/?a=1'); const s = u.searchParams; u.search = '?q=%41+b'; return s.get('q') + ' ' + s.size; })()`,
  `(() => { const u = new URL('https://h/'); return (u.searchParams === u.searchParams) + ' ' + u.searchParams; })()`,
  // URLSearchParams
  `sp('a=1&b=%zz&c=%E2%82&d=+x&e=%F0%9F%98')`, `sp('?a=b=c&&=x&y=')`, `sp('??a')`, `sp({ a: 'x y', 'b!': "~'()*", c: 1 })`,
  `sp([['a', 'b'], ['c', 'd']])`, `sp(new Map([['m', 'n']]))`, `sp('\\uD800=\\uDC00x')`, `sp('a=%2B%26%3D&%C3%A9=%E2%82%AC')`,
  `sp('a=\\u00e9\\u20ac\\uD83D\\uDE00')`, `sp(new URLSearchParams('x=1&y=2'))`, `sp('%EF%BB%BFa=1')`, `sp('a=%00%7f%80')`,
  `sp(undefined)`, `sp(null)`, `sp('')`, `sp(1)`, `sp([])`,
  `(() => { try { return sp([['a']]); } catch (e) { return 'throws ' + e.name + ' ' + e.code; } })()`,
  `(() => { try { return sp([1]); } catch (e) { return 'throws ' + e.name + ' ' + e.code; } })()`,
  `(() => { const s = new URLSearchParams('b=2&a=1&b=1&a=0&\\u00e9=1&z=0&A=1'); s.sort(); return s + ' ' + s.size; })()`,
  `(() => { const s = new URLSearchParams('a=1&b=2&a=3'); s.delete('a', '3'); return s + ' ' + s.has('a', '1') + ' ' + s.has('a', '3'); })()`,
  `(() => { const s = new URLSearchParams('a=1&b=2&a=3'); s.set('a', '9'); return s + ' ' + s.getAll('a') + ' ' + s.get('zz'); })()`,
  `(() => { const s = new URLSearchParams('a=1&b=2'); const seen = []; for (const [k, v] of s) { seen.push(k + v); if (k === 'a') s.append('c', '3'); } return seen.join(); })()`,
  `(() => { const s = new URLSearchParams('a=1&b=2'); const seen = []; s.forEach((v, k, o) => seen.push(k + v + (o === s))); return seen.join(); })()`,
  `[...new URLSearchParams('a=1&b=2').keys()].join() + ' ' + [...new URLSearchParams('a=1&b=2').values()].join()`,
  `Object.prototype.toString.call(new URLSearchParams().entries()) + ' ' + Object.prototype.toString.call(new URLSearchParams()) + ' ' + Object.prototype.toString.call(new URL('http://h'))`,
  `URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries`,
  // Missing arguments are not compared (url.js takes them as undefined, where Node throws
  // ERR_MISSING_ARGS); explicit undefined ones are.
  `(() => { const s = new URLSearchParams(); s.append('a', undefined); s.set(undefined, 1); return s + ' ' + s.get(undefined) + ' ' + s.has('a', undefined); })()`,
  `(() => { try { URLSearchParams.prototype.get.call({}, 'a'); } catch (e) { return 'throws ' + e.name + ' ' + e.code; } })()`,
  // the classes
  `Object.keys(URL.prototype).join()`, `Object.keys(URLSearchParams.prototype).join()`,
  `String(new URL('http://h/x')) + ' ' + JSON.stringify({ u: new URL('http://h/x') })`,
  `(() => { try { new URL(undefined); } catch (e) { return 'throws ' + e.name + ' ' + e.code + ' ' + e.message + ' ' + e.input; } })()`,
  `(() => { try { new URL('x', 'nope'); } catch (e) { return 'throws ' + e.name + ' ' + e.code + ' ' + e.message + ' ' + e.input + ' ' + e.base; } })()`,
  `URL.canParse('x') + ' ' + URL.canParse('x', 'http://h/') + ' ' + URL.canParse('http://[::1%25lo]/')`,
  `URL.parse('nope') + ' ' + URL.parse('x', 'http://h/a/')`,
  `(() => { class My extends URL { hi() { return 'hi ' + this.hostname; } } const m = new My('https://m.example/'); return m.hi() + ' ' + (m instanceof URL) + ' ' + URL.name + ' ' + (new URL('https://x').constructor === URL); })()`,
  `(() => { class P extends URLSearchParams { n() { return this.size; } } return new P('a=1&b=2').n(); })()`,
  `(() => { const s = new URLSearchParams('a=1'); const p = new Proxy(s, {}); return p.get('a') + ' ' + p.toString() + ' ' + p.has('a'); })()`,
  `new URL({ toString() { return 'http://h/obj'; } }).href`,
  `new URL('http://h/\\uD800').href`,
);

const out = [];
for (const e of exprs) {
  let got;
  try {
    got = String(new Function(prologue + '\nreturn (' + e + ');')());
  } catch (err) {
    got = 'throws ' + err.name + ' ' + err.code;
  }
  out.push({ expr: e, want: got });
}
require('fs').writeFileSync(require('path').join(__dirname, 'node.json'),
  JSON.stringify({ node: process.version, prologue, cases: out }, null, 1) + '\n');
console.log(out.length, 'cases');
