package gitstore

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/actionsd/actionsd/lockfile"
)

// TestLocalReadsAsTheStore: a Local's reading of the deploy branch is the Store's snapshot of it —
// the same versions, the same warnings — and its Tags say what each version tag names.
func TestLocalReadsAsTheStore(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	c1 := repo.commit("v1 of logger")
	repo.git("tag", "modules/logger/v1")
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 2};\n"})
	c2 := repo.commit("v2 of logger")
	repo.git("tag", "-a", "-m", "logger v2\n\nthe second", "modules/logger/v2")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 3};\n"})
	c3 := repo.commit("v3 of logger")
	repo.git("tag", "-a", "-m", "logger v3", "modules/logger/v3")
	repo.git("checkout", "-q", "main")
	repo.git("tag", "modules/logger/latest")

	want := fetchSnapshot(t, openStore(t, repo.dir, t.TempDir()))
	l, err := OpenLocal(filepath.Join(repo.dir, "modules"), "main") // a folder inside finds the repository
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got, err := l.Read(context.Background(), "main")
	if err != nil {
		t.Fatal(err)
	}
	if got.Commit != c2 || l.DeployTip() != c2 {
		t.Errorf("commit %s, deploy tip %s; want %s", got.Commit, l.DeployTip(), c2)
	}
	if g, w := problems(got.Warnings), problems(want.Warnings); !slices.Equal(g, w) {
		t.Errorf("warnings:\nlocal %q\nstore %q", g, w)
	}
	for n, wv := range want.Modules["logger"].Versions {
		gv := got.Modules["logger"].Versions[n]
		if gv == nil || gv.Commit != wv.Commit || gv.Tree != wv.Tree || !reflect.DeepEqual(gv.Module.Files, wv.Module.Files) {
			t.Errorf("v%d: local %+v, store %+v", n, gv, wv)
		}
	}
	if len(got.Modules["logger"].Versions) != len(want.Modules["logger"].Versions) {
		t.Errorf("versions: local %d, store %d", len(got.Modules["logger"].Versions), len(want.Modules["logger"].Versions))
	}

	// Reading the feature branch, v3 is in its history: the daemon publishes it once merged.
	feature, err := l.Read(context.Background(), "feature")
	if err != nil {
		t.Fatal(err)
	}
	if v := feature.Modules["logger"].Versions[3]; v == nil || v.Commit != c3 {
		t.Errorf("feature: v3 %+v, want it published from %s", v, c3)
	}

	tags, err := l.Tags(context.Background(), c2)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Tag{}
	for _, tag := range tags {
		byName[tag.Name] = tag
	}
	if len(tags) != 3 || byName["modules/logger/latest"].Name != "" {
		t.Errorf("tags: got %+v, want the three versions", tags)
	}
	if v1 := byName["modules/logger/v1"]; v1.Commit != c1 || !v1.Reachable || v1.Message != "v1 of logger\n" || v1.Author != "Test" {
		t.Errorf("v1 (lightweight): %+v, want its commit's author and message", v1)
	}
	if v2 := byName["modules/logger/v2"]; v2.Commit != c2 || !v2.Reachable || v2.Message != "logger v2\n\nthe second" ||
		v2.Tree != repo.git("rev-parse", c2+":modules/logger") {
		t.Errorf("v2 (annotated): %+v, want the tag's message", v2)
	}
	if v3 := byName["modules/logger/v3"]; v3.Commit != c3 || v3.Reachable {
		t.Errorf("v3: %+v, want it not reachable from main", v3)
	}

	// Revisions, folders and files.
	if h, err := l.Resolve("HEAD~1"); err != nil || h != c1 {
		t.Errorf("Resolve(HEAD~1): %s, %v; want %s", h, err, c1)
	}
	if ps, err := l.Parents(c2); err != nil || !slices.Equal(ps, []string{c1}) {
		t.Errorf("Parents: %v, %v", ps, err)
	}
	if mb := l.MergeBase(c3, c2); mb != c2 {
		t.Errorf("MergeBase: %s, want %s", mb, c2)
	}
	if tree := l.FolderTree(c1, "modules/logger"); tree != repo.git("rev-parse", c1+":modules/logger") {
		t.Errorf("FolderTree: %s", tree)
	}
	if h := l.FileHash(c1, "triggers.yaml"); h != repo.git("rev-parse", c1+":triggers.yaml") {
		t.Errorf("FileHash: %s", h)
	}
	if data, err := l.ReadFile(c2, "modules/logger/index.js", -1); err != nil || string(data) != "module.exports = {v: 2};\n" {
		t.Errorf("ReadFile: %q, %v", data, err)
	}
	if _, err := l.ReadFile(c2, "nope", -1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	var tl *TooLargeError
	if _, err := l.ReadFile(c2, "modules/logger/index.js", 3); !errors.As(err, &tl) {
		t.Errorf("ReadFile over the limit: %v, want a *TooLargeError", err)
	}
}

// TestLocalReadsAShallowClone: a CI checkout (git clone --depth 1) lacks the history behind its
// tip; reading it neither fails nor loses what its lock records.
func TestLocalReadsAShallowClone(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.commit("logger")
	tree := repo.git("rev-parse", "HEAD:modules/logger")
	l := lockfile.New()
	l.SetRecord("logger", 1, &lockfile.VersionRecord{Tree: tree})
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	repo.write(map[string]string{lockfile.Name: string(data)})
	repo.commit("record logger v1")
	repo.git("tag", "-a", "-m", "logger v1", "modules/logger/v1")
	repo.write(map[string]string{"actions/enrich-claims/index.js": "exports.onExecutePostLogin = async () => {};\n"})
	repo.commit("more")

	clone := &testRepo{t: t, dir: t.TempDir()}
	clone.git("clone", "-q", "--depth", "1", "file://"+repo.dir, ".")
	local, err := OpenLocal(clone.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	snap, err := local.Read(context.Background(), WorkingTree)
	if err != nil {
		t.Fatalf("Read of a shallow clone: %v", err)
	}
	if v := snap.Modules["logger"]; v == nil || v.Versions[1] == nil || v.Versions[1].Tree != tree {
		t.Errorf("logger: %+v (errors %q, warnings %q); want v1 at the recorded tree %s", v, problems(snap.Errors), problems(snap.Warnings), tree)
	}
	if _, err := local.Tags(context.Background(), local.DeployTip()); err != nil {
		t.Errorf("Tags of a shallow clone: %v", err)
	}
}
