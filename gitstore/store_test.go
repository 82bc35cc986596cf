package gitstore

import (
	"context"
	"encoding/json"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/diag"
)

var quickstart = map[string]string{
	"triggers.yaml": "post-login: [enrich-claims]\n",
	"actions/enrich-claims/action.yaml": `trigger: post-login
modules:
  logger: 1
secrets: [SLACK_WEBHOOK]
dependencies:
  lodash: 4.17.21
timeout: 5s
`,
	"actions/enrich-claims/index.js": "exports.onExecutePostLogin = async () => {};\n",
	"modules/logger/module.yaml": `description: Send logs to an external service
secrets: [SERVICE_URL, API_KEY]
dependencies:
  axios: 1.7.9
`,
	"modules/logger/index.js":       "module.exports = require('./lib/send');\n",
	"modules/logger/lib/send.js":    "exports.sendLog = async () => {};\n",
	"actions/log-login/action.yaml": "trigger: post-login\n",
	"actions/log-login/index.ts":    "export const onExecutePostLogin = async () => {};\n",
}

func openStore(t *testing.T, url, dataDir string) *Store {
	t.Helper()
	s, err := Open(Options{URL: url, DataDir: dataDir, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// fetchSnapshot fetches and snapshots.
func fetchSnapshot(t *testing.T, s *Store) *Snapshot {
	t.Helper()
	ctx := context.Background()
	if err := s.Fetch(ctx); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return snap
}

func problems(ps diag.List) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

func wantNoProblems(t *testing.T, snap *Snapshot) {
	t.Helper()
	if len(snap.Errors) > 0 || len(snap.Warnings) > 0 {
		t.Fatalf("got errors %q and warnings %q, want none", problems(snap.Errors), problems(snap.Warnings))
	}
}

func TestStoreSnapshot(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	first := repo.commit("quickstart")
	repo.git("tag", "modules/logger/v1")
	repo.write(map[string]string{"README.md": "hello\n"})
	head := repo.commit("readme")

	bare := filepath.Join(t.TempDir(), "bare.git")
	repo.git("clone", "-q", "--bare", repo.dir, bare)

	tests := []struct {
		name string
		give string
	}{
		{name: "local path", give: repo.dir},
		{name: "relative path", give: mustRel(t, repo.dir)},
		{name: "file url", give: "file://" + filepath.ToSlash(repo.dir)},
		{name: "bare repository", give: bare},
		{name: "http", give: serveHTTP(t, filepath.Dir(repo.dir)) + "/" + filepath.Base(repo.dir)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, tt.give, t.TempDir())
			snap := fetchSnapshot(t, s)
			wantNoProblems(t, snap)
			if snap.Commit != head || snap.Branch != "main" {
				t.Errorf("got commit %s on %s, want %s on main", snap.Commit, snap.Branch, head)
			}
			if got, err := s.Head(context.Background()); err != nil || got != head {
				t.Errorf("Head: got %s, %v, want %s", got, err, head)
			}
			if key, err := s.RefsKey(context.Background()); err != nil || key != snap.Refs {
				t.Errorf("RefsKey: got %s, %v, want %s", key, err, snap.Refs)
			}

			wantBindings := []Binding{{Action: "enrich-claims", Pos: diag.Pos{File: "triggers.yaml", Line: 1, Col: 14}}}
			if got := snap.Triggers.Bindings["post-login"]; !reflect.DeepEqual(got, wantBindings) {
				t.Errorf("bindings: got %+v, want %+v", got, wantBindings)
			}

			a := snap.Actions["enrich-claims"]
			if a == nil {
				t.Fatalf("no action enrich-claims in %v", snap.Actions)
			}
			wantAction := &Action{
				Name: "enrich-claims", Dir: "actions/enrich-claims", Version: first, Tree: repo.git("rev-parse", "HEAD:actions/enrich-claims"),
				Trigger: "post-login", TriggerPos: diag.Pos{File: "actions/enrich-claims/action.yaml", Line: 1, Col: 10},
				Modules:      map[string]ModulePin{"logger": {Version: 1, Pos: diag.Pos{File: "actions/enrich-claims/action.yaml", Line: 3, Col: 11}}},
				Secrets:      []string{"SLACK_WEBHOOK"},
				Dependencies: map[string]string{"lodash": "4.17.21"},
				Timeout:      5 * time.Second,
				Entry:        "index.js",
				Files: map[string][]byte{
					"action.yaml": []byte(quickstart["actions/enrich-claims/action.yaml"]),
					"index.js":    []byte(quickstart["actions/enrich-claims/index.js"]),
				},
			}
			if !reflect.DeepEqual(a, wantAction) {
				t.Errorf("action:\ngot  %+v\nwant %+v", a, wantAction)
			}
			if got := snap.Actions["log-login"]; got == nil || got.Entry != "index.ts" {
				t.Errorf("log-login: got %+v, want entry index.ts", got)
			}

			draft := snap.Drafts["logger"]
			if draft == nil || draft.Description != "Send logs to an external service" || !slices.Equal(draft.Secrets, []string{"SERVICE_URL", "API_KEY"}) ||
				draft.Dependencies["axios"] != "1.7.9" || draft.Entry != "index.js" || string(draft.Files["lib/send.js"]) != quickstart["modules/logger/lib/send.js"] {
				t.Errorf("draft logger: got %+v", draft)
			}
			v1 := snap.Modules["logger"].Versions[1]
			if v1 == nil || v1.Tag != "modules/logger/v1" || v1.Commit != first || v1.Moved || v1.Module.Tree != draft.Tree || v1.Tree != draft.Tree ||
				v1.Module.Entry != "index.js" || v1.Module.Name != "logger" || v1.Module.Dir != "modules/logger" {
				t.Errorf("logger v1: got %+v", v1)
			}
		})
	}
}

func mustRel(t *testing.T, dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// serveHTTP serves the repositories under root over git's smart HTTP protocol (git http-backend)
// and returns the server's URL.
func serveHTTP(t *testing.T, root string) string {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	srv := httptest.NewUnstartedServer(&cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"},
	})
	srv.Config.SetKeepAlivesEnabled(false) // no idle connections left behind for goleak
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVersions(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	c1 := repo.commit("v1 of logger")
	tree1 := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "modules/logger/v1")

	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 2};\n"})
	c2 := repo.commit("v2 of logger")
	tree2 := repo.git("rev-parse", "HEAD:modules/logger")
	repo.git("tag", "-a", "-m", "logger v2", "modules/logger/v2")

	// v3 is tagged on a branch that is not merged yet.
	repo.git("checkout", "-q", "-b", "feature")
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 3};\n"})
	c3 := repo.commit("v3 of logger")
	repo.git("tag", "-a", "-m", "logger v3", "modules/logger/v3")
	repo.git("checkout", "-q", "main")

	// Tags under modules/ that are not versions.
	repo.git("tag", "modules/logger/v0")
	repo.git("tag", "modules/logger/v01")
	repo.git("tag", "modules/logger/latest")
	repo.git("tag", "release-1") // not under modules/: ignored

	dataDir := t.TempDir()
	s := openStore(t, repo.dir, dataDir)
	snap := fetchSnapshot(t, s)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %q", problems(snap.Errors))
	}
	wantWarnings := []string{
		"modules/logger: tag modules/logger/latest is not a module version (want modules/<name>/v<N>, N = 1, 2, …); ignored",
		"modules/logger: tag modules/logger/v0 is not a module version (want modules/<name>/v<N>, N = 1, 2, …); ignored",
		"modules/logger: tag modules/logger/v01 is not a module version (want modules/<name>/v<N>, N = 1, 2, …); ignored",
		"modules/logger: tag modules/logger/v3 is pending: commit " + c3[:7] + " is not reachable from main; not published yet",
	}
	if got := problems(snap.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, wantWarnings)
	}
	versions := snap.Modules["logger"].Versions
	if len(versions) != 2 || versions[1].Commit != c1 || versions[1].Tree != tree1 || versions[2].Commit != c2 || versions[2].Tree != tree2 {
		t.Fatalf("versions: got %+v", versions)
	}
	if got := string(versions[2].Module.Files["index.js"]); got != "module.exports = {v: 2};\n" {
		t.Errorf("v2 index.js: got %q", got)
	}
	recs := readRecords(t, dataDir)
	if len(recs) != 2 || recs[0].Tag != "modules/logger/v1" || recs[0].Tree != tree1 || recs[0].Commit != c1 || recs[1].Tree != tree2 {
		t.Errorf("records: got %+v", recs)
	}
	for _, tag := range []string{"modules/logger/v0", "modules/logger/v01", "modules/logger/latest", "release-1"} {
		repo.git("tag", "-d", tag)
	}

	// Merging the branch publishes v3.
	repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	snap = fetchSnapshot(t, s)
	wantNoProblems(t, snap)
	if v3 := snap.Modules["logger"].Versions[3]; v3 == nil || v3.Commit != c3 {
		t.Fatalf("v3 after merge: got %+v", v3)
	}

	// Force-moving v1 to other content: v1 keeps its recorded content.
	repo.write(map[string]string{"modules/logger/index.js": "module.exports = {v: 'moved'};\n"})
	c4 := repo.commit("rewrite logger")
	repo.git("tag", "-f", "modules/logger/v1")
	// Moving v2 (annotated) to a commit with the same module folder is not a move.
	repo.git("tag", "-f", "-a", "-m", "logger v2 again", "modules/logger/v2", "feature~1")
	snap = fetchSnapshot(t, s)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %q", problems(snap.Errors))
	}
	wantWarnings = []string{
		"modules/logger: tag modules/logger/v1 moved from " + c1[:7] + " to " + c4[:7] + "; v1 keeps serving its recorded content",
	}
	if got := problems(snap.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, wantWarnings)
	}
	versions = snap.Modules["logger"].Versions
	if v1 := versions[1]; !v1.Moved || v1.Tree != tree1 || v1.Commit != c1 || v1.Module.Tree != tree1 ||
		string(v1.Module.Files["index.js"]) != quickstart["modules/logger/index.js"] {
		t.Errorf("moved v1: got %+v", v1)
	}
	if v2 := versions[2]; v2.Moved || v2.Tree != tree2 {
		t.Errorf("v2 retagged with the same content: got %+v", v2)
	}

	// A deleted tag keeps resolving from its record.
	repo.git("tag", "-d", "modules/logger/v3")
	snap = fetchSnapshot(t, s)
	wantWarnings = append(wantWarnings, "modules/logger: tag modules/logger/v3 was deleted; v3 keeps serving its recorded content (commit "+c3[:7]+")")
	if got := problems(snap.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, wantWarnings)
	}
	if v3 := snap.Modules["logger"].Versions[3]; v3 == nil || !v3.Moved || !v3.Deleted || string(v3.Module.Files["index.js"]) != "module.exports = {v: 3};\n" {
		t.Errorf("deleted v3: got %+v", v3)
	}

	// A restarted daemon (a new Store on the same data dir) remembers the records.
	s2 := openStore(t, repo.dir, dataDir)
	snap2 := fetchSnapshot(t, s2)
	if got := problems(snap2.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("after restart, warnings:\ngot  %q\nwant %q", got, wantWarnings)
	}
	if v1 := snap2.Modules["logger"].Versions[1]; !v1.Moved || v1.Tree != tree1 {
		t.Errorf("after restart, v1: got %+v", v1)
	}
	if recs := readRecords(t, dataDir); len(recs) != 3 {
		t.Errorf("records: got %+v, want 3", recs)
	}
}

