package runner

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/actionsd/actionsd/runner/auth0"
	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/dop251/goja"
	"go.uber.org/zap"
)

// errTimedOut is the value a runtime is interrupted with when its action's time ends.
var errTimedOut = errors.New("execution interrupted")

// run runs a's handler for ex and fills ar. The action gets min(its timeout, what is left of the
// execution's budget); a runtime that was interrupted or failed internally is dropped.
//
// members are the spans of the event's members, or nil (see Generation.execute).
func (a *action) run(ctx context.Context, ex *execution, members []wire.MemberSpan, ar *ActionResult, deadline time.Time, handler string) {
	start := time.Now()
	var end time.Time // when the handler's run ended; the clock is read once for the checks and the duration
	defer func() {
		if end.IsZero() {
			end = time.Now()
		}
		ar.DurationMS = float64(end.Sub(start).Nanoseconds()) / 1e6
	}()

	if !start.Before(deadline) {
		ar.Error = &Error{Message: fmt.Sprintf("action %s did not start: the execution's time budget is spent", a.name)}
		return
	}
	limit, own := deadline, false
	if a.timeout > 0 {
		if t := start.Add(a.timeout); t.Before(deadline) {
			limit, own = t, true
		}
	}

	v, pooled, err := a.get(ctx, limit)
	if err != nil {
		ar.Error = a.timeoutError(ctx, limit, own)
		if ar.Error == nil {
			ar.Error = asError(err)
		}
		return
	}
	now := start // a runtime from the pool comes at once; loading a new one takes time
	if !pooled {
		now = time.Now()
	}
	jsErr, fired := v.execute(ctx, now, limit, ex, members, ar, handler)
	end = time.Now()
	switch {
	case fired == errMemoryLimit:
		v.broken = true
		jsErr = &Error{Message: fmt.Sprintf("action %s exceeded its memory limit of %d MiB and was stopped", a.name, a.env.memLimit>>20)}
	case fired != nil || ctx.Err() != nil || !end.Before(limit):
		if fired != nil {
			v.broken = true
		}
		if jsErr != nil || fired != nil {
			if te := a.timeoutError(ctx, limit, own); te != nil {
				v.broken = true
				jsErr = te
			}
		}
	}
	ar.Error = jsErr
	a.put(v)
	if ce := a.env.log.Check(zap.DebugLevel, "action ran"); ce != nil {
		ce.Write(zap.String("execution_id", ex.res.ExecutionID), zap.String("action", a.name),
			zap.String("version", a.version), zap.Bool("failed", jsErr != nil), zap.Duration("duration", time.Since(start)))
	}
}

// timeoutError explains why the action's time ended (the request's context, its own timeout or
// the execution's budget), or returns nil if it has not.
func (a *action) timeoutError(ctx context.Context, limit time.Time, own bool) *Error {
	switch {
	case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &Error{Message: fmt.Sprintf("action %s was canceled: the request ended", a.name)}
	case ctx.Err() == nil && time.Now().Before(limit):
		return nil
	case own:
		return &Error{Message: fmt.Sprintf("action %s exceeded its %s timeout", a.name, a.timeout)}
	default:
		return &Error{Message: fmt.Sprintf("action %s exceeded the execution's time budget", a.name)}
	}
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Message: err.Error()}
}

// execute calls the handler (the trigger's, or its continue handler) with a fresh event and the
// api, and runs the loop until its promise settles. It returns the action's JavaScript failure,
// if any.
//
// now is the current time, as the caller just read it. The runtime's alarm (memory.go) interrupts
// it at limit, when ctx ends, or past its memory limit; fired says which, nil when it did not fire.
func (v *vm) execute(ctx context.Context, now, limit time.Time, ex *execution, members []wire.MemberSpan, ar *ActionResult, handler string) (jsErr *Error, fired error) {
	v.loop.reset()
	v.cur = actionRun{parent: ctx, limit: limit, ex: ex, ar: ar}
	v.run = &v.cur
	v.alarm.arm(v, ctx, now, limit)
	defer func() {
		if x := recover(); x != nil {
			v.broken = true
			v.act.env.log.Error("internal error in runtime", zap.String("action", v.act.name), zap.Any("panic", x),
				zap.ByteString("stack", debug.Stack()))
			jsErr = &Error{Message: fmt.Sprintf("internal error in action %s", v.act.name)}
		}
		v.inJS.Store(false)
		if fired = v.alarm.disarm(); fired != nil { // this runtime may still carry the interrupt
			v.broken = true
		}
		if v.cur.cancel != nil {
			v.cur.cancel()
		}
		v.api.End()
		v.run = nil
		v.cur = actionRun{}
		v.loop.reset()
	}()

	fn, ok := v.callable(handler)
	if !ok {
		return &Error{Message: fmt.Sprintf("actions/%s does not export %s", v.act.name, handler)}, nil
	}
	// Each action reads the request itself, so it gets its own deep copy of the event.
	// (It is not carved out of the Result: it refers to the runtime, which the Result must not
	// keep alive.)
	evObj, err := wire.NewEvent(v.rt, ex.event, members, v.secretsObject())
	if err != nil {
		return &Error{Message: "cannot read the event: " + err.Error()}, nil
	}
	if ts := ex.res.Effects.TargetScopes; ts != nil {
		auth0.SetTargetScopes(v.rt, evObj, *ts)
	}
	resume := ""
	if ex.flow != nil {
		resume = ex.flow.resume
	}
	v.api.Begin(auth0.Run{Result: ex.res, Event: evObj, Request: ex.event, Resume: resume})
	v.inJS.Store(true)
	// goja copies the arguments onto its stack: the array is reused by every execution.
	v.callArgs[0], v.callArgs[1] = evObj, v.api.Object()
	ret, err := fn(goja.Undefined(), v.callArgs[:]...)
	v.callArgs[0], v.callArgs[1] = nil, nil
	if err != nil {
		return v.failure(err), nil
	}
	var p *goja.Promise
	if o, ok := ret.(*goja.Object); ok && o.ExportType() == typePromise {
		p, _ = o.Export().(*goja.Promise)
	}
	if err := v.await(p); err != nil {
		return v.failure(err), nil
	}
	if p != nil && p.State() == goja.PromiseStateRejected {
		return v.valueError(p.Result(), nil), nil
	}
	return nil, nil
}

