package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadVaultAndNPM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actionsd.yaml")
	data := "repo: /r\ndata_dir: /d\nvault:\n  address: http://vault:8200\n  kv_mount: kv\n  prefix: actionsd/prod\n  poll_interval: 3s\n  auth_method: approle\n  role_id_file: /run/role\nnpm:\n  registry: http://registry.test/\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Vault.Mount != "kv" || c.Vault.Prefix != "actionsd/prod" || c.Vault.PollEvery() != 3*time.Second || c.Vault.AuthMethod != "approle" || c.Vault.RoleIDFile != "/run/role" {
		t.Errorf("vault: got %v", c.Vault)
	}
	if c.NPM.Registry != "http://registry.test/" {
		t.Errorf("npm.registry: got %q", c.NPM.Registry)
	}
	env := map[string]string{"VAULT_ADDR": "http://other:8200", "VAULT_TOKEN": "t0k"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Vault.Address != "http://other:8200" || c.Vault.Token != "t0k" {
		t.Errorf("env: got %v", c.Vault)
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	// A token is never read from the file.
	if err := os.WriteFile(path, []byte("vault:\n  token: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Error("vault.token in the file: got no error")
	}
}

// The API is served without a token only on loopback.
func TestCheckAuth(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"[::1]:8080", "", true},
		{"localhost:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"10.1.2.3:8080", "", false},
		{"[::]:8080", "", false},
		{"0.0.0.0:8080", "t", true},
		{"not an address", "", false},
	} {
		cfg := Config{Addr: c.addr, Token: c.token}
		err := cfg.CheckAuth()
		if (err == nil) != c.ok {
			t.Errorf("addr %q token %q: got %v, want ok=%v", c.addr, c.token, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "token") {
			t.Errorf("addr %q: the error %q does not say a token is needed", c.addr, err)
		}
	}
}

// process_env takes variable names only; execution_budget must be positive.
func TestCheckRunSettings(t *testing.T) {
	base := func() Config {
		c := Default()
		c.Repo, c.DataDir, c.SecretsFile = "/r", "/d", "/s"
		return c
	}
	c := base()
	c.ProcessEnv = map[string]string{"NODE_ENV": "production"}
	if err := c.Check(); err != nil {
		t.Errorf("NODE_ENV: %v", err)
	}
	for k, v := range map[string]string{"BAD-NAME": "x", "__proto__": "x", "NUL": "a\x00B"} {
		c.ProcessEnv = map[string]string{k: v}
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("process_env %q=%q: got %v, want it named", k, v, err)
		}
	}
	c = base()
	c.ExecutionBudget = 0
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "execution_budget") {
		t.Errorf("a zero budget: got %v", err)
	}
}

// The HTTP server's limits: a whole request within 30 s unless set, read from the file, and
// never zero (zero would be no limit at all in net/http).
func TestHTTPLimits(t *testing.T) {
	d := Default().HTTP.Limits()
	if d.RequestTimeout != 30*time.Second || d.ReadHeaderTimeout != 10*time.Second || d.WriteTimeout != 10*time.Second ||
		d.IdleTimeout != 75*time.Second || d.MaxUnauthenticatedConns != 256 {
		t.Errorf("defaults: got %+v", d)
	}
	path := filepath.Join(t.TempDir(), "actionsd.yaml")
	data := "http:\n  request_timeout: 5s\n  max_unauthenticated_conns: -1\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.HTTP.Limits(); got.RequestTimeout != 5*time.Second || got.MaxUnauthenticatedConns != -1 || got.IdleTimeout != 75*time.Second {
		t.Errorf("loaded: got %+v", got)
	}
	if err := c.HTTP.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	for _, tt := range []struct {
		name string
		set  func(*HTTP)
	}{
		{"http.request_timeout", func(h *HTTP) { h.RequestTimeout = 0 }},
		{"http.read_header_timeout", func(h *HTTP) { h.ReadHeaderTimeout = -1 }},
		{"http.write_timeout", func(h *HTTP) { h.WriteTimeout = 0 }},
		{"http.idle_timeout", func(h *HTTP) { h.IdleTimeout = 0 }},
		{"http.max_unauthenticated_conns", func(h *HTTP) { h.MaxUnauthenticatedConns = 0 }},
	} {
		h := Default().HTTP
		tt.set(&h)
		if err := h.Check(); err == nil || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: got %v, want an error naming it", tt.name, err)
		}
	}
}

// TestUIKey: the web UI is off by default and on with `ui: true`.
func TestUIKey(t *testing.T) {
	if Default().UI {
		t.Error("the UI is on by default")
	}
	path := filepath.Join(t.TempDir(), "actionsd.yaml")
	if err := os.WriteFile(path, []byte("repo: /r\nui: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.UI {
		t.Error("ui: true did not turn the UI on")
	}
}
