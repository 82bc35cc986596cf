package runner

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// maxTimers bounds the timers one execution may have pending at once.
const maxTimers = 10000

// jobQueueLen is the buffer of a runtime's job channel; senders block beyond it until the loop
// receives or their execution ends.
const jobQueueLen = 16

// errNeverSettles ends an execution whose handler returned a promise that nothing can settle.
var errNeverSettles = errors.New("the handler's promise never settled: no timer or request was left to settle it")

// loop is a runtime's event loop. It runs on the goroutine executing the action (k6 style): the
// handler is called, then the loop waits until the returned promise settles, running due timers
// and the callbacks that fetch goroutines enqueue. Promises are resolved only on the loop. Every
// field but jobs belongs to the goroutine running the vm.
type loop struct {
	jobs    chan job // from other goroutines; any goroutine may send
	epoch   uint64   // current execution; jobs of earlier ones are dropped
	pending int      // jobs of this epoch still to come

	timers map[int64]*jsTimer
	nextID int64
	wake   *time.Timer // reused between waits

	rejected map[*goja.Promise]struct{} // rejected without a handler, not yet handled
}

// job is a callback onto the loop; fn runs on the loop goroutine and may touch the runtime.
type job struct {
	epoch uint64
	fn    func() error
}

type jsTimer struct {
	id       int64
	when     time.Time
	interval time.Duration // 0 for setTimeout
	delay    time.Duration
	fn       goja.Callable
	args     []goja.Value
	ctx      []goja.Value // the async_hooks stores it was made in (node.Modules.AsyncContext)
	this     goja.Value   // the Timeout object, `this` in the callback as in Node
}

func (l *loop) init() {
	l.jobs = make(chan job, jobQueueLen)
	l.timers = make(map[int64]*jsTimer)
	l.rejected = make(map[*goja.Promise]struct{})
}

// reset starts a new epoch: pending timers, awaited jobs and tracked rejections of the previous
// execution are dropped.
func (l *loop) reset() {
	l.epoch++
	l.pending = 0
	clear(l.timers)
	clear(l.rejected)
}

// track is the runtime's promise rejection tracker.
func (l *loop) track(p *goja.Promise, op goja.PromiseRejectionOperation) {
	if op == goja.PromiseRejectionReject {
		l.rejected[p] = struct{}{}
	} else {
		delete(l.rejected, p)
	}
}

// unhandled returns a rejection nobody handled, other than the handler's own promise.
func (l *loop) unhandled(own *goja.Promise) (goja.Value, bool) {
	for p := range l.rejected {
		if p != own {
			return p.Result(), true
		}
	}
	return nil, false
}

// enqueue hands fn to the loop of the execution in epoch; it gives up when ctx (the execution's)
// ends. Safe from any goroutine.
func (l *loop) enqueue(ctx context.Context, epoch uint64, fn func() error) {
	select {
	case l.jobs <- job{epoch: epoch, fn: fn}:
	case <-ctx.Done():
	}
}

// unhandledRejection is a rejection nobody handled; it ends the execution as Node does.
type unhandledRejection struct {
	reason goja.Value
}

func (e *unhandledRejection) Error() string { return "unhandled promise rejection" }

// await runs the loop until p settles, the action's time ends, or nothing is left that could
// settle p.
func (v *vm) await(p *goja.Promise) error {
	l := &v.loop
	for {
		if r, ok := l.unhandled(p); ok {
			return &unhandledRejection{reason: r}
		}
		if p == nil || p.State() != goja.PromiseStatePending {
			return nil
		}
		if err := v.runDueTimers(); err != nil {
			return err
		}
		if r, ok := l.unhandled(p); ok {
			return &unhandledRejection{reason: r}
		}
		if p.State() != goja.PromiseStatePending {
			return nil
		}
		next, hasTimer := l.nextTimer()
		if !hasTimer && l.pending == 0 {
			return errNeverSettles
		}
		var wake <-chan time.Time
		if hasTimer {
			d := time.Until(next)
			if l.wake == nil {
				l.wake = time.NewTimer(d)
			} else {
				l.wake.Reset(d)
			}
			wake = l.wake.C
		}
		ctx := v.run.context()
		v.inJS.Store(false)
		select {
		case j := <-l.jobs:
			v.inJS.Store(true)
			if j.epoch != l.epoch {
				continue
			}
			l.pending--
			if err := j.fn(); err != nil {
				return err
			}
		case <-wake:
			v.inJS.Store(true)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *loop) nextTimer() (time.Time, bool) {
	var next time.Time
	found := false
	for _, t := range l.timers {
		if !found || t.when.Before(next) {
			next, found = t.when, true
		}
	}
	return next, found
}

// runDueTimers calls every timer due now, earliest first.
func (v *vm) runDueTimers() error {
	l := &v.loop
	for {
		now := time.Now()
		var due *jsTimer
		for _, t := range l.timers {
			if !t.when.After(now) && (due == nil || t.when.Before(due.when) || t.when.Equal(due.when) && t.id < due.id) {
				due = t
			}
		}
		if due == nil {
			return nil
		}
		if due.interval > 0 {
			due.when = now.Add(due.interval)
		} else {
			delete(l.timers, due.id)
		}
		var err error
		if due.ctx == nil {
			_, err = due.fn(due.this, due.args...)
		} else {
			err = v.inAsyncContext(due)
		}
		if err != nil {
			return err
		}
	}
}

// inAsyncContext calls t's callback in the async_hooks stores t was made in, and puts back the
// ones before it before the promise jobs the callback queued run, so that those see the stores
// of their own making. Jobs run when the outermost JavaScript call returns, so the entering and
// the putting back are done by a JavaScript function (asyncCallSource) around the callback.
func (v *vm) inAsyncContext(t *jsTimer) error {
	if v.asyncCall == nil {
		fnv, err := v.rt.RunProgram(asyncCallProgram())
		if err != nil {
			return err
		}
		v.asyncCall, _ = goja.AssertFunction(fnv)
	}
	enter := v.rt.ToValue(func(goja.FunctionCall) goja.Value {
		restore := v.node.EnterAsyncContext(t.ctx)
		return v.rt.ToValue(func(goja.FunctionCall) goja.Value { restore(); return goja.Undefined() })
	})
	this := t.this
	if this == nil {
		this = goja.Undefined()
	}
	call := v.rt.ToValue(func(goja.FunctionCall) goja.Value {
		res, err := t.fn(this, t.args...)
		if err != nil {
			panic(err)
		}
		return res
	})
	_, err := v.asyncCall(goja.Undefined(), enter, call)
	return err
}

const asyncCallSource = `(function (enter, call) {
  const restore = enter();
  try { return call(); } finally { restore(); }
})`

var asyncCallProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("<actionsd async context>", asyncCallSource, true)
})