var typePromise = reflect.TypeOf((*goja.Promise)(nil))

// failure turns what stopped the handler into the action's error.
func (v *vm) failure(err error) *Error {
	var ie *goja.InterruptedError
	var ur *unhandledRejection
	switch {
	case errors.As(err, &ie), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		v.broken = true
		return &Error{Message: "interrupted"} // replaced by the time-out message in action.run
	case errors.As(err, &ur):
		e := v.valueError(ur.reason, nil)
		e.Message = "unhandled promise rejection: " + e.Message
		return e
	case errors.Is(err, errNeverSettles):
		return &Error{Message: err.Error()}
	}
	return v.jsError(err)
}

// jsError converts an error from goja (an exception, a stack overflow, …) into an Error with the
// repository position of where it was thrown.
func (v *vm) jsError(err error) *Error {
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		v.broken = true
		e := &Error{Message: "RangeError: Maximum call stack size exceeded"}
		v.framePosition(e, so.Stack())
		return e
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return v.valueError(ex.Value(), ex.Stack())
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Message: err.Error()}
}

// valueError describes a thrown or rejected value. An Error's position comes from its stack
// (where it was created); a thrown non-Error's from frames (where it was thrown).
func (v *vm) valueError(val goja.Value, frames []goja.StackFrame) *Error {
	e := &Error{Message: v.errorMessage(val)}
	if o, ok := val.(*goja.Object); ok && o.ClassName() == "Error" {
		if st, ok := host.String(o.Get("stack")); ok && v.stackPosition(e, st) {
			return e
		}
	}
	v.framePosition(e, frames)
	return e
}

func (v *vm) errorMessage(val goja.Value) string {
	if o, ok := val.(*goja.Object); ok && o.ClassName() == "Error" {
		name, msg := o.Get("name"), o.Get("message")
		m := ""
		if msg != nil && !goja.IsUndefined(msg) {
			m = msg.String()
		}
		if name == nil || goja.IsUndefined(name) || name.String() == "Error" || name.String() == "" {
			return m
		}
		return name.String() + ": " + m
	}
	if s, ok := host.String(val); ok {
		return s
	}
	return v.node.Inspect(val, 1)
}

// stackPosRE finds "file:line:col" in a goja stack line ("at f (actions/a/index.js:3:11(12))").
var stackPosRE = regexp.MustCompile(`([^\s()]+):(\d+):(\d+)`)

// stackPosition sets e's position from the first frame of stack in one of the action's files.
func (v *vm) stackPosition(e *Error, stack string) bool {
	for _, m := range stackPosRE.FindAllStringSubmatch(stack, -1) {
		head, ok := v.act.heads[m[1]]
		if !ok {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		setPosition(e, m[1], head, line, col)
		return true
	}
	return false
}

func (v *vm) framePosition(e *Error, frames []goja.StackFrame) {
	for i := range frames {
		f := &frames[i]
		head, ok := v.act.heads[f.SrcName()]
		if !ok {
			continue
		}
		p := f.Position()
		setPosition(e, f.SrcName(), head, p.Line, p.Column)
		return
	}
}

func setPosition(e *Error, file, head string, line, col int) {
	if line == 1 {
		col = max(1, col-len(head))
	}
	e.File, e.Line, e.Col = file, line, col
}

// secretsObject is the frozen event.secrets of the action, made once per runtime.
func (v *vm) secretsObject() *goja.Object {
	if v.secrets == nil {
		s := v.rt.NewObject()
		for k, val := range v.act.unit.secrets {
			s.Set(k, val)
		}
		v.in.MustFreeze(s)
		v.secrets = s
	}
	return v.secrets
}
