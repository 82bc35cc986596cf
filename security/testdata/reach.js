// reach(req, names, budgetMs) walks, from one owner's side, every object of the shared
// environment that owner can get hold of, and returns a Map from each object to the path it was
// first met by. It starts from the global bindings, the hidden intrinsics and the exports of every
// built-in module (names, loaded with the owner's own require, req), and from each object met it
// follows:
//   - own properties: values, getters and setters, and what each getter returns for that object;
//   - the prototype;
//   - what every function returns or throws when called (with the object it was found on as
//     `this`, or, for the methods of an object's prototypes, with the object itself), and what it
//     returns or throws when constructed, for a few argument lists (argLists), awaiting promises.
// The budget bounds the walk's time; `done` says whether it met everything before the budget ran
// out. A second owner's walk finds the same shared objects; the test compares the two.
async function reach(req, names, budgetMs) {
  'use strict';
  const start = Date.now();
  const O = Object, R = Reflect;
  const gopd = O.getOwnPropertyDescriptor, getProto = O.getPrototypeOf, ownKeys = R.ownKeys;
  const apply = R.apply, construct = R.construct, then = Promise.prototype.then;
  const isObj = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  // Their methods are called when met as functions, not again on every object that inherits them.
  const common = new Set([Object.prototype, Function.prototype]);
  const seen = new Map();
  const exercised = new Set(); // prototypes whose methods were called on an object of theirs
  const queue = [];
  let head = 0, calls = 0;
  // depth counts the calls between a root and an object; calls are made on objects up to maxDepth.
  const maxDepth = 2;
  let depth = 0;
  const add = (path, v) => {
    if (!isObj(v) || v === globalThis || seen.has(v)) return;
    seen.set(v, path);
    queue.push([path, v, depth]);
    // An emitter the walk made (http.ClientRequest, a stream) may emit 'error' later; unheard,
    // that ends the execution, as an uncaught exception ends Node.
    if (depth > 0 && !O.isFrozen(v)) {
      try { if (typeof v.on === 'function') apply(v.on, v, ['error', () => {}]); } catch (e) {}
    }
  };
  // A promise a call returned: what it settles with is reached too, and a rejection is handled.
  const settle = (path, r) => {
    if (!(r instanceof Promise)) return;
    try { apply(then, r, [(v) => add(path + '=>', v), (e) => add(path + '=>!', e)]); } catch (e) {}
  };
  // Fresh arguments for each call, so that no call changes what another receives.
  const argLists = () => {
    const key = new Uint8Array(16);
    return [
      [], ['sha256'], [1], [{}], [key], ['a', 'b'],
      ['sha256', key], ['aes-128-cbc', key, key], ['utf8', 'abc'], [{ a: 1 }, 'b'],
      [() => {}, 1e6],
    ];
  };
  const call = (path, fn, self) => {
    const d = depth;
    depth = d + 1;
    for (const args of argLists()) {
      calls++;
      try { const r = apply(fn, self, args); add(path + '()', r); settle(path + '()', r); } catch (e) { add(path + '()!', e); }
      try { const r = construct(fn, args); add('new ' + path, r); settle('new ' + path, r); } catch (e) { add('new ' + path + '!', e); }
    }
    depth = d;
  };

  for (const k of ownKeys(globalThis)) {
    const d = gopd(globalThis, k);
    const p = 'globalThis.' + String(k);
    if ('value' in d) add(p, d.value);
    else { add(p + '<get>', d.get); add(p + '<set>', d.set); try { add(p, globalThis[k]); } catch (e) {} }
  }
  const gen = function* () {};
  add('%IteratorPrototype%', getProto(getProto([][Symbol.iterator]())));
  add('%GeneratorFunction.prototype%', getProto(gen));
  add('%AsyncFunction.prototype%', getProto(async function () {}));
  add('%TypedArray%', getProto(Uint8Array));
  add('%ThrowTypeError%', gopd(Function.prototype, 'caller') && gopd(Function.prototype, 'caller').get);
  add('%StrictArguments%', getProto((function () { 'use strict'; return arguments; })()));
  for (const n of names) {
    try { add('require(' + n + ')', req(n)); } catch (e) { add('require(' + n + ')!', e); }
  }

  while (head < queue.length && Date.now() - start < budgetMs) {
    if (head % 64 === 0) await null; // let the promises of earlier calls settle
    const [path, o, d] = queue[head++];
    depth = d;
    let keys;
    try { keys = ownKeys(o); } catch (e) { continue; }
    for (const k of keys) {
      let d;
      try { d = gopd(o, k); } catch (e) { continue; }
      if (!d) continue;
      const p = path + '.' + String(k);
      if ('value' in d) { add(p, d.value); continue; }
      add(p + '<get>', d.get);
      add(p + '<set>', d.set);
    }
    try { add(path + '.__proto__', getProto(o)); } catch (e) {}
    if (d >= maxDepth) continue;
    // A prototype is no instance of its own kind: its methods are called on the instances met.
    let isProto = false;
    try { const c = gopd(o, 'constructor'); isProto = !!c && typeof c.value === 'function' && c.value.prototype === o; } catch (e) {}
    // The getters and methods of o's prototype chain, on o: on the first object met of each
    // prototype (the methods of others of its kind give results of the same kinds).
    const kind = (() => { try { return getProto(o); } catch (e) { return null; } })();
    if (isProto) { if (typeof o === 'function') call(path, o, undefined); continue; }
    if (typeof o !== 'function' && kind !== null) {
      if (exercised.has(kind)) continue;
      exercised.add(kind);
    }
    const own = new Set();
    for (let p = o, depth = 0; isObj(p) && !common.has(p) && depth < 8; p = getProto(p), depth++) {
      let ks;
      try { ks = ownKeys(p); } catch (e) { break; }
      for (const k of ks) {
        if (own.has(k) || k === 'constructor' || k === 'caller' || k === 'callee' || k === 'arguments') continue;
        // _name methods are a class's internals (Node's convention), not calls code makes.
        if (typeof k === 'string' && k[0] === '_') continue;
        own.add(k);
        let d;
        try { d = gopd(p, k); } catch (e) { continue; }
        if (!d) continue;
        const kp = path + '.' + String(k);
        if (d.get) {
          try { const r = apply(d.get, o, []); add(kp, r); } catch (e) { add(kp + '!', e); }
        } else if (typeof d.value === 'function' && p !== o) {
          call(kp, d.value, o);
        }
      }
    }
    if (typeof o === 'function') call(path, o, undefined);
  }
  await null;
  return { seen, done: head >= queue.length, calls };
}
