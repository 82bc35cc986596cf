package vaultsecrets_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestAppRoleRenewAndRelogin logs in with AppRole (secret_id from a file) with a short token TTL
// and max TTL: Run renews the token, logs in again when the max TTL ends renewal, and a token
// revoked under the Vault is replaced at the next request.
func TestAppRoleRenewAndRelogin(t *testing.T) {
	srv := vaulttest.Start(t)
	root := srv.Client(t)
	putPolicy(t, root, "read-all", readAll)
	roleID, secretID := enableAppRole(t, root, "actionsd", []string{"read-all"}, "3s", "8s")
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})

	v := newVaultAt(t, vaultsecrets.VaultConfig{
		Address: srv.Addr, RoleID: roleID, SecretIDFile: writeFile(t, "secret-id", secretID+"\n"),
	})
	if _, err := v.Read(t.Context(), logger); err != nil {
		t.Fatalf("Read: %v", err)
	}
	h := v.Health()
	if !h.LoggedIn || h.Logins != 1 || h.Expires.IsZero() || !h.Renewable {
		t.Fatalf("after login: got %+v, want one login with a renewable, expiring token", h)
	}
	runBackground(t, v.Run)
	waitFor(t, "a renewal and a login after the max TTL", func() bool {
		h := v.Health()
		return h.Renewals >= 1 && h.Logins >= 2
	})
	if _, err := v.Read(t.Context(), logger); err != nil {
		t.Fatalf("Read after re-login: %v", err)
	}
	t.Logf("after renewals: %+v", v.Health())

	// Revoke every token AppRole issued: the next request finds its token invalid, logs in again
	// and succeeds.
	before := v.Health().Logins
	if err := root.Sys().RevokePrefix("auth/approle/login"); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := v.Read(t.Context(), logger); err != nil {
		t.Fatalf("Read after revocation: %v", err)
	}
	if _, err := v.Version(t.Context(), logger); err != nil {
		t.Fatalf("Version after revocation: %v", err)
	}
	if got := v.Health().Logins; got <= before {
		t.Errorf("got %d logins, want more than %d", got, before)
	}
	for _, s := range []string{fmt.Sprintf("%+v", v.Health()), mustJSON(t, v.Health())} {
		if strings.Contains(s, secretID) || strings.Contains(s, roleID) || strings.Contains(s, "hvs.") {
			t.Errorf("health leaks a credential: %s", s)
		}
	}
}

// TestAppRoleFromEnvAndBadSecretID takes the AppRole settings from the environment, and checks that a
// wrong secret_id fails without printing it.
func TestAppRoleFromEnvAndBadSecretID(t *testing.T) {
	srv := vaulttest.Start(t)
	root := srv.Client(t)
	putPolicy(t, root, "read-all", readAll)
	roleID, secretID := enableAppRole(t, root, "env", []string{"read-all"}, "1m", "10m")
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})

	var cfg vaultsecrets.VaultConfig
	env := map[string]string{"VAULT_ADDR": srv.Addr, "VAULT_ROLE_ID": roleID, "VAULT_SECRET_ID": secretID}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if _, err := newVaultAt(t, cfg).Read(t.Context(), logger); err != nil {
		t.Fatalf("Read: %v", err)
	}

	const wrong = "wr0ng-s3cret-id-canary"
	cfg.SecretID = wrong
	v := newVaultAt(t, cfg)
	_, err := v.Read(t.Context(), logger)
	if err == nil {
		t.Fatal("got no error with a wrong secret_id")
	}
	msg := fmt.Sprintf("%v %+v %#v %+v", err, err, err, v.Health())
	if !strings.Contains(err.Error(), "approle") || !strings.Contains(err.Error(), "secret/actionsd/modules/logger") {
		t.Errorf("got error %q, want it to name approle and the path", err)
	}
	for _, never := range []string{wrong, roleID, secretID} {
		if strings.Contains(msg, never) {
			t.Errorf("error or health contains a credential: %s", msg)
		}
	}
}

// TestTokenWithoutTTL: a root token has no TTL; Run uses it as it is and renews nothing.
func TestTokenWithoutTTL(t *testing.T) {
	srv := vaulttest.Start(t)
	srv.Put(t, "actionsd/modules/logger", map[string]any{"API_KEY": canary})
	v := newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken})
	runBackground(t, v.Run)
	waitFor(t, "the login", func() bool { return v.Health().LoggedIn })
	if _, err := v.Read(t.Context(), logger); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if h := v.Health(); !h.Expires.IsZero() || h.Renewals != 0 || h.Logins != 1 {
		t.Errorf("got %+v, want one login, no expiry, no renewal", h)
	}
}

