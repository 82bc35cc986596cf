package npmvendor

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// commitFiles is a CommitReader over fixed files: commit -> path -> content. A commit in broken
// fails every read with an error that is not fs.ErrNotExist. It counts reads.
type commitFiles struct {
	files  map[string]map[string]string
	broken map[string]bool

	mu    sync.Mutex
	reads int
}

func (c *commitFiles) ReadFile(commit, name string, limit int64) ([]byte, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	if c.broken[commit] {
		return nil, errors.New("object not found: the mirror is corrupt")
	}
	data, ok := c.files[commit][name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, errors.New(name + ": too large")
	}
	return []byte(data), nil
}

// A vendored tarball is read from the first commit that has it; a commit that cannot be read
// counts as having none, is logged once and not read again.
func TestVendorTreesReadFirstCommitThatHasIt(t *testing.T) {
	repo := &commitFiles{
		files: map[string]map[string]string{
			"lock":   {VendorDir + "/a.tgz": "a at the lock's commit"},
			"head":   {VendorDir + "/a.tgz": "a at head", VendorDir + "/b.tgz": "b at head"},
			"broken": {VendorDir + "/c.tgz": "never read"},
		},
		broken: map[string]bool{"broken": true},
	}
	core, logs := observer.New(zapcore.WarnLevel)
	log := zap.New(core)
	trees := vendorTrees{
		&commitVendor{repo: repo, commit: "broken", log: log},
		&commitVendor{repo: repo, commit: "lock", log: log},
		&commitVendor{repo: repo, commit: "head", log: log},
	}
	for name, want := range map[string]string{"a.tgz": "a at the lock's commit", "b.tgz": "b at head"} {
		got, err := trees.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("ReadFile(%s): got %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := trees.ReadFile("c.tgz"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(c.tgz), only in an unreadable commit: got %v, want fs.ErrNotExist", err)
	}
	if n := logs.FilterMessage("npm: cannot read vendor/npm/ from the git mirror; using the registry").Len(); n != 1 {
		t.Errorf("the unreadable commit was logged %d times, want once", n)
	}
	// broken once, then lock and head for a and b, then lock and head for c: 1 + 1 + 2 + 2.
	if repo.reads != 6 {
		t.Errorf("%d reads, want 6: an unreadable commit is not read again", repo.reads)
	}
}

// The registries are looked for again only when the .npmrc files changed, and a remote
// repository's .npmrc is compared only once the deploy branch's HEAD moved.
func TestRepoInstallerNpmrcChanged(t *testing.T) {
	user := filepath.Join(t.TempDir(), "user-npmrc")
	t.Setenv("NPM_CONFIG_USERCONFIG", user)
	repo := &commitFiles{files: map[string]map[string]string{
		"c1": {".npmrc": "registry=http://127.0.0.1:1/\n"},
		"c2": {".npmrc": "registry=http://127.0.0.1:1/\n"},
		"c3": {".npmrc": "registry=http://127.0.0.1:2/\n"},
		"c4": {".npmrc": "registry=http://127.0.0.1:2/\n"},
	}}
	n := NewRepoInstaller(RepoInstallerOptions{Repo: repo, MaxNpmrc: 1 << 10})
	look := func(commit string) { // what the installer does when it finds the registries at commit
		n.mu.Lock()
		n.commit = commit
		n.mu.Unlock()
		digest := n.npmrcDigest(n.repoNpmrc())
		n.mu.Lock()
		n.npmrc, n.looked = digest, n.commit
		n.mu.Unlock()
	}
	at := func(commit string) bool {
		n.mu.Lock()
		n.commit = commit
		n.mu.Unlock()
		return n.npmrcChanged()
	}
	look("c1")
	if at("c1") {
		t.Error("HEAD did not move: changed")
	}
	if at("c2") {
		t.Error("HEAD moved to the same .npmrc: changed")
	}
	if !at("c3") {
		t.Error("HEAD moved to another registry in .npmrc: not changed")
	}
	look("c3")
	if err := os.WriteFile(user, []byte("registry=http://127.0.0.1:3/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if at("c3") {
		t.Error("the user's .npmrc is read again although HEAD did not move")
	}
	if !at("c4") {
		t.Error("HEAD moved to the same .npmrc and the user's .npmrc changed: not changed")
	}
}
