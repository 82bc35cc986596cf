package vaultsecrets

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Defaults of VaultConfig.
const (
	DefaultMount  = "secret"
	DefaultPrefix = "actionsd"
)

// VaultConfig says how to reach Vault and where the secrets are. The Token is a credential: the
// config prints and logs without it.
type VaultConfig struct {
	Address   string // e.g. "https://vault.example.com:8200"; required
	Token     string // token auth; required until other auth methods exist
	Namespace string // Vault Enterprise namespace; empty for none
	Mount     string // the KV v2 mount; DefaultMount when empty
	Prefix    string // the path under the mount, e.g. "actionsd/prod"; DefaultPrefix when empty

	// TLS, as the Vault CLI takes it.
	CACert     string // PEM file of the CA that signed Vault's certificate; the system pool when empty
	ClientCert string // PEM file of a client certificate, with ClientKey
	ClientKey  string // PEM file of ClientCert's key
	SkipVerify bool   // do not verify Vault's certificate: for trials only
}

// VaultConfigFromEnv reads the Vault CLI's environment variables: VAULT_ADDR, VAULT_TOKEN,
// VAULT_NAMESPACE, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY and VAULT_SKIP_VERIFY (a Go
// boolean; anything else leaves verification on). Mount and Prefix are left empty, for their defaults.
func VaultConfigFromEnv() VaultConfig {
	skip, _ := strconv.ParseBool(os.Getenv("VAULT_SKIP_VERIFY"))
	return VaultConfig{
		Address:    os.Getenv("VAULT_ADDR"),
		Token:      os.Getenv("VAULT_TOKEN"),
		Namespace:  os.Getenv("VAULT_NAMESPACE"),
		CACert:     os.Getenv("VAULT_CACERT"),
		ClientCert: os.Getenv("VAULT_CLIENT_CERT"),
		ClientKey:  os.Getenv("VAULT_CLIENT_KEY"),
		SkipVerify: skip,
	}
}

// String describes c without its token.
func (c VaultConfig) String() string {
	return fmt.Sprintf("{Address:%s Namespace:%s Mount:%s Prefix:%s Token:%s CACert:%s ClientCert:%s ClientKey:%s SkipVerify:%t}",
		c.Address, c.Namespace, c.Mount, c.Prefix, redactedIfSet(c.Token), c.CACert, c.ClientCert, c.ClientKey, c.SkipVerify)
}

// GoString is String, so %#v leaves the token out too.
func (c VaultConfig) GoString() string { return "vaultsecrets.VaultConfig" + c.String() }

// MarshalLogObject makes zap log c without its token.
func (c VaultConfig) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("address", c.Address)
	enc.AddString("namespace", c.Namespace)
	enc.AddString("mount", c.Mount)
	enc.AddString("prefix", c.Prefix)
	enc.AddString("token", redactedIfSet(c.Token))
	enc.AddString("ca_cert", c.CACert)
	enc.AddString("client_cert", c.ClientCert)
	enc.AddString("client_key", c.ClientKey)
	enc.AddBool("skip_verify", c.SkipVerify)
	return nil
}

