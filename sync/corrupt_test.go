package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// corruptOnceRepo answers the first Snapshot with a *gitstore.CorruptMirrorError, as a Store
// whose mirror is damaged does; then it serves snap.
type corruptOnceRepo struct {
	countingRepo
	failed bool // guarded by mu
}

func (r *corruptOnceRepo) Snapshot(ctx context.Context) (*gitstore.Snapshot, error) {
	r.mu.Lock()
	first := !r.failed
	r.failed = true
	if first {
		r.snapshots++
	}
	r.mu.Unlock()
	if first {
		return nil, &gitstore.CorruptMirrorError{MovedTo: "/data/git.corrupt-x", Err: errors.New("zlib: invalid checksum")}
	}
	return r.countingRepo.Snapshot(ctx)
}

// A snapshot that finds the mirror corrupt is followed, in the same reconcile, by a fetch (which
// clones again) and another snapshot.
func TestCorruptMirrorIsClonedAgainInTheSameReconcile(t *testing.T) {
	repo := &corruptOnceRepo{}
	repo.set("k1", emptySnapshot("c1"))
	rec := New(Config{Repository: repo, Secrets: vaultsecrets.NewStatic(nil, zap.NewNop()), PollInterval: -1, Logger: zap.NewNop()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	st, err := rec.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Applied == nil || st.Applied.Commit != "c1" {
		t.Errorf("got applied %+v, errors %+v; want c1 applied after cloning again", st.Applied, st.Errors)
	}
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0].Message, "moved to /data/git.corrupt-x") {
		t.Errorf("got warnings %+v, want one that says where the corrupt mirror went", st.Warnings)
	}
	if f, s := repo.counts(); f < 2 || s < 2 {
		t.Errorf("got %d fetches and %d snapshots, want at least 2 of each", f, s)
	}
	cancel()
	<-done
}

// A failed reconcile never logs that the previous generation keeps serving when none serves.
func TestFailureLogSaysWhatServes(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	repo := &countingRepo{}
	broken := emptySnapshot("c1")
	broken.Errors = diag.List{{Pos: diag.Pos{File: "triggers.yaml", Line: 1}, Message: "broken"}}
	repo.set("k1", broken)
	rec := New(Config{Repository: repo, Secrets: vaultsecrets.NewStatic(nil, zap.NewNop()), PollInterval: -1, Logger: zap.New(core)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	sync := func() {
		if _, err := rec.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sync()
	failed := func() string {
		entries := logs.FilterMessageSnippet("reconcile failed").TakeAll()
		if len(entries) == 0 {
			t.Fatal("no reconcile failed line")
		}
		return entries[len(entries)-1].Message
	}
	if msg := failed(); strings.Contains(msg, "keeps serving") || !strings.Contains(msg, "no generation serves") {
		t.Errorf("nothing serves: logged %q", msg)
	}
	repo.set("k2", emptySnapshot("c2"))
	sync()
	repo.set("k3", broken)
	sync()
	if msg := failed(); !strings.Contains(msg, "the previous generation keeps serving") {
		t.Errorf("c2 serves: logged %q", msg)
	}
	cancel()
	<-done
}