// TestKubernetesAuth configures the kubernetes auth method of the test core against a loopback
// TokenReview server, and logs in with a service-account JWT read from a file.
func TestKubernetesAuth(t *testing.T) {
	srv := vaulttest.Start(t)
	root := srv.Client(t)
	putPolicy(t, root, "read-all", readAll)
	srv.Put(t, "actionsd/actions/log-login", map[string]any{"TOKEN": canary})

	jwt := serviceAccountJWT(t, "prod", "actionsd", "0b5e-uid")
	const reviewerJWT = "reviewer-jwt-canary"
	reviews := &tokenReviewer{want: jwt, reviewer: reviewerJWT, username: "system:serviceaccount:prod:actionsd", uid: "0b5e-uid"}
	k8s := httptest.NewServer(reviews)
	t.Cleanup(k8s.Close)

	if err := root.Sys().EnableAuthWithOptions("k8s", &api.EnableAuthOptions{Type: "kubernetes"}); err != nil {
		t.Fatalf("enable kubernetes auth: %v", err)
	}
	if _, err := root.Logical().Write("auth/k8s/config", map[string]any{
		"kubernetes_host":      k8s.URL,
		"token_reviewer_jwt":   reviewerJWT,
		"disable_local_ca_jwt": true,
	}); err != nil {
		t.Fatalf("configure kubernetes auth: %v", err)
	}
	if _, err := root.Logical().Write("auth/k8s/role/actionsd", map[string]any{
		"bound_service_account_names":      []string{"actionsd"},
		"bound_service_account_namespaces": []string{"prod"},
		"token_policies":                   []string{"read-all"},
		"token_ttl":                        "1m",
	}); err != nil {
		t.Fatalf("write role: %v", err)
	}

	v := newVaultAt(t, vaultsecrets.VaultConfig{
		Address: srv.Addr, AuthMethod: "kubernetes", AuthMount: "k8s", KubernetesRole: "actionsd",
		KubernetesTokenPath: writeFile(t, "token", jwt),
	})
	got, err := v.Read(t.Context(), vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "log-login"})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got.Values["TOKEN"] != canary {
		t.Errorf("got another value for TOKEN")
	}
	if n := reviews.count(); n != 1 {
		t.Errorf("got %d token reviews, want 1", n)
	}
	if h := v.Health(); !h.LoggedIn || h.Method != "kubernetes (mount k8s, role actionsd)" || h.Expires.IsZero() {
		t.Errorf("got %+v, want logged in with kubernetes and an expiring token", h)
	}

	// A service account the role does not bind is refused, and the error leaks no JWT.
	other := serviceAccountJWT(t, "dev", "someone", "1c6f-uid")
	v2 := newVaultAt(t, vaultsecrets.VaultConfig{
		Address: srv.Addr, AuthMethod: "kubernetes", AuthMount: "k8s", KubernetesRole: "actionsd",
		KubernetesTokenPath: writeFile(t, "token", other),
	})
	_, err = v2.Read(t.Context(), vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "log-login"})
	if err == nil {
		t.Fatal("got no error for an unbound service account")
	}
	if strings.Contains(err.Error(), other) || strings.Contains(err.Error(), reviewerJWT) {
		t.Errorf("error leaks a JWT: %v", err)
	}
}

// tokenReviewer is a stand-in for the Kubernetes API's TokenReview endpoint: it authenticates want
// as username, when the request carries the reviewer's bearer token.
type tokenReviewer struct {
	want, reviewer, username, uid string

	mu sync.Mutex // guards n
	n  int
}

func (r *tokenReviewer) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *tokenReviewer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" {
		http.NotFound(w, req)
		return
	}
	if req.Header.Get("Authorization") != "Bearer "+r.reviewer {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`)
		return
	}
	var review struct {
		Spec struct {
			Token string `json:"token"`
		} `json:"spec"`
	}
	if err := json.NewDecoder(req.Body).Decode(&review); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	status := map[string]any{"authenticated": false}
	if review.Spec.Token == r.want {
		status = map[string]any{
			"authenticated": true,
			"user":          map[string]any{"username": r.username, "uid": r.uid, "groups": []string{"system:serviceaccounts"}},
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "status": status,
	})
}

// serviceAccountJWT returns a legacy Kubernetes service-account JWT signed with a fresh ES256 key
// (the auth method checks the signature only when given public keys).
func serviceAccountJWT(t *testing.T, namespace, name, uid string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"alg": "ES256", "typ": "JWT"}) + "." + enc(map[string]any{
		"iss":                                    "kubernetes/serviceaccount",
		"sub":                                    "system:serviceaccount:" + namespace + ":" + name,
		"kubernetes.io/serviceaccount/namespace": namespace,
		"kubernetes.io/serviceaccount/service-account.name": name,
		"kubernetes.io/serviceaccount/service-account.uid":  uid,
		"kubernetes.io/serviceaccount/secret.name":          name + "-token",
		"iat": time.Now().Unix(),
	})
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
