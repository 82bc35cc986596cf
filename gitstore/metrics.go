package gitstore

import "github.com/prometheus/client_golang/prometheus"

// metrics are the store's Prometheus collectors. They always count; they are exposed only when
// Options.Registerer is set.
type metrics struct {
	tagMoved          *prometheus.CounterVec
	signatureRejected *prometheus.CounterVec
	fetches           *prometheus.CounterVec
	fetchDuration     prometheus.Histogram
	corruptions       *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		tagMoved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_version_tag_moved_total",
			Help: "Module version tags seen pointing at content other than their record (moved, contradicting actionsd.lock); the recorded content keeps serving.",
		}, []string{"module"}),
		signatureRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_signature_rejected_total",
			Help: "Deploy-branch commits (kind=commit) and module version tags (kind=tag) refused for a missing or untrusted signature.",
		}, []string{"kind"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_git_fetches_total",
			Help: "Repository fetches by result: unchanged (the ref listing matched the mirror), fetched, failed.",
		}, []string{"result"}),
		fetchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "actionsd_git_fetch_duration_seconds",
			Help:    "Time to list the repository's refs and fetch what moved.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		corruptions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_git_mirror_corruptions_total",
			Help: "Corrupt git mirrors found, by the step that found them (fetch, snapshot): each was moved aside under the data dir and the repository cloned again.",
		}, []string{"step"}),
	}
	for _, r := range []string{"unchanged", "fetched", "failed"} {
		m.fetches.WithLabelValues(r)
	}
	for _, k := range []string{"commit", "tag"} {
		m.signatureRejected.WithLabelValues(k)
	}
	for _, step := range []string{"fetch", "snapshot"} {
		m.corruptions.WithLabelValues(step)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.tagMoved, m.signatureRejected, m.fetches, m.fetchDuration, m.corruptions} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
