package vaultsecrets_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestCacheSurvivesFaults makes each fault against a real Vault core, through a loopback proxy
// where the fault is a network one. In every case the Cache keeps serving the last good values,
// reports the owner degraded with the reason, retries with backoff, and recovers by itself once the
// fault is repaired: nothing but the Watcher and a stand-in reconciler drives it.
func TestCacheSurvivesFaults(t *testing.T) {
	srv := vaulttest.Start(t)
	root := srv.Client(t)
	putPolicy(t, root, "read-all", readAll)
	names := []string{"SERVICE_URL", "API_KEY"}
	first := map[string]any{"SERVICE_URL": "https://logs.example.com", "API_KEY": canary}

	type setup struct {
		srv   *vaulttest.Server
		proxy *vaulttest.Proxy
		path  string // under secret/
		token string // a read-all token for this case
		file  string // token file the Vault reads
	}
	tests := []struct {
		name       string
		wantReason string // in Health().Error and Secret.Degraded
		fault      func(t *testing.T, s *setup)
		repair     func(t *testing.T, s *setup)
	}{
		{
			name:       "unreachable",
			wantReason: "vault unavailable",
			fault:      func(t *testing.T, s *setup) { s.proxy.Cut() },
			repair:     func(t *testing.T, s *setup) { s.proxy.Restore() },
		},
		{
			name:       "black hole",
			wantReason: "vault unavailable",
			fault:      func(t *testing.T, s *setup) { s.proxy.Hold() },
			repair:     func(t *testing.T, s *setup) { s.proxy.Restore() },
		},
		{
			name:       "sealed",
			wantReason: "503",
			fault:      func(t *testing.T, s *setup) { s.srv.Seal(t) },
			repair:     func(t *testing.T, s *setup) { s.srv.Unseal(t) },
		},
		{
			name:       "policy denies the path",
			wantReason: "403",
			fault: func(t *testing.T, s *setup) {
				putPolicy(t, root, "read-all", readAll+`
path "secret/data/`+s.path+`" { capabilities = ["deny"] }
path "secret/metadata/`+s.path+`" { capabilities = ["deny"] }
`)
			},
			repair: func(t *testing.T, s *setup) { putPolicy(t, root, "read-all", readAll) },
		},
		{
			name:       "token revoked",
			wantReason: "403",
			fault: func(t *testing.T, s *setup) {
				if err := root.Auth().Token().RevokeOrphan(s.token); err != nil {
					t.Fatalf("revoke: %v", err)
				}
			},
			repair: func(t *testing.T, s *setup) {
				// As a Vault Agent sink would: a new token in the file.
				writeTokenFile(t, s.file, newToken(t, root))
			},
		},
		{
			name:       "path deleted",
			wantReason: "no secret at secret/",
			fault:      func(t *testing.T, s *setup) { s.srv.DeleteMetadata(t, s.path) },
			repair:     func(t *testing.T, s *setup) { s.srv.Put(t, s.path, first) },
		},
		{
			name:       "declared key missing",
			wantReason: "missing keys API_KEY",
			fault: func(t *testing.T, s *setup) {
				s.srv.Put(t, s.path, map[string]any{"SERVICE_URL": "https://logs.example.com"})
			},
			repair: func(t *testing.T, s *setup) { s.srv.Put(t, s.path, first) },
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "fault-" + string(rune('a'+i))
			owner := vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: name}
			s := &setup{srv: srv, proxy: srv.Proxy(t), path: "actionsd/modules/" + name, token: newToken(t, root)}
			s.file = writeFile(t, "token", s.token)
			srv.Put(t, s.path, first)

			v := newVaultAt(t, vaultsecrets.VaultConfig{Address: s.proxy.Addr, TokenFile: s.file})
			cache := vaultsecrets.NewCache(v, vaultsecrets.CacheConfig{
				Logger: zaptest.NewLogger(t), MinBackoff: testMinBackoff, MaxBackoff: testMaxBackoff,
			})
			w, err := vaultsecrets.NewWatcher(vaultsecrets.WatcherConfig{
				Source: v, Cache: cache, Interval: testPoll, MaxBackoff: testMaxBackoff, Logger: zaptest.NewLogger(t),
			})
			if err != nil {
				t.Fatal(err)
			}
			good, err := cache.ReadNames(t.Context(), owner, names)
			if err != nil || good.Degraded != "" {
				t.Fatalf("first read: got %v (degraded %q), want fresh values", err, good.Degraded)
			}
			w.SetOwners([]vaultsecrets.Owner{owner})
			runBackground(t, v.Run)
			runBackground(t, w.Run)
			reconciler(t, w, cache, names)

			tt.fault(t, s)
			waitFor(t, "the owner to be degraded", func() bool {
				h := healthOf(cache, owner)
				return h.State == vaultsecrets.StateDegraded && strings.Contains(h.Error, tt.wantReason)
			})
			// A reconcile during the fault is served the last good values, with the reason.
			got, err := cache.ReadNames(t.Context(), owner, names)
			if err != nil {
				t.Fatalf("read during the fault: got error %v, want the last good values", err)
			}
			if !sameValues(got.Values, first) || got.Version != good.Version {
				t.Errorf("read during the fault: got version %d with other values, want version %d", got.Version, good.Version)
			}
			if !strings.Contains(got.Degraded, tt.wantReason) {
				t.Errorf("got Degraded %q, want it to contain %q", got.Degraded, tt.wantReason)
			}
			h := healthOf(cache, owner)
			t.Logf("degraded: %+v", h)
			if h.Failures == 0 && h.Error == "" {
				t.Errorf("got health %+v, want failures or an error", h)
			}
			for _, s := range []string{h.Error, got.Degraded} {
				if strings.Contains(s, canary) || strings.Contains(s, srv.RootToken) {
					t.Errorf("health or reason leaks a value: %q", s)
				}
			}

			tt.repair(t, s)
			waitFor(t, "the owner to recover", func() bool {
				return healthOf(cache, owner).State == vaultsecrets.StateOK
			})
			got, err = cache.ReadNames(t.Context(), owner, names)
			if err != nil || got.Degraded != "" || !sameValues(got.Values, first) {
				t.Errorf("after recovery: got error %v, degraded %q, want fresh values", err, got.Degraded)
			}
		})
	}
}

