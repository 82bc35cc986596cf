package gitstore

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		give int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {5 << 20, "5 MiB"},
		{200 << 20, "200 MiB"}, {3 << 30, "3 GiB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.give); got != tt.want {
			t.Errorf("FormatSize(%d): got %q, want %q", tt.give, got, tt.want)
		}
	}
}

// limitsRepo is a repository with one valid action and one valid module, plus extra files.
func limitsRepo(t *testing.T, extra map[string]string) *testRepo {
	t.Helper()
	repo := newTestRepo(t)
	files := map[string]string{
		"triggers.yaml":             "post-login: [a]\n",
		"actions/a/action.yaml":     "trigger: post-login\n",
		"actions/a/index.js":        "exports.onExecutePostLogin = async () => {};\n",
		"modules/m/module.yaml":     "description: m\n",
		"modules/m/index.js":        "module.exports = {};\n",
		"actions/other/action.yaml": "trigger: post-login\n",
		"actions/other/index.js":    "exports.onExecutePostLogin = async () => {};\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	repo.write(files)
	repo.commit("limits")
	return repo
}

func TestReadTreeLimits(t *testing.T) {
	const kib = 1024
	deep := "actions/a/" + strings.Repeat("d/", 4) + "x.js"
	tests := []struct {
		name   string
		extra  map[string]string
		limits Limits
		want   []string // problems, as Error() writes them
		read   []string // files of actions/a that are read
	}{
		{
			name:   "within every limit",
			extra:  map[string]string{"actions/a/lib.js": strings.Repeat("x", 3*kib)},
			limits: Limits{FileSize: 4 * kib, FolderSize: 8 * kib},
			read:   []string{"action.yaml", "index.js", "lib.js"},
		},
		{
			name:   "a file over its limit",
			extra:  map[string]string{"actions/a/big.bin": strings.Repeat("x", 5*kib)},
			limits: Limits{FileSize: 4 * kib},
			want:   []string{"actions/a/big.bin: 5 KiB, over the limit of 4 KiB for one file (raise it with --max-file-size or repo_limits.max_file_size); not read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name:   "a module file over its limit",
			extra:  map[string]string{"modules/m/big.bin": strings.Repeat("x", 5*kib)},
			limits: Limits{FileSize: 4 * kib},
			want:   []string{"modules/m/big.bin: 5 KiB, over the limit of 4 KiB for one file (raise it with --max-file-size or repo_limits.max_file_size); not read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name:   "an action over the folder limit",
			extra:  map[string]string{"actions/a/one.js": strings.Repeat("x", 3*kib), "actions/a/two.js": strings.Repeat("x", 3*kib)},
			limits: Limits{FileSize: 4 * kib, FolderSize: 5 * kib},
			want:   []string{"actions/a: its files come to 6.1 KiB, over the limit of 5 KiB for an action or module folder (raise it with --max-folder-size or repo_limits.max_folder_size); not read"},
			read:   []string{"action.yaml"},
		},
		{
			name:   "too many files",
			extra:  map[string]string{"actions/a/one.js": "1", "actions/a/two.js": "2"},
			limits: Limits{Files: 3},
			want:   []string{"actions/a: more than 3 files, the limit for an action or module folder (raise it with --max-files or repo_limits.max_files); not read"},
			read:   []string{"action.yaml"},
		},
		{
			name:   "folders nested too deep",
			extra:  map[string]string{deep: "1"},
			limits: Limits{Depth: 3},
			want:   []string{"actions/a/d/d/d/d: folders nest deeper than 3, the limit below an action or module folder (raise it with --max-depth or repo_limits.max_depth); not read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name:   "too many actions",
			limits: Limits{Actions: 1},
			want: []string{
				"actions: 2 actions, over the limit of 1 (raise it with --max-actions or repo_limits.max_actions); none is read",
			},
		},
		{
			name:   "too many modules",
			extra:  map[string]string{"modules/n/index.js": "1"},
			limits: Limits{Modules: 1},
			want:   []string{"modules: 2 modules, over the limit of 1 (raise it with --max-modules or repo_limits.max_modules); none is read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name:   "a manifest over its limit",
			extra:  map[string]string{"actions/a/action.yaml": "trigger: post-login\n# " + strings.Repeat("x", 2*kib) + "\n"},
			limits: Limits{ManifestSize: 1 * kib},
			want:   []string{"actions/a/action.yaml: 2 KiB, over the limit of 1 KiB for a manifest (raise it with --max-manifest-size or repo_limits.max_manifest_size); not read"},
			read:   []string{"index.js"},
		},
		{
			name:   "triggers.yaml over its limit",
			extra:  map[string]string{"triggers.yaml": "post-login: [a]\n# " + strings.Repeat("x", 2*kib) + "\n"},
			limits: Limits{ManifestSize: 1 * kib},
			want:   []string{"triggers.yaml: 2 KiB, over the limit of 1 KiB for a manifest (raise it with --max-manifest-size or repo_limits.max_manifest_size); not read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name:   "actionsd.lock over its limit",
			extra:  map[string]string{"actionsd.lock": `{"lockfileVersion": 1, "x": "` + strings.Repeat("x", 2*kib) + `"}`},
			limits: Limits{LockSize: 1 * kib},
			want:   []string{"actionsd.lock: 2 KiB, over the limit of 1 KiB for actionsd.lock (raise it with --max-lock-size or repo_limits.max_lock_size); not read"},
			read:   []string{"action.yaml", "index.js"},
		},
		{
			name: "the source over the repository's limit",
			extra: map[string]string{
				"actions/a/lib.js": strings.Repeat("x", 3*kib), "actions/other/lib.js": strings.Repeat("x", 3*kib),
				"modules/m/lib.js": strings.Repeat("x", 3*kib),
			},
			limits: Limits{SourceSize: 5 * kib},
			want:   []string{"actions/other: its files bring the actions and modules read to 6.1 KiB, over the limit of 5 KiB for the whole repository (raise it with --max-source-size or repo_limits.max_source_size); not read, nor any folder after it"},
			read:   []string{"action.yaml", "index.js", "lib.js"},
		},
		{
			name:   "no limits",
			extra:  map[string]string{"actions/a/big.bin": strings.Repeat("x", 50*kib), deep: "1"},
			limits: Limits{FileSize: -1, FolderSize: -1, SourceSize: -1, Files: -1, Depth: -1, Actions: -1, Modules: -1, ManifestSize: -1, LockSize: -1},
			read:   []string{"action.yaml", "big.bin", "d/d/d/d/x.js", "index.js"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := limitsRepo(t, tt.extra)
			r, err := git.PlainOpen(repo.dir)
			if err != nil {
				t.Fatal(err)
			}
			tree := plumbing.NewHash(repo.git("rev-parse", "HEAD^{tree}"))
			for _, src := range []struct {
				name string
				fsys fs.FS
			}{{"git", NewTreeFS(r.Storer, tree)}, {"working tree", os.DirFS(repo.dir)}} {
				snap, err := NewReader(tt.limits).ReadTree(src.fsys)
				if err != nil {
					t.Fatalf("%s: ReadTree: %v", src.name, err)
				}
				got := problems(snap.Errors)
				if tt.want == nil {
					tt.want = []string{}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: got errors %q, want %q", src.name, got, tt.want)
				}
				var read []string
				if a := snap.Actions["a"]; a != nil {
					for f := range a.Files {
						read = append(read, f)
					}
				}
				slices.Sort(read)
				if !slices.Equal(read, tt.read) {
					t.Errorf("%s: got actions/a files %q, want %q", src.name, read, tt.read)
				}
			}
		})
	}
}

// countingStorer counts the blobs whose content is read.
type countingStorer struct {
	storer.EncodedObjectStorer
	read map[plumbing.Hash]int
}

func (s *countingStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.EncodedObjectStorer.EncodedObject(t, h)
	if err != nil || o.Type() != plumbing.BlobObject {
		return o, err
	}
	return &countingObject{EncodedObject: o, read: s.read}, nil
}

type countingObject struct {
	plumbing.EncodedObject
	read map[plumbing.Hash]int
}

func (o *countingObject) Reader() (io.ReadCloser, error) {
	o.read[o.Hash()]++
	return o.EncodedObject.Reader()
}

// A blob over the limit is never read from the store: its size comes from the object header.
func TestTreeFSDoesNotReadBlobsOverTheLimit(t *testing.T) {
	for _, packed := range []bool{true, false} {
		t.Run(fmt.Sprintf("packed=%v", packed), func(t *testing.T) {
			repo := limitsRepo(t, map[string]string{"actions/a/big.bin": strings.Repeat("0", 3<<20)})
			if packed {
				repo.git("gc", "-q") // as in the mirror; else loose, as in a working repository
			}
			r, err := PlainOpen(repo.dir, &git.PlainOpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			big := plumbing.NewHash(repo.git("rev-parse", "HEAD:actions/a/big.bin"))
			cs := &countingStorer{EncodedObjectStorer: r.Storer, read: map[plumbing.Hash]int{}}
			snap, err := NewReader(Limits{FileSize: 1 << 20}).ReadTree(NewTreeFS(cs, plumbing.NewHash(repo.git("rev-parse", "HEAD^{tree}"))))
			if err != nil {
				t.Fatal(err)
			}
			if got := problems(snap.Errors); len(got) != 1 || !strings.Contains(got[0], "actions/a/big.bin: 3 MiB, over the limit of 1 MiB") {
				t.Errorf("got errors %q, want one for big.bin", got)
			}
			if cs.read[big] != 0 {
				t.Errorf("big.bin was read %d times, want never", cs.read[big])
			}
			if len(cs.read) == 0 {
				t.Errorf("no blob was read at all: the counter does not count")
			}
		})
	}
}

// A Store reports a commit over a limit as errors of its Snapshot; raising the limit deploys it.
func TestStoreLimits(t *testing.T) {
	repo := limitsRepo(t, map[string]string{"actions/a/big.bin": strings.Repeat("0", 64<<10)})
	for _, tt := range []struct {
		limit int64
		want  int
	}{{32 << 10, 1}, {0, 0}} {
		s, err := Open(Options{URL: repo.dir, DataDir: t.TempDir(), Limits: Limits{FileSize: tt.limit}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Fetch(context.Background()); err != nil {
			t.Fatal(err)
		}
		snap, err := s.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Errors) != tt.want {
			t.Errorf("limit %d: got errors %q, want %d", tt.limit, problems(snap.Errors), tt.want)
		}
	}
}

// A large blob goes into the mirror and past the snapshot without being held in memory: fetched
// from a working repository (a loose object), streamed into the mirror, refused from its header.
func TestLargeBlobIsNeverHeld(t *testing.T) {
	const size = 64 << 20
	repo := limitsRepo(t, nil)
	s, err := Open(Options{URL: repo.dir, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fetchSnapshot(t, s)
	f, err := os.Create(filepath.Join(repo.dir, "actions/a/zeros.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	repo.commit("zeros")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	snap := fetchSnapshot(t, s)
	runtime.ReadMemStats(&after)
	if got := problems(snap.Errors); len(got) != 1 || !strings.Contains(got[0], "actions/a/zeros.bin: 64 MiB, over the limit of 5 MiB") {
		t.Errorf("got errors %q, want one for zeros.bin", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/8 {
		t.Errorf("fetch and snapshot allocated %d MiB for a %d MiB blob, want far less", alloc>>20, size>>20)
	}
}
