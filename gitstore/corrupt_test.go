package gitstore

import (
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"
)

func TestCorrupt(t *testing.T) {
	tests := []struct {
		name string
		give error
		want bool
	}{
		{"zlib checksum", fmt.Errorf("tree x: %w", errors.New("zlib: invalid checksum")), true},
		{"zlib header, formatted with %s", errors.New("zlib reset error: zlib: invalid header"), true},
		{"deflate", fmt.Errorf("blob: %w", flate.CorruptInputError(12)), true},
		{"bad index", fmt.Errorf("mirror object x: %w", idxfile.ErrMalformedIdxFile), true},
		{"bad pack", packfile.ErrInvalidObject.AddDetails("type %q", "x"), true},
		{"missing object", fmt.Errorf("commit x: %w", plumbing.ErrObjectNotFound), true},
		{"truncated", fmt.Errorf("blob x: %w", io.ErrUnexpectedEOF), true},
		{"network", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), false},
		{"full disk", fmt.Errorf("write pack: %w", errors.New("no space left on device")), false},
		{"canceled", context.Canceled, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := corrupt(tt.give); got != tt.want {
			t.Errorf("%s: corrupt(%v) = %v, want %v", tt.name, tt.give, got, tt.want)
		}
	}
}

// flipPacks damages the mirror's packs (every 7th byte between header and trailer), or, with
// idx, its pack indexes.
func flipPacks(t *testing.T, dataDir string, idx bool) {
	t.Helper()
	ext := "*.pack"
	if idx {
		ext = "*.idx"
	}
	files, err := filepath.Glob(filepath.Join(dataDir, "git", "objects", "pack", ext))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s in the mirror: %v", ext, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 12; i < len(b)-20; i += 7 {
			b[i] ^= 0x55
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func corruptDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dataDir, corruptPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

// readme is a file the daemon never reads, until a commit puts the same content in an action:
// its blob is then read from the mirror's old pack, not from any cache.
const readme = "// read me\n"

// A corrupt mirror is moved aside and cloned again, as the reconciler drives it (Fetch, Snapshot,
// and after a *CorruptMirrorError Fetch and Snapshot again): found while serving (damaged packs:
// a new commit reuses a blob that was never read) or at a restart (damaged packs or indexes), for
// a local repository and over HTTP. (A store that read its indexes before they were damaged
// keeps them in memory: it notices nothing until it restarts.)
func TestCorruptMirrorRecovers(t *testing.T) {
	for _, remote := range []bool{false, true} {
		for _, tt := range []struct {
			restart, idx bool
		}{{false, false}, {true, false}, {true, true}} {
			name := fmt.Sprintf("remote=%v,restart=%v,idx=%v", remote, tt.restart, tt.idx)
			t.Run(name, func(t *testing.T) {
				repo := limitsRepo(t, map[string]string{"README.md": readme})
				url := repo.dir
				if remote {
					url = serveHTTP(t, filepath.Dir(repo.dir)) + "/" + filepath.Base(repo.dir)
				}
				data := t.TempDir()
				reg := prometheus.NewRegistry()
				clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
				open := func() *Store {
					reg = prometheus.NewRegistry()
					s, err := Open(Options{URL: url, DataDir: data, Logger: zaptest.NewLogger(t), Registerer: reg, KeepCorrupt: 1,
						Now: func() time.Time { return clock }})
					if err != nil {
						t.Fatal(err)
					}
					return s
				}
				s := open()
				fetchSnapshot(t, s)
				flipPacks(t, data, tt.idx)
				if tt.restart {
					s = open()
				}
				repo.write(map[string]string{"actions/b/action.yaml": "trigger: post-login\n", "actions/b/index.js": readme})
				head := repo.commit("v2")

				ctx := context.Background()
				snap, err := reconcileRead(ctx, s)
				if err != nil {
					t.Fatalf("Fetch, Snapshot: %v; want them to recover", err)
				}
				if snap.Commit != head || len(snap.Errors) > 0 || snap.Actions["b"] == nil {
					t.Errorf("after recovering: commit %s, errors %q; want %s with action b", snap.Commit, problems(snap.Errors), head)
				}
				want := filepath.Join(data, "git.corrupt-20260102T030405Z")
				if got := corruptDirs(t, data); !slices.Equal(got, []string{want}) {
					t.Errorf("corrupt mirrors kept: %q, want %q", got, want)
				}
				if got := counterValue(t, reg, "actionsd_git_mirror_corruptions_total", "fetch") + counterValue(t, reg, "actionsd_git_mirror_corruptions_total", "snapshot"); got != 1 {
					t.Errorf("actionsd_git_mirror_corruptions_total = %v, want 1", got)
				}

				// Twice more: only KeepCorrupt (1) are kept, the newest.
				for i := range 2 {
					clock = clock.Add(time.Hour)
					flipPacks(t, data, false)
					s = open()
					repo.write(map[string]string{fmt.Sprintf("actions/a/f%d.js", i): "1"})
					repo.commit("more")
					if _, err := reconcileRead(ctx, s); err != nil {
						t.Fatalf("corruption %d: %v", i+2, err)
					}
				}
				if got, want := corruptDirs(t, data), []string{filepath.Join(data, "git.corrupt-20260102T050405Z")}; !slices.Equal(got, want) {
					t.Errorf("corrupt mirrors kept: %q, want %q", got, want)
				}
			})
		}
	}
}

// reconcileRead fetches and reads a snapshot as the reconciler does: after a *CorruptMirrorError,
// once more.
func reconcileRead(ctx context.Context, s *Store) (*Snapshot, error) {
	if err := s.Fetch(ctx); err != nil {
		return nil, err
	}
	snap, err := s.Snapshot(ctx)
	var ce *CorruptMirrorError
	if errors.As(err, &ce) {
		if err := s.Fetch(ctx); err != nil {
			return nil, err
		}
		return s.Snapshot(ctx)
	}
	return snap, err
}

// An error of the source repository that looks like corruption leaves a sound mirror in place.
func TestCorruptSourceKeepsTheMirror(t *testing.T) {
	repo := limitsRepo(t, nil)
	data := t.TempDir()
	s := openStore(t, repo.dir, data)
	fetchSnapshot(t, s)
	repo.write(map[string]string{"actions/a/index.js": "exports.onExecutePostLogin = async () => { /* v2 */ };\n"})
	repo.commit("v2")
	// Damage the source's loose object of the new index.js.
	blob := repo.git("rev-parse", "HEAD:actions/a/index.js")
	obj := filepath.Join(repo.dir, ".git", "objects", blob[:2], blob[2:])
	if err := os.Chmod(obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(obj, []byte("not zlib at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Fetch(context.Background())
	if err == nil || !corrupt(err) {
		t.Fatalf("Fetch: got %v, want an error of the damaged source", err)
	}
	if got := corruptDirs(t, data); len(got) != 0 {
		t.Errorf("the sound mirror was moved aside: %q", got)
	}
	if _, err := os.Stat(filepath.Join(data, "git")); err != nil {
		t.Errorf("the mirror: %v", err)
	}
	if strings.Contains(err.Error(), "mirror is corrupt") {
		t.Errorf("Fetch: %v blames the mirror", err)
	}
}

// counterValue reads the counter name{step=step} from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name, step string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "step" && l.GetValue() == step {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{step=%q}", name, step)
	return 0
}
