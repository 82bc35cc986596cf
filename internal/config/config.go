// Package config loads the daemon's configuration: a YAML file, then environment variables, then
// flags, each overriding the one before. It holds no secret values except the API token, which it
// never prints.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Config is the daemon's configuration. Field names are the YAML keys.
type Config struct {
	Repo         string   `yaml:"repo"`          // local path or remote URL
	Branch       string   `yaml:"branch"`        // deploy branch; default "main"
	Addr         string   `yaml:"addr"`          // HTTP listen address; default 127.0.0.1:8080
	DataDir      string   `yaml:"data_dir"`      // git mirror and version records
	Token        string   `yaml:"token"`         // API bearer token (prefer ACTIONSD_TOKEN)
	PollInterval Duration `yaml:"poll_interval"` // default 30s; negative: never
	SecretsFile  string   `yaml:"secrets_file"`  // dev secrets file instead of Vault (not for production)
	// Vault says how to reach and log in to Vault and where the secrets are; its credentials
	// (token, secret_id) come from the environment or files, never from this file.
	Vault    vaultsecrets.VaultConfig `yaml:"vault"`
	NPM      NPM                      `yaml:"npm"`
	Egress   Egress                   `yaml:"egress"`
	Log      Log                      `yaml:"log"`
	Git      Git                      `yaml:"git"`
	Webhooks Webhooks                 `yaml:"webhooks"`
	Verify   Verify                   `yaml:"verify"`
	HTTP     HTTP                     `yaml:"http"`
	Peers    Peers                    `yaml:"peers"`
	Bridges  Bridges                  `yaml:"bridges"`
	// Watch watches a local repository's refs with fsnotify (default true; remotes are not watched).
	Watch *bool `yaml:"watch"`
	// ShutdownGrace bounds how long in-flight requests may take to finish on SIGTERM (default 25s).
	ShutdownGrace Duration `yaml:"shutdown_grace"`
	// ShutdownDelay keeps the listener open after SIGTERM, /readyz answering 503, so that a load
	// balancer sees the replica leave before connections are refused (default 0).
	ShutdownDelay Duration `yaml:"shutdown_delay"`
	// ExecutionBudget is a trigger execution's total time, all its actions together (default 20s,
	// as in Auth0); an action's own timeout may only shorten its part.
	ExecutionBudget Duration `yaml:"execution_budget"`
	// ActionMemoryMiB is how much the heap may grow during one action's run before it is stopped
	// (default 256); negative: no limit.
	ActionMemoryMiB int `yaml:"action_memory_mib"`
	// ProcessEnv is what actions see in process.env: plain settings such as NODE_ENV, never
	// secrets (those are declared and read from Vault). Empty by default.
	ProcessEnv map[string]string `yaml:"process_env"`
	// Instance names this replica in the status; default the host name.
	Instance string `yaml:"instance"`
	// StateKeyFile holds the key that seals redirect states (api.redirect.sendUserTo), so a flow
	// paused on one replica, or before a restart, resumes on another; ACTIONSD_STATE_KEY gives it
	// directly. At least 32 bytes. Unset: a random key per process.
	StateKeyFile string `yaml:"state_key_file"`
	StateKey     string `yaml:"-"`
	// RepoLimits bound what a commit may make the daemon read.
	RepoLimits RepoLimits `yaml:"repo_limits"`
	// KeepCorruptMirrors is how many corrupt git mirrors moved aside (<data_dir>/git.corrupt-<time>)
	// are kept for inspection (default 2); the oldest go first.
	KeepCorruptMirrors int `yaml:"keep_corrupt_mirrors"`
	// UI serves the read-only web UI at /ui/ (internal/ui); default false.
	UI bool `yaml:"ui"`
	// History records every execution under <data_dir>/history (GET /v1/executions, actionsd logs).
	History History `yaml:"history"`
}

// History configures the execution history (internal/history; docs/configuration.md#execution-history).
type History struct {
	// Enabled records executions (default true).
	Enabled *bool `yaml:"enabled"`
	// MaxSize bounds the bytes of the stored records (default 1GiB); the oldest go first.
	// Negative: no size limit (max_age alone).
	MaxSize Size `yaml:"max_size"`
	// MaxAge bounds how long a record is kept (default 168h, 7 days).
	MaxAge Duration `yaml:"max_age"`
	// SampleRate is the share of executions without failure that are recorded, 0 to 1 (default
	// 1); failures are always recorded.
	SampleRate float64 `yaml:"sample_rate"`
	// KeyFile holds the key material (at least 32 bytes) that records are encrypted with; or
	// ACTIONSD_HISTORY_KEY. Unset: <data_dir>/history/key, made at the first start (mode 0600).
	KeyFile string `yaml:"key_file"`
	Key     string `yaml:"-"`
	// Queue is how many executions may wait for the writer; more are dropped and counted
	// (default 4096).
	Queue int `yaml:"queue"`
	// BatchWait is how long the writer waits for more records before it writes a batch (default
	// 200ms); a record reaches GET /v1/executions and the live tail up to that long after its
	// execution.
	BatchWait Duration `yaml:"batch_wait"`
	// PII lists event fields (dotted paths) dropped or hashed before a record is written.
	PII HistoryPII `yaml:"pii"`
	// OutboundBodyLimit is how many bytes of each request and response body of the actions' HTTP
	// requests a record keeps (default 64KiB; more is cut and marked truncated).
	OutboundBodyLimit Size `yaml:"outbound_body_limit"`
}

// HistoryPII is the history's PII policy: the event fields dropped, and those replaced by a keyed
// hash (HMAC-SHA256 with the history key: equal values stay equal across records).
type HistoryPII struct {
	Drop []string `yaml:"drop"`
	Hash []string `yaml:"hash"` // default history.DefaultPIIHash (request.ip, user.email, user.phone_number, and the bridges' copies)
}

// On reports whether the history records executions.
func (h History) On() bool { return h.Enabled == nil || *h.Enabled }

// problems reports every setting of h that cannot work.
func (h History) problems() []error {
	var ps []error
	if h.MaxSize == 0 {
		ps = append(ps, errors.New("config: history.max_size 0: want a size such as 1GiB, or a negative size for no limit"))
	}
	if h.MaxAge <= 0 {
		ps = append(ps, fmt.Errorf("config: history.max_age %s: want a positive duration such as 168h", time.Duration(h.MaxAge)))
	}
	if h.SampleRate < 0 || h.SampleRate > 1 {
		ps = append(ps, fmt.Errorf("config: history.sample_rate %g: want a share from 0 to 1 (failures are always kept)", h.SampleRate))
	}
	if h.OutboundBodyLimit <= 0 || h.OutboundBodyLimit > 1<<30 {
		ps = append(ps, fmt.Errorf("config: history.outbound_body_limit %d: want a size from 1 byte to 1GiB, such as 64KiB", int64(h.OutboundBodyLimit)))
	}
	if h.Queue <= 0 {
		ps = append(ps, fmt.Errorf("config: history.queue %d: want a number of executions such as 4096", h.Queue))
	}
	if h.BatchWait <= 0 || time.Duration(h.BatchWait) > time.Minute {
		ps = append(ps, fmt.Errorf("config: history.batch_wait %s: want a duration from 1ms to 1m, such as 200ms", time.Duration(h.BatchWait)))
	}
	for _, list := range []struct {
		key   string
		paths []string
	}{{"drop", h.PII.Drop}, {"hash", h.PII.Hash}} {
		for _, p := range list.paths {
			if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") {
				ps = append(ps, fmt.Errorf("config: history.pii.%s: %q is not a dotted field path such as user.email", list.key, p))
			}
		}
	}
	return ps
}

