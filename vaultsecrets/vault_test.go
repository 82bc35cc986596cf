package vaultsecrets_test

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// canary is a secret value that must never appear in an error, a log line or a path.
const canary = "c4n4ry-s3cr3t-value"

var logger = vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: "logger"}

// newVault returns a Vault reading srv with cfg, whose Address and Token default to srv's.
func newVault(t *testing.T, srv *vaulttest.Server, cfg vaultsecrets.VaultConfig) *vaultsecrets.Vault {
	t.Helper()
	if cfg.Address == "" {
		cfg.Address = srv.Addr
	}
	if cfg.Token == "" {
		cfg.Token = srv.RootToken
	}
	v, err := vaultsecrets.NewVault(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewVault: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func TestVaultRead(t *testing.T) {
	srv := vaulttest.Start(t)
	v := newVault(t, srv, vaultsecrets.VaultConfig{})

	steps := []struct {
		name string
		give map[string]any
		want vaultsecrets.Values
	}{
		{"first", map[string]any{"SERVICE_URL": "https://logs.example.com", "API_KEY": canary}, vaultsecrets.Values{"SERVICE_URL": "https://logs.example.com", "API_KEY": canary}},
		{"rotated", map[string]any{"SERVICE_URL": "https://logs2.example.com", "API_KEY": "new-key"}, vaultsecrets.Values{"SERVICE_URL": "https://logs2.example.com", "API_KEY": "new-key"}},
	}
	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			wantVersion := srv.Put(t, "actionsd/modules/logger", step.give)
			if wantVersion != i+1 {
				t.Fatalf("put: got version %d, want %d", wantVersion, i+1)
			}
			got, err := v.Read(t.Context(), logger)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Path != "secret/actionsd/modules/logger" {
				t.Errorf("got path %q, want %q", got.Path, "secret/actionsd/modules/logger")
			}
			if got.Version != wantVersion {
				t.Errorf("got version %d, want %d", got.Version, wantVersion)
			}
			if !maps.Equal(got.Values, step.want) {
				t.Errorf("got keys %v, want %v (or the values differ)", got.Values, step.want)
			}
			if got.ReadAt.IsZero() {
				t.Errorf("got zero ReadAt, want the time of the read")
			}
			n, err := v.Version(t.Context(), logger)
			if err != nil {
				t.Fatalf("Version: %v", err)
			}
			if n != wantVersion {
				t.Errorf("Version: got %d, want %d", n, wantVersion)
			}
		})
	}
}

func TestVaultPrefixAndMount(t *testing.T) {
	srv := vaulttest.Start(t)
	if err := srv.Client(t).Sys().Mount("kv2", &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}}); err != nil {
		t.Fatalf("mount kv2: %v", err)
	}
	action := vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "log-login"}
	srv.Put(t, "actionsd/prod/actions/log-login", map[string]any{"TOKEN": "prod"})
	srv.Put(t, "actionsd/staging/actions/log-login", map[string]any{"TOKEN": "staging"})

	tests := []struct {
		name     string
		give     vaultsecrets.VaultConfig
		wantPath string
		wantVal  string
	}{
		{"prod", vaultsecrets.VaultConfig{Prefix: "actionsd/prod"}, "secret/actionsd/prod/actions/log-login", "prod"},
		{"staging, slashes trimmed", vaultsecrets.VaultConfig{Mount: "/secret/", Prefix: "/actionsd/staging/"}, "secret/actionsd/staging/actions/log-login", "staging"},
		{"another mount", vaultsecrets.VaultConfig{Mount: "kv2", Prefix: "team"}, "kv2/team/actions/log-login", "other"},
	}
	// The mount may take a moment to serve KV v2 writes.
	kv2 := srv.Client(t).KVv2("kv2")
	for i := 0; ; i++ {
		if _, err := kv2.Put(t.Context(), "team/actions/log-login", map[string]any{"TOKEN": "other"}); err == nil {
			break
		} else if i == 100 {
			t.Fatalf("put on kv2: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newVault(t, srv, tt.give).Read(t.Context(), action)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Path != tt.wantPath {
				t.Errorf("got path %q, want %q", got.Path, tt.wantPath)
			}
			if got.Values["TOKEN"] != tt.wantVal {
				t.Errorf("got TOKEN %q, want %q", got.Values["TOKEN"], tt.wantVal)
			}
		})
	}
}

