package daemon

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// CheckConfig reports every problem of cfg that New would stop at, without serving, opening the
// data dir or contacting git or Vault (serve --check-config): the settings (config.Problems),
// the secrets files they name, the repository settings (its URL's git credentials, the trusted
// keys of verify), the peer URLs and DNS name (not resolved), the egress allow list, the log
// settings, the OTEL_* tracing environment and a secrets file's content. No problem: nil. Secret
// values are never part of a problem.
func CheckConfig(cfg config.Config) []error {
	ps := cfg.Problems()
	add := func(err error) {
		if err != nil {
			ps = append(ps, err)
		}
	}
	add(cfg.ResolveSecrets())
	if cfg.Repo != "" {
		_, err := gitstore.NewAuth(cfg.Repo, gitstore.Credentials{
			Username: cfg.Git.Username, Password: cfg.Git.Password,
			SSHKeyFile: cfg.Git.SSHKeyFile, SSHKeyPassphrase: cfg.Git.SSHKeyPassphrase, KnownHostsFile: cfg.Git.KnownHostsFile,
		})
		if err != nil {
			add(fmt.Errorf("git auth: %w", err))
		}
	}
	// An unknown verify.mode is one of config.Problems already; the keys are read here.
	if m := cfg.Verify.Mode; m == config.VerifyHead || m == config.VerifyTags || m == config.VerifyHeadAndTags {
		if len(cfg.Verify.OpenPGPKeys)+len(cfg.Verify.SSHKeys) > 0 {
			if _, err := VerifyOptions(cfg.Verify); err != nil {
				add(fmt.Errorf("verify: %w", err))
			}
		}
	}
	if cfg.Repo != "" {
		add(gitstore.CheckLocal(cfg.Repo))
	}
	if _, err := egress.ParseAllow(cfg.Egress.Allow); err != nil {
		add(fmt.Errorf("egress.allow: %w", err))
	}
	ps = append(ps, peers.Check(cfg.Peers.URLs, cfg.Peers.DNS, cfg.Peers.Port)...)
	if _, err := NewLogger(cfg.Log); err != nil {
		add(err)
	}
	if err := tracing.CheckEnv(); err != nil {
		add(fmt.Errorf("tracing: %w", err))
	}
	if cfg.SecretsFile != "" {
		// Reading the file is the check: NewSecrets would also start the log sink of a
		// ${ACTIONSD_SINK} value, a listener for nothing here.
		if _, err := vaultsecrets.NewFile(cfg.SecretsFile, zap.NewNop()); err != nil {
			add(err)
		}
	}
	return ps
}
