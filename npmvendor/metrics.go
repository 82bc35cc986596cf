package npmvendor

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are an Installer's Prometheus collectors (InstallerOptions.Metrics). A nil *Metrics
// counts nothing.
type Metrics struct {
	installs        *prometheus.CounterVec
	installDuration prometheus.Histogram
	tarballs        *prometheus.CounterVec
	pruned          *prometheus.CounterVec
	prunedBytes     prometheus.Counter
}

// NewMetrics makes the collectors and registers them on reg (nil: none).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		installs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_npm_installs_total",
			Help: "Installs of a dependency set by result: memory (the bundle was in memory), disk (read from the bundle cache), built (fetched and bundled), failed.",
		}, []string{"result"}),
		installDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "actionsd_npm_install_duration_seconds",
			Help:    "Time to install a dependency set that was not in memory: read from the bundle cache, or fetched and bundled.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		tarballs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_npm_tarballs_total",
			Help: "Tarballs fetched into the package cache by source (vendor: the repository's vendor/npm/, registry) and result (ok, failed: unreachable, integrity mismatch, bad archive).",
		}, []string{"source", "result"}),
		pruned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_npm_cache_pruned_total",
			Help: "Entries removed from the npm cache by kind (bundle, package): unused for npm.cache_retention.",
		}, []string{"kind"}),
		prunedBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "actionsd_npm_cache_pruned_bytes_total",
			Help: "Bytes of the files removed from the npm cache.",
		}),
	}
	for _, r := range []string{"memory", "disk", "built", "failed"} {
		m.installs.WithLabelValues(r)
	}
	for _, s := range []string{"vendor", "registry"} {
		for _, r := range []string{"ok", "failed"} {
			m.tarballs.WithLabelValues(s, r)
		}
	}
	for _, k := range []string{"bundle", "package"} {
		m.pruned.WithLabelValues(k)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.installs, m.installDuration, m.tarballs, m.pruned, m.prunedBytes} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *Metrics) install(result string, took time.Duration) {
	if m == nil {
		return
	}
	m.installs.WithLabelValues(result).Inc()
	if result != "memory" {
		m.installDuration.Observe(took.Seconds())
	}
}

func (m *Metrics) tarball(source string, err error) {
	if m == nil || source == "" {
		return
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.tarballs.WithLabelValues(source, result).Inc()
}

func (m *Metrics) prune(st PruneStats) {
	if m == nil {
		return
	}
	m.pruned.WithLabelValues("bundle").Add(float64(st.Bundles))
	m.pruned.WithLabelValues("package").Add(float64(st.Packages))
	m.prunedBytes.Add(float64(st.Bytes))
}
