package runner

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Memory limits. goja has no heap of its own to bound: its objects live in the Go heap, shared by
// every runtime and the daemon. So the runner watches the Go heap while an action runs:
//
//   - every memCheckEvery, an execution still running compares the heap with the live heap of the
//     collection before it (read when it has run memCheckEvery); past MemoryLimit of growth, a
//     garbage collection (at most one per
//     memForcedGCEvery for the whole process) tells garbage from live data;
//   - if the live heap is still past the limit, the execution that is running JavaScript (not
//     waiting for a timer or a request) and started first is interrupted; its runtime is dropped,
//     so what it allocated becomes garbage.
//
// The attribution is a heuristic: two actions allocating at once cannot be told apart, and the
// oldest one pays. Executions shorter than memCheckEvery are never checked (they cannot allocate
// hundreds of MiB that fast), which keeps the watchdog off the fast path.
//
// Strings are the other way to exhaust memory in one step: a Go built-in such as
// String.prototype.repeat builds its result without returning to the interpreter, so neither an
// interruption nor the watchdog can stop it. repeat, padStart and padEnd therefore refuse results
// longer than maxStringLength with V8's RangeError("Invalid string length"). Other ways of
// building long strings (concatenation in a loop, Array.prototype.join) grow step by step and are
// caught by the watchdog or the time-out.
const (
	// DefaultMemoryLimit is Options.MemoryLimit's default: the heap growth one execution may cause.
	DefaultMemoryLimit = 256 << 20
	memCheckEvery      = 10 * time.Millisecond
	memForcedGCEvery   = 100 * time.Millisecond
	// maxStringLength bounds what repeat, padStart and padEnd build, in UTF-16 code units.
	maxStringLength = 1 << 25
)

var errMemoryLimit = errors.New("memory limit exceeded")

// alarm interrupts a runtime's execution in progress: at its time limit, when its request's
// context ends (checked every memCheckEvery), or when the heap grew past the memory limit (see
// above). It belongs to one vm; its timer is made once and re-armed per execution, so an
// execution costs it no allocation.
type alarm struct {
	mu     sync.Mutex // guards all below
	v      *vm
	t      *time.Timer
	armed  bool
	parent context.Context
	limit  time.Time
	start  atomic.Int64 // unix ns; read by other alarms' rings
	base   uint64       // live heap at start, once the execution ran memCheckEvery
	fired  error        // errTimedOut or errMemoryLimit once it interrupted
}

// arm starts the watch of an execution starting now (the caller's clock reading).
func (al *alarm) arm(v *vm, ctx context.Context, now, limit time.Time) {
	al.mu.Lock()
	defer al.mu.Unlock()
	al.v = v
	al.armed, al.parent, al.limit, al.fired, al.base = true, ctx, limit, nil, 0
	al.start.Store(now.UnixNano())
	d := min(limit.Sub(now), memCheckEvery)
	if al.t == nil {
		al.t = time.AfterFunc(d, al.ring)
		return
	}
	al.t.Reset(d)
}

// disarm ends the watch of the execution in progress and says whether (why) it interrupted it.
func (al *alarm) disarm() error {
	al.mu.Lock()
	defer al.mu.Unlock()
	al.armed = false
	al.parent = nil
	al.t.Stop()
	if al.base != 0 {
		suspects.remove(al)
	}
	return al.fired
}

func (al *alarm) ring() {
	al.mu.Lock()
	defer al.mu.Unlock()
	if !al.armed {
		return
	}
	now := time.Now()
	if al.parent.Err() != nil || !now.Before(al.limit) {
		al.interrupt(errTimedOut)
		return
	}
	if limit := al.v.act.env.memLimit; limit > 0 {
		if al.base == 0 {
			// The execution has run memCheckEvery: from now on it is watched. Its baseline is the
			// live heap of the last collection before it, at most what it was when it started.
			al.base = max(1, heapLive())
			suspects.add(al)
		}
		if heapObjects() > al.base+uint64(limit) {
			if live, ok := confirmedLive(); ok && live > al.base+uint64(limit) && al.v.inJS.Load() && suspects.oldestInJS() == al {
				al.interrupt(errMemoryLimit)
				return
			}
		}
	}
	al.t.Reset(min(al.limit.Sub(now), memCheckEvery))
}