func readRecords(t *testing.T, dataDir string) []*record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dataDir, "versions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc recordsJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Versions
}

func TestPublishedVersionWithErrors(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(map[string]string{
		"modules/logger/module.yaml": "description: x\ncolour: red\n",
		"modules/logger/index.js":    "",
	})
	repo.commit("broken logger")
	repo.git("tag", "modules/logger/v1")
	repo.write(map[string]string{"modules/logger/module.yaml": "description: x\n"})
	repo.commit("fixed logger")

	snap := fetchSnapshot(t, openStore(t, repo.dir, t.TempDir()))
	want := []string{"modules/logger/v1:modules/logger/module.yaml:2:1: colour: unknown field (known fields: description, secrets, dependencies)"}
	if got := problems(snap.Errors); !slices.Equal(got, want) {
		t.Errorf("errors:\ngot  %q\nwant %q", got, want)
	}
}

func TestActionVersion(t *testing.T) {
	repo := newTestRepo(t)
	s := openStore(t, repo.dir, t.TempDir())
	check := func(want map[string]string) {
		t.Helper()
		snap := fetchSnapshot(t, s)
		fresh := fetchSnapshot(t, openStore(t, repo.dir, t.TempDir())) // no memo: must agree
		for _, sn := range []*Snapshot{snap, fresh} {
			got := map[string]string{}
			for name, a := range sn.Actions {
				got[name] = a.Version
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("at %s: got versions %v, want %v", repo.git("log", "--oneline", "-1"), got, want)
			}
		}
	}
	action := func(name, body string) map[string]string {
		return map[string]string{
			"actions/" + name + "/action.yaml": "trigger: post-login\n",
			"actions/" + name + "/index.js":    body,
		}
	}
	repo.write(action("a", "// a1\n"))
	repo.write(action("b", "// b1\n"))
	c1 := repo.commit("add a and b")
	check(map[string]string{"a": c1, "b": c1})

	repo.write(action("a", "// a2\n"))
	c2 := repo.commit("change a")
	repo.write(map[string]string{"modules/m/module.yaml": "", "modules/m/index.js": ""})
	repo.commit("add module")
	check(map[string]string{"a": c2, "b": c1})

	repo.write(map[string]string{"actions/b/lib/x.js": "// x\n"})
	c4 := repo.commit("change b")
	repo.write(action("a", "// a1\n")) // back to the content of c1: still a change
	c5 := repo.commit("revert a")
	check(map[string]string{"a": c5, "b": c4})

	// A merge commit is the version of what its branch changed.
	repo.git("checkout", "-q", "-b", "topic")
	repo.write(action("b", "// b3\n"))
	repo.commit("change b on topic")
	repo.git("checkout", "-q", "main")
	repo.write(action("c", "// c1\n"))
	c6 := repo.commit("add c")
	repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic")
	merge := repo.git("rev-parse", "HEAD")
	check(map[string]string{"a": c5, "b": merge, "c": c6})

	// Removing and re-adding.
	repo.remove("actions/c")
	repo.commit("remove c")
	repo.write(action("c", "// c1\n"))
	c8 := repo.commit("re-add c")
	check(map[string]string{"a": c5, "b": merge, "c": c8})

	// History rewritten under the store (force push): versions follow the new history.
	repo.git("reset", "-q", "--hard", c2)
	check(map[string]string{"a": c2, "b": c1})
}

