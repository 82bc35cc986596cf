// node:path, POSIX flavour (path.win32 is the same object: actions run on Linux).
(function (native, require) {
  'use strict';
  const check = (p, name = 'path') => { if (typeof p !== 'string') throw Object.assign(new TypeError(`The "${name}" argument must be of type string. Received ${typeof p}`), { code: 'ERR_INVALID_ARG_TYPE' }); };
  function normalizeArray(parts, allowAbove) {
    const out = [];
    for (const p of parts) {
      if (!p || p === '.') continue;
      if (p === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else if (allowAbove) out.push('..'); }
      else out.push(p);
    }
    return out;
  }
  const path = {
    sep: '/',
    delimiter: ':',
    normalize(p) {
      check(p);
      if (p === '') return '.';
      const abs = p[0] === '/', trail = p[p.length - 1] === '/';
      let r = normalizeArray(p.split('/'), !abs).join('/');
      if (!r && !abs) r = '.';
      if (r && trail) r += '/';
      return (abs ? '/' : '') + r;
    },
    join(...parts) {
      for (const p of parts) check(p);
      const j = parts.filter((p) => p !== '').join('/');
      return j === '' ? '.' : path.normalize(j);
    },
    resolve(...parts) {
      let r = '', abs = false;
      for (let i = parts.length - 1; i >= -1 && !abs; i--) {
        const p = i >= 0 ? parts[i] : '/';
        check(p);
        if (!p) continue;
        r = p + '/' + r;
        abs = p[0] === '/';
      }
      r = normalizeArray(r.split('/'), !abs).join('/');
      return ((abs ? '/' : '') + r) || '.';
    },
    isAbsolute(p) { check(p); return p.length > 0 && p[0] === '/'; },
    relative(from, to) {
      from = path.resolve(from); to = path.resolve(to);
      if (from === to) return '';
      const f = from.split('/').filter(Boolean), t = to.split('/').filter(Boolean);
      let i = 0;
      while (i < f.length && i < t.length && f[i] === t[i]) i++;
      return [...Array(f.length - i).fill('..'), ...t.slice(i)].join('/');
    },
    dirname(p) {
      check(p);
      if (p === '') return '.';
      const abs = p[0] === '/';
      let end = p.length;
      while (end > 1 && p[end - 1] === '/') end--;
      const i = p.lastIndexOf('/', end - 1);
      if (i === -1) return abs ? '/' : '.';
      if (i === 0) return '/';
      let d = p.slice(0, i);
      while (d.length > 1 && d.endsWith('/')) d = d.slice(0, -1);
      return d;
    },
    basename(p, ext) {
      check(p);
      if (typeof ext === 'string' && ext !== '' && ext === p) return ''; // Node's rule: the suffix is the whole path
      let end = p.length;
      while (end > 0 && p[end - 1] === '/') end--;
      let b = p.slice(p.lastIndexOf('/', end - 1) + 1, end);
      if (typeof ext === 'string' && ext !== '' && b.endsWith(ext) && b !== ext) b = b.slice(0, -ext.length);
      return b;
    },
    extname(p) {
      const b = path.basename(p);
      const i = b.lastIndexOf('.');
      return i <= 0 || b === '..' ? '' : b.slice(i);
    },
    parse(p) {
      check(p);
      const root = p[0] === '/' ? '/' : '';
      const base = path.basename(p), ext = path.extname(p);
      let dir = path.dirname(p);
      if (dir === '.' && !p.includes('/')) dir = '';
      return { root, dir, base, ext, name: ext ? base.slice(0, -ext.length) : base };
    },
    format(o) {
      const dir = o.dir || o.root || '';
      const base = o.base || (o.name || '') + (o.ext ? (o.ext[0] === '.' ? '' : '.') + o.ext : '');
      return dir ? (dir === o.root ? dir + base : dir + '/' + base) : base;
    },
    toNamespacedPath(p) { return p; },
    matchesGlob() { throw new Error('path.matchesGlob is not available to actions'); },
  };
  path.posix = path;
  path.win32 = path;
  return path;
})
