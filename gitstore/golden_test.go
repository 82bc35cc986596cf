package gitstore

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected-error files of testdata/bad from the current output")

// A layout's expected-error file holds its errors, one a line; its expected-warning file, when
// there is one, its warnings (none otherwise).
const (
	expectedErrorFile   = "expected-error"
	expectedWarningFile = "expected-warning"
)

// wantWarnings compares the warnings of both readings of dir with its expected-warning file.
func wantWarnings(t *testing.T, dir string, snaps ...*Snapshot) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(dir, expectedWarningFile))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, snap := range snaps {
		got := strings.Join(problems(snap.Warnings), "\n")
		if got != "" {
			got += "\n"
		}
		if got != string(want) {
			t.Errorf("warnings:\ngot  %q\nwant %q", got, want)
		}
	}
}

// readLayout reads a testdata layout twice: straight from the directory (os.DirFS) and through
// git (committed to a fresh repository, fetched and snapshotted by a Store).
func readLayout(t *testing.T, dir string) (fromDir, fromGit *Snapshot) {
	t.Helper()
	fromDir, err := ReadTree(os.DirFS(dir))
	if err != nil {
		t.Fatalf("ReadTree: %v", err)
	}
	repo := newTestRepo(t)
	repo.copyDir(dir, expectedErrorFile, expectedWarningFile)
	repo.commit("layout")
	fromGit = fetchSnapshot(t, openStore(t, repo.dir, t.TempDir()))
	return fromDir, fromGit
}

func TestGoldenBad(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no layouts in testdata/bad: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			fromDir, fromGit := readLayout(t, dir)
			got := strings.Join(problems(fromDir.Errors), "\n") + "\n"
			wantFile := filepath.Join(dir, expectedErrorFile)
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("from the directory:\ngot  %s\nwant %s", got, want)
			}
			if got := strings.Join(problems(fromGit.Errors), "\n") + "\n"; got != string(want) {
				t.Errorf("from git:\ngot  %s\nwant %s", got, want)
			}
			wantWarnings(t, dir, fromDir, fromGit)
		})
	}
}

func TestGoldenGood(t *testing.T) {
	dirs, err := filepath.Glob("testdata/good/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no layouts in testdata/good: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			fromDir, fromGit := readLayout(t, dir)
			if len(fromDir.Errors)+len(fromGit.Errors) > 0 {
				t.Fatalf("got errors %q and %q, want none", problems(fromDir.Errors), problems(fromGit.Errors))
			}
			wantWarnings(t, dir, fromDir, fromGit)
			// The same content whichever way it was read, tree hashes included.
			for _, a := range fromGit.Actions {
				a.Version = ""
			}
			if !reflect.DeepEqual(fromDir.Actions, fromGit.Actions) {
				t.Errorf("actions differ:\ndir %+v\ngit %+v", fromDir.Actions, fromGit.Actions)
			}
			if !reflect.DeepEqual(fromDir.Drafts, fromGit.Drafts) {
				t.Errorf("drafts differ:\ndir %+v\ngit %+v", fromDir.Drafts, fromGit.Drafts)
			}
			if !reflect.DeepEqual(fromDir.Triggers, fromGit.Triggers) {
				t.Errorf("triggers differ:\ndir %+v\ngit %+v", fromDir.Triggers, fromGit.Triggers)
			}
		})
	}
}

func TestGoldenQuickstart(t *testing.T) {
	snap, err := ReadTree(os.DirFS("testdata/good/quickstart"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, trig := range []string{"post-login", "credentials-exchange"} {
		for _, b := range snap.Triggers.Bindings[trig] {
			got = append(got, trig+" "+b.Action+" "+b.Pos.String())
		}
	}
	want := []string{
		"post-login enrich-claims triggers.yaml:2:14",
		"post-login log-login triggers.yaml:2:29",
		"credentials-exchange add-scope triggers.yaml:4:5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bindings: got %q, want %q", got, want)
	}
	if got := snap.Actions["add-scope"].Timeout.String(); got != "1.5s" {
		t.Errorf("add-scope timeout: got %s, want 1.5s", got)
	}
	wantDeps := map[string]string{"axios": "1.7.9", "@slack/webhook": "latest", "lodash": "latest"}
	if got := snap.Drafts["logger"].Dependencies; !reflect.DeepEqual(got, wantDeps) {
		t.Errorf("logger dependencies: got %v, want %v", got, wantDeps)
	}
	if got := len(snap.Drafts["logger"].Files); got != 4 {
		t.Errorf("logger files: got %d, want 4", got)
	}
}
