package daemon

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	gosync "sync"
)

// DefaultStartHeapMiB is how far the heap may grow before the collector runs while the first
// generation builds (--start-heap-mib, Options.StartHeap). Compiling the dependency bundles of a start allocates
// short-lived parse trees: about 100 MiB for axios, jsonwebtoken, lodash, dayjs, uuid and zod,
// whose collections cost ~15-20 ms of a ~110 ms start. Go's own compiler raises its starting heap
// for the same reason (cmd/compile's AdjustStartingHeap). A GOMEMLIMIT below it wins.
const DefaultStartHeapMiB = 128

// DefaultStartHeap is DefaultStartHeapMiB in bytes.
const DefaultStartHeap int64 = DefaultStartHeapMiB << 20

var startGC struct {
	mu             gosync.Mutex
	holders        int   // relaxations not yet restored (several daemons in one test process)
	relaxed        bool  // the settings are the relaxed ones
	epoch          int   // counts relaxations, so that a watcher ends only its own
	percent, limit int64 // the settings to restore
}

// relaxStartGC turns the collector's percentage target off under a soft memory limit of heap
// bytes (or the configured limit, when lower), and returns the function that puts the settings
// back. Nested calls share one relaxation; the last restore ends it. So that a live heap near the
// limit cannot make the collector run back to back, the relaxation also ends at the first
// collection that finds more than half of the limit live. heap <= 0 changes nothing.
func relaxStartGC(heap int64) (restore func()) {
	if heap <= 0 {
		return func() {}
	}
	startGC.mu.Lock()
	defer startGC.mu.Unlock()
	if startGC.holders == 0 {
		startGC.limit = debug.SetMemoryLimit(-1) // reads the limit
		limit := min(heap, startGC.limit)
		debug.SetMemoryLimit(limit) // the limit first: never GOGC off without one
		startGC.percent = int64(debug.SetGCPercent(-1))
		startGC.relaxed = true
		startGC.epoch++
		watchLiveHeap(limit/2, startGC.epoch)
	}
	startGC.holders++
	var once gosync.Once
	return func() {
		once.Do(func() {
			startGC.mu.Lock()
			defer startGC.mu.Unlock()
			if startGC.holders--; startGC.holders == 0 {
				endStartGCLocked()
			}
		})
	}
}

// endStartGCLocked puts the settings back, the percentage first: never GOGC off without a limit.
func endStartGCLocked() {
	if !startGC.relaxed {
		return
	}
	startGC.relaxed = false
	debug.SetGCPercent(int(startGC.percent))
	debug.SetMemoryLimit(startGC.limit)
}

// watchLiveHeap ends relaxation epoch at the first collection after which more than max bytes
// are live, or stops watching when that relaxation has ended: an object's finalizer runs after
// each collection that frees it, and arms the next one.
func watchLiveHeap(max int64, epoch int) {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		startGC.mu.Lock()
		defer startGC.mu.Unlock()
		if !startGC.relaxed || startGC.epoch != epoch {
			return
		}
		if liveHeap() > max {
			endStartGCLocked()
			return
		}
		watchLiveHeap(max, epoch)
	})
}

// liveHeap is the heap the last collection found live.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), math.MaxInt64))
}

// StartHeapBytes converts --start-heap-mib, refusing what no heap could be.
func StartHeapBytes(mib int) (int64, bool) {
	if mib < 0 || int64(mib) > math.MaxInt64>>20 {
		return 0, false
	}
	return int64(mib) << 20, true
}
