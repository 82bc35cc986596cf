package vaultsecrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"gopkg.in/yaml.v3"

	"github.com/actionsd/actionsd/vaultsecrets"
)

func TestVaultConfigApplyEnv(t *testing.T) {
	tests := []struct {
		name    string
		give    map[string]string
		want    vaultsecrets.VaultConfig
		wantErr string
	}{
		{"approle", map[string]string{
			"VAULT_ADDR": "https://vault:8200", "VAULT_ROLE_ID": "rid", "VAULT_SECRET_ID_FILE": "/run/sid",
			"VAULT_AUTH_MOUNT": "approle-prod", "VAULT_CLIENT_TIMEOUT": "5", "VAULT_MAX_RETRIES": "0",
		}, vaultsecrets.VaultConfig{
			Address: "https://vault:8200", RoleID: "rid", SecretIDFile: "/run/sid", AuthMount: "approle-prod",
			Timeout: 5 * time.Second, MaxRetries: -1,
		}, ""},
		{"kubernetes", map[string]string{
			"VAULT_AUTH_METHOD": "kubernetes", "VAULT_KUBERNETES_ROLE": "actionsd", "VAULT_KUBERNETES_TOKEN_PATH": "/t",
			"VAULT_CAPATH": "/cas", "VAULT_TLS_SERVER_NAME": "vault.internal", "VAULT_CLIENT_TIMEOUT": "1m30s",
		}, vaultsecrets.VaultConfig{
			AuthMethod: "kubernetes", KubernetesRole: "actionsd", KubernetesTokenPath: "/t",
			CAPath: "/cas", TLSServerName: "vault.internal", Timeout: 90 * time.Second,
		}, ""},
		{"token file", map[string]string{"VAULT_TOKEN_FILE": "/sink", "VAULT_MAX_RETRIES": "4"},
			vaultsecrets.VaultConfig{TokenFile: "/sink", MaxRetries: 4}, ""},
		{"bad skip verify", map[string]string{"VAULT_SKIP_VERIFY": "yes please"}, vaultsecrets.VaultConfig{}, "VAULT_SKIP_VERIFY"},
		{"bad timeout", map[string]string{"VAULT_CLIENT_TIMEOUT": "soon"}, vaultsecrets.VaultConfig{}, "VAULT_CLIENT_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got vaultsecrets.VaultConfig
			err := got.ApplyEnv(func(k string) string { return tt.give[k] })
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestVaultConfigLayers: file < environment < flags, and the YAML keys of the vault: section.
func TestVaultConfigLayers(t *testing.T) {
	var file struct {
		Vault vaultsecrets.VaultConfig `yaml:"vault"`
	}
	dec := yaml.NewDecoder(strings.NewReader(`
vault:
  address: https://file:8200
  kv_mount: kv
  prefix: actionsd/prod
  poll_interval: 30s
  auth_method: approle
  role_id: from-file
  secret_id_file: /run/secret-id
`))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("decode: %v", err)
	}
	cfg := file.Vault
	if err := cfg.ApplyEnv(func(k string) string {
		return map[string]string{"VAULT_ADDR": "https://env:8200", "VAULT_ROLE_ID": "from-env"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	(&vaultsecrets.VaultConfig{}).Flags(fs)
	if err := fs.Parse([]string{"--vault-addr=https://flag:8200", "--vault-poll-interval=2s"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyFlags(fs); err != nil {
		t.Fatal(err)
	}
	want := vaultsecrets.VaultConfig{
		Address: "https://flag:8200", Mount: "kv", Prefix: "actionsd/prod", PollInterval: 2 * time.Second,
		AuthMethod: "approle", RoleID: "from-env", SecretIDFile: "/run/secret-id",
	}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	if got := cfg.PollEvery(); got != 2*time.Second {
		t.Errorf("PollEvery: got %s, want 2s", got)
	}
	if got := (vaultsecrets.VaultConfig{}).PollEvery(); got != vaultsecrets.DefaultPollInterval {
		t.Errorf("default PollEvery: got %s, want %s", got, vaultsecrets.DefaultPollInterval)
	}

	// Credentials cannot come from the file.
	for _, key := range []string{"token", "secret_id"} {
		dec := yaml.NewDecoder(strings.NewReader("vault:\n  " + key + ": x\n"))
		dec.KnownFields(true)
		if err := dec.Decode(&file); err == nil {
			t.Errorf("%s in the file: got no error, want unknown field", key)
		}
	}
	bad := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	(&vaultsecrets.VaultConfig{}).Flags(bad)
	_ = bad.Parse([]string{"--vault-poll-interval=0s"})
	if err := (&vaultsecrets.VaultConfig{}).ApplyFlags(bad); err == nil {
		t.Errorf("poll interval 0: got no error")
	}
}

// TestVaultConfigRedacts: every way of printing, logging or encoding a config leaves the token,
// role_id and secret_id out.
func TestVaultConfigRedacts(t *testing.T) {
	cfg := vaultsecrets.VaultConfig{Address: "https://vault:8200", Token: "tok-" + canary, RoleID: "rid-" + canary, SecretID: "sid-" + canary}
	var logs bytes.Buffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.DebugLevel))
	log.Info("config", zap.Object("vault", cfg), zap.Any("any", cfg), zap.Stringer("s", cfg))
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.Marshal(map[string]any{"vault": cfg})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{"log": logs.String(), "json": string(j), "yaml": string(y)}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs[f] = fmt.Sprintf(f, cfg)
		outs[f+" pointer"] = fmt.Sprintf(f, &cfg)
	}
	for name, out := range outs {
		if strings.Contains(out, canary) {
			t.Errorf("%s: got %q, which holds a credential", name, out)
		}
		if !strings.Contains(out, "https://vault:8200") {
			t.Errorf("%s: got %q, want the address", name, out)
		}
	}
}
