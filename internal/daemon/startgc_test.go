package daemon

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcSettings reads the collector's percentage target and memory limit without changing them.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

func setGC(t *testing.T, percent int, limit int64) {
	t.Helper()
	oldPct, oldLimit := gcSettings()
	debug.SetGCPercent(percent)
	debug.SetMemoryLimit(limit)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLimit)
	})
}

// Not parallel: the collector's settings are the process's.
func TestRelaxStartGC(t *testing.T) {
	setGC(t, 250, 1<<40)
	outer := relaxStartGC(64 << 20)
	if pct, limit := gcSettings(); pct != -1 || limit != 64<<20 {
		t.Fatalf("relaxed: GC percent %d, limit %d; want off under 64 MiB", pct, limit)
	}
	inner := relaxStartGC(64 << 20) // a second daemon in the process
	outer()
	outer() // twice: counted once
	if pct, _ := gcSettings(); pct != -1 {
		t.Errorf("restored while another start still runs: GC percent %d", pct)
	}
	inner()
	if pct, limit := gcSettings(); pct != 250 || limit != 1<<40 {
		t.Errorf("restored: GC percent %d, limit %d; want 250 and the old limit", pct, limit)
	}

	// A configured memory limit below the start heap wins.
	setGC(t, 100, 32<<20)
	restore := relaxStartGC(128 << 20)
	if _, limit := gcSettings(); limit != 32<<20 {
		t.Errorf("start limit %d over GOMEMLIMIT %d", limit, 32<<20)
	}
	restore()
	if pct, limit := gcSettings(); pct != 100 || limit != 32<<20 {
		t.Errorf("restored: GC percent %d, limit %d", pct, limit)
	}

	setGC(t, 100, 1<<40)
	relaxStartGC(0)()
	if pct, _ := gcSettings(); pct != 100 {
		t.Errorf("--start-heap-mib 0 changed the GC percent to %d", pct)
	}
	if _, ok := StartHeapBytes(-1); ok {
		t.Error("a negative --start-heap-mib was accepted")
	}
}

// TestDaemonRestoresGCAfterStart: a daemon's first sync runs relaxed, and the settings come back
// once it has ended.
func TestDaemonRestoresGCAfterStart(t *testing.T) {
	setGC(t, 300, 1<<40)
	repo := newGitRepo(t)
	repo.simpleRepo("A", "M")
	repo.commit("first")
	repo.git("tag", "modules/m/v1")
	d, _ := startDaemonWith(t, repo.dir, nil)
	<-d.rec.Settled()
	if a, _, _ := d.claims(); a != "A" {
		t.Fatalf("serving %q", a)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		pct, limit := gcSettings()
		if pct == 300 && limit == 1<<40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the first sync: GC percent %d, limit %d; want 300 and the old limit back", pct, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A live heap over half the start limit ends the relaxation at the next collection, so that the
// collector does not run back to back against a limit below the live heap.
func TestRelaxStartGCEndsWhenTheLiveHeapIsLarge(t *testing.T) {
	setGC(t, 200, 1<<40)
	restore := relaxStartGC(64 << 20)
	defer restore()
	live := make([][]byte, 0, 48)
	for range 48 { // 48 MiB live, over half of 64 MiB
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if pct, limit := gcSettings(); pct == 200 && limit == 1<<40 {
			break
		}
		if time.Now().After(deadline) {
			pct, limit := gcSettings()
			t.Fatalf("with 48 MiB live under a 64 MiB start limit: GC percent %d, limit %d; want the settings back", pct, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	restore() // the holder's own restore does nothing more
	if pct, _ := gcSettings(); pct != 200 {
		t.Errorf("after the restore: GC percent %d", pct)
	}
}

// The watcher of an ended relaxation does not end a later one.
func TestRelaxStartGCOldWatcherLeavesANewRelaxation(t *testing.T) {
	setGC(t, 200, 1<<40)
	relaxStartGC(16 << 20)() // ended before any collection ran its watcher
	restore := relaxStartGC(512 << 20)
	defer restore()
	live := make([][]byte, 0, 40)
	for range 40 { // 40 MiB live: over the first relaxation's 8 MiB, under this one's 256 MiB
		live = append(live, make([]byte, 1<<20))
	}
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers run after the collection
	}
	if pct, limit := gcSettings(); pct != -1 || limit != 512<<20 {
		t.Errorf("GC percent %d, limit %d: an old watcher ended the new relaxation", pct, limit)
	}
	runtime.KeepAlive(live)
}
