package gitstore

import (
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestTreeFS(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.write(map[string]string{"bin/run.sh": "#!/bin/sh\n"})
	if err := os.Chmod(repo.dir+"/bin/run.sh", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("index.js", repo.dir+"/modules/logger/link.js"); err != nil {
		t.Fatal(err)
	}
	repo.commit("tree")
	r, err := git.PlainOpen(repo.dir)
	if err != nil {
		t.Fatal(err)
	}
	treeHashAt := func(rev string) plumbing.Hash { return plumbing.NewHash(repo.git("rev-parse", rev)) }
	fsys := NewTreeFS(r.Storer, treeHashAt("HEAD^{tree}"))

	if err := fstest.TestFS(fsys, "triggers.yaml", "actions/enrich-claims/index.js", "modules/logger/lib/send.js", "bin/run.sh"); err != nil {
		t.Fatal(err)
	}
	info, err := fs.Stat(fsys, "bin/run.sh")
	if err != nil || info.Mode() != 0o755 {
		t.Errorf("bin/run.sh: got %v, %v, want mode 0755", info.Mode(), err)
	}
	if info, err := fs.Stat(fsys, "modules/logger/link.js"); err != nil || info.Mode().Type() != fs.ModeSymlink {
		t.Errorf("link.js: got %v, %v, want a symbolic link", info, err)
	}

	// Tree hashes computed from a working tree match git's.
	for _, dir := range []string{"actions/enrich-claims", "modules/logger", "bin"} {
		got, err := treeHash(os.DirFS(repo.dir), dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := treeHashAt("HEAD:" + dir).String(); got != want {
			t.Errorf("tree hash of %s: got %s, want %s", dir, got, want)
		}
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := treeHash(sub, "."); err != nil || got != treeHashAt("HEAD:"+dir).String() {
			t.Errorf("TreeFS hash of %s: got %s, %v", dir, got, err)
		}
	}

	// A symbolic link in a module is an error, read from git or from the working tree.
	for name, f := range map[string]fs.FS{"git": fsys, "dir": os.DirFS(repo.dir)} {
		snap, err := ReadTree(f)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"modules/logger/link.js: symbolic links are not supported"}
		if got := problems(snap.Errors); len(got) != 1 || got[0] != want[0] {
			t.Errorf("%s: got errors %q, want %q", name, got, want)
		}
	}
}
