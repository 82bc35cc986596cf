package sync

import (
	"context"
	"errors"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// regexp2's clock (the runner bounds backtracking matches by the execution's deadline) runs on
// until a second after the last deadline it was given, then stops by itself.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock"))
}

// countingRepo serves fixed snapshots and counts what the reconciler asks of it. A fake is right
// here: these tests are about the reconciler's signals and skips; the end-to-end tests in
// internal/daemon drive it with real git.
type countingRepo struct {
	mu        gosync.Mutex
	key       string
	snap      *gitstore.Snapshot
	fetches   int
	snapshots int
	fetchErr  error
	gate      chan struct{} // when set, a fetch waits until it is closed
}

func (r *countingRepo) Fetch(context.Context) error {
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		<-gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetches++
	return r.fetchErr
}

func (r *countingRepo) RefsKey(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.key, nil
}

func (r *countingRepo) Snapshot(context.Context) (*gitstore.Snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots++
	return r.snap, nil
}

func (r *countingRepo) counts() (fetches, snapshots int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetches, r.snapshots
}

func (r *countingRepo) set(key string, snap *gitstore.Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.key, r.snap = key, snap
}

func emptySnapshot(commit string) *gitstore.Snapshot {
	return &gitstore.Snapshot{Commit: commit, Actions: map[string]*gitstore.Action{}, Modules: map[string]*gitstore.Versions{}}
}

func TestPollSkipsUnchangedRefsAndRetriesNothingUntilAChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		repo := &countingRepo{}
		broken := emptySnapshot("c1")
		broken.Errors = diag.List{{Pos: diag.Pos{File: "triggers.yaml", Line: 1}, Message: "broken"}}
		repo.set("k1", broken)
		rec := New(Config{Repository: repo, Secrets: vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), PollInterval: 10 * time.Second, Logger: zaptest.NewLogger(t)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- rec.Run(ctx) }()

		synctest.Wait()
		st := rec.Status()
		if st.Attempted == nil || st.Attempted.Result != "failed" || st.Ready {
			t.Fatalf("first reconcile: got %+v, want a failed attempt and not ready", st)
		}
		// Five polls with the same refs: fetched each time, never read again.
		time.Sleep(55 * time.Second)
		synctest.Wait()
		if f, s := repo.counts(); f < 5 || s != 1 {
			t.Errorf("after 5 unchanged polls: got %d fetches %d snapshots, want ≥5 and 1", f, s)
		}
		// A change is picked up by the next poll.
		repo.set("k2", emptySnapshot("c2"))
		time.Sleep(12 * time.Second)
		synctest.Wait()
		if st := rec.Status(); st.Applied == nil || st.Applied.Commit != "c2" || !st.Ready {
			t.Errorf("after a change: got %+v, want c2 applied", st.Applied)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestBurstOfTriggersCollapses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		repo := &countingRepo{}
		repo.set("k1", emptySnapshot("c1"))
		rec := New(Config{Repository: repo, Secrets: vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), PollInterval: -1, Logger: zaptest.NewLogger(t)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- rec.Run(ctx) }()
		synctest.Wait()
		_, before := repo.counts()
		// The first trigger starts a reconcile, held in its fetch while the other 99 arrive:
		// they collapse into one more reconcile. (Without the hold, how many reconciles a burst
		// makes depends on how fast the triggers come against the reconciles: a slow machine
		// under the race detector made three of a hundred.)
		gate := make(chan struct{})
		repo.mu.Lock()
		repo.gate = gate
		repo.mu.Unlock()
		rec.Trigger()
		synctest.Wait() // the reconcile waits in its fetch
		for range 99 {
			rec.Trigger()
		}
		repo.mu.Lock()
		repo.gate = nil
		repo.mu.Unlock()
		close(gate)
		synctest.Wait()
		if _, after := repo.counts(); after-before != 2 {
			t.Errorf("100 triggers: got %d reconciles, want 2 (the one under way, and one for the rest)", after-before)
		}
		// Sync waits for a reconcile that starts after it.
		st, err := rec.Sync(ctx)
		if err != nil || st.Applied == nil || st.Applied.Commit != "c1" {
			t.Errorf("Sync: got %+v, %v", st.Applied, err)
		}
		cancel()
		<-done
	})
}

func TestFetchFailureKeepsServing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		repo := &countingRepo{}
		repo.set("k1", emptySnapshot("c1"))
		ctx, rec, gen, stop := runServing(t, repo)
		defer stop()
		repo.mu.Lock()
		repo.fetchErr = errors.New("remote unreachable")
		repo.mu.Unlock()
		st, _ := rec.Sync(ctx)
		if rec.Current() != gen || !st.Ready || st.Attempted.Result != "failed" || len(st.Errors) != 1 {
			t.Errorf("after a failed fetch: got %+v, want the same generation serving and one error", st)
		}
	})
}

// panickingRepo panics in Snapshot once told to: a bug met by one commit.
type panickingRepo struct {
	countingRepo
	panics bool
}

func (r *panickingRepo) Snapshot(ctx context.Context) (*gitstore.Snapshot, error) {
	r.mu.Lock()
	p := r.panics
	r.mu.Unlock()
	if p {
		var m map[string]int
		m["boom"]++ // a runtime error: its message is kept
	}
	return r.countingRepo.Snapshot(ctx)
}

// TestStepPanicKeepsServing: a step that panics fails its attempt, with the panic in the error,
// and the serving generation stays; the daemon does not stop.
func TestStepPanicKeepsServing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		repo := &panickingRepo{}
		repo.set("k1", emptySnapshot("c1"))
		ctx, rec, gen, stop := runServing(t, repo)
		defer stop()
		repo.mu.Lock()
		repo.panics = true
		repo.mu.Unlock()
		repo.set("k2", emptySnapshot("c2"))
		st, _ := rec.Sync(ctx)
		if rec.Current() != gen || !st.Ready || st.Attempted.Result != "failed" || st.Attempted.Step != "snapshot" ||
			len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Message, "assignment to entry in nil map") {
			t.Errorf("after a panicking step: got %+v, want the same generation serving and the panic as the error", st)
		}
	})
}

// runServing runs a reconciler over repo, with no secrets and no polling, until stop; it returns
// once the first sync has made the generation that serves.
func runServing(t *testing.T, repo Repository) (ctx context.Context, rec *Reconciler, gen *runner.Generation, stop func()) {
	t.Helper()
	rec = New(Config{Repository: repo, Secrets: vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), PollInterval: -1, Logger: zaptest.NewLogger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rec.Run(ctx) }()
	if _, err := rec.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx, rec, rec.Current(), func() { cancel(); <-done }
}

func TestPanicText(t *testing.T) {
	if got := panicText("secret-value-123"); strings.Contains(got, "secret-value-123") || got != "a panic with a string value" {
		t.Errorf("panicText of a string: %q, want its type only", got)
	}
	var re error
	func() {
		defer func() { re = recover().(error) }()
		var s []int
		_ = s[3]
	}()
	if got := panicText(re); !strings.Contains(got, "index out of range") {
		t.Errorf("panicText of a runtime error: %q, want its message", got)
	}
}