func (al *alarm) interrupt(why error) {
	al.fired = why
	al.armed = false
	al.v.rt.Interrupt(why)
}

// suspects are the executions that ran longer than memCheckEvery.
var suspects = suspectSet{m: make(map[*alarm]struct{})}

type suspectSet struct {
	mu sync.Mutex // guards m
	m  map[*alarm]struct{}
}

func (s *suspectSet) add(al *alarm) {
	s.mu.Lock()
	s.m[al] = struct{}{}
	s.mu.Unlock()
}

func (s *suspectSet) remove(al *alarm) {
	s.mu.Lock()
	delete(s.m, al)
	s.mu.Unlock()
}

// oldestInJS returns the suspect running JavaScript that started first.
func (s *suspectSet) oldestInJS() *alarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest *alarm
	var oldestStart int64
	for al := range s.m {
		if !al.v.inJS.Load() {
			continue
		}
		if start := al.start.Load(); oldest == nil || start < oldestStart {
			oldest, oldestStart = al, start
		}
	}
	return oldest
}

var lastForcedGC atomic.Int64

// confirmedLive returns the live heap after a garbage collection; ok is false when another check
// forced one too recently (the caller checks again later).
func confirmedLive() (uint64, bool) {
	now := time.Now().UnixNano()
	last := lastForcedGC.Load()
	if now-last < int64(memForcedGCEvery) || !lastForcedGC.CompareAndSwap(last, now) {
		return 0, false
	}
	runtime.GC()
	return heapLive(), true
}

var heapSamples = sync.Pool{New: func() any {
	s := make([]metrics.Sample, 1)
	return &s
}}

func readMetric(name string) uint64 {
	sp := heapSamples.Get().(*[]metrics.Sample)
	s := *sp
	s[0].Name = name
	metrics.Read(s)
	var v uint64
	if s[0].Value.Kind() == metrics.KindUint64 {
		v = s[0].Value.Uint64()
	}
	heapSamples.Put(sp)
	return v
}

// heapLive is the heap marked live by the last garbage collection.
func heapLive() uint64 { return readMetric("/gc/heap/live:bytes") }

// heapObjects is the heap occupied by objects now, live or not yet collected.
func heapObjects() uint64 { return readMetric("/memory/classes/heap/objects:bytes") }

// guardStringBuilders replaces String.prototype.repeat, padStart and padEnd with versions that
// refuse results longer than maxStringLength before building them.
func (v *vm) guardStringBuilders() {
	rt := v.rt
	proto := rt.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	tooLong := func() { panic(v.newRangeError("Invalid string length")) }
	wrap := func(name string, size func(call goja.FunctionCall) float64) {
		orig := mustCallable(proto, name)
		fn := rt.ToValue(func(call goja.FunctionCall) goja.Value {
			if size(call) > maxStringLength {
				tooLong()
			}
			r, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return r
		}).(*goja.Object)
		_ = fn.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = fn.DefineDataProperty("length", rt.ToValue(1), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = proto.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	thisLen := func(call goja.FunctionCall) float64 {
		if goja.IsUndefined(call.This) || goja.IsNull(call.This) {
			return 0 // the original throws its TypeError
		}
		return float64(utf16Len(call.This.String()))
	}
	wrap("repeat", func(call goja.FunctionCall) float64 {
		return thisLen(call) * call.Argument(0).ToFloat()
	})
	pad := func(call goja.FunctionCall) float64 { return call.Argument(0).ToFloat() }
	wrap("padStart", pad)
	wrap("padEnd", pad)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (v *vm) newRangeError(msg string) *goja.Object {
	ctor := v.rt.Get("RangeError")
	o, err := v.rt.New(ctor, v.rt.ToValue(msg))
	if err != nil {
		return v.newError(msg)
	}
	return o
}
