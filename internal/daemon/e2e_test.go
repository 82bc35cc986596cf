package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	gosync "sync"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/internal/clitest"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// gitRepo is clitest.Repo under the names the tests here use.
type gitRepo struct {
	*clitest.Repo
	t   testing.TB
	dir string
}

func newGitRepo(t testing.TB) *gitRepo {
	t.Helper()
	r := clitest.NewRepo(t)
	return &gitRepo{Repo: r, t: t, dir: r.Dir}
}

func (r *gitRepo) git(args ...string) string  { r.t.Helper(); return r.Git(args...) }
func (r *gitRepo) write(path, content string) { r.t.Helper(); r.Write(path, content) }
func (r *gitRepo) read(path string) string    { r.t.Helper(); return r.Read(path) }
func (r *gitRepo) commit(msg string) string   { r.t.Helper(); return r.Commit(msg) }

// copyQuickstart writes examples/quickstart into the repository.
func (r *gitRepo) copyQuickstart() {
	r.t.Helper()
	src, err := fs.Sub(examples.FS, "quickstart")
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.CopyFS(r.dir, src); err != nil {
		r.t.Fatal(err)
	}
}

// recordingSink is the log service the logger module posts to.
type recordingSink struct {
	*httptest.Server
	mu   gosync.Mutex
	reqs []sinkRequest
}

type sinkRequest struct {
	Method, Path, APIKey string
	Body                 map[string]any
}

func newSink(t *testing.T) *recordingSink {
	s := &recordingSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.reqs = append(s.reqs, sinkRequest{Method: r.Method, Path: r.URL.Path, APIKey: r.Header.Get("X-API-Key"), Body: body})
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *recordingSink) last(t *testing.T) sinkRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("the sink received no request")
	}
	return s.reqs[len(s.reqs)-1]
}

// testDaemon runs a daemon over repo with secrets, until the test ends.
type testDaemon struct {
	t   testing.TB
	url string
	rec *sync.Reconciler
}

