package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/daemon"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// serveFlags are the flags of `serve`; each overrides the config file when given.
type serveFlags struct {
	config       string
	repo         string
	branch       string
	addr         string
	dataDir      string
	token        string
	pollInterval time.Duration
	secretsFile  string
	npmRegistry  string
	npmRetention time.Duration
	egressAllow  []string
	logLevel     string
	logFormat    string

	webhookSecret   string
	bridgeSupabase  string
	bridgeAuth0     string
	bridgeZitadel   string
	bridgeKratos    string
	stateKeyFile    string
	gitUsername     string
	gitPasswordFile string
	gitSSHKey       string
	gitKnownHosts   string
	verify          string
	verifyKeys      []string
	verifySSHKeys   []string
	watch           bool
	shutdownGrace   time.Duration
	shutdownDelay   time.Duration
	budget          time.Duration
	processEnv      []string
	actionMemoryMiB int
	instance        string
	limits          limitFlags
	keepCorrupt     int
	http            httpFlags
	checkConfig     bool
	peers           peerFlags
	history         historyFlags
	ui              bool
}

// peerFlags list the other replicas (config.Peers).
type peerFlags struct {
	urls        []string
	dns         string
	port        int
	dnsInterval time.Duration
	timeout     time.Duration
	secret      string
	secretFile  string
}

func (p *peerFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&p.urls, "peer", nil, "base URL of another replica (http://host:port) that a webhook or sync is passed on to (repeatable; this daemon's own is left out)")
	fl.StringVar(&p.dns, "peers-dns", "", "name whose A/AAAA records are the other replicas (a Kubernetes headless Service), re-resolved every --peers-dns-interval; this daemon's own address is left out")
	fl.IntVar(&p.port, "peers-port", 0, "port of the replicas --peers-dns finds (default: this daemon's listen port)")
	fl.DurationVar(&p.dnsInterval, "peers-dns-interval", config.DefaultPeersDNSInterval, "how often --peers-dns is resolved again")
	fl.DurationVar(&p.timeout, "peer-timeout", config.DefaultPeerTimeout, "bound of each request to a peer (a signal, a status read)")
	fl.StringVar(&p.secret, "peer-secret", "", "bearer token of the peer routes, both ways (or ACTIONSD_PEER_SECRET; default: the API token)")
	fl.StringVar(&p.secretFile, "peer-secret-file", "", "file holding the peer secret")
}

// apply overrides c with the flags that were given.
func (p *peerFlags) apply(fl *pflag.FlagSet, c *config.Peers) {
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("peer", func() { c.URLs = append(c.URLs, p.urls...) })
	set("peers-dns", func() { c.DNS = p.dns })
	set("peers-port", func() { c.Port = p.port })
	set("peers-dns-interval", func() { c.DNSInterval = config.Duration(p.dnsInterval) })
	set("peer-timeout", func() { c.Timeout = config.Duration(p.timeout) })
	set("peer-secret", func() { c.Secret = p.secret })
	set("peer-secret-file", func() { c.SecretFile = p.secretFile })
}

// httpFlags are the API server's limits (config.HTTP), in serve and dev.
type httpFlags struct {
	readHeaderTimeout, requestTimeout, writeTimeout, idleTimeout time.Duration
	maxUnauthenticatedConns                                      int
}

func (h *httpFlags) register(fl *pflag.FlagSet) {
	fl.DurationVar(&h.readHeaderTimeout, "http-read-header-timeout", config.DefaultReadHeaderTimeout, "a request's headers must arrive within this (at most --http-request-timeout)")
	fl.DurationVar(&h.requestTimeout, "http-request-timeout", config.DefaultRequestTimeout, "a whole request, headers and body, must arrive within this, else its connection is closed")
	fl.DurationVar(&h.writeTimeout, "http-write-timeout", config.DefaultWriteTimeout, "time to write a response once the route's work is done: the deadline is the request timeout + the execution budget + this, from the headers (for a sync, this after its wait)")
	fl.DurationVar(&h.idleTimeout, "http-idle-timeout", config.DefaultIdleTimeout, "close a kept-alive connection that sends no next request within this")
	fl.IntVar(&h.maxUnauthenticatedConns, "http-max-unauthenticated-conns", config.DefaultMaxUnauthenticatedConns, "connections open at once without a valid token or webhook signature; a new one over the cap closes the oldest (negative: no cap)")
}

