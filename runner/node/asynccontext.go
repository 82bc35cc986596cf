package node

import (
	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// asyncContext is how the engine reads and sets the current stores of one owner's async_hooks
// (async_hooks.js registers it when it loads): Go holds the frames, no other owner's code sees
// them.
type asyncContext struct{ get, set goja.Callable }

// registerAsyncContext(get, set) is async_hooks.js's native.
func (v *Modules) registerAsyncContext(call goja.FunctionCall) goja.Value {
	get, ok1 := goja.AssertFunction(call.Argument(0))
	set, ok2 := goja.AssertFunction(call.Argument(1))
	if !ok1 || !ok2 {
		panic(v.rt.NewTypeError("registerAsyncContext: get and set must be functions"))
	}
	v.asyncCtx = append(v.asyncCtx, asyncContext{get: get, set: set})
	return goja.Undefined()
}

// AsyncContext is the current stores of every async_hooks loaded so far, for a callback that is
// to run later in them (EnterAsyncContext), as Node's timers keep the async context they were
// made in; nil (and no cost) while no code loaded async_hooks.
func (v *Modules) AsyncContext() []goja.Value {
	if len(v.asyncCtx) == 0 {
		return nil
	}
	snap := make([]goja.Value, len(v.asyncCtx))
	for i, c := range v.asyncCtx {
		snap[i] = host.Call(c.get, goja.Undefined())
	}
	return snap
}

// EnterAsyncContext makes snap (from AsyncContext) current and returns what puts back the stores
// before it; nil for a nil snap.
func (v *Modules) EnterAsyncContext(snap []goja.Value) (restore func()) {
	if snap == nil {
		return nil
	}
	prev := v.AsyncContext()
	for i, f := range snap {
		host.Call(v.asyncCtx[i].set, goja.Undefined(), f)
	}
	return func() {
		for i, f := range prev {
			host.Call(v.asyncCtx[i].set, goja.Undefined(), f)
		}
	}
}
