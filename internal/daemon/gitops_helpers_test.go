package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// gitHTTP serves bare repositories under root over git's smart HTTP protocol (git http-backend
// behind net/http/cgi), with basic auth, and can be taken down and brought back.
type gitHTTP struct {
	*httptest.Server
	down atomic.Bool
}

func newGitHTTP(t testing.TB, root, user, pass string) *gitHTTP {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("the git CLI is required: %v", err)
	}
	backend := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"},
	}
	g := &gitHTTP{}
	g.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	g.Config.SetKeepAlivesEnabled(false)
	g.Start()
	t.Cleanup(g.Close)
	return g
}

// remoteRepo is a working repository whose pushes go to a bare repository (the "remote").
type remoteRepo struct {
	*gitRepo
	bare string // path of the bare repository
}

func newRemoteRepo(t testing.TB) *remoteRepo {
	t.Helper()
	root := t.TempDir()
	bare := filepath.Join(root, "actions.git")
	cmd := exec.Command("git", "init", "-q", "--bare", "-b", "main", bare)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	r := &remoteRepo{gitRepo: newGitRepo(t), bare: bare}
	r.git("remote", "add", "origin", bare)
	return r
}

// push pushes the deploy branch and every tag, forced (so moved tags move).
func (r *remoteRepo) push() {
	r.t.Helper()
	r.git("push", "-q", "-f", "origin", "main")
	r.git("push", "-q", "-f", "--tags", "origin")
}

// simpleRepo writes an action "greet" pinned to module "m" v1, both naming their version in a claim.
func (r *gitRepo) simpleRepo(action, module string) {
	r.write("triggers.yaml", "post-login: [greet]\n")
	r.write("modules/m/module.yaml", "description: m\n")
	r.setModule(module)
	r.write("actions/greet/action.yaml", "trigger: post-login\nmodules:\n  m: 1\n")
	r.setAction(action)
}

func (r *gitRepo) setModule(value string) {
	r.write("modules/m/index.js", fmt.Sprintf("module.exports = { v: %q };\n", value))
}

func (r *gitRepo) setAction(value string) {
	r.write("actions/greet/index.js", fmt.Sprintf(`const m = require('actions:m');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('action', %q);
  api.idToken.setCustomClaim('module', m.v);
};
`, value))
}

// daemonOpts start a test daemon with a configuration changed by edit.
func startDaemonWith(t testing.TB, repo string, edit func(*config.Config)) (*testDaemon, *Daemon) {
	t.Helper()
	cfg := testConfig(t, repo)
	if edit != nil {
		edit(&cfg)
	}
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return runDaemon(t, d), d
}

// claims executes post-login and returns the action and module claims and the commit.
func (d *testDaemon) claims() (action, module, commit string) {
	d.t.Helper()
	res := d.execute("", []byte(`{"user":{"user_id":"u1"}}`))
	if res.Outcome != runner.OutcomeSuccess {
		d.t.Fatalf("execute: outcome %s: %+v", res.Outcome, res.Actions)
	}
	a, _ := res.Effects.IDTokenClaims["action"].(string)
	m, _ := res.Effects.IDTokenClaims["module"].(string)
	return a, m, res.Commit
}

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (d *testDaemon) status() sync.Status {
	d.t.Helper()
	code, body := d.do("GET", "/v1/status", "", nil)
	if code != http.StatusOK {
		d.t.Fatalf("GET /v1/status: %d %s", code, body)
	}
	var st sync.Status
	if err := json.Unmarshal(body, &st); err != nil {
		d.t.Fatal(err)
	}
	return st
}

// hook posts a webhook delivery signed with secret as receiver expects.
func (d *testDaemon) hook(receiver, secret, ref string) (int, string) {
	d.t.Helper()
	body := []byte(fmt.Sprintf(`{"ref":%q,"repository":{"full_name":"org/actions"}}`, ref))
	req, err := http.NewRequest("POST", d.url+"/hooks/"+receiver, bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	switch receiver {
	case "github":
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-Hub-Signature-256", sig)
	case "gitlab":
		req.Header.Set("X-Gitlab-Event", "Push Hook")
		req.Header.Set("X-Gitlab-Token", secret)
	case "generic":
		req.Header.Set("X-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// metric returns the value of the sample whose line starts with prefix ("name{labels}"), or -1.
func (d *testDaemon) metric(prefix string) float64 {
	d.t.Helper()
	code, body := d.do("GET", "/metrics", "", nil)
	if code != http.StatusOK {
		d.t.Fatalf("GET /metrics: %d", code)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			var v float64
			fmt.Sscanf(strings.TrimPrefix(line, prefix+" "), "%g", &v)
			return v
		}
	}
	return -1
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
