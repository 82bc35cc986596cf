package vaultsecrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/kubernetes"
)

// authMethod logs a Vault client in. Implementations hold their credentials (or where to read
// them) and never print them: String names the method and its mount only.
type authMethod interface {
	// login authenticates with c, which carries no token, and returns the token and its lease.
	login(ctx context.Context, c *api.Client) (tokenLease, error)
	// String names the method for logs and errors; it holds no credential.
	String() string
}

// tokenLease is a token and what Vault says of its lifetime. It prints without the token.
type tokenLease struct {
	token     string
	ttl       time.Duration // 0: the token does not expire
	renewable bool
}

func (l tokenLease) String() string {
	return fmt.Sprintf("{token:%s ttl:%s renewable:%t}", redactedIfSet(l.token), l.ttl, l.renewable)
}

// GoString is String, so %#v leaves the token out too.
func (l tokenLease) GoString() string { return l.String() }

// secret is the shape the LifetimeWatcher renews.
func (l tokenLease) secret() *api.Secret {
	return &api.Secret{Auth: &api.SecretAuth{
		ClientToken:   l.token,
		LeaseDuration: int(l.ttl / time.Second),
		Renewable:     l.renewable,
	}}
}

// newAuthMethod returns the auth method cfg selects, checking that its credentials are given (but
// not reading files: each login reads them, so a rotated file is picked up).
func newAuthMethod(cfg VaultConfig) (authMethod, error) {
	m, err := cfg.method()
	if err != nil {
		return nil, err
	}
	mount := strings.Trim(cfg.AuthMount, "/")
	switch m {
	case AuthToken:
		if cfg.Token == "" && cfg.TokenFile == "" {
			return nil, errors.New("token auth: no token (set VAULT_TOKEN or VAULT_TOKEN_FILE)")
		}
		return &tokenAuth{token: cfg.Token, file: cfg.TokenFile}, nil
	case AuthAppRole:
		if cfg.RoleID == "" && cfg.RoleIDFile == "" {
			return nil, errors.New("approle auth: no role_id (set VAULT_ROLE_ID or VAULT_ROLE_ID_FILE)")
		}
		if cfg.SecretID == "" && cfg.SecretIDFile == "" {
			return nil, errors.New("approle auth: no secret_id (set VAULT_SECRET_ID or VAULT_SECRET_ID_FILE)")
		}
		return &appRoleAuth{mount: or(mount, "approle"), roleID: cfg.RoleID, roleIDFile: cfg.RoleIDFile,
			secretID: cfg.SecretID, secretIDFile: cfg.SecretIDFile}, nil
	default: // AuthKubernetes
		if cfg.KubernetesRole == "" {
			return nil, errors.New("kubernetes auth: no role (set VAULT_KUBERNETES_ROLE)")
		}
		return &kubernetesAuth{mount: or(mount, "kubernetes"), role: cfg.KubernetesRole,
			tokenPath: or(cfg.KubernetesTokenPath, DefaultKubernetesTokenPath)}, nil
	}
}

// tokenAuth uses a given token, or the one a file holds (re-read at each login, as a Vault Agent
// sink rewrites it). Its lease comes from a lookup-self; a token without a TTL is used as it is.
type tokenAuth struct {
	token string
	file  string
}

func (a *tokenAuth) login(ctx context.Context, c *api.Client) (tokenLease, error) {
	tok := a.token
	if a.file != "" {
		b, err := os.ReadFile(a.file)
		if err != nil {
			return tokenLease{}, fmt.Errorf("token file: %w", err)
		}
		tok = strings.TrimSpace(string(b))
		if tok == "" {
			return tokenLease{}, fmt.Errorf("token file %s is empty", a.file)
		}
	}
	c.SetToken(tok)
	s, err := c.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		return tokenLease{}, responseError("auth/token/lookup-self: ", err)
	}
	lease := tokenLease{token: tok}
	if s != nil && s.Data != nil {
		if ttl, err := s.TokenTTL(); err == nil {
			lease.ttl = ttl
		}
		if r, err := s.TokenIsRenewable(); err == nil {
			lease.renewable = r
		}
	}
	return lease, nil
}