// apply overrides c with the flags that were given.
func (h *httpFlags) apply(fl *pflag.FlagSet, c *config.HTTP) {
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("http-read-header-timeout", func() { c.ReadHeaderTimeout = config.Duration(h.readHeaderTimeout) })
	set("http-request-timeout", func() { c.RequestTimeout = config.Duration(h.requestTimeout) })
	set("http-write-timeout", func() { c.WriteTimeout = config.Duration(h.writeTimeout) })
	set("http-idle-timeout", func() { c.IdleTimeout = config.Duration(h.idleTimeout) })
	set("http-max-unauthenticated-conns", func() { c.MaxUnauthenticatedConns = h.maxUnauthenticatedConns })
}

// historyFlags configure the execution history (config.History).
type historyFlags struct {
	enabled    bool
	maxSize    config.Size
	maxAge     time.Duration
	sampleRate float64
	keyFile    string
	queue      int
	batchWait  time.Duration
	piiDrop    []string
	piiHash    []string
	bodyLimit  config.Size
}

func (h *historyFlags) register(fl *pflag.FlagSet) {
	h.maxSize = config.DefaultHistoryMaxSize
	h.bodyLimit = config.Size(runner.DefaultOutboundBodyLimit)
	fl.BoolVar(&h.enabled, "history", true, "record every execution under <data-dir>/history (GET /v1/executions, actionsd logs)")
	fl.Var(&h.maxSize, "history-max-size", "bytes the recorded executions may take; the oldest go first")
	fl.DurationVar(&h.maxAge, "history-max-age", config.DefaultHistoryMaxAge, "how long a recorded execution is kept")
	fl.Float64Var(&h.sampleRate, "history-sample-rate", config.DefaultHistorySampleRate, "share of executions without failure that are recorded, 0 to 1 (failures always are)")
	fl.StringVar(&h.keyFile, "history-key-file", "", "file holding the key (≥ 32 bytes) the records are encrypted with (or ACTIONSD_HISTORY_KEY; default: <data-dir>/history/key, made at the first start)")
	fl.IntVar(&h.queue, "history-queue", config.DefaultHistoryQueue, "executions that may wait for the history's writer; more are dropped and counted")
	fl.DurationVar(&h.batchWait, "history-batch-wait", config.DefaultHistoryBatchWait, "how long the history's writer waits for more executions before it writes a batch (records are listed and streamed once written)")
	fl.StringArrayVar(&h.piiDrop, "history-pii-drop", nil, "event field (dotted path, such as user.name) left out of the records (repeatable)")
	fl.Var(&h.bodyLimit, "history-outbound-body-limit", "bytes of each request and response body of the actions' HTTP requests a record keeps (more is cut and marked truncated)")
	fl.StringArrayVar(&h.piiHash, "history-pii-hash", nil, "event field replaced by a keyed hash in the records (repeatable; replaces the default request.ip, user.email, user.phone_number and the bridges' copies of the email and phone)")
}

