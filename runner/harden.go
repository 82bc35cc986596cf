package runner

import (
	"sync"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/web"
	"github.com/dop251/goja"
)

// An action and the modules it pins share one runtime, so they share its built-ins. Were those
// mutable, an action could replace JSON.stringify, String.prototype.concat, the global Headers or
// require('crypto').createHmac before calling a module, and receive every value the module passes
// through them, its secrets included. So each runtime that serves an action that pins modules
// (needsLockdown; the others hold no one's secrets but the action's own) is locked down,
// SES-style, once, when it is created: after the prelude and the runtime's globals are installed and before any action, module
// or bundle code runs (vm.lockdown), and each Node built-in module when it loads, before any code
// gets its exports (vm.harden, from node.Modules.Require):
//
//   - every global binding present at lockdown (the ES intrinsics, the runtime's globals, global
//     and globalThis) becomes non-writable and non-configurable. The global object itself stays
//     extensible: code may add globals of its own, as packages do; but its prototype is fixed
//     (goja's SetGlobalObjectPrototypeImmutable, as browsers fix window's), so that no Proxy behind
//     it can answer the lookups of global names nobody defined. The lazily loaded globals
//     (Buffer, crypto, CryptoKey, setImmediate, clearImmediate, performance, and web.LazyNames: Event,
//     EventTarget, Blob, File, FormData, ...) become fixed accessors that load once (and harden
//     what they load); assigning them another value throws.
//   - the whole graph reachable from those bindings, from the hidden intrinsics (iterator, generator
//     and async-function prototypes, %TypedArray%, %ThrowTypeError%) and from the runner's other
//     shared objects (the modules' console, node's prelude's util and stub) is frozen: own
//     properties (values, getters and setters), prototypes, functions' properties, Symbol-keyed
//     hooks. Frozen prototypes are also non-extensible, so no setter or Symbol hook can be added
//     to Object.prototype either. Node's prelude's EventEmitter is frozen when node:events, which
//     completes it, loads: until then no user code can reach it.
//   - the "override mistake" is taken out for the names that real code assigns on objects that
//     inherit them (overrides, below; and every writable method of the prototypes of the runner's
//     own classes, such as EventEmitter.prototype.emit or Readable.prototype._read): those data
//     properties become accessors whose getter returns the original value and whose setter, when
//     the receiver is another object, defines the property on that object, as an assignment would
//     have before the freeze. On the built-in itself the setter throws a TypeError.
//   - a few host globals that packages feature-detect and that this runtime does not have
//     (XMLHttpRequest, window, SharedArrayBuffer, …) are reserved as non-writable undefined, so that
//     an action cannot install one that a module's dependencies would then pick up and hand their
//     requests to.
//
// Module scope is not frozen: module.exports objects and anything user code creates stay as they
// are. Dependency bundles run once per owner (loadChunk), so no two owners share one.
//
// Cost: once per runtime, at creation (materialising and freezing goja's lazily built intrinsics
// is most of it: ~8–12 ms and ~3.8 MB allocated, against ~0.5 ms for a runtime without it);
// nothing on the execution path but the getter call of an overridable property. Build pays it
// for the first runtime of each bound action that pins modules, which then serves: no user code
// runs beside a module's secrets in a runtime that is not locked down, not even once at build to
// find what fails at load (an action's top level that wrapped crypto.createHmac there caught a
// module's key as the module loaded, and threw it into the build's error).
//
// runner/node/*.js must not shallow-freeze what they export: harden stops at frozen objects.

