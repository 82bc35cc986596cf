package rollout

import (
	"math"
	"sync/atomic"
	"time"
)

// Latency histogram: bucket i holds durations up to minLatency·growth^i; the last holds the rest.
// Counting is one atomic add per execution, with no lock; p99 is read from the buckets, to within
// one bucket (±12.5%).
const (
	buckets    = 96
	minLatency = 10 * time.Microsecond
	growth     = 1.25
)

var logGrowth = math.Log(growth)

// stats count one revision's executions under a rollout.
type stats struct {
	runs, errors atomic.Int64
	hist         [buckets]atomic.Int64
}

func bucketOf(d time.Duration) int {
	if d <= minLatency {
		return 0
	}
	i := int(math.Ceil(math.Log(float64(d)/float64(minLatency)) / logGrowth))
	return min(i, buckets-1)
}

func bucketUpper(i int) time.Duration {
	return time.Duration(float64(minLatency) * math.Pow(growth, float64(i)))
}

func (s *stats) observe(failed bool, d time.Duration) {
	s.runs.Add(1)
	if failed {
		s.errors.Add(1)
	}
	s.hist[bucketOf(d)].Add(1)
}

// RevisionStats are one revision's numbers since its rollout started.
type RevisionStats struct {
	Executions int64   `json:"executions"`
	Errors     int64   `json:"errors"`
	ErrorRate  float64 `json:"error_rate"`
	P99MS      float64 `json:"p99_ms"`
}

func (s *stats) snapshot() RevisionStats {
	var h [buckets]int64
	var n int64
	for i := range s.hist {
		h[i] = s.hist[i].Load()
		n += h[i]
	}
	out := RevisionStats{Executions: s.runs.Load(), Errors: s.errors.Load()}
	if out.Executions > 0 {
		out.ErrorRate = float64(out.Errors) / float64(out.Executions)
	}
	if n > 0 {
		want := int64(math.Ceil(0.99 * float64(n)))
		var c int64
		for i, k := range h {
			c += k
			if c >= want {
				out.P99MS = float64(bucketUpper(i)) / float64(time.Millisecond)
				break
			}
		}
	}
	return out
}
