package runner

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Runtime limits.
const (
	// maxCallStack turns runaway recursion into an error (Node's default allows ~11k frames).
	maxCallStack = 4096
	// loadTimeout bounds running an action's top level and the modules it requires, when a runtime
	// is created (at build, or when a pool is empty).
	loadTimeout = 10 * time.Second
	// maxLogBytes bounds what one action's console keeps per execution.
	maxLogBytes = 64 << 10
)

//go:embed prelude.js
var preludeSource string

// preludeName is the prelude's file name in stacks; it is never a repository file, so errors are
// never attributed to it.
const preludeName = "<actionsd prelude>"

var preludeProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile(preludeName, preludeSource, true)
})

// vm is one goja runtime of one action, with everything loaded: the action's top level and the
// modules and files it required. Only the goroutine that took it from the pool touches it; the
// fetch goroutines it starts talk to it through loop.jobs alone.
type vm struct {
	rt  *goja.Runtime
	act *action

	// Pristine intrinsics, captured before any user code runs.
	jsonParse     goja.Callable
	jsonStringify goja.Callable
	freeze        goja.Callable
	arrayFrom     goja.Callable
	errorCtor     goja.Value

	prelude    *goja.Object // what the prelude returned
	console    *goja.Object // the global console
	modConsole *goja.Object // a frozen console handed to module wrappers
	fetch      goja.Value   // the prelude's fetch, handed to module wrappers

	loaded     map[string]*goja.Object // require cache: module objects by unit object + file
	builtins   map[string]goja.Value   // built-in modules loaded so far
	urlModule  *goja.Object            // url.js's exports (URL, URLSearchParams)
	urlStrings [3]goja.Value           // "", "https:", "http:": components most URLs share (url.go)
	nat        *goja.Object            // natives handed to built-ins (node.go), made on first use
	breq       goja.Value              // the require of built-ins and bundles
	timerProto *goja.Object            // prototype of the Timeout objects timers return
	httpc      *http.Client            // the egress client without redirects, for node:http
	secrets    *goja.Object            // the action's frozen event.secrets
	handlers   []cachedHandler         // handler functions as last called
	process    *goja.Object            // the process object, as installed (built-ins use this one)
	hardenFn   goja.Callable           // deep-freezes a built-in's exports (harden.go); nil before lockdown
	internals  []goja.Value            // what the built-in loading now named shared (native.shared)
	viewFn     goja.Callable           // a pinned module's exports as the action sees them (harden.go); nil unless locked
	locked     bool                    // locked down when created (harden.go: needsLockdown, newWarmupVM)

	module   *goja.Object  // the action's own module object
	api      *goja.Object  // the trigger's api object, reused by every execution
	callArgs [2]goja.Value // the handler's arguments, reused by every execution
	names    [4]boxedName  // recent claim and metadata names, boxed (boxName)
	nameNext int

	loop loop
	run  *actionRun // the execution in progress (&cur); nil between executions
	cur  actionRun

	alarm  alarm       // interrupts the execution in progress when its time or memory ends
	mem    memBudget   // what allowAlloc knows of the execution in progress (memory.go)
	broken bool        // interrupted or failed internally: do not return to the pool
	inJS   atomic.Bool // running JavaScript now, rather than waiting in the loop (the alarm reads it)
}

type cachedHandler struct {
	name string
	obj  *goja.Object
	fn   goja.Callable
}

// actionRun is the per-execution state a vm's natives write to.
type actionRun struct {
	parent   context.Context // the request's
	limit    time.Time       // when the action's time ends
	ctx      context.Context // parent with limit as deadline; made on first use (context)
	cancel   context.CancelFunc
	ex       *execution
	ar       *ActionResult
	event    *goja.Object // the event handed to the handler
	logBytes int
}

// context returns the execution's context, which ends at the action's limit; requests and the
// loop use it. It is made on first use: most executions never need one.
func (r *actionRun) context() context.Context {
	if r.ctx == nil {
		r.ctx, r.cancel = context.WithDeadline(r.parent, r.limit)
	}
	return r.ctx
}

