package review

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/replay"
)

var update = flag.Bool("update", false, "rewrite the expected files of testdata/")

// TestGolden builds, for each testdata/<case>, a real repository by following <case>/steps (base,
// publish, commit, tag, move, head), reviews main against the feature branch and compares the
// Markdown, JSON and text reports with <case>/expected.{md,json,txt}. A case with records.json
// also runs the shadow of the head on those execution records, served as GET /v1/executions
// serves them.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/steps")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, steps := range cases {
		dir := filepath.Dir(steps)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			repo := buildRepo(t, dir)
			r, err := Open(repo.dir, "main")
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{}
			if recs, err := os.ReadFile(filepath.Join(dir, "records.json")); err == nil {
				opts.Shadow = &ShadowOptions{Client: &replay.Client{Addr: recordsServer(t, recs)}}
			}
			report, err := r.Validate(context.Background(), "main", "HEAD", opts)
			if err != nil {
				t.Fatal(err)
			}
			if report.Shadow != nil {
				report.Shadow.Daemon = "http://daemon.example" // not the test server's port
			}
			for _, f := range []struct{ format, file string }{
				{FormatMarkdown, "expected.md"}, {FormatJSON, "expected.json"}, {FormatText, "expected.txt"},
			} {
				var got bytes.Buffer
				if err := Render(&got, report, f.format); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, f.file)
				if *update {
					if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./review -update to write it)", err)
				}
				if got.String() != string(want) {
					t.Errorf("%s: got\n%s\nwant\n%s", f.file, got.String(), want)
				}
			}
		})
	}
}

// recordsServer serves recs (a JSON list of execution records, newest first) as a daemon's
// GET /v1/executions (trigger and limit filters, one page) and /v1/executions/{id}.
func recordsServer(t *testing.T, recs []byte) string {
	var list []map[string]any
	if err := json.Unmarshal(recs, &list); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/v1/executions/"); ok {
			for _, rec := range list {
				if rec["id"] == id {
					json.NewEncoder(w).Encode(rec)
					return
				}
			}
			http.NotFound(w, r)
			return
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		page := []map[string]any{}
		for _, rec := range list {
			if rec["trigger"] == r.URL.Query().Get("trigger") && len(page) < limit {
				page = append(page, rec)
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"executions": page})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// testRepo is a repository driven with the git CLI, with fixed identities and dates so that
// commit hashes are the same on every run.
type testRepo struct {
	t   *testing.T
	dir string
	// signingKey, when set, is the SSH private key tag signs with.
	signingKey string
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func buildRepo(t *testing.T, caseDir string) *testRepo {
	t.Helper()
	steps, err := os.ReadFile(filepath.Join(caseDir, "steps"))
	if err != nil {
		t.Fatal(err)
	}
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	for _, line := range strings.Split(strings.TrimSpace(string(steps)), "\n") {
		f := strings.Fields(line)
		switch f[0] {
		case "base":
			r.replace(filepath.Join(caseDir, "base"))
			r.commit("base")
		case "commit":
			r.replace(filepath.Join(caseDir, f[1]))
			r.commit(f[1])
		case "head":
			r.git("checkout", "-q", "-b", "feature")
			r.replace(filepath.Join(caseDir, "head"))
			r.commit("head")
		case "publish": // publish MODULE N: record the folder in the lock, commit, annotated tag
			tree := r.git("rev-parse", "HEAD:modules/"+f[1])
			l := r.lock()
			var n int
			if _, err := fmtSscan(f[2], &n); err != nil {
				t.Fatal(err)
			}
			l.SetRecord(f[1], n, &lockfile.VersionRecord{Tree: tree, Commit: r.git("rev-parse", "HEAD")})
			r.writeLock(l)
			r.commit("publish modules/" + f[1] + "/v" + f[2])
			r.git("tag", "-a", "-m", f[1]+" v"+f[2], "modules/"+f[1]+"/v"+f[2])
		case "tag":
			r.git("tag", f[1])
		case "move":
			r.git("tag", "-f", f[1])
		default:
			t.Fatalf("steps: unknown step %q", line)
		}
	}
	return r
}

// tag makes an annotated tag at HEAD, signed with r.signingKey when there is one.
func (r *testRepo) tag(name string) {
	if r.signingKey == "" {
		r.git("tag", "-a", "-m", name, name)
		return
	}
	r.git("-c", "gpg.format=ssh", "-c", "user.signingkey="+r.signingKey, "tag", "-s", "-m", name, name)
}

func (r *testRepo) commit(msg string) {
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

func (r *testRepo) lock() *lockfile.Lock {
	data, err := os.ReadFile(filepath.Join(r.dir, lockfile.Name))
	if os.IsNotExist(err) {
		return lockfile.New()
	}
	if err != nil {
		r.t.Fatal(err)
	}
	l, err := lockfile.Parse(data)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

func (r *testRepo) writeLock(l *lockfile.Lock) {
	data, err := l.Marshal()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, lockfile.Name), data, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// replace makes the working tree src's files, keeping the version records of the current lock.
func (r *testRepo) replace(src string) {
	r.t.Helper()
	var records map[string]map[int]*lockfile.VersionRecord
	if _, err := os.Stat(filepath.Join(r.dir, lockfile.Name)); err == nil {
		records = r.lock().Modules
	}
	entries, _ := os.ReadDir(r.dir)
	for _, e := range entries {
		if e.Name() != ".git" {
			os.RemoveAll(filepath.Join(r.dir, e.Name()))
		}
	}
	if err := os.CopyFS(r.dir, os.DirFS(src)); err != nil {
		r.t.Fatal(err)
	}
	if records == nil {
		return
	}
	l := r.lock()
	for name, vs := range records {
		for n, rec := range vs {
			if l.Record(name, n) == nil {
				l.SetRecord(name, n, rec)
			}
		}
	}
	r.writeLock(l)
}

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }
