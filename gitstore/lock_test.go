package gitstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/lockfile"
)

// writeLock commits an actionsd.lock recording module logger's versions with the given trees.
func (r *testRepo) writeLock(trees map[int]string) {
	r.t.Helper()
	l := lockfile.New()
	for n, tree := range trees {
		l.SetRecord("logger", n, &lockfile.VersionRecord{Tree: tree})
	}
	data, err := l.Marshal()
	if err != nil {
		r.t.Fatal(err)
	}
	r.write(map[string]string{lockfile.Name: string(data)})
}

// TestLockIsAuthoritative: the version records of actionsd.lock at HEAD decide what a version is;
// tags without a record are taken on first sight with a warning; a tag that contradicts its record
// does not change the version.
func TestLockIsAuthoritative(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	c1 := repo.commit("logger v1")
	tree1 := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "modules/logger/v1")

	// No lock at all: v1 is taken as first seen, without an "unrecorded" warning (nothing to record in).
	s := openStore(t, repo.dir, t.TempDir())
	snap := fetchSnapshot(t, s)
	wantNoProblems(t, snap)
	if snap.Lock != nil || !snap.Modules["logger"].Versions[1].Unrecorded {
		t.Fatalf("without a lock: got lock %v, v1 %+v", snap.Lock, snap.Modules["logger"].Versions[1])
	}

	// A lock that records v1 as it is: no warnings; the version's own lock is read at its commit.
	repo.writeLock(map[int]string{1: tree1})
	repo.commit("record v1")
	snap = fetchSnapshot(t, s)
	wantNoProblems(t, snap)
	if v1 := snap.Modules["logger"].Versions[1]; v1.Unrecorded || snap.Lock.Record("logger", 1).Tree != tree1 {
		t.Errorf("recorded v1: got %+v", v1)
	}

	// v2 tagged before its record lands: taken, with an unrecorded warning; a lock record of v3
	// with no tag is reported.
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 2};\n"})
	c2 := repo.commit("logger v2")
	tree2 := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "modules/logger/v2")
	repo.writeLock(map[int]string{1: tree1, 3: tree2})
	repo.commit("record v3 early")
	snap = fetchSnapshot(t, s)
	want := []string{
		"modules/logger: tag modules/logger/v2 has no record in actionsd.lock; v2 is taken as first seen (commit " + c2[:7] + ", tree " + tree2[:7] + "): run `actionsd publish logger` to record it",
		"modules/logger: v3 is recorded in actionsd.lock but tag modules/logger/v3 has not been seen on main yet; not published",
	}
	if got := problems(snap.Warnings); !slices.Equal(got, want) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, want)
	}

	// A fresh replica whose v1 tag contradicts the lock: the lock's tree serves, the tag is reported.
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 'evil'};\n"})
	c3 := repo.commit("not v1")
	repo.git("tag", "-f", "modules/logger/v1")
	repo.writeLock(map[int]string{1: tree1, 2: tree2})
	repo.commit("record v2")
	fresh := openStore(t, repo.dir, t.TempDir())
	snap = fetchSnapshot(t, fresh)
	want = []string{"modules/logger: tag modules/logger/v1 points at " + c3[:7] + ", which contradicts its record in actionsd.lock (tree " + tree1[:7] + "); v1 keeps serving its recorded content"}
	if got := problems(snap.Warnings); !slices.Equal(got, want) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, want)
	}
	v1 := snap.Modules["logger"].Versions[1]
	if !v1.Moved || v1.Tree != tree1 || string(v1.Module.Files["index.js"]) != quickstart["modules/logger/index.js"] {
		t.Errorf("contradicted v1: got %+v", v1)
	}
	if v2 := snap.Modules["logger"].Versions[2]; v2 == nil || v2.Unrecorded || v2.Lock == nil || v2.Lock.Record("logger", 2) != nil || v2.Lock.Record("logger", 1) == nil {
		t.Errorf("v2: got %+v, want the lock of its commit %s (which records v1 only)", v2, c2[:7])
	}
	_ = c1

	// A lock that does not parse is an error of the snapshot, with the file.
	repo.write(map[string]string{lockfile.Name: "{not json"})
	repo.commit("broken lock")
	snap = fetchSnapshot(t, fresh)
	if got := problems(snap.Errors); len(got) != 1 || !strings.HasPrefix(got[0], "actionsd.lock: ") {
		t.Errorf("broken lock: got errors %q", got)
	}
}

