package main

import (
	"bytes"
	"net"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/clitest"
)

// Friction a user meets after the first hour (issue 15, items 8 to 11), each driven through the
// real binary.

// freeAddr returns a loopback address nothing listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestFrictionStatusWaitsAndNamesTheToken: `status --timeout` waits for a daemon that is still
// starting (it refuses connections), and a status without a token says how to give one instead of
// printing the daemon's 401 body.
func TestFrictionStatusWaitsAndNamesTheToken(t *testing.T) {
	parent := t.TempDir()
	onPath(t, parent, "", "actionsd", "init", "my-actions").want(t, 0, "init my-actions")
	dir := filepath.Join(parent, "my-actions")
	addr := freeAddr(t)

	// status first, the daemon a moment later.
	status := exec.Command(cliBinary, "status", "--addr", addr, "--token", "dev-token", "--timeout", "30s")
	status.Dir, status.Env = dir, clitest.Env(dir)
	var stOut, stErr bytes.Buffer
	status.Stdout, status.Stderr = &stOut, &stErr
	if err := status.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	logs := serveAsREADME(t, dir, addr)
	err := status.Wait()
	if strings.Contains(stErr.String(), "connection refused") && !strings.Contains(stErr.String(), "waiting up to 30s") ||
		!strings.Contains(stOut.String(), "CONDITION") {
		t.Fatalf("status --timeout 30s before the daemon listens: %v\nstdout:\n%s\nstderr:\n%s\nlogs:\n%s", err, stOut.String(), stErr.String(), logs.String())
	}

	res := onPath(t, dir, "", "actionsd", "status", "--addr", addr).want(t, 1, "status without a token")
	if !strings.Contains(res.stderr, "set ACTIONSD_TOKEN or pass --token") {
		t.Errorf("status without a token does not say how to give one:\n%s", res.stderr)
	}
	res = onPath(t, dir, "", "actionsd", "status", "--addr", addr, "--token", "wrong").want(t, 1, "status --token wrong")
	if !strings.Contains(res.stderr, "refuses the token") {
		t.Errorf("status with a wrong token:\n%s", res.stderr)
	}
	// Nothing ever listens: status gives up after --timeout, saying so.
	res = onPath(t, dir, "", "actionsd", "status", "--addr", freeAddr(t), "--timeout", "1s").want(t, 1, "status with no daemon")
	if !strings.Contains(res.stderr, "no daemon listens at") {
		t.Errorf("status with no daemon:\n%s", res.stderr)
	}
}

// TestFrictionUnknownConfigKey: a typo in the config file is named as the user wrote it, with
// the file, the line and the key it resembles; not as a Go type.
func TestFrictionUnknownConfigKey(t *testing.T) {
	dir := t.TempDir()
	cliWrite(t, filepath.Join(dir, "actionsd.yaml"), "repo: .\nbrnach: main\nhttp:\n  request_timeot: 3s\n")
	for _, args := range [][]string{{"serve", "--config", "actionsd.yaml"}, {"serve", "--config", "actionsd.yaml", "--check-config"}} {
		res := onPath(t, dir, "", append([]string{"actionsd"}, args...)...).want(t, 1, strings.Join(args, " "))
		for _, want := range []string{`actionsd.yaml:2: unknown key "brnach" (did you mean "branch"?)`,
			`actionsd.yaml:4: unknown key "http.request_timeot" (did you mean "request_timeout"?)`} {
			if !strings.Contains(res.stderr, want) {
				t.Errorf("%s: no %q in\n%s", strings.Join(args, " "), want, res.stderr)
			}
		}
		if strings.Contains(res.stderr, "config.Config") || strings.Contains(res.stderr, "not found in type") {
			t.Errorf("%s: the error shows a Go type:\n%s", strings.Join(args, " "), res.stderr)
		}
	}
}

// TestFrictionSecretsCheckWithoutVault: with Vault unreachable, `secrets check` says the names are
// unknown, not missing, and exits 3; with no Vault configured it points to --secrets-file; its help
// lists no flag that means nothing to it.
func TestFrictionSecretsCheckWithoutVault(t *testing.T) {
	parent := t.TempDir()
	onPath(t, parent, "", "actionsd", "init", "my-actions").want(t, 0, "init my-actions")
	dir := filepath.Join(parent, "my-actions")
	t.Setenv("VAULT_TOKEN", "not-a-token")

	res := onPath(t, dir, "", "actionsd", "secrets", "check", "--vault-addr", "http://"+freeAddr(t), "--vault-client-timeout", "5s")
	if res.code != exitSecretsUnknown || strings.Contains(res.stdout, "MISSING") ||
		!strings.Contains(res.stdout, "API_KEY      unknown (Vault unreachable: dial tcp") || !strings.Contains(res.stderr, "Vault is unreachable") {
		t.Errorf("secrets check, Vault unreachable: exit %d, want %d, names unknown\nstdout:\n%s\nstderr:\n%s", res.code, exitSecretsUnknown, res.stdout, res.stderr)
	}

	res = onPath(t, dir, "", "actionsd", "secrets", "check").want(t, exitUsage, "secrets check with no Vault")
	if !strings.Contains(res.stderr, "--secrets-file secrets.local.yaml") {
		t.Errorf("secrets check with no Vault does not point to the local secrets file:\n%s", res.stderr)
	}
	onPath(t, dir, "", "actionsd", "secrets", "check", "--secrets-file", "secrets.local.yaml").want(t, 0, "secrets check --secrets-file")

	res = onPath(t, dir, "", "actionsd", "secrets", "check", "--help").want(t, 0, "secrets check --help")
	if strings.Contains(res.stdout, "--vault-poll-interval") || !strings.Contains(res.stdout, "--vault-addr") {
		t.Errorf("secrets check --help:\n%s", res.stdout)
	}
}

