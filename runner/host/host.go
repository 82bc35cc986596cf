// Package host is what a built-in module of the runner sees of the runtime that loads it, as a k6
// module sees its VU: the goja runtime, the context of the execution in progress, a way to settle
// work of other goroutines on the runtime's event loop, and the action's logs (VM); the runtime's
// built-ins as they were before any user code ran (Intrinsics); and the few helpers every module
// needs to read JavaScript values.
//
// The engine (package runner) implements VM for the runtimes it serves; package hosttest
// implements it for testing one module alone. Modules (runner/node, runner/web, runner/auth0)
// import this package, never the engine. It holds no state.
package host

import (
	"context"
	"fmt"
	"reflect"

	"github.com/dop251/goja"
)

// VM is a runtime as a module sees it. Every method but the enqueue function RegisterCallback
// returns belongs to the goroutine running the runtime's JavaScript.
type VM interface {
	// Runtime is the goja runtime.
	Runtime() *goja.Runtime
	// Context is the context of the execution in progress, which ends at the action's time limit
	// or with its request; nil while code loads, outside any execution.
	Context() context.Context
	// RegisterCallback tells the loop of the execution in progress to wait for one more callback,
	// and returns enqueue, which hands it over: call it exactly once, from any goroutine. The
	// callback runs on the loop and may touch the runtime; an error it returns ends the execution.
	// Call RegisterCallback only during an execution (Context is not nil); a callback enqueued
	// after its execution ended is dropped, and enqueue then returns at once.
	RegisterCallback() (enqueue func(func() error))
	// Log appends a line to the logs of the execution in progress; outside one it is dropped.
	Log(line string)
}

// Intrinsics are a runtime's built-ins as Capture found them, before any user code ran. Natives
// use these, never what the globals hold later: user code may replace JSON.stringify or Error.
type Intrinsics struct {
	rt            *goja.Runtime
	JSONParse     goja.Callable
	JSONStringify goja.Callable
	Freeze        goja.Callable
	ArrayFrom     goja.Callable
	Error         goja.Value // the Error constructor
}

// Capture reads rt's intrinsics into in. Call it before any user code runs on rt.
func (in *Intrinsics) Capture(rt *goja.Runtime) {
	g := rt.GlobalObject()
	jsonObj := g.Get("JSON").(*goja.Object)
	in.rt = rt
	in.JSONParse = MustCallable(jsonObj, "parse")
	in.JSONStringify = MustCallable(jsonObj, "stringify")
	in.Freeze = MustCallable(g.Get("Object").(*goja.Object), "freeze")
	in.ArrayFrom = MustCallable(g.Get("Array").(*goja.Object), "from")
	in.Error = g.Get("Error")
}

// NewError returns a new Error(msg) of the runtime, for native functions to panic with.
func (in *Intrinsics) NewError(msg string) *goja.Object {
	o, err := in.rt.New(in.Error, in.rt.ToValue(msg))
	if err != nil {
		return in.rt.NewTypeError(msg)
	}
	return o
}

// NewRangeError returns a new RangeError(msg), made by the runtime's RangeError global.
func (in *Intrinsics) NewRangeError(msg string) *goja.Object {
	ctor := in.rt.Get("RangeError")
	o, err := in.rt.New(ctor, in.rt.ToValue(msg))
	if err != nil {
		return in.NewError(msg)
	}
	return o
}

// MustFreeze freezes o, panicking with what Object.freeze threw.
func (in *Intrinsics) MustFreeze(o *goja.Object) {
	if _, err := in.Freeze(goja.Undefined(), o); err != nil {
		panic(err)
	}
}

// MustCallable returns obj[name], which must be a function.
func MustCallable(obj *goja.Object, name string) goja.Callable {
	f, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		panic(fmt.Sprintf("runner: intrinsic %s is not a function", name))
	}
	return f
}

// String returns val's text when val is a string primitive.
func String(val goja.Value) (string, bool) {
	if val == nil {
		return "", false
	}
	switch val.(type) {
	case *goja.Object, *goja.Symbol:
		return "", false
	}
	if t := val.ExportType(); t != nil && t.Kind() == reflect.String {
		return val.String(), true
	}
	return "", false
}

// Bytes returns the bytes of a Uint8Array (shared, not copied) or an ArrayBuffer.
func Bytes(val goja.Value) ([]byte, bool) {
	if val == nil {
		return nil, false
	}
	switch x := val.Export().(type) {
	case []byte:
		return x, true
	case goja.ArrayBuffer:
		return x.Bytes(), true
	}
	return nil, false
}

// ErrorText is the message of a JavaScript exception (without its stack), or err's text.
func ErrorText(err error) string {
	if ex, ok := err.(*goja.Exception); ok && ex.Value() != nil {
		return ex.Value().String()
	}
	return err.Error()
}

// Call runs fn(this, args...) and panics with what it threw, as a native function must so that
// the exception reaches the JavaScript caller.
func Call(fn goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := fn(this, args...)
	if err != nil {
		panic(err)
	}
	return v
}
