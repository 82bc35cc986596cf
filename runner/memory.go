package runner

import (
	"context"
	"errors"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Execution limits. goja has no heap of its own to bound: its objects live in the Go heap, shared
// by every runtime and the daemon. Our fork of goja (third_party/goja, PATCHES.md) gives the hooks;
// the policy is here. An execution is bounded three ways:
//
//   - time: the alarm interrupts the runtime at the action's limit (or when its request ends), and
//     every long-running built-in of the fork (join, sort, fill, JSON, replace, split, typed array
//     and iterator loops, …) stops at the interruption as the interpreter does. A regular
//     expression on the backtracking engine cannot see an interruption: it stops at the same limit
//     (the runtime's regexp deadline), within the engine's clock period (100 ms) or two. Built-ins
//     that recurse over nested data (JSON, join, flat) count each level against the call stack
//     size (maxCallStack) and throw V8's RangeError past it.
//   - single allocations: before the fork allocates memory whose size user code controls (an
//     ArrayBuffer or typed array, a string from a concatenation, repeat, pad, join or JSON, an
//     array's elements, an argument list, a list of keys, the compilation of dynamic code) of at
//     least allocCheckMin bytes, it asks allowAlloc, which refuses what would take the heap past
//     the execution's baseline + MemoryLimit. A refused allocation throws a RangeError (V8's
//     "Array buffer allocation failed", "Invalid string length", "Invalid array length", or
//     "Source too large to compile") and allocates nothing; an execution found past its limit
//     already is stopped as the watchdog stops it. Strings are also capped at V8's maximum length
//     (2^29-24 code units).
//   - cumulative growth, by the heap watchdog: every memCheckEvery, an execution still running
//     compares the heap with the live heap of the collection before it (read when it has run
//     memCheckEvery); past MemoryLimit of growth, a garbage collection (at most one per
//     memForcedGCEvery for the whole engine, shared with allowAlloc) tells garbage from live data
//     and returns free memory to the OS; if the live heap is still past the limit, the execution
//     that is running JavaScript (not waiting for a timer or a request) and started first is
//     interrupted; its runtime is dropped, so what it allocated becomes garbage.
//
// The attribution is a heuristic: two actions allocating at once cannot be told apart, and the
// oldest one pays (allowAlloc, too, sees the heap's growth as a whole). Executions shorter than
// memCheckEvery are never checked by the watchdog (they cannot allocate hundreds of MiB that
// fast), which keeps it off the fast path; allowAlloc is never asked below allocCheckMin, and
// reads the heap only now and then above it (memBudget). A negative MemoryLimit turns both off.
const (
	// DefaultMemoryLimit is Options.MemoryLimit's default: the heap growth one execution may cause.
	DefaultMemoryLimit = 256 << 20
	memCheckEvery      = 10 * time.Millisecond
	memForcedGCEvery   = 100 * time.Millisecond
	// allocCheckMin is the smallest allocation shown to allowAlloc.
	allocCheckMin = 64 << 10
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
	v.rt.SetRegExpDeadline(limit)
	v.mem = memBudget{}
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
	al.v.rt.SetRegExpDeadline(time.Time{})
	if al.base != 0 {
		al.mem().remove(al)
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
			al.mem().add(al)
		}
		if heapObjects() > al.base+uint64(limit) {
			if live, ok := al.mem().confirmedLive(); ok && live > al.base+uint64(limit) && al.v.inJS.Load() && al.mem().oldestInJS() == al {
				al.interrupt(errMemoryLimit)
				return
			}
		}
	}
	al.t.Reset(min(al.limit.Sub(now), memCheckEvery))
}

// overLimit interrupts the execution in progress, if any, for its memory limit.
func (al *alarm) overLimit() {
	al.mu.Lock()
	defer al.mu.Unlock()
	if al.armed {
		al.interrupt(errMemoryLimit)
	}
}

func (al *alarm) interrupt(why error) {
	al.fired = why
	al.armed = false
	al.v.rt.Interrupt(why)
}

// memWatch is the watchdog's view of the executions of one engine: the suspects, executions that
// ran longer than memCheckEvery, and when it last forced a collection.
type memWatch struct {
	mu           sync.Mutex // guards suspects
	suspects     map[*alarm]struct{}
	lastForcedGC atomic.Int64 // unix ns
}

// mem is the watch of al's engine.
func (al *alarm) mem() *memWatch { return &al.v.act.env.engine.mem }

func (s *memWatch) add(al *alarm) {
	s.mu.Lock()
	s.suspects[al] = struct{}{}
	s.mu.Unlock()
}

func (s *memWatch) remove(al *alarm) {
	s.mu.Lock()
	delete(s.suspects, al)
	s.mu.Unlock()
}

// oldestInJS returns the suspect running JavaScript that started first.
func (s *memWatch) oldestInJS() *alarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest *alarm
	var oldestStart int64
	for al := range s.suspects {
		if !al.v.inJS.Load() {
			continue
		}
		if start := al.start.Load(); oldest == nil || start < oldestStart {
			oldest, oldestStart = al, start
		}
	}
	return oldest
}

// confirmedLive returns the live heap after a garbage collection; ok is false when another check
// of the engine forced one too recently (the caller checks again later). The collection also returns the free
// memory to the OS: an execution near its limit has just freed what it no longer uses, and the
// memory limit bounds the process's resident set, not only its live heap.
func (s *memWatch) confirmedLive() (uint64, bool) {
	now := time.Now().UnixNano()
	last := s.lastForcedGC.Load()
	if now-last < int64(memForcedGCEvery) || !s.lastForcedGC.CompareAndSwap(last, now) {
		return 0, false
	}
	debug.FreeOSMemory()
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

// limitRuntime installs the fork's allocation check on v's runtime. The runtime's regular
// expression deadline is set per execution (alarm.arm) and while loading (newRuntime).
func (v *vm) limitRuntime() {
	v.rt.SetAllocationCheck(allocCheckMin, v.allowAlloc)
}

// memBudget is what allowAlloc knows of the execution in progress (or of the load); only the
// runtime's goroutine touches it.
type memBudget struct {
	base  uint64 // live heap before the execution, once read
	shown int64  // bytes shown to allowAlloc since the start
	next  int64  // shown may grow to this before the heap is read again
}

// allowAlloc says whether the runtime may allocate size bytes: not if it would take the heap past
// the execution's baseline + MemoryLimit. It reads the heap only when what it allowed since the
// last reading may have used up half of the room that reading left.
func (v *vm) allowAlloc(size int64) bool {
	limit := v.act.env.memLimit
	if limit <= 0 {
		return true
	}
	if size > limit {
		return false
	}
	b := &v.mem
	b.shown += size
	if b.shown < b.next {
		return true
	}
	if b.base == 0 {
		// As the watchdog's: the live heap of the last collection, at most what it was at the start.
		b.base = max(1, heapLive())
	}
	budget := b.base + uint64(limit)
	used := heapObjects() // live or garbage
	if used+uint64(size) > budget {
		live, ok := v.act.env.engine.mem.confirmedLive()
		if !ok { // a collection ran less than memForcedGCEvery ago
			live = heapLive()
		}
		if live > budget {
			// Past the limit already: stopped as the watchdog would stop it (this check may have
			// taken the collection the watchdog waits for).
			v.alarm.overLimit()
			return false
		}
		if live+uint64(size) > budget {
			return false
		}
		used = live
	}
	b.next = b.shown + int64(budget-used-uint64(size))/2
	return true
}