func TestFetchPrunesAndRefsKey(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.commit("quickstart")
	repo.git("branch", "tmp")
	repo.git("tag", "modules/logger/v1")

	dataDir := t.TempDir()
	s := openStore(t, "file://"+repo.dir, dataDir)
	snap := fetchSnapshot(t, s)
	ctx := context.Background()
	mirrorRefs := func() string {
		cmd := exec.Command("git", "--git-dir", filepath.Join(dataDir, "git"), "for-each-ref", "--format=%(refname)")
		cmd.Env = gitEnv
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("for-each-ref: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got, want := mirrorRefs(), "refs/heads/main\nrefs/heads/tmp\nrefs/tags/modules/logger/v1"; got != want {
		t.Errorf("mirror refs: got %q, want %q", got, want)
	}
	if err := s.Fetch(ctx); err != nil { // up to date
		t.Fatalf("second Fetch: %v", err)
	}
	if key, _ := s.RefsKey(ctx); key != snap.Refs {
		t.Errorf("RefsKey changed without a change: %s, want %s", key, snap.Refs)
	}

	repo.git("branch", "-D", "tmp")
	repo.git("tag", "-d", "modules/logger/v1")
	if err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := mirrorRefs(), "refs/heads/main"; got != want {
		t.Errorf("mirror refs after prune: got %q, want %q", got, want)
	}
	if key, _ := s.RefsKey(ctx); key == snap.Refs {
		t.Errorf("RefsKey unchanged after deleting a tag")
	}
	// The mirror is a repository git itself can read.
	cmd := exec.Command("git", "--git-dir", filepath.Join(dataDir, "git"), "fsck", "--no-dangling")
	cmd.Env = gitEnv
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("git fsck of the mirror: %v\n%s", err, out)
	}
}

