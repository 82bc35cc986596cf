package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/internal/clitest"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/daemon"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// The helpers of the command tests that need a repository or a daemon beside the command they
// run; the daemon's own tests are in internal/daemon.

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

// simpleRepo writes an action "greet" pinned to module "m" v1, both naming their version in a claim.
func (r *gitRepo) simpleRepo(action, module string) {
	r.write("triggers.yaml", "post-login: [greet]\n")
	r.write("modules/m/module.yaml", "description: m\n")
	r.write("modules/m/index.js", fmt.Sprintf("module.exports = { v: %q };\n", module))
	r.write("actions/greet/action.yaml", "trigger: post-login\nmodules:\n  m: 1\n")
	r.write("actions/greet/index.js", fmt.Sprintf(`const m = require('actions:m');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('action', %q);
  api.idToken.setCustomClaim('module', m.v);
};
`, action))
}

// testDaemon is a daemon run in-process over a repository until the test ends.
type testDaemon struct {
	t   testing.TB
	url string
}

// startDaemonWith runs a daemon over repo, as `serve` wires one, on a loopback port with a fresh
// data dir and neither polling nor watching; edit may change the configuration.
func startDaemonWith(t testing.TB, repo string, edit func(*config.Config)) *testDaemon {
	t.Helper()
	cfg := config.Default()
	cfg.Repo, cfg.DataDir, cfg.Addr, cfg.PollInterval = repo, t.TempDir(), "127.0.0.1:0", -1
	noWatch := false
	cfg.Watch = &noWatch
	if edit != nil {
		edit(&cfg)
	}
	log := zaptest.NewLogger(t)
	d, err := daemon.New(cfg, daemon.Options{Secrets: daemon.Secrets{Source: vaultsecrets.NewStatic(nil, log)}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return &testDaemon{t: t, url: d.URL()}
}

// sync asks the daemon to sync now and returns its status.
func (d *testDaemon) sync(token string) sync.Status {
	d.t.Helper()
	req, err := http.NewRequest("POST", d.url+"/v1/sync", nil)
	if err != nil {
		d.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("POST /v1/sync: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		d.t.Fatalf("POST /v1/sync: got %d %s", resp.StatusCode, body)
	}
	var st sync.Status
	if err := json.Unmarshal(body, &st); err != nil {
		d.t.Fatal(err)
	}
	return st
}

func quickstartEvent(t *testing.T) []byte {
	t.Helper()
	ev, err := fs.ReadFile(examples.FS, "events/post-login.json")
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// npmTestRegistry returns the local Verdaccio that `make test` starts, or skips.
func npmTestRegistry(t *testing.T) (url, token string) {
	url, token = os.Getenv("ACTIONSD_NPM_TEST_REGISTRY"), os.Getenv("ACTIONSD_NPM_TEST_TOKEN")
	if url == "" || token == "" {
		t.Skip("ACTIONSD_NPM_TEST_REGISTRY and ACTIONSD_NPM_TEST_TOKEN are not set: run through `make test`, which starts Verdaccio with scripts/npm-test-registry.sh")
	}
	return url, token
}

// npmrc is a repository's .npmrc naming the local registry reg and its token (as ${ENV}).
func npmrc(reg string) string {
	nerf := strings.TrimPrefix(strings.TrimPrefix(reg, "http:"), "https:")
	return "registry=" + reg + "\n" + nerf + ":_authToken=${ACTIONSD_NPM_TEST_TOKEN}\n"
}