func startDaemon(t *testing.T, repo string, secrets vaultsecrets.Source, token string) *testDaemon {
	t.Helper()
	cfg := testConfig(t, repo)
	cfg.Token = token
	cfg.Egress.Allow = []string{"127.0.0.1"}
	d, err := newDaemon(cfg, secrets, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return runDaemon(t, d)
}

// testConfig is where every test daemon starts: loopback on any port, a fresh data dir, and neither
// polling nor watching, because each test drives its own syncs.
func testConfig(t testing.TB, repo string) config.Config {
	cfg := config.Default()
	cfg.Repo = repo
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.PollInterval = -1
	noWatch := false
	cfg.Watch = &noWatch
	return cfg
}

// runDaemon runs d until the test ends, then checks that it stopped cleanly.
func runDaemon(t testing.TB, d *Daemon) *testDaemon {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return &testDaemon{t: t, url: d.URL(), rec: d.rec}
}

func (d *testDaemon) do(method, path, token string, body []byte) (int, []byte) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.url+path, bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (d *testDaemon) sync(token string) sync.Status {
	d.t.Helper()
	code, body := d.do("POST", "/v1/sync", token, nil)
	if code != http.StatusOK {
		d.t.Fatalf("POST /v1/sync: got %d %s", code, body)
	}
	var st sync.Status
	if err := json.Unmarshal(body, &st); err != nil {
		d.t.Fatal(err)
	}
	return st
}

func (d *testDaemon) execute(token string, event []byte) runner.Result {
	d.t.Helper()
	code, body := d.do("POST", "/v1/triggers/post-login/execute", token, event)
	if code != http.StatusOK {
		d.t.Fatalf("execute: got %d %s", code, body)
	}
	var res runner.Result
	if err := json.Unmarshal(body, &res); err != nil {
		d.t.Fatalf("execute: %v in %s", err, body)
	}
	return res
}

func quickstartEvent(t *testing.T) []byte {
	t.Helper()
	ev, err := fs.ReadFile(examples.FS, "events/post-login.json")
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestQuickstartEndToEnd is the quickstart as a user lives it: real git, real Vault, real HTTP.
func TestQuickstartEndToEnd(t *testing.T) {
	vault := vaulttest.Start(t)
	sink := newSink(t)
	const apiKey = "e2e-api-key-7f3a"
	vault.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": sink.URL + "/logs", "API_KEY": apiKey})
	secrets, err := vaultsecrets.NewVault(vaultsecrets.VaultConfig{Address: vault.Addr, Token: vault.RootToken, Mount: "secret", Prefix: "actionsd"}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}

	repo := newGitRepo(t)
	repo.copyQuickstart()
	first := repo.commit("quickstart")
	repo.git("tag", "modules/logger/v1")

	const token = "e2e-token"
	d := startDaemon(t, repo.dir, secrets, token)
	st := d.sync(token)
	if !st.Ready || st.Applied == nil || st.Applied.Commit != first {
		t.Fatalf("after the first sync: got %+v, want commit %s applied", st, first)
	}

	// Without the token, nothing but health answers.
	if code, _ := d.do("POST", "/v1/triggers/post-login/execute", "", quickstartEvent(t)); code != http.StatusUnauthorized {
		t.Errorf("execute without a token: got %d, want 401", code)
	}
	if code, _ := d.do("GET", "/healthz", "", nil); code != http.StatusOK {
		t.Errorf("healthz: got %d, want 200", code)
	}

	res := d.execute(token, quickstartEvent(t))
	if res.Outcome != runner.OutcomeSuccess || res.Commit != first {
		t.Fatalf("execute: got outcome %q on %s (%+v), want success on %s", res.Outcome, res.Commit, res.Actions, first)
	}
	roles, _ := res.Effects.IDTokenClaims["https://example.com/roles"].([]any)
	if len(roles) != 2 || roles[0] != "admin" || roles[1] != "support" {
		t.Errorf("claim: got %v, want [admin support]", res.Effects.IDTokenClaims)
	}
	if len(res.Actions) != 1 || !strings.Contains(strings.Join(res.Actions[0].Logs, "\n"), "logger_success") {
		t.Errorf("logs: got %+v, want the module's console.log line", res.Actions)
	}
	got := sink.last(t)
	if got.Method != "POST" || got.APIKey != apiKey || got.Body["code"] != "logger_success" {
		t.Errorf("sink: got %+v, want POST with the API key and code logger_success", got)
	}
	if _, ok := got.Body["version"]; ok {
		t.Errorf("sink: v1 sent a version field: %v", got.Body)
	}

	// Publish v2 (sendLog adds a version field), pin the action to it, and sync.
	v1Source := repo.read("modules/logger/index.js")
	repo.write("modules/logger/index.js", strings.Replace(v1Source, "code,\n          message\n", "code,\n          message,\n          version: 2\n", 1))
	repo.commit("logger: send the version")
	repo.git("tag", "-a", "-m", "logger v2", "modules/logger/v2")
	repo.write("actions/log-login/action.yaml", strings.Replace(repo.read("actions/log-login/action.yaml"), "logger: 1", "logger: 2", 1))
	second := repo.commit("log-login: use logger v2")
	if st := d.sync(token); st.Applied == nil || st.Applied.Commit != second {
		t.Fatalf("after pinning v2: got %+v, want %s applied", st, second)
	}
	d.execute(token, quickstartEvent(t))
	if got := sink.last(t); got.Body["version"] != float64(2) {
		t.Fatalf("after pinning v2: sink got %v, want version 2", got.Body)
	}

	// Pin v1 again, and move the v1 tag to content that differs: v1 keeps its recorded content.
	repo.write("actions/log-login/action.yaml", strings.Replace(repo.read("actions/log-login/action.yaml"), "logger: 2", "logger: 1", 1))
	repo.write("modules/logger/index.js", strings.Replace(v1Source, "code,\n          message\n", "code,\n          message,\n          moved: true\n", 1))
	third := repo.commit("log-login: back to logger v1; logger: a change that must not become v1")
	repo.git("tag", "-f", "modules/logger/v1")
	st = d.sync(token)
	if st.Applied == nil || st.Applied.Commit != third {
		t.Fatalf("after moving v1: got %+v, want %s applied (a moved tag fails nothing)", st, third)
	}
	if !hasProblem(st.Warnings, "modules/logger/v1") {
		t.Errorf("after moving v1: warnings %v do not report the moved tag", st.Warnings)
	}
	d.execute(token, quickstartEvent(t))
	if got := sink.last(t); got.Body["moved"] != nil || got.Body["version"] != nil {
		t.Errorf("after moving v1: sink got %v, want v1's recorded behaviour (no moved, no version)", got.Body)
	}

	// The object routes say the same: v1 moved but serving, v2 serving, the action on its commit.
	code, body := d.do("GET", "/v1/modules/logger/versions", token, nil)
	var versions struct {
		Name     string
		Versions []sync.ObjectStatus
	}
	if err := json.Unmarshal(body, &versions); code != http.StatusOK || err != nil || len(versions.Versions) != 2 ||
		versions.Versions[0].Version != "v1" || !versions.Versions[0].Moved || versions.Versions[0].State != sync.StateServing ||
		versions.Versions[1].Version != "v2" || versions.Versions[1].State != sync.StateNotBuilt {
		t.Errorf("GET /v1/modules/logger/versions: got %d %s, want v1 (moved) serving and v2 (pinned by nothing) not built", code, body)
	}
	code, body = d.do("GET", "/v1/actions/log-login", token, nil)
	var act sync.ObjectStatus
	if err := json.Unmarshal(body, &act); code != http.StatusOK || err != nil || act.Version != third || act.State != sync.StateServing {
		t.Errorf("GET /v1/actions/log-login: got %d %s, want version %s serving", code, body, third)
	}
	if code, _ := d.do("GET", "/v1/actions/nope", token, nil); code != http.StatusNotFound {
		t.Errorf("GET /v1/actions/nope: got %d, want 404", code)
	}
	if code, body := d.do("GET", "/v1/modules", token, nil); code != http.StatusOK || !strings.Contains(string(body), `"name":"logger"`) {
		t.Errorf("GET /v1/modules: got %d %s", code, body)
	}

	// A commit that fails: v1 is still what serves, and says so.
	repo.write("actions/log-login/index.js", "exports.onExecutePostLogin = async (event, api) => {\n")
	repo.commit("log-login: broken")
	if st := d.sync(token); st.Attempted == nil || st.Attempted.Result != "failed" {
		t.Fatalf("broken commit: got attempt %+v, want failed", st.Attempted)
	}
	code, body = d.do("GET", "/v1/modules/logger/versions", token, nil)
	if err := json.Unmarshal(body, &versions); code != http.StatusOK || err != nil || len(versions.Versions) != 2 ||
		versions.Versions[0].State != sync.StateServing {
		t.Errorf("GET /v1/modules/logger/versions after a failed commit: got %d %s, want v1 serving", code, body)
	}
}

func hasProblem(ps diag.List, substr string) bool {
	for _, p := range ps {
		if strings.Contains(p.Error(), substr) {
			return true
		}
	}
	return false
}