// Git authenticates to a remote repository. Secrets are read from files (or the environment),
// never written in this file.
type Git struct {
	Username     string `yaml:"username"`      // HTTP(S) user; ACTIONSD_GIT_USERNAME
	PasswordFile string `yaml:"password_file"` // HTTP(S) password or token file
	// Password is the HTTP(S) password or token from ACTIONSD_GIT_PASSWORD or ACTIONSD_GIT_TOKEN.
	Password             string `yaml:"-"`
	SSHKeyFile           string `yaml:"ssh_key_file"`            // private key for ssh:// URLs
	SSHKeyPassphraseFile string `yaml:"ssh_key_passphrase_file"` // or ACTIONSD_GIT_SSH_KEY_PASSPHRASE
	SSHKeyPassphrase     string `yaml:"-"`
	KnownHostsFile       string `yaml:"known_hosts_file"` // default $SSH_KNOWN_HOSTS or ~/.ssh/known_hosts
}

// Webhooks configure /hooks/{github,gitlab,generic}.
type Webhooks struct {
	// Secret is the shared secret (prefer ACTIONSD_WEBHOOK_SECRET or secret_file); empty: the
	// receivers refuse every delivery.
	Secret     string `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
}

// Bridges configure the identity provider bridges, /v1/bridges/{bridge}/{hook} (docs/bridges.md).
// Each is off until it has a secret: there is no unsigned mode.
type Bridges struct {
	Auth0    Bridge        `yaml:"auth0"`
	Supabase Bridge        `yaml:"supabase"`
	Zitadel  ZitadelBridge `yaml:"zitadel"`
	Kratos   KratosToken   `yaml:"kratos"`
}

// ZitadelBridge is the Zitadel Actions v2 target's signing key (the signingKey Zitadel returns
// when the target is created), read from signing_key_file or ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY,
// never written in the configuration itself.
type ZitadelBridge struct {
	SigningKeyFile string `yaml:"signing_key_file"`
	SigningKey     string `yaml:"-"`
}

// Bridge is one bridge's secret, read from a file (secret_file) or the environment
// (ACTIONSD_BRIDGE_<NAME>_SECRET), never written in the configuration itself.
type Bridge struct {
	SecretFile string `yaml:"secret_file"`
	Secret     string `yaml:"-"`
}

// KratosToken is the token Ory Kratos' web hooks send (its api_key auth, in the X-Actionsd-Token
// header), read from a file (token_file) or ACTIONSD_BRIDGE_KRATOS_TOKEN, never written in the
// configuration itself. Kratos does not sign its hooks: it is a token, not a secret for a MAC.
type KratosToken struct {
	TokenFile string `yaml:"token_file"`
	Token     string `yaml:"-"`
}

// Peers are the other replicas that serve the same repository: a verified webhook or POST
// /v1/sync is passed on to them (POST /v1/peer/sync), so that a push is live on every replica at
// once rather than at each one's next poll.
type Peers struct {
	// URLs are the peers' base URLs (http://host:port); a wrong one is left out with a warning
	// (an error for serve --check-config), and this daemon's own URL is left out.
	URLs []string `yaml:"urls"`
	// DNS is a name whose A and AAAA records are the peers (a Kubernetes headless Service),
	// re-resolved every DNSInterval; this daemon's own address is left out.
	DNS string `yaml:"dns"`
	// Port is the port of the peers DNS finds (default: this daemon's listen port).
	Port int `yaml:"port"`
	// DNSInterval is how often DNS is resolved again (default 15s).
	DNSInterval Duration `yaml:"dns_interval"`
	// Timeout bounds each request to a peer: a signal, a status read (default 1s).
	Timeout Duration `yaml:"timeout"`
	// Secret authenticates the peer routes, both ways (prefer ACTIONSD_PEER_SECRET or
	// secret_file); empty: the API token, which the replicas then share.
	Secret     string `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
}