// newVM creates a serving runtime for a and loads the action's top level. It is locked down when
// a pins modules (harden.go).
func (a *action) newVM(ctx context.Context) (*vm, error) {
	return a.newRuntime(ctx, a.needsLockdown())
}

// newRuntime creates a runtime for a, locked down or not, and loads the action's top level.
func (a *action) newRuntime(ctx context.Context, lock bool) (*vm, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(maxCallStack)
	v := &vm{
		rt:       rt,
		act:      a,
		loaded:   make(map[string]*goja.Object),
		builtins: make(map[string]goja.Value),
		locked:   lock,
	}
	v.loop.init()
	v.limitRuntime() // memory.go
	rt.SetPromiseRejectionTracker(v.loop.track)
	if err := v.installGlobals(); err != nil {
		return nil, fmt.Errorf("action %s: set up runtime: %w", a.name, err)
	}

	lctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	// The load is watched as an execution is (memory.go): its heap growth past the memory limit
	// stops it, and its regexps end at its deadline.
	deadline, _ := lctx.Deadline()
	v.alarm.arm(v, lctx, time.Now(), deadline)
	v.inJS.Store(true)
	stop := context.AfterFunc(lctx, func() { rt.Interrupt(errLoadInterrupted) })
	var loadErr error
	func() {
		defer func() {
			if x := recover(); x != nil {
				loadErr = fmt.Errorf("internal error: %v", x)
			}
		}()
		loadErr = v.call(func() { v.module = v.loadFileObject(a.unit, a.unit.entry) })
	}()
	v.inJS.Store(false)
	if v.alarm.disarm() == errMemoryLimit {
		return nil, &Error{Message: fmt.Sprintf("loading action %s exceeded its memory limit of %d MiB and was stopped", a.name, a.env.memLimit>>20)}
	}
	if !stop() || lctx.Err() != nil {
		if loadErr == nil {
			loadErr = errLoadInterrupted
		}
		var ie *goja.InterruptedError
		if errors.As(loadErr, &ie) || errors.Is(loadErr, errLoadInterrupted) {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("loading action %s: %w", a.name, ctx.Err())
			}
			return nil, &Error{Message: fmt.Sprintf("loading action %s took longer than %s", a.name, loadTimeout)}
		}
	}
	if loadErr != nil {
		return nil, v.jsError(loadErr)
	}
	v.loop.reset()

	v.api = apiBuilders[a.trig.Name](v)
	if _, ok := goja.AssertFunction(v.handler(a.trig.Handler)); !ok {
		return nil, &Error{
			Message: fmt.Sprintf("actions/%s does not export %s", a.name, a.trig.Handler),
			File:    a.unit.repoPath(a.unit.entry),
		}
	}
	a.loaded.Store(true)
	return v, nil
}

var errLoadInterrupted = errors.New("load interrupted")

// handler returns the exported function name of the action's module, as exported now.
func (v *vm) handler(name string) goja.Value {
	exp, ok := v.module.Get("exports").(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	return exp.Get(name)
}

// callable returns the exported handler name as a function, cached while the export stays the
// same function object.
func (v *vm) callable(name string) (goja.Callable, bool) {
	val := v.handler(name)
	obj, ok := val.(*goja.Object)
	if !ok {
		return nil, false
	}
	for i := range v.handlers {
		if h := &v.handlers[i]; h.name == name {
			if h.obj == obj {
				return h.fn, true
			}
			fn, ok := goja.AssertFunction(obj)
			if ok {
				h.obj, h.fn = obj, fn
			}
			return fn, ok
		}
	}
	fn, ok := goja.AssertFunction(obj)
	if ok {
		v.handlers = append(v.handlers, cachedHandler{name: name, obj: obj, fn: fn})
	}
	return fn, ok
}

func mustCallable(obj *goja.Object, name string) goja.Callable {
	f, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		panic(fmt.Sprintf("runner: intrinsic %s is not a function", name))
	}
	return f
}

