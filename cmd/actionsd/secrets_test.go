package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/vaulttest"
)

// TestSecretsCheck runs `actionsd secrets check` against a real Vault: it lists names and
// versions, exits non-zero on a missing name, and never prints a value.
func TestSecretsCheck(t *testing.T) {
	srv := vaulttest.Start(t)
	const canary = "c4n4ry-secrets-check"
	srv.Put(t, "actionsd/prod/modules/logger", map[string]any{"SERVICE_URL": canary, "API_KEY": canary})
	srv.Put(t, "actionsd/prod/modules/logger", map[string]any{"SERVICE_URL": canary, "API_KEY": canary, "OLD": canary})
	srv.Put(t, "actionsd/prod/actions/log-login", map[string]any{"OTHER": canary})

	dir := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("modules/logger/module.yaml", "secrets: [SERVICE_URL, API_KEY]\n")
	write("actions/log-login/action.yaml", "trigger: post-login\nsecrets: [SLACK_WEBHOOK]\n")
	write("actions/plain/action.yaml", "trigger: post-login\n")

	run := func(args ...string) (string, error) {
		t.Setenv("VAULT_ADDR", srv.Addr)
		t.Setenv("VAULT_TOKEN", srv.RootToken)
		var out bytes.Buffer
		cmd := newRootCmd()
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"secrets", "check", "-C", dir, "--vault-prefix", "actionsd/prod"}, args...))
		err := cmd.Execute()
		return out.String(), err
	}

	out, err := run()
	if err == nil || !strings.Contains(err.Error(), "1 of 3 declared names missing") {
		t.Errorf("got error %v, want 1 of 3 missing", err)
	}
	for _, want := range []string{
		"modules/logger     secret/actionsd/prod/modules/logger     v2       API_KEY",
		"SLACK_WEBHOOK  MISSING",
		"OLD            in Vault, not declared",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, canary) || strings.Contains(out, srv.RootToken) {
		t.Errorf("output holds a secret value or the token:\n%s", out)
	}

	out, _ = run("--json")
	var res secretsCheck
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if res.OK || res.Counts.Declared != 3 || res.Counts.Missing != 1 || len(res.Owners) != 2 {
		t.Errorf("got %+v, want 3 declared, 1 missing, 2 owners", res)
	}

	srv.Put(t, "actionsd/prod/actions/log-login", map[string]any{"SLACK_WEBHOOK": canary})
	if out, err := run(); err != nil {
		t.Errorf("all present: got error %v\n%s", err, out)
	}

	// A secrets file instead of Vault is checked too, with the warning every use of one gives.
	file := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(file, []byte("modules:\n  logger: {SERVICE_URL: u, API_KEY: k}\nactions:\n  log-login: {SLACK_WEBHOOK: w}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run("--secrets-file", file)
	if err != nil || !strings.Contains(out, localSecretsWarning) {
		t.Errorf("--secrets-file: error %v, output\n%s\nwant success and the local-trials warning", err, out)
	}
}
