package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// versionedSource serves one KEY per owner at a version the test moves, and counts reads.
type versionedSource struct {
	mu       gosync.Mutex
	versions map[vaultsecrets.Owner]int
	reads    map[vaultsecrets.Owner]int
}

func (s *versionedSource) Read(_ context.Context, o vaultsecrets.Owner) (*vaultsecrets.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[o]++
	v := s.versions[o]
	return &vaultsecrets.Secret{Path: "kv/" + o.String(), Version: v, ReadAt: time.Now(), Values: vaultsecrets.Values{"K": fmt.Sprintf("%s-v%d", o, v)}}, nil
}

func (s *versionedSource) count(o vaultsecrets.Owner) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[o]
}

// fakeWatcher is a SecretWatcher the test drives.
type fakeWatcher struct {
	ch      chan struct{}
	mu      gosync.Mutex
	changed []vaultsecrets.Owner
	owners  []vaultsecrets.Owner
}

func (w *fakeWatcher) Changes() <-chan struct{} { return w.ch }
func (w *fakeWatcher) TakeChanged() []vaultsecrets.Owner {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.changed
	w.changed = nil
	return out
}
func (w *fakeWatcher) SetOwners(o []vaultsecrets.Owner) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.owners = o
}
func (w *fakeWatcher) rotate(o vaultsecrets.Owner) {
	w.mu.Lock()
	w.changed = append(w.changed, o)
	w.mu.Unlock()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

func TestRotationRereadsOnlyChangedOwners(t *testing.T) {
	snap := emptySnapshot("c1")
	for _, name := range []string{"a", "b"} {
		snap.Actions[name] = &gitstore.Action{Name: name, Dir: "actions/" + name, Version: "v", Trigger: "post-login", Secrets: []string{"K"},
			Entry: "index.js", Files: map[string][]byte{"index.js": []byte("exports.onExecutePostLogin = async () => {};\n")}}
	}
	repo := &countingRepo{}
	repo.set("k1", snap)
	a, b := vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "a"}, vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "b"}
	src := &versionedSource{versions: map[vaultsecrets.Owner]int{a: 1, b: 1}, reads: map[vaultsecrets.Owner]int{}}
	w := &fakeWatcher{ch: make(chan struct{}, 1)}
	rec := New(Config{Repository: repo, Secrets: src, SecretWatcher: w, PollInterval: -1, Logger: zaptest.NewLogger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rec.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if st, err := rec.Sync(ctx); err != nil || !st.Ready {
		t.Fatalf("first sync: %v %+v", err, st.Errors)
	}
	gen := rec.Current()
	// Run's own first reconcile may or may not have merged with the Sync above; a second, forced
	// one reads every owner again. Count the rotation's reads from here.
	readsA, readsB := src.count(a), src.count(b)
	w.mu.Lock()
	if len(w.owners) != 2 {
		t.Errorf("SetOwners: got %v, want both actions", w.owners)
	}
	w.mu.Unlock()

	src.mu.Lock()
	src.versions[a] = 2
	src.mu.Unlock()
	w.rotate(a)
	deadline := time.Now().Add(10 * time.Second)
	for rec.Current() == gen {
		if time.Now().After(deadline) {
			t.Fatal("no new generation after the rotation")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := src.count(a) - readsA; got != 1 {
		t.Errorf("reads of a after the rotation: got %d, want 1", got)
	}
	if got := src.count(b) - readsB; got != 0 {
		t.Errorf("reads of b after the rotation: got %d, want 0 (not rotated: reused)", got)
	}
	st := rec.Status()
	if len(st.Secrets) != 2 || st.Secrets[0].Version != 2 || st.Secrets[1].Version != 1 {
		t.Errorf("status secrets: got %+v, want a v2, b v1", st.Secrets)
	}
	if st.Attempted == nil || st.Attempted.Commit != "c1" || st.Attempted.Result != "applied" {
		t.Errorf("attempted: got %+v", st.Attempted)
	}
}
