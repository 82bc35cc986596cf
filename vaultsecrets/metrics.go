package vaultsecrets

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus metrics of the Vault client, the Cache and the Watcher. Their labels are
// operations, results and owners ("modules/logger"): never a value, a token or an ID. A nil
// *Metrics records nothing.
//
//	actionsd_vault_requests_total{op,result}           requests to Vault: op read|metadata|login|renew|lookup;
//	                                                   result ok|not_found|denied|unavailable|error
//	actionsd_vault_request_duration_seconds{op}        their latency
//	actionsd_vault_logins_total{result}                logins (ok|error)
//	actionsd_vault_token_renewals_total{result}        renewals by the LifetimeWatcher (ok|error)
//	actionsd_vault_token_expiry_timestamp_seconds      when the token expires unless renewed; 0: never
//	actionsd_vault_secret_version{owner}               the KV v2 version in use
//	actionsd_vault_secret_read_timestamp_seconds{owner} when the version in use was read
//	actionsd_vault_secret_degraded{owner}              1 while the owner is served last good values (or has none)
//	actionsd_vault_rotations_detected_total            new versions found by the Watcher
//	actionsd_vault_watched_paths                       paths the Watcher polls
//	actionsd_vault_poll_duration_seconds               one Watcher round over every due path
type Metrics struct {
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	logins          *prometheus.CounterVec
	renewals        *prometheus.CounterVec
	tokenExpiry     prometheus.Gauge
	secretVersion   *prometheus.GaugeVec
	secretReadTime  *prometheus.GaugeVec
	secretDegraded  *prometheus.GaugeVec
	rotations       prometheus.Counter
	watchedPaths    prometheus.Gauge
	pollDuration    prometheus.Histogram
}

// NewMetrics creates the metrics and registers them on reg. A nil reg gives a nil *Metrics, which
// records nothing.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_vault_requests_total", Help: "Requests to Vault by operation and result.",
		}, []string{"op", "result"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "actionsd_vault_request_duration_seconds", Help: "Latency of requests to Vault.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"op"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_vault_logins_total", Help: "Vault logins by result.",
		}, []string{"result"}),
		renewals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_vault_token_renewals_total", Help: "Token renewals by result.",
		}, []string{"result"}),
		tokenExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_vault_token_expiry_timestamp_seconds", Help: "When the Vault token expires unless renewed (Unix time); 0 when it does not expire.",
		}),
		secretVersion: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "actionsd_vault_secret_version", Help: "The KV v2 version of each owner's secret in use.",
		}, []string{"owner"}),
		secretReadTime: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "actionsd_vault_secret_read_timestamp_seconds", Help: "When the version in use was read (Unix time).",
		}, []string{"owner"}),
		secretDegraded: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "actionsd_vault_secret_degraded", Help: "1 while an owner is served its last good values, or has none, because Vault failed.",
		}, []string{"owner"}),
		rotations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "actionsd_vault_rotations_detected_total", Help: "New secret versions found by polling KV v2 metadata.",
		}),
		watchedPaths: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_vault_watched_paths", Help: "Secret paths whose metadata is polled.",
		}),
		pollDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "actionsd_vault_poll_duration_seconds", Help: "Duration of one metadata poll over every due path.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.requestDuration, m.logins, m.renewals, m.tokenExpiry,
		m.secretVersion, m.secretReadTime, m.secretDegraded, m.rotations, m.watchedPaths, m.pollDuration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("vault metrics: %w", err)
		}
	}
	return m, nil
}

// request records one request to Vault.
func (m *Metrics) request(op string, start time.Time, err error) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(op, resultOf(err)).Inc()
	m.requestDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

func (m *Metrics) login(err error) {
	if m == nil {
		return
	}
	m.logins.WithLabelValues(okOrError(err)).Inc()
}

func (m *Metrics) renewal(err error) {
	if m == nil {
		return
	}
	m.renewals.WithLabelValues(okOrError(err)).Inc()
}

func (m *Metrics) expiry(t time.Time) {
	if m == nil {
		return
	}
	if t.IsZero() {
		m.tokenExpiry.Set(0)
		return
	}
	m.tokenExpiry.Set(float64(t.Unix()))
}

// owner sets an owner's gauges; a nil good leaves version and read time as they are.
func (m *Metrics) owner(o Owner, good *Secret, degraded bool) {
	if m == nil {
		return
	}
	if good != nil {
		m.secretVersion.WithLabelValues(o.String()).Set(float64(good.Version))
		m.secretReadTime.WithLabelValues(o.String()).Set(float64(good.ReadAt.Unix()))
	}
	d := 0.0
	if degraded {
		d = 1
	}
	m.secretDegraded.WithLabelValues(o.String()).Set(d)
}

// forget drops an owner's series.
func (m *Metrics) forget(o Owner) {
	if m == nil {
		return
	}
	m.secretVersion.DeleteLabelValues(o.String())
	m.secretReadTime.DeleteLabelValues(o.String())
	m.secretDegraded.DeleteLabelValues(o.String())
}

func (m *Metrics) rotation() {
	if m == nil {
		return
	}
	m.rotations.Inc()
}

func (m *Metrics) watched(n int) {
	if m == nil {
		return
	}
	m.watchedPaths.Set(float64(n))
}

func (m *Metrics) poll(start time.Time) {
	if m == nil {
		return
	}
	m.pollDuration.Observe(time.Since(start).Seconds())
}

func okOrError(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

// resultOf classifies a request's error for the result label.
func resultOf(err error) string {
	var nf *NotFoundError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &nf):
		return "not_found"
	case statusOf(err) == 403:
		return "denied"
	case unavailable(err):
		return "unavailable"
	}
	return "error"
}
