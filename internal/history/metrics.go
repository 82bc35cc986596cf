package history

import "github.com/prometheus/client_golang/prometheus"

// Reasons an execution is not recorded (the label of actionsd_history_dropped_total).
const (
	droppedQueueFull = "queue_full"  // the writer's queue was full
	droppedSampled   = "sampled_out" // a success left out by history.sample_rate
	droppedClosed    = "closed"      // the history was shutting down
)

type metrics struct {
	written     prometheus.Counter
	dropped     *prometheus.CounterVec
	writeErrors *prometheus.CounterVec
	deleted     *prometheus.CounterVec
	size        prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "actionsd_history_records_total",
			Help: "Execution records written to the history.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_history_dropped_total",
			Help: "Executions not recorded, by reason: queue_full (the writer fell behind), sampled_out (a success left out by the sample rate), closed (shutting down).",
		}, []string{"reason"}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_history_write_errors_total",
			Help: "Execution records lost to a failed write (write: the database refused it, such as a full disk; bad_entry: it could not be built), and failed retention deletes (retention).",
		}, []string{"kind"}),
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_history_deleted_total",
			Help: "Execution records deleted by retention, by limit: age or size.",
		}, []string{"limit"}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_history_size_bytes",
			Help: "Bytes the stored execution records take (what history.max_size bounds).",
		}),
	}
	for _, r := range []string{droppedQueueFull, droppedSampled, droppedClosed} {
		m.dropped.WithLabelValues(r)
	}
	for _, k := range []string{"write", "bad_entry", "retention"} {
		m.writeErrors.WithLabelValues(k)
	}
	for _, l := range []string{"age", "size"} {
		m.deleted.WithLabelValues(l)
	}
	if reg != nil {
		reg.MustRegister(m.written, m.dropped, m.writeErrors, m.deleted, m.size)
	}
	return m
}
