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
