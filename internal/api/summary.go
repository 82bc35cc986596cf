package api

import (
	"math"
	"net/http"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/actionsd/actionsd/runner"
)

// actionSummary is one action's line of GET /v1/metrics/summary.
type actionSummary struct {
	Trigger    string  `json:"trigger"`
	Action     string  `json:"action"`
	Executions uint64  `json:"executions"`
	Failures   uint64  `json:"failures"`
	P99MS      float64 `json:"p99_ms"`
}

// metricsSummary is GET /v1/metrics/summary: the action metrics of this process at a glance, read
// from the same collectors /metrics exposes (so it costs the hot route nothing).
func (s *server) metricsSummary(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"actions": s.metrics.summary()})
}

// summary gathers executions, failures and the p99 run time per trigger and action.
func (m *metrics) summary() []actionSummary {
	type key struct{ trigger, action string }
	byKey := map[key]*actionSummary{}
	get := func(labels []*dto.LabelPair) *actionSummary {
		var k key
		for _, l := range labels {
			switch l.GetName() {
			case "trigger":
				k.trigger = l.GetValue()
			case "action":
				k.action = l.GetValue()
			}
		}
		a := byKey[k]
		if a == nil {
			a = &actionSummary{Trigger: k.trigger, Action: k.action}
			byKey[k] = a
		}
		return a
	}
	for _, pm := range collect(m.actions) {
		a := get(pm.GetLabel())
		n := uint64(pm.GetCounter().GetValue())
		a.Executions += n
		for _, l := range pm.GetLabel() {
			if l.GetName() == "outcome" && l.GetValue() == runner.OutcomeFailed {
				a.Failures += n
			}
		}
	}
	for _, pm := range collect(m.actionTime) {
		get(pm.GetLabel()).P99MS = quantile(0.99, pm.GetHistogram()) * 1000
	}
	out := make([]actionSummary, 0, len(byKey))
	for _, a := range byKey {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Trigger != out[j].Trigger {
			return out[i].Trigger < out[j].Trigger
		}
		return out[i].Action < out[j].Action
	})
	return out
}

// collect reads every series of c.
func collect(c prometheus.Collector) []*dto.Metric {
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	var out []*dto.Metric
	for pm := range ch {
		var d dto.Metric
		if pm.Write(&d) == nil {
			out = append(out, &d)
		}
	}
	return out
}

// quantile estimates the q-quantile of h as Prometheus's histogram_quantile does: linear
// interpolation within the bucket that holds it; the highest finite bound when it falls above
// them all; 0 for an empty histogram.
func quantile(q float64, h *dto.Histogram) float64 {
	total := h.GetSampleCount()
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	lower, below := 0.0, 0.0
	for _, b := range h.GetBucket() {
		upper, count := b.GetUpperBound(), float64(b.GetCumulativeCount())
		if math.IsInf(upper, 1) {
			break
		}
		if count >= rank {
			if count == below {
				return upper
			}
			return lower + (upper-lower)*(rank-below)/(count-below)
		}
		lower, below = upper, count
	}
	return lower
}
