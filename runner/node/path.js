// node:path, POSIX flavour, and path.win32 (Node's lib/path.js algorithms).
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
  path.win32 = win32(check);
  path.win32.posix = path;
  return path;

  // win32 is Node's path.win32. Its resolve takes '/' for the current directory, as the POSIX
  // one does here.
  function win32(check) {
    const DOT = 46, SLASH = 47, BACKSLASH = 92, COLON = 58, QUESTION = 63;
    const isSep = (c) => c === SLASH || c === BACKSLASH;
    const isDeviceRoot = (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    // normalizeString resolves . and .. in a path without its root (Node's normalizeString).
    function normalizeString(p, allowAboveRoot) {
      let res = '', lastSegmentLength = 0, lastSlash = -1, dots = 0, code = 0;
      for (let i = 0; i <= p.length; ++i) {
        if (i < p.length) code = p.charCodeAt(i);
        else if (isSep(code)) break;
        else code = SLASH;
        if (isSep(code)) {
          if (lastSlash === i - 1 || dots === 1) {
            // nothing
          } else if (dots === 2) {
            if (res.length < 2 || lastSegmentLength !== 2 || res.charCodeAt(res.length - 1) !== DOT || res.charCodeAt(res.length - 2) !== DOT) {
              if (res.length > 2) {
                const lastSlashIndex = res.lastIndexOf('\\');
                if (lastSlashIndex === -1) { res = ''; lastSegmentLength = 0; } else { res = res.slice(0, lastSlashIndex); lastSegmentLength = res.length - 1 - res.lastIndexOf('\\'); }
                lastSlash = i; dots = 0;
                continue;
              } else if (res.length !== 0) {
                res = ''; lastSegmentLength = 0; lastSlash = i; dots = 0;
                continue;
              }
            }
            if (allowAboveRoot) { res += res.length > 0 ? '\\..' : '..'; lastSegmentLength = 2; }
          } else {
            if (res.length > 0) res += '\\' + p.slice(lastSlash + 1, i);
            else res = p.slice(lastSlash + 1, i);
            lastSegmentLength = i - lastSlash - 1;
          }
          lastSlash = i; dots = 0;
        } else if (code === DOT && dots !== -1) {
          ++dots;
        } else {
          dots = -1;
        }
      }
      return res;
    }
    // uncRoot parses \\server\share at the start of p: [firstPart, j after the share, last] or
    // null, where p starts with two separators.
    function uncRoot(p) {
      const len = p.length;
      let j = 2, last = j;
      while (j < len && !isSep(p.charCodeAt(j))) j++;
      if (!(j < len && j !== last)) return null;
      const firstPart = p.slice(last, j);
      last = j;
      while (j < len && isSep(p.charCodeAt(j))) j++;
      if (!(j < len && j !== last)) return null;
      last = j;
      while (j < len && !isSep(p.charCodeAt(j))) j++;
      return [firstPart, j, last];
    }
    const w = {
      sep: '\\',
      delimiter: ';',
      resolve(...args) {
        let resolvedDevice = '', resolvedTail = '', resolvedAbsolute = false;
        for (let i = args.length - 1; i >= -1; i--) {
          let p;
          if (i >= 0) {
            p = args[i];
            check(p, `paths[${i}]`);
            if (p.length === 0) continue;
          } else if (resolvedDevice.length === 0) {
            p = '/';
          } else {
            p = resolvedDevice + '\\';
          }
          const len = p.length;
          let rootEnd = 0, device = '', isAbsolute = false;
          const code = p.charCodeAt(0);
          if (len === 1) {
            if (isSep(code)) { rootEnd = 1; isAbsolute = true; }
          } else if (isSep(code)) {
            isAbsolute = true;
            if (isSep(p.charCodeAt(1))) {
              const u = uncRoot(p);
              if (u && (u[1] === len || u[1] !== u[2])) { device = `\\\\${u[0]}\\${p.slice(u[2], u[1])}`; rootEnd = u[1]; }
            } else {
              rootEnd = 1;
            }
          } else if (isDeviceRoot(code) && p.charCodeAt(1) === COLON) {
            device = p.slice(0, 2);
            rootEnd = 2;
            if (len > 2 && isSep(p.charCodeAt(2))) { isAbsolute = true; rootEnd = 3; }
          }
          if (device.length > 0) {
            if (resolvedDevice.length > 0) {
              if (device.toLowerCase() !== resolvedDevice.toLowerCase()) continue;
            } else {
              resolvedDevice = device;
            }
          }
          if (resolvedAbsolute) {
            if (resolvedDevice.length > 0) break;
          } else {
            resolvedTail = `${p.slice(rootEnd)}\\${resolvedTail}`;
            resolvedAbsolute = isAbsolute;
            if (isAbsolute && resolvedDevice.length > 0) break;
          }
        }
        resolvedTail = normalizeString(resolvedTail, !resolvedAbsolute);
        return resolvedAbsolute ? `${resolvedDevice}\\${resolvedTail}` : `${resolvedDevice}${resolvedTail}` || '.';
      },
      normalize(p) {
        check(p);
        const len = p.length;
        if (len === 0) return '.';
        let rootEnd = 0, device, isAbsolute = false;
        const code = p.charCodeAt(0);
        if (len === 1) return code === SLASH ? '\\' : p;
        if (isSep(code)) {
          isAbsolute = true;
          if (isSep(p.charCodeAt(1))) {
            const u = uncRoot(p);
            if (u) {
              if (u[1] === len) return `\\\\${u[0]}\\${p.slice(u[2])}\\`;
              if (u[1] !== u[2]) { device = `\\\\${u[0]}\\${p.slice(u[2], u[1])}`; rootEnd = u[1]; }
            }
          } else {
            rootEnd = 1;
          }
        } else if (isDeviceRoot(code) && p.charCodeAt(1) === COLON) {
          device = p.slice(0, 2);
          rootEnd = 2;
          if (len > 2 && isSep(p.charCodeAt(2))) { isAbsolute = true; rootEnd = 3; }
        }
        let tail = rootEnd < len ? normalizeString(p.slice(rootEnd), !isAbsolute) : '';
        if (tail.length === 0 && !isAbsolute) tail = '.';
        if (tail.length > 0 && isSep(p.charCodeAt(len - 1))) tail += '\\';
        if (!isAbsolute && device === undefined && p.includes(':')) {
          // A relative tail must not turn into something Windows reads as a drive (Node's fix
          // for nodejs/node#56230).
          if (tail.length >= 2 && isDeviceRoot(tail.charCodeAt(0)) && tail.charCodeAt(1) === COLON) return `.\\${tail}`;
          let index = p.indexOf(':');
          do {
            if (index === len - 1 || isSep(p.charCodeAt(index + 1))) return `.\\${tail}`;
          } while ((index = p.indexOf(':', index + 1)) !== -1);
        }
        if (device === undefined) return isAbsolute ? `\\${tail}` : tail;
        return isAbsolute ? `${device}\\${tail}` : `${device}${tail}`;
      },
      isAbsolute(p) {
        check(p);
        const len = p.length;
        if (len === 0) return false;
        const code = p.charCodeAt(0);
        return isSep(code) || (len > 2 && isDeviceRoot(code) && p.charCodeAt(1) === COLON && isSep(p.charCodeAt(2)));
      },
      join(...args) {
        if (args.length === 0) return '.';
        let joined, firstPart;
        for (const arg of args) {
          check(arg);
          if (arg.length > 0) {
            if (joined === undefined) joined = firstPart = arg;
            else joined += `\\${arg}`;
          }
        }
        if (joined === undefined) return '.';
        let needsReplace = true, slashCount = 0;
        if (isSep(firstPart.charCodeAt(0))) {
          ++slashCount;
          const firstLen = firstPart.length;
          if (firstLen > 1 && isSep(firstPart.charCodeAt(1))) {
            ++slashCount;
            if (firstLen > 2) {
              if (isSep(firstPart.charCodeAt(2))) ++slashCount;
              else needsReplace = false;
            }
          }
        }
        if (needsReplace) {
          while (slashCount < joined.length && isSep(joined.charCodeAt(slashCount))) slashCount++;
          if (slashCount >= 2) joined = `\\${joined.slice(slashCount)}`;
        }
        return w.normalize(joined);
      },
      relative(from, to) {
        check(from, 'from');
        check(to, 'to');
        if (from === to) return '';
        const fromOrig = w.resolve(from), toOrig = w.resolve(to);
        if (fromOrig === toOrig) return '';
        from = fromOrig.toLowerCase();
        to = toOrig.toLowerCase();
        if (from === to) return '';
        let fromStart = 0;
        while (fromStart < from.length && from.charCodeAt(fromStart) === BACKSLASH) fromStart++;
        let fromEnd = from.length;
        while (fromEnd - 1 > fromStart && from.charCodeAt(fromEnd - 1) === BACKSLASH) fromEnd--;
        const fromLen = fromEnd - fromStart;
        let toStart = 0;
        while (toStart < to.length && to.charCodeAt(toStart) === BACKSLASH) toStart++;
        let toEnd = to.length;
        while (toEnd - 1 > toStart && to.charCodeAt(toEnd - 1) === BACKSLASH) toEnd--;
        const toLen = toEnd - toStart;
        const length = fromLen < toLen ? fromLen : toLen;
        let lastCommonSep = -1, i = 0;
        for (; i < length; i++) {
          const fromCode = from.charCodeAt(fromStart + i);
          if (fromCode !== to.charCodeAt(toStart + i)) break;
          else if (fromCode === BACKSLASH) lastCommonSep = i;
        }
        if (i !== length) {
          if (lastCommonSep === -1) return toOrig;
        } else {
          if (toLen > length) {
            if (to.charCodeAt(toStart + i) === BACKSLASH) return toOrig.slice(toStart + i + 1);
            if (i === 2) return toOrig.slice(toStart + i);
          }
          if (fromLen > length) {
            if (from.charCodeAt(fromStart + i) === BACKSLASH) lastCommonSep = i;
            else if (i === 2) lastCommonSep = 3;
          }
          if (lastCommonSep === -1) lastCommonSep = 0;
        }
        let out = '';
        for (i = fromStart + lastCommonSep + 1; i <= fromEnd; ++i) {
          if (i === fromEnd || from.charCodeAt(i) === BACKSLASH) out += out.length === 0 ? '..' : '\\..';
        }
        toStart += lastCommonSep;
        if (out.length > 0) return `${out}${toOrig.slice(toStart, toEnd)}`;
        if (toOrig.charCodeAt(toStart) === BACKSLASH) ++toStart;
        return toOrig.slice(toStart, toEnd);
      },
      toNamespacedPath(p) {
        if (typeof p !== 'string' || p.length === 0) return p;
        const r = w.resolve(p);
        if (r.length <= 2) return p;
        if (r.charCodeAt(0) === BACKSLASH) {
          if (r.charCodeAt(1) === BACKSLASH) {
            const code = r.charCodeAt(2);
            if (code !== QUESTION && code !== DOT) return `\\\\?\\UNC\\${r.slice(2)}`;
          }
        } else if (isDeviceRoot(r.charCodeAt(0)) && r.charCodeAt(1) === COLON && r.charCodeAt(2) === BACKSLASH) {
          return `\\\\?\\${r}`;
        }
        return p;
      },
      dirname(p) {
        check(p);
        const len = p.length;
        if (len === 0) return '.';
        let rootEnd = -1, offset = 0;
        const code = p.charCodeAt(0);
        if (len === 1) return isSep(code) ? p : '.';
        if (isSep(code)) {
          rootEnd = offset = 1;
          if (isSep(p.charCodeAt(1))) {
            const u = uncRoot(p);
            if (u) {
              if (u[1] === len) return p;
              if (u[1] !== u[2]) rootEnd = offset = u[1] + 1;
            }
          }
        } else if (isDeviceRoot(code) && p.charCodeAt(1) === COLON) {
          rootEnd = len > 2 && isSep(p.charCodeAt(2)) ? 3 : 2;
          offset = rootEnd;
        }
        let end = -1, matchedSlash = true;
        for (let i = len - 1; i >= offset; --i) {
          if (isSep(p.charCodeAt(i))) {
            if (!matchedSlash) { end = i; break; }
          } else {
            matchedSlash = false;
          }
        }
        if (end === -1) {
          if (rootEnd === -1) return '.';
          end = rootEnd;
        }
        return p.slice(0, end);
      },
      basename(p, suffix) {
        if (suffix !== undefined) check(suffix, 'suffix');
        check(p);
        let start = 0, end = -1, matchedSlash = true;
        if (p.length >= 2 && isDeviceRoot(p.charCodeAt(0)) && p.charCodeAt(1) === COLON) start = 2;
        if (suffix !== undefined && suffix.length > 0 && suffix.length <= p.length) {
          if (suffix === p) return '';
          let extIdx = suffix.length - 1, firstNonSlashEnd = -1;
          for (let i = p.length - 1; i >= start; --i) {
            const code = p.charCodeAt(i);
            if (isSep(code)) {
              if (!matchedSlash) { start = i + 1; break; }
            } else {
              if (firstNonSlashEnd === -1) { matchedSlash = false; firstNonSlashEnd = i + 1; }
              if (extIdx >= 0) {
                if (code === suffix.charCodeAt(extIdx)) {
                  if (--extIdx === -1) end = i;
                } else {
                  extIdx = -1;
                  end = firstNonSlashEnd;
                }
              }
            }
          }
          if (start === end) end = firstNonSlashEnd;
          else if (end === -1) end = p.length;
          return p.slice(start, end);
        }
        for (let i = p.length - 1; i >= start; --i) {
          if (isSep(p.charCodeAt(i))) {
            if (!matchedSlash) { start = i + 1; break; }
          } else if (end === -1) {
            matchedSlash = false;
            end = i + 1;
          }
        }
        if (end === -1) return '';
        return p.slice(start, end);
      },
      extname(p) {
        check(p);
        let start = 0, startDot = -1, startPart = 0, end = -1, matchedSlash = true, preDotState = 0;
        if (p.length >= 2 && p.charCodeAt(1) === COLON && isDeviceRoot(p.charCodeAt(0))) start = startPart = 2;
        for (let i = p.length - 1; i >= start; --i) {
          const code = p.charCodeAt(i);
          if (isSep(code)) {
            if (!matchedSlash) { startPart = i + 1; break; }
            continue;
          }
          if (end === -1) { matchedSlash = false; end = i + 1; }
          if (code === DOT) {
            if (startDot === -1) startDot = i;
            else if (preDotState !== 1) preDotState = 1;
          } else if (startDot !== -1) {
            preDotState = -1;
          }
        }
        if (startDot === -1 || end === -1 || preDotState === 0 || (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) return '';
        return p.slice(startDot, end);
      },
      format(o) {
        if (o === null || typeof o !== 'object') throw Object.assign(new TypeError(`The "pathObject" argument must be of type object. Received ${o === null ? 'null' : typeof o}`), { code: 'ERR_INVALID_ARG_TYPE' });
        const dir = o.dir || o.root;
        const base = o.base || `${o.name || ''}${o.ext ? (o.ext[0] === '.' ? '' : '.') + o.ext : ''}`;
        if (!dir) return base;
        return dir === o.root ? `${dir}${base}` : `${dir}\\${base}`;
      },
      parse(p) {
        check(p);
        const ret = { root: '', dir: '', base: '', ext: '', name: '' };
        if (p.length === 0) return ret;
        const len = p.length;
        let rootEnd = 0, code = p.charCodeAt(0);
        if (len === 1) {
          if (isSep(code)) { ret.root = ret.dir = p; return ret; }
          ret.base = ret.name = p;
          return ret;
        }
        if (isSep(code)) {
          rootEnd = 1;
          if (isSep(p.charCodeAt(1))) {
            const u = uncRoot(p);
            if (u) {
              if (u[1] === len) rootEnd = u[1];
              else if (u[1] !== u[2]) rootEnd = u[1] + 1;
            }
          }
        } else if (isDeviceRoot(code) && p.charCodeAt(1) === COLON) {
          if (len <= 2) { ret.root = ret.dir = p; return ret; }
          rootEnd = 2;
          if (isSep(p.charCodeAt(2))) {
            if (len === 3) { ret.root = ret.dir = p; return ret; }
            rootEnd = 3;
          }
        }
        if (rootEnd > 0) ret.root = p.slice(0, rootEnd);
        let startDot = -1, startPart = rootEnd, end = -1, matchedSlash = true, i = p.length - 1, preDotState = 0;
        for (; i >= rootEnd; --i) {
          code = p.charCodeAt(i);
          if (isSep(code)) {
            if (!matchedSlash) { startPart = i + 1; break; }
            continue;
          }
          if (end === -1) { matchedSlash = false; end = i + 1; }
          if (code === DOT) {
            if (startDot === -1) startDot = i;
            else if (preDotState !== 1) preDotState = 1;
          } else if (startDot !== -1) {
            preDotState = -1;
          }
        }
        if (end !== -1) {
          if (startDot === -1 || preDotState === 0 || (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) {
            ret.base = ret.name = p.slice(startPart, end);
          } else {
            ret.name = p.slice(startPart, startDot);
            ret.base = p.slice(startPart, end);
            ret.ext = p.slice(startDot, end);
          }
        }
        ret.dir = startPart > 0 && startPart !== rootEnd ? p.slice(0, startPart - 1) : ret.root;
        return ret;
      },
      matchesGlob() { throw new Error('path.matchesGlob is not available to actions'); },
    };
    w.win32 = w;
    return w;
  }
})
