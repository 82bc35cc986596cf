package vaultsecrets

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/hashicorp/vault/api"
	"go.uber.org/zap"
)

// Vault reads secrets from a KV v2 mount: an owner's secrets are the keys of
// <mount>/<prefix>/<kind>/<name>. It is safe for concurrent use.
//
// It logs in when first used (token, AppRole or Kubernetes auth, as its VaultConfig says). Run keeps
// the token alive: it renews it with Vault's LifetimeWatcher and logs in again when renewal is no
// longer possible; a token without a TTL is used as it is. A request refused with 403 checks the
// token (lookup-self): when the token is no longer valid (revoked, expired) the Vault logs in again
// and retries the request once. Run retries failed logins with capped, jittered backoff. New starts nothing; Close releases idle connections once Run has returned.
type Vault struct {
	client    *api.Client // requests; its token is replaced at each login
	loginC    *api.Client // logins: the same transport and namespace, no token
	transport *http.Transport
	mount     string
	prefix    string
	auth      authMethod
	log       *zap.Logger
	metrics   *Metrics
	backoff   backoff
	relogged  chan struct{} // capacity 1: a login happened that Run did not do

	loginMu gosync.Mutex // serialises logins; held during the login request, never with mu waiting on it

	mu        gosync.Mutex // guards the fields below
	gen       uint64       // login generation: 0 before the first login, +1 at each
	lease     tokenLease   // the token in use and its lifetime
	expires   time.Time    // when lease expires unless renewed; zero: never
	lastLogin time.Time
	lastRenew time.Time
	logins    int
	renewals  int
	authErr   error // last login or renewal failure; nil after a success
	failures  int   // consecutive failed logins
	nextLogin time.Time
}

var _ Source = (*Vault)(nil)

// Option configures NewVault.
type Option func(*Vault)

// WithMetrics records the Vault's requests, logins and renewals in m.
func WithMetrics(m *Metrics) Option { return func(v *Vault) { v.metrics = m } }

// WithBackoff sets the delays between failed logins (defaults DefaultMinBackoff, DefaultMaxBackoff).
func WithBackoff(min, max time.Duration) Option {
	return func(v *Vault) { v.backoff = newBackoff(min, max) }
}

// NewVault returns a Vault that reads with cfg. It does not contact Vault: the first request logs in.
// The Vault client library still reads VAULT_HEADERS, and fails when VAULT_CACERT or another VAULT_*
// variable it reads names something unusable.
func NewVault(cfg VaultConfig, log *zap.Logger, opts ...Option) (*Vault, error) {
	if log == nil {
		log = zap.NewNop()
	}
	if cfg.Address == "" {
		return nil, errors.New("vault: no address (set VAULT_ADDR)")
	}
	auth, err := newAuthMethod(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault %s: %w", cfg.Address, err)
	}
	mount := strings.Trim(cfg.Mount, "/")
	if mount == "" {
		mount = DefaultMount
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix == "" {
		prefix = DefaultPrefix
	}
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
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
		Timeout:      orDuration(cfg.Timeout, DefaultTimeout),
		MaxRetries:   retries, // 5xx, 412 and connection errors
		MinRetryWait: time.Second,
		MaxRetryWait: 1500 * time.Millisecond,
	}
	if err := conf.ConfigureTLS(&api.TLSConfig{
		CACert:        cfg.CACert,
		CAPath:        cfg.CAPath,
		ClientCert:    cfg.ClientCert,
		ClientKey:     cfg.ClientKey,
		TLSServerName: cfg.TLSServerName,
		Insecure:      cfg.SkipVerify,
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
	loginC, err := client.CloneWithHeaders()
	if err != nil {
		return nil, fmt.Errorf("vault %s: %w", cfg.Address, err)
	}
	loginC.ClearToken()

	v := &Vault{
		client: client, loginC: loginC, transport: tr, mount: mount, prefix: prefix, auth: auth, log: log,
		backoff: newBackoff(0, 0), relogged: make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(v)
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
	return v, nil
}

// Close releases the idle connections to Vault. The Vault must not be used after, and Run must have
// returned.
func (v *Vault) Close() error {
	v.transport.CloseIdleConnections()
	return nil
}

// Health returns the state of the login.
func (v *Vault) Health() AuthHealth {
	v.mu.Lock()
	defer v.mu.Unlock()
	h := AuthHealth{
		Method:    v.auth.String(),
		LoggedIn:  v.gen != 0 && v.lease.token != "",
		Expires:   v.expires,
		Renewable: v.lease.renewable,
		LastLogin: v.lastLogin,
		LastRenew: v.lastRenew,
		Logins:    v.logins,
		Renewals:  v.renewals,
	}
	if v.authErr != nil {
		h.Error = v.authErr.Error()
		h.NextLogin = v.nextLogin
	}
	return h
}

// login makes sure a token is in use and returns its generation and lease. With stale 0 it logs in
// only when no login succeeded yet; with stale the generation of a token found invalid, it logs in
// again unless another login already replaced that token. A failed login sets the earliest time Run
// tries again (capped backoff with jitter); requests that need a token try at once.
func (v *Vault) login(ctx context.Context, stale uint64) (uint64, tokenLease, error) {
	v.loginMu.Lock()
	defer v.loginMu.Unlock()

	v.mu.Lock()
	if v.gen != 0 && v.gen != stale && v.lease.token != "" {
		gen, lease := v.gen, v.lease
		v.mu.Unlock()
		return gen, lease, nil
	}
	v.mu.Unlock()

	start := time.Now()
	v.loginC.ClearToken()
	lease, err := v.auth.login(ctx, v.loginC)
	v.loginC.ClearToken()
	v.metrics.request("login", start, err)
	v.metrics.login(err)

	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.failures++
		v.authErr = err
		v.nextLogin = time.Now().Add(v.backoff.delay(v.failures))
		v.log.Warn("vault login failed", zap.Stringer("auth", v.auth), zap.Error(err), zap.Time("next_attempt", v.nextLogin))
		return 0, tokenLease{}, fmt.Errorf("vault %s login: %w", v.auth, err)
	}
	v.client.SetToken(lease.token)
	v.gen++
	v.lease = lease
	v.expires = time.Time{}
	if lease.ttl > 0 {
		v.expires = time.Now().Add(lease.ttl)
	}
	v.metrics.expiry(v.expires)
	v.lastLogin = time.Now()
	v.logins++
	v.authErr, v.failures, v.nextLogin = nil, 0, time.Time{}
	v.log.Info("vault login", zap.Stringer("auth", v.auth), zap.Duration("ttl", lease.ttl), zap.Bool("renewable", lease.renewable))
	select {
	case v.relogged <- struct{}{}:
	default:
	}
	return v.gen, lease, nil
}

// generation is the current login generation.
func (v *Vault) generation() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.gen
}

// do runs req with a logged-in client. When Vault refuses it with 403 and a lookup-self shows the
// token is no longer valid, it logs in again and runs req once more.
func (v *Vault) do(ctx context.Context, op, path string, req func() error) error {
	gen, _, err := v.login(ctx, 0)
	if err != nil {
		return &loginError{path: path, err: err}
	}
	start := time.Now()
	err = req()
	v.metrics.request(op, start, err)
	if statusOf(err) != http.StatusForbidden {
		return err
	}
	start = time.Now()
	_, lerr := v.client.Auth().Token().LookupSelfWithContext(ctx)
	v.metrics.request("lookup", start, lerr)
	if statusOf(lerr) != http.StatusForbidden {
		return err // the token is fine: the policy refuses this path
	}
	v.log.Warn("vault token no longer valid: logging in again", zap.Stringer("auth", v.auth), zap.String("path", path))
	if _, _, lerr := v.login(ctx, gen); lerr != nil {
		return &loginError{path: path, err: fmt.Errorf("token no longer valid: %w", lerr)}
	}
	start = time.Now()
	err = req()
	v.metrics.request(op, start, err)
	return err
}

// Run keeps the login alive until ctx ends: it logs in (again after a failure, with backoff),
// renews a token that has a TTL with a LifetimeWatcher, and logs in again when the watcher says
// renewal is over. A token without a TTL is used as it is. Run returns nil when ctx ends, once the
// watcher it started has stopped.
func (v *Vault) Run(ctx context.Context) error {
	var stale uint64
	for {
		gen, lease, err := v.login(ctx, stale)
		if err != nil {
			v.mu.Lock()
			wait := time.Until(v.nextLogin)
			v.mu.Unlock()
			if !sleep(ctx, max(wait, 10*time.Millisecond), v.relogged) {
				return nil
			}
			continue
		}
		stale = 0
		if lease.ttl <= 0 {
			// No TTL: used as it is, until a request finds it invalid and logs in again.
			if !v.waitRelogin(ctx, gen, nil) {
				return nil
			}
			continue
		}
		w, err := v.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: lease.secret()})
		if err != nil {
			return fmt.Errorf("vault token watcher: %w", err)
		}
		done := make(chan error, 1)
		go func() { w.Start(); done <- nil }()
		alive := v.waitRelogin(ctx, gen, w)
		w.Stop()
		<-done // Start returns once the watcher has stopped
		if !alive {
			return nil
		}
		if v.generation() == gen {
			stale = gen // renewal is over for this token: log in again
		}
	}
}

// waitRelogin waits until ctx ends (false), another login replaces generation gen, or w (if any)
// says renewal is over (true). It records w's renewals.
func (v *Vault) waitRelogin(ctx context.Context, gen uint64, w *api.LifetimeWatcher) bool {
	var renewCh <-chan *api.RenewOutput
	var doneCh <-chan error
	if w != nil {
		renewCh, doneCh = w.RenewCh(), w.DoneCh()
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-v.relogged:
			if v.generation() != gen {
				return true
			}
		case r := <-renewCh:
			v.mu.Lock()
			v.renewals++
			v.lastRenew = r.RenewedAt
			if r.Secret != nil && r.Secret.Auth != nil {
				v.lease.ttl = time.Duration(r.Secret.Auth.LeaseDuration) * time.Second
				v.lease.renewable = r.Secret.Auth.Renewable
				v.expires = time.Now().Add(v.lease.ttl)
			}
			v.authErr = nil
			v.metrics.expiry(v.expires)
			v.mu.Unlock()
			v.metrics.renewal(nil)
			v.log.Debug("vault token renewed", zap.Stringer("auth", v.auth))
		case err := <-doneCh:
			if err != nil {
				v.metrics.renewal(err)
				v.mu.Lock()
				v.authErr = fmt.Errorf("renew: %w", err)
				v.mu.Unlock()
			}
			v.log.Info("vault token renewal over: logging in again", zap.Stringer("auth", v.auth), zap.Error(err))
			return true
		}
	}
}

// sleep waits for d, a signal on wake, or the end of ctx (false).
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}

// rel is owner's path under the mount; path is the same with the mount, as Secret.Path shows it.
func (v *Vault) rel(owner Owner) (rel, path string, err error) {
	if err := owner.validate(); err != nil {
		return "", "", err
	}
	rel = v.prefix + "/" + owner.Kind + "/" + owner.Name
	return rel, v.mount + "/" + rel, nil
}

// Path is where owner's secrets are, as Secret.Path shows it, e.g. "secret/actionsd/modules/logger".
func (v *Vault) Path(owner Owner) (string, error) {
	_, path, err := v.rel(owner)
	return path, err
}

// Read reads the current version of owner's secret. Every value must be a string. A path that does
// not exist, or whose current version is deleted or destroyed, gives a *NotFoundError.
func (v *Vault) Read(ctx context.Context, owner Owner) (*Secret, error) {
	rel, path, err := v.rel(owner)
	if err != nil {
		return nil, err
	}
	var kv *api.KVSecret
	err = v.do(ctx, "read", path, func() (err error) {
		kv, err = v.client.KVv2(v.mount).Get(ctx, rel)
		if errors.Is(err, api.ErrSecretNotFound) {
			return &NotFoundError{Path: path}
		}
		return err
	})
	if err != nil {
		return nil, readError(path, "", err)
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

// readError is what Read and Version return for the error of a request on path: a
// *NotFoundError or a login failure as they are, anything else as a request error.
func readError(path, what string, err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nf
	}
	var le *loginError
	if errors.As(err, &le) {
		return le
	}
	return requestError(path, what, err)
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
	var md *api.KVMetadata
	err = v.do(ctx, "metadata", path, func() (err error) {
		md, err = v.client.KVv2(v.mount).GetMetadata(ctx, rel)
		if errors.Is(err, api.ErrSecretNotFound) {
			return &NotFoundError{Path: path}
		}
		return err
	})
	if err != nil {
		return 0, readError(path, "metadata: ", err)
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

// loginError is a request that could not be made because the login failed.
type loginError struct {
	path string
	err  error
}

func (e *loginError) Error() string { return "secret " + e.path + ": " + e.err.Error() }
func (e *loginError) Unwrap() error { return e.err }

// statusOf is the HTTP status of a Vault response error in err's chain; 0 when there is none.
func statusOf(err error) int {
	var re *api.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// unavailable reports whether err says Vault could not answer: no response at all (unreachable,
// timed out) or a 5xx (sealed, standby without a leader, overloaded).
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	var nf *NotFoundError
	if errors.As(err, &nf) || errors.Is(err, context.Canceled) {
		return false
	}
	st := statusOf(err)
	return st == 0 || st >= 500
}

// requestError names path in err, a failed request to Vault. The Vault client's *api.ResponseError
// spans many lines; its status and messages are put on one, and it stays in the chain for errors.As.
func requestError(path, what string, err error) error {
	return responseError("secret "+path+": "+what, err)
}

// responseError is requestError with any prefix.
func responseError(prefix string, err error) error {
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s%w", prefix, err)
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
		msg: fmt.Sprintf("%svault answered %d: %s", prefix, re.StatusCode, strings.Join(msgs, "; ")),
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