func (a *tokenAuth) String() string {
	if a.file != "" {
		return "token (file " + a.file + ")"
	}
	return "token"
}

// GoString is String: the token never prints.
func (a *tokenAuth) GoString() string { return a.String() }

// appRoleAuth logs in with a role_id and a secret_id.
type appRoleAuth struct {
	mount        string
	roleID       string
	roleIDFile   string
	secretID     string
	secretIDFile string
}

func (a *appRoleAuth) login(ctx context.Context, c *api.Client) (tokenLease, error) {
	roleID := a.roleID
	if a.roleIDFile != "" {
		b, err := os.ReadFile(a.roleIDFile)
		if err != nil {
			return tokenLease{}, fmt.Errorf("role_id file: %w", err)
		}
		roleID = strings.TrimSpace(string(b))
	}
	sid := &approle.SecretID{FromString: a.secretID}
	if a.secretIDFile != "" {
		sid = &approle.SecretID{FromFile: a.secretIDFile}
	}
	auth, err := approle.NewAppRoleAuth(roleID, sid, approle.WithMountPath(a.mount))
	if err != nil {
		return tokenLease{}, fmt.Errorf("approle: %w", err)
	}
	s, err := auth.Login(ctx, c)
	return leaseOf(s, err, "auth/"+a.mount+"/login")
}

func (a *appRoleAuth) String() string { return "approle (mount " + a.mount + ")" }

// GoString is String: the role_id and secret_id never print.
func (a *appRoleAuth) GoString() string { return a.String() }

// kubernetesAuth logs in with the pod's service-account token, read from its file at each login
// (projected tokens are rotated by the kubelet).
type kubernetesAuth struct {
	mount     string
	role      string
	tokenPath string
}

func (a *kubernetesAuth) login(ctx context.Context, c *api.Client) (tokenLease, error) {
	auth, err := kubernetes.NewKubernetesAuth(a.role,
		kubernetes.WithMountPath(a.mount), kubernetes.WithServiceAccountTokenPath(a.tokenPath))
	if err != nil {
		return tokenLease{}, fmt.Errorf("kubernetes: %w", err)
	}
	s, err := auth.Login(ctx, c)
	return leaseOf(s, err, "auth/"+a.mount+"/login")
}

func (a *kubernetesAuth) String() string {
	return "kubernetes (mount " + a.mount + ", role " + a.role + ")"
}

// GoString is String.
func (a *kubernetesAuth) GoString() string { return a.String() }

// leaseOf turns a login response into a tokenLease.
func leaseOf(s *api.Secret, err error, path string) (tokenLease, error) {
	if err != nil {
		return tokenLease{}, responseError(path+": ", err)
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return tokenLease{}, fmt.Errorf("%s: vault returned no token", path)
	}
	return tokenLease{
		token:     s.Auth.ClientToken,
		ttl:       time.Duration(s.Auth.LeaseDuration) * time.Second,
		renewable: s.Auth.Renewable,
	}, nil
}

// AuthHealth is the state of the Vault login: never a token or an ID.
type AuthHealth struct {
	Method    string    `json:"method"`                // e.g. "approle (mount approle)"
	LoggedIn  bool      `json:"logged_in"`             // a token is in use
	Expires   time.Time `json:"expires,omitzero"`      // when the token expires unless renewed; zero: never
	Renewable bool      `json:"renewable"`             // the token can be renewed
	LastLogin time.Time `json:"last_login,omitzero"`   // the last successful login
	LastRenew time.Time `json:"last_renewal,omitzero"` // the last successful renewal
	Logins    int       `json:"logins"`                // successful logins so far
	Renewals  int       `json:"renewals"`              // successful renewals so far
	Error     string    `json:"error,omitempty"`       // why the last login or renewal failed; empty once one succeeds
	NextLogin time.Time `json:"next_login,omitzero"`   // after a failed login: the earliest next attempt
}
