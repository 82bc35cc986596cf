// Regenerates request_targets.json, the expectations of TestEgressRequestTargetAsNode
// (security/egress_test.go): node security/testdata/egress/gen.js
// Node sends each request to a loopback listener, which records the request target (the middle
// of the request line) it received; those are what the daemon must send for the same calls.
'use strict';
const net = require('net');
const http = require('http');

const urlPaths = [
  '/a/b/?x=1', '/p//double/./dot/../x/', '//x', '//x/../y', '/a%zz^|b', '//a^b', '//a%zz', '/a b', '/\u00e9',
  '/?a=b c', "/?a='b", '/a?', '/a#frag', '/a/./b/%2e%2E/c', '/\\x\\y', "/[]@!$&'()*+,;=:", '/%2F', '/a?b?c',
  '/{}`', '/\u00e3?\u00e3', '/..', '/.%2e/x', '/?#', '/x?y#z', '', '?q', '/a"b<c>', '/%7C', '/~', '/a\tb',
];
const optionPaths = ['/a/../b', '//x', '/a#b', '/\u00e9', '/a?', '*', 'x', '/a%zz', '//a^b', '/p//double/./dot/../x/'];

const seen = [];
const server = net.createServer((c) => {
  let buf = '';
  c.on('data', (d) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    seen.push(buf.slice(0, buf.indexOf('\r\n')).split(' ')[1]);
    c.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
  });
});

function target(f) {
  return new Promise((resolve) => {
    const before = seen.length;
    f().then(() => resolve(seen.length > before ? Buffer.from(seen[seen.length - 1], 'latin1').toString('latin1') : null),
      (e) => resolve('error ' + (e.code || (e.cause && e.cause.code) || e.name)));
  });
}
const get = (arg) => new Promise((resolve, reject) => {
  try {
    http.get(arg, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  } catch (e) { reject(e); }
});

server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  const base = `http://127.0.0.1:${port}`;
  const out = [];
  for (const p of urlPaths) {
    out.push({ via: 'fetch', input: p, want: await target(() => fetch(base + p).then((r) => r.text())) });
    out.push({ via: 'http.get(url)', input: p, want: await target(() => get(base + p)) });
  }
  for (const p of optionPaths) {
    out.push({ via: 'http.get(options)', input: p, want: await target(() => get({ hostname: '127.0.0.1', port, path: p })) });
  }
  server.close();
  // Targets are bytes: latin1 strings here, so that a path Node sends as latin1 compares byte-wise.
  require('fs').writeFileSync(require('path').join(__dirname, 'request_targets.json'),
    JSON.stringify({ node: process.version, cases: out }, null, 1) + '\n');
  console.log(out.length, 'cases');
});
