package publish

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/gitcli"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/review"
)

func TestDecide(t *testing.T) {
	const tree, other = "aaaaaaaaaa", "bbbbbbbbbb"
	tests := []struct {
		name     string
		versions []*review.VersionInfo
		deploy   bool
		want     Plan
		wantErr  string
	}{
		{name: "branch, first version", want: Plan{Version: 1, Record: true}},
		{name: "branch, changed draft records the next",
			versions: []*review.VersionInfo{{Number: 1, Tree: other, Recorded: true, Tag: "modules/logger/v1"}, {Number: 2, Tree: other, Tag: "modules/logger/v2", Pending: true}},
			want:     Plan{Version: 3, Record: true}},
		{name: "branch, draft is recorded already",
			versions: []*review.VersionInfo{{Number: 1, Tree: tree, Recorded: true}},
			wantErr:  "publish logger: no change: modules/logger at HEAD is v1 already (recorded)"},
		{name: "branch, a pending tag of the draft is not published",
			versions: []*review.VersionInfo{{Number: 1, Tree: tree, Tag: "modules/logger/v1", Pending: true}},
			want:     Plan{Version: 2, Record: true}},
		{name: "deploy, first version records and tags", deploy: true, want: Plan{Version: 1, Record: true, Tag: true}},
		{name: "deploy, recorded version is tagged", deploy: true,
			versions: []*review.VersionInfo{{Number: 1, Tree: other, Recorded: true, Tag: "modules/logger/v1"}, {Number: 2, Tree: tree, Recorded: true}},
			want:     Plan{Version: 2, Tag: true}},
		{name: "deploy, tagged already", deploy: true,
			versions: []*review.VersionInfo{{Number: 1, Tree: tree, Recorded: true, Tag: "modules/logger/v1"}},
			wantErr:  "publish logger: no change: modules/logger at HEAD is published as v1 (tag modules/logger/v1)"},
		{name: "deploy, moved tag", deploy: true,
			versions: []*review.VersionInfo{{Number: 1, Tree: tree, Recorded: true, Tag: "modules/logger/v1", Moved: true}},
			wantErr:  "publish logger: tag modules/logger/v1 names other content than its record in actionsd.lock; fix the tag first"},
		{name: "deploy, tag off the deploy branch", deploy: true,
			versions: []*review.VersionInfo{{Number: 1, Tree: tree, Recorded: true, Tag: "modules/logger/v1", Pending: true}},
			wantErr:  "publish logger: tag modules/logger/v1 exists but its commit is not on main; push or merge it"},
		{name: "deploy, another content recorded and not tagged", deploy: true,
			versions: []*review.VersionInfo{{Number: 1, Tree: other, Recorded: true}},
			wantErr:  "publish logger: v1 is recorded in actionsd.lock (tree bbbbbbb) but not tagged, and modules/logger at HEAD (tree aaaaaaa) is not that content; restore it or record it on a branch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &review.State{Versions: map[string]map[int]*review.VersionInfo{"logger": {}}}
			for _, v := range tt.versions {
				v.Module = "logger"
				st.Versions["logger"][v.Number] = v
			}
			got, err := Decide(st, "logger", tree, tt.deploy, "main")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got %+v, error %v, want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
}

// repo is a git repository in a temporary folder with the logger module committed on main.
type repo struct {
	t      *testing.T
	dir    string
	remote string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
		"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.DevNull,
	} {
		t.Setenv(k, v)
	}
	r := &repo{t: t, dir: t.TempDir(), remote: filepath.Join(t.TempDir(), "remote.git")}
	r.git("init", "-q", "-b", "main")
	r.git("init", "-q", "--bare", r.remote)
	r.git("remote", "add", "origin", r.remote)
	r.write("modules/logger/module.yaml", "secrets: []\n")
	r.write("modules/logger/index.js", "module.exports = { log: (m) => m };\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "logger")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := gitcli.Run(context.Background(), r.dir, args...)
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

func (r *repo) write(rel, data string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// change commits a new draft of logger.
func (r *repo) change(v string) {
	r.t.Helper()
	r.write("modules/logger/index.js", "module.exports = { log: (m) => m, v: "+v+" };\n")
	r.git("commit", "-q", "-am", "logger "+v)
}

func (r *repo) lock() *lockfile.Lock {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, lockfile.Name))
	if err != nil {
		r.t.Fatal(err)
	}
	l, err := lockfile.Parse(data)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

// TestRun publishes through the real git CLI on a temporary repository: each case sets the
// repository up, publishes logger, and checks the result, the error, the lock, the tags and the
// remote.
func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(r *repo)
		opts    Options
		want    Result // Tree, RecordCommit and TagCommit are checked against the repository
		wantErr string
		check   func(t *testing.T, r *repo, res *Result)
	}{
		{name: "dirty working tree",
			setup:   func(r *repo) { r.write("modules/logger/index.js", "// edited\n") },
			wantErr: "publish logger: the working tree has uncommitted changes; commit or stash them first"},
		{name: "detached HEAD",
			setup:   func(r *repo) { r.git("switch", "-q", "--detach") },
			wantErr: "publish logger: HEAD is detached; switch to a branch"},
		{name: "no such module",
			setup: func(r *repo) {
				r.git("rm", "-q", "-r", "modules/logger")
				r.write("modules/other/module.yaml", "secrets: []\n")
				r.write("modules/other/index.js", "module.exports = {};\n")
				r.git("add", "-A")
				r.git("commit", "-q", "-m", "other")
			},
			wantErr: "publish logger: there is no modules/logger at HEAD"},
		{name: "validation fails",
			setup: func(r *repo) {
				r.write("modules/logger/index.js", "module.exports = {\n")
				r.git("commit", "-q", "-am", "broken")
			},
			wantErr: "publish logger: validation failed:\n  modules/logger/index.js:"},
		{name: "branch records the first version",
			setup: func(r *repo) { r.git("switch", "-q", "-c", "feature") },
			want:  Result{Branch: "feature", Recorded: 1},
			check: func(t *testing.T, r *repo, res *Result) {
				if got := r.git("log", "-1", "--format=%s"); got != "publish logger v1" {
					t.Errorf("commit subject %q", got)
				}
				if tags := r.git("tag", "-l"); tags != "" {
					t.Errorf("a branch publish tagged %q", tags)
				}
			}},
		{name: "branch pushes the branch",
			setup: func(r *repo) { r.git("switch", "-q", "-c", "feature") },
			opts:  Options{Push: true, Remote: "origin"},
			want:  Result{Branch: "feature", Recorded: 1, Pushed: []string{"HEAD:refs/heads/feature"}},
			check: func(t *testing.T, r *repo, res *Result) {
				if got := r.git("--git-dir", r.remote, "rev-parse", "feature"); got != res.RecordCommit {
					t.Errorf("remote feature at %s, want %s", got, res.RecordCommit)
				}
			}},
		{name: "branch with the draft recorded already",
			setup: func(r *repo) {
				r.git("switch", "-q", "-c", "feature")
				if _, err := Run(context.Background(), open(r), "logger", Options{}); err != nil {
					r.t.Fatal(err)
				}
			},
			wantErr: "publish logger: no change: modules/logger at HEAD is v1 already (recorded)"},
		{name: "deploy records and tags",
			opts: Options{Push: true, Remote: "origin", Message: "first"},
			want: Result{Branch: "main", Deploy: true, Recorded: 1, Tag: "modules/logger/v1",
				Pushed: []string{"HEAD:refs/heads/main", "refs/tags/modules/logger/v1"}},
			check: func(t *testing.T, r *repo, res *Result) {
				if res.TagCommit != res.RecordCommit {
					t.Errorf("tagged %s, want the recording commit %s", res.TagCommit, res.RecordCommit)
				}
				if got := r.git("tag", "-l", "--format=%(objecttype) %(contents:subject)"); got != "tag first" {
					t.Errorf("tag: %q, want an annotated tag with the message", got)
				}
				if got := r.git("--git-dir", r.remote, "tag", "-l"); got != "modules/logger/v1" {
					t.Errorf("remote tags %q", got)
				}
			}},
		{name: "deploy tags a merged record",
			setup: func(r *repo) {
				r.git("switch", "-q", "-c", "feature")
				if _, err := Run(context.Background(), open(r), "logger", Options{}); err != nil {
					r.t.Fatal(err)
				}
				r.git("switch", "-q", "main")
				r.git("merge", "-q", "--ff-only", "feature")
			},
			want: Result{Branch: "main", Deploy: true, Tag: "modules/logger/v1"},
			check: func(t *testing.T, r *repo, res *Result) {
				if head := r.git("rev-parse", "HEAD"); res.TagCommit != head {
					t.Errorf("tagged %s, want HEAD %s", res.TagCommit, head)
				}
				if got := r.git("tag", "-l", "--format=%(contents:subject)"); got != "logger v1" {
					t.Errorf("tag message %q", got)
				}
			}},
		{name: "deploy with the draft tagged already",
			setup: func(r *repo) {
				if _, err := Run(context.Background(), open(r), "logger", Options{}); err != nil {
					r.t.Fatal(err)
				}
			},
			wantErr: "publish logger: no change: modules/logger at HEAD is published as v1 (tag modules/logger/v1)"},
		{name: "deploy records the next version after a change",
			setup: func(r *repo) {
				if _, err := Run(context.Background(), open(r), "logger", Options{}); err != nil {
					r.t.Fatal(err)
				}
				r.change("2")
			},
			want: Result{Branch: "main", Deploy: true, Recorded: 2, Tag: "modules/logger/v2"},
			check: func(t *testing.T, r *repo, res *Result) {
				if r.lock().Record("logger", 1) == nil {
					t.Errorf("the record of v1 is gone")
				}
			}},
		{name: "push to a missing remote fails after the tag",
			opts:    Options{Push: true, Remote: "nowhere"},
			want:    Result{Branch: "main", Deploy: true, Recorded: 1, Tag: "modules/logger/v1"},
			wantErr: "git push nowhere HEAD:refs/heads/main refs/tags/modules/logger/v1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			if tt.setup != nil {
				tt.setup(r)
			}
			res, err := Run(context.Background(), open(r), "logger", tt.opts)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
			}
			if tt.wantErr != "" && tt.want.Branch == "" {
				return
			}
			if res.Branch != tt.want.Branch || res.Deploy != tt.want.Deploy || res.Recorded != tt.want.Recorded ||
				res.Tag != tt.want.Tag || strings.Join(res.Pushed, " ") != strings.Join(tt.want.Pushed, " ") {
				t.Errorf("got %+v, want %+v", res, tt.want)
			}
			if tt.want.Recorded > 0 {
				rec := r.lock().Record("logger", tt.want.Recorded)
				if tree := r.git("rev-parse", res.RecordCommit+":modules/logger"); rec == nil || rec.Tree != tree || res.Tree != tree {
					t.Errorf("record %+v, result tree %s, want tree %s", rec, res.Tree, tree)
				}
				if head := r.git("rev-parse", "HEAD"); res.RecordCommit != head {
					t.Errorf("recording commit %s, HEAD %s", res.RecordCommit, head)
				}
			}
			if tt.want.Tag != "" {
				if got := r.git("rev-parse", tt.want.Tag+"^{commit}"); got != res.TagCommit {
					t.Errorf("tag %s at %s, result says %s", tt.want.Tag, got, res.TagCommit)
				}
			}
			if tt.check != nil {
				tt.check(t, r, res)
			}
		})
	}
}

func open(r *repo) *review.Repo {
	r.t.Helper()
	rr, err := review.Open(r.dir, "main")
	if err != nil {
		r.t.Fatal(err)
	}
	return rr
}
