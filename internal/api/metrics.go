package api

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}

func newMetrics(reg prometheus.Registerer) *metrics {
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
	}
	for _, recv := range []string{"github", "gitlab", "generic"} {
		for _, reason := range []string{"bad_signature", "missing_signature"} {
			m.hooksRejected.WithLabelValues(recv, reason)
		}
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.executions, m.executionTime, m.actions, m.actionTime, m.hooks, m.hooksRejected} {
			reg.MustRegister(c)
		}
	}
	return m
}

// observe records one trigger execution from its result.
func (m *metrics) observe(res *runner.Result, took time.Duration) {
	m.executions.WithLabelValues(res.Trigger, res.Outcome).Inc()
	m.executionTime.WithLabelValues(res.Trigger, res.Outcome).Observe(took.Seconds())
	for _, a := range res.Actions {
		outcome := runner.OutcomeSuccess
		if a.Error != nil {
			outcome = runner.OutcomeFailed
		}
		m.actions.WithLabelValues(res.Trigger, a.Name, outcome).Inc()
		m.actionTime.WithLabelValues(res.Trigger, a.Name).Observe(a.DurationMS / 1000)
	}
}
