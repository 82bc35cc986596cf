// Package hosttest gives one built-in module of the runner what the engine gives it, so that the
// module can be tested alone, without building a generation (as k6's modulestest does for its
// modules): a goja runtime with its intrinsics captured, and a host.VM with an execution in
// progress, an event loop that runs the callbacks the module registers, simple timers, and the
// logs the module writes.
//
// It is not the engine: no limits, no lockdown, no require of files or npm packages. A test that
// needs those builds a generation with package runner.
package hosttest

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// VM is a host.VM for one test. Only the test's goroutine may use it, but for the enqueue
// functions RegisterCallback returns.
type VM struct {
	t  testing.TB
	rt *goja.Runtime
	// In are the runtime's intrinsics, captured by New before any code ran.
	In host.Intrinsics
	// Logs are the lines the module logged (host.VM.Log).
	Logs []string

	ctx     context.Context // the execution's; nil while Loading
	jobs    chan func() error
	pending int // callbacks registered and not yet run

	mu     sync.Mutex // guards timers
	timers map[int64]*time.Timer
	nextID int64
}

// New returns a VM whose execution runs until the test ends (or its deadline, if any).
func New(t testing.TB) *VM {
	t.Helper()
	rt := goja.New()
	v := &VM{t: t, rt: rt, ctx: t.Context(), jobs: make(chan func() error, 64), timers: map[int64]*time.Timer{}}
	v.In.Capture(rt)
	t.Cleanup(func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, tm := range v.timers {
			tm.Stop()
		}
	})
	return v
}

// Runtime is host.VM's.
func (v *VM) Runtime() *goja.Runtime { return v.rt }

// Context is host.VM's: the test's context, or nil after Loading(true).
func (v *VM) Context() context.Context { return v.ctx }

// Loading makes the VM look as a runtime does while code loads (Context is nil), or, with false,
// as one running an execution.
func (v *VM) Loading(loading bool) {
	if loading {
		v.ctx = nil
	} else {
		v.ctx = v.t.Context()
	}
}

// RegisterCallback is host.VM's.
func (v *VM) RegisterCallback() func(func() error) {
	v.pending++
	ctx := v.t.Context()
	return func(fn func() error) {
		select {
		case v.jobs <- fn:
		case <-ctx.Done():
		}
	}
}

// Log is host.VM's: it appends to Logs.
func (v *VM) Log(line string) { v.Logs = append(v.Logs, line) }

// SetTimeout is a setTimeout(fn, ms, ...args) for modules that take the runtime's timers: the
// callback runs on the loop (Await) once ms have passed. It returns the timer's id.
func (v *VM) SetTimeout(call goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(v.rt.NewTypeError("the callback of a timer must be a function"))
	}
	ms := call.Argument(1).ToFloat()
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	args := append([]goja.Value(nil), call.Arguments[min(2, len(call.Arguments)):]...)
	enqueue := v.RegisterCallback()
	v.mu.Lock()
	defer v.mu.Unlock()
	v.nextID++
	id := v.nextID
	v.timers[id] = time.AfterFunc(time.Duration(ms*float64(time.Millisecond)), func() {
		enqueue(func() error {
			v.mu.Lock()
			delete(v.timers, id)
			v.mu.Unlock()
			_, err := fn(goja.Undefined(), args...)
			return err
		})
	})
	return v.rt.ToValue(id)
}

// ClearTimeout is the clearTimeout of SetTimeout's timers.
func (v *VM) ClearTimeout(call goja.FunctionCall) goja.Value {
	id := call.Argument(0).ToInteger()
	v.mu.Lock()
	tm := v.timers[id]
	delete(v.timers, id)
	v.mu.Unlock()
	if tm != nil && tm.Stop() {
		v.pending-- // it will never be enqueued
	}
	return goja.Undefined()
}

// Set sets the global name to value (a goja.Value, or what goja's ToValue takes).
func (v *VM) Set(name string, value any) {
	v.t.Helper()
	if err := v.rt.Set(name, value); err != nil {
		v.t.Fatalf("set %s: %v", name, err)
	}
}

// Run runs src as a script and returns its completion value; an exception fails the test.
func (v *VM) Run(src string) goja.Value {
	v.t.Helper()
	val, err := v.rt.RunString(src)
	if err != nil {
		v.t.Fatalf("script failed: %v", err)
	}
	return val
}

// RunErr runs src as a script and returns what it threw (nil when it did not).
func (v *VM) RunErr(src string) error {
	_, err := v.rt.RunString(src)
	return err
}

// Await runs the loop until val, a promise, settles, and returns what it resolved to; a
// rejection, a callback's error, or a promise nothing is left to settle fails the test. A value
// that is not a promise is returned as it is.
func (v *VM) Await(val goja.Value) goja.Value {
	v.t.Helper()
	res, err := v.AwaitErr(val)
	if err != nil {
		v.t.Fatalf("await: %v", err)
	}
	return res
}

// AwaitErr is Await, with a rejection returned as an error whose Reason is what it rejected with.
func (v *VM) AwaitErr(val goja.Value) (goja.Value, error) {
	v.t.Helper()
	o, ok := val.(*goja.Object)
	if !ok {
		return val, nil
	}
	p, ok := o.Export().(*goja.Promise)
	if !ok {
		return val, nil
	}
	for p.State() == goja.PromiseStatePending {
		if v.pending == 0 {
			v.t.Fatalf("await: the promise never settles: no callback is left to settle it")
		}
		select {
		case fn := <-v.jobs:
			v.pending--
			if err := fn(); err != nil {
				return nil, err
			}
		case <-v.t.Context().Done():
			v.t.Fatalf("await: the test ended first")
		}
	}
	if p.State() == goja.PromiseStateRejected {
		return nil, &rejection{reason: p.Result()}
	}
	return p.Result(), nil
}

// rejection is a promise's rejection, as AwaitErr returns it.
type rejection struct{ reason goja.Value }

func (r *rejection) Error() string { return "rejected: " + r.reason.String() }

// Reason returns what err, from AwaitErr, rejected with; nil if err is no rejection.
func Reason(err error) goja.Value {
	if r, ok := err.(*rejection); ok {
		return r.reason
	}
	return nil
}
