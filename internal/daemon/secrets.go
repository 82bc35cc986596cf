package daemon

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/demo"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Secrets is where a daemon's secrets come from: a Source, and with Vault the login keeper, the
// last-good cache and the rotation watcher that run beside the reconciler.
type Secrets struct {
	Source  vaultsecrets.Source   // what the reconciler reads: the cache over Vault, or a file
	Vault   *vaultsecrets.Vault   // nil without Vault
	Watcher *vaultsecrets.Watcher // nil without Vault: no rotation is watched
	// EgressAllow is what fetch must reach besides cfg.Egress.Allow: the local log sink.
	EgressAllow []string
	sink        *demo.Sink // the local log sink a secrets file's ${ACTIONSD_SINK} started, or nil
}

// Close releases what NewSecrets made; call it only when the daemon never ran (Run closes it).
func (s Secrets) Close() {
	if s.sink != nil {
		s.sink.Close()
	}
	if s.Vault != nil {
		_ = s.Vault.Close()
	}
}

// NewSecrets picks the secrets backend: a dev secrets file when one is named (with the log sink
// of demo.LocalSecrets when its values use it), else Vault with its cache and rotation watcher,
// their metrics registered on reg.
func NewSecrets(cfg config.Config, log *zap.Logger, reg prometheus.Registerer) (Secrets, error) {
	if cfg.SecretsFile != "" {
		f, sink, err := demo.LocalSecrets(cfg.SecretsFile, os.Stderr, log)
		if err != nil {
			return Secrets{}, err
		}
		s := Secrets{Source: f, sink: sink}
		if sink != nil {
			log.Info("local log sink started for the secrets file's ${"+demo.SinkVariable+"}", zap.String("url", sink.URL))
			s.EgressAllow = []string{sink.Addr()}
		}
		return s, nil
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
