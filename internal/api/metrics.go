package api

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/runner"
)

// metrics are the API's Prometheus collectors: executions (recorded from each Result) and webhook
// receivers. They always count; they are exposed only when Config.Registerer is set.
type metrics struct {
	executions    *prometheus.CounterVec
	executionTime *prometheus.HistogramVec
	actions       *prometheus.CounterVec
	actionTime    *prometheus.HistogramVec
	hooks         *prometheus.CounterVec
	hooksRejected *prometheus.CounterVec
	connsClosed   *prometheus.CounterVec // by Server: connections it closed, by reason
	unauthConns   prometheus.Gauge       // by Server: connections open that have not authenticated
	peerSignals   *prometheus.CounterVec // signals received from peers, by result
	bridges       bridgeMetrics

	series seriesCache
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}

func newMetrics(reg prometheus.Registerer, bs []*bridges.Bridge) *metrics {
	m := &metrics{
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_executions_total",
			Help: "Trigger executions by trigger and outcome (success, denied, redirect, failed).",
		}, []string{"trigger", "outcome"}),
		executionTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actionsd_execution_duration_seconds",
			Help:    "Wall time of a trigger execution (every bound action), by trigger and outcome.",
			Buckets: latencyBuckets,
		}, []string{"trigger", "outcome"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_action_executions_total",
			Help: "Action runs within trigger executions, by trigger, action and outcome (success or failed).",
		}, []string{"trigger", "action", "outcome"}),
		actionTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actionsd_action_duration_seconds",
			Help:    "Time of one action's run within a trigger execution.",
			Buckets: latencyBuckets,
		}, []string{"trigger", "action"}),
		hooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_webhooks_total",
			Help: "Verified webhook deliveries by receiver (github, gitlab, generic) and result (accepted: a sync was signalled; ignored: the ref cannot matter).",
		}, []string{"receiver", "result"}),
		hooksRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_webhook_rejected_total",
			Help: "Webhook deliveries refused, by receiver and reason (bad_signature, missing_signature, too_large, disabled).",
		}, []string{"receiver", "reason"}),
		connsClosed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_http_connections_closed_total",
			Help: "HTTP connections the server closed, by reason (unauthenticated_cap, header_timeout, request_timeout, idle_timeout, unauthorized, body_too_large).",
		}, []string{"reason"}),
		unauthConns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_http_unauthenticated_connections",
			Help: "HTTP connections open that have not yet presented a valid bearer token or webhook signature.",
		}),
		peerSignals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_peer_signals_received_total",
			Help: "Requests to the peer routes (POST /v1/peer/sync) by result (accepted: a sync was signalled; refused: no valid peer secret or token).",
		}, []string{"result"}),
		bridges: newBridgeMetrics(bs),
	}
	m.peerSignals.WithLabelValues("accepted")
	m.peerSignals.WithLabelValues("refused")
	m.series.executions.Store(&map[executionKey]*series{})
	m.series.actions.Store(&map[actionKey]*series{})
	for _, recv := range receivers {
		for _, reason := range []string{"bad_signature", "missing_signature"} {
			m.hooksRejected.WithLabelValues(recv.name, reason)
		}
	}
	for _, reason := range closeReasons {
		m.connsClosed.WithLabelValues(reason)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.executions, m.executionTime, m.actions, m.actionTime, m.hooks, m.hooksRejected, m.connsClosed, m.unauthConns, m.peerSignals, m.bridges.requests, m.bridges.failures, m.bridges.repeats} {
			reg.MustRegister(c)
		}
	}
	return m
}

// observe records one trigger execution from its result.
func (m *metrics) observe(res *runner.Result, took time.Duration) {
	e := m.execution(res.Trigger, res.Outcome)
	e.count.Inc()
	e.time.Observe(took.Seconds())
	for i := range res.Actions {
		a := &res.Actions[i]
		outcome := runner.OutcomeSuccess
		if a.Error != nil {
			outcome = runner.OutcomeFailed
		}
		am := m.action(res.Trigger, a.Name, outcome)
		am.count.Inc()
		am.time.Observe(a.DurationMS / 1000)
	}
}

// The series observe writes to, resolved once per label set: WithLabelValues hashes and checks
// its labels and takes the vector's lock on every call. A series is made on first use, as
// WithLabelValues makes it, so /metrics lists the same series as before.
type (
	series struct {
		count prometheus.Counter
		time  prometheus.Observer
	}
	executionKey struct{ trigger, outcome string }
	actionKey    struct{ trigger, action, outcome string }
)

// seriesCache holds the resolved series. Like the vectors themselves, it keeps every label set
// it has seen: triggers × outcomes, and the actions bound over the daemon's life. Readers load
// the maps without a lock (every execution looks up its series: a shared lock's counter would
// bounce between cores); a new series replaces a map with a copy that holds it.
type seriesCache struct {
	mu         sync.Mutex // serialises the replacement of the maps
	executions atomic.Pointer[map[executionKey]*series]
	actions    atomic.Pointer[map[actionKey]*series]
}

func (m *metrics) execution(trigger, outcome string) *series {
	k := executionKey{trigger, outcome}
	if s := (*m.series.executions.Load())[k]; s != nil { // every execution: no lock, no closure
		return s
	}
	return addSeries(&m.series.mu, &m.series.executions, k, func() *series {
		return &series{
			count: m.executions.WithLabelValues(trigger, outcome),
			time:  m.executionTime.WithLabelValues(trigger, outcome),
		}
	})
}

func (m *metrics) action(trigger, name, outcome string) *series {
	k := actionKey{trigger, name, outcome}
	if s := (*m.series.actions.Load())[k]; s != nil {
		return s
	}
	return addSeries(&m.series.mu, &m.series.actions, k, func() *series {
		return &series{
			count: m.actions.WithLabelValues(trigger, name, outcome),
			time:  m.actionTime.WithLabelValues(trigger, name),
		}
	})
}

// addSeries returns the series of k, made by newSeries unless another goroutine made it first,
// replacing the map *p (under mu) with a copy that holds it.
func addSeries[K comparable](mu *sync.Mutex, p *atomic.Pointer[map[K]*series], k K, newSeries func() *series) *series {
	mu.Lock()
	defer mu.Unlock()
	old := *p.Load()
	if s := old[k]; s != nil {
		return s
	}
	s := newSeries()
	next := maps.Clone(old)
	next[k] = s
	p.Store(&next)
	return s
}
