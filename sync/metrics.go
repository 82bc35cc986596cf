package sync

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the reconciler's Prometheus collectors. They always count; they are exposed only
// when Config.Registerer is set.
type metrics struct {
	duration   *prometheus.HistogramVec
	failures   *prometheus.CounterVec
	swaps      prometheus.Counter
	generation prometheus.Gauge
	applied    *prometheus.GaugeVec
	appliedAt  prometheus.Gauge
	conditions *prometheus.GaugeVec
}

// Sync results, the values of the result label.
const (
	resultApplied   = "applied"
	resultFailed    = "failed"
	resultUnchanged = "unchanged"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actionsd_sync_duration_seconds",
			Help:    "Time of one reconcile (fetch to swap) by result: applied, failed, or unchanged (nothing moved).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"result"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_sync_failures_total",
			Help: "Failed reconciles by the step that failed (fetch, snapshot, validate, resolve, install, secrets, build).",
		}, []string{"step"}),
		swaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "actionsd_generation_swaps_total",
			Help: "Generations swapped in.",
		}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_generation",
			Help: "Number of the serving generation (0: none serves yet).",
		}),
		applied: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "actionsd_applied_commit_info",
			Help: "The deploy-branch commit the serving generation was built from (value 1).",
		}, []string{"branch", "commit"}),
		appliedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_last_applied_timestamp_seconds",
			Help: "When the serving generation was swapped in (Unix seconds).",
		}),
		conditions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "actionsd_status_condition",
			Help: "Status conditions (Ready, Reconciling, Stalled, Degraded): 1 when True, 0 when False.",
		}, []string{"type"}),
	}
	for _, r := range []string{resultApplied, resultFailed, resultUnchanged} {
		m.duration.WithLabelValues(r)
	}
	for _, c := range []string{ConditionReady, ConditionReconciling, ConditionStalled, ConditionDegraded} {
		m.conditions.WithLabelValues(c)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.duration, m.failures, m.swaps, m.generation, m.applied, m.appliedAt, m.conditions} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