// TestWatchSignalsRefChanges: a commit and a tag in a watched repository each signal.
func TestWatchSignalsRefChanges(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.commit("first")
	s := openStore(t, repo.dir, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.Watch(ctx, func() {
			select {
			case signals <- struct{}{}:
			default:
			}
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	}()
	// The watch is set up asynchronously: commit until one signal arrives.
	for i := 0; ; i++ {
		repo.write(map[string]string{"README.md": strings.Repeat("x", i)})
		repo.commit("touch")
		select {
		case <-signals:
		default:
			if i < 200 {
				continue
			}
			t.Fatal("no signal after 200 commits")
		}
		break
	}
	for len(signals) > 0 {
		<-signals
	}
	repo.git("tag", "modules/logger/v1")
	select {
	case <-signals:
	case <-time.After(10 * time.Second):
		t.Fatal("no signal for a new tag")
	}
}

// TestDeletedTagOnANewReplica: a replica that starts after a version's tag was deleted serves the
// version actions pin from its record in actionsd.lock, as the replicas that saw the tag do.
func TestDeletedTagOnANewReplica(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	c1 := repo.commit("logger v1")
	tree1 := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "modules/logger/v1")
	l := lockfile.New()
	l.SetRecord("logger", 1, &lockfile.VersionRecord{Tree: tree1, Commit: c1})
	l.SetRecord("logger", 2, &lockfile.VersionRecord{Tree: tree1, Commit: c1}) // recorded, not tagged, not pinned
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	repo.write(map[string]string{lockfile.Name: string(data)})
	repo.commit("record v1")
	old := openStore(t, repo.dir, t.TempDir())
	fetchSnapshot(t, old)

	repo.git("tag", "-d", "modules/logger/v1")
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {draft: true};\n"})
	repo.commit("a new draft")
	for _, c := range []struct {
		name string
		s    *Store
		want string
	}{
		{"the replica that saw the tag", old, "modules/logger: tag modules/logger/v1 was deleted; v1 keeps serving its recorded content (commit " + c1[:7] + ")"},
		{"a new replica", openStore(t, repo.dir, t.TempDir()), "modules/logger: tag modules/logger/v1 is missing or was not accepted; v1, which actions pin, serves the content actionsd.lock records (tree " + tree1[:7] + ")"},
	} {
		snap := fetchSnapshot(t, c.s)
		want := []string{c.want, "modules/logger: v2 is recorded in actionsd.lock but tag modules/logger/v2 has not been seen on main yet; not published"}
		if got := problems(snap.Warnings); !slices.Equal(got, want) {
			t.Errorf("%s: warnings\ngot  %q\nwant %q", c.name, got, want)
		}
		if len(snap.Errors) != 0 {
			t.Errorf("%s: errors %q", c.name, problems(snap.Errors))
		}
		v1 := snap.Modules["logger"].Versions[1]
		if v1 == nil || !v1.Deleted || v1.Tree != tree1 || string(v1.Module.Files["index.js"]) != quickstart["modules/logger/index.js"] {
			t.Errorf("%s: v1 %+v, want the recorded content, deleted", c.name, v1)
		}
		if v1 != nil && v1.Commit != c1 {
			t.Errorf("%s: v1's commit %s, want the recorded %s", c.name, v1.Commit, c1[:7])
		}
	}

	// When tags must be signed, a new replica has no signed tag to check: v1 is not published.
	signed, err := Open(Options{URL: repo.dir, DataDir: t.TempDir(), Logger: zaptest.NewLogger(t), Verify: Verify{Tags: true}})
	if err != nil {
		t.Fatal(err)
	}
	snap := fetchSnapshot(t, signed)
	if v1 := snap.Modules["logger"]; v1 != nil {
		t.Errorf("verify tags, tag missing: v1 published %+v", v1.Versions[1])
	}
	if got := problems(snap.Warnings); len(got) == 0 || !strings.Contains(got[0], "tags must be signed; not published") {
		t.Errorf("verify tags, tag missing: warnings %q", got)
	}

	// A record that points at code never merged publishes nothing, tagged on its branch
	// (pending) or not tagged at all: only merged, reviewed code may serve from a record.
	repo.git("checkout", "-q", "-b", "feature")
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {evil: true};\n"})
	cf := repo.commit("unreviewed logger")
	treeF := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "modules/logger/v3", cf)
	repo.git("checkout", "-q", "main")
	l.SetRecord("logger", 3, &lockfile.VersionRecord{Tree: treeF, Commit: cf})
	if data, err = l.Marshal(); err != nil {
		t.Fatal(err)
	}
	repo.write(map[string]string{lockfile.Name: string(data),
		"actions/enrich-claims/action.yaml": strings.Replace(quickstart["actions/enrich-claims/action.yaml"], "logger: 1", "logger: 3", 1)})
	repo.commit("record and pin v3, from a branch that is not merged")
	unpublished := func(what string) {
		t.Helper()
		snap := fetchSnapshot(t, openStore(t, repo.dir, t.TempDir()))
		if vs := snap.Modules["logger"]; vs != nil && vs.Versions[3] != nil {
			t.Errorf("%s: v3 published with tree %s", what, vs.Versions[3].Tree)
		}
		if !slices.ContainsFunc(problems(snap.Warnings), func(w string) bool { return strings.Contains(w, "v3") && strings.Contains(w, "not published") }) {
			t.Errorf("%s: warnings %q, want v3 not published", what, problems(snap.Warnings))
		}
	}
	unpublished("unmerged v3, tag pending on its branch")
	repo.git("tag", "-d", "modules/logger/v3")
	unpublished("unmerged v3, no tag")
	// A record whose commit is merged but whose tree is not that commit's (nor any merged one's).
	l.SetRecord("logger", 3, &lockfile.VersionRecord{Tree: treeF, Commit: c1})
	if data, err = l.Marshal(); err != nil {
		t.Fatal(err)
	}
	repo.write(map[string]string{lockfile.Name: string(data)})
	repo.commit("record v3 with a merged commit and an unmerged tree")
	unpublished("v3 naming a merged commit with an unmerged tree")
	// A tag of v3 on main that the record contradicts with its unmerged tree.
	repo.git("tag", "modules/logger/v3")
	unpublished("v3 tagged on main, its record naming an unmerged tree")
	repo.git("tag", "-d", "modules/logger/v3")

	// A squash merge: the feature branch's content lands on main as a new commit with the same
	// tree. The record still names the feature commit, which main does not reach; the tree is
	// merged, so v3 serves without its tag. A v3 tag moved onto an unmerged commit changes nothing.
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {evil: true};\n"})
	repo.commit("squash-merged logger")
	l.SetRecord("logger", 3, &lockfile.VersionRecord{Tree: treeF, Commit: cf})
	if data, err = l.Marshal(); err != nil {
		t.Fatal(err)
	}
	repo.write(map[string]string{lockfile.Name: string(data)})
	repo.commit("record v3 as published from the feature branch")
	for _, tagged := range []bool{false, true} {
		if tagged {
			repo.git("tag", "modules/logger/v3", cf) // pending: cf is not on main
		}
		snap := fetchSnapshot(t, openStore(t, repo.dir, t.TempDir()))
		if vs := snap.Modules["logger"]; vs == nil || vs.Versions[3] == nil || vs.Versions[3].Tree != treeF {
			t.Errorf("squash-merged v3 (a pending tag: %v): not served from its record; warnings %q", tagged, problems(snap.Warnings))
		}
	}
}