func (v *vm) addTimer(call goja.FunctionCall, repeat bool) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(v.node.ArgTypeError("callback", "function", call.Argument(0)))
	}
	if len(v.loop.timers) >= maxTimers {
		panic(v.newError("too many pending timers"))
	}
	ms := call.Argument(1).ToFloat()
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	ms = min(ms, float64(math.MaxInt32))
	d := time.Duration(ms * float64(time.Millisecond))
	v.loop.nextID++
	t := &jsTimer{id: v.loop.nextID, when: time.Now().Add(d), fn: fn, delay: d, ctx: v.node.AsyncContext()}
	if repeat {
		t.interval = d
	}
	if len(call.Arguments) > 2 {
		t.args = append([]goja.Value(nil), call.Arguments[2:]...)
	}
	v.loop.timers[t.id] = t
	t.this = v.timeoutObject(t.id)
	return t.this
}

// timeoutObject is what setTimeout and setInterval return: like Node's Timeout, an object with
// ref/unref/hasRef/refresh/close that converts to its numeric id.
func (v *vm) timeoutObject(id int64) goja.Value {
	rt := v.rt
	if v.timerProto == nil {
		p := rt.NewObject()
		self := func(call goja.FunctionCall) goja.Value { return call.This }
		p.Set("ref", self)
		p.Set("unref", self)
		p.Set("hasRef", func(goja.FunctionCall) goja.Value { return rt.ToValue(true) })
		p.Set("refresh", func(call goja.FunctionCall) goja.Value {
			if t := v.loop.timers[timerID(call.This)]; t != nil {
				d := t.interval
				if d == 0 {
					d = t.delay
				}
				t.when = time.Now().Add(d)
			}
			return call.This
		})
		p.Set("close", func(call goja.FunctionCall) goja.Value {
			delete(v.loop.timers, timerID(call.This))
			return call.This
		})
		_ = p.SetSymbol(goja.SymToPrimitive, func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(timerID(call.This))
		})
		ctor := rt.ToValue(func(goja.FunctionCall) goja.Value { panic(rt.NewTypeError("Illegal constructor")) }).(*goja.Object)
		_ = ctor.DefineDataProperty("name", rt.ToValue("Timeout"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = ctor.DefineDataProperty("prototype", p, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		// p.constructor is Timeout, as in Node.
		_ = p.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		v.timerProto = v.harden(p).(*goja.Object) // shared by every owner of the runtime
	}
	o := rt.NewObject()
	_ = o.SetPrototype(v.timerProto)
	_ = o.DefineDataProperty("_id", rt.ToValue(id), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return o
}

// timerID reads the id of a Timeout object or a plain number.
func timerID(val goja.Value) int64 {
	if o, ok := val.(*goja.Object); ok {
		if id := o.Get("_id"); id != nil {
			return id.ToInteger()
		}
		return 0
	}
	return val.ToInteger()
}

func (v *vm) setTimeout(call goja.FunctionCall) goja.Value  { return v.addTimer(call, false) }
func (v *vm) setInterval(call goja.FunctionCall) goja.Value { return v.addTimer(call, true) }

func (v *vm) clearTimer(call goja.FunctionCall) goja.Value {
	if id := call.Argument(0); !goja.IsUndefined(id) && !goja.IsNull(id) {
		delete(v.loop.timers, timerID(id))
	}
	return goja.Undefined()
}