// overrides are, per intrinsic prototype, the inherited properties code assigns on its own objects
// (SES's "moderate" enablements, less the hot Array/Promise ones that code sets only when
// polyfilling them). Only writable data properties are converted.
var overrides = []struct {
	path  string
	names []string
}{
	// Foo.prototype = {...}; Foo.prototype.constructor = Foo; obj.toString = ...; obj.valueOf = ...
	{"Object.prototype", []string{"constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"}},
	// lodash and underscore set _.bind, _.toString on their function objects; regenerator sets constructor.
	{"Function.prototype", []string{"constructor", "bind", "toString"}},
	// E.prototype = Object.create(Error.prototype); E.prototype.constructor = E; this.name = ...; this.message = ...
	{"Error.prototype", []string{"constructor", "message", "name", "toString"}},
	{"TypeError.prototype", []string{"constructor", "message", "name"}},
	{"RangeError.prototype", []string{"constructor", "message", "name"}},
	{"SyntaxError.prototype", []string{"constructor", "message", "name"}},
	{"ReferenceError.prototype", []string{"constructor", "message", "name"}},
	{"EvalError.prototype", []string{"constructor", "message", "name"}},
	{"URIError.prototype", []string{"constructor", "message", "name"}},
	{"AggregateError.prototype", []string{"constructor", "message", "name"}},
	{"Array.prototype", []string{"toString", "toLocaleString"}},
	{"Date.prototype", []string{"toString", "toJSON", "valueOf"}},
	{"RegExp.prototype", []string{"toString"}},
	{"Number.prototype", []string{"toString", "valueOf"}},
	{"String.prototype", []string{"toString", "valueOf"}},
	{"Boolean.prototype", []string{"toString", "valueOf"}},
	{"Symbol.prototype", []string{"toString", "valueOf"}},
	{"%IteratorPrototype%", []string{"toString"}},
	// Buffer implementations (node/buffer.js, feross/buffer) assign their methods and statics over
	// the typed arrays' ones.
	{"%TypedArray%", []string{"from", "of"}},
	{"%TypedArray%.prototype", []string{"*"}},
	{"%GeneratorPrototype%", []string{"constructor", "toString"}},
}

// lazyGlobals are the globals runtime.go defines with vm.lazyGlobal.
var lazyGlobals = append([]string{"Buffer", "crypto", "CryptoKey", "setImmediate", "clearImmediate", "Intl", "performance"}, web.LazyNames...)

// reservedGlobals are host globals this runtime may not provide and that packages feature-detect
// to pick how they work (axios takes XMLHttpRequest when it exists and hands it every header; a
// module's code that finds Blob or WeakRef uses it): every global of Node 20 and the browser
// globals packages test for. Those the runtime lacks are reserved at lockdown as non-writable
// undefined, so that no owner can install one that another owner's code then picks up.
var reservedGlobals = []string{
	// browsers and other runtimes
	"XMLHttpRequest", "window", "document", "navigator", "location", "self", "importScripts",
	"Deno", "Bun", "WebSocket", "Worker", "localStorage", "sessionStorage", "indexedDB", "chrome",
	"EdgeRuntime", "Netlify", "caches", "frames", "parent", "top", "opener", "postMessage",
	// Node 20's globals (Object.getOwnPropertyNames(globalThis) in a script)
	"AbortController", "AbortSignal", "Atomics", "Blob", "BroadcastChannel", "Buffer",
	"ByteLengthQueuingStrategy", "CompressionStream", "CountQueuingStrategy", "Crypto", "CryptoKey",
	"CustomEvent", "DOMException", "DecompressionStream", "Event", "EventTarget", "File",
	"FinalizationRegistry", "FormData", "Headers", "Intl", "MessageChannel", "MessageEvent",
	"MessagePort", "Performance", "PerformanceEntry", "PerformanceMark", "PerformanceMeasure",
	"PerformanceObserver", "PerformanceObserverEntryList", "PerformanceResourceTiming",
	"ReadableByteStreamController", "ReadableStream", "ReadableStreamBYOBReader",
	"ReadableStreamBYOBRequest", "ReadableStreamDefaultController", "ReadableStreamDefaultReader",
	"Request", "Response", "SharedArrayBuffer", "SubtleCrypto", "TextDecoder", "TextDecoderStream",
	"TextEncoder", "TextEncoderStream", "TransformStream", "TransformStreamDefaultController",
	"URL", "URLSearchParams", "WeakRef", "WebAssembly", "WritableStream",
	"WritableStreamDefaultController", "WritableStreamDefaultWriter", "atob", "btoa",
	"clearImmediate", "clearInterval", "clearTimeout", "console", "crypto", "fetch", "global",
	"performance", "process", "queueMicrotask", "setImmediate", "setInterval", "setTimeout",
	"structuredClone",
}

