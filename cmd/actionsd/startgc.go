package main

import (
	"math"
	"runtime/debug"
	gosync "sync"
)

// defaultStartHeapMiB is how far the heap may grow before the collector runs while the first
// generation builds (--start-heap-mib). Compiling the dependency bundles of a start allocates
// short-lived parse trees: about 100 MiB for axios, jsonwebtoken, lodash, dayjs, uuid and zod,
// whose collections cost ~20 ms of a ~120 ms start. Go's own compiler raises its starting heap
// for the same reason (cmd/compile's AdjustStartingHeap). A GOMEMLIMIT below it wins.
const defaultStartHeapMiB = 128

// startHeap is --start-heap-mib in bytes, set by withGCPercent before a daemon runs; 0: off.
var startHeap int64 = defaultStartHeapMiB << 20

var startGC struct {
	mu             gosync.Mutex
	holders        int   // relaxations not yet restored (several daemons in one test process)
	percent, limit int64 // the settings to restore
}

// relaxStartGC turns the collector's percentage target off under a soft memory limit of heap
// bytes (or the configured limit, when lower), and returns the function that puts the settings
// back. Nested calls share one relaxation; the last restore ends it. heap <= 0 changes nothing.
func relaxStartGC(heap int64) (restore func()) {
	if heap <= 0 {
		return func() {}
	}
	startGC.mu.Lock()
	defer startGC.mu.Unlock()
	if startGC.holders == 0 {
		startGC.limit = debug.SetMemoryLimit(-1) // reads the limit
		startGC.percent = int64(debug.SetGCPercent(-1))
		debug.SetMemoryLimit(min(heap, startGC.limit))
	}
	startGC.holders++
	var once gosync.Once
	return func() {
		once.Do(func() {
			startGC.mu.Lock()
			defer startGC.mu.Unlock()
			if startGC.holders--; startGC.holders == 0 {
				debug.SetMemoryLimit(startGC.limit)
				debug.SetGCPercent(int(startGC.percent))
			}
		})
	}
}

// startHeapBytes converts --start-heap-mib, refusing what no heap could be.
func startHeapBytes(mib int) (int64, bool) {
	if mib < 0 || int64(mib) > math.MaxInt64>>20 {
		return 0, false
	}
	return int64(mib) << 20, true
}