// installGlobals sets up the JavaScript environment of SPEC §3 that this runner provides.
func (v *vm) installGlobals() error {
	rt := v.rt
	return v.call(func() {
		g := rt.GlobalObject()
		jsonObj := g.Get("JSON").(*goja.Object)
		v.jsonParse = mustCallable(jsonObj, "parse")
		v.jsonStringify = mustCallable(jsonObj, "stringify")
		v.freeze = mustCallable(g.Get("Object").(*goja.Object), "freeze")
		v.arrayFrom = mustCallable(g.Get("Array").(*goja.Object), "from")
		v.errorCtor = g.Get("Error")
		v.typedArrayFromPrimitives()

		// URL and URLSearchParams are url.js's; Buffer, crypto and CryptoKey load on first use
		// (node/buffer.js, node/crypto.js), so that runtimes that never touch them stay small.
		v.urlModule = v.newURLModule()
		g.Set("URL", v.urlModule.Get("URL"))
		g.Set("URLSearchParams", v.urlModule.Get("URLSearchParams"))
		v.lazyGlobal("Buffer", func() goja.Value { return v.builtin("buffer").(*goja.Object).Get("Buffer") })
		v.lazyGlobal("crypto", func() goja.Value { return v.builtin("crypto").(*goja.Object).Get("webcrypto") })
		v.lazyGlobal("CryptoKey", func() goja.Value { return v.builtin("crypto").(*goja.Object).Get("CryptoKey") })
		v.lazyGlobal("setImmediate", func() goja.Value { return v.builtin("timers").(*goja.Object).Get("setImmediate") })
		v.lazyGlobal("clearImmediate", func() goja.Value { return v.builtin("timers").(*goja.Object).Get("clearImmediate") })

		v.console = v.newConsole()
		v.modConsole = v.newConsole()
		v.mustFreeze(v.modConsole)
		g.Set("console", v.console)

		g.Set("setTimeout", v.setTimeout)
		g.Set("setInterval", v.setInterval)
		g.Set("clearTimeout", v.clearTimer)
		g.Set("clearInterval", v.clearTimer)
		g.Set("atob", v.atob)
		g.Set("btoa", v.btoa)

		n := rt.NewObject()
		n.Set("fetch", v.nativeFetch)
		n.Set("utf8Encode", v.utf8Encode)
		n.Set("utf8Decode", v.utf8Decode)
		n.Set("format", v.jsFormat)
		n.Set("inspect", v.jsInspect)
		n.Set("URL", v.urlModule.Get("URL"))
		n.Set("URLSearchParams", v.urlModule.Get("URLSearchParams"))
		n.Set("setTimeout", v.setTimeout)
		fnv, err := rt.RunProgram(preludeProgram())
		if err != nil {
			panic(err)
		}
		fn, _ := goja.AssertFunction(fnv)
		pv, err := fn(goja.Undefined(), n)
		if err != nil {
			panic(err)
		}
		v.prelude = pv.(*goja.Object)
		for _, name := range []string{"fetch", "Headers", "Request", "Response", "AbortController",
			"AbortSignal", "TextEncoder", "TextDecoder", "structuredClone", "queueMicrotask"} {
			g.Set(name, v.prelude.Get(name))
		}
		v.fetch = v.prelude.Get("fetch")

		v.process = v.newProcess()
		g.Set("process", v.process)
		g.Set("global", g)
		if v.locked {
			rt.SetGlobalObjectPrototypeImmutable()                                 // no Proxy behind globalThis (harden.go)
			v.lockdown(v.modConsole, v.prelude.Get("util"), v.prelude.Get("stub")) // last (harden.go)
		}
	})
}