const hardenName = "<actionsd lockdown>"

// hardenSource returns {lockdown, harden, view}. lockdown(g, lazy, reserved, overrides, esNames, roots)
// locks down the realm; harden(value) deep-freezes the graph of a built-in module's exports (stopping at
// objects already frozen: the intrinsics, and what an earlier harden froze) and makes the
// prototypes of the constructors it meets overridable.
const hardenSource = `(function () {
  'use strict';
  const O = Object, R = Reflect;
  const freeze = O.freeze, isFrozen = O.isFrozen, getPrototypeOf = O.getPrototypeOf;
  const gopd = O.getOwnPropertyDescriptor, defineProperty = O.defineProperty;
  const ownKeys = R.ownKeys, apply = R.apply;
  const hasOwnProperty = O.prototype.hasOwnProperty;
  const hasOwn = (o, k) => apply(hasOwnProperty, o, [k]);
  const isView = ArrayBuffer.isView;
  const TypeError_ = TypeError, String_ = String, Set_ = Set;
  // Methods of Set and Array are called directly: this code runs before any user code, and later
  // (harden) only once lockdown has frozen them.
  const isObject = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  const keyName = (k) => typeof k === 'symbol' ? '[' + String_(k.description) + ']' : k;
  let G; // the global object: never frozen
  const hardened = new WeakSet(); // everything deepFreeze froze (or found frozen): deep-frozen

  // override turns obj[k], a writable data property, into an accessor that reads the same and
  // lets assignments through other objects define their own property.
  function override(obj, k, where) {
    const d = gopd(obj, k);
    if (!d || !('value' in d) || !d.writable || !d.configurable) return;
    const value = d.value;
    // Methods, so that they have no prototype for the hardening to walk into.
    const acc = {
      get() { return value; },
      set(v) {
        if (this === obj) {
          throw new TypeError_("Cannot assign to read only property '" + String_(keyName(k)) + "' of " + where + ': built-ins are frozen in actions');
        }
        if (!isObject(this)) return;
        if (hasOwn(this, k)) this[k] = v;
        else defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true });
      },
    };
    const getter = acc.get, setter = acc.set;
    // Left unfrozen here: deepFreeze meets them (and the value, through originalValue) next.
    defineProperty(getter, 'originalValue', { value });
    defineProperty(obj, k, { get: getter, set: setter, enumerable: d.enumerable, configurable: false });
  }

  // overrideClass makes the writable methods and fields of a runner-provided constructor's
  // prototype (and its writable statics) overridable, so that subclasses made with util.inherits
  // or Object.create can assign their own.
  function overrideClass(F) {
    if (typeof F !== 'function' || isFrozen(F)) return;
    const p = gopd(F, 'prototype');
    if (!p || !('value' in p) || !isObject(p.value)) return; // not a constructor
    const c = gopd(p.value, 'constructor');
    if (!c || c.value !== F) return;
    if (!isFrozen(p.value)) {
      const proto = p.value;
      const ks = ownKeys(proto);
      for (let i = 0; i < ks.length; i++) override(proto, ks[i], String_(F.name || 'class') + '.prototype');
    }
    const ks = ownKeys(F);
    for (let i = 0; i < ks.length; i++) {
      if (ks[i] !== 'prototype') override(F, ks[i], String_(F.name || 'class'));
    }
  }

  // deepFreeze freezes everything reachable from roots and returns the set of what it met. It
  // leaves alone what skip holds (a Set), or with skip true any object found frozen, taken as
  // hardened already (for built-in modules loaded after lockdown). With classes, the constructors
  // met get overrideClass first.
  function deepFreeze(roots, skip, classes) {
    const seen = new Set_();
    const queue = [];
    for (let i = 0; i < roots.length; i++) queue[i] = roots[i];
    while (queue.length) {
      const o = queue.pop();
      if (!isObject(o) || o === G || seen.has(o)) continue;
      seen.add(o);
      hardened.add(o);
      if (skip === true ? isFrozen(o) : skip && skip.has(o)) continue;
      if (classes) overrideClass(o);
      if (isView(o) && o.length > 0) {
        // A typed array with elements cannot be frozen: freeze what can be.
        O.preventExtensions(o);
        const ks = ownKeys(o);
        for (let i = 0; i < ks.length; i++) {
          if (typeof ks[i] === 'string' && String_(+ks[i]) === ks[i]) continue;
          const d = gopd(o, ks[i]);
          if (d && 'value' in d) defineProperty(o, ks[i], { writable: false, configurable: false });
          else if (d) defineProperty(o, ks[i], { configurable: false });
        }
      } else {
        freeze(o);
      }
      const ks = ownKeys(o);
      for (let i = 0; i < ks.length; i++) {
        const d = gopd(o, ks[i]);
        if (!d) continue;
        if ('value' in d) { if (isObject(d.value)) queue[queue.length] = d.value; }
        else { if (d.get) queue[queue.length] = d.get; if (d.set) queue[queue.length] = d.set; }
      }
      const p = getPrototypeOf(o);
      if (p) queue[queue.length] = p;
    }
    return seen;
  }

  function hiddenIntrinsics() {
    const out = {};
    out['%IteratorPrototype%'] = getPrototypeOf(getPrototypeOf([][Symbol.iterator]()));
    out['%ArrayIteratorPrototype%'] = getPrototypeOf([][Symbol.iterator]());
    out['%MapIteratorPrototype%'] = getPrototypeOf(new Map().entries());
    out['%SetIteratorPrototype%'] = getPrototypeOf(new Set().values());
    out['%StringIteratorPrototype%'] = getPrototypeOf(''[Symbol.iterator]());
    try { out['%RegExpStringIteratorPrototype%'] = getPrototypeOf(''.matchAll(/a/g)); } catch (e) {}
    const gen = function* () {};
    out['%GeneratorFunction%'] = gen.constructor;
    out['%GeneratorFunction.prototype%'] = getPrototypeOf(gen);
    out['%GeneratorPrototype%'] = getPrototypeOf(gen.prototype);
    const af = async function () {};
    out['%AsyncFunction%'] = af.constructor;
    out['%AsyncFunction.prototype%'] = getPrototypeOf(af);
    out['%TypedArray%'] = getPrototypeOf(Uint8Array);
    out['%ThrowTypeError%'] = gopd(Function.prototype, 'caller') && gopd(Function.prototype, 'caller').get;
    (function () { 'use strict'; out['%StrictArguments%'] = getPrototypeOf(arguments); })();
    return out;
  }

  function resolve(g, hidden, path) {
    const parts = path.split('.');
    let o = g, i = 0;
    if (hasOwn(hidden, parts[0])) { o = hidden[parts[0]]; i = 1; }
    for (; i < parts.length && isObject(o); i++) o = gopd(o, parts[i]) ? gopd(o, parts[i]).value : undefined;
    return o;
  }

  function lockdown(g, lazy, reserved, overrideList, esNames, roots) {
    G = g;
    const hidden = hiddenIntrinsics();
    for (let i = 0; i < overrideList.length; i++) {
      const obj = resolve(g, hidden, overrideList[i].path);
      if (!isObject(obj)) continue;
      const names = overrideList[i].names[0] === '*' ? ownKeys(obj) : overrideList[i].names;
      for (let j = 0; j < names.length; j++) override(obj, names[j], overrideList[i].path);
    }
    // The lazily loaded globals: fixed accessors that load once.
    const lazySet = new Set_(lazy);
    for (let i = 0; i < lazy.length; i++) {
      const name = lazy[i];
      const d = gopd(g, name);
      if (!d || !d.get) continue;
      const load = d.get;
      let loaded = false, value;
      const { get, set } = {
        get() {
          if (!loaded) { value = apply(load, g, []); loaded = true; }
          return value;
        },
        set(v) {
          if (v === get()) return;
          throw new TypeError_('Cannot assign to read only property \'' + name + '\' of the global object: built-ins are frozen in actions');
        },
      };
      defineProperty(g, name, { get, set, enumerable: d.enumerable, configurable: false });
      freeze(get); freeze(set);
    }
    for (let i = 0; i < reserved.length; i++) {
      if (!hasOwn(g, reserved[i])) defineProperty(g, reserved[i], { value: undefined, writable: false, enumerable: false, configurable: false });
    }
    // Every binding fixed; the ES intrinsics frozen first, then the runner's own globals and
    // roots, whose classes get overridable prototypes.
    const esSet = new Set_(esNames);
    const esRoots = [getPrototypeOf(g)], runnerRoots = [];
    for (let i = 0; i < roots.length; i++) runnerRoots[i] = roots[i];
    const ks = ownKeys(g);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (lazySet.has(k)) continue;
      const d = gopd(g, k);
      const into = esSet.has(k) ? esRoots : runnerRoots;
      if ('value' in d) {
        defineProperty(g, k, { writable: false, configurable: false });
        into[into.length] = d.value;
      } else {
        defineProperty(g, k, { configurable: false });
        into[into.length] = d.get; into[into.length] = d.set;
      }
    }
    const hk = ownKeys(hidden);
    for (let i = 0; i < hk.length; i++) esRoots[esRoots.length] = hidden[hk[i]];
    const intrinsics = deepFreeze(esRoots, null, false);
    deepFreeze(runnerRoots, intrinsics, true);
  }

  function harden(v) {
    deepFreeze([v], true, true);
    return v;
  }

  // view(exports) is what an action gets of a module it pins: the module's exports, read-only.
  // Every object and function reached through it by property is a view too, so the action can
  // read and call the module's API but change none of it (no assignment, definition, deletion or
  // prototype change: each is refused, a TypeError in strict code), while the module keeps
  // changing its own objects. Calls made through a view run on the module's own objects (this
  // and view arguments unwrapped); what they return is the caller's, except a view's target
  // (a fluent API returning this or its exports), which comes back as its view, awaited too.
  // Deep-frozen objects (built-ins) are not wrapped, and a class's prototype is hardened and
  // returned as it is, so that instanceof and identity with built-ins hold.
  const views = new WeakMap(), targets = new WeakMap();
  const Proxy_ = Proxy, Promise_ = Promise, then = Promise.prototype.then;
  const rget = R.get, rapply = R.apply, rconstruct = R.construct, isExtensible = O.isExtensible;
  const unwrap = (v) => (isObject(v) && targets.has(v) ? targets.get(v) : v);
  const unwrapAll = (args) => { const out = []; for (let i = 0; i < args.length; i++) out[i] = unwrap(args[i]); return out; };
  const back = (r) => (isObject(r) && views.has(r) ? views.get(r) : r);
  // A non-configurable, non-writable property must read as it is (the proxy invariants): its
  // value is hardened instead of wrapped.
  const fixed = (d) => d && !d.configurable && (('value' in d && !d.writable) || !('value' in d));
  const handler = {
    get(t, k) {
      const d = gopd(t, k);
      const v = rget(t, k, t);
      if (fixed(d)) { harden(v); return v; }
      if (k === 'prototype' && typeof t === 'function') { harden(v); return v; }
      return view(v);
    },
    getOwnPropertyDescriptor(t, k) {
      const d = gopd(t, k);
      if (!d) return d;
      if (fixed(d)) { if ('value' in d) harden(d.value); else { harden(d.get); harden(d.set); } return d; }
      if ('value' in d) d.value = (k === 'prototype' && typeof t === 'function') ? harden(d.value) : view(d.value);
      else { d.get = view(d.get); d.set = view(d.set); }
      return d;
    },
    getPrototypeOf(t) {
      const p = getPrototypeOf(t);
      if (!isExtensible(t)) { harden(p); return p; }
      return view(p);
    },
    set() { return false; },
    defineProperty() { return false; },
    deleteProperty() { return false; },
    setPrototypeOf() { return false; },
    preventExtensions() { return false; },
    apply(t, self, args) {
      const r = rapply(t, unwrap(self), unwrapAll(args));
      if (r instanceof Promise_) return rapply(then, r, [back]);
      return back(r);
    },
    construct(t, args, nt) {
      return rconstruct(t, unwrapAll(args), views.get(t) === nt ? t : unwrap(nt));
    },
  };
  function view(t) {
    if (!isObject(t) || hardened.has(t)) return t;
    if (targets.has(t)) return t;
    let p = views.get(t);
    if (p === undefined) {
      p = new Proxy_(t, handler);
      views.set(t, p);
      targets.set(p, t);
    }
    return p;
  }
  return { lockdown, harden, view };
})()`

var hardenProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile(hardenName, hardenSource, true)
})

// esGlobalNames are the global bindings of a bare goja runtime: the ES intrinsics (and goja's
// GoError), told apart from the globals the runner adds.
var esGlobalNames = sync.OnceValue(func() []string {
	rt := goja.New()
	v, err := rt.RunString("Reflect.ownKeys(globalThis).filter((k) => typeof k === 'string')")
	if err != nil {
		panic(err)
	}
	var names []string
	if err := rt.ExportTo(v, &names); err != nil {
		panic(err)
	}
	return names
})

// lockdown hardens v's realm (see the top of this file); roots are the runner's objects that no
// global reaches (node's prelude's results, the modules' console). It runs inside installGlobals,
// after everything there is installed and before any user code; it panics on failure, as
// installGlobals' steps do.
func (v *vm) lockdown(roots ...goja.Value) {
	rt := v.rt
	hv, err := rt.RunProgram(hardenProgram())
	if err != nil {
		panic(err)
	}
	h := hv.(*goja.Object)
	lock := host.MustCallable(h, "lockdown")
	strings := func(ss []string) goja.Value {
		a := make([]any, len(ss))
		for i, s := range ss {
			a[i] = s
		}
		return rt.NewArray(a...)
	}
	list := make([]any, len(overrides))
	for i, o := range overrides {
		obj := rt.NewObject()
		_ = obj.Set("path", o.path)
		_ = obj.Set("names", strings(o.names))
		list[i] = obj
	}
	r := make([]any, len(roots))
	for i, x := range roots {
		r[i] = x
	}
	if _, err := lock(goja.Undefined(), rt.GlobalObject(), strings(lazyGlobals), strings(reservedGlobals),
		rt.NewArray(list...), strings(esGlobalNames()), rt.NewArray(r...)); err != nil {
		panic(err)
	}
	v.hardenFn = host.MustCallable(h, "harden")
	v.viewFn = host.MustCallable(h, "view")
}

// moduleView returns what an action gets of a module's exports: a read-only view (harden.go's
// view), in a locked-down runtime; the exports themselves otherwise.
func (v *vm) moduleView(exports goja.Value) goja.Value {
	if v.viewFn == nil {
		return exports
	}
	out, err := v.viewFn(goja.Undefined(), exports)
	if err != nil {
		panic(err)
	}
	return out
}

// harden deep-freezes a built-in module's exports before any code gets them. Before lockdown
// (while installGlobals runs) it does nothing: lockdown covers what is loaded by then.
func (v *vm) harden(val goja.Value) goja.Value {
	if v.hardenFn == nil {
		return val
	}
	if _, err := v.hardenFn(goja.Undefined(), val); err != nil {
		panic(err)
	}
	return val
}

// needsLockdown says whether a's runtimes are locked down: when it pins modules, whose secrets
// live in its runtimes beside code they must not trust (the action's and its bundle's). An
// action that pins none has only its own secrets and its own bundle in its runtimes: there is no
// one to protect from anyone, and its runtimes stay cheap.
func (a *action) needsLockdown() bool { return len(a.unit.modules) > 0 }