// TestCacheFirstLoadMissingKey: with no good values, the incomplete secret comes back (no error), for
// the reconciler to name the key and not build; the owner is failed.
func TestCacheFirstLoadMissingKey(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": "u"})
	v := newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken})
	cache := vaultsecrets.NewCache(v, vaultsecrets.CacheConfig{Logger: zaptest.NewLogger(t)})
	got, err := cache.ReadNames(t.Context(), logger, []string{"SERVICE_URL", "API_KEY"})
	if err != nil {
		t.Fatalf("got error %v, want the incomplete secret", err)
	}
	if _, missing := got.Values.Pick([]string{"SERVICE_URL", "API_KEY"}); len(missing) != 1 || missing[0] != "API_KEY" {
		t.Errorf("got missing %v, want [API_KEY]", missing)
	}
	h := healthOf(cache, logger)
	if h.State != vaultsecrets.StateFailed || !strings.Contains(h.Error, "missing keys API_KEY") {
		t.Errorf("got health %+v, want failed naming API_KEY", h)
	}

	// An unreachable Vault with nothing to serve is an error naming the path.
	srv2 := vaulttest.Start(t)
	p := srv2.Proxy(t)
	p.Cut()
	v2 := newVaultAt(t, vaultsecrets.VaultConfig{Address: p.Addr, Token: srv2.RootToken})
	c2 := vaultsecrets.NewCache(v2, vaultsecrets.CacheConfig{Logger: zaptest.NewLogger(t)})
	if _, err := c2.Read(t.Context(), logger); err == nil || !strings.Contains(err.Error(), "secret/actionsd/modules/logger") {
		t.Errorf("got error %v, want one naming the path", err)
	}
	if h := healthOf(c2, logger); h.State != vaultsecrets.StateFailed {
		t.Errorf("got state %q, want failed", h.State)
	}
}

// newToken creates an orphan token with the read-all policy (and the default one, for lookup-self).
func newToken(t *testing.T, root *api.Client) string {
	t.Helper()
	s, err := root.Auth().Token().CreateOrphan(&api.TokenCreateRequest{Policies: []string{"read-all"}})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return s.Auth.ClientToken
}

func writeTokenFile(t *testing.T, path, token string) {
	t.Helper()
	if err := writeFileAt(path, token); err != nil {
		t.Fatal(err)
	}
}
