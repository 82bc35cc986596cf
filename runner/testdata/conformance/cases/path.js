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

// path.win32 (Node's algorithms; resolve and relative only with absolute paths, since Node's
// would take its current directory).
const w = path.win32;
test('win32 sep and delimiter', () => [w.sep, w.delimiter, w.win32 === w, w.posix === path]);
for (const p of ['C:\\a\\b\\..\\c', 'C:/a//b/', 'c:', 'C:', 'C:\\', 'C:x\\..\\..', '\\\\server\\share', '\\\\server\\share\\', '\\\\server\\share\\a\\..\\..', '//server/share/x',
  '\\\\?\\C:\\x', '\\a\\.\\b', 'a\\..\\..\\b', '', '.', '/', '\\', 'a:b', 'a\\b:c', './c:x', 'x\\\\y\\\\\\z', '\\\\\\a\\b'])
  test('win32 normalize ' + JSON.stringify(p), () => w.normalize(p));
for (const args of [['C:\\a', 'b', '..', 'c'], ['\\\\server', 'share'], ['//server', 'share', 'x'], ['\\\\', 'server'], ['C:', 'x'], ['a', '', 'b\\'], [], [''], ['\\\\\\a', 'b'], ['/a', '/b']])
  test('win32 join ' + JSON.stringify(args), () => w.join(...args));
for (const args of [['C:\\a', '..\\b'], ['C:\\a', 'D:\\b', 'c'], ['C:\\a', 'c:x'], ['\\\\server\\share\\a', '..\\..\\..'], ['C:\\', '\\x'], ['C:\\x\\', '.\\'], ['d:\\', 'C:\\a\\..']])
  test('win32 resolve ' + JSON.stringify(args), () => w.resolve(...args));
for (const [a, b] of [['C:\\orandea\\test\\aaa', 'C:\\orandea\\impl\\bbb'], ['C:\\a', 'D:\\b'], ['C:\\A\\b', 'c:\\a\\B\\c'], ['C:\\a\\b', 'C:\\a'], ['C:\\', 'C:\\x\\y'],
  ['\\\\s\\sh\\a', '\\\\s\\sh\\b'], ['C:\\a\\b', 'C:\\a\\b']])
  test('win32 relative ' + a + ' -> ' + b, () => w.relative(a, b));
for (const p of ['C:\\a\\b.txt', 'C:\\a\\', 'C:', 'C:\\', 'C:x', '\\\\s\\sh', '\\\\s\\sh\\', '\\\\s\\sh\\f', 'a/b\\c', 'f.tar.gz', '.bashrc', '..', 'C:..', 'x\\', ''])
  for (const f of ['dirname', 'basename', 'extname', 'parse', 'isAbsolute'])
    test('win32 ' + f + ' ' + JSON.stringify(p), () => w[f](p));
for (const [p, ext] of [['C:\\a\\b.html', '.html'], ['C:b.html', 'b.html'], ['C:\\a\\b.html\\', '.html'], ['aaa\\bbb', 'bbb'], ['C:\\a\\', 'a']])
  test('win32 basename ' + JSON.stringify(p) + ' ' + JSON.stringify(ext), () => w.basename(p, ext));
for (const o of [{ root: 'C:\\', dir: 'C:\\a', base: 'f.txt' }, { root: 'C:\\', name: 'f', ext: 'txt' }, { dir: 'a', base: 'b' }, {}])
  test('win32 format ' + JSON.stringify(o), () => w.format(o));
for (const p of ['C:\\x', '\\\\s\\sh\\x', '', '\\\\?\\C:\\x', '\\\\.\\pipe\\x'])
  test('win32 toNamespacedPath ' + JSON.stringify(p), () => w.toNamespacedPath(p));
test('win32 non-string', () => { try { w.join('a', null); } catch (e) { return [e.name, e.code]; } });
test('win32 posix.win32', () => path.posix.win32 === w);