// TestFrictionProgress: lock and vendor say what they do, a line a phase when their output is not
// a terminal, a bar on a terminal (the binary under script(1), which gives it one).
func TestFrictionProgress(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	t.Setenv("ACTIONSD_CACHE_DIR", t.TempDir())
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [plain]\n")
	repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("actions/plain/index.js", "const { add } = require('actionsd-plain');\nexports.onExecutePostLogin = async () => { add(1, 2); };\n")

	res := run(t, repo.dir, "", "lock").want(t, 0, "lock")
	for _, want := range []string{"resolving npm packages…\n", "resolving npm packages: 1 done in ", "fetching npm packages: 1 to go\n", "fetching npm packages: 1 done, "} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("lock: no %q on stderr:\n%s", want, res.stderr)
		}
	}
	res = run(t, repo.dir, "", "vendor").want(t, 0, "vendor")
	if !strings.Contains(res.stderr, "vendoring npm tarballs: 1 to go\n") || !strings.Contains(res.stderr, "vendoring npm tarballs: 1 done, ") {
		t.Errorf("vendor: no line per phase on stderr:\n%s", res.stderr)
	}
	if strings.Contains(res.stderr, "\r") {
		t.Errorf("vendor draws a bar on a pipe:\n%q", res.stderr)
	}

	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed (bsdutils; .ci/run installs it): no terminal to test the bar on")
	}
	if err := os.RemoveAll(filepath.Join(repo.dir, "vendor")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "-qec", cliBinary+" vendor", "/dev/null")
	cmd.Dir, cmd.Env = repo.dir, clitest.Env(repo.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("vendor on a terminal: %v\n%q", err, out)
	}
	if !strings.Contains(string(out), "\r\x1b[Kvendoring npm tarballs [========================] 1/1  ") {
		t.Errorf("vendor on a terminal draws no bar:\n%q", out)
	}
}

// TestFrictionServeProgress: a daemon's first clone of a remote repository and its first npm
// install log a line when they start and one when they end.
func TestFrictionServeProgress(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [plain]\n")
	repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("actions/plain/index.js", "const { add } = require('actionsd-plain');\nexports.onExecutePostLogin = async () => { add(1, 2); };\n")
	t.Setenv("ACTIONSD_CACHE_DIR", t.TempDir())
	run(t, repo.dir, "", "lock").want(t, 0, "lock")
	repo.commit("an action with a package")
	root := t.TempDir()
	gitIn(t, root, "clone", "-q", "--bare", repo.dir, filepath.Join(root, "r.git"))
	url := serveGitHTTP(t, root) + "/r.git"

	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yaml")
	cliWrite(t, secrets, "modules: {}\n")
	serve := exec.Command(cliBinary, "serve", "--repo", url, "--data-dir", filepath.Join(dir, "data"), "--secrets-file", secrets,
		"--token", "tok", "--addr", freeAddr(t), "--poll-interval", "0", "--log-format", "json")
	serve.Dir, serve.Env = dir, clitest.Env(dir)
	var logs lockedBuffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = serve.Process.Kill(); _ = serve.Wait() }()
	wants := []string{`"msg":"cloning ` + url + `"`, `"msg":"cloning ` + url + ` done"`,
		`"msg":"fetching npm packages","total":1`, `"msg":"fetching npm packages done","done":1`}
	deadline := time.Now().Add(time.Minute)
	for {
		missing := ""
		for _, w := range wants {
			if !strings.Contains(logs.String(), w) {
				missing = w
				break
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve logs no %s:\n%s", missing, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serveGitHTTP serves the bare repositories under root over git's smart HTTP protocol (git
// http-backend) and returns the server's URL.
func serveGitHTTP(t *testing.T, root string) string {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	srv := httptest.NewServer(&cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"},
	})
	t.Cleanup(srv.Close)
	return srv.URL
}