// lazyGlobal defines globalThis[name] as an accessor that loads its value on first read and
// then becomes a plain writable property, as in Node.
func (v *vm) lazyGlobal(name string, load func() goja.Value) {
	g := v.rt.GlobalObject()
	define := func(val goja.Value) {
		_ = g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	get := v.rt.ToValue(func(goja.FunctionCall) goja.Value {
		val := load()
		define(val)
		return val
	})
	set := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		define(call.Argument(0))
		return goja.Undefined()
	})
	_ = g.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// call runs f as a JavaScript call made from Go: what f panics with (a JS value, an exception,
// an interruption) comes back as an error, and promise jobs f queued run before call returns.
func (v *vm) call(f func()) error {
	fn, _ := goja.AssertFunction(v.rt.ToValue(func(goja.FunctionCall) goja.Value {
		f()
		return goja.Undefined()
	}))
	_, err := fn(goja.Undefined())
	return err
}

// typedArrayFromPrimitives makes %TypedArray%.from take what the spec's ToObject takes: goja's
// refuses a primitive source, so Uint8Array.from('abc', (c) => c.charCodeAt(0)), which nanoid
// runs, throws "Value is not an object". A string is iterable, so it gives its characters.
func (v *vm) typedArrayFromPrimitives() {
	rt := v.rt
	ta := rt.Get("Uint8Array").(*goja.Object).Prototype() // %TypedArray%
	orig := mustCallable(ta, "from")
	fn := rt.ToValue(func(call goja.FunctionCall) goja.Value {
		args := call.Arguments
		if len(args) > 0 {
			if _, ok := args[0].(*goja.Object); !ok && !goja.IsUndefined(args[0]) && !goja.IsNull(args[0]) {
				args = append([]goja.Value{args[0].ToObject(rt)}, args[1:]...)
			}
		}
		r, err := orig(call.This, args...)
		if err != nil {
			panic(err)
		}
		return r
	}).(*goja.Object)
	_ = fn.DefineDataProperty("name", rt.ToValue("from"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", rt.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ta.DefineDataProperty("from", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// newProcess returns Node's process object with the env of Options.ProcessEnv (empty without
// it): the host's environment is never visible to actions.
func (v *vm) newProcess() *goja.Object {
	rt := v.rt
	p := rt.NewObject()
	env := rt.NewObject()
	if v.act != nil {
		kv := strings.Split(v.act.env.processEnv, "\x00")
		for i := 0; i+1 < len(kv); i += 2 {
			env.Set(kv[i], kv[i+1])
		}
	}
	p.Set("env", env)
	p.Set("argv", rt.NewArray())
	p.Set("execArgv", rt.NewArray())
	p.Set("platform", "linux")
	p.Set("arch", "x64")
	p.Set("pid", 1)
	p.Set("version", "v"+nodeVersion)
	versions := rt.NewObject()
	versions.Set("node", nodeVersion)
	versions.Set("v8", "11.3.244.8-node.19")
	versions.Set("uv", "1.46.0")
	versions.Set("modules", "115")
	p.Set("versions", versions)
	release := rt.NewObject()
	release.Set("name", "node")
	p.Set("release", release)
	p.Set("cwd", func() string { return "/" })
	p.Set("uptime", func() float64 { return time.Since(processStart).Seconds() })
	p.Set("hrtime", v.hrtime)
	p.Set("emitWarning", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	p.Set("on", func(call goja.FunctionCall) goja.Value { return call.This })
	p.Set("exit", func(goja.FunctionCall) goja.Value {
		panic(v.newError("process.exit is not available to actions"))
	})
	for _, name := range []string{"abort", "kill", "chdir", "dlopen", "binding", "setuid", "setgid"} {
		p.Set(name, func(goja.FunctionCall) goja.Value {
			panic(v.newError("process." + name + " is not available to actions"))
		})
	}
	for _, name := range []string{"once", "off", "addListener", "removeListener", "removeAllListeners", "prependListener", "setMaxListeners", "emit"} {
		p.Set(name, func(call goja.FunctionCall) goja.Value { return call.This })
	}
	p.Set("listeners", func(goja.FunctionCall) goja.Value { return rt.NewArray() })
	p.Set("listenerCount", func(goja.FunctionCall) goja.Value { return rt.ToValue(0) })
	p.Set("title", "node")
	p.Set("execPath", "/usr/local/bin/node")
	p.Set("exitCode", goja.Undefined())
	p.Set("features", rt.NewObject()) // plain objects, not Go maps: lockdown freezes them
	config := rt.NewObject()
	config.Set("variables", rt.NewObject())
	p.Set("config", config)
	p.Set("umask", func(goja.FunctionCall) goja.Value { return rt.ToValue(0o022) })
	p.Set("getuid", func(goja.FunctionCall) goja.Value { return rt.ToValue(1000) })
	p.Set("getgid", func(goja.FunctionCall) goja.Value { return rt.ToValue(1000) })
	p.Set("cpuUsage", func(goja.FunctionCall) goja.Value { return rt.ToValue(map[string]any{"user": 0, "system": 0}) })
	p.Set("memoryUsage", func(goja.FunctionCall) goja.Value {
		return rt.ToValue(map[string]any{"rss": 0, "heapTotal": 0, "heapUsed": 0, "external": 0, "arrayBuffers": 0})
	})
	// stdout and stderr write into the action's logs, a line per write.
	for _, name := range []string{"stdout", "stderr"} {
		s := rt.NewObject()
		s.Set("write", func(call goja.FunctionCall) goja.Value {
			v.appendLog(strings.TrimSuffix(call.Argument(0).String(), "\n"))
			return rt.ToValue(true)
		})
		s.Set("isTTY", false)
		s.Set("fd", map[string]int{"stdout": 1, "stderr": 2}[name])
		s.Set("on", func(call goja.FunctionCall) goja.Value { return call.This })
		s.Set("once", func(call goja.FunctionCall) goja.Value { return call.This })
		p.Set(name, s)
	}
	qm := v.prelude.Get("queueMicrotask")
	qmf, _ := goja.AssertFunction(qm)
	p.Set("nextTick", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(rt.NewTypeError("process.nextTick: callback must be a function"))
		}
		args := append([]goja.Value(nil), call.Arguments[1:]...)
		cb := rt.ToValue(func(goja.FunctionCall) goja.Value {
			if _, err := fn(goja.Undefined(), args...); err != nil {
				panic(err)
			}
			return goja.Undefined()
		})
		if _, err := qmf(goja.Undefined(), cb); err != nil {
			panic(err)
		}
		return goja.Undefined()
	})
	return p
}

var processStart = time.Now()

// nodeVersion is the Node version process reports: the Node line whose built-ins the runner
// follows (Auth0 runs Node 22 and 18 too; packages test the major version).
const nodeVersion = "20.18.0"

func (v *vm) hrtime(call goja.FunctionCall) goja.Value {
	ns := time.Since(processStart).Nanoseconds()
	sec, nsec := ns/1e9, ns%1e9
	if prev, ok := call.Argument(0).(*goja.Object); ok {
		ps, pn := integerAt(prev, "0"), integerAt(prev, "1")
		d := (sec-ps)*1e9 + (nsec - pn)
		sec, nsec = d/1e9, d%1e9
	}
	return v.rt.NewArray(sec, nsec)
}

// integerAt is o[key] as an integer; 0 when o has no such property.
func integerAt(o *goja.Object, key string) int64 {
	if val := o.Get(key); val != nil {
		return val.ToInteger()
	}
	return 0
}

// newError returns a new Error(msg) of the runtime, for native functions to panic with.
func (v *vm) newError(msg string) *goja.Object {
	o, err := v.rt.New(v.errorCtor, v.rt.ToValue(msg))
	if err != nil {
		return v.rt.NewTypeError(msg)
	}
	return o
}

func (v *vm) mustFreeze(o *goja.Object) {
	if _, err := v.freeze(goja.Undefined(), o); err != nil {
		panic(err)
	}
}