// TestVaultVersionReadsMetadataOnly gives Version a token that may read KV metadata but no data.
func TestVaultVersionReadsMetadataOnly(t *testing.T) {
	srv := vaulttest.Start(t)
	root := srv.Client(t)
	if err := root.Sys().PutPolicy("metadata-only", `path "secret/metadata/*" { capabilities = ["read"] }`); err != nil {
		t.Fatalf("put policy: %v", err)
	}
	tok, err := root.Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{"metadata-only"}})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})

	v := newVault(t, srv, vaultsecrets.VaultConfig{Token: tok.Auth.ClientToken})
	got, err := v.Version(t.Context(), logger)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if got != 2 {
		t.Errorf("got version %d, want 2", got)
	}
	if _, err := v.Read(t.Context(), logger); err == nil {
		t.Errorf("Read with a metadata-only token: got no error, want permission denied")
	}
}

func TestVaultNotFound(t *testing.T) {
	srv := vaulttest.Start(t)
	v := newVault(t, srv, vaultsecrets.VaultConfig{})
	srv.Put(t, "actionsd/modules/deleted", map[string]any{"K": canary})
	srv.Delete(t, "actionsd/modules/deleted")
	srv.Put(t, "actionsd/modules/destroyed", map[string]any{"K": canary})
	if err := srv.Client(t).KVv2(vaulttest.Mount).Destroy(t.Context(), "actionsd/modules/destroyed", []int{1}); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	srv.Put(t, "actionsd/modules/gone", map[string]any{"K": canary})
	srv.DeleteMetadata(t, "actionsd/modules/gone")

	for _, name := range []string{"missing", "deleted", "destroyed", "gone"} {
		t.Run(name, func(t *testing.T) {
			owner := vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: name}
			wantPath := "secret/actionsd/modules/" + name
			_, err := v.Read(t.Context(), owner)
			checkNotFound(t, "Read", err, wantPath)
			_, err = v.Version(t.Context(), owner)
			checkNotFound(t, "Version", err, wantPath)
		})
	}
}

func checkNotFound(t *testing.T, op string, err error, wantPath string) {
	t.Helper()
	var nf *vaultsecrets.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("%s: got error %v, want a *NotFoundError", op, err)
	}
	if nf.Path != wantPath {
		t.Errorf("%s: got path %q, want %q", op, nf.Path, wantPath)
	}
}

func TestVaultReadErrors(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/actions/typed", map[string]any{"OK": canary, "PORT": 8080})
	srv.Put(t, "actionsd/actions/nested", map[string]any{"OBJ": map[string]any{"inner": canary}})
	srv.Put(t, "actionsd/actions/listed", map[string]any{"LIST": []any{canary}})
	srv.Put(t, "actionsd/actions/good", map[string]any{"K": canary})

	const wrongToken = "hvs.wr0ng-t0ken-canary"
	tests := []struct {
		name      string
		giveToken string
		giveOwner vaultsecrets.Owner
		wantErr   []string // substrings of the error
	}{
		{"number", "", action("typed"), []string{"secret/actionsd/actions/typed", "key PORT", "a number, want a string"}},
		{"object", "", action("nested"), []string{"secret/actionsd/actions/nested", "key OBJ", "an object"}},
		{"array", "", action("listed"), []string{"secret/actionsd/actions/listed", "key LIST", "an array"}},
		{"wrong token", wrongToken, action("good"), []string{"secret/actionsd/actions/good", "403"}},
		{"bad kind", "", vaultsecrets.Owner{Kind: "rules", Name: "x"}, []string{`kind "rules"`}},
		{"name with slash", "", vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "../modules/x"}, []string{"not one path segment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVault(t, srv, vaultsecrets.VaultConfig{Token: tt.giveToken})
			_, err := v.Read(t.Context(), tt.giveOwner)
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.wantErr)
			}
			msg := err.Error()
			for _, want := range tt.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("got error %q, want it to contain %q", msg, want)
				}
			}
			for _, never := range []string{canary, "8080", wrongToken, srv.RootToken} {
				if strings.Contains(msg, never) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), never) {
					t.Errorf("got error %q, which contains %q", msg, never)
				}
			}
			var nf *vaultsecrets.NotFoundError
			if errors.As(err, &nf) {
				t.Errorf("got a *NotFoundError, want another error")
			}
		})
	}
}

func TestVaultSealed(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})
	v := newVault(t, srv, vaultsecrets.VaultConfig{})

	srv.Seal(t)
	_, err := v.Read(t.Context(), logger)
	if err == nil {
		t.Fatalf("Read from a sealed Vault: got no error, want one")
	}
	var nf *vaultsecrets.NotFoundError
	if errors.As(err, &nf) || !strings.Contains(err.Error(), "secret/actionsd/modules/logger") {
		t.Errorf("got error %q, want one naming the path that is not a *NotFoundError", err)
	}
	if _, err := v.Version(t.Context(), logger); err == nil {
		t.Errorf("Version from a sealed Vault: got no error, want one")
	}

	srv.Unseal(t)
	got, err := v.Read(t.Context(), logger)
	if err != nil {
		t.Fatalf("Read after unseal: %v", err)
	}
	if got.Values["API_KEY"] != canary || got.Version != 1 {
		t.Errorf("after unseal: got version %d and another value, want version 1 and the value put", got.Version)
	}
}

