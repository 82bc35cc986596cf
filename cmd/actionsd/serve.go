package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
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
	kvMount      string
	prefix       string
	egressAllow  []string
	logLevel     string
	logFormat    string
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
			cfg, err := f.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			log, err := newLogger(cfg.Log)
			if err != nil {
				return err
			}
			defer func() { _ = log.Sync() }()
			secrets, err := secretsSource(cfg, log)
			if err != nil {
				return err
			}
			d, err := newDaemon(cfg, secrets, log)
			if err != nil {
				return err
			}
			return d.run(cmd.Context())
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
	fl.StringVar(&f.kvMount, "vault-kv-mount", config.DefaultKVMount, "Vault KV v2 mount")
	fl.StringVar(&f.prefix, "vault-prefix", config.DefaultPrefix, "path prefix under the mount: <mount>/<prefix>/modules/<name>")
	fl.StringArrayVar(&f.egressAllow, "egress-allow", nil, "let fetch reach this private host, host:port or CIDR (repeatable)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&f.logFormat, "log-format", "json", "json or console")
	return cmd
}

// resolve merges the config file, the environment and the flags that were given, in that order.
func (f *serveFlags) resolve(fl *pflag.FlagSet) (config.Config, error) {
	cfg := config.Default()
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config); err != nil {
			return cfg, err
		}
	}
	cfg.ApplyEnv(os.Getenv)
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
	set("vault-kv-mount", func() { cfg.Vault.KVMount = f.kvMount })
	set("vault-prefix", func() { cfg.Vault.Prefix = f.prefix })
	set("egress-allow", func() { cfg.Egress.Allow = append(cfg.Egress.Allow, f.egressAllow...) })
	set("log-level", func() { cfg.Log.Level = f.logLevel })
	set("log-format", func() { cfg.Log.Format = f.logFormat })
	return cfg, cfg.Check()
}

// secretsSource picks the secrets backend: a dev secrets file when one is named, else Vault.
func secretsSource(cfg config.Config, log *zap.Logger) (vaultsecrets.Source, error) {
	if cfg.SecretsFile != "" {
		return vaultsecrets.NewFile(cfg.SecretsFile, log)
	}
	vc := vaultsecrets.VaultConfigFromEnv()
	vc.Address = cfg.Vault.Address
	vc.Namespace = cfg.Vault.Namespace
	vc.Mount = cfg.Vault.KVMount
	vc.Prefix = cfg.Vault.Prefix
	if vc.Token == "" {
		return nil, fmt.Errorf("vault: VAULT_TOKEN is not set (token auth is the only method so far)")
	}
	return vaultsecrets.NewVault(vc, log)
}
