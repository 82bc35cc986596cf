package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBridgeSecrets: bridges.<name>.secret_file is read by ResolveSecrets, the environment
// overrides the file's setting, and a secret written in the YAML itself is refused.
func TestBridgeSecrets(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "supabase")
	if err := os.WriteFile(secret, []byte("v1,whsec_c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "actionsd.yaml")
	if err := os.WriteFile(path, []byte("repo: /r\nbridges:\n  auth0:\n    secret: inline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "actionsd.yaml:4: unknown key \"bridges.auth0.secret\"") || strings.Contains(err.Error(), "inline") {
		t.Errorf("a secret in the YAML: %v", err)
	}
	data := "repo: /r\nbridges:\n  supabase:\n    secret_file: " + secret + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ResolveSecrets(); err != nil {
		t.Fatal(err)
	}
	if c.Bridges.Supabase.Secret != "v1,whsec_c2VjcmV0" || c.Bridges.Auth0.Secret != "" {
		t.Errorf("bridges: %+v", c.Bridges)
	}
	env := map[string]string{"ACTIONSD_BRIDGE_AUTH0_SECRET": "from-env"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Bridges.Auth0.Secret != "from-env" {
		t.Errorf("ACTIONSD_BRIDGE_AUTH0_SECRET: %+v", c.Bridges.Auth0)
	}
	c.Bridges.Supabase.SecretFile = filepath.Join(dir, "missing")
	if err := c.ResolveSecrets(); err == nil || !strings.Contains(err.Error(), "bridges.supabase.secret_file") {
		t.Errorf("a missing secret file: %v", err)
	}

	// Kratos' web hooks carry a token: bridges.kratos.token_file, or ACTIONSD_BRIDGE_KRATOS_TOKEN.
	c.Bridges.Supabase.SecretFile = ""
	tok := filepath.Join(dir, "kratos")
	if err := os.WriteFile(tok, []byte("a-kratos-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("repo: /r\nbridges:\n  kratos:\n    token_file: "+tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err = Load(path); err != nil {
		t.Fatal(err)
	}
	if err := c.ResolveSecrets(); err != nil || c.Bridges.Kratos.Token != "a-kratos-token" {
		t.Errorf("bridges.kratos.token_file: %v %+v", err, c.Bridges.Kratos)
	}
	env = map[string]string{"ACTIONSD_BRIDGE_KRATOS_TOKEN": "kratos-from-env"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil || c.Bridges.Kratos.Token != "kratos-from-env" {
		t.Errorf("ACTIONSD_BRIDGE_KRATOS_TOKEN: %v %+v", err, c.Bridges.Kratos)
	}
	c.Bridges.Kratos.TokenFile = filepath.Join(dir, "missing")
	if err := c.ResolveSecrets(); err == nil || !strings.Contains(err.Error(), "bridges.kratos.token_file") {
		t.Errorf("a missing token file: %v", err)
	}
}

// TestZitadelSigningKey: bridges.zitadel.signing_key_file is read by ResolveSecrets (its trailing
// newline dropped), ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY overrides it, a key in the YAML itself is
// refused, and a missing file is an error naming the setting.
func TestZitadelSigningKey(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "zitadel")
	if err := os.WriteFile(keyFile, []byte("Zs9qkX2v7N4bP1mR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "actionsd.yaml")
	if err := os.WriteFile(path, []byte("repo: /r\nbridges:\n  zitadel:\n    signing_key: inline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "unknown key \"bridges.zitadel.signing_key\"") || strings.Contains(err.Error(), "inline") {
		t.Errorf("a key in the YAML: %v", err)
	}
	if err := os.WriteFile(path, []byte("repo: /r\nbridges:\n  zitadel:\n    signing_key_file: "+keyFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ResolveSecrets(); err != nil {
		t.Fatal(err)
	}
	if c.Bridges.Zitadel.SigningKey != "Zs9qkX2v7N4bP1mR" {
		t.Errorf("bridges.zitadel: %+v", c.Bridges.Zitadel)
	}
	env := map[string]string{"ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY": "from-env"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Bridges.Zitadel.SigningKey != "from-env" {
		t.Errorf("ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY: %+v", c.Bridges.Zitadel)
	}
	c.Bridges.Zitadel.SigningKeyFile = filepath.Join(dir, "missing")
	if err := c.ResolveSecrets(); err == nil || !strings.Contains(err.Error(), "bridges.zitadel.signing_key_file") {
		t.Errorf("a missing key file: %v", err)
	}
}