// TestNewVaultIgnoresEnvironment checks that the token and namespace come from the config alone, not
// from the VAULT_* variables the Vault client library reads by itself.
func TestNewVaultIgnoresEnvironment(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})

	tests := []struct {
		name      string
		giveEnv   string // VAULT_TOKEN
		giveToken string // VaultConfig.Token
		wantErr   bool
	}{
		{"config token right, environment wrong", "hvs.wrong-env-token", srv.RootToken, false},
		{"config token wrong, environment right", srv.RootToken, "hvs.wrong-config-token", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VAULT_TOKEN", tt.giveEnv)
			t.Setenv("VAULT_NAMESPACE", "elsewhere")
			_, err := newVault(t, srv, vaultsecrets.VaultConfig{Token: tt.giveToken}).Read(t.Context(), logger)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("got error %v, want error: %t", err, tt.wantErr)
			}
		})
	}
}

func TestNewVaultErrors(t *testing.T) {
	tests := []struct {
		name    string
		give    vaultsecrets.VaultConfig
		wantErr string
	}{
		{"no address", vaultsecrets.VaultConfig{Token: "t"}, "vault: no address (set VAULT_ADDR)"},
		{"no credentials", vaultsecrets.VaultConfig{Address: "http://127.0.0.1:1"}, "vault http://127.0.0.1:1: no credentials: set VAULT_TOKEN"},
		{"unknown method", vaultsecrets.VaultConfig{Address: "http://127.0.0.1:1", AuthMethod: "ldap"}, `auth method "ldap" is none of token, approle, kubernetes`},
		{"approle without secret_id", vaultsecrets.VaultConfig{Address: "http://127.0.0.1:1", RoleID: "r"}, "approle auth: no secret_id"},
		{"approle without role_id", vaultsecrets.VaultConfig{Address: "http://127.0.0.1:1", AuthMethod: "approle"}, "approle auth: no role_id"},
		{"kubernetes without role", vaultsecrets.VaultConfig{Address: "http://127.0.0.1:1", AuthMethod: "kubernetes"}, "kubernetes auth: no role"},
		{"missing CA", vaultsecrets.VaultConfig{Address: "https://127.0.0.1:1", Token: "t", CACert: "testdata/no-such-ca.pem"}, "vault https://127.0.0.1:1: tls: "},
		{"key without cert", vaultsecrets.VaultConfig{Address: "https://127.0.0.1:1", Token: "t", ClientKey: "k.pem"}, "both client cert and client key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vaultsecrets.NewVault(tt.give, zaptest.NewLogger(t))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestVaultConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
		want vaultsecrets.VaultConfig
	}{
		{"all", map[string]string{
			"VAULT_ADDR": "https://vault:8200", "VAULT_TOKEN": "tok", "VAULT_NAMESPACE": "ns",
			"VAULT_CACERT": "/ca.pem", "VAULT_CLIENT_CERT": "/c.pem", "VAULT_CLIENT_KEY": "/k.pem", "VAULT_SKIP_VERIFY": "true",
		}, vaultsecrets.VaultConfig{
			Address: "https://vault:8200", Token: "tok", Namespace: "ns",
			CACert: "/ca.pem", ClientCert: "/c.pem", ClientKey: "/k.pem", SkipVerify: true,
		}},
		{"none", map[string]string{}, vaultsecrets.VaultConfig{}},
		{"skip verify not a boolean", map[string]string{"VAULT_SKIP_VERIFY": "yes please"}, vaultsecrets.VaultConfig{}},
	}
	vars := []string{"VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_SKIP_VERIFY"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range vars {
				t.Setenv(k, tt.give[k])
			}
			if got := vaultsecrets.VaultConfigFromEnv(); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVaultConfigHidesToken(t *testing.T) {
	cfg := vaultsecrets.VaultConfig{Address: "https://vault:8200", Token: canary}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(format, cfg); strings.Contains(got, canary) || !strings.Contains(got, "https://vault:8200") {
			t.Errorf("%s: got %q, want the address without the token", format, got)
		}
	}
}

func action(name string) vaultsecrets.Owner {
	return vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: name}
}