// apply overrides c with the flags that were given.
func (h *historyFlags) apply(fl *pflag.FlagSet, c *config.History) {
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("history", func() { c.Enabled = &h.enabled })
	set("history-max-size", func() { c.MaxSize = h.maxSize })
	set("history-max-age", func() { c.MaxAge = config.Duration(h.maxAge) })
	set("history-sample-rate", func() { c.SampleRate = h.sampleRate })
	set("history-key-file", func() { c.KeyFile = h.keyFile })
	set("history-queue", func() { c.Queue = h.queue })
	set("history-batch-wait", func() { c.BatchWait = config.Duration(h.batchWait) })
	set("history-pii-drop", func() { c.PII.Drop = append(c.PII.Drop, h.piiDrop...) })
	set("history-pii-hash", func() { c.PII.Hash = h.piiHash })
	set("history-outbound-body-limit", func() { c.OutboundBodyLimit = h.bodyLimit })
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the actions of a git repository, with secrets from Vault",
		Example: `  VAULT_ADDR=https://vault:8200 VAULT_TOKEN=… ACTIONSD_TOKEN=… \
    actionsd serve --repo https://git.example.com/org/actions.git --data-dir /var/lib/actionsd`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("log-format") {
				if err := oneOf(cmd, "log-format", f.logFormat, "json", "console"); err != nil {
					return err
				}
			}
			if f.checkConfig {
				return f.check(cmd)
			}
			cfg, err := f.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			cfg.Log.Color = colorOn(os.Stderr)
			log, err := daemon.NewLogger(cfg.Log)
			if err != nil {
				return err
			}
			defer func() { _ = log.Sync() }()
			reg := daemon.NewRegistry()
			secrets, err := daemon.NewSecrets(cfg, log, reg)
			if err != nil {
				return err
			}
			d, err := daemon.New(cfg, daemon.Options{Secrets: secrets, Registry: reg, Logger: log, StartHeap: startHeap})
			if err != nil {
				secrets.Close()
				return err
			}
			return d.Run(cmd.Context())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "YAML configuration file (flags override it)")
	fl.StringVar(&f.repo, "repo", "", "repository to serve: a local path or a remote URL")
	fl.StringVar(&f.branch, "branch", config.DefaultBranch, "deploy branch")
	fl.StringVar(&f.addr, "addr", config.DefaultAddr, "HTTP listen address")
	fl.StringVar(&f.dataDir, "data-dir", "", "folder for the git mirror and the version records")
	fl.StringVar(&f.token, "token", "", "API bearer token (or ACTIONSD_TOKEN)")
	fl.DurationVar(&f.pollInterval, "poll-interval", config.DefaultPoll, "how often to poll the repository (0 or negative: never)")
	fl.StringVar(&f.secretsFile, "secrets-file", "", "read secrets from this YAML file instead of Vault (local trials only)")
	(&vaultsecrets.VaultConfig{}).Flags(fl)
	fl.StringVar(&f.npmRegistry, "npm-registry", "", "npm registry base URL (default: NPM_CONFIG_REGISTRY, else .npmrc of the repository then the user, else the npm CLI's setting)")
	fl.DurationVar(&f.npmRetention, "npm-cache-retention", config.DefaultNPMCacheRetention, "how long an npm bundle or package the serving generation does not use stays in <data-dir>/npm/ after its last use (negative: for ever)")
	fl.StringArrayVar(&f.egressAllow, "egress-allow", nil, "let fetch reach this private host, host:port or CIDR (repeatable)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&f.logFormat, "log-format", "json", "json or console")
	fl.StringVar(&f.stateKeyFile, "state-key-file", "", "file holding the key (≥ 32 bytes) that seals redirect states, so they resume across restarts and replicas (or ACTIONSD_STATE_KEY)")
	fl.StringVar(&f.webhookSecret, "webhook-secret", "", "shared secret of /hooks/github, /hooks/gitlab and /hooks/generic (or ACTIONSD_WEBHOOK_SECRET)")
	fl.StringVar(&f.bridgeAuth0, "bridge-auth0-secret-file", "", "file holding the secret (≥ 32 bytes) the Auth0 bridge action signs with; without one POST /v1/bridges/auth0/* answers 404 (or ACTIONSD_BRIDGE_AUTH0_SECRET)")
	fl.StringVar(&f.bridgeZitadel, "bridge-zitadel-signing-key-file", "", "file holding the signing key Zitadel returned for the Actions v2 target; without one POST /v1/bridges/zitadel answers 404 (or ACTIONSD_BRIDGE_ZITADEL_SIGNING_KEY)")
	fl.StringVar(&f.bridgeKratos, "bridge-kratos-token-file", "", "file holding the token (≥ 32 bytes) Ory Kratos' web hooks send in X-Actionsd-Token; without one POST /v1/bridges/kratos/* answers 404 (or ACTIONSD_BRIDGE_KRATOS_TOKEN)")
	fl.StringVar(&f.bridgeSupabase, "bridge-supabase-secret-file", "", "file holding the Supabase Auth hooks' secret (v1,whsec_…); without one POST /v1/bridges/supabase/* answers 404 (or ACTIONSD_BRIDGE_SUPABASE_SECRET)")
	fl.StringVar(&f.gitUsername, "git-username", "", "HTTP(S) user name for the repository (or ACTIONSD_GIT_USERNAME; default "+gitstore.DefaultTokenUser+" with a token)")
	fl.StringVar(&f.gitPasswordFile, "git-password-file", "", "file holding the HTTP(S) password or token (or ACTIONSD_GIT_PASSWORD / ACTIONSD_GIT_TOKEN)")
	fl.StringVar(&f.gitSSHKey, "git-ssh-key", "", "private key file for an ssh:// repository (passphrase: ACTIONSD_GIT_SSH_KEY_PASSPHRASE)")
	fl.StringVar(&f.gitKnownHosts, "git-known-hosts", "", "known_hosts file with the ssh host keys to accept (default $SSH_KNOWN_HOSTS or ~/.ssh/known_hosts)")
	fl.StringVar(&f.verify, "verify", config.VerifyNone, "signatures to require: none, head, tags or head-and-tags")
	fl.StringArrayVar(&f.verifyKeys, "verify-key", nil, "armored OpenPGP public key file trusted for --verify (repeatable)")
	fl.StringArrayVar(&f.verifySSHKeys, "verify-ssh-key", nil, "file of SSH public keys (authorized_keys or allowed_signers lines) trusted for --verify (repeatable)")
	fl.BoolVar(&f.watch, "watch", true, "watch a local repository's refs with fsnotify")
	fl.DurationVar(&f.shutdownGrace, "shutdown-grace", config.DefaultGrace, "how long in-flight requests may take to finish on SIGTERM")
	fl.DurationVar(&f.shutdownDelay, "shutdown-delay", 0, "on SIGTERM, keep accepting connections this long, /readyz answering 503, before closing the listener (for load balancers)")
	fl.DurationVar(&f.budget, "execution-budget", config.DefaultBudget, "a trigger execution's total time, all its actions together")
	fl.IntVar(&f.actionMemoryMiB, "action-memory-mib", config.DefaultActionMemoryMiB, "how much the heap may grow during one action's run before it is stopped (negative: no limit)")
	fl.StringArrayVar(&f.processEnv, "process-env", nil, "KEY=VALUE that actions see in process.env (repeatable; never a secret)")
	fl.StringVar(&f.instance, "instance", "", "name of this replica in the status (default: the host name)")
	f.limits.add(fl)
	fl.IntVar(&f.keepCorrupt, "keep-corrupt-mirrors", config.DefaultKeepCorruptMirrors, "how many corrupt git mirrors moved aside under the data dir are kept for inspection")
	f.http.register(fl)
	f.peers.register(fl)
	f.history.register(fl)
	fl.BoolVar(&f.ui, "ui", false, "serve the read-only web UI at /ui/ (behind the API token)")
	fl.BoolVar(&f.checkConfig, "check-config", false, "load the configuration (file, environment, flags) and the repository settings, report every problem, and exit 0 or 1 without serving")
	return cmd
}

