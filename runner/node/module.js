// node:module: builtinModules (the built-ins this runner provides), isBuiltin, and createRequire,
// whose require serves those built-ins (there are no files to load from outside the bundle: any
// other name throws Node's MODULE_NOT_FOUND error). The module is per owner of a runtime
// (node.go: owned), so that each owner's require.cache is its own.
(function (native, builtinRequire) {
  'use strict';
  const builtinModules = native.builtinNames.slice();
  const names = new Set(builtinModules);
  const strip = (s) => (typeof s === 'string' && s.startsWith('node:') ? s.slice(5) : s);
  const isBuiltin = (s) => names.has(strip(s));
  function notFound(id) {
    const e = new Error(`Cannot find module '${id}'`);
    e.code = 'MODULE_NOT_FOUND';
    e.requireStack = [];
    return e;
  }
  function Module(id = '', parent) {
    this.id = id;
    this.path = '.';
    this.exports = {};
    this.filename = null;
    this.loaded = false;
    this.children = [];
    this.paths = [];
    if (parent !== undefined) this.parent = parent;
  }
  function createRequire(filename) {
    const f = filename !== null && typeof filename === 'object' && typeof filename.href === 'string' ? filename.href : filename;
    if (typeof f !== 'string' || !(f.startsWith('/') || f.startsWith('file:'))) {
      const e = new TypeError(`The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received ${typeof filename === 'string' ? "'" + filename + "'" : String(filename)}`);
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
    const req = function require(id) {
      if (typeof id !== 'string') {
        const e = new TypeError('The "id" argument must be of type string');
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      if (!isBuiltin(id)) throw notFound(id);
      return builtinRequire(strip(id));
    };
    req.resolve = function resolve(id) {
      if (!isBuiltin(id)) throw notFound(id);
      return id;
    };
    req.resolve.paths = (id) => (isBuiltin(id) ? null : []);
    req.main = undefined;
    req.extensions = { __proto__: null };
    req.cache = { __proto__: null };
    return req;
  }
  Module.builtinModules = builtinModules;
  Module.isBuiltin = isBuiltin;
  Module.createRequire = createRequire;
  Module.Module = Module;
  Module._cache = { __proto__: null };
  Module._extensions = { __proto__: null };
  Module.globalPaths = [];
  Module.syncBuiltinESMExports = () => {};
  Module.register = () => {};
  Module.findSourceMap = () => undefined;
  return Module;
})
