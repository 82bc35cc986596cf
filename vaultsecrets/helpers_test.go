package vaultsecrets_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/vaultsecrets"
)

// Short delays for the fault tests: nothing in them asserts a duration.
const (
	testTimeout    = 2 * time.Second        // per Vault request, so a held connection fails soon
	testMinBackoff = 50 * time.Millisecond  // first retry
	testMaxBackoff = 400 * time.Millisecond // cap
	testPoll       = 100 * time.Millisecond // watcher interval
	testDeadline   = 60 * time.Second       // how long a test waits for a state before failing
)

// fastConfig is cfg with the short timeout and no client retries.
func fastConfig(cfg vaultsecrets.VaultConfig) vaultsecrets.VaultConfig {
	cfg.Timeout = testTimeout
	cfg.MaxRetries = -1
	return cfg
}

// newVaultAt returns a Vault with cfg (Address required) and the short test backoff.
func newVaultAt(t *testing.T, cfg vaultsecrets.VaultConfig, opts ...vaultsecrets.Option) *vaultsecrets.Vault {
	t.Helper()
	opts = append([]vaultsecrets.Option{vaultsecrets.WithBackoff(testMinBackoff, testMaxBackoff)}, opts...)
	v, err := vaultsecrets.NewVault(fastConfig(cfg), zaptest.NewLogger(t), opts...)
	if err != nil {
		t.Fatalf("NewVault: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// runBackground runs fn until the test ends and waits for it to return.
func runBackground(t *testing.T, fn func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := fn(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// waitFor polls cond until it holds, failing t after testDeadline with what.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", testDeadline, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// healthOf returns owner's health in c, or the zero value.
func healthOf(c *vaultsecrets.Cache, owner vaultsecrets.Owner) vaultsecrets.OwnerHealth {
	for _, h := range c.Health() {
		if h.Owner == owner.String() {
			return h
		}
	}
	return vaultsecrets.OwnerHealth{}
}

// reconciler stands in for package sync: on each Watcher signal it re-reads the changed owners
// through the Cache, as the real reconciler will. It runs until the test ends.
func reconciler(t *testing.T, w *vaultsecrets.Watcher, c *vaultsecrets.Cache, names []string) {
	t.Helper()
	runBackground(t, func(ctx context.Context) error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-w.Changes():
				for _, o := range w.TakeChanged() {
					_, _ = c.ReadNames(ctx, o, names)
				}
			}
		}
	})
}

// enableAppRole mounts AppRole at auth/approle (once per server) and creates role with policies and
// the token TTLs given; it returns its role_id and a new secret_id.
func enableAppRole(t *testing.T, root *api.Client, role string, policies []string, ttl, maxTTL string) (roleID, secretID string) {
	t.Helper()
	auths, err := root.Sys().ListAuth()
	if err != nil {
		t.Fatalf("list auth: %v", err)
	}
	if _, ok := auths["approle/"]; !ok {
		if err := root.Sys().EnableAuthWithOptions("approle", &api.EnableAuthOptions{Type: "approle"}); err != nil {
			t.Fatalf("enable approle: %v", err)
		}
	}
	if _, err := root.Logical().Write("auth/approle/role/"+role, map[string]any{
		"token_policies": policies, "token_ttl": ttl, "token_max_ttl": maxTTL,
	}); err != nil {
		t.Fatalf("write role: %v", err)
	}
	s, err := root.Logical().Read("auth/approle/role/" + role + "/role-id")
	if err != nil {
		t.Fatalf("read role-id: %v", err)
	}
	roleID = s.Data["role_id"].(string)
	s, err = root.Logical().Write("auth/approle/role/"+role+"/secret-id", nil)
	if err != nil {
		t.Fatalf("secret-id: %v", err)
	}
	return roleID, s.Data["secret_id"].(string)
}

// readAll is a policy that reads every KV v2 secret and its metadata.
const readAll = `
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read"] }
`

// putPolicy writes policy name.
func putPolicy(t *testing.T, root *api.Client, name, rules string) {
	t.Helper()
	if err := root.Sys().PutPolicy(name, rules); err != nil {
		t.Fatalf("put policy %s: %v", name, err)
	}
}

// writeFile writes data to a new file in t's temp dir and returns its path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sameValues reports whether got holds exactly want.
func sameValues(got vaultsecrets.Values, want map[string]any) bool {
	w := make(vaultsecrets.Values, len(want))
	for k, v := range want {
		w[k] = v.(string)
	}
	return maps.Equal(got, w)
}

func writeFileAt(path, data string) error { return os.WriteFile(path, []byte(data), 0o600) }
