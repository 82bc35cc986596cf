// Command vaultserver runs a real, in-process Vault core for actionsd's tests.
//
// No Vault binary can be downloaded on the machines the tests run on, so the tests start this program
// instead (internal/vaulttest does; scripts/vault-test-server.sh builds it): it creates an unsealed
// core with Vault's own test helpers, serves its HTTP API on a loopback port, turns the secret/ mount
// into KV v2, registers the AppRole, Kubernetes and JWT auth methods' factories, and prints one JSON
// line with the address, the root token and the unseal keys (base64) on standard output. It runs until
// its standard input closes or it receives SIGINT/SIGTERM. Diagnostics go to standard error.
//
// Vault is BUSL-licensed: this module is a test dependency only and is never linked into actionsd.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	credJWT "github.com/hashicorp/vault-plugin-auth-jwt"
	credKube "github.com/hashicorp/vault-plugin-auth-kubernetes"
	credAppRole "github.com/hashicorp/vault/builtin/credential/approle"
	vaulthttp "github.com/hashicorp/vault/http"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/vault"
)

type info struct {
	Addr       string   `json:"addr"`
	RootToken  string   `json:"root_token"`
	UnsealKeys []string `json:"unseal_keys"`
}

// kvUpgradeTimeout bounds how long the secret/ mount may take to become KV v2.
const kvUpgradeTimeout = 60 * time.Second

func main() {
	tb := newProcessTB()
	core, keys, root := vault.TestCoreUnsealedWithConfig(tb, &vault.CoreConfig{
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: os.Stderr}),
		CredentialBackends: map[string]logical.Factory{
			"approle":    credAppRole.Factory,
			"kubernetes": credKube.Factory,
			"jwt":        credJWT.Factory,
		},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	addr := "http://" + ln.Addr().String()
	vaulthttp.TestServerWithListener(tb, ln, addr, core)

	if err := upgradeToKVv2(addr, root, "secret"); err != nil {
		tb.Fatalf("secret/ mount: %v", err)
	}

	enc := make([]string, len(keys))
	for i, k := range keys {
		enc[i] = base64.StdEncoding.EncodeToString(k)
	}
	if err := json.NewEncoder(os.Stdout).Encode(info{Addr: addr, RootToken: root, UnsealKeys: enc}); err != nil {
		tb.Fatalf("write address: %v", err)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	stdin := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdin)
	}()
	select {
	case <-sig:
	case <-stdin:
	}
	ln.Close()
	tb.shutdown(5 * time.Second)
}

// upgradeToKVv2 tunes the KV mount at mount to version 2 and waits until a KV v2 write succeeds: the
// test core mounts secret/ as KV v1, and Vault upgrades a mount asynchronously.
func upgradeToKVv2(addr, token, mount string) error {
	c := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, body any) (int, string, error) {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		req, err := http.NewRequest(method, addr+"/v1/"+path, bytes.NewReader(b))
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("X-Vault-Token", token)
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return resp.StatusCode, string(msg), nil
	}

	code, msg, err := do(http.MethodPost, "sys/mounts/"+mount+"/tune", map[string]any{
		"options": map[string]string{"version": "2"},
	})
	if err != nil {
		return fmt.Errorf("tune to version 2: %w", err)
	}
	if code/100 != 2 {
		return fmt.Errorf("tune to version 2: status %d: %s", code, msg)
	}

	probe := mount + "/data/.vaultserver-probe"
	deadline := time.Now().Add(kvUpgradeTimeout)
	for {
		code, msg, err = do(http.MethodPost, probe, map[string]any{"data": map[string]string{"probe": "1"}})
		if err == nil && code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("not KV v2 after %s: %w", kvUpgradeTimeout, err)
			}
			return fmt.Errorf("not KV v2 after %s: status %d: %s", kvUpgradeTimeout, code, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, msg, err = do(http.MethodDelete, mount+"/metadata/.vaultserver-probe", nil)
	if err != nil {
		return fmt.Errorf("delete probe: %w", err)
	}
	if code/100 != 2 {
		return fmt.Errorf("delete probe: status %d: %s", code, msg)
	}
	return nil
}

// processTB lets Vault's test helpers, which take a testing.TB, run in a plain program: failures end
// the process, logs go to standard error and cleanups run at shutdown. The embedded interface is nil;
// it only supplies testing.TB's unexported method, and every exported method is defined below.
type processTB struct {
	testing.TB

	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex // guards cleanups and failed
	cleanups []func()
	failed   bool
}

func newProcessTB() *processTB {
	ctx, cancel := context.WithCancel(context.Background())
	return &processTB{ctx: ctx, cancel: cancel}
}

// shutdown runs the cleanups, latest first, giving up after timeout.
func (t *processTB) shutdown(timeout time.Duration) {
	t.cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.mu.Lock()
		fns := t.cleanups
		t.cleanups = nil
		t.mu.Unlock()
		for i := len(fns) - 1; i >= 0; i-- {
			fns[i]()
		}
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		fmt.Fprintln(os.Stderr, "vaultserver: cleanup timed out")
	}
}

func (t *processTB) ArtifactDir() string    { return t.TempDir() }
func (t *processTB) Attr(key, value string) {}
func (t *processTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}
func (t *processTB) Error(args ...any) { t.Log(args...); t.Fail() }
func (t *processTB) Errorf(format string, args ...any) {
	t.Logf(format, args...)
	t.Fail()
}
func (t *processTB) Fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
}
func (t *processTB) FailNow() {
	fmt.Fprintln(os.Stderr, "vaultserver: failed")
	t.shutdown(5 * time.Second)
	os.Exit(1)
}
func (t *processTB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}
func (t *processTB) Fatal(args ...any)                 { t.Log(args...); t.FailNow() }
func (t *processTB) Fatalf(format string, args ...any) { t.Logf(format, args...); t.FailNow() }
func (t *processTB) Helper()                           {}
func (t *processTB) Log(args ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"vaultserver:"}, args...)...)
}
func (t *processTB) Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vaultserver: "+format+"\n", args...)
}
func (t *processTB) Name() string { return "vaultserver" }
func (t *processTB) Setenv(key, value string) {
	if err := os.Setenv(key, value); err != nil {
		t.Fatalf("setenv %s: %v", key, err)
	}
}
func (t *processTB) Chdir(dir string) {
	if err := os.Chdir(dir); err != nil {
		t.Fatalf("chdir %s: %v", dir, err)
	}
}
func (t *processTB) Skip(args ...any)                 { t.Fatal(append([]any{"skip:"}, args...)...) }
func (t *processTB) SkipNow()                         { t.Fatal("skip") }
func (t *processTB) Skipf(format string, args ...any) { t.Fatalf("skip: "+format, args...) }
func (t *processTB) Skipped() bool                    { return false }
func (t *processTB) TempDir() string {
	dir, err := os.MkdirTemp("", "vaultserver-")
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
func (t *processTB) Context() context.Context { return t.ctx }
func (t *processTB) Output() io.Writer        { return os.Stderr }