func redactedIfSet(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// authMethod gives a Vault client its token. Token auth sets a fixed one; AppRole and Kubernetes
// logins (and the renewal that goes with them) will implement it too.
type authMethod interface {
	// login authenticates c, setting its token.
	login(ctx context.Context, c *api.Client) error
	// String names the method for logs and errors; it holds no credential.
	String() string
}

// tokenAuth uses a token given in the configuration.
type tokenAuth struct{ token string }

func (a tokenAuth) login(_ context.Context, c *api.Client) error {
	c.SetToken(a.token)
	return nil
}

func (tokenAuth) String() string { return "token" }

// Vault reads secrets from a KV v2 mount: an owner's secrets are the keys of
// <mount>/<prefix>/<kind>/<name>. It is safe for concurrent use. It starts no goroutine; Close
// releases its idle connections.
type Vault struct {
	client    *api.Client
	transport *http.Transport
	mount     string
	prefix    string
	log       *zap.Logger
}

var _ Source = (*Vault)(nil)

// NewVault returns a Vault that reads with cfg, logged in with cfg's token. It does not contact Vault:
// the first Read does. The Vault client library still reads VAULT_HEADERS, and fails when
// VAULT_CACERT or another VAULT_* variable it reads names something unusable.
func NewVault(cfg VaultConfig, log *zap.Logger) (*Vault, error) {
	if log == nil {
		log = zap.NewNop()
	}
	if cfg.Address == "" {
		return nil, errors.New("vault: no address (set VAULT_ADDR)")
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("vault %s: no token (set VAULT_TOKEN)", cfg.Address)
	}
	mount := strings.Trim(cfg.Mount, "/")
	if mount == "" {
		mount = DefaultMount
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix == "" {
		prefix = DefaultPrefix
	}

	// Our own transport, not the library's default: its configuration comes from cfg alone, and
	// Close can release its connections.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	conf := &api.Config{
		Address: cfg.Address,
		HttpClient: &http.Client{
			Transport: tr,
			// The Vault client follows Vault's redirects itself.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Timeout:      60 * time.Second,
		MaxRetries:   2, // 5xx and 412, as the library's default
		MinRetryWait: time.Second,
		MaxRetryWait: 1500 * time.Millisecond,
	}
	if err := conf.ConfigureTLS(&api.TLSConfig{
		CACert:     cfg.CACert,
		ClientCert: cfg.ClientCert,
		ClientKey:  cfg.ClientKey,
		Insecure:   cfg.SkipVerify,
	}); err != nil {
		return nil, fmt.Errorf("vault %s: tls: %w", cfg.Address, err)
	}
	client, err := api.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("vault %s: %w", cfg.Address, err)
	}
	// NewClient takes VAULT_TOKEN and VAULT_NAMESPACE from the environment: cfg says instead.
	client.ClearToken()
	if cfg.Namespace != "" {
		client.SetNamespace(cfg.Namespace)
	} else {
		client.ClearNamespace()
	}
	var auth authMethod = tokenAuth{token: cfg.Token}
	if err := auth.login(context.Background(), client); err != nil {
		return nil, fmt.Errorf("vault %s: %s login: %w", cfg.Address, auth, err)
	}

	if cfg.SkipVerify {
		log.Warn("vault TLS verification is off: for trials only", zap.String("address", cfg.Address))
	}
	log.Info("vault secrets",
		zap.String("address", cfg.Address),
		zap.String("namespace", cfg.Namespace),
		zap.String("mount", mount),
		zap.String("prefix", prefix),
		zap.Stringer("auth", auth))
	return &Vault{client: client, transport: tr, mount: mount, prefix: prefix, log: log}, nil
}

// Close releases the idle connections to Vault. The Vault must not be used after.
func (v *Vault) Close() error {
	v.transport.CloseIdleConnections()
	return nil
}

// rel is owner's path under the mount; path is the same with the mount, as Secret.Path shows it.
func (v *Vault) rel(owner Owner) (rel, path string, err error) {
	if err := owner.validate(); err != nil {
		return "", "", err
	}
	rel = v.prefix + "/" + owner.Kind + "/" + owner.Name
	return rel, v.mount + "/" + rel, nil
}

// Read reads the current version of owner's secret. Every value must be a string. A path that does
// not exist, or whose current version is deleted or destroyed, gives a *NotFoundError.
func (v *Vault) Read(ctx context.Context, owner Owner) (*Secret, error) {
	rel, path, err := v.rel(owner)
	if err != nil {
		return nil, err
	}
	kv, err := v.client.KVv2(v.mount).Get(ctx, rel)
	if errors.Is(err, api.ErrSecretNotFound) {
		return nil, &NotFoundError{Path: path}
	}
	if err != nil {
		return nil, requestError(path, "", err)
	}
	// A deleted or destroyed current version comes back without data.
	if kv.Data == nil {
		return nil, &NotFoundError{Path: path}
	}
	values := make(Values, len(kv.Data))
	for k, raw := range kv.Data {
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("secret %s: key %s: value is %s, want a string", path, k, jsonKind(raw))
		}
		values[k] = s
	}
	version := 0
	if kv.VersionMetadata != nil {
		version = kv.VersionMetadata.Version
	}
	v.log.Debug("read secret", zap.String("path", path), zap.Int("version", version), zap.Int("keys", len(values)))
	return &Secret{Path: path, Version: version, ReadAt: time.Now(), Values: values}, nil
}

// Version returns the current version of owner's secret from its KV v2 metadata alone, without
// reading a value: the cheap check for rotation. The token needs read on <mount>/metadata/... for
// it. A path without metadata, or whose current version is deleted or destroyed, gives a
// *NotFoundError.
func (v *Vault) Version(ctx context.Context, owner Owner) (int, error) {
	rel, path, err := v.rel(owner)
	if err != nil {
		return 0, err
	}
	md, err := v.client.KVv2(v.mount).GetMetadata(ctx, rel)
	if errors.Is(err, api.ErrSecretNotFound) {
		return 0, &NotFoundError{Path: path}
	}
	if err != nil {
		return 0, requestError(path, "metadata: ", err)
	}
	if md.CurrentVersion == 0 {
		return 0, &NotFoundError{Path: path}
	}
	if cur, ok := md.Versions[strconv.Itoa(md.CurrentVersion)]; ok {
		// A deletion_time in the future is delete_version_after's schedule, not a deletion.
		deleted := !cur.DeletionTime.IsZero() && !cur.DeletionTime.After(time.Now())
		if deleted || cur.Destroyed {
			return 0, &NotFoundError{Path: path}
		}
	}
	return md.CurrentVersion, nil
}

// requestError names path in err, a failed request to Vault. The Vault client's *api.ResponseError
// spans many lines; its status and messages are put on one, and it stays in the chain for errors.As.
func requestError(path, what string, err error) error {
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("secret %s: %s%w", path, what, err)
	}
	var msgs []string
	for _, e := range re.Errors {
		for _, line := range strings.Split(e, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
			if line != "" && !strings.HasSuffix(line, "errors occurred:") && !strings.HasSuffix(line, "error occurred:") {
				msgs = append(msgs, line)
			}
		}
	}
	if len(msgs) == 0 {
		msgs = append(msgs, http.StatusText(re.StatusCode))
	}
	return &vaultError{
		msg: fmt.Sprintf("secret %s: %svault answered %d: %s", path, what, re.StatusCode, strings.Join(msgs, "; ")),
		err: err,
	}
}

// vaultError is an error whose message is not its wrapped error's.
type vaultError struct {
	msg string
	err error
}

func (e *vaultError) Error() string { return e.msg }
func (e *vaultError) Unwrap() error { return e.err }

// jsonKind names the JSON type of v, as the Vault client decodes it, never its value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
