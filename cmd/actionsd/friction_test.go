package main

import (
	"bytes"
	"net"
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
	serve := exec.Command(cliBinary, "serve", "--repo", ".", "--data-dir", ".actionsd/data", "--secrets-file", "secrets.local.yaml",
		"--token", "dev-token", "--addr", addr, "--poll-interval", "0")
	serve.Dir, serve.Env = dir, clitest.Env(dir)
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = serve.Process.Kill(); _ = serve.Wait() }()
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