// Verify configures signature verification.
type Verify struct {
	// Mode is none (default), head (the deploy branch's HEAD commit must be signed), tags (module
	// version tags must be signed annotated tags) or head-and-tags.
	Mode string `yaml:"mode"`
	// OpenPGPKeys are files of trusted armored OpenPGP public keys.
	OpenPGPKeys []string `yaml:"openpgp_keys"`
	// SSHKeys are files of trusted SSH public keys (authorized_keys or allowed_signers lines),
	// for revisions signed with git's gpg.format=ssh.
	SSHKeys []string `yaml:"ssh_keys"`
}

// Verification modes.
const (
	VerifyNone        = "none"
	VerifyHead        = "head"
	VerifyTags        = "tags"
	VerifyHeadAndTags = "head-and-tags"
)

// NPM says where npm packages come from. Credentials are never in this file: npm's own .npmrc
// (the repository's, then the user's, `//host/:_authToken=${ENV}`) holds them.
type NPM struct {
	// Registry is the base URL of the registry; it wins over NPM_CONFIG_REGISTRY, .npmrc and the
	// npm CLI's setting. Empty: the first of those that is set.
	Registry string `yaml:"registry"`
	// CacheRetention is how long a bundle or package in <data_dir>/npm/ that the serving
	// generation does not use stays after its last use (default 7 days); negative: for ever.
	CacheRetention Duration `yaml:"cache_retention"`
}

// Egress is the fetch allow-list: host, host:port or CIDR entries that may be private addresses.
type Egress struct {
	Allow []string `yaml:"allow"`
}

// HTTP bounds what a client may hold of the API server (api.Limits).
type HTTP struct {
	// ReadHeaderTimeout: a request's headers must arrive within it (default 10s; at most
	// request_timeout).
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// RequestTimeout: a whole request, headers and body, must arrive within it, else the
	// connection is closed (default 30s).
	RequestTimeout Duration `yaml:"request_timeout"`
	// WriteTimeout: a response must be written within it once the route's work is done: by
	// request_timeout + execution_budget + write_timeout after the headers; a sync, within it
	// after its wait (default 10s).
	WriteTimeout Duration `yaml:"write_timeout"`
	// IdleTimeout closes a kept-alive connection that sends no next request (default 75s).
	IdleTimeout Duration `yaml:"idle_timeout"`
	// MaxUnauthenticatedConns caps the connections open at once that have not presented a valid
	// token or webhook signature; a new one over the cap closes the oldest (default 256;
	// negative: no cap).
	MaxUnauthenticatedConns int `yaml:"max_unauthenticated_conns"`
}

// Limits returns h as the API server's limits.
func (h HTTP) Limits() api.Limits {
	return api.Limits{
		ReadHeaderTimeout:       time.Duration(h.ReadHeaderTimeout),
		RequestTimeout:          time.Duration(h.RequestTimeout),
		WriteTimeout:            time.Duration(h.WriteTimeout),
		IdleTimeout:             time.Duration(h.IdleTimeout),
		MaxUnauthenticatedConns: h.MaxUnauthenticatedConns,
	}
}

// Check reports the first setting that cannot work: a zero or negative timeout would be none.
func (h HTTP) Check() error {
	if p := h.problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// problems reports every setting of h that cannot work.
func (h HTTP) problems() []error {
	var ps []error
	for _, d := range []struct {
		key string
		v   Duration
	}{
		{"read_header_timeout", h.ReadHeaderTimeout}, {"request_timeout", h.RequestTimeout},
		{"write_timeout", h.WriteTimeout}, {"idle_timeout", h.IdleTimeout},
	} {
		if d.v <= 0 {
			ps = append(ps, fmt.Errorf("config: http.%s %s: want a positive duration such as %s", d.key, time.Duration(d.v), httpDefaults[d.key]))
		}
	}
	if h.MaxUnauthenticatedConns == 0 {
		ps = append(ps, errors.New("config: http.max_unauthenticated_conns 0: want a number of connections, or a negative number for no cap"))
	}
	return ps
}

var httpDefaults = map[string]time.Duration{
	"read_header_timeout": DefaultReadHeaderTimeout, "request_timeout": DefaultRequestTimeout,
	"write_timeout": DefaultWriteTimeout, "idle_timeout": DefaultIdleTimeout,
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // json or console; default json
	// Color colours the console format's levels: the command line sets it (--color, NO_COLOR,
	// and whether standard error is a terminal); never from the file.
	Color bool `yaml:"-"`
}

// Defaults.
const (
	DefaultBranch          = "main"
	DefaultAddr            = "127.0.0.1:8080"
	DefaultKVMount         = vaultsecrets.DefaultMount
	DefaultPrefix          = vaultsecrets.DefaultPrefix
	DefaultPoll            = 30 * time.Second
	DefaultGrace           = 25 * time.Second
	DefaultBudget          = runner.DefaultBudget
	DefaultActionMemoryMiB = runner.DefaultMemoryLimit >> 20
	// DefaultNPMCacheRetention keeps an unused dependency set a week, so that a rollback within
	// it needs no registry.
	DefaultNPMCacheRetention = 7 * 24 * time.Hour
	// DefaultKeepCorruptMirrors is how many corrupt git mirrors are kept for inspection.
	DefaultKeepCorruptMirrors = 2
	// DefaultPeerTimeout bounds a request to a peer, so that one that is down delays nothing long.
	DefaultPeerTimeout = peers.DefaultTimeout
	// DefaultPeersDNSInterval is how often the peers' DNS name is resolved again.
	DefaultPeersDNSInterval = peers.DefaultDNSInterval

	DefaultHistoryMaxSize    = Size(history.DefaultMaxSize)
	DefaultHistoryMaxAge     = history.DefaultMaxAge
	DefaultHistorySampleRate = history.DefaultSampleRate
	DefaultHistoryQueue      = history.DefaultQueue
	DefaultHistoryBatchWait  = history.DefaultBatchWait

	DefaultReadHeaderTimeout       = api.DefaultReadHeaderTimeout
	DefaultRequestTimeout          = api.DefaultRequestTimeout // "a connection that has not sent its whole request within 30 s is closed"
	DefaultWriteTimeout            = api.DefaultWriteTimeout
	DefaultIdleTimeout             = api.DefaultIdleTimeout
	DefaultMaxUnauthenticatedConns = api.DefaultMaxUnauthenticatedConns
)

// DefaultHistoryPIIHash are the event fields the history hashes by default.
var DefaultHistoryPIIHash = history.DefaultPIIHash

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Branch:          DefaultBranch,
		Addr:            DefaultAddr,
		PollInterval:    Duration(DefaultPoll),
		ShutdownGrace:   Duration(DefaultGrace),
		ExecutionBudget: Duration(DefaultBudget),
		ActionMemoryMiB: DefaultActionMemoryMiB,
		NPM:             NPM{CacheRetention: Duration(DefaultNPMCacheRetention)},
		Verify:          Verify{Mode: VerifyNone},
		Vault:           vaultsecrets.VaultConfig{Mount: DefaultKVMount, Prefix: DefaultPrefix},
		Log:             Log{Level: "info", Format: "json"},

		RepoLimits:         DefaultRepoLimits(),
		KeepCorruptMirrors: DefaultKeepCorruptMirrors,
		History: History{MaxSize: DefaultHistoryMaxSize, MaxAge: Duration(DefaultHistoryMaxAge), SampleRate: DefaultHistorySampleRate,
			Queue: DefaultHistoryQueue, BatchWait: Duration(DefaultHistoryBatchWait), OutboundBodyLimit: Size(runner.DefaultOutboundBodyLimit), PII: HistoryPII{Hash: slices.Clone(DefaultHistoryPIIHash)}},
		Peers: Peers{Timeout: Duration(DefaultPeerTimeout), DNSInterval: Duration(DefaultPeersDNSInterval)},
		HTTP: HTTP{
			ReadHeaderTimeout:       Duration(DefaultReadHeaderTimeout),
			RequestTimeout:          Duration(DefaultRequestTimeout),
			WriteTimeout:            Duration(DefaultWriteTimeout),
			IdleTimeout:             Duration(DefaultIdleTimeout),
			MaxUnauthenticatedConns: DefaultMaxUnauthenticatedConns,
		},
	}
}

// Load reads the YAML file at path over the defaults. Unknown fields are errors that name the file,
// line and key; several are joined (errors.Join).
func Load(path string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, describeYAMLError(path, data, err)
	}
	return c, nil
}

// fieldNotFound is yaml.v3's message for an unknown key under KnownFields.
var fieldNotFound = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)

// describeYAMLError rewrites the errors of decoding the config file at path in the user's terms:
// an unknown key is named with its place in the file ("http.read_timeot"), the file and line,
// and the nearest known key; not the Go type it was decoded into.
func describeYAMLError(path string, data []byte, err error) error {
	// "line 3: …" (a syntax error, a value UnmarshalYAML refused) becomes "config.yaml:3: …".
	atLine := func(e string) error {
		e = strings.TrimPrefix(e, "yaml: ")
		if rest, ok := strings.CutPrefix(e, "line "); ok {
			return fmt.Errorf("config %s:%s", path, rest)
		}
		return fmt.Errorf("config %s: %s", path, e)
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return atLine(err.Error())
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	errs := make([]error, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := fieldNotFound.FindStringSubmatch(e)
		if m == nil {
			errs = append(errs, atLine(e))
			continue
		}
		var line int
		fmt.Sscan(m[1], &line)
		keys := keyPath(&root, m[2], line, nil)
		msg := fmt.Sprintf("config %s:%d: unknown key %q", path, line, strings.Join(append(keys, m[2]), "."))
		if near := nearestKey(m[2], knownKeys(reflect.TypeOf(Config{}), keys)); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// keyPath returns the keys of the mappings that lead to the key name at line in n, or nil.
func keyPath(n *yaml.Node, name string, line int, above []string) []string {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if p := keyPath(c, name, line, above); p != nil {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value == name && k.Line == line {
				return append([]string{}, above...)
			}
			if p := keyPath(n.Content[i+1], name, line, append(above, k.Value)); p != nil {
				return p
			}
		}
	}
	return nil
}

// knownKeys returns the YAML keys of the struct that keys lead to from t.
func knownKeys(t reflect.Type, keys []string) []string {
	deref := func(t reflect.Type) reflect.Type {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		return t
	}
	t = deref(t)
	var names []string
	var fields func(t reflect.Type) map[string]reflect.Type
	fields = func(t reflect.Type) map[string]reflect.Type {
		out := map[string]reflect.Type{}
		if t.Kind() != reflect.Struct {
			return out
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			switch {
			case tag == "-" || !f.IsExported():
			case strings.Contains(opts, "inline"):
				maps.Copy(out, fields(deref(f.Type)))
			case name == "":
				out[strings.ToLower(f.Name)] = f.Type
			default:
				out[name] = f.Type
			}
		}
		return out
	}
	for _, k := range keys {
		ft, ok := fields(t)[k]
		if !ok {
			return nil
		}
		t = deref(ft)
	}
	for k := range fields(t) {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// nearestKey returns the known key within two edits of name, or "".
func nearestKey(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// ApplyEnv overrides c with the environment: ACTIONSD_DATA_DIR, ACTIONSD_ADDR (the container
// image sets both), ACTIONSD_TOKEN, ACTIONSD_WEBHOOK_SECRET, ACTIONSD_PEER_SECRET,
// ACTIONSD_HISTORY_KEY, ACTIONSD_BRIDGE_AUTH0_SECRET, ACTIONSD_BRIDGE_SUPABASE_SECRET, ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY, ACTIONSD_GIT_USERNAME, ACTIONSD_GIT_PASSWORD (or ACTIONSD_GIT_TOKEN),
// ACTIONSD_GIT_SSH_KEY_PASSPHRASE, and the VAULT_* variables of vaultsecrets.VaultConfig.ApplyEnv
// (VAULT_ADDR, VAULT_TOKEN, the auth method's, TLS). It returns the first VAULT_* variable that
// cannot be parsed, having applied the others.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	if v := getenv("ACTIONSD_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := getenv("ACTIONSD_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("ACTIONSD_STATE_KEY"); v != "" {
		c.StateKey = v
	}
	if v := getenv("ACTIONSD_HISTORY_KEY"); v != "" {
		c.History.Key = v
	}
	if v := getenv("ACTIONSD_WEBHOOK_SECRET"); v != "" {
		c.Webhooks.Secret = v
	}
	if v := getenv("ACTIONSD_BRIDGE_AUTH0_SECRET"); v != "" {
		c.Bridges.Auth0.Secret = v
	}
	if v := getenv("ACTIONSD_BRIDGE_SUPABASE_SECRET"); v != "" {
		c.Bridges.Supabase.Secret = v
	}
	if v := getenv("ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY"); v != "" {
		c.Bridges.Zitadel.SigningKey = v
	}
	if v := getenv("ACTIONSD_BRIDGE_KRATOS_TOKEN"); v != "" {
		c.Bridges.Kratos.Token = v
	}
	if v := getenv("ACTIONSD_PEER_SECRET"); v != "" {
		c.Peers.Secret = v
	}
	if v := getenv("ACTIONSD_GIT_USERNAME"); v != "" {
		c.Git.Username = v
	}
	if v := getenv("ACTIONSD_GIT_TOKEN"); v != "" {
		c.Git.Password = v
	}
	if v := getenv("ACTIONSD_GIT_PASSWORD"); v != "" {
		c.Git.Password = v
	}
	if v := getenv("ACTIONSD_GIT_SSH_KEY_PASSPHRASE"); v != "" {
		c.Git.SSHKeyPassphrase = v
	}
	if v := getenv("ACTIONSD_TOKEN"); v != "" {
		c.Token = v
	}
	if err := c.Vault.ApplyEnv(getenv); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Check reports the first setting that cannot work (Problems lists them all).
func (c *Config) Check() error {
	if p := c.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Problems reports every setting that cannot work, in the order Check looks at them (serve
// --check-config).
func (c *Config) Problems() []error {
	var ps []error
	add := func(err error) {
		if err != nil {
			ps = append(ps, err)
		}
	}
	if c.Repo == "" {
		add(errors.New("config: repo is required (--repo PATH|URL or repo: in the file)"))
	}
	if c.DataDir == "" {
		add(errors.New("config: data_dir is required (--data-dir DIR)"))
	}
	if c.Vault.Address == "" && c.SecretsFile == "" {
		add(errors.New("config: no secrets source: set VAULT_ADDR (and VAULT_TOKEN), or --secrets-file for a local trial"))
	}
	add(c.CheckAuth())
	if c.ExecutionBudget <= 0 {
		add(fmt.Errorf("config: execution_budget %s: want a positive duration such as 20s", time.Duration(c.ExecutionBudget)))
	}
	for _, k := range slices.Sorted(maps.Keys(c.ProcessEnv)) {
		switch {
		case !envNameRE.MatchString(k):
			add(fmt.Errorf("config: process_env: %q is not a variable name ([A-Za-z_][A-Za-z0-9_]*)", k))
		case k == "__proto__":
			add(errors.New("config: process_env: __proto__ would set the object's prototype, not a variable"))
		case strings.ContainsRune(c.ProcessEnv[k], 0):
			add(fmt.Errorf("config: process_env.%s: a value may not hold a NUL byte", k))
		}
	}
	if c.KeepCorruptMirrors < 0 {
		add(fmt.Errorf("config: keep_corrupt_mirrors %d: want 0 or more", c.KeepCorruptMirrors))
	}
	ps = append(ps, c.HTTP.problems()...)
	ps = append(ps, c.History.problems()...)
	if c.Peers.Timeout <= 0 {
		add(fmt.Errorf("config: peers.timeout %s: want a positive duration such as 1s", time.Duration(c.Peers.Timeout)))
	}
	if c.Peers.DNSInterval <= 0 {
		add(fmt.Errorf("config: peers.dns_interval %s: want a positive duration such as 15s", time.Duration(c.Peers.DNSInterval)))
	}
	if c.ActionMemoryMiB == 0 {
		add(errors.New("config: action_memory_mib 0: want a size in MiB, or a negative number for no limit"))
	}
	switch c.Verify.Mode {
	case "", VerifyNone:
	case VerifyHead, VerifyTags, VerifyHeadAndTags:
		if len(c.Verify.OpenPGPKeys) == 0 && len(c.Verify.SSHKeys) == 0 {
			add(fmt.Errorf("config: verify.mode %s needs trusted keys (verify.openpgp_keys or --verify-key, verify.ssh_keys or --verify-ssh-key)", c.Verify.Mode))
		}
	default:
		add(fmt.Errorf("config: verify.mode %q: want none, head, tags or head-and-tags", c.Verify.Mode))
	}
	return ps
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckAuth refuses to serve the API without a token on an address other hosts can reach: with
// no token every route is open, which is for a daemon on loopback only.
func (c *Config) CheckAuth() error {
	if c.Token != "" || loopback(c.Addr) {
		return nil
	}
	return fmt.Errorf("config: addr %s is reachable from other hosts, so the API needs a token (ACTIONSD_TOKEN, --token or token:); without one, listen on 127.0.0.1", c.Addr)
}

// loopback reports whether the listen address addr ("host:port") accepts loopback connections
// only: a loopback IP or "localhost". An empty host (":8080") listens everywhere.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ResolveSecrets reads the secrets named by *_file settings: the git password, the ssh key
// passphrase, the redirect state key, the peer secret, the bridges' secrets and the webhook secret. A file's trailing newline is dropped.
func (c *Config) ResolveSecrets() error {
	read := func(setting, path string, into *string) error {
		if path == "" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("config: %s: %w", setting, err)
		}
		*into = strings.TrimRight(string(data), "\r\n")
		return nil
	}
	if err := read("git.password_file", c.Git.PasswordFile, &c.Git.Password); err != nil {
		return err
	}
	if err := read("git.ssh_key_passphrase_file", c.Git.SSHKeyPassphraseFile, &c.Git.SSHKeyPassphrase); err != nil {
		return err
	}
	if err := read("state_key_file", c.StateKeyFile, &c.StateKey); err != nil {
		return err
	}
	if c.StateKey != "" && len(c.StateKey) < 32 {
		return errors.New("config: the redirect state key (state_key_file or ACTIONSD_STATE_KEY) must be at least 32 bytes")
	}
	if err := read("history.key_file", c.History.KeyFile, &c.History.Key); err != nil {
		return err
	}
	if c.History.Key != "" && len(c.History.Key) < 32 {
		return errors.New("config: the history key (history.key_file or ACTIONSD_HISTORY_KEY) must be at least 32 bytes")
	}
	if err := read("peers.secret_file", c.Peers.SecretFile, &c.Peers.Secret); err != nil {
		return err
	}
	if err := read("bridges.auth0.secret_file", c.Bridges.Auth0.SecretFile, &c.Bridges.Auth0.Secret); err != nil {
		return err
	}
	if err := read("bridges.supabase.secret_file", c.Bridges.Supabase.SecretFile, &c.Bridges.Supabase.Secret); err != nil {
		return err
	}
	if err := read("bridges.zitadel.signing_key_file", c.Bridges.Zitadel.SigningKeyFile, &c.Bridges.Zitadel.SigningKey); err != nil {
		return err
	}
	if err := read("bridges.kratos.token_file", c.Bridges.Kratos.TokenFile, &c.Bridges.Kratos.Token); err != nil {
		return err
	}
	return read("webhooks.secret_file", c.Webhooks.SecretFile, &c.Webhooks.Secret)
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as 30s", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }
