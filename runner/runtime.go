package runner

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actionsd/actionsd/runner/auth0"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/intl"
	"github.com/actionsd/actionsd/runner/node"
	"github.com/actionsd/actionsd/runner/web"
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
// goroutines its requests start talk to it through loop.jobs alone. It is the host.VM of the
// built-in modules it loads (runner/web, runner/node, runner/auth0).
type vm struct {
	rt  *goja.Runtime
	act *action
	in  host.Intrinsics // pristine intrinsics, captured before any user code runs

	web        *web.Globals            // fetch, URL, TextEncoder, ...
	node       *node.Modules           // the Node built-ins loaded so far, and process
	modConsole *goja.Object            // a frozen console handed to module wrappers
	fetch      goja.Value              // the Web fetch, handed to module wrappers
	loaded     map[string]*goja.Object // require cache: module objects by unit object + file
	timerProto *goja.Object            // prototype of the Timeout objects timers return
	secrets    *goja.Object            // the action's frozen event.secrets
	handlers   []cachedHandler         // handler functions as last called
	asyncCall  goja.Callable           // runs a timer's callback in its async_hooks stores (loop.go); made on first use
	hardenFn   goja.Callable           // deep-freezes a built-in's exports (harden.go); nil before lockdown
	viewFn     goja.Callable           // a pinned module's exports as the action sees them (harden.go); nil unless locked
	locked     bool                    // locked down when created (harden.go: needsLockdown, newWarmupVM)

	module   *goja.Object  // the action's own module object
	api      *auth0.API    // the trigger's api, reused by every execution
	callArgs [2]goja.Value // the handler's arguments, reused by every execution

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
	logBytes int
}

// context returns the execution's context, which ends at the action's limit; requests and the
// loop use it. It is made on first use: most executions never need one.
func (r *actionRun) context() context.Context {
	if r.ctx == nil {
		parent := r.parent
		if ex := r.ex; ex != nil && ex.recordLimit > 0 { // the requests of this action are recorded
			if ex.rec == nil {
				ex.rec = &recorder{limit: ex.recordLimit}
			}
			parent = ex.rec.withAction(parent, r.ar.Name)
		}
		r.ctx, r.cancel = context.WithDeadline(parent, r.limit)
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
		rt:     rt,
		act:    a,
		loaded: make(map[string]*goja.Object),
		locked: lock,
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

	v.api = auth0.New(v, &v.in, auth0.Config{Action: a.name, Trigger: a.trig, Cache: a.env.cache})
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

// installGlobals sets up the JavaScript environment of SPEC §3 that this runner provides: the
// Web APIs (runner/web), the Node built-ins and console (runner/node), the timers, and the
// lockdown of harden.go when v is locked.
func (v *vm) installGlobals() error {
	rt := v.rt
	return v.call(func() {
		g := rt.GlobalObject()
		v.in.Capture(rt)
		v.typedArrayFromPrimitives()
		fnv, err := rt.RunProgram(preludeProgram())
		if err != nil {
			panic(err)
		}
		fn, _ := goja.AssertFunction(fnv)
		host.Call(fn, goja.Undefined())

		// URL and URLSearchParams are url.js's; Buffer, crypto and CryptoKey load on first use
		// (node/buffer.js, node/crypto.js), so that runtimes that never touch them stay small.
		var nextTick goja.Callable // process.nextTick as made, before any code could replace it
		v.web = web.New(v, &v.in, web.Config{Client: v.act.env.client, SetTimeout: v.setTimeout, Harden: v.harden,
			NextTick: func(call goja.FunctionCall) goja.Value {
				return host.Call(nextTick, goja.Undefined(), call.Arguments...)
			}})
		g.Set("URL", v.web.Get("URL"))
		g.Set("URLSearchParams", v.web.Get("URLSearchParams"))
		v.node = node.New(v, &v.in, node.Config{Web: v.web, SetTimeout: v.setTimeout, SetInterval: v.setInterval,
			ClearTimeout: v.clearTimer, Harden: v.harden, ProcessEnv: v.act.env.processEnv,
			Dial: egress.DialerOf(v.act.env.client)})
		v.lazyGlobal("Buffer", func() goja.Value { return v.node.Require("buffer").(*goja.Object).Get("Buffer") })
		v.lazyGlobal("crypto", func() goja.Value { return v.node.Require("crypto").(*goja.Object).Get("webcrypto") })
		v.lazyGlobal("CryptoKey", func() goja.Value { return v.node.Require("crypto").(*goja.Object).Get("CryptoKey") })
		v.lazyGlobal("setImmediate", func() goja.Value { return v.node.Require("timers").(*goja.Object).Get("setImmediate") })
		v.lazyGlobal("clearImmediate", func() goja.Value { return v.node.Require("timers").(*goja.Object).Get("clearImmediate") })
		v.lazyGlobal("performance", func() goja.Value { // the action's perf_hooks one (node.Modules.Performance)
			if v.locked {
				return v.node.Performance(node.SharedOwner)
			}
			return v.node.Performance(v.act.unit.object)
		})
		nextTick = host.MustCallable(v.node.Process(), "nextTick")
		// Intl, and the toLocale* methods and localeCompare through it: built on first use.
		intl.Install(rt, intl.Config{Lazy: v.lazyGlobal, Harden: v.harden})
		for _, name := range web.LazyNames { // Event, Blob, FormData, ...: made on first use
			v.lazyGlobal(name, func() goja.Value { return v.web.Get(name) })
		}

		g.Set("console", v.node.NewConsole())
		v.modConsole = v.node.NewConsole()
		v.in.MustFreeze(v.modConsole)

		for _, name := range []string{"setTimeout", "setInterval", "clearTimeout", "clearInterval"} {
			g.Set(name, v.node.Timer(name)) // the functions node:timers exports too
		}
		g.Set("atob", v.web.Get("atob"))
		g.Set("btoa", v.web.Get("btoa"))
		for _, name := range web.Names {
			g.Set(name, v.web.Get(name))
		}
		v.fetch = v.web.Get("fetch")

		g.Set("process", v.node.Process())
		g.Set("global", g)
		if v.locked {
			v.web.Freeze()
			rt.SetGlobalObjectPrototypeImmutable()                                // no Proxy behind globalThis (harden.go)
			v.lockdown(append([]goja.Value{v.modConsole}, v.node.Shared()...)...) // last (harden.go)
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
	orig := host.MustCallable(ta, "from")
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

// newError returns a new Error(msg) of the runtime, for native functions to panic with.
func (v *vm) newError(msg string) *goja.Object { return v.in.NewError(msg) }

// Runtime is host.VM's: the goja runtime.
func (v *vm) Runtime() *goja.Runtime { return v.rt }

// Context is host.VM's: the context of the execution in progress; nil while code loads.
func (v *vm) Context() context.Context {
	if v.run == nil {
		return nil
	}
	return v.run.context()
}

// RegisterCallback is host.VM's: the loop of the execution in progress waits for one more job,
// which enqueue hands it from any goroutine (loop.enqueue), or drops once that execution ended.
func (v *vm) RegisterCallback() func(func() error) {
	l := &v.loop
	epoch := l.epoch
	l.pending++
	ctx := v.run.context()
	return func(fn func() error) { l.enqueue(ctx, epoch, fn) }
}

// truncatedLog is the last line of logs cut at maxLogBytes.
const truncatedLog = "[logs truncated]"

// Log is host.VM's: it appends line to the logs of the action execution in progress, up to
// maxLogBytes; outside an execution it drops it.
func (v *vm) Log(line string) {
	r := v.run
	if r == nil {
		return
	}
	if r.logBytes >= maxLogBytes {
		return
	}
	r.logBytes += len(line)
	if r.logBytes >= maxLogBytes {
		line = truncatedLog
	}
	r.ar.Logs = append(r.ar.Logs, line)
}
