// node:path (POSIX), as actions use it.
const path = require('path');

for (const args of [
  ['/a', 'b'], ['/a/', '/b/'], ['a', '..', '..', 'b'], [''], [], ['.', '.'], ['/foo', 'bar', 'baz/asdf', 'quux', '..'],
  ['foo', '', 'bar'], ['/', '..'], ['a//b', './c/'], ['a', '../../x'], ['./'], ['..', 'x', '.'],
]) test('join ' + JSON.stringify(args), () => path.join(...args));

for (const p of ['/a//b/../c/.', 'a/b/../../..', '', '.', './x/', '//a', '///a/b', 'a/./b/', '/..', '../a/../../b', 'a\\b/..', '/foo/bar//baz/asdf/quux/..'])
  test('normalize ' + JSON.stringify(p), () => path.normalize(p));

for (const args of [['/foo/bar', './baz'], ['/foo/bar', '/tmp/file/'], ['/a', 'b', '../c'], ['/', ''], ['/x', '/y', 'z/..'], ['/a/b/', '..', '.']])
  test('resolve ' + JSON.stringify(args), () => path.resolve(...args));

for (const p of ['/home/user/dir/file.txt', 'file.tar.gz', '.bashrc', 'a/b/', '/', '', 'a.', '..', 'dir/.hidden.ext', 'a/b.c/d'])
  for (const f of ['basename', 'dirname', 'extname'])
    test(f + ' ' + JSON.stringify(p), () => path[f](p));

for (const [p, ext] of [['b.html', 'b.html'], ['aaa/bbb', 'bbb'], ['/a/b/', 'b'], ['x.js', '.js'], ['.js', '.js'], ['a.js', 'a.js/'], ['/x/a.js/', '.js'], ['file', 'ile'], ['/a/.html', '.html'], ['..', '.'], ['a', '']])
  test('basename ' + JSON.stringify(p) + ' ' + JSON.stringify(ext), () => path.basename(p, ext));
for (const p of ['...', '.a.', 'a..', './..', '/..', 'a/.b.c'])
  test('extname edge ' + JSON.stringify(p), () => path.extname(p));
test('basename with ext', () => [path.basename('/a/b.html', '.html'), path.basename('/a/b.html', 'html'), path.basename('b.html', 'b.html'), path.basename('/a/b/', 'b')]);

for (const p of ['/home/user/dir/file.txt', 'file.txt', '/', '', './a/b.c', '/a/.b', 'a/b/'])
  test('parse ' + JSON.stringify(p), () => path.parse(p));

for (const o of [{ root: '/', dir: '/home/user/dir', base: 'file.txt' }, { root: '/', base: 'file.txt', ext: 'ignored' }, { name: 'file', ext: '.txt' }, { dir: 'a', name: 'b', ext: 'c' }, {}])
  test('format ' + JSON.stringify(o), () => path.format(o));

for (const [a, b] of [['/data/orandea/test/aaa', '/data/orandea/impl/bbb'], ['/a/b', '/a/b'], ['/a/b', '/a/b/c/d'], ['/a/b/c', '/a'], ['/', '/x'], ['/x', '/']])
  test('relative ' + a + ' -> ' + b, () => path.relative(a, b));

for (const p of ['/a', 'a', '', '.', '//x', './x'])
  test('isAbsolute ' + JSON.stringify(p), () => path.isAbsolute(p));

test('sep and delimiter', () => [path.sep, path.delimiter]);
test('posix is path', () => path.posix === path || path.posix.join('a', 'b'));
test('node:path is path', () => require('node:path') === path);
test('path/posix', () => require('path/posix').join('a', 'b'));
test('toNamespacedPath', () => path.toNamespacedPath('/a/b'));
test('join non-string throws', () => path.join('a', 1));
test('join non-string code', () => { try { path.join(null); } catch (e) { return [e.name, e.code]; } });
test('win32 join', () => path.win32.join('C:\\a', 'b', '..', 'c'));
test('win32 basename', () => path.win32.basename('C:\\temp\\myfile.html'));
test('win32 parse', () => path.win32.parse('C:\\path\\dir\\file.txt'));
test('typeof matchesGlob', () => typeof path.matchesGlob);