func TestStoreErrors(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.commit("quickstart")
	ctx := context.Background()

	for _, tt := range []struct {
		name    string
		give    Options
		wantErr string
	}{
		{name: "no url", give: Options{DataDir: "x"}, wantErr: "open repository: no url"},
		{name: "no data dir", give: Options{URL: "x"}, wantErr: "open repository: no data dir"},
		{name: "bad branch", give: Options{URL: "x", DataDir: "x", Branch: "a..b"}, wantErr: `open repository: branch "a..b": invalid reference name`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.give)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got %v, want %s", err, tt.wantErr)
			}
		})
	}

	s, err := Open(Options{URL: repo.dir, DataDir: t.TempDir(), Branch: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx); err == nil || !strings.Contains(err.Error(), "not fetched yet") {
		t.Errorf("Snapshot before Fetch: got %v, want not fetched yet", err)
	}
	if err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx); err == nil || !strings.Contains(err.Error(), "branch deploy") {
		t.Errorf("Snapshot of a missing branch: got %v, want an error naming branch deploy", err)
	}

	s, err = Open(Options{URL: filepath.Join(t.TempDir(), "nothing"), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fetch(ctx); err == nil || !strings.Contains(err.Error(), "fetch ") {
		t.Errorf("Fetch of a missing repository: got %v", err)
	}

	s, err = Open(Options{URL: "https://user:secret@127.0.0.1:1/repo.git", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fetch(ctx); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Fetch of an unreachable remote: got %v, want an error without the password", err)
	}
}

// TestHTTPRemote fetches through go-git's HTTP transport (git http-backend serving the
// repository): a force-moved tag is seen, and deleted tags and branches are pruned.
func TestHTTPRemote(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	c1 := repo.commit("quickstart")
	repo.git("tag", "-a", "-m", "v1", "modules/logger/v1")
	repo.git("tag", "modules/logger/v2")
	repo.git("branch", "tmp")
	url := serveHTTP(t, filepath.Dir(repo.dir)) + "/" + filepath.Base(repo.dir)

	s := openStore(t, url, t.TempDir())
	snap := fetchSnapshot(t, s)
	wantNoProblems(t, snap)
	if got := len(snap.Modules["logger"].Versions); got != 2 {
		t.Fatalf("got %d versions, want 2", got)
	}

	repo.write(map[string]string{"modules/logger/index.js": "// moved\n"})
	c2 := repo.commit("change logger")
	repo.git("tag", "-f", "-a", "-m", "v1 moved", "modules/logger/v1")
	repo.git("tag", "-d", "modules/logger/v2")
	repo.git("branch", "-D", "tmp")
	snap = fetchSnapshot(t, s)
	want := []string{
		"modules/logger: tag modules/logger/v1 moved from " + c1[:7] + " to " + c2[:7] + "; v1 keeps serving its recorded content",
		"modules/logger: tag modules/logger/v2 was deleted; v2 keeps serving its recorded content (commit " + c1[:7] + ")",
	}
	if got := problems(snap.Warnings); !slices.Equal(got, want) {
		t.Errorf("warnings:\ngot  %q\nwant %q", got, want)
	}
	if snap.Commit != c2 {
		t.Errorf("got commit %s, want %s", snap.Commit, c2)
	}
	if _, err := s.repo.Reference("refs/heads/tmp", false); err == nil {
		t.Errorf("branch tmp was not pruned from the mirror")
	}
	if err := s.Fetch(context.Background()); err != nil {
		t.Errorf("Fetch when up to date: %v", err)
	}
}

// TestReachabilityAfterForcePush: a deploy branch rewritten to a history that does not contain
// the old HEAD is walked afresh.
func TestReachabilityAfterForcePush(t *testing.T) {
	repo := newTestRepo(t)
	repo.write(quickstart)
	repo.commit("quickstart")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write(map[string]string{"modules/logger/index.js": "// v1\n"})
	c2 := repo.commit("logger v1")
	repo.git("tag", "modules/logger/v1")
	repo.git("checkout", "-q", "main")
	repo.write(map[string]string{"README.md": "x\n"})
	repo.commit("readme")

	s := openStore(t, repo.dir, t.TempDir())
	snap := fetchSnapshot(t, s)
	want := []string{"modules/logger: tag modules/logger/v1 is pending: commit " + c2[:7] + " is not reachable from main; not published yet"}
	if got := problems(snap.Warnings); !slices.Equal(got, want) {
		t.Fatalf("warnings:\ngot  %q\nwant %q", got, want)
	}

	repo.git("reset", "-q", "--hard", "feature") // main no longer contains the old HEAD
	snap = fetchSnapshot(t, s)
	wantNoProblems(t, snap)
	if v1 := snap.Modules["logger"].Versions[1]; v1 == nil || v1.Commit != c2 {
		t.Errorf("v1: got %+v, want published at %s", v1, c2)
	}
}