// check is serve --check-config: every problem of the merged configuration, one a line, and exit
// status 1; or "configuration ok" and 0.
func (f *serveFlags) check(cmd *cobra.Command) error {
	cfg, problems := f.merge(cmd.Flags())
	if cfg != nil {
		problems = append(problems, daemon.CheckConfig(*cfg)...)
	}
	if len(problems) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "configuration ok: repo %s, branch %s, listening on %s\n", cfg.Repo, cfg.Branch, cfg.Addr)
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "serve --check-config: %d problem(s):", len(problems))
	for _, p := range problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return &exitError{Code: 1, Err: errors.New(b.String())}
}

// resolve merges the config file, the environment and the flags that were given, in that order,
// and checks the result; it returns the first problem.
func (f *serveFlags) resolve(fl *pflag.FlagSet) (config.Config, error) {
	cfg, problems := f.merge(fl)
	if cfg == nil {
		return config.Config{}, errors.Join(problems...)
	}
	if len(problems) > 0 {
		return *cfg, problems[0]
	}
	return *cfg, cfg.Check()
}

// merge merges the config file, the environment and the flags that were given, in that order,
// and returns every problem on the way. A config file that cannot be read returns no
// configuration.
func (f *serveFlags) merge(fl *pflag.FlagSet) (*config.Config, []error) {
	var problems []error
	cfg := config.Default()
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config); err != nil {
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				return nil, j.Unwrap()
			}
			return nil, []error{err}
		}
	}
	if err := cfg.ApplyEnv(os.Getenv); err != nil {
		problems = append(problems, err)
	}
	set := func(name string, apply func()) {
		if fl.Changed(name) {
			apply()
		}
	}
	set("repo", func() { cfg.Repo = f.repo })
	set("branch", func() { cfg.Branch = f.branch })
	set("addr", func() { cfg.Addr = f.addr })
	set("data-dir", func() { cfg.DataDir = f.dataDir })
	set("token", func() { cfg.Token = f.token })
	set("poll-interval", func() {
		cfg.PollInterval = config.Duration(f.pollInterval)
		if f.pollInterval == 0 {
			cfg.PollInterval = -1
		}
	})
	set("secrets-file", func() { cfg.SecretsFile = f.secretsFile })
	set("npm-registry", func() { cfg.NPM.Registry = f.npmRegistry })
	set("npm-cache-retention", func() { cfg.NPM.CacheRetention = config.Duration(f.npmRetention) })
	set("egress-allow", func() { cfg.Egress.Allow = append(cfg.Egress.Allow, f.egressAllow...) })
	set("log-level", func() { cfg.Log.Level = f.logLevel })
	set("log-format", func() { cfg.Log.Format = f.logFormat })
	set("webhook-secret", func() { cfg.Webhooks.Secret = f.webhookSecret })
	set("bridge-auth0-secret-file", func() { cfg.Bridges.Auth0.SecretFile = f.bridgeAuth0 })
	set("bridge-supabase-secret-file", func() { cfg.Bridges.Supabase.SecretFile = f.bridgeSupabase })
	set("bridge-zitadel-signing-key-file", func() { cfg.Bridges.Zitadel.SigningKeyFile = f.bridgeZitadel })
	set("bridge-kratos-token-file", func() { cfg.Bridges.Kratos.TokenFile = f.bridgeKratos })
	set("state-key-file", func() { cfg.StateKeyFile = f.stateKeyFile })
	set("git-username", func() { cfg.Git.Username = f.gitUsername })
	set("git-password-file", func() { cfg.Git.PasswordFile = f.gitPasswordFile })
	set("git-ssh-key", func() { cfg.Git.SSHKeyFile = f.gitSSHKey })
	set("git-known-hosts", func() { cfg.Git.KnownHostsFile = f.gitKnownHosts })
	set("verify", func() { cfg.Verify.Mode = f.verify })
	set("verify-key", func() { cfg.Verify.OpenPGPKeys = append(cfg.Verify.OpenPGPKeys, f.verifyKeys...) })
	set("verify-ssh-key", func() { cfg.Verify.SSHKeys = append(cfg.Verify.SSHKeys, f.verifySSHKeys...) })
	set("watch", func() { cfg.Watch = &f.watch })
	set("shutdown-grace", func() { cfg.ShutdownGrace = config.Duration(f.shutdownGrace) })
	set("shutdown-delay", func() { cfg.ShutdownDelay = config.Duration(f.shutdownDelay) })
	set("instance", func() { cfg.Instance = f.instance })
	set("keep-corrupt-mirrors", func() { cfg.KeepCorruptMirrors = f.keepCorrupt })
	set("ui", func() { cfg.UI = f.ui })
	f.limits.apply(fl, &cfg.RepoLimits)
	if fl.Changed("process-env") {
		if cfg.ProcessEnv == nil {
			cfg.ProcessEnv = map[string]string{}
		}
		for _, kv := range f.processEnv {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				problems = append(problems, fmt.Errorf("--process-env %q: want KEY=VALUE", kv))
				continue
			}
			cfg.ProcessEnv[k] = v
		}
	}
	set("execution-budget", func() { cfg.ExecutionBudget = config.Duration(f.budget) })
	f.http.apply(fl, &cfg.HTTP)
	f.peers.apply(fl, &cfg.Peers)
	f.history.apply(fl, &cfg.History)
	set("action-memory-mib", func() { cfg.ActionMemoryMiB = f.actionMemoryMiB })
	if err := cfg.Vault.ApplyFlags(fl); err != nil {
		problems = append(problems, fmt.Errorf("vault: %w", err))
	}
	return &cfg, problems
}
