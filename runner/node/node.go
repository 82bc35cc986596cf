// Package node provides the Node.js built-in modules a runtime serves to require (also as
// node:<name>): buffer, events, util (and util/types), stream (and stream/promises),
// string_decoder, path, querystring, url, assert, os (fixed values), tty, timers (and
// timers/promises), zlib, crypto, http, https (clients over runner/web's transport), net and tls
// (client sockets over the egress dialer, net.go), dns (lookup only), perf_hooks, async_hooks,
// diagnostics_channel, domain, punycode, module and process; fs, child_process, vm,
// worker_threads, http2, dgram and a few others load but every function throws
// "<module>.<fn> is not available to actions". It also provides the console (util.format and
// util.inspect, as Node prints them) and the process object.
//
// The built-ins are JavaScript (node/*.js, one function expression (native, require) per module)
// over Go natives (buffer.go, crypto.go, cipher.go, zlib.go, console.go), compiled once per
// process and run once per runtime, on first require: a runtime that never needs one pays nothing
// for it. Their natives object is never reachable from action code. The parts several built-ins
// share (EventEmitter, the base of util, the stubs) are prelude.js, run when a runtime is made.
//
// It knows nothing of actions or of how a runtime is locked down: the engine passes its hardening
// in Config, and every built-in's exports go through it before any code gets them.
package node

import (
	"context"
	"embed"
	_ "embed"
	"fmt"
	"net"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/web"
	"github.com/dop251/goja"
)

//go:embed *.js nodelib/*.js
var nodeFiles embed.FS

// preludeFile is the prelude's file among the built-ins' ones; it is no module.
const preludeFile = "prelude.js"

// programs are the built-ins by file name without ".js", compiled on the first require of one.
var programs = sync.OnceValue(func() map[string]*goja.Program {
	progs := map[string]*goja.Program{}
	// nodelib holds code ported from Node itself (see its README.md): "nodelib/<name>".
	for _, dir := range []string{".", "nodelib"} {
		entries, err := nodeFiles.ReadDir(dir)
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			if e.IsDir() || e.Name() == preludeFile {
				continue
			}
			file := path.Join(dir, e.Name())
			src, err := nodeFiles.ReadFile(file)
			if err != nil {
				panic(err)
			}
			name := strings.TrimSuffix(file, ".js")
			progs[name] = goja.MustCompile("<node:"+name+">", string(src), true)
		}
	}
	return progs
})

// preludeProgram is prelude.js, which every runtime runs.
var preludeProgram = sync.OnceValue(func() *goja.Program {
	src, err := nodeFiles.ReadFile(preludeFile)
	if err != nil {
		panic(err)
	}
	return goja.MustCompile("<actionsd node prelude>", string(src), true)
})

// Precompile compiles the built-ins' JavaScript, which runtimes would otherwise compile on first
// use.
func Precompile() {
	preludeProgram()
	programs()
}

// Config is what the built-ins of a runtime reach outside them.
type Config struct {
	// Web is the runtime's Web APIs: node:url is built on its URL, node:http on its transport,
	// util on its TextEncoder and TextDecoder, process.nextTick on its queueMicrotask.
	Web *web.Globals
	// SetTimeout, SetInterval and ClearTimeout are the runtime's timers (node:timers, node:http);
	// Timer makes the function objects the globals and node:timers share.
	SetTimeout, SetInterval, ClearTimeout func(goja.FunctionCall) goja.Value
	// Harden deep-freezes what a built-in exports (and what it names shared) before any code
	// gets it; nil leaves them as they are.
	Harden func(goja.Value) goja.Value
	// ProcessEnv is process.env, as sorted "key\x00value\x00" pairs; "" leaves it empty.
	ProcessEnv string
	// Dial opens node:net's and node:tls's connections; it must enforce the egress policy
	// (egress.DialerOf). nil refuses every socket.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Modules are the Node built-ins of one runtime: those loaded so far, and the objects they share.
// Only the runtime's goroutine uses them.
type Modules struct {
	vm  host.VM
	rt  *goja.Runtime
	in  *host.Intrinsics
	cfg Config

	prelude   *goja.Object          // what prelude.js returned
	process   *goja.Object          // the process object, as installed (built-ins use this one)
	builtins  map[string]goja.Value // built-in modules loaded so far
	nat       *goja.Object          // natives handed to built-ins, made on first use
	reqs      map[string]goja.Value // the require of built-ins and bundles, by owner
	internals []goja.Value          // what the built-in loading now named shared (native.shared)
	asyncCtx  []asyncContext        // every async_hooks instance's current stores (asynccontext.go)
	insp      *inspectIntrinsics    // inspect.go's, read on first use
	timers    map[string]goja.Value // the timer functions (Timer)
	ticks     []tick                // process.nextTick's queue (process.go)
}

// New runs the built-ins' prelude on vm's runtime (in are its intrinsics) and makes its process
// object. Call it before any user code runs, after web.New; it panics if the prelude fails, as
// nothing user code did can make it fail.
func New(vm host.VM, in *host.Intrinsics, cfg Config) *Modules {
	v := &Modules{vm: vm, rt: vm.Runtime(), in: in, cfg: cfg}
	fnv, err := v.rt.RunProgram(preludeProgram())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	v.prelude = host.Call(fn, goja.Undefined(), v.rt.ToValue(v.jsFormat), v.rt.ToValue(v.jsInspect),
		cfg.Web.Get("TextEncoder"), cfg.Web.Get("TextDecoder")).(*goja.Object)
	v.process = v.newProcess()
	return v
}

// timerNames are the timer functions Timer makes.
var timerNames = []string{"setTimeout", "setInterval", "clearTimeout", "clearInterval"}

// Timer returns the runtime's setTimeout, setInterval, clearTimeout or clearInterval: one function
// object per runtime, which the engine installs as the global and node:timers exports, so that
// require('timers').setTimeout === setTimeout as in Node. setTimeout[util.promisify.custom] is
// timers/promises' setTimeout, loaded when first read.
func (v *Modules) Timer(name string) goja.Value {
	if f, ok := v.timers[name]; ok {
		return f
	}
	if v.timers == nil {
		v.timers = make(map[string]goja.Value, len(timerNames))
	}
	var fn func(goja.FunctionCall) goja.Value
	switch name {
	case "setTimeout":
		fn = v.cfg.SetTimeout
	case "setInterval":
		fn = v.cfg.SetInterval
	case "clearTimeout", "clearInterval":
		fn = v.cfg.ClearTimeout
	}
	if fn == nil { // a test runtime without this timer
		return goja.Undefined()
	}
	f := v.rt.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", v.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if name == "setTimeout" {
		custom := v.prelude.Get("inspect").(*goja.Object).Get("8").(*goja.Symbol) // util.promisify.custom
		get := v.rt.ToValue(func(goja.FunctionCall) goja.Value {
			return v.Require("timers").(*goja.Object).Get("promises").(*goja.Object).Get("setTimeout")
		})
		if err := f.DefineAccessorPropertySymbol(custom, get, nil, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			panic(err)
		}
	}
	v.timers[name] = f
	return f
}

// Process is the runtime's process object.
func (v *Modules) Process() *goja.Object { return v.process }

// Shared are the prelude's objects that no built-in's exports reach before it loads (the base of
// util and the stubs): the engine's lockdown freezes them with the globals.
func (v *Modules) Shared() []goja.Value {
	return []goja.Value{v.prelude.Get("util"), v.prelude.Get("stub")}
}

// loaders are the built-ins, by name without the "node:" prefix. A loader runs once per runtime,
// on first require (see Require); most are node/<name>.js.
var loaders map[string]func(v *Modules, owner string) goja.Value

func init() {
	loaders = map[string]func(v *Modules, owner string) goja.Value{
		"buffer":              jsModule("buffer"),
		"events":              jsModule("events"),
		"util":                jsModule("util"),
		"util/types":          func(v *Modules, _ string) goja.Value { return v.Require("util").(*goja.Object).Get("types") },
		"stream":              jsModule("stream"),
		"stream/promises":     func(v *Modules, _ string) goja.Value { return v.Require("stream").(*goja.Object).Get("promises") },
		"stream/web":          stubModule("stream/web"),
		"string_decoder":      jsModule("string_decoder"),
		"path":                jsModule("path"),
		"path/posix":          jsModule("path"),
		"querystring":         jsModule("querystring"),
		"url":                 jsModule("url"),
		"\x00nodelib/url":     jsModule("nodelib/url"),
		"\x00parse_args":      jsModule("nodelib/parse_args"),
		"assert":              jsModule("assert"),
		"assert/strict":       func(v *Modules, _ string) goja.Value { return v.Require("assert").(*goja.Object).Get("strict") },
		"os":                  jsModule("os"),
		"tty":                 jsModule("tty"),
		"timers":              jsModule("timers"),
		"timers/promises":     func(v *Modules, _ string) goja.Value { return v.Require("timers").(*goja.Object).Get("promises") },
		"zlib":                jsModule("zlib"),
		"crypto":              jsModule("crypto"),
		"http":                func(v *Modules, _ string) goja.Value { return v.Require("\x00http").(*goja.Object).Get("http") },
		"https":               func(v *Modules, _ string) goja.Value { return v.Require("\x00http").(*goja.Object).Get("https") },
		"\x00http":            jsModule("http"),
		"process":             func(v *Modules, _ string) goja.Value { return v.process },
		"fs":                  stubModule("fs"),
		"fs/promises":         stubModule("fs/promises"),
		"child_process":       stubModule("child_process"),
		"net":                 func(v *Modules, _ string) goja.Value { return v.Require("\x00net").(*goja.Object).Get("net") },
		"tls":                 func(v *Modules, _ string) goja.Value { return v.Require("\x00net").(*goja.Object).Get("tls") },
		"\x00net":             jsModule("net"),
		"vm":                  stubModule("vm"),
		"worker_threads":      stubModule("worker_threads"),
		"http2":               stubModule("http2"),
		"dgram":               stubModule("dgram"), // aws-sdk v2 requires it at load (its CSM publisher)
		"dns":                 func(v *Modules, _ string) goja.Value { return v.Require("\x00net").(*goja.Object).Get("dns") },
		"dns/promises":        func(v *Modules, _ string) goja.Value { return v.Require("dns").(*goja.Object).Get("promises") },
		"perf_hooks":          jsModule("perf_hooks"),
		"async_hooks":         jsModule("async_hooks"),
		"diagnostics_channel": jsModule("diagnostics_channel"),
		"domain":              jsModule("domain"),
		"punycode":            jsModule("punycode"),
		"module":              jsModule("module"),
	}
}

// Names returns the names of the built-ins actions may require (each also as node:<name>),
// sorted.
func Names() []string {
	var names []string
	for name := range loaders {
		if !strings.HasPrefix(name, "\x00") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Has reports whether name (without "node:") is a built-in the runner provides.
func Has(name string) bool {
	_, ok := loaders[name]
	return ok
}

// nodeOnly are the other Node built-ins, refused by name so the error says why.
var nodeOnly = map[string]bool{
	"cluster": true, "dgram": true, "inspector": true, "readline": true, "repl": true, "sqlite": true, "test": true, "trace_events": true,
	"v8": true, "wasi": true, "constants": true, "sys": true,
}

// NodeOnly reports whether name (without "node:") is a Node built-in the runner does not provide.
func NodeOnly(name string) bool { return nodeOnly[name] }

// owned are the built-ins that keep state code changes through their functions (channels and
// their subscribers, async stores, domains, performance marks, require caches): each owner of a
// runtime (an action, a module it pins) gets an instance of its own (RequireOwned), so that no
// owner sees another's. The others are one instance per runtime. Both are hardened before any
// code gets them (the state lives in closures, not in what the exports reach).
var owned = map[string]bool{"diagnostics_channel": true, "async_hooks": true, "domain": true, "perf_hooks": true, "module": true}

// SharedOwner is the owner of the built-ins a runtime's global performance comes from where the
// runtime's owners share it (Performance).
const SharedOwner = "\x00shared"

// Performance is the global performance: owner's node:perf_hooks performance, as in Node
// (require('perf_hooks').performance === performance). With SharedOwner, for a runtime whose
// owners share its globals, it is one that records no marks or measures, so that no owner sees
// another's (perf_hooks.js).
func (v *Modules) Performance(owner string) goja.Value {
	return v.RequireOwned(owner, "perf_hooks").(*goja.Object).Get("performance")
}

// jsModule loads node/<file>.js.
func jsModule(file string) func(v *Modules, owner string) goja.Value {
	return func(v *Modules, owner string) goja.Value { return v.jsBuiltin(file, owner) }
}

func stubModule(name string) func(v *Modules, owner string) goja.Value {
	return func(v *Modules, _ string) goja.Value {
		stub, _ := goja.AssertFunction(v.prelude.Get("stub"))
		m, err := stub(goja.Undefined(), v.rt.ToValue(name))
		if err != nil {
			panic(err)
		}
		return m
	}
}

// jsBuiltin loads the built-in node/<file>.js into v, for owner if it is an owned one.
func (v *Modules) jsBuiltin(file, owner string) goja.Value {
	prg := programs()[file]
	if prg == nil {
		panic(fmt.Sprintf("runner: no built-in %s", file))
	}
	fnv, err := v.rt.RunProgram(prg)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	exp, err := fn(goja.Undefined(), v.natives(), v.OwnerRequireFunc(owner), v.rt.ToValue(owner))
	if err != nil {
		panic(err)
	}
	return exp
}

// Require returns the exports of the built-in name (without "node:"), loading it on first use;
// it panics with a JavaScript error when there is no such built-in. An owned built-in is the
// instance of the owner "" (RequireOwned).
func (v *Modules) Require(name string) goja.Value { return v.RequireOwned("", name) }

// RequireOwned is Require for code of owner (an action's or a module's name): an owned built-in
// is owner's own instance; the others are the runtime's.
func (v *Modules) RequireOwned(owner, name string) goja.Value {
	key := name
	if owned[name] {
		key = owner + "\x00" + name
	}
	if m, ok := v.builtins[key]; ok {
		return m
	}
	load, ok := loaders[name]
	if !ok {
		panic(v.in.NewError(fmt.Sprintf("cannot require '%s': not a built-in module", name)))
	}
	outer := v.internals // of the built-in whose load requires this one
	v.internals = nil
	m := v.harden(load(v, owner)) // before any code gets it
	for _, o := range v.internals {
		v.harden(o)
	}
	v.internals = outer
	if v.builtins == nil {
		v.builtins = make(map[string]goja.Value)
	}
	v.builtins[key] = m
	return m
}

func (v *Modules) harden(val goja.Value) goja.Value {
	if v.cfg.Harden == nil {
		return val
	}
	return v.cfg.Harden(val)
}

// RequireFunc is the require of built-ins: it serves Node built-ins only, owned ones as the
// owner "" has them.
func (v *Modules) RequireFunc() goja.Value { return v.OwnerRequireFunc("") }

// OwnerRequireFunc is the require of owner's npm bundles: RequireFunc, with owner's instances of
// the owned built-ins.
func (v *Modules) OwnerRequireFunc(owner string) goja.Value {
	if f, ok := v.reqs[owner]; ok {
		return f
	}
	f := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		spec, ok := host.String(call.Argument(0))
		if !ok {
			panic(v.rt.NewTypeError("require: the specifier must be a string"))
		}
		name := strings.TrimPrefix(spec, "node:")
		if _, ok := loaders[name]; ok {
			return v.RequireOwned(owner, name)
		}
		e := v.in.NewError(fmt.Sprintf("cannot require '%s': the Node built-in is not available to actions", spec))
		e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	})
	if v.reqs == nil {
		v.reqs = make(map[string]goja.Value)
	}
	v.reqs[owner] = f
	return f
}

// natives returns the object of Go natives handed to built-ins.
func (v *Modules) natives() *goja.Object {
	if v.nat != nil {
		return v.nat
	}
	n := v.rt.NewObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"decode":     v.bufDecode,
		"encode":     v.bufEncode,
		"byteLength": v.bufByteLength,
		"compare":    v.bufCompare,
		"indexOf":    v.bufIndexOf,
		"isUtf8": func(call goja.FunctionCall) goja.Value {
			return v.rt.ToValue(utf8.Valid(v.bytesArg(call, 0)))
		},
		"inspect":           v.jsInspect,
		"format":            v.jsFormat,
		"formatWithOptions": v.jsFormatWithOptions,
	} {
		n.Set(name, fn)
	}
	v.cryptoNatives(n)
	v.zlibNatives(n)
	n.Set("httpRequest", v.cfg.Web.HTTPRequest)
	n.Set("netConnect", v.netConnect)
	n.Set("dnsLookup", v.dnsLookup)
	// shared(...objects) names what a built-in made at load that its exports do not reach
	// (internal classes whose instances its functions return): they are hardened with the
	// exports, as every owner of the runtime shares them.
	n.Set("shared", func(call goja.FunctionCall) goja.Value {
		v.internals = append(v.internals, call.Arguments...)
		return goja.Undefined()
	})
	n.Set("prelude", v.prelude)
	n.Set("urlModule", v.cfg.Web.URLModule())
	// webGlobal(name) is a Web global node:buffer exports too (Blob, File), made on first use.
	n.Set("webGlobal", func(call goja.FunctionCall) goja.Value {
		switch name := call.Argument(0).String(); name {
		case "Blob", "File":
			return v.cfg.Web.Get(name)
		}
		return goja.Undefined()
	})
	for _, name := range timerNames {
		n.Set(name, v.Timer(name))
	}
	n.Set("process", v.process)
	n.Set("perfNow", func(goja.FunctionCall) goja.Value {
		return v.rt.ToValue(float64(time.Since(processStart).Nanoseconds()) / 1e6)
	})
	n.Set("timeOrigin", float64(processStart.UnixNano())/1e6)
	names := Names()
	vals := make([]any, len(names))
	for i, s := range names {
		vals[i] = s
	}
	n.Set("builtinNames", v.rt.NewArray(vals...))
	n.Set("registerAsyncContext", v.registerAsyncContext)
	n.Set("isPromise", func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok {
			return v.rt.ToValue(false)
		}
		_, ok = o.Export().(*goja.Promise)
		return v.rt.ToValue(ok)
	})
	v.nat = n
	return n
}
