package daemon

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Secrets is where a daemon's secrets come from: a Source, and with Vault the login keeper, the
// last-good cache and the rotation watcher that run beside the reconciler.
type Secrets struct {
	Source  vaultsecrets.Source   // what the reconciler reads: the cache over Vault, or a file
	Vault   *vaultsecrets.Vault   // nil without Vault
	Watcher *vaultsecrets.Watcher // nil without Vault: no rotation is watched
}

// Close releases what NewVaultSecrets made; call it only when the daemon never ran (Run closes
// it).
func (s Secrets) Close() {
	if s.Vault != nil {
		_ = s.Vault.Close()
	}
}

// NewSecrets picks the secrets backend: a dev secrets file when one is named, else Vault with
// its cache and rotation watcher, their metrics registered on reg.
func NewSecrets(cfg config.Config, log *zap.Logger, reg prometheus.Registerer) (Secrets, error) {
	if cfg.SecretsFile != "" {
		f, err := vaultsecrets.NewFile(cfg.SecretsFile, log)
		if err != nil {
			return Secrets{}, err
		}
		return Secrets{Source: f}, nil
	}
	return NewVaultSecrets(cfg.Vault, log, reg)
}

// NewVaultSecrets wires Vault, the cache of last good values and the rotation watcher.
func NewVaultSecrets(vc vaultsecrets.VaultConfig, log *zap.Logger, reg prometheus.Registerer) (Secrets, error) {
	m, err := vaultsecrets.NewMetrics(reg)
	if err != nil {
		return Secrets{}, fmt.Errorf("vault metrics: %w", err)
	}
	v, err := vaultsecrets.NewVault(vc, log, vaultsecrets.WithMetrics(m))
	if err != nil {
		return Secrets{}, err
	}
	cache := vaultsecrets.NewCache(v, vaultsecrets.CacheConfig{Logger: log, Metrics: m})
	w, err := vaultsecrets.NewWatcher(vaultsecrets.WatcherConfig{Source: v, Cache: cache, Interval: vc.PollEvery(), Logger: log, Metrics: m})
	if err != nil {
		_ = v.Close()
		return Secrets{}, err
	}
	return Secrets{Source: cache, Vault: v, Watcher: w}, nil
}
